import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { sla } from './extension';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };

it('records each warning and breach at most once, and only when due, whatever ticks run when', async () => {
  const cal = businessCalendar({
    timeZone: 'UTC',
    week: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] },
  });
  let recorded = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 20 * 60 }), fc.boolean(), fc.boolean()), {
        minLength: 1,
        maxLength: 8,
      }),
      async (steps) => {
        let now = new Date('2026-01-05T10:00:00Z');
        const desk = createHelpdesk({
          store: inMemoryStore(),
          clock: { now: () => now },
          extensions: [
            sla({
              calendars: { cal },
              policies: [
                { id: 'std', calendar: 'cal', targets: { firstReply: 60, resolution: 240 }, warnBefore: 15 },
              ],
            }),
          ],
        });
        const { ticket } = await desk.execute(
          { type: 'openTicket', channel: 'email', requester: { id: 'c1' }, subject: 'Down', body: 'Help' },
          { actor: customer },
        );
        let minutes = 0;
        for (const [advance, reply, twice] of steps) {
          minutes += advance;
          now = new Date(Date.parse('2026-01-05T10:00:00Z') + minutes * 60_000);
          if (reply)
            await desk.execute(
              { type: 'postMessage', ticketId: ticket.id, body: 'On it', visibility: 'public' },
              { actor: agent },
            );
          await desk.tick();
          if (twice) await desk.tick();
        }
        const { events } = await desk.history(ticket.id, { actor: { kind: 'admin', id: 'admin' } });
        const marks = events
          .filter((e) => (e.type as string) === 'SlaWarning' || (e.type as string) === 'SlaBreached')
          .map((e) => ({
            type: e.type,
            at: e.occurredAt,
            ...(e.data as { metric: string; deadline: string }),
          }));
        const keys = marks.map((m) => `${m.type}:${m.metric}`);
        recorded += marks.length;
        expect(new Set(keys).size).toBe(keys.length);
        for (const m of marks) {
          // A breach is recorded only after its deadline; a warning no earlier than 15 working minutes before it.
          if ((m.type as string) === 'SlaBreached') expect(m.at > m.deadline).toBe(true);
          else
            expect(cal.workingTimeBetween(new Date(m.at), new Date(m.deadline))).toBeLessThanOrEqual(
              15 * 60_000,
            );
        }
      },
    ),
    { numRuns: 40 },
  );
  expect(recorded).toBeGreaterThan(20); // the law was really exercised
}, 120_000);
