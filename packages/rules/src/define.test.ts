import { ConfigError, defaultWorkflow } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { defineRules, type RulesDefinition } from './index';

function problems(definition: RulesDefinition): readonly { path: string; message: string }[] {
  try {
    defineRules(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('defineRules, given a definition with mistakes, then one ConfigError names each with its path', () => {
  it('unknown keys on the definition, on a rule, on a condition and on a time condition', () => {
    const found = problems({
      triggers: [
        {
          id: 't',
          when: { field: 'priority', op: 'is', vaule: 'high' } as never,
          then: [{ type: 'addTags', tags: ['x'] }],
          conditions: [],
        } as never,
      ],
      automations: [
        {
          id: 'a',
          when: { hoursSince: 'created', gt: 5, gte: 4 } as never,
          then: [{ type: 'addTags', tags: ['x'] }],
        },
      ],
      tempaltes: {},
    } as never);
    expect(found.map((p) => p.path)).toEqual([
      'tempaltes',
      'triggers[0].when.value',
      'triggers[0].when.vaule',
      'triggers[0].conditions',
      'automations[0].when.gt',
    ]);
    expect(found[0]!.message).toContain('did you mean templates?');
  });

  it('values a field can never hold: status, category, priority, team, channel, event type and actor kind', () => {
    const found = problems({
      workflows: [defaultWorkflow],
      teams: { support: { members: [{ id: 'a1' }] } },
      triggers: [
        {
          id: 't',
          when: {
            all: [
              { field: 'status', op: 'is', value: 'archived' },
              { field: 'status', op: 'changedTo', value: 'solved' },
              { field: 'category', op: 'in', value: ['open', 'done'] },
              { field: 'priority', op: 'isNot', value: 'asap' },
              { field: 'team', op: 'is', value: 'sales' },
              { field: 'event.channel', op: 'is', value: 'fax' },
              { field: 'event.type', op: 'is', value: 'TicketOpend' },
              { field: 'event.actor.kind', op: 'is', value: 'robot' },
              { field: 'number', op: 'is', value: 'seven' },
              { field: 'tags', op: 'contains', value: 7 },
            ],
          },
          then: [{ type: 'setStatus', status: 'archived' }],
        },
      ],
    });
    expect(found.map((p) => p.path)).toEqual([
      'triggers[0].when.all[0].value',
      'triggers[0].when.all[2].value[1]',
      'triggers[0].when.all[3].value',
      'triggers[0].when.all[4].value',
      'triggers[0].when.all[5].value',
      'triggers[0].when.all[6].value',
      'triggers[0].when.all[7].value',
      'triggers[0].when.all[8].value',
      'triggers[0].when.all[9].value',
      'triggers[0].then[0].status',
    ]);
    expect(found[0]!.message).toBe(
      'rule "t": unknown status "archived"; known: new, open, pending, on_hold, solved, closed, merged',
    );
  });

  it('a clean definition passes, and known statuses may come from workflows', () => {
    expect(
      problems({
        workflows: [defaultWorkflow],
        triggers: [
          {
            id: 't',
            when: { field: 'status', op: 'in', value: ['new', 'OPEN'] },
            then: [{ type: 'setStatus', status: 'pending' }],
          },
        ],
      }),
    ).toEqual([]);
  });
});

describe('defineRules, given triggers on events of extensions', () => {
  const on = (type: string, eventTypes?: string[]) => () =>
    defineRules({
      triggers: [
        {
          id: 't',
          on: [type],
          when: { field: 'event.type', op: 'is', value: type },
          then: [{ type: 'addTags', tags: ['x'] }],
        },
      ],
      ...(eventTypes ? { eventTypes } : {}),
    });

  it('the SLA and email extensions’ event types are known without listing them', () => {
    expect(on('SlaBreached')).not.toThrow();
    expect(on('EmailDeliveryFailed')).not.toThrow();
  });

  it('a module’s own event type is known once listed in eventTypes, and a typo is a ConfigError', () => {
    expect(on('IncidentsGranted', ['IncidentsGranted'])).not.toThrow();
    try {
      on('IncidentsGranted')();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.path)).toEqual([
        'triggers[0].when.value',
        'triggers[0].on[0]',
      ]);
    }
    expect(() => defineRules({ eventTypes: 'IncidentsGranted' as never })).toThrow(ConfigError);
  });
});

describe('defineRules, given rules that set the same field', () => {
  const step = (id: string, from: string, to: string, extra: object[] = []) => ({
    id,
    when: { all: [{ field: 'status', op: 'is' as const, value: from }, ...extra] } as never,
    then: [{ type: 'setStatus' as const, status: to }],
  });

  it('a chain that moves a value on is not reported', () => {
    const chain = defineRules({
      triggers: [step('new-to-open', 'new', 'open'), step('open-to-pending', 'open', 'pending')],
    });
    expect(chain.warnings).toEqual([]);
  });

  it('two triggers that certainly undo each other (each makes the other true) are a ConfigError naming both', () => {
    const found = problems({
      triggers: [step('open-to-pending', 'open', 'pending'), step('pending-to-open', 'pending', 'open')],
    });
    expect(found.map((p) => p.path)).toEqual(['triggers[0]']);
    expect(found[0]!.message).toMatch(/"open-to-pending" and "pending-to-open" certainly undo each other/);
  });

  it('a pair that only might undo each other (a condition the other does not make true) stays a warning', () => {
    const vip = [{ field: 'tags', op: 'contains', value: 'vip' }];
    const pingPong = defineRules({
      triggers: [step('open-to-pending', 'open', 'pending', vip), step('pending-to-open', 'pending', 'open')],
    });
    expect(pingPong.warnings.map((w) => w.path)).toEqual(['triggers.open-to-pending']);
    // Set off by different events: not certain either.
    const apart = defineRules({
      triggers: [
        { ...step('open-to-pending', 'open', 'pending'), on: ['MessagePosted'] },
        { ...step('pending-to-open', 'pending', 'open'), on: ['TagsChanged'] },
      ],
    });
    expect(apart.warnings).toHaveLength(1);
  });

  it('a cycle of any length is found: three rules low → normal → high → low', () => {
    const turn = (id: string, from: string, to: string, extra: object[] = []) => ({
      id,
      when: { all: [{ field: 'priority', op: 'is' as const, value: from }, ...extra] } as never,
      then: [{ type: 'setPriority' as const, priority: to as 'low' }],
    });
    const vip = [{ field: 'tags', op: 'contains', value: 'vip' }];
    // Each makes the next one's condition true: certain, refused.
    const certain = problems({
      triggers: [
        turn('low-up', 'low', 'normal'),
        turn('normal-up', 'normal', 'high'),
        turn('high-down', 'high', 'low'),
      ],
    });
    expect(certain.map((p) => p.path)).toEqual(['triggers[0]']);
    expect(certain[0]!.message).toContain('low-up → normal-up → high-down → low-up');
    // One step needs a tag no rule sets: it only might loop, a warning naming the whole cycle.
    const might = defineRules({
      triggers: [
        turn('low-up', 'low', 'normal'),
        turn('normal-up', 'normal', 'high', vip),
        turn('high-down', 'high', 'low'),
      ],
    });
    expect(might.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('low-up → normal-up → high-down → low-up may go round in a loop'),
    ]);
    // A chain that does not come back is no cycle.
    const chain = defineRules({
      triggers: [turn('a', 'low', 'normal'), turn('b', 'normal', 'high'), turn('c', 'high', 'urgent')],
    });
    expect(chain.warnings).toEqual([]);
  });

  it('many rules that all reach each other are reported as one loop, not one per rule or per cycle', () => {
    const order = ['low', 'normal', 'high', 'urgent'] as const;
    const found = problems({
      triggers: Array.from({ length: 1000 }, (_, i) => ({
        id: `r${i}`,
        when: { field: 'priority', op: 'is' as const, value: order[i % 4]! },
        then: [{ type: 'setPriority' as const, priority: order[(i + 1) % 4]! }],
      })),
    });
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/^rules r0 → r1 → r2 → r3 → r0 certainly go round in a loop/);
  }, 60_000);

  it('every definition error names the rule by its id as well as its path (the unsafe regex too)', () => {
    const found = problems({
      triggers: [
        {
          id: 'backtracks',
          when: { field: 'subject', op: 'matches', value: '(a+)+$' },
          then: [{ type: 'addTags', tags: ['x'] }],
        },
      ],
      automations: [{ id: 'untimed', when: { field: 'status', op: 'is', value: 'open' }, then: [] }],
    });
    expect(found.map((p) => [p.path, p.message.slice(0, p.message.indexOf(':'))])).toEqual([
      ['triggers[0].when.value', 'rule "backtracks"'],
      ['automations[0].then', 'rule "untimed"'],
      ['automations[0].when', 'rule "untimed"'],
    ]);
  });

  it('a disabled rule keeps its place in the paths of the rules after it', () => {
    const found = problems({
      triggers: [
        { id: 'off', enabled: false, then: [{ type: 'addTags', tags: ['x'] }] },
        { id: 'broken', then: [{ type: 'setPriority', priority: 'asap' as never }] },
      ],
    });
    expect(found.map((p) => p.path)).toEqual(['triggers[1].then[0].priority']);
  });
});
