import type { ExtensionState, StoredEvent, Ticket } from '@tessera/core';
import { conditionInputs, readsSlaField } from './condition-inputs';
import type { CompiledRule, DefinedRules } from './definition';
import { parseInstant } from './hours-since';
import { type SlaSeen, slaSeenOf, trackSla, withSlaView } from './sla-view';

/**
 * What the rules extension keeps of each ticket, at `ticket.ext.rules`, folded from the ticket's
 * events in core's one pass — no stream is read or re-folded to decide a firing.
 */
export interface RulesState {
  /** When each rule last changed the ticket: the instant of the latest event carrying its id. */
  runs: Record<string, string>;
  /**
   * Per automation (by id), what `isArmed` and `firingEpisode` read. An automation whose condition
   * has not held yet may have no track: it is armed, with no true period begun.
   */
  automations: Record<string, AutomationTrack>;
  /**
   * What the automations' conditions read of the ticket as the latest event left it (each field
   * they name, lists and objects as JSON): an event that changes none of a rule's leaves its truth
   * where its thresholds had put it, so the rule is not evaluated again for it.
   */
  inputs?: unknown[];
  /** The SLA records as conditions on `sla.*` read them; kept only when a rule reads them. */
  sla?: SlaSeen;
  /** The earliest instant (ms) of any automation's `ahead`: events before it change no track. */
  next?: number;
}

/** One automation's history in brief: what its firing key and its re-arming depend on. */
export interface AutomationTrack {
  /** Whether it may fire: it never fired, or its condition was false at an event since it last did. */
  armed: boolean;
  /** How many true periods of its condition have begun. */
  runs: number;
  /** The current true period: the instant (ms) it began and its ordinal; null while false. */
  since: { at: number; run: number } | null;
  /**
   * By the ticket as the latest event left it: the instants after that event at which the
   * condition's truth flips (at one of its thresholds), each with the truth from then on. They are
   * observed when the next event comes (those before it), or at `now` by `firingEpisode`.
   */
  ahead: [number, boolean][];
}

/** The slice of a ticket folded without the rules extension. */
const EMPTY: RulesState = { runs: {}, automations: {} };

/**
 * An automation with no track yet: armed, never true. A new slice shares the frozen empties below
 * until it writes: most events of most tickets leave most automations false, so they cost nothing.
 */
