import { type Actor, createHelpdesk, ForbiddenError, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { sla } from './extension';
import { slaMarks } from './marks';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const system: Actor = { kind: 'system', id: 'sla' };
const cal = businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } });
const policies = [{ id: 'std', calendar: 'cal', targets: { firstReply: 60 }, warnBefore: 15 }];

describe('the SLA module owns its marks', () => {
  it('keeps them at ticket.ext.sla, records each once, refuses agents, and shows customers none', async () => {
    const store = inMemoryStore();
    const now = new Date('2026-01-05T10:00:00Z');
    const desk = createHelpdesk({
      store,
      clock: { now: () => now },
      extensions: [sla({ calendars: { cal }, policies })],
    });
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: 'Down', body: 'Help' },
      { actor: customer },
    );
    const mark = {
      type: 'recordSla',
      ticketId: ticket.id,
      kind: 'breach',
      metric: 'firstReply',
      policyId: 'std',
      deadline: '2026-01-05T11:00:00.000Z',
    };
    await expect(desk.execute(mark, { actor: agent })).rejects.toBeInstanceOf(ForbiddenError);
    const first = await desk.execute(mark, { actor: system });
    const again = await desk.execute(mark, { actor: system });
    expect(first.events.map((e) => e.type as string)).toEqual(['SlaBreached']);
    expect(again.events).toEqual([]);
    expect(slaMarks(again.ticket)).toEqual([
      {
        metric: 'firstReply',
        kind: 'breach',
        policyId: 'std',
        deadline: mark.deadline,
        at: now.toISOString(),
      },
    ]);
    expect(slaMarks(await desk.get(ticket.id, { actor: customer }))).toEqual([]);
    // A desk without the SLA module skips the marks (they stay in the log).
    const bare = createHelpdesk({ store, clock: { now: () => now } });
    expect(slaMarks(await bare.get(ticket.id, { actor: agent }))).toEqual([]);
    expect((await store.events.readStream(`ticket-${ticket.id}`)).map((e) => e.type as string)).toContain(
      'SlaBreached',
    );
  });
});
