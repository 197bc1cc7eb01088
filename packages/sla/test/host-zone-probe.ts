// Asked by calendar.tz.test.ts in a child process with a given TZ: prints answers as JSON.
import fc from 'fast-check';
import { businessCalendar } from '../src/calendar';
import { calendarArb, durationArb, instantArb } from './calendar-arbitraries';

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
const berlin = businessCalendar({
  timeZone: 'Europe/Berlin',
  week: {
    mon: [['08:00', '18:00']],
    tue: [['08:00', '18:00']],
    wed: [['08:00', '18:00']],
    thu: [['08:00', '18:00']],
    fri: [['08:00', '18:00']],
  },
  holidays: ['2026-12-25', { rrule: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1' }],
});
const H = 3_600_000;
const results: string[] = [
  biz.addWorkingTime(new Date('2006-01-04T14:30:00Z'), 1.5 * H).toISOString(),
  biz.addWorkingTime(new Date('2006-01-04T17:00:00Z'), -3 * H).toISOString(),
  String(biz.workingTimeBetween(new Date('2006-01-01T00:00:00Z'), new Date('2006-01-08T00:00:00Z'))),
  berlin.addWorkingTime(new Date('2013-03-21T09:30:00Z'), 3 * H).toISOString(),
  berlin.addWorkingTime(new Date('2026-03-27T15:00:00Z'), 5 * H).toISOString(),
  berlin.addWorkingTime(new Date('2026-12-24T15:00:00Z'), 20 * H).toISOString(),
  String(berlin.workingTimeBetween(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'))),
  String(berlin.isWorkingTime(new Date('2026-07-01T06:30:00Z'))),
];
// The same seeded random cases as the property suite draws, so every host zone answers them.
const cases = fc.sample(fc.tuple(calendarArb, instantArb, durationArb, fc.boolean()), {
  seed: 20261122,
  numRuns: 120,
});
let lawBroken = 0;
for (const [config, t, d, back] of cases) {
  const cal = businessCalendar(config);
  const ms = back && d > 0 ? -d : d;
  const end = cal.addWorkingTime(t, ms);
  if (cal.workingTimeBetween(t, end) !== ms) lawBroken++;
  results.push(
    `${config.timeZone} ${end.toISOString()} ${cal.isWorkingTime(t)} ${cal.nextWorkingTime(t).toISOString()}`,
  );
}
results.push(`laws broken: ${lawBroken}`);
process.stdout.write(
  JSON.stringify({ hostOffset: new Date('2026-01-15T12:00:00Z').getTimezoneOffset(), results }),
);
