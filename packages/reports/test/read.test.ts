// A report pages through the index in its own order (last update first). A ticket changed while
// the pages are read moves ahead of the cursor; the second pass still counts it, once.
import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import { expect, it } from 'vitest';
import { reports } from '../src/index';

const admin: Actor = { kind: 'admin', id: 'boss' };

it('counts a ticket updated between two pages of the read, once', async () => {
  let now = Date.parse('2026-03-02T08:00:00Z');
  const store = inMemoryStore();
  const rep = reports();
  const desk = createHelpdesk({ store, clock: { now: () => new Date(now) }, extensions: [rep] });
  const ids: string[] = [];
  // More than one page (500 rows), each ticket a minute after the one before.
  for (let i = 0; i < 620; i++) {
    now += 60_000;
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: `t${i}`, body: 'b' },
      { actor: admin },
    );
    ids.push(ticket.id);
  }
  // After the first page is read, the oldest ticket — on the last page — is solved: it jumps to the front.
  const query = store.index.query.bind(store.index);
  let pages = 0;
  store.index.query = async (q) => {
    const page = await query(q);
    if (++pages === 1) {
      now += 60_000;
      await desk.execute({ type: 'changeStatus', ticketId: ids[0]!, status: 'solved' }, { actor: admin });
    }
    return page;
  };
  const { total } = await rep.report(
    { from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z', timeZone: 'UTC' },
    { actor: admin },
  );
  expect(total).toMatchObject({ opened: 620, solved: 1, backlog: 619 });
});
