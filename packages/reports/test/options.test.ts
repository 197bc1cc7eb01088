// The module's options and its boundaries: refused options, a module not installed in a desk, and
// the facts never shown to a customer.
import { type Actor, ConfigError, createHelpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { reports, rowFacts } from '../src/index';

const admin: Actor = { kind: 'admin', id: 'boss' };
const customer: Actor = { kind: 'customer', id: 'c1' };
const spec = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', timeZone: 'UTC' };

describe('reports()', () => {
  it('refuses an unknown option and a calendar that is none', () => {
    expect(() => reports({ calender: {} } as never)).toThrow(ConfigError);
    expect(() => reports({ calendars: { berlin: {} } } as never)).toThrow(ConfigError);
    expect(() => reports({ calendar: 'office' } as never)).toThrow(ConfigError);
    expect(() => reports({ slaPolicies: 'std' } as never)).toThrow(ConfigError);
  });

  it('a module not installed in a desk says so', async () => {
    await expect(reports().report(spec, { actor: admin })).rejects.toBeInstanceOf(ConfigError);
  });

  it('a customer never sees the facts on an index row; staff do', async () => {
    const rep = reports();
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T08:00:00Z') },
      extensions: [rep],
    });
    await desk.execute(
      { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'Help', body: 'b' },
      { actor: customer },
    );
    const [mine] = (await desk.query({}, { actor: customer })).items;
    expect(mine?.ext).toBeUndefined();
    const [row] = (await desk.query({}, { actor: admin })).items;
    expect(rowFacts(row!)).toEqual({ opened: '2026-03-02T08:00:00.000Z', moves: [], time: [], breaches: [] });
  });
});

describe('installed on a desk that already has tickets', () => {
  it('counts them once desk.rebuild() has written their facts', async () => {
    const store = inMemoryStore();
    const clock = { now: () => new Date('2026-03-02T08:00:00Z') };
    const before = createHelpdesk({ store, clock });
    const { ticket } = await before.execute(
      { type: 'openTicket', channel: 'portal', requester: { id: 'c1' }, subject: 'Help', body: 'b' },
      { actor: customer },
    );
    await before.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: admin });

    const rep = reports();
    const desk = createHelpdesk({ store, clock, extensions: [rep] });
    // The rows were written without the module: their creation counts, their solve is not known yet.
    expect((await rep.report(spec, { actor: admin })).total).toMatchObject({ opened: 1, solved: 0 });
    await desk.rebuild();
    expect((await rep.report(spec, { actor: admin })).total).toMatchObject({
      opened: 1,
      solved: 1,
      backlog: 0,
    });
  });
});
