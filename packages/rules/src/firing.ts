import type { ExtensionState, StoredEvent, Ticket } from '@tessera/core';
import { parseInstant } from './hours-since';
import type { CompiledRule, DefinedRules } from './rule-model';
import { type SlaSeen, slaSeenOf, trackSla, withSlaView } from './sla-view';

/**
 * What the rules extension keeps of each ticket, at `ticket.ext.rules`, folded from the ticket's
 * events in core's one pass: what deciding whether an automation is due reads. The true periods a
 * firing's key names are not kept here: they are worked out from the ticket's history when a
 * firing is decided (see `automationPeriods`), so replaying the log judges no condition.
 */
export interface RulesState {
  /** When each rule last changed the ticket: the instant of the latest event carrying its id. */
  runs: Record<string, string>;
  /**
   * The automations that fired and whose condition has held at every event since (by id): they do
   * not fire again until it is false at an event. Every other automation is armed; absent when
   * none is disarmed (most tickets, most of the time).
   */
  disarmed?: Record<string, true>;
  /**
   * The latest instant at which an automation was judged here (at a firing, and at each event while
   * one is disarmed): they are judged at this instant or their event's, whichever is later, so an
   * event stamped earlier than the firing (another process's clock behind) does not re-arm it.
   */
  latest: string;
  /** The SLA records as conditions on `sla.*` read them; kept only when a rule reads them. */
  sla?: SlaSeen;
}

/** The slice of a ticket folded without the rules extension. */
const EMPTY: RulesState = Object.freeze({ runs: {}, latest: '' });

/** A new slice shares this frozen empty until a rule acts: most tickets never see a firing. */
const NO_RUNS = Object.freeze({}) as Record<string, string>;

/** The slice of every new ticket when no rule reads `sla.*`: shared and frozen until a rule acts. */
const INITIAL: RulesState = Object.freeze({ runs: NO_RUNS, latest: '' });

/**
 * The ticket's rules slice (an empty one on a ticket folded without the rules extension).
 *
 * @example
 * rulesStateOf(ticket).runs['auto-close']; // → '2026-03-04T09:00:00.000Z', when it last acted
 */
export function rulesStateOf(ticket: Pick<Ticket, 'ext'>): RulesState {
  return (ticket.ext?.rules as RulesState | undefined) ?? EMPTY;
}

/**
 * The rules extension's slice: folded from every event of the ticket, it records when each rule
 * last acted (events carry the rule's id) and which automations are disarmed — an automation is
 * disarmed by an event carrying its id after which its condition holds, and armed again at the
 * first event after which it does not, judged at `latest` or the event's instant, the later.
 *
 * Only a firing and the events after it, while its automation stays disarmed, judge a condition.
 * The fold calls the slice only for those events, for the events a rule caused and (when rules
 * read `sla.*`) for SLA's: any other event costs it nothing.
 *
 * @example
 * const extension = { name: 'rules', state: rulesState(defined, readsSla(all)) };
 */
export function rulesState(defined: DefinedRules, readsSla: boolean): ExtensionState<RulesState> {
  const byId = new Map(defined.automations.map((rule) => [rule.id, rule]));
  // One subject and one clock for every judgement of the fold: predicates read them and keep nothing.
  const clock = new Date(0);
  const subject: { ticket: Ticket; now: Date } = { ticket: undefined as unknown as Ticket, now: clock };
  return {
    // Without `sla.*` conditions every ticket starts from one shared frozen slice, until a rule acts.
    initial: readsSla
      ? () => ({ runs: NO_RUNS, latest: '', sla: { breached: [], warned: [] } })
      : () => INITIAL,
    // Called for the events a rule caused, for SLA's when rules read `sla.*`, and for every event
    // while an automation is disarmed; any other event leaves the slice as it is.
    on: readsSla ? ['SlaWarning', 'SlaBreached'] : [],
    onRule: true,
    followAll: (state) => state.disarmed !== undefined,
    apply(state, event, ticket) {
      // Only primitives and absent fields are read on the way to the common return: under
      // `evolve`'s immer draft, reading an object field makes a draft of it.
      const ruleId = event.ruleId;
      let draft = state;
      if (ruleId !== undefined) {
        if (draft === INITIAL) draft = { runs: {}, latest: '' };
        else if (draft.runs === NO_RUNS) draft.runs = {};
        draft.runs[ruleId] = event.occurredAt;
      }
      if ((event.type === 'SlaWarning' || event.type === 'SlaBreached') && draft.sla)
        trackSla(draft.sla, event as StoredEvent);
      const fired = ruleId === undefined ? undefined : byId.get(ruleId);
      if (fired === undefined && draft.disarmed === undefined) return draft === state ? undefined : draft;
      if (event.occurredAt > draft.latest) draft.latest = event.occurredAt;
      clock.setTime(parseInstant(draft.latest));
      subject.ticket = draft.sla ? withSlaView(ticket, draft.sla) : ticket;
      // Still disarmed: those whose condition holds after this event; and the one that just fired
      // is disarmed if its condition holds after its own action.
      const still: string[] = [];
      for (const id of Object.keys(draft.disarmed ?? {}))
        if (id !== ruleId && byId.get(id)?.test(subject) === true) still.push(id);
      if (fired?.test(subject)) still.push(fired.id);
      if (still.length > 0) draft.disarmed = Object.fromEntries(still.map((id) => [id, true as const]));
      else if (draft.disarmed !== undefined) delete draft.disarmed;
      return draft === state ? undefined : draft;
    },
  };
}

/**
 * Whether an automation may fire on this ticket: unless it fired and its condition has held at
 * every event since. Read from the ticket's rules slice, so it survives restarts and holds across
 * processes (the log is the marker: events carry the rule's id).
 *
 * @example
 * const autoClose = defineRules({ automations: [classics.autoCloseSolved({ days: 4 })] }).automations[0]!;
 * isArmed(autoClose, ticket); // false only after it fired while the ticket stayed solved: once per solved period
 */
export function isArmed(rule: CompiledRule, ticket: Pick<Ticket, 'ext'>): boolean {
  return rulesStateOf(ticket).disarmed?.[rule.id] !== true;
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
