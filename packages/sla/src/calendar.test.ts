import { TZDate } from '@date-fns/tz';
import { ConfigError } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { businessCalendar, type Period } from './calendar';

const H = 3_600_000;
const at = (iso: string) => new Date(iso);

/** Zendesk biz's reference schedule (UTC; 2006-01-02 is a Monday). */
const biz = businessCalendar({
  timeZone: 'UTC',
  week: {
    mon: [['09:00', '17:00']],
    tue: [['10:00', '16:00']],
    wed: [['09:00', '17:00']],
    thu: [['10:00', '16:00']],
    fri: [['09:00', '17:00']],
    sat: [['11:00', '14:30']],
  },
});

describe('biz reference cases', () => {
  it('90 minutes after Wed 14:30 is 16:00', () => {
    expect(biz.addWorkingTime(at('2006-01-04T14:30:00Z'), 90 * 60_000).toISOString()).toBe(
      '2006-01-04T16:00:00.000Z',
    );
  });
  it('3 hours before Wed 17:00 is 14:00', () => {
    expect(biz.addWorkingTime(at('2006-01-04T17:00:00Z'), -3 * H).toISOString()).toBe(
      '2006-01-04T14:00:00.000Z',
    );
  });
  it('0 after Tue 00:00 is the opening at 10:00', () => {
    expect(biz.addWorkingTime(at('2006-01-03T00:00:00Z'), 0).toISOString()).toBe('2006-01-03T10:00:00.000Z');
  });
  it('working time from 2006-01-01 to 2006-01-08 is 39.5 h', () => {
    expect(biz.workingTimeBetween(at('2006-01-01T00:00:00Z'), at('2006-01-08T00:00:00Z'))).toBe(39.5 * H);
  });
  it('Thu 12:00 to Fri 12:00 is 7 h', () => {
    expect(biz.workingTimeBetween(at('2006-01-05T12:00:00Z'), at('2006-01-06T12:00:00Z'))).toBe(7 * H);
  });
});

describe('semantics', () => {
  it('is exact to the millisecond', () => {
    expect(biz.addWorkingTime(at('2006-01-04T09:00:00.000Z'), 1).toISOString()).toBe(
      '2006-01-04T09:00:00.001Z',
    );
    expect(biz.workingTimeBetween(at('2006-01-04T16:59:59.999Z'), at('2006-01-04T18:00:00Z'))).toBe(1);
  });
  it('a duration ending exactly at a close resolves to the next opening', () => {
    expect(biz.addWorkingTime(at('2006-01-04T09:00:00Z'), 8 * H).toISOString()).toBe(
      '2006-01-05T10:00:00.000Z',
    );
    expect(biz.addWorkingTime(at('2006-01-04T17:00:00Z'), 0).toISOString()).toBe('2006-01-05T10:00:00.000Z');
  });
  it('going back, a duration ending exactly at an opening resolves to the previous close', () => {
    expect(biz.addWorkingTime(at('2006-01-05T12:00:00Z'), -2 * H).toISOString()).toBe(
      '2006-01-04T17:00:00.000Z',
    );
  });
  it('answers isWorkingTime and nextWorkingTime with half-open periods', () => {
    expect(biz.isWorkingTime(at('2006-01-04T09:00:00Z'))).toBe(true);
    expect(biz.isWorkingTime(at('2006-01-04T17:00:00Z'))).toBe(false);
    expect(biz.nextWorkingTime(at('2006-01-07T15:00:00Z')).toISOString()).toBe('2006-01-09T09:00:00.000Z');
    expect(biz.nextWorkingTime(at('2006-01-04T12:00:00Z')).toISOString()).toBe('2006-01-04T12:00:00.000Z');
  });
  it('refuses an Invalid Date at once', () => {
    const invalid = new Date(Number.NaN);
    expect(() => biz.addWorkingTime(invalid, H)).toThrow(/valid Date/);
    expect(() => biz.workingTimeBetween(invalid, at('2006-01-02T00:00:00Z'))).toThrow(/valid Date/);
    expect(() => biz.isWorkingTime(invalid)).toThrow(/valid Date/);
    expect(() => biz.nextWorkingTime(invalid)).toThrow(/valid Date/);
  });
  it('is signed: working time from a later to an earlier instant is negative', () => {
    expect(biz.workingTimeBetween(at('2006-01-06T12:00:00Z'), at('2006-01-05T12:00:00Z'))).toBe(-7 * H);
  });
  it('crosses years and handles ten-year durations by whole years, not minutes', () => {
    const start = at('2006-01-04T09:00:00Z');
    const tenYears = biz.workingTimeBetween(start, at('2016-01-04T09:00:00Z'));
    expect(biz.addWorkingTime(start, tenYears).toISOString()).toBe('2016-01-04T09:00:00.000Z');
    expect(tenYears).toBeGreaterThan(10 * 52 * 39 * H);
  });
});

