import {
  ConfigError,
  createHelpdesk,
  defineWorkflow,
  inMemoryStore,
  type Problem,
  TesseraError,
  ValidationError,
  type Workflow,
} from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { businessCalendar } from './calendar';
import { sla } from './extension';
import type { SlaPolicy } from './policy';

const cal = businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] } });

function refused(make: () => unknown): readonly Problem[] {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const policy = (extra: Partial<SlaPolicy>): SlaPolicy => ({
  id: 'std',
  calendar: 'cal',
  targets: { firstReply: 60 },
  ...extra,
});
const desk = (policies: SlaPolicy[], workflows?: Workflow[]) =>
  createHelpdesk({
    store: inMemoryStore(),
    ...(workflows ? { workflows } : {}),
    extensions: [sla({ policies, calendars: { cal } })],
  });

describe('sla options', () => {
  it('an unknown option key is refused with its path and the key meant', () => {
    const problems = refused(() =>
      sla({ policies: [policy({})], calendars: { cal }, calenders: {} } as never),
    );
    expect(problems.map((p) => p.path)).toEqual(['sla.calenders']);
    expect(problems[0]!.message).toContain('did you mean calendars?');
  });

  it('no options, or no calendars, is a ConfigError rather than a TypeError', () => {
    expect(refused(() => sla(undefined as never)).map((p) => p.path)).toEqual(['sla']);
    expect(refused(() => sla({ policies: [policy({})] } as never)).map((p) => p.path)).toEqual([
      'policies[0].calendar',
    ]);
  });

  it("a businessCalendar config's unknown key is refused", () => {
    const problems = refused(() =>
      businessCalendar({ timeZone: 'UTC', week: { mon: [['09:00', '17:00']] }, holiday: [] } as never),
    );
    expect(problems[0]!.path).toBe('holiday');
    expect(problems[0]!.message).toContain('did you mean holidays?');
  });
});

describe('status names checked against the desk the policies are installed in', () => {
  it("pauseIn: ['pendin'] — no workflow has it — is a ConfigError from createHelpdesk with its path", () => {
    const problems = refused(() => desk([policy({ pauseIn: ['on_hold', 'pendin'] })]));
    expect(problems.map((p) => p.path)).toEqual(['sla.policies[0].pauseIn[1]']);
    expect(problems[0]!.message).toMatch(/^unknown status or category "pendin"/);
  });

  it('reachStatus names statuses; a category or a status of the desk passes', () => {
    const problems = refused(() =>
      desk([policy({ targets: { reachStatus: { status: 'in-progress', within: 30, orLater: ['done'] } } })]),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'sla.policies[0].targets.reachStatus.status',
      'sla.policies[0].targets.reachStatus.orLater[0]',
    ]);
    const triage = defineWorkflow({
      id: 'triage',
      statuses: [
        { id: 'new', category: 'new' },
        { id: 'in-progress', category: 'open' },
        { id: 'waiting', category: 'pending' },
        { id: 'done', category: 'solved' },
        { id: 'closed', category: 'closed' },
      ],
    });
    expect(() =>
      desk(
        [
          policy({
            pauseIn: ['waiting', 'on_hold'],
            targets: { reachStatus: { status: 'in-progress', within: 30, orLater: ['done'] } },
          }),
        ],
        [triage],
      ),
    ).not.toThrow();
  });
});

describe('calendar errors are typed', () => {
  it('a non-finite duration or an invalid date is a ValidationError, not a RangeError', () => {
    const at = new Date('2026-01-05T10:00:00Z');
    expect(() => cal.addWorkingTime(at, Number.NaN)).toThrow(ValidationError);
    expect(() => cal.addWorkingTime(new Date('nope'), 1)).toThrow(ValidationError);
    expect(() => cal.workingTimeBetween(at, new Date('nope'))).toThrow(ValidationError);
  });

  it('a calendar whose holidays take every working day off fails with a TesseraError when asked for time', () => {
    // Every Monday (its only working day) for the 400 years the calendar scans is a holiday.
    const mondays: string[] = [];
    for (let t = Date.UTC(2026, 0, 5); t < Date.UTC(2427, 0, 1); t += 7 * 86_400_000)
      mondays.push(new Date(t).toISOString().slice(0, 10));
    const never = businessCalendar({
      timeZone: 'UTC',
      week: { mon: [['09:00', '17:00']] },
      holidays: mondays,
    });
    let caught: unknown;
    try {
      never.addWorkingTime(new Date('2026-01-05T10:00:00Z'), 60_000);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TesseraError);
    expect((caught as TesseraError).code).toBe('config');
  }, 60_000);
});
