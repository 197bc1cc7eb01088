import { type Actor, createHelpdesk, inMemoryStore, PRIORITIES } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Action, defineRules, rules, type Trigger } from './index';

const customer: Actor = { kind: 'customer', id: 'c1' };
const admin: Actor = { kind: 'admin', id: 'admin' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('setPriority' as const), priority: fc.constantFrom(...PRIORITIES) }),
  fc.record({ type: fc.constant('addTags' as const), tags: fc.constantFrom('a', 'b', 'c').map((t) => [t]) }),
);

describe('trigger order, for any list of triggers', { timeout: 120_000 }, () => {
  it('unconditional triggers fire in the order defined, once each, and the last word wins', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(actionArb, { minLength: 1, maxLength: 3 }), { maxLength: 8 }),
        async (lists) => {
          const triggers: Trigger[] = lists.map((then, i) => ({ id: `t${i}`, then }));
          const desk = createHelpdesk({
            store: inMemoryStore(),
            clock: { now: () => new Date('2026-01-01T00:00:00Z') },
            extensions: [rules(defineRules({ triggers }))],
          });
          const r = await desk.execute(
            { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
            { actor: customer },
          );
          const { events } = await desk.history(r.ticket.id, { actor: admin });
          const order = events.flatMap((e) => (e.ruleId ? [e.ruleId] : []));
          const firstSeen = [...new Set(order)];
          // In definition order, and each trigger's events together (it fired once).
          expect(firstSeen).toEqual([...firstSeen].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
          expect(order).toEqual(firstSeen.flatMap((id) => order.filter((x) => x === id)));
          const priorities = lists.flat().flatMap((a) => (a.type === 'setPriority' ? [a.priority] : []));
          expect(r.ticket.priority).toBe(priorities.at(-1) ?? 'normal');
          const tags = new Set(lists.flat().flatMap((a) => (a.type === 'addTags' ? a.tags : [])));
          expect(new Set(r.ticket.tags)).toEqual(tags);
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each([true, false])(
    'a trigger an earlier one makes true fires in the same command; one made false does not (enabler first: %s)',
    async (enablerFirst) => {
      const enabler: Trigger = { id: 'enabler', then: [{ type: 'addTags', tags: ['go'] }] };
      const follower: Trigger = {
        id: 'follower',
        when: { field: 'tags', op: 'contains', value: 'go' },
        then: [{ type: 'setPriority', priority: 'high' }],
      };
      const blocked: Trigger = {
        id: 'blocked',
        when: { field: 'tags', op: 'notContains', value: 'go' },
        then: [{ type: 'setPriority', priority: 'low' }],
      };
      const triggers = enablerFirst ? [enabler, blocked, follower] : [blocked, follower, enabler];
      const desk = createHelpdesk({
        store: inMemoryStore(),
        clock: { now: () => new Date('2026-01-01T00:00:00Z') },
        extensions: [rules(defineRules({ triggers }))],
      });
      const r = await desk.execute(
        { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
        { actor: customer },
      );
      expect(r.ticket.tags).toEqual(['go']);
      // Enabler first: `blocked` is already false when its turn comes. Enabler last: `blocked`
      // fired before it, and `follower` fires after it — the cycle restarts from the top.
      expect(r.ticket.priority).toBe('high');
      const { events } = await desk.history(r.ticket.id, { actor: admin });
      expect(events.some((e) => e.ruleId === 'blocked')).toBe(!enablerFirst);
    },
  );
});
