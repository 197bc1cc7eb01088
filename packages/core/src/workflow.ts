import { type AnyStateMachine, getNextTransitions, setup, transition } from 'xstate';
import { type Problem, WorkflowError } from './errors';
import { STATUS_CATEGORIES, type StatusCategory } from './model';

export interface StatusDefinition {
  id: string;
  category: StatusCategory;
  /** A label for people; defaults to the id. */
  name?: string;
}

export interface WorkflowDefinition {
  id: string;
  statuses: StatusDefinition[];
  /** from → to[]. Omitted: every move the category rules allow. */
  transitions?: Record<string, string[]>;
  /** Where a customer's reply moves a pending or solved ticket. Default: the first `open` status. */
  onCustomerReply?: string;
  /** Where an agent's public reply moves a new or open ticket, if anywhere. */
  onAgentPublicReply?: string;
  /** What a customer's reply to a closed ticket does: open a linked follow-up (default) or be refused. */
  closedReplies?: 'follow-up' | 'reject';
}

/** The machine events a ticket's lifecycle answers to. */
export type LifecycleEvent =
  | { type: `TO.${string}` }
  | { type: 'CUSTOMER_REPLY' }
  | { type: 'AGENT_PUBLIC_REPLY' }
  | { type: 'MERGE' };

/** A validated workflow, compiled to an XState machine and to a transition table read from it. */
export interface Workflow {
  readonly id: string;
  readonly definition: Readonly<WorkflowDefinition>;
  readonly statuses: readonly StatusDefinition[];
  readonly initial: string;
  readonly onCustomerReply: string;
  readonly onAgentPublicReply?: string;
  readonly closedReplies: 'follow-up' | 'reject';
  /** The XState v5 machine: the one definition of the lifecycle. */
  readonly machine: AnyStateMachine;
  categoryOf(status: string): StatusCategory | undefined;
  hasStatus(status: string): boolean;
  /** Whether `changeStatus` may move a ticket from `from` to `to` (read from the compiled table). */
  canMove(from: string, to: string): boolean;
  /** Where a reply moves a ticket in `from`, or undefined when it stays. */
  replyTarget(from: string, who: 'customer' | 'agent'): string | undefined;
  /** The statuses `changeStatus` may move to from `from`. */
  movesFrom(from: string): string[];
  /** The first status of a category, for mapping a ticket between workflows. */
  firstOfCategory(category: StatusCategory): string | undefined;
}

/** The status every workflow has without declaring it. */
export const MERGED_STATUS: StatusDefinition = { id: 'merged', category: 'merged' };

const STATUS_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FINAL: ReadonlySet<StatusCategory> = new Set(['closed', 'merged']);

/** Whether the category rules allow a manual move from one category to another at all. */
function categoryAllows(from: StatusCategory, to: StatusCategory): boolean {
  if (FINAL.has(from)) return false; // closed and merged are final
  if (to === 'new' || to === 'merged') return false; // new is never re-entered; merging is its own command
  if (from === 'solved') return to === 'closed' || to === 'open' || to === 'pending' || to === 'on_hold';
  return true;
}

