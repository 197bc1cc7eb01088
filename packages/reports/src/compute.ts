import type { TicketSummary, WorkingTimeCalendar } from '@tessera/core';
import type { ReportFacts, Standing } from './facts';
import { csat, type DurationSamples, durations, type ReportRow, type SlaOutcome } from './figures';
import { type Period, type TimeBucket, timeBuckets } from './periods';

/** One ticket as a report sees it: its index row and the facts the row carries. */
export interface FactRow {
  summary: Pick<
    TicketSummary,
    'createdAt' | 'team' | 'assignee' | 'channel' | 'type' | 'priority' | 'organization' | 'sla'
  >;
  facts: ReportFacts;
}

/** The calendar business durations of a ticket are measured in (none: calendar time only). */
export type CalendarOf = (summary: FactRow['summary']) => WorkingTimeCalendar | undefined;

/** Whether the ticket's SLA policy has a target for the metric (`firstReply`, `resolution`). */
export type TargetedOf = (summary: FactRow['summary'], metric: string) => boolean;

/** What `report()` answers. */
export interface Report {
  rows: ReportRow[];
  total: ReportRow;
}

interface Acc {
  key: string | null;
  opened: number;
  solved: number;
  reopened: number;
  merged: number;
  backlogStart: number;
  backlog: number;
  firstReply: DurationSamples;
  resolution: DurationSamples;
  sla: Map<string, SlaOutcome>;
  ratings: number;
  positive: number;
  minutes: number;
}

const acc = (key: string | null): Acc => ({
  key,
  opened: 0,
  solved: 0,
  reopened: 0,
  merged: 0,
  backlogStart: 0,
  backlog: 0,
  firstReply: { calendar: [], business: [] },
  resolution: { calendar: [], business: [] },
  sla: new Map(),
  ratings: 0,
  positive: 0,
  minutes: 0,
});

function finish(a: Acc, business: boolean): ReportRow {
  const sla: Record<string, SlaOutcome> = {};
  for (const metric of [...a.sla.keys()].sort()) sla[metric] = { ...a.sla.get(metric)! };
  return {
    key: a.key,
    opened: a.opened,
    solved: a.solved,
    reopened: a.reopened,
    merged: a.merged,
    backlogStart: a.backlogStart,
    backlog: a.backlog,
    firstReply: durations(a.firstReply, business),
    resolution: durations(a.resolution, business),
    sla,
    csat: csat(a.ratings, a.positive),
    timeLoggedMinutes: a.minutes,
  };
}

/** Live stretches `[from, until)` of a ticket (until undefined: live now), from its moves. */
function liveStretches(created: number, moves: ReportFacts['moves']): [number, number | undefined][] {
  const out: [number, number | undefined][] = [];
  let since: number | undefined = created;
  let now: Standing = 'l';
  for (const [at, to] of moves) {
    if (to === now) continue;
    const t = Date.parse(at);
    if (now === 'l' && since !== undefined) out.push([since, t]);
    since = to === 'l' ? t : undefined;
    now = to;
  }
  if (now === 'l' && since !== undefined) out.push([since, undefined]);
  return out;
}

