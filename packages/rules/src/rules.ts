import {
  CHANNELS,
  type Condition,
  ConfigError,
  EVENT_TYPES,
  type EventType,
  type FieldType,
  type JsonValue,
  type Party,
  PRIORITIES,
  type Predicate,
  type Problem,
  STATUS_CATEGORIES,
  TICKET_CONDITION_FIELDS,
  type Ticket,
  tryCompileCondition,
} from '@tessera/core';
import { type ParsedTemplate, parseTemplate, templateEngine } from './template';

/** Anything with working-time arithmetic, such as an `@tessera/sla` business calendar. */
export interface RuleCalendar {
  workingTimeBetween(a: Date, b: Date): number;
  addWorkingTime(start: Date, ms: number): Date;
}

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
  /** Event types that can set it off; omitted: any. */
  on?: EventType[];
  when?: Condition | HoursSince;
  then: Action[];
  enabled?: boolean;
}

export interface Automation {
  id: string;
  when: Condition | HoursSince;
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
}

/** Rules validated and compiled once, ready for the `rules()` extension and `explain`. */
export interface DefinedRules {
  readonly triggers: readonly CompiledRule[];
  readonly automations: readonly CompiledRule[];
  readonly templates: ReadonlyMap<string, ParsedTemplate>;
  readonly teams: Readonly<Record<string, TeamConfig>>;
  readonly calendars: Readonly<Record<string, RuleCalendar>>;
  /** Pairs of rules that would undo each other, found when defined (not errors: a person should look). */
  readonly warnings: readonly Problem[];
}

const HOUR = 3_600_000;
const BASES: Record<HoursSinceBase, (t: Ticket) => string | undefined> = {
  created: (t) => t.createdAt,
  updated: (t) => t.updatedAt,
  solved: (t) => (t.category === 'solved' || t.category === 'closed' ? t.solvedAt : undefined),
  statusChanged: (t) => t.statusChangedAt,
  lastCustomerMessage: (t) => t.lastCustomerMessageAt,
  lastAgentReply: (t) => t.lastAgentReplyAt,
};

const DEFINITION_KEYS = [
  'triggers',
  'automations',
  'templates',
  'teams',
  'knownStatuses',
  'workflows',
  'knownTeams',
  'calendars',
];
const RULE_KEYS = {
  trigger: ['id', 'on', 'when', 'then', 'enabled'],
  automation: ['id', 'when', 'then', 'enabled'],
};
const ACTOR_KINDS = ['customer', 'agent', 'admin', 'system', 'automation'];

export const RULE_FIELDS: Record<string, FieldType> = {
  'event.data.reason': 'string',
  'event.data.to': 'string',
  'event.ruleId': 'string',
};

const ACTION_PARAMS: Record<Action['type'], string[]> = {
  setStatus: ['status'],
  setPriority: ['priority'],
  setType: ['ticketType'],
  assign: ['assignee', 'team', 'strategy'],
  unassign: ['team'],
  addTags: ['tags'],
  removeTags: ['tags'],
  setFields: ['fields'],
  addFollower: ['follower'],
  reply: ['template'],
  note: ['template'],
  notify: ['to', 'template', 'address'],
};

/**
 * Validates rules and compiles them once: conditions to plain synchronous predicates, templates to
 * parsed Liquid. Throws one `ConfigError` listing every problem with its path.
 *
 * @example
 * const defined = defineRules({
 *   triggers: [{ id: 'outage', on: ['TicketOpened'], when: { field: 'subject', op: 'contains', value: 'outage' },
 *                then: [{ type: 'setPriority', priority: 'urgent' }, { type: 'addTags', tags: ['incident'] }] }],
 *   automations: [{ id: 'close-solved', when: { all: [{ field: 'category', op: 'is', value: 'solved' }, { hoursSince: 'solved', gte: 96 }] },
 *                   then: [{ type: 'setStatus', status: 'closed' }] }],
 *   templates: { ack: 'Hi {{ ticket.requester.name }}, we got your request #{{ ticket.number }}.' },
 * });
 */
