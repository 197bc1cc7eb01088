import type { Problem } from '@tessera/core';
import type { CompiledRule } from './rule-model';

/**
 * Finding rules that undo each other. A rule's *effects* are the values its actions set (status,
 * priority, type, assignee, team, a tag added or removed); its *needs* are the `field is/in/isNot/
 * notIn value` and `tags contains/notContains` constraints its condition requires (top level and
 * inside `all`). Rule `b` may undo rule `a` when `b` sets something `a` set to another value and
 * `b`'s needs can hold right after `a` acted. A cycle of such steps may loop: a warning. When each
 * step is certain — the next rule's whole condition is made true by the previous one's actions, and
 * it is set off by every event that sets the previous one off — the rules certainly undo each
 * other: an error.
 */

type Key = string;
interface Need {
  accept?: Set<string>;
  reject: Set<string>;
}
interface Shape {
  effects: Map<Key, string>;
  needs: Map<Key, Need>;
  /** The condition is exactly the conjunction of `needs` (nothing else: no any, not, time, event). */
  complete: boolean;
}
interface Edge {
  to: number;
  key: Key;
  /** The value the edge's source set, and the one its target sets instead. */
  from: string;
  back: string;
  certain: boolean;
}

const SCALAR: Record<string, Key> = {
  status: 'status',
  priority: 'priority',
  type: 'type',
  assignee: 'assignee',
  team: 'team',
};

function effectsOf(rule: CompiledRule): Map<Key, string> {
  const out = new Map<Key, string>();
  for (const a of rule.then) {
    if (a.type === 'setStatus') out.set('status', a.status.toLowerCase());
    if (a.type === 'setPriority') out.set('priority', a.priority.toLowerCase());
    if (a.type === 'setType') out.set('type', a.ticketType.toLowerCase());
    if (a.type === 'assign' && a.assignee) out.set('assignee', a.assignee.toLowerCase());
    if (a.type === 'assign' && a.team) out.set('team', a.team.toLowerCase());
    if (a.type === 'addTags') for (const t of a.tags) out.set(`tag:${t.toLowerCase()}`, 'add');
    if (a.type === 'removeTags') for (const t of a.tags) out.set(`tag:${t.toLowerCase()}`, 'remove');
  }
  return out;
}

function shapeOf(rule: CompiledRule): Shape {
  const needs = new Map<Key, Need>();
  let complete = true;
  const need = (key: Key, accept: string[] | undefined, reject: string[] = []) => {
    const n = needs.get(key) ?? { reject: new Set<string>() };
    if (accept) {
      const lower = new Set(accept.map((v) => v.toLowerCase()));
      n.accept = n.accept ? new Set([...n.accept].filter((v) => lower.has(v))) : lower;
    }
    for (const v of reject) n.reject.add(v.toLowerCase());
    needs.set(key, n);
  };
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.all)) {
      for (const child of n.all) walk(child);
      return;
    }
    const { field, op, value } = n;
    const strings = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string');
    const tagged = field === 'tags' && typeof value === 'string';
    if (typeof field !== 'string') complete = false;
    else if (tagged && op === 'contains') need(`tag:${value.toLowerCase()}`, ['add']);
    else if (tagged && op === 'notContains') need(`tag:${value.toLowerCase()}`, ['remove']);
    else if (field === 'tags' || field.startsWith('event.')) complete = false;
    else {
      const key = SCALAR[field] ?? field;
      if (SCALAR[field] === undefined) complete = false;
      if (op === 'is' || op === 'in') need(key, strings);
      else if (op === 'isNot' || op === 'notIn') need(key, undefined, strings);
      else complete = false;
    }
  };
  if (rule.when !== undefined) walk(rule.when);
  return { effects: effectsOf(rule), needs, complete };
}

const accepts = (n: Need | undefined, v: string) =>
  !n || ((!n.accept || n.accept.has(v)) && !n.reject.has(v));

/** Whether `b`'s needs can hold right after `a` acted (what `a` set, and what `a` itself needed). */
function compatible(a: Shape, b: Shape): boolean {
  for (const [key, nb] of b.needs) {
    const set = a.effects.get(key);
    if (set !== undefined) {
      if (!accepts(nb, set)) return false;
      continue;
    }
    const na = a.needs.get(key);
    if (na?.accept && nb.accept && ![...na.accept].some((v) => accepts(nb, v))) return false;
  }
  return true;
}

/** Whether `b` certainly fires right after `a`: `a`'s actions make all of `b`'s condition true. */
function implies(ra: CompiledRule, a: Shape, rb: CompiledRule, b: Shape): boolean {
  // A condition that holds whatever `a` does (none at all) is not made true by `a`.
  if (ra.kind !== 'trigger' || rb.kind !== 'trigger' || !b.complete || b.needs.size === 0) return false;
  for (const [key, nb] of b.needs) {
    const set = a.effects.get(key);
    if (set === undefined || !accepts(nb, set)) return false;
  }
  // Set off by every event that sets `a` off (a trigger without `on` is set off by any).
  return rb.on === undefined || (ra.on !== undefined && [...ra.on].every((t) => rb.on!.has(t)));
}

function edgesOf(rules: readonly CompiledRule[], shapes: readonly Shape[]): Map<number, Edge>[] {
  return shapes.map((a, i) => {
    const out = new Map<number, Edge>();
    shapes.forEach((b, j) => {
      if (i === j) return;
      for (const [key, from] of a.effects) {
        const back = b.effects.get(key);
        if (back === undefined || back === from) continue;
        if (compatible(a, b))
          out.set(j, { to: j, key, from, back, certain: implies(rules[i]!, a, rules[j]!, b) });
        return;
      }
    });
    return out;
  });
}

