import { type Actor, createHelpdesk, inMemoryStore, type Store } from '@tessera/core';
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

/**
 * A desk's view of the store that may lag: while `lag` holds a stream's version, reads of that
 * stream stop there until this desk appends to it — a process that read just before another wrote.
 */
function lagging(store: Store) {
  const lag = new Map<string, number>();
  const view: Store = {
    ...store,
    events: {
      ...store.events,
      readStream: async (streamId, options) => {
        const events = await store.events.readStream(streamId, options);
        const cut = lag.get(streamId);
        return cut === undefined ? events : events.filter((e) => e.version <= cut);
      },
      append: (streamId, events, options) => {
        lag.delete(streamId);
        return store.events.append(streamId, events, options);
      },
    },
  };
  return { view, lag };
}

describe('an automation, for any interleaving of three desks ticking at once', { timeout: 120_000 }, () => {
  it('fires exactly once in every true period, though the desks decide on different versions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            hours: fc.integer({ min: 0, max: 5 }),
            toggle: fc.boolean(),
            tick: fc.boolean(),
            // An unrelated note lands after these desks read the ticket.
            behind: fc.subarray([1, 2]),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        async (steps) => {
          let now = Date.parse('2026-03-02T09:00:00.000Z');
          const created = now;
          const store = inMemoryStore();
          const views = [0, 1, 2].map(() => lagging(store));
          const desks = views.map(({ view }) =>
            createHelpdesk({
              store: view,
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
                        then: [
                          { type: 'note', template: 'nudge' },
                          { type: 'addTags', tags: ['nudged'] },
                        ],
                      },
                    ],
                  }),
                ),
              ],
            }),
          );
          const [first] = desks;
          const { ticket } = await first!.execute(
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
          const stream = `ticket-${ticket.id}`;
          let tagged = true;
          let firedThisPeriod = false;
          let expected = 0;
          for (const step of steps) {
            now += step.hours * HOUR;
            if (step.tick) {
              if (step.behind.length > 0) {
                const { ticket: seen } = await first!.execute(
                  { type: 'postMessage', ticketId: ticket.id, body: 'fyi', visibility: 'internal' },
                  { actor: agent },
                );
                for (const d of step.behind) views[d]!.lag.set(stream, seen.version - 1);
              }
              await Promise.all(desks.map((d) => d.tick()));
              for (const v of views) v.lag.clear();
              if (tagged && now - created >= 2 * HOUR && !firedThisPeriod) {
                expected++;
                firedThisPeriod = true;
              }
            }
            if (step.toggle) {
              tagged = !tagged;
              await first!.execute(
                { type: tagged ? 'tag' : 'untag', ticketId: ticket.id, tags: ['watch'] },
                { actor: agent },
              );
              if (!tagged) firedThisPeriod = false;
            }
          }
          const { events } = await first!.history(ticket.id, { actor: { kind: 'admin', id: 'admin' } });
          const notes = events.filter((e) => e.ruleId === 'watch' && e.type === 'MessagePosted');
          expect(notes).toHaveLength(expected);
        },
      ),
      { numRuns: 80 },
    );
  });
});