describe('zones, holidays and overrides', () => {
  const berlin = businessCalendar({
    timeZone: 'Europe/Berlin',
    week: {
      mon: [['08:00', '18:00']],
      tue: [['08:00', '18:00']],
      wed: [['08:00', '18:00']],
      thu: [['08:00', '18:00']],
      fri: [['08:00', '18:00']],
      sun: [['01:00', '04:00']],
    },
    holidays: [
      '2026-12-25',
      { rrule: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1', name: 'New Year' },
      { date: '2026-12-28', active: false },
    ],
    overrides: { '2026-12-24': [['08:00', '12:00']], '2026-12-26': [['10:00', '14:00']] },
  });

  it('reads wall-clock hours in the calendar’s zone (CET and CEST)', () => {
    expect(berlin.nextWorkingTime(at('2026-01-05T00:00:00Z')).toISOString()).toBe('2026-01-05T07:00:00.000Z');
    expect(berlin.nextWorkingTime(at('2026-07-06T00:00:00Z')).toISOString()).toBe('2026-07-06T06:00:00.000Z');
  });
  it('skips the DST gap and counts the repeated hour twice', () => {
    // Sunday 2026-03-29: 01:00–04:00 local has only 2 real hours; Sunday 2026-10-25 has 4.
    expect(berlin.workingTimeBetween(at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'))).toBe(2 * H);
    expect(berlin.workingTimeBetween(at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(4 * H);
  });
  it('a period boundary inside the spring gap moves to the first instant after it', () => {
    // Sunday 2026-03-29 in Berlin: 02:00–03:00 does not exist (01:00Z is 03:00 CEST).
    const night = businessCalendar({
      timeZone: 'Europe/Berlin',
      week: {
        sun: [
          ['02:15', '02:45'],
          ['03:00', '04:00'],
        ],
      },
    });
    const sunday = (d: string) =>
      night.workingTimeBetween(at(`${d}T00:00:00+01:00`), at(`${d}T06:00:00+02:00`));
    // The period wholly inside the gap has no real time; 03:00–04:00 CEST is one hour.
    expect(sunday('2026-03-29')).toBe(1 * H);
    expect(night.nextWorkingTime(at('2026-03-29T00:30:00Z')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(night.isWorkingTime(at('2026-03-29T01:59:59.999Z'))).toBe(true);
    expect(night.isWorkingTime(at('2026-03-29T02:00:00.000Z'))).toBe(false);
    // The week before, the same periods are 30 min + 1 h.
    expect(sunday('2026-03-22')).toBe(1.5 * H);
    // A period ending inside the gap ends where the gap ends: 01:30 CET to 03:00 CEST is 30 min.
    const spring = businessCalendar({ timeZone: 'Europe/Berlin', week: { sun: [['01:30', '02:30']] } });
    expect(spring.workingTimeBetween(at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'))).toBe(H / 2);
  });
  it('in the repeated hour, each copy counts where its wall-clock time is in a period', () => {
    // Sunday 2026-10-25 in Berlin: 02:00–03:00 happens twice (00:00Z–01:00Z CEST, 01:00Z–02:00Z CET).
    const autumn = businessCalendar({ timeZone: 'Europe/Berlin', week: { sun: [['02:30', '04:00']] } });
    expect(autumn.workingTimeBetween(at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(2 * H);
    expect(autumn.isWorkingTime(at('2026-10-25T00:45:00Z'))).toBe(true); // 02:45 CEST, the first copy
    expect(autumn.isWorkingTime(at('2026-10-25T01:15:00Z'))).toBe(false); // 02:15 CET
    expect(autumn.nextWorkingTime(at('2026-10-25T01:15:00Z')).toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });
  it('places every period boundary where TZDate does, outside DST transitions, in any zone', () => {
    const periods: Period[] = [
      ['00:15', '01:45'],
      ['09:30', '17:15'],
      ['20:00', '24:00'],
    ];
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
    for (const zone of [
      'Europe/Berlin',
      'America/Sao_Paulo',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
    ]) {
      const cal = businessCalendar({
        timeZone: zone,
        week: Object.fromEntries(days.map((d) => [d, periods])),
      });
      for (let day = Date.UTC(2023, 11, 25); day < Date.UTC(2027, 0, 8); day += 86_400_000) {
        const date = new Date(day);
        for (const [from, to] of periods) {
          const [h1, m1] = from.split(':').map(Number) as [number, number];
          const [h2, m2] = to.split(':').map(Number) as [number, number];
          const tz = (h: number, m: number) =>
            new TZDate(
              date.getUTCFullYear(),
              date.getUTCMonth(),
              date.getUTCDate(),
              h,
              m,
              0,
              0,
              zone,
            ).getTime();
          const start = tz(h1, m1);
          const end = tz(h2, m2);
          // Only where the zone's offset is the same around both ends: DST rules are tested above.
          if (end - start !== ((h2 - h1) * 60 + (m2 - m1)) * 60_000) continue;
          expect(cal.isWorkingTime(new Date(start)), `${zone} ${date.toISOString()} ${from}`).toBe(true);
          expect(cal.isWorkingTime(new Date(start - 1)), `${zone} ${date.toISOString()} ${from}`).toBe(false);
          expect(cal.isWorkingTime(new Date(end - 1)), `${zone} ${date.toISOString()} ${to}`).toBe(true);
          expect(cal.isWorkingTime(new Date(end)), `${zone} ${date.toISOString()} ${to}`).toBe(false);
        }
      }
    }
    // About 40,000 boundaries: seconds on a loaded machine, so a wide margin.
  }, 60_000);
  it('honours holidays, RRULE holidays, inactive holidays and overrides', () => {
    const day = (d: string) =>
      berlin.workingTimeBetween(at(`${d}T00:00:00+01:00`), at(`${d}T23:59:59+01:00`));
    expect(day('2026-12-24')).toBe(4 * H); // short Christmas Eve
    expect(day('2026-12-25')).toBe(0); // holiday
    expect(day('2026-12-26')).toBe(4 * H); // a Saturday shift
    expect(day('2027-01-01')).toBe(0); // New Year, every year
    expect(day('2026-12-28')).toBe(10 * H); // an inactive holiday is a working day
  });
  it('never lands in a holiday', () => {
    expect(berlin.addWorkingTime(at('2026-12-24T10:00:00Z'), 1 * H).toISOString()).toBe(
      '2026-12-26T09:00:00.000Z',
    );
  });
});

describe('configuration errors name the field', () => {
  const problems = (config: unknown) => {
    try {
      businessCalendar(config as never);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.map((p) => p.path);
    }
    throw new Error('expected ConfigError');
  };
  it('reports every problem at once', () => {
    expect(
      problems({
        timeZone: 'Mars/Olympus',
        week: {
          mon: [['25:00', '26:00']],
          tue: [['12:00', '10:00']],
          wed: [
            ['08:00', '12:00'],
            ['11:00', '13:00'],
          ],
          funday: [],
        },
        holidays: ['2026-02-30', { rrule: 'FREQ=SOMETIMES' }],
        overrides: { tomorrow: [] },
      }),
    ).toEqual([
      'timeZone',
      'week.mon[0][0]',
      'week.mon[0][1]',
      'week.tue[0]',
      'week.wed',
      'week.funday',
      'holidays[0]',
      'holidays[1].rrule',
      'overrides.tomorrow',
    ]);
  });
  it('refuses RRULE holidays that match no date or count from an unknown start', () => {
    const office = { timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } };
    // BYMONTH=13 and 30 February parse, but no day is ever such a holiday: a typo, not a rule.
    expect(
      problems({
        ...office,
        holidays: [
          { rrule: 'FREQ=YEARLY;BYMONTH=13;BYMONTHDAY=1' },
          { rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' },
          { rrule: 'FREQ=YEARLY;COUNT=3;BYMONTH=1;BYMONTHDAY=1' },
        ],
      }),
    ).toEqual(['holidays[0].rrule', 'holidays[1].rrule', 'holidays[2].rrule']);
  });
  it('refuses a week with no working time', () => {
    expect(problems({ timeZone: 'UTC', week: {} })).toEqual(['week']);
  });
});
