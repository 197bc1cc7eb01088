import {
  CHANNELS,
  EVENT_TYPES,
  type FieldType,
  PRIORITIES,
  type Problem,
  STATUS_CATEGORIES,
  TICKET_CONDITION_FIELDS,
  type WorkflowSet,
} from '@tessera/core';
import type { Action, CompiledRule, DefinedRules, TeamConfig } from './rule-model';
import type { ParsedTemplate } from './template';

/** The keys of a rules definition (`defineRules({ … })`). */
export const DEFINITION_KEYS = [
  'triggers',
  'automations',
  'templates',
  'teams',
  'knownStatuses',
  'workflows',
  'knownTeams',
  'calendars',
  'eventTypes',
];
/**
 * The event types of Tessera's own extensions (SLA, email), which triggers may name without
 * listing them in `eventTypes`: rules know their names, not their packages.
 */
export const EXTENSION_EVENT_TYPES = [
  'SlaWarning',
  'SlaBreached',
  'EmailSent',
  'EmailDeliveryFailed',
  'EmailSendClaimed',
];
/** The keys of a trigger and of an automation. */
export const RULE_KEYS = {
  trigger: ['id', 'on', 'when', 'then', 'enabled'],
  automation: ['id', 'when', 'then', 'enabled'],
};
const ACTOR_KINDS = ['customer', 'agent', 'admin', 'system', 'automation'];

/** Condition fields beyond core's ticket fields, which rules may test (the event's data and rule). */
export const RULE_FIELDS: Record<string, FieldType> = {
  'event.data.reason': 'string',
  'event.data.to': 'string',
  'event.ruleId': 'string',
};

/** The parameters each action takes besides its `type`. */
export const ACTION_PARAMS: Record<Action['type'], string[]> = {
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

/** What a definition names, against which its conditions and actions are checked. */
export interface Vocabulary {
  statuses?: readonly string[];
  knownTeams?: readonly string[];
  teams: Readonly<Record<string, TeamConfig>>;
  templates: ReadonlyMap<string, ParsedTemplate>;
}

/**
 * The values each field of a condition may hold, where the set is closed: a status no workflow
 * has, or a priority, channel, event type or actor kind that does not exist, is a typo.
 *
 * @example
 * conditionVocabulary(['open', 'pending'], ['billing']).status; // → ['open', 'pending']
 */
export function conditionVocabulary(
  statuses: readonly string[] | undefined,
  knownTeams: readonly string[] | undefined,
  eventTypes: readonly string[] = [...EVENT_TYPES, ...EXTENSION_EVENT_TYPES],
): Record<string, readonly string[] | undefined> {
  return {
    status: statuses,
    category: STATUS_CATEGORIES,
    priority: PRIORITIES,
    team: knownTeams,
    channel: CHANNELS,
    'event.channel': CHANNELS,
    'event.type': eventTypes,
    'event.actor.kind': ACTOR_KINDS,
  };
}

/**
 * Checks one action of a rule: its type, its parameters, and the names it uses (status, team,
 * template). Adds each problem, with its path, to `problems`.
 *
 * @example
 * checkAction({ type: 'setStatus', status: 'archived' }, 'triggers[0].then[0]', vocabulary, problems);
 * // problems: [{ path: 'triggers[0].then[0].status', message: 'unknown status "archived"; known: …' }]
 */
export function checkAction(action: Action, path: string, vocabulary: Vocabulary, problems: Problem[]): void {
  const { statuses, knownTeams, teams, templates } = vocabulary;
  const checkTemplate = (name: unknown, path: string) => {
    if (typeof name !== 'string' || !templates.has(name)) {
      const known = [...templates.keys()].join(', ') || 'none';
      problems.push({
        path: `${path}.template`,
        message: `unknown template ${JSON.stringify(name)}; known: ${known}`,
      });
    }
  };

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
      need(typeof action.ticketType === 'string' && action.ticketType !== '', 'ticketType', 'a ticket type');
      break;
    case 'assign':
      need(
        action.assignee !== undefined || action.team !== undefined,
        'assignee',
        'an assignee, a team, or both',
      );
      if (action.assignee !== undefined) need(typeof action.assignee === 'string', 'assignee', 'an agent id');
      if (action.team !== undefined && typeof action.team !== 'string')
        problems.push({ path: `${path}.team`, message: 'must be a team name' });
      else if (action.team !== undefined && knownTeams && !knownTeams.includes(action.team)) {
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
}

const VALUE_OPS = ['is', 'isNot', 'in', 'notIn', 'changedTo', 'changedFrom'];

/**
 * Checks what a compiled condition's shape cannot: keys that mean nothing (`vaule`), and values a
 * field can never hold (a status no workflow has, a priority, channel, event type or actor kind
 * that does not exist, text for a number). Strings compare case-insensitively, as conditions do.
 *
 * @example
 * checkValues({ field: 'status', op: 'is', value: 'archvied' }, 'triggers[0].when', problems, { status: ['open'] });
 * // problems: [{ path: 'triggers[0].when.value', message: 'unknown status "archvied"; known: open' }]
 */
export function checkValues(
  node: unknown,
  path: string,
  problems: Problem[],
  vocabulary: Record<string, readonly string[] | undefined> | undefined,
): void {
  if (typeof node !== 'object' || node === null) return;
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
 * What the rules say about statuses checked against the desk they are installed in: a `setStatus`
 * or a `status` condition naming a status none of its workflows has. Paths start at `rules.`.
 *
 * @example
 * const problems = deskStatusProblems(defined, ctx.workflows);
 * if (problems.length > 0) throw new ConfigError(problems);
 */
export function deskStatusProblems(defined: DefinedRules, workflows: WorkflowSet): Problem[] {
  const statuses = [...workflows.statuses];
  const problems: Problem[] = [];
  const rulesOf: readonly CompiledRule[] = [...defined.triggers, ...defined.automations];
  for (const rule of rulesOf) {
    const at = `rules.${rule.path}`;
    const found: Problem[] = [];
    if (rule.when !== undefined) checkValues(rule.when, `${at}.when`, found, { status: statuses });
    rule.then.forEach((action, i) => {
      if (action.type === 'setStatus' && !statuses.includes(action.status))
        found.push({
          path: `${at}.then[${i}].status`,
          message: `unknown status ${JSON.stringify(action.status)}; the desk's workflows have ${statuses.join(', ')}`,
        });
    });
    for (const p of found)
      problems.push({ path: p.path, message: `rule ${JSON.stringify(rule.id)}: ${p.message}` });
  }
  return problems;
}
