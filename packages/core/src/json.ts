import { ValidationError } from './errors';
import type { JsonValue } from './model';

const MAX_DEPTH = 100;
/** Values copyJson copies at most: a bound on work, so a sparse array of length 2³² is refused at once. */
const MAX_NODES = 1_000_000;
const MAX_KEY_LENGTH = 1000;

/** Where a walk is: the keys from the root, turned into a path only when something is wrong. */
class Walk {
  readonly keys: (string | number)[] = [];
  nodes = 0;
  constructor(
    readonly root: string,
    readonly maxDepth: number,
    readonly maxNodes: number,
  ) {}

  path(): string {
    let out = this.root;
    for (const key of this.keys) {
      if (typeof key === 'number') out += `[${key}]`;
      else {
        // copyJson does not bound key length; a path (and its message) stays readable anyway.
        const shown = key.length > 100 ? `${key.slice(0, 100)}…` : key;
        out += out === '' ? shown : `.${shown}`;
      }
    }
    return out;
  }

  fail(message: string): ValidationError {
    return new ValidationError([{ path: this.path(), message }]);
  }

  /** Counts `n` more values against the budget before they are visited. */
  spend(n: number): void {
    this.nodes += n;
    if (this.nodes > this.maxNodes) {
      throw this.fail(`must be plain JSON of at most ${this.maxNodes} values in all`);
    }
  }
}

/** A short, safe text for whatever a hostile getter or Proxy trap threw (it may be a Proxy too). */
function thrownText(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.message).slice(0, 200);
    return typeof error;
  } catch {
    return 'an unreadable error';
  }
}

/**
 * Runs a walk and turns anything it throws that is not our own ValidationError — a getter or a Proxy
 * trap that throws, a trap that breaks a Proxy invariant, a revoked Proxy, the stack running out —
 * into a ValidationError at the path the walk had reached.
 */
function guarded<T>(walk: Walk, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw walk.fail(`could not be read as plain JSON: ${thrownText(error)}`);
  }
}

function tooDeep(walk: Walk): ValidationError {
  return walk.fail(`must be plain JSON: nested deeper than ${walk.maxDepth} levels, or cyclic`);
}

function setOwn(out: Record<string, unknown>, key: string, item: unknown): void {
  // An own "__proto__" (JSON.parse makes one) stays a plain property, as JSON.parse keeps it.
  if (key === '__proto__')
    Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
  else out[key] = item;
}

function copy(value: unknown, walk: Walk, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes -0 as 0 and has no NaN or Infinity.
      return value === 0 ? 0 : Number.isFinite(value) ? value : null;
    case 'object':
      break;
    case 'bigint':
      throw walk.fail('must be plain JSON: a BigInt is not');
    default:
      return undefined; // undefined, functions and symbols, as JSON drops them
  }
  if (value === null) return null;
  if (depth >= walk.maxDepth) throw tooDeep(walk);
  walk.spend(1);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return copy(toJSON.call(value), walk, depth + 1);
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return copy(value.valueOf(), walk, depth);
  }
  if (Array.isArray(value)) {
    const length = value.length;
    walk.spend(length);
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      walk.keys.push(i);
      const item = copy(value[i], walk, depth + 1);
      walk.keys.pop();
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  const keys = Object.keys(value);
  walk.spend(keys.length);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    walk.keys.push(key);
    const item = copy((value as Record<string, unknown>)[key], walk, depth + 1);
    walk.keys.pop();
    if (item !== undefined) setOwn(out, key, item);
  }
  return out;
}

/**
 * A private deep copy of a value under JSON's rules — what `JSON.parse(JSON.stringify(value))`
 * returns — without the text in between: `toJSON` is honoured (dates become ISO strings),
 * `undefined`, functions and symbols are dropped from objects and become `null` in arrays, and
 * non-finite numbers become `null` (and -0 becomes 0). A cycle, nesting deeper than 100 levels, more
 * than a million values, a BigInt, or a getter, `toJSON` or Proxy trap that throws is a
 * `ValidationError` naming the path (where JSON.stringify throws a bare TypeError or RangeError).
 *
 * @example
 * const mine = copyJson(event.data); // nothing the caller holds is shared with `mine`
 */
export function copyJson<T>(value: T): T {
  const walk = new Walk('', MAX_DEPTH, MAX_NODES);
  return guarded(walk, () => copy(value, walk, 0)) as T;
}

/** Bounds for {@link copyPlainJson}. */
export interface PlainJsonBounds {
  /** Levels of objects and arrays (default 64). */
  maxDepth?: number;
  /** Objects, arrays and their entries in all (default 100,000). */
  maxNodes?: number;
}

/** What a non-plain object is, for the message; never throws (its prototype may be hostile). */
function kindOf(value: object): string {
  try {
    if (value instanceof Date) return 'a Date (pass date.toISOString())';
    if (value instanceof Map || value instanceof Set) return 'a Map or Set';
    const proto = Reflect.getPrototypeOf(value);
    const ctor = proto === null ? undefined : Reflect.getOwnPropertyDescriptor(proto, 'constructor');
    const name = ctor && 'value' in ctor && typeof ctor.value === 'function' ? ctor.value.name : '';
    return typeof name === 'string' && name !== '' ? `an instance of ${name.slice(0, 60)}` : 'not plain';
  } catch {
    return 'not plain';
  }
}