type Use = (e: Edge) => boolean;

/** The strongly connected components of the graph over the edges `use` admits (Tarjan, iterative). */
function components(edges: readonly Map<number, Edge>[], use: Use): number[][] {
  const index = new Array<number>(edges.length).fill(-1);
  const low = new Array<number>(edges.length).fill(0);
  const onStack = new Array<boolean>(edges.length).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  for (let root = 0; root < edges.length; root++) {
    if (index[root] !== -1) continue;
    const work: { v: number; it: Iterator<Edge> }[] = [];
    const visit = (v: number) => {
      index[v] = low[v] = next++;
      stack.push(v);
      onStack[v] = true;
      work.push({ v, it: edges[v]!.values() });
    };
    visit(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const step = top.it.next();
      if (!step.done) {
        const e = step.value;
        if (!use(e)) continue;
        if (index[e.to] === -1) visit(e.to);
        else if (onStack[e.to]) low[top.v] = Math.min(low[top.v]!, index[e.to]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.v] = Math.min(low[parent.v]!, low[top.v]!);
      if (low[top.v] === index[top.v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== top.v);
        out.push(component.sort((x, y) => x - y));
      }
    }
  }
  return out;
}

/**
 * The shortest cycle of three or more rules through `s` within `members`, by one breadth-first
 * walk (a step straight back to `s` from its neighbour is a pair, reported as such).
 */
function longCycle(s: number, edges: readonly Map<number, Edge>[], use: Use, members: Set<number>) {
  const parent = new Map<number, number>([[s, -1]]);
  const depth = new Map<number, number>([[s, 0]]);
  const queue = [s];
  for (let q = 0; q < queue.length; q++) {
    const at = queue[q]!;
    for (const e of edges[at]!.values()) {
      if (!use(e) || !members.has(e.to)) continue;
      if (e.to === s) {
        if (depth.get(at)! < 2) continue;
        const path: number[] = [];
        for (let p = at; p !== -1; p = parent.get(p)!) path.unshift(p);
        return path;
      }
      if (parent.has(e.to)) continue;
      parent.set(e.to, at);
      depth.set(e.to, depth.get(at)! + 1);
      queue.push(e.to);
    }
  }
  return undefined;
}

/** How many rules of one component a cycle is looked for from: bounds the work on dense graphs. */
const STARTS_PER_COMPONENT = 20;

const quote = (key: Key, value: string) =>
  key.startsWith('tag:')
    ? `tag ${JSON.stringify(key.slice(4))} ${value === 'add' ? 'added' : 'removed'}`
    : `${key} to ${JSON.stringify(value)}`;

/**
 * Rules that undo each other, among triggers and automations: pairs and cycles of any length.
 * `errors` are certain (each one's actions make the next one's condition true); `warnings` only might.
 *
 * @example
 * loops(defined.triggers, defined.automations).warnings; // → [{ path: 'triggers.vip', message: 'vip sets …' }]
 */
export function loops(
  triggers: readonly CompiledRule[],
  automations: readonly CompiledRule[],
): { errors: Problem[]; warnings: Problem[] } {
  const rules = [...triggers, ...automations];
  const shapes = rules.map(shapeOf);
  const edges = edgesOf(rules, shapes);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const edge = (a: number, b: number) => edges[a]!.get(b);
  for (let i = 0; i < rules.length; i++) {
    for (const ij of edges[i]!.values()) {
      const j = ij.to;
      const ji = edge(j, i);
      if (j < i || !ji) continue;
      const [a, b] = [rules[i]!, rules[j]!];
      if (ij.certain && ji.certain)
        errors.push({
          path: a.path,
          message: `rules ${JSON.stringify(a.id)} and ${JSON.stringify(b.id)} certainly undo each other: ${a.id} sets ${quote(ij.key, ij.from)}, which makes ${b.id}'s condition true, and ${b.id} sets ${quote(ji.key, ji.from)}, which makes ${a.id}'s condition true; change one condition so they cannot both hold`,
        });
      else
        warnings.push({
          path: `${a.kind}s.${a.id}`,
          message: `${a.id} sets ${quote(ij.key, ij.from)} and ${b.id} can set it back to ${JSON.stringify(ij.back)} right after: they may undo each other`,
        });
    }
  }
  // Cycles of three or more: certain ones first, then those that only might loop.
  const seen = new Set<string>();
  for (const certain of [true, false]) {
    const use: Use = (e) => !certain || e.certain;
    for (const component of components(edges, use)) {
      if (component.length < 3) continue;
      const members = new Set(component);
      let cycle: number[] | undefined;
      for (const s of component.slice(0, STARTS_PER_COMPONENT)) {
        cycle = longCycle(s, edges, use, members);
        if (cycle) break;
      }
      if (!cycle) continue;
      const id = [...cycle].sort((x, y) => x - y).join(',');
      if (seen.has(id)) continue;
      seen.add(id);
      const names = [...cycle, cycle[0]!].map((r) => rules[r]!.id).join(' → ');
      const steps = cycle
        .map((r, k) => {
          const e = edge(r, cycle[(k + 1) % cycle.length]!)!;
          return `${rules[r]!.id} sets ${quote(e.key, e.from)}`;
        })
        .join(', ');
      const first = rules[cycle[0]!]!;
      if (certain)
        errors.push({
          path: first.path,
          message: `rules ${names} certainly go round in a loop: ${steps}, and each makes the next one's condition true`,
        });
      else
        warnings.push({
          path: `${first.kind}s.${first.id}`,
          message: `${names} may go round in a loop: ${steps}, and each can set off the next`,
        });
    }
  }
  return { errors, warnings };
}
