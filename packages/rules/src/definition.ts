import {
  ConfigError,
  EVENT_TYPES,
  type Predicate,
  type Problem,
  tryCompileCondition,
  unknownKeys,
} from '@tessera/core';
import { loops } from './analysis';
import { compileHoursSince, hoursSinceIsSet } from './hours-since';
import { compilePossible } from './possible';
import { fastCompiler } from './predicate';
import type {
  Automation,
  CompiledRule,
  DefinedRules,
  RuleCalendar,
  RulesDefinition,
  TeamConfig,
  Trigger,
} from './rule-model';
import { type ParsedTemplate, parseTemplate, templateEngine } from './template';
import {
  checkAction,
  checkValues,
  conditionVocabulary,
  DEFINITION_KEYS,
  EXTENSION_EVENT_TYPES,
  RULE_FIELDS,
  RULE_KEYS,
  type Vocabulary,
} from './vocabulary';

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
  problems.push(...unknownKeys(definition, DEFINITION_KEYS, ''));
  // The shape of each part first: what is not the right kind is reported and then left out.
  const shaped = <T>(
    key: keyof RulesDefinition,
    ok: (v: unknown) => boolean,
    what: string,
  ): T | undefined => {
    const value = definition[key];
    if (value === undefined) return undefined;
    if (ok(value)) return value as T;
    problems.push({ path: key, message: `must be ${what}` });
    return undefined;
  };
  const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isNames = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const isWorkflows = (v: unknown) =>
    Array.isArray(v) && v.every((w) => Array.isArray((w as { statuses?: unknown })?.statuses));
  const calendars =
    shaped<Record<string, RuleCalendar>>('calendars', isRecord, 'an object of calendars') ?? {};
  const teams = shaped<Record<string, TeamConfig>>('teams', isRecord, 'an object of teams') ?? {};
  const texts = shaped<Record<string, string>>('templates', isRecord, 'an object of named templates') ?? {};
  const workflows = shaped<RulesDefinition['workflows']>('workflows', isWorkflows, 'a list of workflows');
  const statuses =
    shaped<string[]>('knownStatuses', isNames, 'a list of status ids') ??
    (workflows
      ? [...new Set([...workflows.flatMap((w) => w.statuses.map((st) => st.id)), 'merged'])]
      : undefined);
  const knownTeams =
    shaped<string[]>('knownTeams', isNames, 'a list of team names') ??
    (Object.keys(teams).length > 0 ? Object.keys(teams) : undefined);
  const triggerList = shaped<Trigger[]>('triggers', Array.isArray, 'a list of triggers');
  const automationList = shaped<Automation[]>('automations', Array.isArray, 'a list of automations');
  const eventTypes = [
    ...EVENT_TYPES,
    ...EXTENSION_EVENT_TYPES,
    ...(shaped<string[]>('eventTypes', isNames, 'a list of event types') ?? []),
  ];
  const vocabulary = conditionVocabulary(statuses, knownTeams, eventTypes);
  const fast = fastCompiler(RULE_FIELDS);
  const templates = new Map<string, ParsedTemplate>();
  const engine = templateEngine(texts);
  for (const [name, text] of Object.entries(texts)) {
    const parsed = parseTemplate(text, engine);
    if (parsed.error) problems.push({ path: `templates.${name}`, message: parsed.error });
    else templates.set(name, parsed.template!);
  }
  for (const [team, config] of Object.entries(teams)) {
    if (!Array.isArray(config?.members))
      problems.push({ path: `teams.${team}.members`, message: 'must be a list of { id, available? }' });
    else
      config.members.forEach((m, i) => {
        if (typeof m?.id !== 'string' || (m.email !== undefined && typeof m.email !== 'string'))
          problems.push({
            path: `teams.${team}.members[${i}]`,
            message: 'must be { id, email?, available? }',
          });
      });
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
    const own = new Map<unknown, Predicate>();
    const isSet = new Map<unknown, Predicate>();
    const nodes = {
      hoursSince: (node: Record<string, unknown>, at: string, list: Problem[]) => {
        const compiled = compileHoursSince(node, at, list, calendars, thresholds);
        own.set(node, compiled);
        isSet.set(node, hoursSinceIsSet(node));
        return compiled;
      },
    };
    const before = problems.length;
    // Core checks the condition; what it accepted is compiled again by the fast compiler.
    let test: Predicate = () => true;
    let possible: Predicate | undefined;
    if (rule.when !== undefined) {
      test = tryCompileCondition(rule.when, problems, { nodes, fields: RULE_FIELDS }, `${path}.when`);
      if (problems.length === before) {
        test = fast.compile(rule.when, (node) => own.get(node));
        if (kind === 'automation') possible = compilePossible(rule.when, fast, (node) => isSet.get(node));
      }
    }
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
          if (!eventTypes.includes(type))
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
    else
      for (const [i, action] of rule.then.entries())
        checkAction(action, `${path}.then[${i}]`, names, problems);
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
      ...(possible ? { possible } : {}),
      path,
    };
  };
  const names: Vocabulary = {
    ...(statuses ? { statuses } : {}),
    ...(knownTeams ? { knownTeams } : {}),
    teams,
    templates,
  };
  /** Compiles each enabled rule, its path counting every rule written (disabled ones too). */
  const compileAll = (
    list: readonly (Trigger | Automation)[] | undefined,
    kind: 'trigger' | 'automation',
  ) => {
    const ids = new Set<string>();
    const out: CompiledRule[] = [];
    (list ?? []).forEach((rule, i) => {
      if (rule?.enabled === false) return;
      const path = `${kind}s[${i}]`;
      const before = problems.length;
      const compiled = compileRule(rule, kind, path, ids);
      // Every problem names the rule by its id as well as its path.
      if (typeof rule?.id === 'string' && rule.id !== '')
        for (const p of problems.splice(before))
          problems.push({ path: p.path, message: `rule ${JSON.stringify(rule.id)}: ${p.message}` });
      if (compiled) out.push(compiled);
    });
    return out;
  };

  const triggers = compileAll(triggerList, 'trigger');
  const automations = compileAll(automationList, 'automation');
  if (problems.length > 0) throw new ConfigError(problems);
  // Rules that certainly undo each other are refused; those that only might are warnings.
  const found = loops(triggers, automations);
  if (found.errors.length > 0) throw new ConfigError(found.errors);
  return { triggers, automations, templates, teams, calendars, warnings: found.warnings };
}