export function defineRules(definition: RulesDefinition): DefinedRules {
  const problems: Problem[] = [];
  if (typeof definition !== 'object' || definition === null)
    throw new ConfigError([
      { path: '', message: 'rules must be an object { triggers, automations, templates… }' },
    ]);
  for (const key of Object.keys(definition))
    if (!DEFINITION_KEYS.includes(key))
      problems.push({ path: key, message: `unknown field; use ${DEFINITION_KEYS.join(', ')}` });
  const calendars = definition?.calendars ?? {};
  const teams = definition?.teams ?? {};
  const statuses =
    definition.knownStatuses ??
    (definition.workflows
      ? [...new Set([...definition.workflows.flatMap((w) => w.statuses.map((st) => st.id)), 'merged'])]
      : undefined);
  const knownTeams =
    definition.knownTeams ?? (Object.keys(teams).length > 0 ? Object.keys(teams) : undefined);
  const vocabulary: Record<string, readonly string[] | undefined> = {
    status: statuses,
    category: STATUS_CATEGORIES,
    priority: PRIORITIES,
    team: knownTeams,
    channel: CHANNELS,
    'event.channel': CHANNELS,
    'event.type': EVENT_TYPES,
    'event.actor.kind': ACTOR_KINDS,
  };
  const templates = new Map<string, ParsedTemplate>();
  const engine = templateEngine(definition.templates ?? {});
  for (const [name, text] of Object.entries(definition.templates ?? {})) {
    const parsed = parseTemplate(text, engine);
    if (parsed.error) problems.push({ path: `templates.${name}`, message: parsed.error });
    else templates.set(name, parsed.template!);
  }
  for (const [team, config] of Object.entries(teams)) {
    if (!Array.isArray(config?.members))
      problems.push({ path: `teams.${team}.members`, message: 'must be a list of { id, available? }' });
    if (config?.strategy !== undefined && !['manual', 'round-robin', 'balanced'].includes(config.strategy)) {
      problems.push({ path: `teams.${team}.strategy`, message: 'must be manual, round-robin or balanced' });
    }
  }

  const compileRule = (
    rule: Trigger | Automation,
    kind: 'trigger' | 'automation',
    path: string,
    ids: Set<string>,
  ): CompiledRule | undefined => {
    if (typeof rule !== 'object' || rule === null) {
      problems.push({ path, message: 'must be a rule object' });
      return undefined;
    }
    if (typeof rule.id !== 'string' || rule.id === '')
      problems.push({ path: `${path}.id`, message: 'must be a non-empty string' });
    else if (ids.has(rule.id))
      problems.push({ path: `${path}.id`, message: `duplicate rule id ${JSON.stringify(rule.id)}` });
    else ids.add(rule.id);
    const thresholds: CompiledRule['thresholds'] = [];
    const nodes = {
      hoursSince: (node: Record<string, unknown>, at: string, list: Problem[]) =>
        compileHoursSince(node, at, list, calendars, thresholds),
    };
    const before = problems.length;
    const test =
      rule.when === undefined
        ? () => true
        : tryCompileCondition(rule.when, problems, { nodes, fields: RULE_FIELDS }, `${path}.when`);
    // Values are checked only where the shape was right, so one mistake is reported once.
    if (rule.when !== undefined)
      checkValues(rule.when, `${path}.when`, problems, problems.length === before ? vocabulary : undefined);
    for (const key of Object.keys(rule))
      if (!RULE_KEYS[kind].includes(key))
        problems.push({
          path: `${path}.${key}`,
          message: `unknown field; a ${kind} has ${RULE_KEYS[kind].join(', ')}`,
        });
    let on: Set<string> | undefined;
    if ('on' in rule && rule.on !== undefined) {
      if (!Array.isArray(rule.on))
        problems.push({ path: `${path}.on`, message: 'must be a list of event types' });
      else {
        rule.on.forEach((type, i) => {
          if (!(EVENT_TYPES as readonly string[]).includes(type))
            problems.push({
              path: `${path}.on[${i}]`,
              message: `unknown event type ${JSON.stringify(type)}`,
            });
        });
        on = new Set(rule.on);
      }
    }
    if (!Array.isArray(rule.then) || rule.then.length === 0)
      problems.push({ path: `${path}.then`, message: 'must list at least one action' });
    else for (const [i, action] of rule.then.entries()) checkAction(action, `${path}.then[${i}]`);
    if (kind === 'automation' && thresholds.length === 0) {
      problems.push({
        path: `${path}.when`,
        message: 'an automation needs a time condition ({ hoursSince, gte | lt }); use a trigger otherwise',
      });
    }
    return {
      id: rule.id,
      kind,
      ...(on ? { on } : {}),
      when: rule.when,
      test,
      then: rule.then ?? [],
      thresholds,
    };
  };

  const checkTemplate = (name: unknown, path: string) => {
    if (typeof name !== 'string' || !templates.has(name)) {
      const known = [...templates.keys()].join(', ') || 'none';
      problems.push({
        path: `${path}.template`,
        message: `unknown template ${JSON.stringify(name)}; known: ${known}`,
      });
    }
  };
  const checkAction = (action: Action, path: string) => {
    if (typeof action !== 'object' || action === null || !(action.type in ACTION_PARAMS)) {
      problems.push({
        path: `${path}.type`,
        message: `unknown action ${JSON.stringify((action as { type?: unknown })?.type)}; use ${Object.keys(ACTION_PARAMS).join(', ')}`,
      });
      return;
    }
    for (const key of Object.keys(action)) {
      if (key !== 'type' && !ACTION_PARAMS[action.type].includes(key))
        problems.push({ path: `${path}.${key}`, message: `unknown parameter for ${action.type}` });
    }
    const need = (ok: boolean, key: string, what: string) => {
      if (!ok) problems.push({ path: `${path}.${key}`, message: `${action.type} needs ${what}` });
    };
    const isStrings = (v: unknown) =>
      Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim() !== '');
    switch (action.type) {
      case 'setStatus':
        need(typeof action.status === 'string' && action.status !== '', 'status', 'a status');
        if (statuses && typeof action.status === 'string' && !statuses.includes(action.status)) {
          problems.push({
            path: `${path}.status`,
            message: `unknown status ${JSON.stringify(action.status)}; known: ${statuses.join(', ')}`,
          });
        }
        break;
      case 'setPriority':
        need(
          (PRIORITIES as readonly string[]).includes(action.priority),
          'priority',
          `one of ${PRIORITIES.join(', ')}`,
        );
        break;
      case 'setType':
        need(
          typeof action.ticketType === 'string' && action.ticketType !== '',
          'ticketType',
          'a ticket type',
        );
        break;
      case 'assign':
        need(
          action.assignee !== undefined || action.team !== undefined,
          'assignee',
          'an assignee, a team, or both',
        );
        if (action.team !== undefined && knownTeams && !knownTeams.includes(action.team)) {
          problems.push({ path: `${path}.team`, message: `unknown team ${JSON.stringify(action.team)}` });
        }
        if (action.strategy !== undefined)
          need(
            ['manual', 'round-robin', 'balanced'].includes(action.strategy),
            'strategy',
            'manual, round-robin or balanced',
          );
        if (
          (action.strategy === 'round-robin' || action.strategy === 'balanced') &&
          (action.team === undefined || !teams[action.team])
        ) {
          problems.push({
            path: `${path}.team`,
            message: `${action.strategy} assignment needs a team defined in teams`,
          });
        }
        break;
      case 'addTags':
      case 'removeTags':
        need(isStrings(action.tags), 'tags', 'a non-empty list of tags');
        break;
      case 'setFields':
        need(
          typeof action.fields === 'object' && action.fields !== null && !Array.isArray(action.fields),
          'fields',
          'an object of fields',
        );
        break;
      case 'addFollower':
        need(typeof action.follower?.id === 'string', 'follower', 'a follower { id, email? }');
        break;
      case 'notify':
        need(
          ['requester', 'assignee', 'followers', 'team', 'address'].includes(action.to),
          'to',
          'requester, assignee, followers, team or address',
        );
        if (action.to === 'address')
          need(
            typeof action.address === 'string' && action.address.includes('@'),
            'address',
            'an email address',
          );
        checkTemplate(action.template, path);
        break;
      case 'reply':
      case 'note':
        checkTemplate(action.template, path);
        break;
    }
  };

  const triggerIds = new Set<string>();
  const triggers = (definition?.triggers ?? [])
    .filter((t) => t?.enabled !== false)
    .map((t, i) => compileRule(t, 'trigger', `triggers[${i}]`, triggerIds))
    .filter((r): r is CompiledRule => r !== undefined);
  const automationIds = new Set<string>();
  const automations = (definition?.automations ?? [])
    .filter((a) => a?.enabled !== false)
    .map((a, i) => compileRule(a, 'automation', `automations[${i}]`, automationIds))
    .filter((r): r is CompiledRule => r !== undefined);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    triggers,
    automations,
    templates,
    teams,
    calendars,
    warnings: undoPairs([...triggers, ...automations]),
  };
}

