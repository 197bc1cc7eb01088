import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, explain, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };

describe('explain, given a trigger on a change', () => {
  it('when told the ticket before the command, then it agrees with what the desk did, and says why', async () => {
    const defined = defineRules({
      triggers: [
        {
          id: 'came-back',
          on: ['StatusChanged'],
          when: { field: 'status', op: 'changedFrom', value: 'pending' },
          then: [{ type: 'addTags', tags: ['came-back'] }],
        },
      ],
    });
    const desk = createHelpdesk({
      store: inMemoryStore(),
      clock: { now: () => new Date('2026-03-02T09:00:00.000Z') },
      extensions: [rules(defined)],
    });
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
      { actor: customer },
    );
    const pending = await desk.execute(
      { type: 'changeStatus', ticketId: ticket.id, status: 'pending' },
      { actor: agent },
    );
    const back = await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'hello again', visibility: 'public' },
      { actor: customer },
    );
    expect(back.ticket.tags).toEqual(['came-back']);
    const moved = back.events.find((e) => e.type === 'StatusChanged')!;
    expect(explain(defined, back.ticket, moved, { previous: pending.ticket })).toEqual([
      {
        ruleId: 'came-back',
        kind: 'trigger',
        matched: true,
        because: 'status changedFrom "pending" holds (it is "open")',
      },
    ]);
    // Without the ticket before, a change cannot be seen, and explain says so.
    expect(explain(defined, back.ticket, moved)[0]).toMatchObject({
      matched: false,
      because: 'status changedFrom "pending" does not hold (it is "open")',
    });
    // A trigger that does not run on the event says that first.
    expect(explain(defined, back.ticket, back.events[0])[0]).toMatchObject({
      matched: false,
      because: 'runs on StatusChanged, not on MessagePosted',
    });
  });
});
