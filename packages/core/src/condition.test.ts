import { describe, expect, it } from 'vitest';
import { type Condition, type ConditionSubject, compileCondition, isUnsafeRegex } from './condition';
import { ConfigError } from './errors';

const ticket = {
  subject: 'Outage in EU region',
  status: 'open',
  category: 'open',
  priority: 'high',
  tags: ['vip', 'billing'],
  team: 'ops',
  requester: { id: 'c1', email: 'ann@acme.io', organizationId: 'acme' },
  fields: { plan: 'pro', seats: 12 },
  createdAt: '2026-01-01T10:00:00.000Z',
};
const subject: ConditionSubject = { ticket };
const check = (condition: unknown, s: ConditionSubject = subject) => compileCondition(condition)(s);

describe('conditions', () => {
  it('every field op', () => {
    expect(check({ field: 'status', op: 'is', value: 'OPEN' })).toBe(true);
    expect(check({ field: 'status', op: 'isNot', value: 'open' })).toBe(false);
    expect(check({ field: 'team', op: 'in', value: ['ops', 'dev'] })).toBe(true);
    expect(check({ field: 'tags', op: 'in', value: ['vip'] })).toBe(true);
    expect(check({ field: 'team', op: 'notIn', value: ['ops'] })).toBe(false);
    expect(check({ field: 'subject', op: 'contains', value: 'outage' })).toBe(true);
    expect(check({ field: 'tags', op: 'contains', value: 'vip' })).toBe(true);
    expect(check({ field: 'tags', op: 'notContains', value: 'spam' })).toBe(true);
    expect(check({ field: 'requester.email', op: 'matches', value: '@acme\\.io$' })).toBe(true);
    expect(check({ field: 'priority', op: 'gte', value: 'high' })).toBe(true);
    expect(check({ field: 'priority', op: 'gt', value: 'high' })).toBe(false);
    expect(check({ field: 'priority', op: 'lt', value: 'urgent' })).toBe(true);
    expect(check({ field: 'fields.seats', op: 'lte', value: 12 })).toBe(true);
    expect(check({ field: 'createdAt', op: 'lt', value: '2026-02-01T00:00:00Z' })).toBe(true);
    expect(check({ field: 'assignee', op: 'absent' })).toBe(true);
    expect(check({ field: 'organization', op: 'present' })).toBe(true);
    expect(check({ field: 'organization', op: 'is', value: 'acme' })).toBe(true);
  });

  it('change ops compare with the ticket before the event', () => {
    const s: ConditionSubject = { ticket, previous: { ...ticket, status: 'new' } };
    expect(check({ field: 'status', op: 'changed' }, s)).toBe(true);
    expect(check({ field: 'status', op: 'changedTo', value: 'open' }, s)).toBe(true);
    expect(check({ field: 'status', op: 'changedFrom', value: 'new' }, s)).toBe(true);
    expect(check({ field: 'status', op: 'changedFrom', value: 'pending' }, s)).toBe(false);
    expect(check({ field: 'priority', op: 'changed' }, s)).toBe(false);
    expect(check({ field: 'status', op: 'changed' })).toBe(false);
  });

  it('event fields read the envelope and the data', () => {
    const event = {
      type: 'MessagePosted',
      actor: { kind: 'customer', id: 'c1' },
      data: { channel: 'email', visibility: 'public' },
    };
    const s = { ticket, event } as unknown as ConditionSubject;
    expect(
      check(
        {
          all: [
            { field: 'event.type', op: 'is', value: 'MessagePosted' },
            { field: 'event.actor.kind', op: 'is', value: 'customer' },
            { field: 'event.channel', op: 'is', value: 'email' },
          ],
        },
        s,
      ),
    ).toBe(true);
  });

  it('all, any, not', () => {
    expect(check({ all: [] })).toBe(true);
    expect(check({ any: [] })).toBe(false);
    expect(
      check({
        any: [
          { field: 'status', op: 'is', value: 'closed' },
          { not: { field: 'tags', op: 'contains', value: 'spam' } },
        ],
      }),
    ).toBe(true);
  });

  it('reports every problem with its path in one ConfigError', () => {
    try {
      compileCondition({
        all: [
          { field: 'colour', op: 'is', value: 'red' },
          { field: 'status', op: 'resembles', value: 'x' },
          { field: 'team', op: 'in', value: 'ops' },
          { field: 'subject', op: 'matches', value: '(a+)+$' },
          { field: 'status', op: 'is' },
          { sometimes: true },
        ],
      });
      throw new Error('expected ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const paths = (error as ConfigError).problems.map((p) => p.path);
      expect(paths).toEqual([
        'condition.all[0].field',
        'condition.all[1].op',
        'condition.all[2].value',
        'condition.all[3].value',
        'condition.all[4].value',
        'condition.all[5]',
      ]);
    }
  });

  it('recognises regular expressions that can backtrack catastrophically', () => {
    for (const bad of ['(a+)+', '(a|aa)*', '(\\w+\\s?)*$', '(x*)*y', '(a)\\1'])
      expect(isUnsafeRegex(bad)).toBe(true);
    for (const good of ['^outage', 'a+b+', '(ab)+', '[a-z]+@example\\.com', '(foo|bar)'])
      expect(isUnsafeRegex(good)).toBe(false);
  });
});

describe('the Condition type', () => {
  it('has no catch-all arm: an arbitrary object is no condition, a package names its own nodes', () => {
    // @ts-expect-error — `{ foo: 1 }` is not a condition (tsc fails here if any object were one)
    const bad: Condition = { foo: 1 };
    const custom: Condition<{ hoursSince: string; gte?: number }> = {
      all: [{ field: 'status', op: 'is', value: 'open' }, { not: { hoursSince: 'created', gte: 2 } }],
    };
    expect(() => compileCondition(bad)).toThrow(ConfigError);
    expect(() => compileCondition(custom)).toThrow(/unknown condition/);
  });
});