function problemsOf(def: WorkflowDefinition): { problems: Problem[]; statuses: StatusDefinition[] } {
  const problems: Problem[] = [];
  if (typeof def?.id !== 'string' || def.id === '')
    problems.push({ path: 'id', message: 'must be a non-empty string' });
  const declared = Array.isArray(def?.statuses) ? def.statuses : [];
  if (!Array.isArray(def?.statuses) || declared.length === 0) {
    problems.push({ path: 'statuses', message: 'must list at least one status' });
  }
  const seen = new Set<string>();
  declared.forEach((s, i) => {
    if (typeof s?.id !== 'string' || !STATUS_ID.test(s.id)) {
      problems.push({
        path: `statuses[${i}].id`,
        message: `must match ${STATUS_ID} (got ${JSON.stringify(s?.id)})`,
      });
    } else if (seen.has(s.id)) {
      problems.push({ path: `statuses[${i}].id`, message: `duplicate status ${JSON.stringify(s.id)}` });
    } else if (s.id === MERGED_STATUS.id && s.category !== 'merged') {
      problems.push({ path: `statuses[${i}].id`, message: '"merged" is reserved for the merged category' });
    }
    seen.add(s?.id);
    if (!(STATUS_CATEGORIES as readonly string[]).includes(s?.category)) {
      problems.push({
        path: `statuses[${i}].category`,
        message: `unknown category ${JSON.stringify(s?.category)}; use one of ${STATUS_CATEGORIES.join(', ')}`,
      });
    }
  });
  const statuses = declared.filter((s) => s?.id !== MERGED_STATUS.id).concat(MERGED_STATUS);
  const newOnes = declared.filter((s) => s?.category === 'new');
  if (newOnes.length > 1) {
    problems.push({
      path: 'statuses',
      message: 'only one status may be in category new (the initial status)',
    });
  }
  if (declared.length > 0 && newOnes.length === 1 && declared[0]?.category !== 'new') {
    problems.push({
      path: 'statuses[0]',
      message: 'the new-category status must come first: it is the initial status',
    });
  }
  if (declared.length > 0 && ['closed', 'merged', 'solved'].includes(declared[0]?.category as string)) {
    problems.push({ path: 'statuses[0]', message: 'the initial status cannot be solved, closed or merged' });
  }
  if (!declared.some((s) => s?.category === 'closed')) {
    problems.push({
      path: 'statuses',
      message: 'needs a status in category closed: every ticket must be able to end',
    });
  }
  const ids = new Set(statuses.map((s) => s.id));
  for (const key of ['onCustomerReply', 'onAgentPublicReply'] as const) {
    const target = def?.[key];
    if (target === undefined) continue;
    if (!ids.has(target)) problems.push({ path: key, message: `unknown status ${JSON.stringify(target)}` });
    else {
      const cat = statuses.find((s) => s.id === target)?.category;
      if (cat === 'new' || cat === 'closed' || cat === 'merged' || cat === 'solved') {
        problems.push({
          path: key,
          message: `cannot move a ticket to ${cat} status ${JSON.stringify(target)}`,
        });
      }
    }
  }
  if (
    def?.closedReplies !== undefined &&
    def.closedReplies !== 'follow-up' &&
    def.closedReplies !== 'reject'
  ) {
    problems.push({ path: 'closedReplies', message: "must be 'follow-up' or 'reject'" });
  }
  if (def?.transitions !== undefined) {
    if (typeof def.transitions !== 'object' || def.transitions === null) {
      problems.push({ path: 'transitions', message: 'must be an object of from → to[]' });
    } else {
      for (const [from, tos] of Object.entries(def.transitions)) {
        const fromCat = statuses.find((s) => s.id === from)?.category;
        if (!ids.has(from))
          problems.push({ path: `transitions.${from}`, message: `unknown status ${JSON.stringify(from)}` });
        if (!Array.isArray(tos)) {
          problems.push({ path: `transitions.${from}`, message: 'must be an array of statuses' });
          continue;
        }
        tos.forEach((to, i) => {
          const toCat = statuses.find((s) => s.id === to)?.category;
          if (!ids.has(to)) {
            problems.push({
              path: `transitions.${from}[${i}]`,
              message: `unknown status ${JSON.stringify(to)}`,
            });
          } else if (fromCat && toCat && !categoryAllows(fromCat, toCat)) {
            problems.push({
              path: `transitions.${from}[${i}]`,
              message: `${from} (${fromCat}) → ${to} (${toCat}) breaks the category rules`,
            });
          }
        });
      }
    }
  }
  return { problems, statuses };
}

