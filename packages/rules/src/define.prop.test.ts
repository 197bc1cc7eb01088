import { ConfigError, createHelpdesk, defaultWorkflow, inMemoryStore } from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Action, defineRules, rules, type Trigger } from './index';

// A valid rule set, then one mistake planted in one rule: defineRules must throw, and name the
// place. Nothing half-valid is ever compiled, so nothing invalid is ever evaluated.

const good = (i: number): Trigger => ({
  id: `t${i}`,
  on: ['TicketOpened', 'MessagePosted'],
  when: {
    all: [
      { field: 'priority', op: 'gte', value: 'normal' },
      { field: 'status', op: 'in', value: ['new', 'open'] },
      { field: 'subject', op: 'matches', value: '^re:' },
    ],
  },
  then: [
    { type: 'reply', template: 'ack' },
    { type: 'setStatus', status: 'pending' },
  ],
});

type Mistake = { plant: (t: Trigger) => Trigger; at: (path: string) => string };
const mistakes: Mistake[] = [
  {
    plant: (t) => ({ ...t, when: { field: 'colour', op: 'is', value: 'red' } }),
    at: (p) => `${p}.when.field`,
  },
  {
    plant: (t) => ({ ...t, when: { field: 'status', op: 'like' as never, value: 'x' } }),
    at: (p) => `${p}.when.op`,
  },
  {
    plant: (t) => ({ ...t, when: { field: 'status', op: 'is', value: 'archived' } }),
    at: (p) => `${p}.when.value`,
  },
  {
    plant: (t) => ({ ...t, when: { field: 'subject', op: 'matches', value: '(x+)+y' } }),
    at: (p) => `${p}.when.value`,
  },
  {
    plant: (t) => ({ ...t, when: { field: 'subject', op: 'matches', value: 'a'.repeat(201) } }),
    at: (p) => `${p}.when.value`,
  },
  {
    plant: (t) => ({ ...t, when: { hoursSince: 'birthday', gte: 1 } as never }),
    at: (p) => `${p}.when.hoursSince`,
  },
  { plant: (t) => ({ ...t, on: ['TicketExploded' as never] }), at: (p) => `${p}.on[0]` },
  {
    plant: (t) => ({ ...t, then: [{ type: 'reply', template: 'nope' }] }),
    at: (p) => `${p}.then[0].template`,
  },
  {
    plant: (t) => ({ ...t, then: [{ type: 'teleport' } as unknown as Action] }),
    at: (p) => `${p}.then[0].type`,
  },
  {
    plant: (t) => ({ ...t, then: [{ type: 'setPriority', priority: 'asap' as never }] }),
    at: (p) => `${p}.then[0].priority`,
  },
  { plant: (t) => ({ ...t, colour: 'red' }) as Trigger, at: (p) => `${p}.colour` },
];

describe('defineRules, for any rule set with one planted mistake', { timeout: 120_000 }, () => {
  it('throws one ConfigError that names the mistake at its path', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.constantFrom(...mistakes),
        (count, where, mistake) => {
          const triggers = Array.from({ length: count }, (_, i) => good(i));
          const i = where % count;
          triggers[i] = mistake.plant(triggers[i]!);
          let error: unknown;
          try {
            defineRules({ workflows: [defaultWorkflow], templates: { ack: 'Thanks!' }, triggers });
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).problems.map((p) => p.path)).toContain(mistake.at(`triggers[${i}]`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('and the same rule set without the mistake defines cleanly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (count) => {
        const defined = defineRules({
          workflows: [defaultWorkflow],
          templates: { ack: 'Thanks!' },
          triggers: Array.from({ length: count }, (_, i) => good(i)),
        });
        expect(defined.triggers).toHaveLength(count);
      }),
      { numRuns: 50 },
    );
  });
});

describe('defineRules, given any value anywhere in a definition', { timeout: 120_000 }, () => {
  const base = () => ({
    templates: { ack: 'Thanks!' },
    teams: { support: { members: [{ id: 'a1' }] } },
    knownStatuses: ['new', 'open', 'solved', 'closed'],
    triggers: [
      {
        id: 't',
        on: ['TicketOpened'],
        when: {
          all: [
            { field: 'priority', op: 'is', value: 'high' },
            { field: 'tags', op: 'contains', value: 'x' },
          ],
        },
        then: [
          { type: 'reply', template: 'ack' },
          { type: 'assign', team: 'support' },
          { type: 'setStatus', status: 'open' },
        ],
      },
    ],
    automations: [
      {
        id: 'a',
        when: {
          all: [
            { field: 'category', op: 'is', value: 'solved' },
            { hoursSince: 'solved', gte: 24 },
          ],
        },
        then: [{ type: 'setStatus', status: 'closed' }],
      },
    ],
  });
  const paths: (string | number)[][] = [
    ['templates'],
    ['teams'],
    ['teams', 'support'],
    ['teams', 'support', 'members', 0],
    ['teams', 'support', 'strategy'],
    ['knownStatuses'],
    ['workflows'],
    ['knownTeams'],
    ['calendars'],
    ['triggers'],
    ['triggers', 0],
    ['triggers', 0, 'id'],
    ['triggers', 0, 'on'],
    ['triggers', 0, 'when'],
    ['triggers', 0, 'when', 'all', 0],
    ['triggers', 0, 'when', 'all', 1, 'value'],
    ['triggers', 0, 'then'],
    ['triggers', 0, 'then', 1],
    ['triggers', 0, 'then', 1, 'team'],
    ['triggers', 0, 'then', 2, 'status'],
    ['automations'],
    ['automations', 0, 'when', 'all', 1],
    ['automations', 0, 'when', 'all', 1, 'gte'],
  ];

  it('defines and installs the rules or throws a ConfigError, never another error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything({ withNullPrototype: true }), (path, value) => {
        const definition = base() as Record<string | number, unknown>;
        let at = definition;
        for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
        at[path.at(-1)!] = value;
        try {
          // Installed too: what defineRules accepts must not fail in rules() or in the desk.
          createHelpdesk({ store: inMemoryStore(), extensions: [rules(defineRules(definition as never))] });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
