import {
  CONDITION_OPS,
  type ConditionSubject,
  compileCondition,
  type Problem,
  tryCompileCondition,
} from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastCompiler } from './predicate';
import { RULE_FIELDS } from './vocabulary';

// The fast compiler must give core's verdict for every condition core accepts, on any subject.
// Values are drawn to hit each shortcut's edges: case, equal lengths, letters beyond ASCII whose
// lower case is longer ('İ') or is ASCII (the Kelvin sign), numbers at infinity and NaN, dates, lists, null and absent fields.

const FIELDS = [
  'id',
  'number',
  'subject',
  'status',
  'team',
  'priority',
  'tags',
  'channel',
  'organization',
  'requester.email',
  'requester.organizationId',
  'createdAt',
  'event.type',
  'event.actor.kind',
  'event.channel',
  'event.visibility',
  'event.automatic',
  'event.data.reason',
  'event.ruleId',
  'fields.seats',
  'fields.plan',
  'fields.deep.er',
];
// Every op core knows, so one added there is covered here without a change.
const OPS = CONDITION_OPS;
const texts = fc.constantFrom(
  'open',
  'OPEN',
  'Open',
  'opEn',
  'high',
  'urgent',
  'normal',
  'low',
  'vip',
  'VIP',
  'email',
  'TicketOpened',
  'ticketopened',
  'İ',
  'i̇',
  'ß',
  'SS',
  'Straße',
  'STRASSE',
  'é',
  'É',
  'kelvin',
  '\u212Aelvin',
  'KELVIN',
  '',
  'a',
  'A',
  '2026-05-01T10:00:00Z',
  '2026-05-01T10:00:00.000Z',
  'not a date',
  'constructor',
  'agent',
  '[a-c]+',
  '^v',
);
const numbers = fc.oneof(
  fc.constantFrom(0, -0, 1, 40, 99, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
  fc.integer({ min: -5, max: 120 }),
);
const scalar = fc.oneof(texts, numbers, fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.array(texts, { maxLength: 3 }));

const leaf = fc.record({ field: fc.constantFrom(...FIELDS), op: fc.constantFrom(...OPS), value });
const condition = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('node'), { maxLength: 6 }) }),
    fc.record({ any: fc.array(tie('node'), { maxLength: 5 }) }),
    fc.record({ not: tie('node') }),
  ),
})).node;

const field = fc.oneof(value, fc.constant(undefined));
const ticket = fc.record(
  {
    id: field,
    number: field,
    subject: field,
    status: field,
    team: field,
    priority: field,
    tags: field,
    channel: field,
    organization: field,
    requester: fc.oneof(fc.record({ email: field, organizationId: field }), fc.constant(null), texts),
    createdAt: field,
    fields: fc.oneof(
      fc.record({ seats: field, plan: field, deep: fc.oneof(fc.record({ er: field }), field) }),
      fc.constant(null),
    ),
  },
  { requiredKeys: [] },
);
const event = fc.record(
  {
    type: field,
    ruleId: field,
    actor: fc.oneof(fc.record({ kind: field }), fc.constant(null), texts),
    data: fc.oneof(
      fc.record(
        {
          channel: field,
          visibility: field,
          automatic: field,
          reason: field,
          type: field,
          actor: fc.oneof(fc.record({ kind: field }), field),
        },
        { requiredKeys: [] },
      ),
      fc.constant(null),
      texts,
    ),
  },
  { requiredKeys: [] },
);
const subject = fc.record(
  { ticket, previous: ticket, event: fc.oneof(event, fc.constant(undefined)) },
  { requiredKeys: ['ticket'] },
);

describe('the fast compiler', { timeout: 120_000 }, () => {
  it('gives core’s verdict for any accepted condition on any subject', () => {
    let compared = 0;
    fc.assert(
      fc.property(condition, fc.array(subject, { minLength: 1, maxLength: 6 }), (when, subjects) => {
        const problems: Problem[] = [];
        tryCompileCondition(when, problems, { fields: RULE_FIELDS });
        fc.pre(problems.length === 0);
        const core = compileCondition(when, { fields: RULE_FIELDS });
        const fast = fastCompiler(RULE_FIELDS);
        // Two compilations on one compiler share its memos, as the rules of one set do.
        const ours = [fast.compile(when, () => undefined), fast.compile(when, () => undefined)];
        for (const s of subjects as ConditionSubject[]) {
          compared++;
          for (const test of ours) expect(test(s)).toBe(core(s));
        }
      }),
      { numRuns: 3000 },
    );
    // Most drawn conditions are refused (a value of the wrong kind); enough must be compared.
    expect(compared).toBeGreaterThan(1000);
  });

  it('gives core’s verdict on the shortcuts’ edge cases', () => {
    const cases: [unknown, ConditionSubject][] = [
      [{ field: 'status', op: 'is', value: 'open' }, { ticket: { status: 'OPEN' } }],
      [{ field: 'status', op: 'is', value: 'open' }, { ticket: { status: 'opem' } }],
      [{ field: 'status', op: 'is', value: 'i̇' }, { ticket: { status: 'İ' } }],
      [{ field: 'status', op: 'is', value: 'ab' }, { ticket: { status: 'Aé' } }],
      [{ field: 'status', op: 'is', value: 'kelvin' }, { ticket: { status: '\u212Aelvin' } }],
      [{ field: 'channel', op: 'in', value: ['x', 'kelvin'] }, { ticket: { channel: '\u212AELVIN' } }],
      [{ field: 'status', op: 'isNot', value: 'OPEN' }, { ticket: { status: 'open' } }],
      [{ field: 'tags', op: 'contains', value: 'VIP' }, { ticket: { tags: ['x', 'vip'] } }],
      [{ field: 'subject', op: 'contains', value: 'OUT' }, { ticket: { subject: 'Outage' } }],
      [
        { field: 'fields.seats', op: 'gte', value: Number.POSITIVE_INFINITY },
        { ticket: { fields: { seats: Number.POSITIVE_INFINITY } } },
      ],
      [{ field: 'priority', op: 'gte', value: 'constructor' }, { ticket: { priority: 'constructor' } }],
      [
        { field: 'event.type', op: 'in', value: ['messageposted', 'X'] },
        { ticket: {}, event: { type: 'MessagePosted' } as never },
      ],
      [
        { field: 'event.actor.kind', op: 'is', value: 'agent' },
        { ticket: {}, event: { actor: null, data: { actor: { kind: 'AGENT' } } } as never },
      ],
      [
        { field: 'event.visibility', op: 'is', value: 'public' },
        { ticket: {}, event: 'public' as never },
      ],
      [
        { field: 'createdAt', op: 'lt', value: '2026-05-01T10:00:00Z' },
        { ticket: { createdAt: '2026-04-30T10:00:00Z' } },
      ],
    ];
    for (const [when, s] of cases) {
      const core = compileCondition(when, { fields: RULE_FIELDS });
      expect({ when, verdict: fastCompiler(RULE_FIELDS).compile(when, () => undefined)(s) }).toEqual({
        when,
        verdict: core(s),
      });
    }
  });
});
