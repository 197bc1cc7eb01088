// Equality as conditions mean it (core's), for the fast compiler (predicate.ts): strings
// case-insensitively, with shortcuts for ASCII text that give the same answers.

/**
 * Whether every character of the text is ASCII.
 *
 * @example
 * isAllAscii('open'); // → true; isAllAscii('Straße') → false
 */
export function isAllAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * `v.toLowerCase() === lower` for a `v` as long as the expected text, which is all ASCII; without
 * allocating unless `v` has a character beyond ASCII. (ASCII letters lower-case one to one and
 * without context, so the first difference decides.)
 *
 * @example
 * sameAsciiText('OPEN', 'open'); // → true
 */
export function sameAsciiText(v: string, lower: string): boolean {
  for (let i = 0; i < v.length; i++) {
    let c = v.charCodeAt(i);
    if (c > 127) return v.toLowerCase() === lower;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Core's deep equality: strings case-insensitively, arrays element by element.
 *
 * @example
 * equals(['A', 'b'], ['a', 'B']); // → true
 */
export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  return false;
}

/**
 * Equality with a value known at compile time, as core's `equalsTo` (strings case-insensitively, same length).
 *
 * @example
 * equalsTo('Open')('OPEN'); // → true
 */
export function equalsTo(expected: unknown): (v: unknown) => boolean {
  if (typeof expected !== 'string') return (v) => equals(v, expected);
  const lower = expected.toLowerCase();
  const n = expected.length;
  if (isAllAscii(expected))
    return (v) => v === expected || (typeof v === 'string' && v.length === n && sameAsciiText(v, lower));
  return (v) => v === expected || (typeof v === 'string' && v.length === n && v.toLowerCase() === lower);
}

/**
 * Whether `v` equals one of `values` (each as `equalsTo`), or, for a list, one of its items does.
 *
 * @example
 * memberOf(['email', 'chat'])(['api', 'CHAT']); // → true
 */
export function memberOf(values: readonly unknown[]): (v: unknown) => boolean {
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

/**
 * Absent as conditions mean it: undefined, null, empty text or an empty list.
 *
 * @example
 * isAbsent([]); // → true; isAbsent(0) → false
 */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * A one-value memo of `toLowerCase`, per field: the many rules testing one field lower-case it once.
 *
 * @example
 * const lower = lowerMemo();
 * lower('Outage'); // → 'outage' (again for the same text: no new lower-casing)
 */
export function lowerMemo(): (v: string) => string {
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

/** Texts known at compile time, for the case-insensitive equality of `is`, `in` and `contains`. */
export interface Texts {
  exact: readonly string[];
  lower: readonly string[];
}

/**
 * Whether `v` is one of the (all-ASCII) texts: identical, or as long and equal once lower-cased.
 *
 * @example
 * isText('VIP', asTexts(['vip'])!); // → true
 */
export function isText(v: unknown, t: Texts): boolean {
  const { exact, lower } = t;
  for (let i = 0; i < exact.length; i++) if (v === exact[i]) return true;
  if (typeof v !== 'string') return false;
  for (let i = 0; i < exact.length; i++)
    if (v.length === exact[i]!.length && sameAsciiText(v, lower[i]!)) return true;
  return false;
}

/**
 * The values as `Texts` when every one is an ASCII string (the fast path), else undefined.
 *
 * @example
 * asTexts(['open', 'Pending']); // → { exact: ['open', 'Pending'], lower: ['open', 'pending'] }
 */
export function asTexts(values: readonly unknown[]): Texts | undefined {
  if (!values.every((v) => typeof v === 'string' && isAllAscii(v))) return undefined;
  const exact = values as string[];
  return { exact, lower: exact.map((v) => v.toLowerCase()) };
}

/**
 * Whether a value, or any item of a list, is one of the texts.
 *
 * @example
 * hasText(['x', 'Vip'], asTexts(['vip'])!); // → true
 */
export function hasText(v: unknown, t: Texts): boolean {
  if (!Array.isArray(v)) return isText(v, t);
  for (const x of v) if (isText(x, t)) return true;
  return false;
}
