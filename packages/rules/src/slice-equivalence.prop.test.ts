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
import { conditionInputs } from './condition-inputs';
import { type DefinedRules, defineRules } from './definition';
import { firingEpisode, isArmed, type RulesState, rulesState, rulesStateOf } from './firing';
import { trackSla, withSlaView } from './sla-view';

// The rules slice's fold skips most events (nothing its automations read changed, no flip ahead
// reached) and most thresholds (a condition its non-time parts make false). The firing keys of
// multi-process desks depend on it finding exactly what judging every event did: this property
// folds random histories with both and compares everything a firing reads.

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

const fast = moduleSet([{ name: 'rules', state: rulesState(defined, false) }]);
const reference = moduleSet([{ name: 'rules', state: referenceRulesState(defined, false) }]);

/** Everything a firing reads of the slice, per automation (a missing track is an idle one). */
function reading(ticket: Ticket, nows: number[]) {
  const state = rulesStateOf(ticket);
  return {
    runs: state.runs,
    automations: defined.automations.map((rule) => {
      const track = state.automations[rule.id] ?? { armed: true, runs: 0, since: null, ahead: [] };
      return {
        armed: isArmed(rule, ticket),
        track: { armed: track.armed, runs: track.runs, since: track.since, ahead: track.ahead },
        episodes: nows.map((now) => firingEpisode(rule, ticket, new Date(now))),
      };
    }),
  };
}

describe('the rules slice, for any history', () => {
  it('finds what judging every event finds: the same runs, armed, periods and firing episodes, folded or evolved', {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const events = history(steps);
        const last = Date.parse(events[events.length - 1]!.occurredAt);
        const nows = [last, last + HOUR, last + 2.5 * HOUR, last + 5 * HOUR, last - HOUR];
        for (let n = 1; n <= events.length; n++) {
          const prefix = events.slice(0, n);
          const expected = reading(fold(prefix, reference)!, nows);
          expect(reading(fold(prefix, fast)!, nows)).toEqual(expected);
        }
        // Evolved one event at a time (immer drafts of the previous, frozen ticket), as the desk does.
        let evolved: Ticket | undefined;
        for (const event of events) evolved = evolve(evolved, event, fast);
        expect(reading(evolved!, nows)).toEqual(reading(fold(events, reference)!, nows));
      }),
      { numRuns: 300 },
    );
  });
});

function readsSlaField(when: unknown): boolean {
  return JSON.stringify(when ?? null).includes('"sla.');
}

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

/**
 * The rules extension's slice: folded from every event of the ticket, it records when each rule
 * last acted (events carry the rule's id), and, per automation, whether it is armed and the true
 * period its condition is in. The condition is judged at each event, as the ticket stands after it,
 * and at the instants its time conditions flip between two events — so a change undone in the same
 * millisecond still ends a true period, and a period begun by time alone starts at its threshold.
 *
 * @example
 * const extension = { name: 'rules', state: rulesState(defined, readsSla(all)) };
 */
function referenceRulesState(defined: DefinedRules, readsSla: boolean): ExtensionState<RulesState> {
  const automations = defined.automations;
  const { readers, uses } = conditionInputs(automations);
  const ids = automations.map((rule) => rule.id);
  // Scratch space of the fold (one event at a time): each input's value and whether it changed.
  const scratch: unknown[] = readers.map(() => undefined);
  const dirty: boolean[] = readers.map(() => false);
  const slaRules = automations.map((rule) => readsSlaField(rule.when));
  return {
    initial: () => ({
      runs: {},
      automations: Object.fromEntries(
        automations.map((rule) => [rule.id, { armed: true, runs: 0, since: null, ahead: [] }]),
      ),
      ...(readsSla ? { sla: { breached: [], warned: [] } } : {}),
    }),
    apply(draft, event, ticket) {
      if (event.ruleId !== undefined) draft.runs[event.ruleId] = event.occurredAt;
      const slaEvent = event.type === 'SlaWarning' || event.type === 'SlaBreached';
      if (draft.sla && slaEvent) trackSla(draft.sla, event as StoredEvent);
      if (automations.length === 0) return;
      // Which inputs this event changed, without allocating when none did (most events).
      const before = draft.inputs;
      let changedAny = before === undefined;
      for (let i = 0; i < readers.length; i++) {
        const v = readers[i]!(ticket);
        scratch[i] = v;
        dirty[i] = before === undefined || v !== before[i];
        if (dirty[i]) changedAny = true;
      }
      let at: number | undefined;
      let seen: Ticket | undefined;
      for (let r = 0; r < automations.length; r++) {
        const rule = automations[r]!;
        let track = draft.automations[ids[r]!];
        if (!track) {
          track = { armed: true, runs: 0, since: null, ahead: [] };
          draft.automations[rule.id] = track;
        }
        let changed = before === undefined || (slaEvent && slaRules[r]!);
        if (!changed && changedAny) for (const i of uses[r]!) if (dirty[i]) changed = true;
        let holds: boolean;
        if (changed) {
          at ??= Date.parse(event.occurredAt);
          // What the ticket as it was scheduled before this event happened, then the new ticket.
          for (const [point, truth] of track.ahead) if (point < at) observe(track, point, truth);
          seen ??= draft.sla ? withSlaView(ticket, draft.sla) : ticket;
          holds = rule.test({ ticket: seen, now: new Date(at) });
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
            const then = rule.test({ ticket: seen, now: new Date(point) });
            if (then !== truth) ahead.push([point, then]);
            truth = then;
          }
          if (ahead.length > 0 || track.ahead.length > 0) track.ahead = ahead;
        } else {
          // Nothing it reads changed: its truth at this instant is the schedule's (the thresholds
          // up to now), exactly what evaluating it again would find.
          if (track.ahead.length > 0) {
            at ??= Date.parse(event.occurredAt);
            let passed = 0;
            for (const [point, truth] of track.ahead) {
              if (point > at) break;
              observe(track, point, truth);
              passed++;
            }
            if (passed > 0) track.ahead = track.ahead.slice(passed);
          }
          holds = track.since !== null;
        }
        // A firing disarms the rule until its condition is false at an event (this one counts).
        if (event.ruleId === ids[r]) track.armed = !holds;
        else if (!holds && !track.armed) track.armed = true;
      }
      if (changedAny) draft.inputs = scratch.slice();
    },
  };
}
