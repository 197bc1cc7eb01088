import {
  type Actor,
  type Command,
  ConfigError,
  createHelpdesk,
  inMemoryStore,
  type StoredEvent,
} from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classics, defineRules, rules, type Trigger } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const agent: Actor = { kind: 'agent', id: 'a1' };

const conditionArb = fc.oneof(
  fc.record({
    field: fc.constant('priority'),
    op: fc.constantFrom('is', 'isNot'),
    value: fc.constantFrom('low', 'normal', 'high', 'urgent'),
  }),
  fc.record({
    field: fc.constant('tags'),
    op: fc.constantFrom('contains', 'notContains'),
    value: fc.constantFrom('a', 'b', 'c'),
  }),
  fc.record({
    field: fc.constant('status'),
    op: fc.constantFrom('is', 'isNot'),
    value: fc.constantFrom('new', 'open', 'pending'),
  }),
);
const actionArb = fc.oneof(
  fc.record({
    type: fc.constant('setPriority' as const),
    priority: fc.constantFrom('low' as const, 'normal' as const, 'high' as const, 'urgent' as const),
  }),
  fc.record({ type: fc.constant('addTags' as const), tags: fc.constantFrom('a', 'b', 'c').map((t) => [t]) }),
  fc.record({
    type: fc.constant('removeTags' as const),
    tags: fc.constantFrom('a', 'b', 'c').map((t) => [t]),
  }),
  fc.record({
    type: fc.constant('setStatus' as const),
    status: fc.constantFrom('open', 'pending', 'on_hold'),
  }),
);
const triggersArb = fc
  .array(
    fc.record({
      when: fc.array(conditionArb, { maxLength: 3 }),
      then: fc.array(actionArb, { minLength: 1, maxLength: 3 }),
    }),
    { maxLength: 8 },
  )
  .map((list) => list.map((t, i): Trigger => ({ id: `t${i}`, when: { all: t.when }, then: t.then })));
const commandsArb = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('priority' as const),
      value: fc.constantFrom('low' as const, 'high' as const),
    }),
    fc.record({ kind: fc.constant('tag' as const), value: fc.constantFrom('a', 'b', 'c') }),
    fc.record({ kind: fc.constant('reply' as const), value: fc.constant('x') }),
  ),
  { maxLength: 8 },
);

async function play(triggers: Trigger[], steps: { kind: string; value: string }[]) {
  let n = 0;
  let t = Date.parse('2026-01-01T00:00:00Z');
  const store = inMemoryStore();
  const desk = createHelpdesk({
    store,
    clock: {
      now: () => {
        t += 1000;
        return new Date(t);
      },
    },
    ids: { next: () => `id${++n}` },
    extensions: [rules(defineRules({ triggers }))],
  });
  const { ticket } = await desk.execute(
    { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
    { actor: customer },
  );
  for (const step of steps) {
    const command: Command =
      step.kind === 'priority'
        ? { type: 'setPriority', ticketId: ticket.id, priority: step.value as 'low' }
        : step.kind === 'tag'
          ? { type: 'tag', ticketId: ticket.id, tags: [step.value] }
          : { type: 'postMessage', ticketId: ticket.id, body: step.value, visibility: 'public' };
    await desk.execute(command, { actor: agent });
  }
  return (await store.events.readAll()) as StoredEvent[];
}

describe('trigger evaluation, for any rule set and command sequence', () => {
  it('terminates, is deterministic, and fires each trigger at most once per originating command', async () => {
    await fc.assert(
      fc.asyncProperty(triggersArb, commandsArb, async (triggers, steps) => {
        const first = await play(triggers, steps);
        const second = await play(triggers, steps);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
        // Group rule events by the user command they descend from (correlationId).
        const perOrigin = new Map<string, string[]>();
        for (const e of first) {
          if (!e.ruleId) continue;
          const key = e.correlationId ?? '';
          perOrigin.set(key, [...(perOrigin.get(key) ?? []), `${e.ruleId}:${e.causationId}`]);
        }
        for (const fired of perOrigin.values()) {
          const rulesFired = [...new Set(fired.map((f) => f.split(':')[0]))];
          // a trigger's actions all share one causation: one firing per trigger per origin
          for (const id of rulesFired)
            expect(
              new Set(fired.filter((f) => f.startsWith(`${id}:`)).map((f) => f.split(':')[1])).size,
            ).toBe(1);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('an invalid definition never reaches evaluation', () => {
    fc.assert(
      fc.property(
        triggersArb,
        fc.constantFrom('colour', 'priorty', 'event.nope'),
        fc.nat(),
        (triggers, badField, at) => {
          const broken = triggers.concat({
            id: 'bad',
            when: { field: badField, op: 'is', value: 1 },
            then: [{ type: 'addTags', tags: ['x'] }],
          });
          const reordered = [...broken.slice(at % broken.length), ...broken.slice(0, at % broken.length)];
          expect(() => defineRules({ triggers: reordered })).toThrow(ConfigError);
        },
      ),
    );
  });
});

describe('automations', () => {
  it('never fire twice for one true period, however ticks are spaced', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 4 }),
        async (gaps, toggles) => {
          let now = Date.parse('2026-01-01T00:00:00Z');
          const desk = createHelpdesk({
            store: inMemoryStore(),
            clock: { now: () => new Date(now) },
            extensions: [
              rules(
                defineRules({
                  templates: { nudge: 'nudge' },
                  automations: [classics.pendingReminder({ hours: 24, note: 'nudge' })],
                }),
              ),
            ],
          });
          const { ticket } = await desk.execute(
            { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
            { actor: customer },
          );
          await desk.execute(
            { type: 'changeStatus', ticketId: ticket.id, status: 'pending' },
            { actor: agent },
          );
          let periods = 1;
          for (const [i, gap] of gaps.entries()) {
            now += gap * 3_600_000;
            await desk.tick();
            if (toggles[i]) {
              // the customer answers (leaves pending), and the agent sets it pending again: a new period
              await desk.execute(
                { type: 'postMessage', ticketId: ticket.id, body: 'hi', visibility: 'public' },
                { actor: customer },
              );
              await desk.execute(
                { type: 'changeStatus', ticketId: ticket.id, status: 'pending' },
                { actor: agent },
              );
              periods++;
            }
          }
          const { events } = await desk.history(ticket.id);
          const fired = events.filter((e) => e.ruleId === 'pending-reminder');
          expect(fired.length).toBeLessThanOrEqual(periods);
          // and every firing happened 24 h or more into a pending period
          for (const e of fired) {
            const before = events
              .slice(0, events.indexOf(e))
              .filter((x) => x.type === 'StatusChanged')
              .at(-1)!;
            expect(Date.parse(e.occurredAt) - Date.parse(before.occurredAt)).toBeGreaterThanOrEqual(
              24 * 3_600_000,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
