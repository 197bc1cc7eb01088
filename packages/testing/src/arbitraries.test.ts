import {
  type Actor,
  defineWorkflow,
  isTesseraError,
  validateCommand,
  type WorkflowDefinition,
} from '@tessera/core';
import { type BusinessCalendar, businessCalendar, type CalendarConfig } from '@tessera/sla';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actorArbitrary,
  type CalendarConfigShape,
  calendarArbitrary,
  commandArbitrary,
  given,
  workflowArbitrary,
} from './index';

// What the arbitraries promise a user: every value they generate is accepted by the validator the
// value is meant for, so a property that fails is about the code under test, never the input.

describe('workflowArbitrary', () => {
  it('generates definitions defineWorkflow accepts', () => {
    fc.assert(
      fc.property(workflowArbitrary(), (def) => void defineWorkflow(def)),
      { numRuns: 500 },
    );
  });

  it('generates workflows a ticket opens in, at the initial status', () => {
    fc.assert(
      fc.property(workflowArbitrary(), actorArbitrary(), (def: WorkflowDefinition, actor) => {
        const workflow = defineWorkflow(def);
        const opened = given([[openFor(actor), actor]], { workflows: [workflow] }).state;
        expect(opened?.status).toBe(def.statuses[0]!.id);
        expect(opened?.category).toBe('new');
      }),
      { numRuns: 200 },
    );
  });
});

describe('actorArbitrary', () => {
  it('generates actors of a known kind that are well-formed parties', () => {
    fc.assert(
      fc.property(actorArbitrary(), (actor) => {
        expect(['customer', 'agent', 'admin', 'system', 'automation']).toContain(actor.kind);
        // A follower is core's party check: a non-empty id, a string organizationId.
        validateCommand({ type: 'addFollower', ticketId: 'T1', follower: actor });
      }),
      { numRuns: 200 },
    );
  });

  it('generates actors the default policy lets open a ticket for themselves', () => {
    fc.assert(
      fc.property(actorArbitrary(), (actor) => {
        const opened = given([[openFor(actor), actor]]).state;
        expect(opened?.requester.id).toBe(actor.id);
      }),
      { numRuns: 100 },
    );
  });
});

describe('commandArbitrary', () => {
  it('generates commands validateCommand accepts unchanged', () => {
    fc.assert(
      fc.property(commandArbitrary(['T1', 'T2'], ['open', 'solved']), (command) => {
        // validateCommand returns its own plain copy of what it read: equal, not the same object.
        expect(validateCommand(command)).toEqual(command);
      }),
      { numRuns: 1000 },
    );
  });

  it('addresses only the given tickets and statuses (or the one unknown status, bogus)', () => {
    fc.assert(
      fc.property(commandArbitrary(['T1', 'T2'], ['open', 'solved']), (command) => {
        if ('ticketId' in command) expect(['T1', 'T2']).toContain(command.ticketId);
        if (command.type === 'merge') expect(['T1', 'T2']).toContain(command.into);
        if (command.type === 'changeStatus') expect(['open', 'solved', 'bogus']).toContain(command.status);
      }),
      { numRuns: 500 },
    );
  });

  it('stays well-formed with no ticket ids and no statuses', () => {
    fc.assert(
      fc.property(commandArbitrary([], []), (command) => {
        validateCommand(command);
        if ('ticketId' in command) expect(command.ticketId).toBe('missing');
      }),
      { numRuns: 300 },
    );
  });
});

describe('calendarArbitrary', () => {
  // The arbitrary's type is a structural copy (so @tessera/testing needs no @tessera/sla at run
  // time); this line stops compiling if the two drift apart.
  const asConfig = (shape: CalendarConfigShape): CalendarConfig => shape;

  /** Instants across the years the generated holidays fall in, DST changes included. */
  const instant = fc
    .integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') })
    .map((t) => new Date(t));
  /** Up to 200 h of working time: a sparse calendar (one quarter-hour a week) spans years. */
  const duration = fc.integer({ min: 0, max: 200 * 3_600_000 });
  const compiled = calendarArbitrary().map((config) => businessCalendar(asConfig(config)));
  const laws = { numRuns: 300 };

  it('generates configurations businessCalendar accepts and compiles', () => {
    fc.assert(
      fc.property(calendarArbitrary(), instant, (config, t) => {
        let calendar: BusinessCalendar | undefined;
        try {
          calendar = businessCalendar(asConfig(config));
        } catch (error) {
          if (isTesseraError(error, 'config')) expect.fail(`ConfigError: ${error.message}`);
          throw error;
        }
        // The first query turns the year into intervals: that must not throw either.
        calendar.isWorkingTime(t);
      }),
      { numRuns: 1000 },
    );
  });

  it('generates calendars with working time in every year', () => {
    fc.assert(
      fc.property(compiled, instant, (cal, t) => {
        expect(cal.workingTimeBetween(t, new Date(t.getTime() + 366 * 86_400_000))).toBeGreaterThan(0);
      }),
      laws,
    );
  });

  // The laws below are the ones docs/sla.md states for every calendar (and @tessera/sla's own
  // property suite checks on its own generator).

  it('adds zero as nextWorkingTime: the instant itself in working time, else the next opening', () => {
    fc.assert(
      fc.property(compiled, instant, (cal, t) => {
        const zero = cal.addWorkingTime(t, 0);
        expect(zero.getTime()).toBe(cal.nextWorkingTime(t).getTime());
        expect(cal.isWorkingTime(zero)).toBe(true);
        expect(cal.workingTimeBetween(t, zero)).toBe(0);
        if (cal.isWorkingTime(t)) expect(zero.getTime()).toBe(t.getTime());
        else expect(zero.getTime()).toBeGreaterThan(t.getTime());
      }),
      laws,
    );
  });

  it('measures back what it adds: workingTimeBetween(t, addWorkingTime(t, d)) === d, both ways', () => {
    fc.assert(
      fc.property(compiled, instant, duration, fc.boolean(), (cal, t, d, back) => {
        const ms = back && d > 0 ? -d : d;
        expect(cal.workingTimeBetween(t, cal.addWorkingTime(t, ms))).toBe(ms);
      }),
      laws,
    );
  });

  it('lands forward in working time, and backward never on an opening', () => {
    fc.assert(
      fc.property(compiled, instant, duration, (cal, t, d) => {
        const ahead = cal.addWorkingTime(t, d);
        expect(cal.isWorkingTime(ahead)).toBe(true);
        expect(cal.nextWorkingTime(ahead).getTime()).toBe(ahead.getTime());
        if (d > 0) {
          // On a close or inside a period: the millisecond before it is working time.
          const behind = cal.addWorkingTime(t, -d);
          expect(cal.isWorkingTime(new Date(behind.getTime() - 1))).toBe(true);
        }
      }),
      laws,
    );
  });

  it('measures negative working time when the end comes first', () => {
    fc.assert(
      fc.property(compiled, instant, instant, (cal, a, b) => {
        // A sum, not a comparison with the negation: 0 and -0 are different to toBe.
        expect(cal.workingTimeBetween(a, b) + cal.workingTimeBetween(b, a)).toBe(0);
      }),
      laws,
    );
  });
});

function openFor(actor: Actor) {
  return {
    type: 'openTicket',
    channel: 'portal',
    requester: { id: actor.id },
    subject: 'Printer on fire',
    body: 'Smoke, then silence.',
  } as const;
}
