import {
  type ConditionSubject,
  type FieldType,
  PRIORITY_RANK,
  type Predicate,
  TICKET_CONDITION_FIELDS,
} from '@tessera/core';

/*
 * The fast compiler of rule conditions. Core's `tryCompileCondition` checks a condition and reports
 * its problems; once it has passed, this compiles the same JSON again into closures that do the
 * same thing with less in between: one closure per condition reading its field directly (no
 * accessor call, no `every` callback), strings compared case-insensitively without lower-casing
 * unless the text could match, the subject of `contains` lower-cased once per value rather than
 * once per rule, and `gt`/`gte`/`lt`/`lte` specialised on the kind of value at compile time.
 * Every verdict is the one core's predicate gives (predicate.prop.test.ts checks it against core on
 * random conditions and tickets). It belongs in core's condition.ts, which rules may not change.
 */

type Get = (s: ConditionSubject) => unknown;
type Rec = Record<string, unknown>;

const isObject = (v: unknown): v is Rec => v !== null && typeof v === 'object';

/** Core's path walk: undefined as soon as a step is not an object. */
function pathGet(parts: readonly string[]): (root: unknown) => unknown {
  if (parts.length === 1) {
    const [a] = parts as [string];
    return (root) => (isObject(root) ? root[a] : undefined);
  }
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return (root) => {
      if (!isObject(root)) return undefined;
      const v = root[a];
      return isObject(v) ? v[b] : undefined;
    };
  }
  return (root) => {
    let value: unknown = root;
    for (const part of parts) {
      if (!isObject(value)) return undefined;
      value = value[part];
    }
    return value;
  };
}

/**
 * How a condition reads its field. The usual shapes — a ticket field of one or two keys
 * (`priority`, `fields.seats`), an event field of one key (`event.type`) — are read by `readField`,
 * one plain function the engine inlines into each condition's closure; a call through a closure per
 * field could not be inlined. The rest (`organization`, longer paths) go through `get`.
 */
const Shape = { TicketKey: 0, TicketPath: 1, EventKey: 2, EventPath: 3, Other: 4 } as const;
type Shape = (typeof Shape)[keyof typeof Shape];
interface Read {
  shape: Shape;
  a: string;
  b: string;
  get: Get;
}

function reader(field: string): Read {
  const get = accessor(field, 'ticket');
  const parts = field.split('.');
  if (parts[0] === 'event') {
    if (parts.length === 2) return { shape: Shape.EventKey, a: parts[1]!, b: '', get };
    if (parts.length === 3) return { shape: Shape.EventPath, a: parts[1]!, b: parts[2]!, get };
    return { shape: Shape.Other, a: '', b: '', get };
  }
  if (field === 'organization' || parts.length > 2) return { shape: Shape.Other, a: '', b: '', get };
  return parts.length === 1
    ? { shape: Shape.TicketKey, a: field, b: '', get }
    : { shape: Shape.TicketPath, a: parts[0]!, b: parts[1]!, get };
}

/** The value `reader` describes, exactly as core's accessor for the field returns it. */
function readField(s: ConditionSubject, shape: Shape, a: string, b: string, get: Get): unknown {
  switch (shape) {
    case Shape.TicketKey: {
      const t = s.ticket as unknown;
      return t === undefined || t === null ? undefined : (t as Rec)[a];
    }
    case Shape.TicketPath: {
      const t = s.ticket as unknown;
      if (!isObject(t)) return undefined;
      const v = t[a];
      return isObject(v) ? v[b] : undefined;
    }
    case Shape.EventKey: {
      const e = s.event as unknown;
      if (!isObject(e)) return undefined;
      const v = e[a];
      if (v !== undefined) return v;
      const d = e.data;
      return isObject(d) ? d[a] : undefined;
    }
    case Shape.EventPath: {
      const e = s.event as unknown;
      if (!isObject(e)) return undefined;
      const on = e[a];
      const v = isObject(on) ? on[b] : undefined;
      if (v !== undefined) return v;
      const d = e.data;
      if (!isObject(d)) return undefined;
      const inData = d[a];
      return isObject(inData) ? inData[b] : undefined;
    }
    default:
      return get(s);
  }
}

