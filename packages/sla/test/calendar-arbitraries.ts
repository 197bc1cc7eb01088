// Shared by the property suite and the host-zone probe, which replays seeded samples in child
// processes with different TZ.
import fc from 'fast-check';
import type { CalendarConfig, Period } from '../src/calendar';

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

export const instantArb = fc
  .integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') })
  .map((t) => new Date(t));
export const durationArb = fc.integer({ min: 0, max: 400 * 3_600_000 });
