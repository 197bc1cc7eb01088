import type { ExtensionState, StoredEvent, Ticket } from '@tessera/core';
import type { CompiledRule, DefinedRules } from './definition';
import { type SlaSeen, slaSeenOf, trackSla, withSlaView } from './sla-view';

/**
 * What the rules extension keeps of each ticket, at `ticket.ext.rules`, folded from the ticket's
 * events in core's one pass — no stream is read or re-folded to decide a firing.
 */
export interface RulesState {
  /** When each rule last changed the ticket: the instant of the latest event carrying its id. */
  runs: Record<string, string>;
  /** Per automation (by id), what `isArmed` and `firingEpisode` read. */
  automations: Record<string, AutomationTrack>;
  /** The latest event folded: its instant and version (the episode's fallback name). */
  last?: { at: string; version: number };
  /** The SLA records as conditions on `sla.*` read them; kept only when a rule reads them. */
  sla?: SlaSeen;
}

/** One automation's history in brief: what its firing key and its re-arming depend on. */
export interface AutomationTrack {
  /** Whether it may fire: it never fired, or its condition was false at an event since it last did. */
  armed: boolean;
  /** How many true periods of its condition have begun. */
  runs: number;
  /** The current true period: the instant (ms) it began and its ordinal; absent while false. */
  since?: { at: number; run: number };
  /**
   * By the ticket as the latest event left it: the instants after that event at which a time
   * condition flips (its thresholds), each with the condition's truth from then on. They are
   * observed when the next event comes (those before it), or at `now` by `firingEpisode`.
   */
  ahead: [number, boolean][];
}

/** The slice of a ticket folded without the rules extension (and before its first event). */
const EMPTY: RulesState = { runs: {}, automations: {} };

/**
 * The ticket's rules slice (an empty one on a ticket folded without the rules extension).
 *
 * @example
 * rulesStateOf(ticket).runs['auto-close']; // → '2026-03-04T09:00:00.000Z', when it last acted
 */
export function rulesStateOf(ticket: Pick<Ticket, 'ext'>): RulesState {
  return (ticket.ext?.rules as RulesState | undefined) ?? EMPTY;
}

/** Starts, continues or ends the current true period, as the condition is found at `at`. */
function observe(track: { runs: number; since?: { at: number; run: number } }, at: number, holds: boolean) {
  if (!holds) delete track.since;
  else if (track.since === undefined) {
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
export function rulesState(defined: DefinedRules, readsSla: boolean): ExtensionState<RulesState> {
  const automations = defined.automations;
  return {
    initial: () => ({
      runs: {},
      automations: Object.fromEntries(
        automations.map((rule) => [rule.id, { armed: true, runs: 0, ahead: [] }]),
      ),
      ...(readsSla ? { sla: { breached: [], warned: [] } } : {}),
    }),
    apply(draft, event, ticket) {
      if (event.ruleId !== undefined) draft.runs[event.ruleId] = event.occurredAt;
      draft.last = { at: event.occurredAt, version: event.version };
      if (draft.sla) trackSla(draft.sla, event as StoredEvent);
      if (automations.length === 0) return;
      const at = Date.parse(event.occurredAt);
      const seen = draft.sla ? withSlaView(ticket, draft.sla) : ticket;
      for (const rule of automations) {
        let track = draft.automations[rule.id];
        if (!track) {
          track = { armed: true, runs: 0, ahead: [] };
          draft.automations[rule.id] = track;
        }
        // What the ticket as it was scheduled before this event happened.
        for (const [point, holds] of track.ahead) if (point < at) observe(track, point, holds);
        const holds = rule.test({ ticket: seen, now: new Date(at) });
        observe(track, at, holds);
        // A firing disarms the rule until its condition is false at an event (this one counts).
        if (event.ruleId === rule.id) track.armed = !holds;
        else if (!holds) track.armed = true;
        const ahead: [number, boolean][] = [];
        for (const threshold of rule.thresholds) {
          const point = threshold(ticket);
          if (point !== undefined && point > at)
            ahead.push([point, rule.test({ ticket: seen, now: new Date(point) })]);
        }
        track.ahead = ahead.sort((a, b) => a[0] - b[0]);
      }
    },
  };
}

/**
 * Whether an automation may fire on this ticket: unless it fired and its condition has held at
 * every change since. Read from the ticket's rules slice, so it survives restarts and holds across
 * processes (the log is the marker: events carry the rule's id).
 *
 * @example
 * if (isArmed(rule, ticket)) fire();
 */
export function isArmed(rule: CompiledRule, ticket: Pick<Ticket, 'ext'>): boolean {
  return rulesStateOf(ticket).automations[rule.id]?.armed ?? true;
}

/**
 * The instant at which an automation's condition last became true — the start of the true period
 * ("episode") a firing belongs to — and the ordinal of that period (`<ISO>/<n>`), read from the
 * ticket's rules slice: every process that decides the same firing computes the same value,
 * whatever version it decided on. An unrelated change (a note) in a true period leaves the start
 * where it was; a change that made the condition false starts a new episode when it is true again.
 * Thresholds after the latest event count up to `now` (or that event, if `now` is earlier).
 *
 * Falls back to the latest event's instant and version (`<ISO>/<version>v`) when the condition does
 * not hold by this account (a clock behind the log's), so the key is still one per version.
 *
 * @example
 * firingEpisode(autoClose, ticket, new Date('2026-03-04T09:00:00Z'));
 * // → '2026-03-03T09:00:00.000Z/1' (solved on the 2nd at 09:00: true a day later, the first time)
 */
export function firingEpisode(
  rule: CompiledRule,
  ticket: Pick<Ticket, 'ext'>,
  now: Date,
): string | undefined {
  const state = rulesStateOf(ticket);
  const track = state.automations[rule.id];
  const last = state.last;
  if (!track || !last) return undefined;
  const probe = { runs: track.runs, ...(track.since ? { since: track.since } : {}) };
  const to = Math.max(now.getTime(), Date.parse(last.at));
  for (const [point, holds] of track.ahead) if (point <= to) observe(probe, point, holds);
  return probe.since !== undefined
    ? `${new Date(probe.since.at).toISOString()}/${probe.since.run}`
    : `${last.at}/${last.version}v`;
}

/**
 * The idempotency key of one action of one automation firing: the rule, the ticket and the episode
 * name the firing, the index names the action. Never a stream version: two processes that decided
 * the same firing on different versions must produce the same key, so the append proves it once.
 *
 * @example
 * firingKey('auto-close-solved', 'T-1', '2026-03-03T09:00:00.000Z/1', 0);
 * // → 'rules:auto-close-solved:T-1@2026-03-03T09:00:00.000Z/1#0'
 */
export function firingKey(ruleId: string, ticketId: string, episode: string, index: number): string {
  return `rules:${ruleId}:${ticketId}@${episode}#${index}`;
}

/** How conditions read a ticket: with the SLA view its rules slice keeps, when rules read `sla.*`. */
export function conditionView(readsSla: boolean): (ticket: Ticket) => Ticket {
  return readsSla ? (ticket) => withSlaView(ticket, slaSeenOf(ticket)) : (ticket) => ticket;
}