const VALUE_OPS = ['is', 'isNot', 'in', 'notIn', 'changedTo', 'changedFrom'];

/**
 * Checks what a compiled condition's shape cannot: keys that mean nothing (`vaule`), and values a
 * field can never hold (a status no workflow has, a priority, channel, event type or actor kind
 * that does not exist, text for a number). Strings compare case-insensitively, as conditions do.
 */
function checkValues(
  node: unknown,
  path: string,
  problems: Problem[],
  vocabulary: Record<string, readonly string[] | undefined> | undefined,
): void {
  const n = node as Record<string, unknown>;
  for (const key of ['all', 'any'] as const)
    if (Array.isArray(n[key]))
      (n[key] as unknown[]).forEach((child, i) => {
        checkValues(child, `${path}.${key}[${i}]`, problems, vocabulary);
      });
  if ('not' in n) checkValues(n.not, `${path}.not`, problems, vocabulary);
  if (typeof n.field !== 'string') return;
  for (const key of Object.keys(n))
    if (!['field', 'op', 'value'].includes(key))
      problems.push({
        path: `${path}.${key}`,
        message: 'unknown field; a condition has field, op and value',
      });
  if (!vocabulary) return;
  const field = n.field;
  const op = n.op as string;
  const values = Array.isArray(n.value) ? n.value : [n.value];
  const at = (i: number) => (Array.isArray(n.value) ? `${path}.value[${i}]` : `${path}.value`);
  const known = vocabulary[field];
  if (known && VALUE_OPS.includes(op)) {
    const lower = new Set(known.map((k) => k.toLowerCase()));
    values.forEach((v, i) => {
      if (typeof v !== 'string' || !lower.has(v.toLowerCase()))
        problems.push({
          path: at(i),
          message: `unknown ${field.replace('event.', 'event ').replace('.kind', ' kind')} ${JSON.stringify(v)}; known: ${known.join(', ')}`,
        });
    });
    return;
  }
  const type = TICKET_CONDITION_FIELDS[field] ?? RULE_FIELDS[field];
  const want =
    type === 'number'
      ? 'number'
      : type === 'boolean'
        ? 'boolean'
        : type === 'string' || type === 'string[]'
          ? 'string'
          : undefined;
  const checked =
    VALUE_OPS.includes(op) || (type === 'string[]' && (op === 'contains' || op === 'notContains'));
  if (want && checked)
    values.forEach((v, i) => {
      if (typeof v !== want)
        problems.push({ path: at(i), message: `${field} holds a ${want}; got ${JSON.stringify(v)}` });
    });
}

