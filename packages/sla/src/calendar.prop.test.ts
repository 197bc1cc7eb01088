import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarArb, durationArb, instantArb } from '../test/calendar-arbitraries';
import { businessCalendar } from './calendar';

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