/** The field's value on the ticket (or the ticket before), read as core's accessor reads it. */
function accessor(field: string, which: 'ticket' | 'previous'): Get {
  if (field.startsWith('event.')) {
    // Event fields live on the envelope (type, actor) or in its data (channel, visibility…).
    const get = pathGet(field.slice('event.'.length).split('.'));
    return (s) => {
      if (!s.event) return undefined;
      const v = get(s.event);
      return v !== undefined ? v : get(s.event.data);
    };
  }
  if (field === 'organization') return (s) => s[which]?.organization ?? s[which]?.requester?.organizationId;
  const parts = field.split('.');
  if (parts.length === 1) return (s) => s[which]?.[field];
  const get = pathGet(parts);
  return (s) => (s[which] === undefined ? undefined : get(s[which]));
}

function isAllAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * `v.toLowerCase() === lower` for a `v` as long as the expected text, which is all ASCII; without
 * allocating unless `v` has a character beyond ASCII. (ASCII letters lower-case one to one and
 * without context, so the first difference decides.)
 */
function sameAsciiText(v: string, lower: string): boolean {
  for (let i = 0; i < v.length; i++) {
    let c = v.charCodeAt(i);
    if (c > 127) return v.toLowerCase() === lower;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Core's deep equality: strings case-insensitively, arrays element by element. */
function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  return false;
}

/** Equality with a value known at compile time, as core's `equalsTo` (strings case-insensitively, same length). */
function equalsTo(expected: unknown): (v: unknown) => boolean {
  if (typeof expected !== 'string') return (v) => equals(v, expected);
  const lower = expected.toLowerCase();
  const n = expected.length;
  if (isAllAscii(expected))
    return (v) => v === expected || (typeof v === 'string' && v.length === n && sameAsciiText(v, lower));
  return (v) => v === expected || (typeof v === 'string' && v.length === n && v.toLowerCase() === lower);
}

/** Whether `v` equals one of `values` (each as `equalsTo`), or, for a list, one of its items does. */
function memberOf(values: readonly unknown[]): (v: unknown) => boolean {
  const tests = values.map(equalsTo);
  const one =
    tests.length === 1
      ? tests[0]!
      : tests.length === 2
        ? (
            (a, b) => (v: unknown) =>
              a(v) || b(v)
          )(tests[0]!, tests[1]!)
        : (v: unknown) => {
            for (const t of tests) if (t(v)) return true;
            return false;
          };
  return (v) => {
    if (!Array.isArray(v)) return one(v);
    for (const x of v) if (one(x)) return true;
    return false;
  };
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** A one-value memo of `toLowerCase`, per field: the many rules testing one field lower-case it once. */
function lowerMemo(): (v: string) => string {
  let raw: string | undefined;
  let lower = '';
  return (v) => {
    if (v !== raw) {
      raw = v;
      lower = v.toLowerCase();
    }
    return lower;
  };
}

const HOLDS = {
  gt: (c: number) => c > 0,
  gte: (c: number) => c >= 0,
  lt: (c: number) => c < 0,
  lte: (c: number) => c <= 0,
};

/** Core's `gt`/`gte`/`lt`/`lte` with the right side fixed at compile time. */
function comparison(op: keyof typeof HOLDS, r: Read, value: unknown, type: FieldType | undefined): Predicate {
  const { shape, a, b, get } = r;
  const holds = HOLDS[op];
  if (type === 'priority') {
    const rb = PRIORITY_RANK[String(value)];
    return (s) => {
      const ra = PRIORITY_RANK[String(readField(s, shape, a, b, get))];
      return ra !== undefined && rb !== undefined && holds(ra - rb);
    };
  }
  if (typeof value === 'number') {
    // Written out per op, so the comparison is inline; the subtraction keeps core's answer for
    // NaN and infinities (Infinity ≥ Infinity is false there, as Infinity − Infinity is NaN).
    switch (op) {
      case 'gt':
        return (s) => {
          const v = readField(s, shape, a, b, get);
          return typeof v === 'number' && v - value > 0;
        };
      case 'gte':
        return (s) => {
          const v = readField(s, shape, a, b, get);
          return typeof v === 'number' && v - value >= 0;
        };
      case 'lt':
        return (s) => {
          const v = readField(s, shape, a, b, get);
          return typeof v === 'number' && v - value < 0;
        };
      default:
        return (s) => {
          const v = readField(s, shape, a, b, get);
          return typeof v === 'number' && v - value <= 0;
        };
    }
  }
  if (typeof value === 'string' && type === 'date') {
    const tb = Date.parse(value);
    if (Number.isNaN(tb)) return () => false;
    return (s) => {
      const v = readField(s, shape, a, b, get);
      if (typeof v !== 'string') return false;
      const ta = Date.parse(v);
      return !Number.isNaN(ta) && holds(ta - tb);
    };
  }
  if (typeof value === 'string')
    return (s) => {
      const v = readField(s, shape, a, b, get);
      return typeof v === 'string' && holds(v < value ? -1 : v > value ? 1 : 0);
    };
  return () => false;
}

/** Texts known at compile time, for the case-insensitive equality of `is`, `in` and `contains`. */
interface Texts {
  exact: readonly string[];
  lower: readonly string[];
}

/** Whether `v` is one of the (all-ASCII) texts: identical, or as long and equal once lower-cased. */
function isText(v: unknown, t: Texts): boolean {
  const { exact, lower } = t;
  for (let i = 0; i < exact.length; i++) if (v === exact[i]) return true;
  if (typeof v !== 'string') return false;
  for (let i = 0; i < exact.length; i++)
    if (v.length === exact[i]!.length && sameAsciiText(v, lower[i]!)) return true;
  return false;
}

/** The values as `Texts` when every one is an ASCII string (the fast path), else undefined. */
function asTexts(values: readonly unknown[]): Texts | undefined {
  if (!values.every((v) => typeof v === 'string' && isAllAscii(v))) return undefined;
  const exact = values as string[];
  return { exact, lower: exact.map((v) => v.toLowerCase()) };
}

/** Whether a value, or any item of a list, is one of the texts. */
function hasText(v: unknown, t: Texts): boolean {
  if (!Array.isArray(v)) return isText(v, t);
  for (const x of v) if (isText(x, t)) return true;
  return false;
}

/**
 * `is` (or, with `not`, `isNot`) one ASCII text. The hottest condition, so the common shapes each
 * get a closure of their own with the read written in (one the engine optimises per shape).
 */
function textIs(r: Read, value: string, not: boolean): Predicate {
  const lower = value.toLowerCase();
  const n = value.length;
  const { shape, a, b, get } = r;
  switch (shape) {
    case Shape.TicketKey:
      return (s) => {
        const t = s.ticket as unknown;
        const v = t === undefined || t === null ? undefined : (t as Rec)[a];
        return (v === value || (typeof v === 'string' && v.length === n && sameAsciiText(v, lower))) !== not;
      };
    case Shape.EventKey:
      return (s) => {
        const e = s.event as unknown;
        let v: unknown;
        if (isObject(e)) {
          v = e[a];
          if (v === undefined) {
            const d = e.data;
            v = isObject(d) ? d[a] : undefined;
          }
        }
        return (v === value || (typeof v === 'string' && v.length === n && sameAsciiText(v, lower))) !== not;
      };
    default:
      return (s) => {
        const v = readField(s, shape, a, b, get);
        return (v === value || (typeof v === 'string' && v.length === n && sameAsciiText(v, lower))) !== not;
      };
  }
}

/** Compiles one `{ field, op, value }` that core has already checked. */
function compileField(
  node: Rec,
  known: Readonly<Record<string, FieldType>>,
  memos: Map<string, (v: string) => string>,
): Predicate {
  const field = node.field as string;
  const op = node.op as string;
  const value = node.value;
  const type: FieldType | undefined = field.startsWith('fields.') ? 'any' : known[field];
  const r = reader(field);
  const { shape, a, b, get: read } = r;
  const get: Get = (s) => readField(s, shape, a, b, read);
  switch (op) {
    case 'is':
    case 'isNot': {
      if (typeof value === 'string' && isAllAscii(value)) return textIs(r, value, op === 'isNot');
      const eq = equalsTo(value);
      return op === 'is' ? (s) => eq(get(s)) : (s) => !eq(get(s));
    }
    case 'in':
    case 'notIn': {
      const texts = asTexts(value as unknown[]);
      if (texts?.exact.length === 2) {
        const [x, y] = texts.exact as [string, string];
        const [lx, ly] = texts.lower as [string, string];
        const not = op === 'notIn';
        return (s) => {
          const v = readField(s, shape, a, b, read);
          if (v === x || v === y) return !not;
          if (typeof v === 'string')
            return (
              ((v.length === x.length && sameAsciiText(v, lx)) ||
                (v.length === y.length && sameAsciiText(v, ly))) !== not
            );
          return (Array.isArray(v) && hasText(v, texts)) !== not;
        };
      }
      if (texts)
        return op === 'in'
          ? (s) => hasText(readField(s, shape, a, b, read), texts)
          : (s) => !hasText(readField(s, shape, a, b, read), texts);
      const member = memberOf(value as unknown[]);
      return op === 'in' ? (s) => member(get(s)) : (s) => !member(get(s));
    }
    case 'contains':
    case 'notContains': {
      const texts = asTexts([value]);
      const eq = equalsTo(value);
      const needle = typeof value === 'string' ? value.toLowerCase() : undefined;
      const lowered = memos.get(field) ?? lowerMemo();
      memos.set(field, lowered);
      // A list holds the value as an item; a text holds it as a part, case-insensitively.
      const has = (v: unknown) => {
        if (Array.isArray(v)) {
          if (texts) {
            for (const x of v) if (isText(x, texts)) return true;
            return false;
          }
          for (const x of v) if (eq(x)) return true;
          return false;
        }
        return typeof v === 'string' && needle !== undefined && lowered(v).includes(needle);
      };
      return op === 'contains'
        ? (s) => has(readField(s, shape, a, b, read))
        : (s) => !has(readField(s, shape, a, b, read));
    }
    case 'matches': {
      const re = new RegExp(value as string, 'i');
      return (s) => {
        const v = get(s);
        return typeof v === 'string' ? re.test(v) : Array.isArray(v) && v.some((x) => re.test(String(x)));
      };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return comparison(op, r, value, type);
    case 'present':
      return (s) => !isAbsent(get(s));
    case 'absent':
      return (s) => isAbsent(get(s));
  }
  const before = accessor(field, 'previous');
  switch (op) {
    case 'changed':
      return (s) => s.previous !== undefined && !equals(get(s), before(s));
    case 'changedTo':
      return (s) => s.previous !== undefined && !equals(get(s), before(s)) && equals(get(s), value);
    default:
      return (s) => s.previous !== undefined && !equals(get(s), before(s)) && equals(before(s), value);
  }
}

/** `all` / `any` of compiled parts, written out for the usual sizes (no callback per part). */
function combine(parts: Predicate[], all: boolean): Predicate {
  if (all) {
    switch (parts.length) {
      case 0:
        return () => true;
      case 1:
        return parts[0]!;
      case 2: {
        const [a, b] = parts as [Predicate, Predicate];
        return (s) => a(s) && b(s);
      }
      case 3: {
        const [a, b, c] = parts as [Predicate, Predicate, Predicate];
        return (s) => a(s) && b(s) && c(s);
      }
      case 4: {
        const [a, b, c, d] = parts as [Predicate, Predicate, Predicate, Predicate];
        return (s) => a(s) && b(s) && c(s) && d(s);
      }
      case 5: {
        const [a, b, c, d, e] = parts as [Predicate, Predicate, Predicate, Predicate, Predicate];
        return (s) => a(s) && b(s) && c(s) && d(s) && e(s);
      }
    }
    return (s) => {
      for (const p of parts) if (!p(s)) return false;
      return true;
    };
  }
  switch (parts.length) {
    case 0:
      return () => false;
    case 1:
      return parts[0]!;
    case 2: {
      const [a, b] = parts as [Predicate, Predicate];
      return (s) => a(s) || b(s);
    }
    case 3: {
      const [a, b, c] = parts as [Predicate, Predicate, Predicate];
      return (s) => a(s) || b(s) || c(s);
    }
  }
  return (s) => {
    for (const p of parts) if (p(s)) return true;
    return false;
  };
}

/** Field names and memos shared by every condition of one rule set. */
export interface FastCompiler {
  /** Compiles a condition core's `tryCompileCondition` accepted; `custom` gives its own nodes (hoursSince). */
  compile(condition: unknown, custom: (node: Rec) => Predicate | undefined): Predicate;
}

/**
 * A compiler for the conditions of one rule set (its memos are shared by its rules).
 *
 * @example
 * const fast = fastCompiler(RULE_FIELDS);
 * const test = fast.compile({ field: 'priority', op: 'is', value: 'urgent' }, () => undefined);
 * test({ ticket }); // → as core's compileCondition(…)({ ticket })
 */
export function fastCompiler(fields: Readonly<Record<string, FieldType>> = {}): FastCompiler {
  const known = { ...TICKET_CONDITION_FIELDS, ...fields };
  const memos = new Map<string, (v: string) => string>();
  const compile = (node: unknown, custom: (node: Rec) => Predicate | undefined): Predicate => {
    const n = node as Rec;
    if ('all' in n || 'any' in n) {
      const key = 'all' in n ? 'all' : 'any';
      return combine(
        (n[key] as unknown[]).map((c) => compile(c, custom)),
        key === 'all',
      );
    }
    if ('not' in n) {
      const inner = compile(n.not, custom);
      return (s) => !inner(s);
    }
    if ('field' in n) return compileField(n, known, memos);
    // Only conditions core accepted get here, so every other node is one of the rule set's own.
    return custom(n) ?? (() => false);
  };
  return { compile };
}
