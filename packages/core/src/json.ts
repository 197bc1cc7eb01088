import { ValidationError } from './errors';

const MAX_DEPTH = 100;

function tooDeep(path: string): ValidationError {
  return new ValidationError([
    { path, message: `must be plain JSON: nested deeper than ${MAX_DEPTH} levels, or cyclic` },
  ]);
}

function copy(value: unknown, path: string, depth: number): unknown {
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
      throw new ValidationError([{ path, message: 'must be plain JSON: a BigInt is not' }]);
    default:
      return undefined; // undefined, functions and symbols, as JSON drops them
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw tooDeep(path);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return copy(toJSON.call(value), path, depth + 1);
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return copy(value.valueOf(), path, depth);
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copy(value[i], path, depth + 1);
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copy(
      (value as Record<string, unknown>)[key],
      path === '' ? key : `${path}.${key}`,
      depth + 1,
    );
    if (item === undefined) continue;
    // An own "__proto__" (JSON.parse makes one) stays a plain property, as JSON.parse keeps it.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/**
 * A private deep copy of a value under JSON's rules — what `JSON.parse(JSON.stringify(value))`
 * returns — without the text in between: `toJSON` is honoured (dates become ISO strings),
 * `undefined`, functions and symbols are dropped from objects and become `null` in arrays, and
 * non-finite numbers become `null` (and -0 becomes 0). A cycle, nesting deeper than 100 levels or a BigInt is a
 * `ValidationError` naming the path (where JSON.stringify throws a bare TypeError).
 *
 * @example
 * const mine = copyJson(command); // nothing the caller holds is shared with `mine`
 */
export function copyJson<T>(value: T): T {
  return copy(value, '', 0) as T;
}
