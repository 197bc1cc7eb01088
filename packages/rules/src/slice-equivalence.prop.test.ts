import {
  type Actor,
  type ExtensionState,
  evolve,
  fold,
  moduleSet,
  type StoredEvent,
  type Ticket,
} from '@tessera/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineRules } from './definition';
import { type AutomationTrack, automationPeriods } from './episodes';
import { isArmed, rulesState, rulesStateOf } from './firing';
import type { DefinedRules } from './rule-model';

// Two things the firing keys of multi-process desks depend on, over random histories (skewed
// clocks, events on a threshold's very instant, rule ids):
// - the rules slice judges a condition only at a firing and, while its automation is disarmed, at
//   the events after it; it must find the same `armed` as following every automation at every
//   event (`automationPeriods`), folded or evolved;
// - `automationPeriods` (judging every event at the ticket's clock) must find the same true periods
//   and episodes as the previous release's slice — which judged a condition only at an event that
//   changed a field it reads, and took its thresholds' word in between — fed the same events with
//   each instant raised to the latest before it: on a history whose clocks never go back, the keys
//   of the two releases are the same.

const HOUR = 3_600_000;
const agent: Actor = { kind: 'agent', id: 'a1' };
const customer: Actor = { kind: 'customer', id: 'c1' };

const defined = defineRules({
  templates: { nudge: 'Any news?' },
  automations: [
    {
      id: 'close',
      when: {
        all: [
          { field: 'category', op: 'is', value: 'solved' },
          { hoursSince: 'solved', gte: 3 },
        ],
      },
      then: [{ type: 'setStatus', status: 'closed' }],
    },
    {
      id: 'remind',
      when: {
        all: [
          { field: 'category', op: 'is', value: 'pending' },
          { hoursSince: 'statusChanged', gte: 2 },
        ],
      },
      then: [{ type: 'note', template: 'nudge' }],
    },
    {
      // True for a while after each reply on an urgent ticket: it turns false by time. (No rule here
      // reads updatedAt: every event changes it, so no event could be skipped.)
      id: 'fresh-urgent',
      when: {
        all: [
          { field: 'priority', op: 'is', value: 'urgent' },
          { hoursSince: 'lastAgentReply', lt: 2 },
        ],
      },
      then: [{ type: 'addTags', tags: ['hot'] }],
    },
    {
      // True for the first hour after a change to open: it turns false by time alone, and an
      // unrelated event after that re-arms it.
      id: 'just-opened',
      when: {
        all: [
          { field: 'category', op: 'is', value: 'open' },
          { hoursSince: 'statusChanged', lt: 1 },
        ],
      },
      then: [{ type: 'addTags', tags: ['welcome'] }],
    },
    {
      // A not over time, and a list field: never ruled out by its parts that do not read the time.
      id: 'quiet-billing',
      when: {
        any: [
          { not: { hoursSince: 'lastCustomerMessage', lt: 1 } },
          {
            all: [
              { field: 'tags', op: 'contains', value: 'billing' },
              { hoursSince: 'created', gte: 4 },
            ],
          },
        ],
      },
      then: [{ type: 'addTags', tags: ['quiet'] }],
    },
  ],
});

const STATUSES = [
  ['open', 'open'],
  ['pending', 'pending'],
  ['solved', 'solved'],
  ['closed', 'closed'],
] as const;

type Step = { kind: string; arg: number; minutes: number; rule: string | null };

/** One step of a history: what happens, how long after the previous event (may be 0 or negative: skewed clocks). */
const step = fc.record({
  kind: fc.constantFrom('status', 'customer', 'agent', 'tag', 'priority'),
  arg: fc.integer({ min: 0, max: 3 }),
  // Whole hours mostly, so events often fall on a threshold's very instant.
  minutes: fc.oneof(fc.constantFrom(0, 0, 30, 60, 60, 120, 180, -30), fc.integer({ min: 0, max: 300 })),
  rule: fc.option(fc.constantFrom('close', 'remind', 'fresh-urgent', 'just-opened', 'quiet-billing'), {
    freq: 3,
  }),
});