/** The index of the first point after t (points sorted ascending; their length when none is). */
function firstAfter(points: readonly number[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Live at instant p: the state after every fact strictly before p. */
const liveAt = (stretches: [number, number | undefined][], p: number) =>
  stretches.some(([a, b]) => a < p && (b === undefined || b >= p));

function slaOf(a: Acc, metric: string): SlaOutcome {
  let o = a.sla.get(metric);
  if (!o) {
    o = { achieved: 0, breached: 0 };
    a.sla.set(metric, o);
  }
  return o;
}

const GROUP_FIELDS = {
  team: 'team',
  assignee: 'assignee',
  channel: 'channel',
  type: 'type',
  priority: 'priority',
  organization: 'organization',
} as const;

/**
 * A report computed from tickets' facts: the rows of `period.groupBy` and the total, by the
 * definitions of docs/reports.md. Pure; `report()` feeds it the index rows it may read, and a test
 * may feed it facts folded straight from the log.
 *
 * @example
 * const period = checkSpec({ from: '2026-03-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00', timeZone: 'Europe/Berlin', groupBy: 'day' });
 * computeReport([{ summary, facts: rowFacts(summary) }], period, () => undefined, false);
 * // → { rows: [{ key: '2026-03-01', opened: 4, … }, …], total: { key: 'total', … } }
 */
export function computeReport(
  tickets: Iterable<FactRow>,
  period: Period,
  calendarOf: CalendarOf,
  business: boolean,
  targeted: TargetedOf = () => false,
): Report {
  const { from, to } = period;
  const inPeriod = (t: number) => t >= from && t < to;
  const unit = period.groupBy === 'day' || period.groupBy === 'week' ? period.groupBy : undefined;
  const buckets: TimeBucket[] = unit ? timeBuckets(period, unit) : [];
  const timeRows = buckets.map((b) => acc(b.key));
  // The rows' boundaries: each start, then the last end (the rows are contiguous).
  const points =
    buckets.length === 0 ? [] : [...buckets.map((b) => b.start), buckets[buckets.length - 1]!.end];
  const liveDiff = new Array<number>(points.length + 1).fill(0);
  const valueRows = new Map<string | null, Acc>();
  const total = acc('total');
  // The row of an instant inside the period: a binary search over the day or week starts.
  const bucketAt = (t: number): Acc => {
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (buckets[mid]!.start <= t) lo = mid;
      else hi = mid - 1;
    }
    return timeRows[lo]!;
  };

  for (const { summary, facts } of tickets) {
    const created = Date.parse(summary.createdAt);
    if (!(created < to)) continue;
    let group: Acc | undefined;
    const groupRow = (): Acc => {
      if (group) return group;
      const field = GROUP_FIELDS[period.groupBy as keyof typeof GROUP_FIELDS];
      const key = (summary[field] as string | undefined) ?? null;
      let row = valueRows.get(key);
      if (!row) {
        row = acc(key);
        valueRows.set(key, row);
      }
      group = row;
      return row;
    };
    // The rows an instant of the period counts in: the total, and its day, week or group.
    const rowsAt = (t: number): Acc[] =>
      unit ? [total, bucketAt(t)] : period.groupBy ? [total, groupRow()] : [total];
    const calendar = calendarOf(summary);
    const measure = (samples: DurationSamples, end: number) => {
      samples.calendar.push(end - created);
      if (calendar) samples.business.push(calendar.workingTimeBetween(new Date(created), new Date(end)));
    };

    if (inPeriod(created)) for (const r of rowsAt(created)) r.opened += 1;

    const breached = new Set(facts.breaches.map(([m]) => m));
    const achieves = (metric: string) => targeted(summary, metric) && !breached.has(metric);
    let now: Standing = 'l';
    let solvedOnce = false;
    for (const [at, to] of facts.moves) {
      if (to === now) continue;
      const t = Date.parse(at);
      const change = `${now}${to}` as `${Standing}${Standing}`;
      const firstSolve = change === 'ld' && !solvedOnce;
      if (inPeriod(t)) {
        for (const r of rowsAt(t)) {
          if (change === 'ld') {
            r.solved += 1;
            measure(r.resolution, t);
            if (firstSolve && achieves('resolution')) slaOf(r, 'resolution').achieved += 1;
          } else if (change === 'dl') r.reopened += 1;
          else if (change === 'lm') r.merged += 1;
        }
      }
      if (firstSolve) solvedOnce = true;
      now = to;
    }

    if (facts.firstReply) {
      const t = Date.parse(facts.firstReply[0]);
      if (inPeriod(t)) {
        for (const r of rowsAt(t)) {
          measure(r.firstReply, t);
          if (achieves('firstReply')) slaOf(r, 'firstReply').achieved += 1;
        }
      }
    }
    for (const [metric, at] of facts.breaches) {
      const t = Date.parse(at);
      if (inPeriod(t)) for (const r of rowsAt(t)) slaOf(r, metric).breached += 1;
    }
    if (facts.rating) {
      const t = Date.parse(facts.rating[0]);
      if (inPeriod(t)) {
        for (const r of rowsAt(t)) {
          r.ratings += 1;
          if (facts.rating[1] >= 4) r.positive += 1;
        }
      }
    }
    for (const [at, minutes] of facts.time) {
      const t = Date.parse(at);
      if (inPeriod(t)) for (const r of rowsAt(t)) r.minutes += minutes;
    }

    const stretches = liveStretches(created, facts.moves);
    if (liveAt(stretches, from)) total.backlogStart += 1;
    if (liveAt(stretches, to)) total.backlog += 1;
    if (unit) {
      // Each live stretch (a, b] covers a run of row boundaries: mark where the run starts and ends.
      for (const [a, b] of stretches) {
        const first = firstAfter(points, a);
        const last = b === undefined ? points.length - 1 : firstAfter(points, b) - 1;
        if (first > last) continue;
        liveDiff[first]! += 1;
        liveDiff[last + 1]! -= 1;
      }
    } else if (period.groupBy) {
      const startLive = liveAt(stretches, from);
      const endLive = liveAt(stretches, to);
      if (startLive || endLive || group) {
        const r = groupRow();
        if (startLive) r.backlogStart += 1;
        if (endLive) r.backlog += 1;
      }
    }
  }

  if (unit) {
    // Live at boundary k: the running sum of the marks; row i runs from boundary i to i + 1.
    let live = 0;
    for (let k = 0; k < points.length; k++) {
      live += liveDiff[k]!;
      if (k < timeRows.length) timeRows[k]!.backlogStart = live;
      if (k > 0) timeRows[k - 1]!.backlog = live;
    }
  }
  const rows = unit
    ? timeRows
    : [...valueRows.values()].sort((a, b) =>
        a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1,
      );
  return { rows: rows.map((r) => finish(r, business)), total: finish(total, business) };
}
