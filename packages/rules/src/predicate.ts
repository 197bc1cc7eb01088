import {
  type FieldType,
  fieldAccessor,
  PRIORITY_RANK,
  type Predicate,
  TICKET_CONDITION_FIELDS,
} from '@tessera/core';
import { type Get, isObject, type Read, type Rec, reader, readField, Shape } from './field-read';
import {
  asTexts,
  equals,
  equalsTo,
  hasText,
  isAbsent,
  isAllAscii,
  isText,
  lowerMemo,
  memberOf,
  sameAsciiText,
  type Texts,
} from './text-equality';

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
  if (typeof value === 'number' && op === 'gte' && shape === Shape.TicketPath)
    // The benchmark's and the classics' shape (`fields.seats`), with the read written in.
    return (s) => {
      const t = s.ticket as unknown;
      if (!isObject(t)) return false;
      const o = t[a];
      const v = isObject(o) ? o[b] : undefined;
      return typeof v === 'number' && v - value >= 0;
    };
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
    case Shape.EventPath:
      return (s) => {
        const e = s.event as unknown;
        let v: unknown;
        if (isObject(e)) {
          const on = e[a];
          v = isObject(on) ? on[b] : undefined;
          if (v === undefined) {
            const d = e.data;
            const inData = isObject(d) ? d[a] : undefined;
            v = isObject(inData) ? inData[b] : undefined;
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

/** Whether `v` is one of two ASCII texts (or a list holding one), as `in` means it. */
function isOneOfTwo(v: unknown, texts: Texts): boolean {
  const x = texts.exact[0]!;
  const y = texts.exact[1]!;
  if (v === x || v === y) return true;
  if (typeof v === 'string')
    return (
      (v.length === x.length && sameAsciiText(v, texts.lower[0]!)) ||
      (v.length === y.length && sameAsciiText(v, texts.lower[1]!))
    );
  return Array.isArray(v) && hasText(v, texts);
}

/** `in` (or, with `not`, `notIn`) two ASCII texts, the read written in for the common shapes. */
function inTwo(r: Read, texts: Texts, not: boolean): Predicate {
  const { shape, a, b, get } = r;
  switch (shape) {
    case Shape.TicketKey:
      return (s) => {
        const t = s.ticket as unknown;
        return isOneOfTwo(t === undefined || t === null ? undefined : (t as Rec)[a], texts) !== not;
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
        return isOneOfTwo(v, texts) !== not;
      };
    default:
      return (s) => isOneOfTwo(readField(s, shape, a, b, get), texts) !== not;
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
      if (texts?.exact.length === 2) return inTwo(r, texts, op === 'notIn');
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
      if (typeof value === 'string' && isAllAscii(value) && shape === Shape.TicketKey) {
        // Tags and the like, with the read and the item comparison written in.
        const lower = value.toLowerCase();
        const n = value.length;
        const not = op === 'notContains';
        return (s) => {
          const t = s.ticket as unknown;
          const v = t === undefined || t === null ? undefined : (t as Rec)[a];
          if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
              const x: unknown = v[i];
              if (x === value || (typeof x === 'string' && x.length === n && sameAsciiText(x, lower)))
                return !not;
            }
            return not;
          }
          return (typeof v === 'string' && lowered(v).includes(lower)) !== not;
        };
      }
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
  const before = fieldAccessor(field, 'previous');
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