function history(steps: readonly Step[]): StoredEvent[] {
  let at = Date.parse('2026-03-02T09:00:00.000Z');
  let version = 0;
  let status: string = 'new';
  let category: string = 'new';
  let priority = 'normal';
  const ev = (type: string, data: unknown, actor: Actor, ruleId?: string | null) =>
    ({
      type,
      data,
      actor,
      eventId: `e${version + 1}`,
      occurredAt: new Date(at).toISOString(),
      schemaVersion: 1,
      streamId: 'ticket-T1',
      version: ++version,
      position: String(version).padStart(8, '0'),
      ...(ruleId ? { ruleId } : {}),
    }) as StoredEvent;
  const events = [
    ev(
      'TicketOpened',
      {
        ticketId: 'T1',
        number: 1,
        subject: 'Printer',
        channel: 'email',
        requester: { id: 'c1' },
        workflowId: 'default',
        status,
        category,
        priority,
        tags: [],
        fields: {},
      },
      customer,
    ),
  ];
  for (const s of steps) {
    at += s.minutes * 60_000;
    if (s.kind === 'status') {
      const [to, cat] = STATUSES[s.arg]!;
      events.push(
        ev(
          'StatusChanged',
          { from: status, to, fromCategory: category, category: cat, reason: 'manual' },
          agent,
          s.rule,
        ),
      );
      status = to;
      category = cat;
    } else if (s.kind === 'customer' || s.kind === 'agent') {
      const author = s.kind === 'customer' ? customer : agent;
      events.push(
        ev(
          'MessagePosted',
          {
            messageId: `m${version}`,
            author,
            visibility: s.arg === 0 ? 'internal' : 'public',
            body: 'x',
            channel: 'email',
            attachments: [],
          },
          author,
          s.rule,
        ),
      );
    } else if (s.kind === 'tag') {
      const tag = ['billing', 'vip', 'hot', 'quiet'][s.arg]!;
      events.push(
        ev(
          'TagsChanged',
          s.arg % 2 === 0 ? { added: [tag], removed: [] } : { added: [], removed: ['billing'] },
          agent,
          s.rule,
        ),
      );
    } else {
      const to = ['low', 'normal', 'high', 'urgent'][s.arg]!;
      events.push(ev('PriorityChanged', { from: priority, to }, agent, s.rule));
      priority = to;
    }
  }
  return events;
}

/** The ticket fields each automation above reads (lists as JSON). */
const READS: Record<string, readonly string[]> = {
  close: ['category', 'solvedAt'],
  remind: ['category', 'statusChangedAt'],
  'fresh-urgent': ['priority', 'lastAgentReplyAt'],
  'just-opened': ['category', 'statusChangedAt'],
  'quiet-billing': ['lastCustomerMessageAt', 'tags', 'createdAt'],
};

const slim = moduleSet([{ name: 'rules', state: rulesState(defined, false) }]);
const reference = moduleSet([{ name: 'rules', state: referenceState(defined) }]);

/** The events with each instant raised to the latest before it: the ticket's clock. */
function clocked(events: readonly StoredEvent[]): StoredEvent[] {
  let latest = '';
  return events.map((e) => {
    if (e.occurredAt > latest) latest = e.occurredAt;
    return { ...e, occurredAt: latest };
  });
}

/** When each rule last acted, straight from the events. */
function runsOf(events: readonly StoredEvent[]): Record<string, string> {
  const runs: Record<string, string> = {};
  for (const e of events) if (e.ruleId !== undefined) runs[e.ruleId] = e.occurredAt;
  return runs;
}

/** What the previous release's `firingEpisode` read of its slice. */
function referenceEpisode(track: AutomationTrack, ticket: Ticket, now: number): string {
  const probe = { runs: track.runs, since: track.since };
  for (const [point, holds] of track.ahead) if (point <= now) observe(probe, point, holds);
  return probe.since !== null
    ? `${new Date(probe.since.at).toISOString()}/${probe.since.run}`
    : `${ticket.updatedAt}/${ticket.version}v`;
}