/**
 * Defines a workflow: statuses in categories, the moves between them, and where replies move a
 * ticket. Validates everything at once and throws one `WorkflowError` listing every problem:
 * unknown statuses, statuses unreachable from the initial one, and dead ends (statuses from which
 * no final status can be reached).
 *
 * @example
 * const support = defineWorkflow({
 *   id: 'support',
 *   statuses: [
 *     { id: 'new', category: 'new' }, { id: 'open', category: 'open' },
 *     { id: 'waiting', category: 'pending' }, { id: 'solved', category: 'solved' },
 *     { id: 'closed', category: 'closed' },
 *   ],
 *   onCustomerReply: 'open',
 *   onAgentPublicReply: 'waiting',
 * });
 */
export function defineWorkflow(def: WorkflowDefinition): Workflow {
  const { problems, statuses } = problemsOf(def);
  if (problems.length > 0) throw new WorkflowError(problems, { details: { workflowId: def?.id } });

  const categoryById = new Map(statuses.map((s) => [s.id, s.category] as const));
  const initial = statuses[0]!.id;
  const onCustomerReply = def.onCustomerReply ?? statuses.find((s) => s.category === 'open')?.id;

  // Manual moves: explicit, or every move the category rules allow.
  const manual = new Map<string, string[]>();
  for (const s of statuses) {
    const targets = def.transitions
      ? (def.transitions[s.id] ?? [])
      : statuses.filter((t) => t.id !== s.id && categoryAllows(s.category, t.category)).map((t) => t.id);
    manual.set(s.id, targets);
  }

  const replyTargets = (status: StatusDefinition) => {
    const on: Record<string, string> = {};
    const customerTarget =
      status.category === 'pending' || status.category === 'solved' || status.category === 'on_hold'
        ? status.category === 'on_hold'
          ? undefined // waiting on a third party: a customer's reply does not change that
          : onCustomerReply
        : undefined;
    if (customerTarget && customerTarget !== status.id) on.CUSTOMER_REPLY = customerTarget;
    const agentTarget =
      status.category === 'new' || status.category === 'open' ? def.onAgentPublicReply : undefined;
    if (agentTarget && agentTarget !== status.id) on.AGENT_PUBLIC_REPLY = agentTarget;
    return on;
  };

  const machine = setup({ types: {} as { events: LifecycleEvent } }).createMachine({
    id: def.id,
    initial,
    states: Object.fromEntries(
      statuses.map((s) => {
        const category = s.category;
        if (FINAL.has(category)) return [s.id, { type: 'final' as const, meta: { category } }];
        const on: Record<string, string> = { ...replyTargets(s), MERGE: MERGED_STATUS.id };
        for (const to of manual.get(s.id) ?? []) on[`TO.${to}`] = to;
        return [s.id, { on, meta: { category } }];
      }),
    ),
  });

  // The transition table, read from the machine once: status → event type → target.
  const table = new Map<string, Map<string, string>>();
  for (const s of statuses) table.set(s.id, transitionsOf(machine, s.id));

  // Graph checks over the compiled table: reachability from the initial status, and dead ends.
  const edges = (from: string) =>
    [...(table.get(from)?.entries() ?? [])].filter(([event]) => event !== 'MERGE').map(([, to]) => to);
  const reachable = new Set<string>([initial]);
  const queue = [initial];
  while (queue.length > 0) {
    for (const to of edges(queue.shift()!)) {
      if (!reachable.has(to)) {
        reachable.add(to);
        queue.push(to);
      }
    }
  }
  const graphProblems: Problem[] = [];
  for (const s of statuses) {
    if (s.id !== MERGED_STATUS.id && !reachable.has(s.id)) {
      graphProblems.push({
        path: `statuses.${s.id}`,
        message: `status ${s.id} is unreachable from ${initial}`,
      });
    }
  }
  // Reverse search from the final statuses finds every status that can still end.
  const canEnd = new Set(statuses.filter((s) => FINAL.has(s.category)).map((s) => s.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of statuses) {
      if (!canEnd.has(s.id) && edges(s.id).some((to) => canEnd.has(to))) {
        canEnd.add(s.id);
        grew = true;
      }
    }
  }
  for (const s of statuses) {
    if (!canEnd.has(s.id)) {
      graphProblems.push({
        path: `statuses.${s.id}`,
        message: `status ${s.id} is a dead end: no closed status can be reached from it`,
      });
    }
  }
  if (graphProblems.length > 0) throw new WorkflowError(graphProblems, { details: { workflowId: def.id } });

  return {
    id: def.id,
    definition: def,
    statuses,
    initial,
    onCustomerReply: onCustomerReply as string,
    ...(def.onAgentPublicReply === undefined ? {} : { onAgentPublicReply: def.onAgentPublicReply }),
    closedReplies: def.closedReplies ?? 'follow-up',
    machine,
    categoryOf: (status) => categoryById.get(status),
    hasStatus: (status) => categoryById.has(status),
    canMove: (from, to) => table.get(from)?.get(`TO.${to}`) === to,
    replyTarget: (from, who) =>
      table.get(from)?.get(who === 'customer' ? 'CUSTOMER_REPLY' : 'AGENT_PUBLIC_REPLY'),
    movesFrom: (from) =>
      [...(table.get(from)?.entries() ?? [])].filter(([e]) => e.startsWith('TO.')).map(([, to]) => to),
    firstOfCategory: (category) => statuses.find((s) => s.category === category)?.id,
  };
}

