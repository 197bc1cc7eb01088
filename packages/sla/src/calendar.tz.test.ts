import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('../test/host-zone-probe.ts', import.meta.url));

/**
 * The same calendar questions (reference cases and 120 seeded random calendars, instants and
 * durations), asked in child processes whose host zone differs, get the same
 * answers: wall-clock hours are read in the calendar's zone, never the host's.
 */
it('gives the same answers whatever the host time zone is', () => {
  const run = (tz: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    });
  const answers = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland'].map((tz) => {
    const out = JSON.parse(run(tz)) as { hostOffset: number; results: string[] };
    return { tz, ...out };
  });
  // The children really ran in different zones…
  expect(new Set(answers.map((a) => a.hostOffset)).size).toBe(4);
  // …and agree on every answer, which includes the biz and Zammad reference values.
  for (const a of answers) expect(a.results).toEqual(answers[0]!.results);
  expect(answers[0]!.results).toContain('2006-01-04T16:00:00.000Z');
  expect(answers[0]!.results).toContain('2013-03-21T12:30:00.000Z');
  // …and the seeded random cases (same arbitraries as the laws) keep the round-trip law in every zone.
  expect(answers[0]!.results.length).toBeGreaterThan(100);
  expect(answers[0]!.results.at(-1)).toBe('laws broken: 0');
}, 120_000);
