import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessCalendar, type CalendarConfig, type Period } from './calendar';

const zones = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Auckland',
];

/** Up to three non-overlapping periods a day, on 15-minute steps (ends may be 24:00). */
const periodsArb: fc.Arbitrary<Period[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 0, maxLength: 6 })
  .map((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: Period[] = [];
    const time = (q: number) =>
      `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
    for (let i = 0; i + 1 < sorted.length; i += 2) out.push([time(sorted[i]!), time(sorted[i + 1]!)]);
    return out;
  });

export const calendarArb: fc.Arbitrary<CalendarConfig> = fc
  .record({
    timeZone: fc.constantFrom(...zones),
    mon: periodsArb,
    tue: periodsArb,
    wed: periodsArb,
    thu: periodsArb,
    fri: periodsArb,
    sat: periodsArb,
    sun: periodsArb,
    holidays: fc.array(
      fc.date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
      { maxLength: 20 },
    ),
  })
  .filter((c) => [c.mon, c.tue, c.wed, c.thu, c.fri, c.sat, c.sun].some((p) => p.length > 0))
  .map(({ timeZone, holidays, ...week }) => ({
    timeZone,
    week,
    holidays: [
      ...holidays.map((d) => d.toISOString().slice(0, 10)),
      { rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25' },
    ],
  }));

const instantArb = fc
  .integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') })
  .map((t) => new Date(t));
const durationArb = fc.integer({ min: 0, max: 400 * 3_600_000 });

// Each run builds a fresh calendar and sparse ones span decades of years: on a shared 2-core
// machine a property can take well over vitest's 5 s default, which is not a failure of the law.
describe('business calendar laws', { timeout: 120_000 }, () => {
  it('workingTimeBetween(t, addWorkingTime(t, d)) === d, forwards and backwards', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, fc.boolean(), (config, t, d, back) => {
        const cal = businessCalendar(config);
        const ms = back && d > 0 ? -d : d;
        expect(cal.workingTimeBetween(t, cal.addWorkingTime(t, ms))).toBe(ms);
      }),
      { numRuns: 300 },
    );
  });

  it('is monotonic in the duration', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, durationArb, (config, t, a, b) => {
        const cal = businessCalendar(config);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(cal.addWorkingTime(t, lo).getTime()).toBeLessThanOrEqual(cal.addWorkingTime(t, hi).getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('adding a then b equals adding a + b', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, durationArb, (config, t, a, b) => {
        const cal = businessCalendar(config);
        expect(cal.addWorkingTime(cal.addWorkingTime(t, a), b).getTime()).toBe(
          cal.addWorkingTime(t, a + b).getTime(),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('forward results always fall in working time, never in a holiday or outside hours', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, durationArb, (config, t, d) => {
        const cal = businessCalendar(config);
        const result = cal.addWorkingTime(t, d);
        expect(cal.isWorkingTime(result)).toBe(true);
        expect(cal.nextWorkingTime(result).getTime()).toBe(result.getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('working time over adjacent spans adds up', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, instantArb, (config, a, b, c) => {
        const cal = businessCalendar(config);
        expect(cal.workingTimeBetween(a, b) + cal.workingTimeBetween(b, c)).toBe(
          cal.workingTimeBetween(a, c),
        );
      }),
      { numRuns: 200 },
    );
  });
});
