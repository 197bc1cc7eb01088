import type { Predicate, Problem, Ticket } from '@tessera/core';
import type { CompiledRule, HoursSinceBase, RuleCalendar } from './rule-model';

const HOUR = 3_600_000;
const BASES: Record<HoursSinceBase, (t: Ticket) => string | undefined> = {
  created: (t) => t.createdAt,
  updated: (t) => t.updatedAt,
  solved: (t) => (t.category === 'solved' || t.category === 'closed' ? t.solvedAt : undefined),
  statusChanged: (t) => t.statusChangedAt,
  lastCustomerMessage: (t) => t.lastCustomerMessageAt,
  lastAgentReply: (t) => t.lastAgentReplyAt,
};

// The last instant parsed: the fold judges a rule at an event and at its thresholds, all from the
// same base (usually the event's own instant), so most parses are of the string parsed just before.
let parsedIso: string | undefined;
let parsedMs = Number.NaN;

/**
 * `Date.parse`, remembering the last string parsed (the same string gives the same number).
 *
 * @example
 * parseInstant('2026-03-02T09:00:00.000Z'); // → 1772442000000
 */
export function parseInstant(iso: string): number {
  if (iso !== parsedIso) {
    parsedMs = Date.parse(iso);
    parsedIso = iso;
  }
  return parsedMs;
}

/**
 * Whether a `hoursSince` node's base is set on the ticket: unset, the node is false at every
 * instant (what `compilePossible` asks of a time condition).
 *
 * @example
 * hoursSinceIsSet({ hoursSince: 'solved', gte: 96 })({ ticket: openTicket }); // → false
 */
export function hoursSinceIsSet(node: Record<string, unknown>): Predicate {
  const read = BASES[node.hoursSince as HoursSinceBase];
  if (!read) return () => false;
  return (s) => read(s.ticket as Ticket) !== undefined;
}

/**
 * Compiles one `{ hoursSince, gte?, lt?, calendar? }` node, adding to `thresholds` the instants at
 * which it may change truth (so `due` is computed, not polled).
 *
 * @example
 * const thresholds: CompiledRule['thresholds'] = [];
 * const test = compileHoursSince({ hoursSince: 'solved', gte: 96 }, 'when', problems, {}, thresholds);
 * test({ ticket, now }); // true from 96 h after the ticket was solved; thresholds[0](ticket) is that instant
 */
export function compileHoursSince(
  node: Record<string, unknown>,
  at: string,
  list: Problem[],
  calendars: Readonly<Record<string, RuleCalendar>>,
  thresholds: CompiledRule['thresholds'] = [],
): Predicate {
  for (const key of Object.keys(node))
    if (!['hoursSince', 'gte', 'lt', 'calendar'].includes(key))
      list.push({ path: `${at}.${key}`, message: 'unknown field; hoursSince takes gte, lt and calendar' });
  const base = node.hoursSince as HoursSinceBase;
  const read = BASES[base];
  if (!read) {
    list.push({ path: `${at}.hoursSince`, message: `must be one of ${Object.keys(BASES).join(', ')}` });
    return () => false;
  }
  for (const key of ['gte', 'lt'] as const) {
    const v = node[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      list.push({ path: `${at}.${key}`, message: `must be a number of hours ≥ 0, got ${JSON.stringify(v)}` });
    }
  }
  if (node.gte === undefined && node.lt === undefined)
    list.push({ path: at, message: 'hoursSince needs gte, lt or both' });
  let cal: RuleCalendar | undefined;
  if (node.calendar !== undefined) {
    cal = calendars[node.calendar as string];
    if (!cal)
      list.push({ path: `${at}.calendar`, message: `unknown calendar ${JSON.stringify(node.calendar)}` });
  }
  const gte = node.gte as number | undefined;
  const lt = node.lt as number | undefined;
  const elapsed = (from: number, now: number) =>
    cal ? cal.workingTimeBetween(new Date(from), new Date(now)) : now - from;
  const instant = (from: number, hours: number) =>
    cal ? cal.addWorkingTime(new Date(from), hours * HOUR).getTime() : from + hours * HOUR;
  for (const h of [gte, lt]) {
    if (h === undefined) continue;
    thresholds.push((t) => {
      const b = read(t);
      return b === undefined ? undefined : instant(parseInstant(b), h);
    });
  }
  return (s) => {
    const b = read(s.ticket as Ticket);
    if (b === undefined || !s.now) return false;
    const ms = elapsed(parseInstant(b), s.now.getTime());
    return (gte === undefined || ms >= gte * HOUR) && (lt === undefined || ms < lt * HOUR);
  };
}
