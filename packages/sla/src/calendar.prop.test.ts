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

  it('counts exactly the minutes whose wall-clock time is in a period, DST included (brute force)', () => {
    // Windows around the zone's own DST changes of 2026 (and anywhere, for zones without DST).
    const changes: Record<string, string[]> = {
      'Europe/Berlin': ['2026-03-29', '2026-10-25'],
      'America/New_York': ['2026-03-08', '2026-11-01'],
      'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
      'Pacific/Auckland': ['2026-04-05', '2026-09-27'],
    };
    const caseArb = calendarArb.chain((config) =>
      fc.tuple(
        fc.constant(config),
        fc
          .tuple(
            fc.constantFrom(...(changes[config.timeZone] ?? ['2026-06-15'])),
            fc.integer({ min: 0, max: 2 * 1440 }),
          )
          .map(([day, minute]) => Date.parse(`${day}T00:00:00Z`) - 86_400_000 + minute * 60_000),
        fc.integer({ min: 0, max: 3 * 1440 }),
      ),
    );
    fc.assert(
      fc.property(caseArb, ([config, a, minutes]) => {
        const cal = businessCalendar(config);
        const parts = new Intl.DateTimeFormat('en-US', {
          timeZone: config.timeZone,
          hourCycle: 'h23',
          weekday: 'short',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
        });
        const holidays = new Set((config.holidays ?? []).filter((h): h is string => typeof h === 'string'));
        const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
        let expected = 0;
        for (let u = a; u < a + minutes * 60_000; u += 60_000) {
          const p = Object.fromEntries(parts.formatToParts(new Date(u)).map((x) => [x.type, x.value]));
          const date = `${p.year}-${p.month}-${p.day}`;
          if (holidays.has(date) || date.endsWith('-12-25')) continue;
          const q = Number(p.hour) * 60 + Number(p.minute);
          const day = p.weekday!.toLowerCase().slice(0, 3) as keyof typeof config.week;
          if ((config.week[day] ?? []).some(([s, e]) => toMinutes(s) <= q && q < toMinutes(e)))
            expected += 60_000;
        }
        expect(cal.workingTimeBetween(new Date(a), new Date(a + minutes * 60_000))).toBe(expected);
      }),
      { numRuns: 250 },
    );
  });
});