/**
 * Compiles one `{ hoursSince, gte?, lt?, calendar? }` node, adding to `thresholds` the instants at
 * which it may change truth (so `due` is computed, not polled).
 */
export function compileHoursSince(
  node: Record<string, unknown>,
  at: string,
  list: Problem[],
  calendars: Readonly<Record<string, RuleCalendar>>,
  thresholds: CompiledRule['thresholds'] = [],
): Predicate {
  for (const key of Object.keys(node))
    if (!['hoursSince', 'gte', 'lt', 'calendar'].includes(key))
      list.push({ path: `${at}.${key}`, message: 'unknown field; hoursSince takes gte, lt and calendar' });
  const base = node.hoursSince as HoursSinceBase;
  const read = BASES[base];
  if (!read) {
    list.push({ path: `${at}.hoursSince`, message: `must be one of ${Object.keys(BASES).join(', ')}` });
    return () => false;
  }
  for (const key of ['gte', 'lt'] as const) {
    const v = node[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      list.push({ path: `${at}.${key}`, message: `must be a number of hours ≥ 0, got ${JSON.stringify(v)}` });
    }
  }
  if (node.gte === undefined && node.lt === undefined)
    list.push({ path: at, message: 'hoursSince needs gte, lt or both' });
  let cal: RuleCalendar | undefined;
  if (node.calendar !== undefined) {
    cal = calendars[node.calendar as string];
    if (!cal)
      list.push({ path: `${at}.calendar`, message: `unknown calendar ${JSON.stringify(node.calendar)}` });
  }
  const gte = node.gte as number | undefined;
  const lt = node.lt as number | undefined;
  const elapsed = (from: number, now: number) =>
    cal ? cal.workingTimeBetween(new Date(from), new Date(now)) : now - from;
  const instant = (from: number, hours: number) =>
    cal ? cal.addWorkingTime(new Date(from), hours * HOUR).getTime() : from + hours * HOUR;
  for (const h of [gte, lt]) {
    if (h === undefined) continue;
    thresholds.push((t) => {
      const b = read(t);
      return b === undefined ? undefined : instant(Date.parse(b), h);
    });
  }
  return (s) => {
    const b = read(s.ticket as Ticket);
    if (b === undefined || !s.now) return false;
    const ms = elapsed(Date.parse(b), s.now.getTime());
    return (gte === undefined || ms >= gte * HOUR) && (lt === undefined || ms < lt * HOUR);
  };
}

