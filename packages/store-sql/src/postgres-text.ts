/**
 * PostgreSQL `text` cannot hold U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`), nor a
 * lone UTF-16 surrogate (the driver sends it as U+FFFD, so `'a\ud800'` and `'a\udc00'` would be
 * one id), yet any string of a caller may hold one: a ticket id, a tag, a tenant, a search text.
 * Every string the store writes to or compares with a `text` column goes through `toSqlText`:
 * U+0000 becomes U+0001 U+0001, U+0001 becomes U+0001 U+0002, and a lone surrogate U+0001 U+0003
 * and its four hex digits. The code is injective, so equality and uniqueness are those of the
 * original strings, and it keeps code-point order ("C" collation) for every string without a lone
 * surrogate; the JSON bodies keep the strings themselves (JSON writes U+0000 as `\u0000`).
 *
 * @example
 * toSqlText('a\u0000b'); // 'a\u0001\u0001b'
 */
export function toSqlText(value: string): string {
  if (!needsEscape(value)) return value;
  let out = '';
  // for…of walks code points: a surrogate pair comes whole, a lone surrogate alone.
  for (const c of value) {
    const unit = c.charCodeAt(0);
    if (c === '\u0000') out += '\u0001\u0001';
    else if (c === '\u0001') out += '\u0001\u0002';
    else if (c.length === 1 && unit >= 0xd800 && unit <= 0xdfff)
      out += `\u0001\u0003${unit.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit <= 1 || (unit >= 0xd800 && unit <= 0xdfff)) return true;
  }
  return false;
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
    if (value[i] !== '\u0001') {
      out += value[i];
      continue;
    }
    const kind = value[++i];
    if (kind === '\u0001') out += '\u0000';
    else if (kind === '\u0002') out += '\u0001';
    else {
      out += String.fromCharCode(Number.parseInt(value.slice(i + 1, i + 5), 16));
      i += 4;
    }
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