describe('the rules slice and the true periods of automations, for any history', () => {
  it('the slice finds the armed of judging every event, and the periods and episodes are those of the previous release', {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const events = history(steps);
        const last = Date.parse(events[events.length - 1]!.occurredAt);
        const nows = [last, last + HOUR, last + 2.5 * HOUR, last + 5 * HOUR, last - HOUR];
        // Fed the events as they are, and fed them on the ticket's clock (as the previous release is).
        const periods = automationPeriods(defined.automations, false);
        const onClock = automationPeriods(defined.automations, false);
        const timed = clocked(events);
        for (let n = 1; n <= events.length; n++) {
          const prefix = events.slice(0, n);
          periods.step(fold(prefix)!, prefix[n - 1]!);
          const clockedTicket = fold(timed.slice(0, n))!;
          onClock.step(clockedTicket, timed[n - 1]!);
          const ticket = fold(prefix, slim)!;
          const old = fold(timed.slice(0, n), reference)!.ext.rules as ReferenceState;
          expect(rulesStateOf(ticket).runs).toEqual(runsOf(prefix));
          for (const rule of defined.automations) {
            expect({ rule: rule.id, armed: isArmed(rule, ticket) }).toEqual({
              rule: rule.id,
              armed: periods.track(rule).armed,
            });
            const expected = old.automations[rule.id]!;
            expect({ rule: rule.id, track: onClock.track(rule) }).toEqual({ rule: rule.id, track: expected });
            expect(nows.map((now) => onClock.episode(rule, clockedTicket, new Date(now)))).toEqual(
              nows.map((now) => referenceEpisode(expected, clockedTicket, now)),
            );
          }
        }
        // Evolved one event at a time (immer drafts of the previous, frozen ticket), as the desk does.
        let evolved: Ticket | undefined;
        for (const event of events) evolved = evolve(evolved, event, slim);
        const folded = fold(events, slim)!;
        expect(evolved!.ext.rules).toEqual(folded.ext.rules);
        for (const rule of defined.automations)
          expect(isArmed(rule, evolved!)).toBe(periods.track(rule).armed);
      }),
      { numRuns: 300 },
    );
  });
});

/** Starts, continues or ends the current true period, as the condition is found at `at`. */
function observe(
  track: { runs: number; since: { at: number; run: number } | null },
  at: number,
  holds: boolean,
) {
  if (!holds) {
    if (track.since !== null) track.since = null;
  } else if (track.since === null) {
    track.runs += 1;
    track.since = { at, run: track.runs };
  }
}

/** The previous release's slice, less `runs`: per automation its track, and what its conditions read. */
interface ReferenceState {
  automations: Record<string, AutomationTrack>;
  inputs?: string[];
}

/**
 * The previous release's rules slice: a condition is judged at each event that changes a field it
 * reads, as the ticket stands after it, and at the instants its time conditions flip between two
 * events; at any other event its truth is the one its thresholds scheduled.
 */
function referenceState(defined: DefinedRules): ExtensionState<ReferenceState> {
  const automations = defined.automations;
  const fields = [...new Set(automations.flatMap((rule) => READS[rule.id]!))];
  const read = (ticket: Ticket) =>
    fields.map((f) => JSON.stringify((ticket as unknown as Record<string, unknown>)[f]) ?? '');
  return {
    initial: () => ({
      automations: Object.fromEntries(
        automations.map((rule) => [rule.id, { armed: true, runs: 0, since: null, ahead: [] }]),
      ),
    }),
    apply(draft, event, ticket) {
      const now = read(ticket);
      const before = draft.inputs;
      const at = Date.parse(event.occurredAt);
      for (const rule of automations) {
        const track = draft.automations[rule.id]!;
        const changed =
          before === undefined ||
          READS[rule.id]!.some((f) => now[fields.indexOf(f)] !== before[fields.indexOf(f)]);
        let holds: boolean;
        if (changed) {
          // What the ticket as it was scheduled before this event happened, then the new ticket.
          for (const [point, truth] of track.ahead) if (point < at) observe(track, point, truth);
          holds = rule.test({ ticket, now: new Date(at) });
          observe(track, at, holds);
          const points: number[] = [];
          for (const threshold of rule.thresholds) {
            const point = threshold(ticket);
            if (point !== undefined && point > at) points.push(point);
          }
          // Only the points where the truth flips: observing the truth it already has changes nothing.
          const ahead: [number, boolean][] = [];
          let truth = holds;
          for (const point of points.sort((a, b) => a - b)) {
            const then = rule.test({ ticket, now: new Date(point) });
            if (then !== truth) ahead.push([point, then]);
            truth = then;
          }
          track.ahead = ahead;
        } else {
          // Nothing it reads changed: its truth at this instant is the schedule's.
          let passed = 0;
          for (const [point, truth] of track.ahead) {
            if (point > at) break;
            observe(track, point, truth);
            passed++;
          }
          track.ahead = track.ahead.slice(passed);
          holds = track.since !== null;
        }
        // A firing disarms the rule until its condition is false at an event (this one counts).
        if (event.ruleId === rule.id) track.armed = !holds;
        else if (!holds && !track.armed) track.armed = true;
      }
      draft.inputs = now;
    },
  };
}
