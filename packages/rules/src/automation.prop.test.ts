import { type Actor, createHelpdesk, inMemoryStore } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineRules, rules } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };
const HOUR = 3_600_000;

describe('an automation, for any sequence of ticks and field changes', { timeout: 120_000 }, () => {
  it('fires exactly once in every true period that a tick reaches, and never otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ hours: fc.integer({ min: 0, max: 5 }), toggle: fc.boolean(), tick: fc.boolean() }),
          { minLength: 1, maxLength: 14 },
        ),
        async (steps) => {
          let now = Date.parse('2026-03-02T09:00:00.000Z');
          const created = now;
          const desk = createHelpdesk({
            store: inMemoryStore(),
            clock: { now: () => new Date(now) },
            extensions: [
              rules(
                defineRules({
                  templates: { nudge: 'nudge' },
                  automations: [
                    {
                      id: 'watch',
                      when: {
                        all: [
                          { field: 'tags', op: 'contains', value: 'watch' },
                          { hoursSince: 'created', gte: 2 },
                        ],
                      },
                      then: [{ type: 'note', template: 'nudge' }],
                    },
                  ],
                }),
              ),
            ],
          });
          const { ticket } = await desk.execute(
            {
              type: 'openTicket',
              channel: 'api',
              requester: { id: 'c1' },
              subject: 's',
              body: 'b',
              tags: ['watch'],
            },
            { actor: customer },
          );
          // The model: a true period is a stretch with the tag on, from two hours after opening;
          // it should fire once if a tick falls inside it.
          let tagged = true;
          let firedThisPeriod = false;
          let expected = 0;
          for (const step of steps) {
            now += step.hours * HOUR;
            if (step.tick) {
              await desk.tick();
              if (tagged && now - created >= 2 * HOUR && !firedThisPeriod) {
                expected++;
                firedThisPeriod = true;
              }
            }
            if (step.toggle) {
              tagged = !tagged;
              await desk.execute(
                { type: tagged ? 'tag' : 'untag', ticketId: ticket.id, tags: ['watch'] },
                { actor: agent },
              );
              if (!tagged) firedThisPeriod = false;
            }
          }
          const { events } = await desk.history(ticket.id, { actor: { kind: 'admin', id: 'admin' } });
          expect(events.filter((e) => e.ruleId === 'watch')).toHaveLength(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