/** The value a rule sets for a field, by action, for finding rules that would undo each other. */
function setsOf(rule: CompiledRule): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of rule.then) {
    if (a.type === 'setStatus') out.set('status', a.status);
    if (a.type === 'setPriority') out.set('priority', a.priority);
    if (a.type === 'setType') out.set('type', a.ticketType);
    if (a.type === 'assign' && a.assignee) out.set('assignee', a.assignee);
    if (a.type === 'addTags') for (const t of a.tags) out.set(`tag:${t}`, 'add');
    if (a.type === 'removeTags') for (const t of a.tags) out.set(`tag:${t}`, 'remove');
  }
  return out;
}

/** `field is value` constraints a condition requires (top level and inside `all`). */
function requires(node: unknown, out = new Map<string, unknown>()): Map<string, unknown> {
  if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.all)) for (const c of n.all) requires(c, out);
    if (typeof n.field === 'string' && n.op === 'is') out.set(n.field, n.value);
  }
  return out;
}

/**
 * Pairs of rules where one sets something and the other sets it back under conditions that can
 * hold right after the first one's change: left alone they flip a ticket back and forth.
 */
function undoPairs(rules: CompiledRule[]): Problem[] {
  const warnings: Problem[] = [];
  const fieldOf = (key: string) => (key.startsWith('tag:') ? 'tags' : key);
  // What each rule sets and requires, worked out once (the pair walk is quadratic).
  const sets = rules.map(setsOf);
  const needs = rules.map((r) => requires(r.when));
  const undoes = (a: number, b: number) => {
    const first = rules[a]!;
    const second = rules[b]!;
    const r1 = needs[a]!;
    const r2 = needs[b]!;
    for (const [key, value] of sets[a]!) {
      const back = sets[b]!.get(key);
      if (back === undefined || back === value) continue;
      const field = fieldOf(key);
      // After `first`, the field holds `value`: `second` must accept that…
      if (r2.has(field) && field !== 'tags' && r2.get(field) !== value) continue;
      // …and, when `first` only acts on one value, set it back to that one (a chain such as
      // low → normal, normal → high moves on; normal → low would undo)…
      if (r1.has(field) && field !== 'tags' && r1.get(field) !== back) continue;
      // …and their other requirements must not exclude each other.
      const clash = [...r1].some(([f, v]) => f !== field && r2.has(f) && r2.get(f) !== v);
      if (clash) continue;
      warnings.push({
        path: `${first.kind}s.${first.id}`,
        message: `${first.id} sets ${key} to ${JSON.stringify(value)} and ${second.id} can set it back to ${JSON.stringify(back)} right after: they may undo each other`,
      });
      return true;
    }
    return false;
  };
  for (let i = 0; i < rules.length; i++)
    for (let j = i + 1; j < rules.length; j++) if (!undoes(i, j)) undoes(j, i);
  return warnings;
}