/** One own property as data: read once through its descriptor, so a getter is never run. */
function dataOf(walk: Walk, d: PropertyDescriptor): unknown {
  if (!('value' in d)) throw walk.fail('must be plain data: a getter or setter is not');
  return d.value;
}

function plain(value: unknown, walk: Walk, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw walk.fail(`must be a finite number, got ${value}`);
      return value === 0 ? 0 : value; // -0 is 0 in JSON
    case 'object':
      break;
    case 'bigint':
      throw walk.fail('must be plain JSON: a BigInt is not (use a number or a string)');
    default:
      throw walk.fail(`must be plain JSON: a ${typeof value} is not`);
  }
  if (value === null) return null;
  if (depth >= walk.maxDepth) throw tooDeep(walk);
  walk.spend(1);
  if (Array.isArray(value)) {
    if (Reflect.getPrototypeOf(value) !== Array.prototype) throw walk.fail('must be a plain array');
    const length = dataOf(walk, Reflect.getOwnPropertyDescriptor(value, 'length') ?? {});
    if (typeof length !== 'number') throw walk.fail('must be a plain array');
    walk.spend(length); // before anything is read, so a huge sparse array costs nothing
    // Other properties an array may have are not part of its JSON, and are left out as JSON does.
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      walk.keys.push(i);
      const d = Reflect.getOwnPropertyDescriptor(value, i);
      if (d === undefined) throw walk.fail('must be a plain array: it has a hole here');
      const item = plain(dataOf(walk, d), walk, depth + 1);
      if (item === undefined) throw walk.fail('must be a JSON value, got undefined');
      walk.keys.pop();
      out[i] = item;
    }
    return out;
  }
  const proto = Reflect.getPrototypeOf(value);
  // Object.create(null) is a plain dictionary as far as JSON goes; the copy gets the usual prototype.
  if (proto !== Object.prototype && proto !== null) {
    throw walk.fail(`must be a plain object: this is ${kindOf(value)}`);
  }
  // Enumerable string keys only, as JSON.stringify reads: symbol keys and non-enumerable properties
  // are not part of the value and are left out (Object.keys is also far cheaper than Reflect.ownKeys).
  const keys = Object.keys(value);
  walk.spend(keys.length);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // A bound, so that a megabyte-long key never ends up in a path or an error message.
    if (key.length > MAX_KEY_LENGTH) {
      throw walk.fail(`has a property name of ${key.length} characters; at most ${MAX_KEY_LENGTH}`);
    }
    walk.keys.push(key);
    const d = Reflect.getOwnPropertyDescriptor(value, key);
    // A key a Proxy lists but then has not is left out, as JSON.stringify leaves it out.
    if (d !== undefined) {
      const item = plain(dataOf(walk, d), walk, depth + 1);
      if (item !== undefined) setOwn(out, key, item);
    }
    walk.keys.pop();
  }
  return out;
}

/**
 * A private copy of untrusted input that must already be plain JSON data, or a `ValidationError`
 * with the path of the first thing that is not. Stricter than {@link copyJson}: nothing is
 * converted — a BigInt, a function, a symbol value, NaN or Infinity, a Date, Map or class instance, a
 * `toJSON`, a getter or setter, a sparse array or `undefined` in an array is refused; `undefined`
 * object properties are left out, as absent. Each property is read once through its descriptor, so
 * a getter never runs and a Proxy cannot answer differently later: the copy is what was checked.
 * Depth and size are bounded before anything is visited (a 20,000-deep or cyclic value stops at
 * `maxDepth`), and whatever a Proxy trap throws becomes a ValidationError too — nothing else escapes.
 *
 * @example
 * const body = copyPlainJson(JSON.parse(text), 'body', { maxDepth: 32 });
 */
export function copyPlainJson(
  value: unknown,
  path = '',
  bounds: PlainJsonBounds = {},
): JsonValue | undefined {
  const walk = new Walk(path, bounds.maxDepth ?? 64, bounds.maxNodes ?? 100_000);
  // `guarded`, without a closure per call: this runs twice for every command.
  try {
    return plain(value, walk, 0) as JsonValue | undefined;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw walk.fail(`could not be read as plain JSON: ${thrownText(error)}`);
  }
}

/**
 * A short description of a value for an error message: never the whole of a huge string, and it
 * never throws (the value may be a hostile Proxy).
 *
 * @example
 * describeValue('x'.repeat(1e6)); // '"xxxx…" (1000000 characters)'
 */
export function describeValue(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    if (typeof value === 'string') {
      return value.length > 40
        ? `${JSON.stringify(`${value.slice(0, 40)}…`)} (${value.length} characters)`
        : JSON.stringify(value);
    }
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value === 'bigint') return 'a BigInt';
    return typeof value;
  } catch {
    return 'an unreadable value';
  }
}
