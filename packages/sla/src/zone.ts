import { tzOffset } from '@date-fns/tz';
import { ConfigError } from '@tessera/core';

// A zone's offsets around a year, and wall-clock time turned into instants with them: the only
// time-zone work a business calendar does (see docs/sla.md, "Why it is fast").

const DAY = 86_400_000;

/** A zone's UTC offsets (ms) around one year: `offsets[k]` holds from `changes[k]` (the first: always). */
export interface Offsets {
  changes: number[];
  offsets: number[];
}

/**
 * The zone's offsets from two days before a year to two days after it: sampled once a day, each
 * change then found to the millisecond. About 370 offset look-ups a year instead of one full
 * time-zone conversion per period boundary. Two changes within one day are found too; a change
 * that is undone within the same day is not seen (no zone does that).
 *
 * @example
 * offsetsAround('Europe/Berlin', 2026).changes.length; // → 3 (the first, and the two DST changes)
 */
export function offsetsAround(zone: string, y: number): Offsets {
  const offset = (t: number) => tzOffset(zone, new Date(t)) * 60_000;
  const from = Date.UTC(y, 0, 1) - 2 * DAY;
  const to = Date.UTC(y + 1, 0, 1) + 2 * DAY;
  const changes = [Number.NEGATIVE_INFINITY];
  const offsets = [offset(from)];
  for (let t = from; t < to; t += DAY) {
    const next = t + DAY;
    const after = offset(next);
    let a = t;
    while (after !== offsets.at(-1)) {
      // offset(a) is the current offset, offset(next) is not: narrow down to the first ms that differs.
      let lo = a;
      let hi = next;
      const current = offsets.at(-1);
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (offset(mid) === current) lo = mid;
        else hi = mid;
      }
      changes.push(hi);
      offsets.push(offset(hi));
      a = hi;
    }
  }
  return { changes, offsets };
}

/**
 * The instants whose wall-clock time lies in [wallStart, wallEnd): one span per offset in force,
 * so a gap has none and a repeated hour has both copies — working time is exactly the instants
 * whose local time is inside a period.
 *
 * @example
 * const spans: [number, number][] = [];
 * wallClockSpans(offsetsAround('UTC', 2026), Date.UTC(2026, 0, 5, 9), Date.UTC(2026, 0, 5, 17), spans);
 * // spans: [[09:00Z, 17:00Z] in ms]
 */
export function wallClockSpans(
  { changes, offsets }: Offsets,
  wallStart: number,
  wallEnd: number,
  out: [number, number][],
): void {
  for (let k = 0; k < offsets.length; k++) {
    const from = Math.max(wallStart - offsets[k]!, changes[k]!);
    const to = Math.min(
      wallEnd - offsets[k]!,
      k + 1 < changes.length ? changes[k + 1]! : Number.POSITIVE_INFINITY,
    );
    if (to > from) out.push([from, to]);
  }
}

/**
 * The first instant whose wall-clock time in the zone is `wall` (the first copy in a repeated
 * hour; in a gap, the first instant after it): where a local year begins, so that every instant
 * with a wall-clock date in the year falls between its bounds.
 *
 * @example
 * firstInstant(offsetsAround('Europe/Berlin', 2026))(2026, 0, 1, 0); // → 2025-12-31T23:00Z in ms
 */
export function firstInstant({ changes, offsets }: Offsets) {
  return (y: number, m: number, d: number, min: number): number => {
    const wall = Date.UTC(y, m, d, 0, min);
    let best = Number.NaN;
    for (let k = 0; k < offsets.length; k++) {
      const u = wall - offsets[k]!;
      if (u >= changes[k]! && (k + 1 === changes.length || u < changes[k + 1]!) && !(u >= best)) best = u;
    }
    if (!Number.isNaN(best)) return best;
    for (let k = 1; k < offsets.length; k++) {
      if (wall - offsets[k - 1]! >= changes[k]! && wall - offsets[k]! < changes[k]!) return changes[k]!;
    }
    throw new ConfigError([
      {
        path: 'timeZone',
        message: `the zone's offsets give no instant for local time ${new Date(wall).toISOString().slice(0, 16)}`,
      },
    ]);
  };
}
