import { ConfigError } from './errors';
import type { Workflow } from './workflow';

/** The workflows a desk knows, and which one each ticket type uses. */
export interface WorkflowSet {
  readonly default: Workflow;
  /** Every workflow of the desk, the default first (extensions check status names against them). */
  readonly all: readonly Workflow[];
  /** Every status id of every workflow, and `merged`: the names a module's configuration may use. */
  readonly statuses: readonly string[];
  get(id: string): Workflow | undefined;
  /** The workflow for a ticket type (the default one for no type or an unmapped type). */
  forType(type: string | undefined): Workflow;
  /** Whether the type is known (any type is, when no types are configured). */
  knowsType(type: string): boolean;
}

/**
 * Builds the set of workflows from a list (the first is the default) and a type → workflow map;
 * no workflow, or a type naming an unknown one, is a `ConfigError`.
 *
 * @example
 * const set = workflowSet([defaultWorkflow, support], { incident: 'support' });
 * set.forType('incident'); // support
 * set.forType(undefined); // defaultWorkflow
 */
export function workflowSet(list: readonly Workflow[], types: Record<string, string> = {}): WorkflowSet {
  const byId = new Map(list.map((w) => [w.id, w] as const));
  const first = list[0];
  if (!first) throw new ConfigError([{ path: 'workflows', message: 'needs at least one workflow' }]);
  const problems = Object.entries(types)
    .filter(([, id]) => !byId.has(id))
    .map(([type, id]) => ({ path: `types.${type}`, message: `unknown workflow ${JSON.stringify(id)}` }));
  if (problems.length > 0) throw new ConfigError(problems);
  const typed = Object.keys(types).length > 0;
  return {
    default: first,
    all: Object.freeze([...list]),
    statuses: Object.freeze([...new Set([...list.flatMap((w) => w.statuses.map((st) => st.id)), 'merged'])]),
    get: (id) => byId.get(id),
    forType: (type) => (type !== undefined && types[type] ? (byId.get(types[type]) ?? first) : first),
    knowsType: (type) => !typed || type in types,
  };
}