/**
 * The built-in workflow: new → open → pending / on hold → solved → closed. A customer's reply
 * reopens pending and solved tickets; an agent's public reply leaves the status alone.
 */
export const defaultWorkflow: Workflow = defineWorkflow({
  id: 'default',
  statuses: [
    { id: 'new', category: 'new', name: 'New' },
    { id: 'open', category: 'open', name: 'Open' },
    { id: 'pending', category: 'pending', name: 'Pending' },
    { id: 'on_hold', category: 'on_hold', name: 'On hold' },
    { id: 'solved', category: 'solved', name: 'Solved' },
    { id: 'closed', category: 'closed', name: 'Closed' },
  ],
  onCustomerReply: 'open',
  closedReplies: 'follow-up',
});

/**
 * A mermaid state diagram of a workflow, drawn from its compiled machine.
 *
 * @example
 * console.log(toMermaid(defaultWorkflow)); // stateDiagram-v2 …
 */
export function toMermaid(workflow: Workflow): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${workflow.initial}`];
  for (const s of workflow.statuses) {
    for (const [eventType, to] of transitionsOf(workflow.machine, s.id)) {
      const label = eventType.startsWith('TO.') ? '' : `: ${eventType.toLowerCase().replaceAll('_', ' ')}`;
      lines.push(`  ${s.id} --> ${to}${label}`);
    }
    if (s.category === 'closed' || s.category === 'merged') lines.push(`  ${s.id} --> [*]`);
  }
  return lines.join('\n');
}

/**
 * The moves a machine allows from one status, event type → target status, read through XState's
 * public API only: the snapshot in that status (`resolveState`), the transitions it could take
 * (`getNextTransitions`), whether it can take each (`snapshot.can`), and where the pure
 * `transition` lands.
 */
function transitionsOf(machine: AnyStateMachine, status: string): Map<string, string> {
  const row = new Map<string, string>();
  const snapshot = machine.resolveState({ value: status, context: {} });
  for (const t of getNextTransitions(snapshot)) {
    const event = { type: t.eventType } as LifecycleEvent;
    if (row.has(t.eventType) || !snapshot.can(event)) continue;
    const [next] = transition(machine, snapshot, event);
    const target = typeof next.value === 'string' ? next.value : undefined;
    if (target !== undefined) row.set(t.eventType, target);
  }
  return row;
}
