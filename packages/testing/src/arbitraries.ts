import {
  type Actor,
  CHANNELS,
  type Command,
  PRIORITIES,
  type StatusCategory,
  type StatusDefinition,
  type WorkflowDefinition,
} from '@tessera/core';
import fc from 'fast-check';

const FINAL = new Set<StatusCategory>(['closed', 'merged']);
const allows = (from: StatusCategory, to: StatusCategory) =>
  !FINAL.has(from) &&
  to !== 'new' &&
  to !== 'merged' &&
  (from !== 'solved' || ['closed', 'open', 'pending', 'on_hold'].includes(to));

/**
 * Valid workflow definitions: a path through every status (so none is unreachable or a dead end),
 * extra moves the category rules allow, or no explicit transitions at all.
 *
 * @example
 * fc.assert(fc.property(workflowArbitrary(), (def) => { defineWorkflow(def); }));
 */
export function workflowArbitrary(): fc.Arbitrary<WorkflowDefinition> {
  return fc
    .record({
      middle: fc.array(fc.constantFrom<StatusCategory>('open', 'pending', 'on_hold'), {
        minLength: 1,
        maxLength: 4,
      }),
      solved: fc.boolean(),
      closed: fc.integer({ min: 1, max: 2 }),
      explicit: fc.boolean(),
      extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }),
      closedReplies: fc.constantFrom<'follow-up' | 'reject'>('follow-up', 'reject'),
    })
    .map(({ middle, solved, closed, explicit, extra, closedReplies }) => {
      const statuses: StatusDefinition[] = [
        { id: 'new', category: 'new' },
        ...middle.map((category, i) => ({ id: `${category}${i}`, category })),
        ...(solved ? [{ id: 'solved', category: 'solved' as const }] : []),
        ...Array.from({ length: closed }, (_, i) => ({ id: `closed${i}`, category: 'closed' as const })),
      ];
      const def: WorkflowDefinition = { id: 'generated', statuses, closedReplies };
      const open =
        statuses.find((s) => s.category === 'open') ??
        statuses.find((s) => !FINAL.has(s.category) && s.category !== 'new');
      if (open) def.onCustomerReply = open.id;
      if (explicit) {
        const transitions: Record<string, string[]> = {};
        const add = (from: StatusDefinition, to: StatusDefinition) => {
          if (from.id !== to.id && allows(from.category, to.category)) {
            transitions[from.id] = [...new Set([...(transitions[from.id] ?? []), to.id])];
          }
        };
        const live = statuses.filter((s) => !FINAL.has(s.category));
        for (let i = 0; i + 1 < live.length; i++) add(live[i]!, live[i + 1]!);
        for (const s of live) add(s, statuses.find((t) => t.category === 'closed')!);
        for (const c of statuses.filter((t) => t.category === 'closed')) add(live.at(-1)!, c);
        for (const [a, b] of extra) add(statuses[a % statuses.length]!, statuses[b % statuses.length]!);
        def.transitions = transitions;
      }
      return def;
    });
}

/**
 * Actors of every kind, with a few ids and teams.
 *
 * @example
 * fc.assert(fc.property(actorArbitrary(), (a) => { validateActor(a); }), { numRuns: 200 });
 */
export function actorArbitrary(): fc.Arbitrary<Actor> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('customer' as const),
      id: fc.constantFrom('c1', 'c2'),
      organizationId: fc.constant('o1'),
    }),
    fc.record({
      kind: fc.constant('agent' as const),
      id: fc.constantFrom('a1', 'a2'),
      teams: fc.constantFrom('t1', 't2').map((t) => [t]),
    }),
    fc.constant<Actor>({ kind: 'admin', id: 'admin' }),
  );
}

/**
 * Commands of every kind against the given ticket ids and statuses (well-formed; whether they are
 * allowed is for the decider to say).
 *
 * @example
 * fc.sample(commandArbitrary(['T1'], ['open', 'solved']), 5);
 */
export function commandArbitrary(
  ticketIds: readonly string[],
  statuses: readonly string[],
): fc.Arbitrary<Command> {
  const ticketId = fc.constantFrom(...(ticketIds.length > 0 ? ticketIds : ['missing']));
  const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
  return fc.oneof(
    fc.record({
      type: fc.constant('openTicket' as const),
      channel: fc.constantFrom(...CHANNELS),
      requester: fc.record({ id: fc.constantFrom('c1', 'c2') }),
      subject: text,
      body: text,
      priority: fc.constantFrom(...PRIORITIES),
    }),
    fc.record({
      type: fc.constant('postMessage' as const),
      ticketId,
      body: text,
      visibility: fc.constantFrom('public' as const, 'internal' as const),
    }),
    fc.record({
      type: fc.constant('changeStatus' as const),
      ticketId,
      status: fc.constantFrom(...statuses, 'bogus'),
    }),
    fc.record({ type: fc.constant('assign' as const), ticketId, assignee: fc.constantFrom('a1', 'a2') }),
    fc.record({ type: fc.constant('unassign' as const), ticketId }),
    fc.record({
      type: fc.constant('setPriority' as const),
      ticketId,
      priority: fc.constantFrom(...PRIORITIES),
    }),
    fc.record({
      type: fc.constant('tag' as const),
      ticketId,
      tags: fc.array(fc.constantFrom('vip', 'billing', 'bug'), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({
      type: fc.constant('untag' as const),
      ticketId,
      tags: fc.array(fc.constantFrom('vip', 'billing'), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({ type: fc.constant('logTime' as const), ticketId, minutes: fc.integer({ min: 1, max: 240 }) }),
    fc.record({ type: fc.constant('requestRating' as const), ticketId }),
    fc.record({ type: fc.constant('rate' as const), ticketId, score: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ type: fc.constant('merge' as const), ticketId, into: ticketId }),
  );
}

/** A working period of a day, `["09:00", "17:00"]`. */
export type Period = [string, string];
export interface CalendarConfigShape {
  timeZone: string;
  week: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', Period[]>>;
  holidays: string[];
}

/**
 * Valid business-calendar configurations for `@tessera/sla`'s `businessCalendar`: zones with and
 * without DST, up to three periods a day on 15-minute steps, random holidays.
 *
 * @example
 * fc.assert(fc.property(calendarArbitrary(), (config) => { businessCalendar(config); }));
 */
export function calendarArbitrary(): fc.Arbitrary<CalendarConfigShape> {
  const time = (q: number) =>
    `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
  const periods = fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 }).map((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: Period[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) out.push([time(sorted[i]!), time(sorted[i + 1]!)]);
    return out;
  });
  return fc
    .record({
      timeZone: fc.constantFrom(
        'UTC',
        'Europe/Berlin',
        'America/New_York',
        'Asia/Kolkata',
        'Pacific/Auckland',
      ),
      week: fc.record({
        mon: periods,
        tue: periods,
        wed: periods,
        thu: periods,
        fri: periods,
        sat: periods,
        sun: periods,
      }),
      holidays: fc.array(
        fc.date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
        { maxLength: 20 },
      ),
    })
    .filter((c) => Object.values(c.week).some((p) => p.length > 0))
    .map((c) => ({ ...c, holidays: c.holidays.map((d) => d.toISOString().slice(0, 10)) }));
}
