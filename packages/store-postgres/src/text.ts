/**
 * PostgreSQL `text` cannot hold U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`), yet any
 * string of a caller may hold one: a ticket id, a tag, a tenant, a search text. Every string the
 * store writes to or compares with a `text` column goes through `toSqlText`: U+0000 becomes
 * U+0001 U+0001 and U+0001 becomes U+0001 U+0002. The code is injective and keeps code-point
 * order ("C" collation), so equality, uniqueness and sorting are those of the original strings;
 * the JSON bodies keep the strings themselves (JSON writes U+0000 as `\u0000`).
 *
 * @example
 * toSqlText('a\u0000b'); // 'a\u0001\u0001b'
 */
export function toSqlText(value: string): string {
  if (!value.includes('\u0000') && !value.includes('\u0001')) return value;
  let out = '';
  for (const c of value) out += c === '\u0000' ? '\u0001\u0001' : c === '\u0001' ? '\u0001\u0002' : c;
  return out;
}

/**
 * The original string of a `toSqlText` value.
 *
 * @example
 * fromSqlText(toSqlText('a\u0000b')) === 'a\u0000b';
 */
export function fromSqlText(value: string): string {
  if (!value.includes('\u0001')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\u0001') {
      i++;
      out += value[i] === '\u0001' ? '\u0000' : '\u0001';
    } else out += value[i];
  }
  return out;
}

/**
 * `toSqlText` of a value that may be absent, as SQL NULL.
 *
 * @example
 * toSqlTextOrNull(summary.team);
 */
export const toSqlTextOrNull = (value: string | undefined | null): string | null =>
  value === undefined || value === null ? null : toSqlText(value);
