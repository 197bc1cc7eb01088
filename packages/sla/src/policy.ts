import {
  type Condition,
  ConfigError,
  type Predicate,
  type Problem,
  STATUS_CATEGORIES,
  type StatusCategory,
  tryCompileCondition,
  type WorkingTimeCalendar,
} from '@tessera/core';

/** What an SLA policy needs of a calendar (core's interface): any object with these two, such as `businessCalendar(...)`. */
export type { WorkingTimeCalendar } from '@tessera/core';

export type SlaMetricName = 'firstReply' | 'nextReply' | 'periodicUpdate' | 'resolution' | 'reachStatus';

/** Targets in minutes of working time. */
export interface SlaTargets {
  firstReply?: number;
  nextReply?: number;
  periodicUpdate?: number;
  resolution?: number;
  /** Reach `status` (or one of `orLater`, or solved/closed) within `within` minutes of working time (Odoo). */
  reachStatus?: { status: string; within: number; orLater?: string[] };
}

export interface SlaPolicy {
  id: string;
  /** Which tickets it applies to (priority, type, tags, team, organization, channel…). Omitted: all. */
  when?: Condition;
  /** The name of one of `calendars`. */
  calendar: string;
  targets: SlaTargets;
  /** Categories or statuses during which the clocks stop (Zendesk's pending pause, Odoo's excluded stages). */
  pauseIn?: (StatusCategory | string)[];
  /** Minutes of working time before a deadline when a warning is due. */
  warnBefore?: number;
}

/** Policies checked once and compiled: their conditions are plain functions. */
export interface CompiledPolicy extends SlaPolicy {
  matches: Predicate;
}

/**
 * Checks policies against the calendars they name and compiles their conditions once. Throws one
 * `ConfigError` listing every problem with its path.
 *
 * @example
 * const compiled = definePolicies([{ id: 'urgent', when: { field: 'priority', op: 'is', value: 'urgent' },
 *   calendar: 'office', targets: { firstReply: 60, resolution: 480 }, pauseIn: ['pending'] }], { office });
 */
export function definePolicies(
  policies: readonly SlaPolicy[],
  calendars: Readonly<Record<string, WorkingTimeCalendar>>,
): CompiledPolicy[] {
  const problems: Problem[] = [];
  const ids = new Set<string>();
  if (!Array.isArray(policies))
    throw new ConfigError([{ path: 'policies', message: 'must be a list of policies' }]);
  const compiled = policies.map((p, i) => {
    const path = `policies[${i}]`;
    if (typeof p?.id !== 'string' || p.id === '')
      problems.push({ path: `${path}.id`, message: 'must be a non-empty string' });
    else if (ids.has(p.id))
      problems.push({ path: `${path}.id`, message: `duplicate policy id ${JSON.stringify(p.id)}` });
    else ids.add(p.id);
    if (typeof p?.calendar !== 'string' || !calendars[p.calendar]) {
      problems.push({
        path: `${path}.calendar`,
        message: `unknown calendar ${JSON.stringify(p?.calendar)}; known: ${Object.keys(calendars).join(', ') || 'none'}`,
      });
    }
    const minutes = (value: unknown, at: string) => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        problems.push({
          path: at,
          message: `must be a positive number of minutes, got ${JSON.stringify(value)}`,
        });
      }
    };
    const targets = p?.targets ?? {};
    if (typeof targets !== 'object') problems.push({ path: `${path}.targets`, message: 'must be an object' });
    for (const key of Object.keys(targets)) {
      if (!['firstReply', 'nextReply', 'periodicUpdate', 'resolution', 'reachStatus'].includes(key)) {
        problems.push({
          path: `${path}.targets.${key}`,
          message: 'unknown target; use firstReply, nextReply, periodicUpdate, resolution or reachStatus',
        });
      }
    }
    for (const key of ['firstReply', 'nextReply', 'periodicUpdate', 'resolution'] as const) {
      if (targets[key] !== undefined) minutes(targets[key], `${path}.targets.${key}`);
    }
    if (targets.reachStatus !== undefined) {
      if (typeof targets.reachStatus?.status !== 'string' || targets.reachStatus.status === '') {
        problems.push({ path: `${path}.targets.reachStatus.status`, message: 'must name a status' });
      }
      minutes(targets.reachStatus?.within, `${path}.targets.reachStatus.within`);
      const later = targets.reachStatus?.orLater;
      if (later !== undefined && !(Array.isArray(later) && later.every((s) => typeof s === 'string')))
        problems.push({ path: `${path}.targets.reachStatus.orLater`, message: 'must be a list of statuses' });
    }
    if (Object.keys(targets).length === 0)
      problems.push({ path: `${path}.targets`, message: 'needs at least one target' });
    if (p?.warnBefore !== undefined) minutes(p.warnBefore, `${path}.warnBefore`);
    if (
      p?.pauseIn !== undefined &&
      (!Array.isArray(p.pauseIn) || (p.pauseIn as unknown[]).some((s) => typeof s !== 'string'))
    ) {
      problems.push({ path: `${path}.pauseIn`, message: 'must be a list of categories or statuses' });
    }
    const matches =
      p?.when === undefined ? () => true : tryCompileCondition(p.when, problems, {}, `${path}.when`);
    return { ...p, matches };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return compiled;
}

/**
 * The status names of policies checked against the desk's statuses: each `pauseIn` entry must be
 * a category or a status, `reachStatus.status` and `orLater` statuses. A misspelt one would mean
 * a clock that never pauses or a target never reached. Paths start at `sla.`.
 *
 * @example
 * const policies: SlaPolicy[] = [{ id: 'standard', calendar: 'office', targets: { firstReply: 120 }, pauseIn: ['pendin'] }];
 * policyStatusProblems(policies, ['new', 'open', 'pending', 'solved', 'closed', 'merged']);
 * // → [{ path: 'sla.policies[0].pauseIn[0]', message: 'unknown status or category "pendin"; …' }]
 */
export function policyStatusProblems(policies: readonly SlaPolicy[], statuses: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const categories: readonly string[] = STATUS_CATEGORIES;
  const known = `statuses: ${statuses.join(', ')}`;
  policies.forEach((p, i) => {
    const at = `sla.policies[${i}]`;
    (p.pauseIn ?? []).forEach((name, j) => {
      if (!categories.includes(name) && !statuses.includes(name))
        problems.push({
          path: `${at}.pauseIn[${j}]`,
          message: `unknown status or category ${JSON.stringify(name)}; categories: ${categories.join(', ')}; ${known}`,
        });
    });
    const reach = p.targets?.reachStatus;
    if (!reach) return;
    if (!statuses.includes(reach.status))
      problems.push({
        path: `${at}.targets.reachStatus.status`,
        message: `unknown status ${JSON.stringify(reach.status)}; ${known}`,
      });
    (reach.orLater ?? []).forEach((name, k) => {
      if (!statuses.includes(name))
        problems.push({
          path: `${at}.targets.reachStatus.orLater[${k}]`,
          message: `unknown status ${JSON.stringify(name)}; ${known}`,
        });
    });
  });
  return problems;
}
