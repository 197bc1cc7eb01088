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
  /**
   * What the automations' conditions read of the ticket as the latest event left it (each field
   * they name, lists and objects as JSON): an event that changes none of a rule's leaves its truth
   * where its thresholds had put it, so the rule is not evaluated again for it.
   */
  inputs?: unknown[];
  /** The SLA records as conditions on `sla.*` read them; kept only when a rule reads them. */
  sla?: SlaSeen;
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

/** The ticket fields each time base of `hoursSince` reads. */
const BASE_FIELDS: Record<string, string[]> = {
  created: ['createdAt'],
  updated: ['updatedAt'],
  solved: ['category', 'solvedAt'],
  statusChanged: ['statusChangedAt'],
  lastCustomerMessage: ['lastCustomerMessageAt'],
  lastAgentReply: ['lastAgentReplyAt'],
};

/** The ticket fields a condition reads (`sla.*` come from SLA events; an automation has no event). */
function fieldsOf(node: unknown, out: Set<string>): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as Record<string, unknown>;
  for (const key of ['all', 'any'])
    if (Array.isArray(n[key])) for (const child of n[key] as unknown[]) fieldsOf(child, out);
  if ('not' in n) fieldsOf(n.not, out);
  if (typeof n.hoursSince === 'string') for (const f of BASE_FIELDS[n.hoursSince] ?? []) out.add(f);
  if (typeof n.field !== 'string' || n.field.startsWith('event.') || n.field.startsWith('sla.')) return;
  if (n.field === 'organization') out.add('requester.organizationId');
  out.add(n.field);
}

function readsSlaField(when: unknown): boolean {
  return JSON.stringify(when ?? null).includes('"sla.');
}

/**
 * Reads, in one go, every ticket field the automations' conditions name (lists and objects as
 * JSON, so an in-place change is seen), and which of them each automation uses.
 */
function conditionInputs(automations: readonly CompiledRule[]): {
  readers: ((ticket: Ticket) => unknown)[];
  uses: number[][];
} {
  const index = new Map<string, number>();
  const uses = automations.map((rule) => {
    const fields = new Set<string>();
    fieldsOf(rule.when, fields);
    return [...fields].map((f) => {
      if (!index.has(f)) index.set(f, index.size);
      return index.get(f)!;
    });
  });
  const readers = [...index.keys()].map((field) => {
    const parts = field.split('.');
    if (parts.length === 1) {
      const [key] = parts as [string];
      return (ticket: Ticket) => {
        const v = (ticket as unknown as Record<string, unknown>)[key];
        return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
      };
    }
    return (ticket: Ticket) => {
      let v: unknown = ticket;
      for (let i = 0; i < parts.length; i++)
        v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[parts[i]!] : undefined;
      return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
    };
  });
  return { readers, uses };
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
export function rulesState(defined: DefinedRules, readsSla: boolean): ExtensionState<RulesState> {
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
  const track = rulesStateOf(ticket).automations[rule.id];
  if (!track) return undefined;
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
