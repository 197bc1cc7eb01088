import { ConfigError, type Problem, unknownKeys, ValidationError } from '@tessera/core';
import * as rruleModule from 'rrule';
import { firstInstant, offsetsAround, wallClockSpans } from './zone';

// rrule 2.8 ships no `exports` map: in plain Node ESM its named exports live on `default`.
const rrulestr: typeof rruleModule.rrulestr =
  rruleModule.rrulestr ?? (rruleModule as unknown as { default: typeof rruleModule }).default.rrulestr;

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** A working period of a day, in wall-clock time: `['08:00', '12:30']` (end may be `'24:00'`). */
export type Period = [start: string, end: string];

export type Holiday =
  | string
  | { date: string; name?: string; active?: boolean }
  | { rrule: string; name?: string; active?: boolean };

export interface CalendarConfig {
  /** An IANA zone; wall-clock hours are read in it, whatever the host's zone. */
  timeZone: string;
  week: Partial<Record<Weekday, Period[]>>;
  /** Whole local dates (`'2026-12-25'`), or RRULEs expanded as floating dates. `active: false` entries count as working days. */
  holidays?: Holiday[];
  /** Per-date working periods that replace the week's (an empty list: a day off). They win over holidays. */
  overrides?: Record<string, Period[]>;
}

/** Business hours: exact to the millisecond, computed on intervals, never minute by minute. */
export interface BusinessCalendar {
  readonly timeZone: string;
  /** The instant `ms` of working time after `start` (before it, when negative). */
  addWorkingTime(start: Date, ms: number): Date;
  /** Working time from `a` to `b` in ms; negative when `b` is before `a`. */
  workingTimeBetween(a: Date, b: Date): number;
  isWorkingTime(t: Date): boolean;
  /** `t` when it is working time, else the start of the next working period. */
  nextWorkingTime(t: Date): Date;
}

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const TIME = /^(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_YEARS_SCANNED = 400;
/** RRULE holidays are expanded as floating dates from here. */
const EPOCH = new Date(Date.UTC(1900, 0, 1));

/** One local year as sorted UTC working intervals with the working time before each. */
interface Year {
  starts: Float64Array;
  ends: Float64Array;
  /** Working ms in this year before interval i. */
  before: Float64Array;
  total: number;
  /** The instants this year's local dates begin and end at. */
  from: number;
  to: number;
}

function minutes(text: string): number | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}

