/**
 * The pieces every row of a report is made of, and the arithmetic on them: durations with
 * nearest-rank percentiles, CSAT, SLA outcomes. Pure: no clock, no I/O.
 */

/** Durations of the first replies (or resolutions) that fell in a row's period. */
export interface Durations {
  count: number;
  /** Nearest-rank median (the value at rank ⌈n/2⌉), `null` when there is none. */
  medianMs: number | null;
  /** Nearest-rank 90th percentile (rank ⌈0.9·n⌉), `null` when there is none. */
  p90Ms: number | null;
  /** The same in working time of the ticket's calendar: present when the module was given calendars. */
  businessMedianMs?: number | null;
  businessP90Ms?: number | null;
}

/** Customer satisfaction: each ticket's latest rating, in the period it was given. */
export interface Csat {
  ratings: number;
  /** Scores of 4 or 5 (of 5). */
  positive: number;
  /** positive / ratings × 100, rounded to one decimal; `null` with no ratings. */
  percent: number | null;
}

/** An SLA metric's outcomes in a period. */
export interface SlaOutcome {
  achieved: number;
  breached: number;
}

/** One row of a report (see docs/reports.md for every definition). */
export interface ReportRow {
  /** The local date (`2026-03-29`), ISO week (`2026-W13`), the group's id, `null` for none, or `'total'`. */
  key: string | null;
  opened: number;
  solved: number;
  reopened: number;
  /** Live tickets merged into another in the period: they leave the backlog without being solved. */
  merged: number;
  /** Live tickets at the row's start. */
  backlogStart: number;
  /** Live tickets at the row's end: backlogStart + opened − solved + reopened − merged. */
  backlog: number;
  firstReply: Durations;
  resolution: Durations;
  sla: Record<string, SlaOutcome>;
  csat: Csat;
  timeLoggedMinutes: number;
}

/**
 * The value at nearest rank ⌈p·n⌉ of the values (sorted here), `null` for none.
 *
 * @example
 * nearestRank([40, 10, 30, 20], 0.5); // → 20 (rank 2 of 4)
 * nearestRank([40, 10, 30, 20], 0.9); // → 40 (rank ⌈3.6⌉ = 4)
 */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** Where durations are gathered while a row is computed. */
export interface DurationSamples {
  calendar: number[];
  business: number[];
}

/**
 * A row's durations from its samples; the business fields only when the module has calendars.
 *
 * @example
 * durations({ calendar: [3_600_000, 7_200_000], business: [] }, false); // → { count: 2, medianMs: 3600000, p90Ms: 7200000 }
 */
export function durations(samples: DurationSamples, business: boolean): Durations {
  const out: Durations = {
    count: samples.calendar.length,
    medianMs: nearestRank(samples.calendar, 0.5),
    p90Ms: nearestRank(samples.calendar, 0.9),
  };
  if (business) {
    out.businessMedianMs = nearestRank(samples.business, 0.5);
    out.businessP90Ms = nearestRank(samples.business, 0.9);
  }
  return out;
}

/**
 * CSAT from a count of ratings and of positive ones.
 *
 * @example
 * csat(3, 2); // → { ratings: 3, positive: 2, percent: 66.7 }
 * csat(0, 0); // → { ratings: 0, positive: 0, percent: null }
 */
export function csat(ratings: number, positive: number): Csat {
  return { ratings, positive, percent: ratings === 0 ? null : Math.round((positive / ratings) * 1000) / 10 };
}
