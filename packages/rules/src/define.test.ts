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
    expect(found[0]!.message).toContain('unknown field');
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
      'unknown status "archived"; known: new, open, pending, on_hold, solved, closed, merged',
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

describe('defineRules, given rules that set the same field', () => {
  it('a chain that moves a value on is not reported; one that sets it back is', () => {
    const step = (id: string, from: string, to: string) => ({
      id,
      when: { field: 'status', op: 'is' as const, value: from },
      then: [{ type: 'setStatus' as const, status: to }],
    });
    const chain = defineRules({
      triggers: [step('new-to-open', 'new', 'open'), step('open-to-pending', 'open', 'pending')],
    });
    expect(chain.warnings).toEqual([]);
    const pingPong = defineRules({
      triggers: [step('open-to-pending', 'open', 'pending'), step('pending-to-open', 'pending', 'open')],
    });
    expect(pingPong.warnings.map((w) => w.path)).toEqual(['triggers.open-to-pending']);
  });
});
