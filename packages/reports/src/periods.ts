import { TZDate } from '@date-fns/tz';
import { type Problem, type TicketFilter, ValidationError } from '@tessera/core';
import { addDays, addWeeks, format, startOfDay, startOfISOWeek } from 'date-fns';

export const GROUPS = [
  'day',
  'week',
  'team',
  'assignee',
  'channel',
  'type',
  'priority',
  'organization',
] as const;
/** How a report's rows are cut: by local day or ISO week of `timeZone`, or by a ticket's current value. */
export type GroupBy = (typeof GROUPS)[number];

/** What `report()` is asked: the period `[from, to)`, the zone days and weeks are cut in, the rows. */
export interface ReportSpec {
  /** An instant: a `Date` or an ISO string with an offset (`Z` or `+02:00`). Inclusive. */
  from: Date | string;
  /** An instant, exclusive. */
  to: Date | string;
  /** An IANA zone (`Europe/Berlin`): day and week rows are cut at its local midnights. */
  timeZone: string;
  /** Without it, the report has no rows, only its `total`. */
  groupBy?: GroupBy;
  /** ANDed with the asking actor's scope. */
  filter?: TicketFilter;
}

/** A checked spec: the period in epoch ms, the zone known to the runtime. */
export interface Period {
  from: number;
  to: number;
  timeZone: string;
  groupBy?: GroupBy;
  filter?: TicketFilter;
}

/** One time row: its key and `[start, end)`, clipped to the period. */
export interface TimeBucket {
  key: string;
  start: number;
  end: number;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** A ten-year day report is 3,653 rows; more than that is a mistake, not a report. */
const MAX_TIME_ROWS = 4000;

function instant(value: unknown, path: string, problems: Problem[]): number {
  if (value instanceof Date) {
    if (!Number.isNaN(value.getTime())) return value.getTime();
  } else if (typeof value === 'string' && ISO_INSTANT.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  problems.push({ path, message: 'an instant: a Date or an ISO string with an offset' });
  return Number.NaN;
}

function knownZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a report's spec: `ValidationError` listing every problem (unknown key, not an instant,
 * `from` not before `to`, an unknown zone or group, a filter that is not an object).
 *
 * @example
 * checkSpec({ from: '2026-03-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00', timeZone: 'Europe/Berlin', groupBy: 'day' });
 * // → { from: 1772319600000, to: 1775080800000, timeZone: 'Europe/Berlin', groupBy: 'day' }
 */
export function checkSpec(spec: unknown, groups: readonly string[] = GROUPS): Period {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new ValidationError([
      { path: 'spec', message: 'an object { from, to, timeZone, groupBy?, filter? }' },
    ]);
  const s = spec as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of Object.keys(s)) {
    if (!['from', 'to', 'timeZone', 'groupBy', 'filter'].includes(key))
      problems.push({ path: key, message: 'unknown property of a report spec' });
  }
  const from = instant(s.from, 'from', problems);
  const to = instant(s.to, 'to', problems);
  if (!Number.isNaN(from) && !Number.isNaN(to) && from >= to)
    problems.push({ path: 'to', message: 'must be after from' });
  if (!knownZone(s.timeZone))
    problems.push({ path: 'timeZone', message: 'an IANA time zone, e.g. Europe/Berlin' });
  if (s.groupBy !== undefined && !groups.includes(s.groupBy as string))
    problems.push({
      path: 'groupBy',
      message: groups.length === 0 ? 'not taken here: the rows are agents' : `one of ${groups.join(', ')}`,
    });
  if (
    s.filter !== undefined &&
    (typeof s.filter !== 'object' || s.filter === null || Array.isArray(s.filter))
  )
    problems.push({ path: 'filter', message: 'a ticket filter (an object)' });
  if (problems.length === 0 && (s.groupBy === 'day' || s.groupBy === 'week')) {
    const rows = (to - from) / ((s.groupBy === 'day' ? 1 : 7) * 86_400_000);
    if (rows > MAX_TIME_ROWS)
      problems.push({ path: 'to', message: `at most ${MAX_TIME_ROWS} ${s.groupBy} rows` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const period: Period = { from, to, timeZone: s.timeZone as string };
  if (s.groupBy !== undefined) period.groupBy = s.groupBy as GroupBy;
  if (s.filter !== undefined) period.filter = s.filter as TicketFilter;
  return period;
}

/**
 * The day or week rows of a period: every local day (or ISO week) of `timeZone` that overlaps
 * `[from, to)`, empty ones included, each clipped to the period. A day is its local midnight to
 * the next, so the day clocks change on is 23 or 25 hours long.
 *
 * @example
 * timeBuckets({ from: Date.parse('2026-03-28T23:00:00Z'), to: Date.parse('2026-03-30T22:00:00Z'), timeZone: 'Europe/Berlin' }, 'day');
 * // → [{ key: '2026-03-29', start: …T23:00Z, end: …30T22:00Z (23 hours) }, { key: '2026-03-30', … }]
 */
export function timeBuckets(
  period: Pick<Period, 'from' | 'to' | 'timeZone'>,
  unit: 'day' | 'week',
): TimeBucket[] {
  const out: TimeBucket[] = [];
  const zoned = new TZDate(period.from, period.timeZone);
  let start: TZDate = unit === 'day' ? startOfDay(zoned) : startOfISOWeek(zoned);
  while (start.getTime() < period.to) {
    const next = unit === 'day' ? addDays(start, 1) : addWeeks(start, 1);
    out.push({
      key: format(start, unit === 'day' ? 'yyyy-MM-dd' : "RRRR-'W'II"),
      start: Math.max(start.getTime(), period.from),
      end: Math.min(next.getTime(), period.to),
    });
    start = next;
  }
  return out;
}