const IDLE: AutomationTrack = Object.freeze({
  armed: true,
  runs: 0,
  since: null,
  ahead: Object.freeze([]) as unknown as [number, boolean][],
});
const NO_RUNS = Object.freeze({}) as Record<string, string>;
const NO_TRACKS = Object.freeze({}) as Record<string, AutomationTrack>;

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
 * `draft[key]`, writable: a slice the fold made starts out sharing a frozen empty, replaced at the
 * first write (`evolve`'s immer drafts are writable as they are).
 */
function writable<K extends 'runs' | 'automations'>(draft: RulesState, key: K): RulesState[K] {
  const value: unknown = draft[key];
  if (value === NO_RUNS || value === NO_TRACKS) draft[key] = {} as RulesState[K];
  return draft[key];
}

/** The earliest instant ahead of any automation: an event before it changes no track. */
function earliestAhead(draft: RulesState, ids: readonly string[]): number | undefined {
  let next: number | undefined;
  if (draft.automations === NO_TRACKS) return next;
  for (const id of ids) {
    const first = draft.automations[id]?.ahead[0];
    if (first !== undefined && (next === undefined || first[0] < next)) next = first[0];
  }
  return next;
}

/**
 * The rules extension's slice: folded from every event of the ticket, it records when each rule
 * last acted (events carry the rule's id), and, per automation, whether it is armed and the true
 * period its condition is in. The condition is judged at each event, as the ticket stands after it,
 * and at the instants its time conditions flip between two events — so a change undone in the same
 * millisecond still ends a true period, and a period begun by time alone starts at its threshold.
 *
 * Most events cost a look at the fields the conditions read and nothing more: one that changes
 * none of them, carries no rule's id and comes before every automation's next flip (`next`) leaves
 * every track as it was (after any event, a rule whose condition is false is armed, so there is
 * nothing to re-arm). A condition that the parts not reading the time make false (`possible`) is
 * false at every instant until they change, so its thresholds are not computed.
 *
 * @example
 * const extension = { name: 'rules', state: rulesState(defined, readsSla(all)) };
 */
export function rulesState(defined: DefinedRules, readsSla: boolean): ExtensionState<RulesState> {
  const automations = defined.automations;
  const { readers, uses } = conditionInputs(automations);
  const ids = automations.map((rule) => rule.id);
  // Scratch space of the fold (one event at a time): each input's value and whether it changed.
  const scratch: unknown[] = readers.map(() => undefined);
  const dirty: boolean[] = readers.map(() => false);
  const slaRules = automations.map((rule) => readsSlaField(rule.when));
  const anySlaRule = slaRules.includes(true);
  const always = () => true;
  const possible = automations.map((rule) => rule.possible ?? always);
  // One subject and one clock for every judgement of the fold: predicates read them and keep nothing.
  const clock = new Date(0);
  const subject: { ticket: Ticket; now: Date } = { ticket: undefined as unknown as Ticket, now: clock };
  const judge = (rule: CompiledRule, ticket: Ticket, at: number) => {
    clock.setTime(at);
    subject.ticket = ticket;
    return rule.test(subject);
  };
  return {
    initial: readsSla
      ? () => ({ runs: NO_RUNS, automations: NO_TRACKS, sla: { breached: [], warned: [] } })
      : () => ({ runs: NO_RUNS, automations: NO_TRACKS }),
    apply(draft, event, ticket) {
      const ruleId = event.ruleId;
      if (ruleId !== undefined) writable(draft, 'runs')[ruleId] = event.occurredAt;
      const slaEvent = event.type === 'SlaWarning' || event.type === 'SlaBreached';
      if (draft.sla && slaEvent) trackSla(draft.sla, event as StoredEvent);
      if (automations.length === 0) return;
      const before = draft.inputs;
      let changedAny = before === undefined;
      for (let i = 0; i < readers.length; i++) {
        const v = readers[i]!(ticket);
        scratch[i] = v;
        const d = before === undefined || v !== before[i];
        dirty[i] = d;
        if (d) changedAny = true;
      }
      // Most events: nothing an automation reads changed, and no flip ahead is reached.
      if (
        !changedAny &&
        ruleId === undefined &&
        !(slaEvent && anySlaRule) &&
        (draft.next === undefined || parseInstant(event.occurredAt) < draft.next)
      )
        return;
      let at: number | undefined;
      let seen: Ticket | undefined;
      for (let r = 0; r < automations.length; r++) {
        const rule = automations[r]!;
        const id = ids[r]!;
        const tracks = draft.automations;
        let track: AutomationTrack | undefined = tracks === NO_TRACKS ? undefined : tracks[id];
        let changed = before === undefined || (slaEvent && slaRules[r]!);
        if (!changed && changedAny) for (const i of uses[r]!) if (dirty[i]) changed = true;
        let holds: boolean;
        if (changed) {
          seen ??= draft.sla ? withSlaView(ticket, draft.sla) : ticket;
          subject.ticket = seen;
          if (!possible[r]!(subject)) {
            // False now and at every threshold: what judging it in full would find.
            holds = false;
            if (track !== undefined) {
              if (track.ahead.length > 0) {
                at ??= parseInstant(event.occurredAt);
                for (const [point, truth] of track.ahead) if (point < at) observe(track, point, truth);
                track.ahead = [];
              }
              observe(track, Number.NaN, false);
            }
          } else {
            if (track === undefined) {
              track = { armed: true, runs: 0, since: null, ahead: [] };
              writable(draft, 'automations')[id] = track;
            }
            at ??= parseInstant(event.occurredAt);
            // What the ticket as it was scheduled before this event happened, then the new ticket.
            for (const [point, truth] of track.ahead) if (point < at) observe(track, point, truth);
            holds = judge(rule, seen, at);
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
              const then = judge(rule, seen, point);
              if (then !== truth) ahead.push([point, then]);
              truth = then;
            }
            if (ahead.length > 0 || track.ahead.length > 0) track.ahead = ahead;
          }
        } else if (track === undefined) {
          holds = false;
        } else {
          // Nothing it reads changed: its truth at this instant is the schedule's (the thresholds
          // up to now), exactly what evaluating it again would find.
          if (track.ahead.length > 0) {
            at ??= parseInstant(event.occurredAt);
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
        // Without a track the condition is false and the rule armed: nothing to record.
        if (track === undefined) continue;
        if (ruleId === id) track.armed = !holds;
        else if (!holds && !track.armed) track.armed = true;
      }
      // In place: the fold's slice is its own, and evolve's is an immer draft.
      if (before === undefined) draft.inputs = scratch.slice();
      else if (changedAny) for (let i = 0; i < readers.length; i++) before[i] = scratch[i];
      const next = earliestAhead(draft, ids);
      if (next !== draft.next) {
        if (next === undefined) delete draft.next;
        else draft.next = next;
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
 * const autoClose = defineRules({ automations: [classics.autoCloseSolved({ days: 4 })] }).automations[0]!;
 * isArmed(autoClose, ticket); // false only after it fired while the ticket stayed solved: once per solved period
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
 * Thresholds after the latest event count up to `now`.
 *
 * Falls back to the ticket's last update and version (`<ISO>/<version>v`) when the condition does
 * not hold by this account (a clock behind the log's), so the key is still one per version.
 *
 * @example
 * const autoClose = defineRules({ automations: [classics.autoCloseSolved({ days: 1 })] }).automations[0]!;
 * firingEpisode(autoClose, ticket, new Date('2026-03-04T09:00:00Z'));
 * // → '2026-03-03T09:00:00.000Z/1' (solved on the 2nd at 09:00: true a day later, the first time)
 */
export function firingEpisode(
  rule: CompiledRule,
  ticket: Pick<Ticket, 'ext' | 'updatedAt' | 'version'>,
  now: Date,
): string | undefined {
  const state = rulesStateOf(ticket);
  if (state === EMPTY) return undefined;
  const track = state.automations[rule.id] ?? IDLE;
  const probe = { runs: track.runs, since: track.since };
  // Every point ahead lies after the latest event, so `now` alone bounds them.
  for (const [point, holds] of track.ahead) if (point <= now.getTime()) observe(probe, point, holds);
  return probe.since !== null
    ? `${new Date(probe.since.at).toISOString()}/${probe.since.run}`
    : `${ticket.updatedAt}/${ticket.version}v`;
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

/**
 * How conditions read a ticket: with the SLA view its rules slice keeps, when rules read `sla.*`.
 *
 * @example
 * const view = conditionView(readsSla(defined.automations));
 * rule.test({ ticket: view(ticket), now });
 */
export function conditionView(readsSla: boolean): (ticket: Ticket) => Ticket {
  return readsSla ? (ticket) => withSlaView(ticket, slaSeenOf(ticket)) : (ticket) => ticket;
}