function checkPeriods(periods: unknown, path: string, problems: Problem[]): [number, number][] {
  if (!Array.isArray(periods)) {
    problems.push({ path, message: 'must be a list of [start, end] periods' });
    return [];
  }
  const out: [number, number][] = [];
  periods.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') {
      problems.push({ path: at, message: `must be ['HH:MM', 'HH:MM'], got ${JSON.stringify(p)}` });
      return;
    }
    const start = minutes(p[0]);
    const end = minutes(p[1]);
    if (start === undefined)
      problems.push({ path: `${at}[0]`, message: `is not a time of day: ${JSON.stringify(p[0])}` });
    if (end === undefined)
      problems.push({ path: `${at}[1]`, message: `is not a time of day: ${JSON.stringify(p[1])}` });
    if (start === undefined || end === undefined) return;
    if (start >= end) problems.push({ path: at, message: `starts at ${p[0]}, not before its end ${p[1]}` });
    else out.push([start, end]);
  });
  out.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < out.length; i++) {
    if (out[i]![0] < out[i - 1]![1]) problems.push({ path, message: 'periods overlap' });
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateKey = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m + 1)}-${pad(d)}`;

/**
 * A business calendar: working periods per weekday in a time zone, holidays and per-date
 * overrides. Validated at once (`ConfigError` naming each field). Each local year is turned into
 * sorted UTC intervals the first time it is touched; every query after that is a binary search
 * and arithmetic, with no time-zone call.
 *
 * @example
 * const cal = businessCalendar({
 *   timeZone: 'Europe/Berlin',
 *   week: { mon: [['08:00', '18:00']], tue: [['08:00', '12:00'], ['13:00', '17:00']] },
 *   holidays: ['2026-12-25', { rrule: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1', name: 'New Year' }],
 *   overrides: { '2026-12-24': [['08:00', '12:00']] },
 * });
 * cal.addWorkingTime(new Date('2026-12-21T16:00:00Z'), 3 * 3_600_000);
 */
export function businessCalendar(config: CalendarConfig): BusinessCalendar {
  const problems: Problem[] = unknownKeys(config, ['timeZone', 'week', 'holidays', 'overrides'], '');
  const zone = config?.timeZone;
  if (typeof zone !== 'string' || zone === '')
    problems.push({ path: 'timeZone', message: 'must be an IANA time zone' });
  else {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      problems.push({ path: 'timeZone', message: `unknown time zone ${JSON.stringify(zone)}` });
    }
  }
  const week: [number, number][][] = WEEKDAYS.map(() => []);
  if (typeof config?.week !== 'object' || config.week === null)
    problems.push({ path: 'week', message: 'must map weekdays to periods' });
  else {
    for (const [day, periods] of Object.entries(config.week)) {
      const index = WEEKDAYS.indexOf(day as Weekday);
      if (index < 0) {
        problems.push({ path: `week.${day}`, message: `unknown weekday; use ${WEEKDAYS.join(', ')}` });
        continue;
      }
      week[index] = checkPeriods(periods, `week.${day}`, problems);
    }
    if (week.every((d) => d.length === 0)) problems.push({ path: 'week', message: 'has no working time' });
  }
  const holidayDates = new Set<string>();
  const inactive = new Set<string>();
  const rules: { rule: ReturnType<typeof rrulestr>; active: boolean }[] = [];
  (config?.holidays ?? []).forEach((h, i) => {
    const path = `holidays[${i}]`;
    const entry = typeof h === 'string' ? { date: h } : h;
    const active = (entry as { active?: boolean }).active !== false;
    if ('date' in entry) {
      if (!isDate(entry.date))
        problems.push({ path, message: `is not a date YYYY-MM-DD: ${JSON.stringify(entry.date)}` });
      else (active ? holidayDates : inactive).add(entry.date);
    } else if ('rrule' in entry && typeof entry.rrule === 'string') {
      const parsed = holidayRule(entry.rrule);
      if (typeof parsed === 'string')
        problems.push({ path: `${path}.rrule`, message: `invalid RRULE: ${parsed}` });
      else rules.push({ rule: parsed, active });
    } else problems.push({ path, message: "must be a date 'YYYY-MM-DD', { date } or { rrule }" });
  });
  const overrides = new Map<string, [number, number][]>();
  for (const [date, periods] of Object.entries(config?.overrides ?? {})) {
    if (!isDate(date)) problems.push({ path: `overrides.${date}`, message: 'is not a date YYYY-MM-DD' });
    else overrides.set(date, checkPeriods(periods, `overrides.${date}`, problems));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const years = new Map<number, Year>();

  function year(y: number): Year {
    let cached = years.get(y);
    if (cached) return cached;
    const offsets = offsetsAround(zone, y);
    const instant = firstInstant(offsets);
    const off = new Set<string>();
    const on = new Set<string>();
    for (const { rule, active } of rules) {
      for (const d of rule.between(
        new Date(Date.UTC(y, 0, 1)),
        new Date(Date.UTC(y, 11, 31, 23, 59, 59)),
        true,
      )) {
        (active ? off : on).add(dateKey(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      }
    }
    const spans: [number, number][] = [];
    for (
      let day = new Date(Date.UTC(y, 0, 1));
      day.getUTCFullYear() === y;
      day.setUTCDate(day.getUTCDate() + 1)
    ) {
      const m = day.getUTCMonth();
      const d = day.getUTCDate();
      const key = dateKey(y, m, d);
      let periods = overrides.get(key);
      if (periods === undefined) {
        const holiday = (holidayDates.has(key) || off.has(key)) && !inactive.has(key) && !on.has(key);
        periods = holiday ? [] : week[day.getUTCDay()]!;
      }
      for (const [s, e] of periods)
        wallClockSpans(offsets, Date.UTC(y, m, d, 0, s), Date.UTC(y, m, d, 0, e), spans);
    }
    // A repeated hour can put a later period's first copy before an earlier period's second one.
    spans.sort((p, q) => p[0] - q[0]);
    const starts = spans.map((span) => span[0]);
    const ends = spans.map((span) => span[1]);
    const before = new Float64Array(starts.length);
    let total = 0;
    for (let i = 0; i < starts.length; i++) {
      before[i] = total;
      total += ends[i]! - starts[i]!;
    }
    cached = {
      starts: Float64Array.from(starts),
      ends: Float64Array.from(ends),
      before,
      total,
      from: instant(y, 0, 1, 0),
      to: instant(y + 1, 0, 1, 0),
    };
    years.set(y, cached);
    return cached;
  }

  /** The local year an instant falls in: the UTC year, or its neighbour near New Year. */
  function yearOf(t: number): number {
    const y = new Date(t).getUTCFullYear();
    const here = year(y);
    if (t < here.from) return y - 1;
    if (t >= here.to) return y + 1;
    return y;
  }

  /** The last interval starting at or before t (-1 when none). */
  function lastStartingBefore(yr: Year, t: number): number {
    let lo = 0;
    let hi = yr.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (yr.starts[mid]! <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Working ms in year `yr` before instant t. */
  function workedBefore(yr: Year, t: number): number {
    const i = lastStartingBefore(yr, t);
    if (i < 0) return 0;
    return yr.before[i]! + Math.min(t, yr.ends[i]!) - yr.starts[i]!;
  }

  /** The instant in year `yr` after `target` ms of its working time; strict: a period's end goes on to the next start. */
  function forwardIn(yr: Year, target: number): number | undefined {
    if (target >= yr.total) return undefined;
    // first interval whose end-cumulative exceeds target
    let lo = 0;
    let hi = yr.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (yr.before[mid]! + (yr.ends[mid]! - yr.starts[mid]!) > target) hi = mid;
      else lo = mid + 1;
    }
    return yr.starts[lo]! + (target - yr.before[lo]!);
  }

  /** The instant in year `yr` where `target` ms of its working time have passed, going back: never a period start. */
  function backwardIn(yr: Year, target: number): number | undefined {
    if (target <= 0) return undefined;
    // last interval whose start-cumulative is below target
    let lo = 0;
    let hi = yr.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (yr.before[mid]! < target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return yr.starts[found]! + (target - yr.before[found]!);
  }

  function between(a: number, b: number): number {
    if (b < a) return 0 - between(b, a);
    const ya = yearOf(a);
    const yb = yearOf(b);
    if (ya === yb) {
      const yr = year(ya);
      return workedBefore(yr, b) - workedBefore(yr, a);
    }
    let sum = year(ya).total - workedBefore(year(ya), a);
    for (let y = ya + 1; y < yb; y++) sum += year(y).total;
    return sum + workedBefore(year(yb), b);
  }

  function add(start: number, ms: number): number {
    if (!Number.isFinite(ms))
      throw new ValidationError([
        { path: 'ms', message: `working time must be a finite number of ms, got ${ms}` },
      ]);
    let y = yearOf(start);
    if (ms >= 0) {
      let target = workedBefore(year(y), start) + ms;
      for (let n = 0; n < MAX_YEARS_SCANNED; n++, y++) {
        const yr = year(y);
        const at = forwardIn(yr, target);
        if (at !== undefined) return at;
        target -= yr.total;
      }
    } else {
      let target = workedBefore(year(y), start) + ms;
      for (let n = 0; n < MAX_YEARS_SCANNED; n++) {
        const yr = year(y);
        const at = backwardIn(yr, target);
        if (at !== undefined) return at;
        y--;
        target += year(y).total;
      }
    }
    // Only a calendar whose holidays or overrides take every working day off gets here.
    throw new ConfigError([
      {
        path: 'calendar',
        message: `no working time within ${MAX_YEARS_SCANNED} years of ${new Date(start).toISOString()}`,
      },
    ]);
  }

  return {
    timeZone: zone,
    addWorkingTime: (startAt, ms) => new Date(add(time(startAt), ms)),
    workingTimeBetween: (a, b) => between(time(a), time(b)),
    isWorkingTime(t) {
      const ms = time(t);
      const yr = year(yearOf(ms));
      const i = lastStartingBefore(yr, ms);
      return i >= 0 && ms < yr.ends[i]!;
    },
    nextWorkingTime(t) {
      return new Date(add(time(t), 0));
    },
  };
}

/** An instant's ms; an Invalid Date would otherwise walk 400 empty years before failing. */
function time(t: Date): number {
  const ms = t instanceof Date ? t.getTime() : Number.NaN;
  if (Number.isNaN(ms))
    throw new ValidationError([{ path: 'date', message: `expected a valid Date, got ${String(t)}` }]);
  return ms;
}

/** A holiday RRULE, parsed and checked, or what is wrong with it. */
function holidayRule(text: string): ReturnType<typeof rrulestr> | string {
  if (/DTSTART|TZID/i.test(text)) return 'give the rule without DTSTART or TZID: holidays are floating dates';
  let rule: ReturnType<typeof rrulestr>;
  try {
    rule = rrulestr(text, { dtstart: EPOCH });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  // Rules are expanded from 1900-01-01, so a COUNT would be used up long ago.
  if (rule.options.count != null) return 'COUNT counts from 1900-01-01; bound the rule with UNTIL';
  // rrule accepts BYMONTH=13 or 30 February and then yields nothing: surely a typo.
  if (!rule.after(EPOCH, true)) return 'the rule matches no date';
  return rule;
}

function isDate(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}
