import type {
  Condition,
  EventType,
  JsonValue,
  Party,
  PRIORITIES,
  Predicate,
  Problem,
  Ticket,
  WorkingTimeCalendar,
} from '@tessera/core';
import type { ParsedTemplate } from './template';

/**
 * Anything with working-time arithmetic, such as an `@tessera/sla` business calendar: core's
 * `WorkingTimeCalendar`, under the name rules used first.
 */
export type RuleCalendar = WorkingTimeCalendar;

export type HoursSinceBase =
  | 'created'
  | 'updated'
  | 'solved'
  | 'statusChanged'
  | 'lastCustomerMessage'
  | 'lastAgentReply';

/** A time condition: hours since an instant of the ticket, in calendar hours or a named calendar's working hours. */
export interface HoursSince {
  hoursSince: HoursSinceBase;
  gte?: number;
  lt?: number;
  calendar?: string;
}

export type Recipient = 'requester' | 'assignee' | 'followers' | 'team' | 'address';

/** What a rule does: `{ type, ...params }`. */
export type Action =
  | { type: 'setStatus'; status: string }
  | { type: 'setPriority'; priority: (typeof PRIORITIES)[number] }
  | { type: 'setType'; ticketType: string }
  | { type: 'assign'; assignee?: string; team?: string; strategy?: 'manual' | 'round-robin' | 'balanced' }
  | { type: 'unassign'; team?: boolean }
  | { type: 'addTags'; tags: string[] }
  | { type: 'removeTags'; tags: string[] }
  | { type: 'setFields'; fields: Record<string, JsonValue> }
  | { type: 'addFollower'; follower: Party }
  | { type: 'reply'; template: string }
  | { type: 'note'; template: string }
  | { type: 'notify'; to: Recipient; template: string; address?: string };

export interface Trigger {
  id: string;
  /**
   * Event types that can set it off (core's, Tessera's extensions', or those listed in the
   * definition's `eventTypes`); omitted: any.
   */
  on?: (EventType | (string & {}))[];
  when?: Condition<HoursSince>;
  then: Action[];
  enabled?: boolean;
}

export interface Automation {
  id: string;
  when: Condition<HoursSince>;
  then: Action[];
  enabled?: boolean;
}

export interface TeamConfig {
  /**
   * Agents of the team. `available: false` skips one in round-robin and balanced assignment;
   * `email` is where `notify` (to the team or to the assignee) reaches them.
   */
  members: { id: string; email?: string; available?: boolean }[];
  strategy?: 'manual' | 'round-robin' | 'balanced';
}

export interface RulesDefinition {
  triggers?: Trigger[];
  automations?: Automation[];
  /** Named Liquid templates; `reply`, `note` and `notify` name one. Canned responses are templates too. */
  templates?: Record<string, string>;
  teams?: Record<string, TeamConfig>;
  /** Statuses rules may set or test; when given, an unknown one is a configuration error. */
  knownStatuses?: string[];
  /** The desk's workflows: their statuses (and `merged`) become the known statuses. */
  workflows?: readonly { readonly statuses: readonly { readonly id: string }[] }[];
  /** Teams conditions and actions may name; defaults to the keys of `teams` when that is given. */
  knownTeams?: string[];
  calendars?: Record<string, RuleCalendar>;
  /** Event types of your own modules that triggers may name (`on`, `event.type`) besides core's. */
  eventTypes?: string[];
}

export interface CompiledRule {
  id: string;
  kind: 'trigger' | 'automation';
  on?: ReadonlySet<string>;
  /** The condition as written (for `explain`). */
  when: unknown;
  test: Predicate;
  then: Action[];
  /** Instants at which the time conditions may change truth, for computing `due` without polling. */
  thresholds: ((ticket: Ticket) => number | undefined)[];
  /**
   * False when the condition holds at no instant for the ticket as it stands (the parts that do
   * not read the time decide it): the rules slice then skips its thresholds. Absent: it may hold.
   */
  possible?: Predicate;
  /** Where the rule stands in the definition (`triggers[2]`), for errors found later (`init`). */
  path: string;
}

/** Rules validated and compiled once, ready for the `rules()` extension and `explain`. */
export interface DefinedRules {
  readonly triggers: readonly CompiledRule[];
  readonly automations: readonly CompiledRule[];
  readonly templates: ReadonlyMap<string, ParsedTemplate>;
  readonly teams: Readonly<Record<string, TeamConfig>>;
  readonly calendars: Readonly<Record<string, RuleCalendar>>;
  /**
   * Rules that may undo each other (pairs, and cycles of any length), found when defined: not
   * errors, a person should look. Rules that certainly do are a `ConfigError` instead.
   */
  readonly warnings: readonly Problem[];
}
