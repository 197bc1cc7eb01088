import { ConfigError, type Problem } from './errors';
import type { StoredEvent } from './events';
import { type JsonValue, PRIORITY_RANK } from './model';

export const CONDITION_OPS = [
  'is',
  'isNot',
  'in',
  'notIn',
  'contains',
  'notContains',
  'matches',
  'gt',
  'gte',
  'lt',
  'lte',
  'present',
  'absent',
  'changed',
  'changedTo',
  'changedFrom',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface FieldCondition {
  field: string;
  op: ConditionOp;
  value?: JsonValue;
}

/**
 * The one JSON predicate language over a ticket (and, for triggers, the event that just happened).
 * Packages may add node kinds of their own (rules adds `hoursSince`) through `compileCondition`'s
 * `nodes` option, and name them in the type: `Condition<HoursSince>` may hold a `HoursSince`
 * anywhere a condition goes. `Condition` alone holds core's nodes only; an unknown node is a
 * `ConfigError` at compile time.
 */
export type Condition<Node extends object = never> =
  | { all: Condition<Node>[] }
  | { any: Condition<Node>[] }
  | { not: Condition<Node> }
  | FieldCondition
  | Node;

/** What a condition is evaluated against. `ticket` may be a `Ticket` or a `TicketSummary`. */
export interface ConditionSubject {
  /** A structural view: fields are resolved by path, so any object with the named fields will do. */
  ticket: object;
  /** The ticket before the event, for `changed`, `changedTo`, `changedFrom`. */
  previous?: object;
  event?: StoredEvent;
  now?: Date;
}

export type Predicate = (subject: ConditionSubject) => boolean;

export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'string[]' | 'priority' | 'any';

/** The fields a condition may name, with their types. `fields.*` (custom fields) is always allowed. */
export const TICKET_CONDITION_FIELDS: Readonly<Record<string, FieldType>> = {
  id: 'string',
  number: 'number',
  subject: 'string',
  status: 'string',
  category: 'string',
  type: 'string',
  team: 'string',
  assignee: 'string',
  priority: 'priority',
  tags: 'string[]',
  channel: 'string',
  organization: 'string',
  'requester.id': 'string',
  'requester.email': 'string',
  'requester.name': 'string',
  'requester.organizationId': 'string',
  createdAt: 'date',
  updatedAt: 'date',
  lastCustomerMessageAt: 'date',
  lastAgentReplyAt: 'date',
  'event.type': 'string',
  'event.actor.kind': 'string',
  'event.actor.id': 'string',
  'event.channel': 'string',
  'event.visibility': 'string',
  'event.automatic': 'boolean',
  'sla.breached': 'boolean',
  'sla.atRisk': 'boolean',
  'sla.policyId': 'string',
};

export interface CompileOptions {
  /** Node compilers for node kinds beyond all/any/not/field, keyed by the node's distinguishing key. */
  nodes?: Record<string, (node: Record<string, unknown>, path: string, problems: Problem[]) => Predicate>;
  /** Field names beyond `TICKET_CONDITION_FIELDS` (and `fields.*`) that conditions may use. */
  fields?: Readonly<Record<string, FieldType>>;
}

const MAX_REGEX_LENGTH = 200;

/** A field's value read from a condition's subject. */
export type Accessor = (s: ConditionSubject) => unknown;

function pathGetter(parts: string[]): (root: unknown) => unknown {
  return (root) => {
    let value: unknown = root;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

/**
 * How a condition reads a field path, on the ticket (`which: 'ticket'`) or the ticket before the
 * event: `event.*` on the envelope or its data, `organization` falling back to the requester's, a
 * path walked while each step is an object. Rules' fast compiler reads fields through it too.
 *
 * @example
 * fieldAccessor('organization', 'ticket')({ ticket: { requester: { organizationId: 'acme' } } }); // → 'acme'
 */
export function fieldAccessor(field: string, which: 'ticket' | 'previous'): Accessor {
  if (field.startsWith('event.')) {
    const rest = field.slice('event.'.length).split('.');
    // Event fields live on the envelope (type, actor) or in its data (channel, visibility…).
    const get = pathGetter(rest);
    return (s) => {
      if (!s.event) return undefined;
      const v = get(s.event);
      return v !== undefined ? v : get(s.event.data);
    };
  }
  // The subject is structural (a Ticket, a TicketSummary, any object): read by name.
  const of = (s: ConditionSubject) => s[which] as Record<string, unknown> | undefined;
  if (field === 'organization')
    return (s) =>
      of(s)?.organization ?? (of(s)?.requester as { organizationId?: unknown } | undefined)?.organizationId;
  const parts = field.split('.');
  if (parts.length === 1) return (s) => of(s)?.[field];
  const get = pathGetter(parts);
  return (s) => (s[which] === undefined ? undefined : get(s[which]));
}

/** Equality as conditions mean it (strings case-insensitively), against a value known at compile time. */
function equalsTo(expected: unknown): (v: unknown) => boolean {
  if (typeof expected !== 'string') return (v) => equals(v, expected);
  const lower = expected.toLowerCase();
  return (v) =>
    typeof v === 'string' && (v === expected || (v.length === expected.length && v.toLowerCase() === lower));
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  return false;
}

function compare(a: unknown, b: unknown, type: FieldType | undefined): number | undefined {
  if (type === 'priority') {
    const ra = PRIORITY_RANK[String(a)];
    const rb = PRIORITY_RANK[String(b)];
    return ra === undefined || rb === undefined ? undefined : ra - rb;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    if (type === 'date') {
      const ta = Date.parse(a);
      const tb = Date.parse(b);
      return Number.isNaN(ta) || Number.isNaN(tb) ? undefined : ta - tb;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

/**
 * Whether a regular expression could backtrack catastrophically: a quantified group that itself
 * contains a quantifier or an alternation (`(a+)+`, `(a|a)*`), or a back-reference. Conservative.
 *
 * @example
 * isUnsafeRegex('(a+)+$'); // true: refused in a condition's `matches`
 * isUnsafeRegex('^refund'); // false
 */
export function isUnsafeRegex(source: string): boolean {
  if (/\\[1-9]/.test(source)) return true;
  const stack: { quantifiedInside: boolean; alternation: boolean }[] = [];
  let quantifiedInside = false;
  let alternation = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      while (i < source.length && source[i] !== ']') {
        if (source[i] === '\\') i++;
        i++;
      }
      continue;
    }
    if (c === '(') {
      stack.push({ quantifiedInside, alternation });
      quantifiedInside = false;
      alternation = false;
      continue;
    }
    if (c === '|') alternation = true;
    if (c === ')') {
      const inner: { quantifiedInside: boolean; alternation: boolean } = { quantifiedInside, alternation };
      const outer = stack.pop() ?? { quantifiedInside: false, alternation: false };
      const next = source[i + 1];
      const groupQuantified = next === '*' || next === '+' || next === '{' || next === '?';
      if (groupQuantified && next !== '?' && (inner.quantifiedInside || inner.alternation)) return true;
      quantifiedInside = outer.quantifiedInside || inner.quantifiedInside || groupQuantified;
      alternation = outer.alternation;
      continue;
    }
    if (c === '*' || c === '+' || c === '{') quantifiedInside = true;
  }
  return false;
}

function compileField(
  node: FieldCondition,
  path: string,
  problems: Problem[],
  known: Readonly<Record<string, FieldType>>,
): Predicate {
  const { field, op, value } = node;
  if (typeof field !== 'string' || field === '') {
    problems.push({ path: `${path}.field`, message: 'must be a non-empty field name' });
    return () => false;
  }
  const type: FieldType | undefined = field.startsWith('fields.') ? 'any' : known[field];
  if (type === undefined) {
    problems.push({
      path: `${path}.field`,
      message: `unknown field ${JSON.stringify(field)}; use one of ${Object.keys(known).join(', ')} or fields.<name>`,
    });
    return () => false;
  }
  if (!(CONDITION_OPS as readonly string[]).includes(op)) {
    problems.push({
      path: `${path}.op`,
      message: `unknown op ${JSON.stringify(op)}; use one of ${CONDITION_OPS.join(', ')}`,
    });
    return () => false;
  }
  const get = fieldAccessor(field, 'ticket');
  const before = fieldAccessor(field, 'previous');
  const needsValue = !['present', 'absent', 'changed'].includes(op);
  if (needsValue && value === undefined) {
    problems.push({ path: `${path}.value`, message: `op ${op} needs a value` });
    return () => false;
  }
  const expectScalar = (ok: boolean, what: string) => {
    if (!ok) problems.push({ path: `${path}.value`, message: `op ${op} on ${field} needs ${what}` });
  };
  switch (op) {
    case 'is': {
      const eq = equalsTo(value);
      return (s) => eq(get(s));
    }
    case 'isNot': {
      const eq = equalsTo(value);
      return (s) => !eq(get(s));
    }
    case 'in':
    case 'notIn': {
      expectScalar(Array.isArray(value), 'an array of values');
      const tests = (Array.isArray(value) ? value : []).map(equalsTo);
      const member = (v: unknown) =>
        Array.isArray(v) ? v.some((x) => tests.some((t) => t(x))) : tests.some((t) => t(v));
      return op === 'in' ? (s) => member(get(s)) : (s) => !member(get(s));
    }
    case 'contains':
    case 'notContains': {
      const eq = equalsTo(value);
      const needle = typeof value === 'string' ? value.toLowerCase() : undefined;
      const has = (v: unknown) =>
        Array.isArray(v)
          ? v.some(eq)
          : typeof v === 'string' && needle !== undefined && v.toLowerCase().includes(needle);
      return op === 'contains' ? (s) => has(get(s)) : (s) => !has(get(s));
    }
    case 'matches': {
      if (typeof value !== 'string') {
        expectScalar(false, 'a regular expression string');
        return () => false;
      }
      if (value.length > MAX_REGEX_LENGTH) {
        problems.push({
          path: `${path}.value`,
          message: `regular expression longer than ${MAX_REGEX_LENGTH}`,
        });
        return () => false;
      }
      if (isUnsafeRegex(value)) {
        problems.push({
          path: `${path}.value`,
          message: `regular expression ${JSON.stringify(value)} may backtrack catastrophically (nested quantifier)`,
        });
        return () => false;
      }
      let re: RegExp;
      try {
        re = new RegExp(value, 'i');
      } catch (error) {
        problems.push({
          path: `${path}.value`,
          message: `invalid regular expression: ${(error as Error).message}`,
        });
        return () => false;
      }
      return (s) => {
        const v = get(s);
        return typeof v === 'string' ? re.test(v) : Array.isArray(v) && v.some((x) => re.test(String(x)));
      };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (type === 'priority') expectScalar(PRIORITY_RANK[String(value)] !== undefined, 'a priority');
      else expectScalar(typeof value === 'number' || typeof value === 'string', 'a number or a date');
      const test =
        op === 'gt'
          ? (c: number) => c > 0
          : op === 'gte'
            ? (c: number) => c >= 0
            : op === 'lt'
              ? (c: number) => c < 0
              : (c: number) => c <= 0;
      return (s) => {
        const c = compare(get(s), value, type);
        return c !== undefined && test(c);
      };
    }
    case 'present':
      return (s) => !isAbsent(get(s));
    case 'absent':
      return (s) => isAbsent(get(s));
    case 'changed':
      return (s) => s.previous !== undefined && !equals(get(s), before(s));
    case 'changedTo':
      return (s) => s.previous !== undefined && !equals(get(s), before(s)) && equals(get(s), value);
    case 'changedFrom':
      return (s) => s.previous !== undefined && !equals(get(s), before(s)) && equals(before(s), value);
  }
}

function compileNode(
  node: unknown,
  path: string,
  problems: Problem[],
  options: CompileOptions,
  known: Readonly<Record<string, FieldType>>,
): Predicate {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    problems.push({ path, message: 'must be a condition object' });
    return () => false;
  }
  const n = node as Record<string, unknown>;
  if ('all' in n || 'any' in n) {
    const key = 'all' in n ? 'all' : 'any';
    const list = n[key];
    if (!Array.isArray(list)) {
      problems.push({ path: `${path}.${key}`, message: 'must be an array of conditions' });
      return () => false;
    }
    const parts = list.map((c, i) => compileNode(c, `${path}.${key}[${i}]`, problems, options, known));
    return key === 'all' ? (s) => parts.every((p) => p(s)) : (s) => parts.some((p) => p(s));
  }
  if ('not' in n) {
    const inner = compileNode(n.not, `${path}.not`, problems, options, known);
    return (s) => !inner(s);
  }
  if ('field' in n) return compileField(n as unknown as FieldCondition, path, problems, known);
  for (const [key, compile] of Object.entries(options.nodes ?? {})) {
    if (key in n) return compile(n, path, problems);
  }
  problems.push({
    path,
    message: `unknown condition ${JSON.stringify(Object.keys(n))}; expected all, any, not or { field, op, value }`,
  });
  return () => false;
}

/**
 * Checks a condition and compiles it, once, to a plain synchronous function. Throws one
 * `ConfigError` listing every problem with its path.
 *
 * @example
 * const urgent = compileCondition({ all: [{ field: 'priority', op: 'gte', value: 'high' }, { field: 'tags', op: 'contains', value: 'vip' }] });
 * urgent({ ticket }); // → true or false
 */
export function compileCondition(
  condition: unknown,
  options: CompileOptions = {},
  path = 'condition',
): Predicate {
  const problems: Problem[] = [];
  const predicate = tryCompileCondition(condition, problems, options, path);
  if (problems.length > 0) throw new ConfigError(problems);
  return predicate;
}

/**
 * Like `compileCondition`, but adds problems to `problems` instead of throwing (to report many at once).
 *
 * @example
 * const problems: Problem[] = [];
 * const a = tryCompileCondition({ field: 'priority', op: 'gte', value: 'high' }, problems, {}, 'rules[0].if');
 * const b = tryCompileCondition({ field: 'nope', op: 'eq', value: 1 }, problems, {}, 'rules[1].if');
 * if (problems.length > 0) throw new ConfigError(problems); // both rules' problems at once
 */
export function tryCompileCondition(
  condition: unknown,
  problems: Problem[],
  options: CompileOptions = {},
  path = 'condition',
): Predicate {
  const known = options.fields ? { ...TICKET_CONDITION_FIELDS, ...options.fields } : TICKET_CONDITION_FIELDS;
  return compileNode(condition, path, problems, options, known);
}
