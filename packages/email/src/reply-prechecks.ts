/**
 * The cheap pre-checks of the reply line classifier (reply-lines.ts): each answers "certainly not"
 * for most prose lines from a few characters, without copying the line, and "maybe" whenever the
 * characters it would need are not ASCII (normalising or lower-casing could change them), leaving
 * those to the real test. A pre-check never changes an answer, only spares the work: the
 * classifier runs with and without them in reply-lines.prop.test.ts, on generated lines and on the
 * corpora.
 */
import { FIELDS, FORWARD_LINES, MOBILE, OPENERS, WROTE_BY_LAST } from './reply-words';

/** Decoration around a line's words: dashes, bold marks, underscores and spaces. */
export function decoration(ch: string | undefined): boolean {
  return ch === '-' || ch === '*' || ch === '_' || isWhite(ch);
}

export function isWhite(ch: string | undefined): boolean {
  return (
    ch !== undefined && (ch === ' ' || ch === '\t' || ch === '\u00a0' || ch === '\u3000' || ch === '\u202f')
  );
}

/** `decoration()` on a code unit. */
function isDecorationCode(c: number): boolean {
  return (
    c === 45 || c === 42 || c === 95 || c === 32 || c === 9 || c === 0xa0 || c === 0x3000 || c === 0x202f
  );
}

/** WROTE_BY_LAST for the ASCII last letters, by code: an array read instead of a map. */
const WROTE_BY_ASCII_LAST: (string[] | undefined)[] = [];
for (let c = 0; c < 128; c++) WROTE_BY_ASCII_LAST[c] = WROTE_BY_LAST.get(String.fromCharCode(c));

/**
 * The test `isAttribution` makes first, without copying the line: a line that neither ends in a
 * colon, nor in a "wrote" word, nor starts with a digit is not an attribution. Most lines of a
 * mail are such prose, and this spares them the normalised and lower-cased copies. It reads only
 * the first and last characters and the ending word; where those are not ASCII (normalising or
 * lower-casing could change them) it leaves the answer to the real test.
 */
export function mayBeAttribution(raw: string): boolean {
  let a = 0;
  while (a < raw.length && isDecorationCode(raw.charCodeAt(a))) a++;
  let b = raw.length;
  while (b > a && isDecorationCode(raw.charCodeAt(b - 1))) b--;
  if (a === b) return false;
  const x = raw.charCodeAt(a);
  const y = raw.charCodeAt(b - 1);
  if (x >= 128 || y >= 128) return true;
  // A control character there (a form feed, say: the real test trims some away) is left to it.
  if (x < 32 || y < 32) return true;
  // Ending in a colon, an attribution has a digit, an address or " via " ("X via Discourse").
  if (y === 58 /* : */) return hasDigitOrAt(raw) || / via /i.test(raw);
  if (x >= 48 && x <= 57) return true;
  // Without a colon or a leading digit, only a line ending in a "wrote" word as a whole word is one.
  const words = WROTE_BY_ASCII_LAST[foldAscii(y)];
  if (!words) return false;
  for (const w of words) if (mayEndWithWord(raw, b, w)) return true;
  return false;
}

/**
 * Whether `raw[0, end)` may end with the lower-case `word` in any case, not inside a longer word:
 * `endsWithWord` on the lower-cased line, without the copy. ASCII letters are folded; a non-ASCII
 * code unit in the way answers yes, for the real test to decide.
 */
function mayEndWithWord(raw: string, end: number, word: string): boolean {
  const from = end - word.length;
  if (from < 0) return false;
  for (let k = 0; k < word.length; k++) {
    const c = raw.charCodeAt(from + k);
    if (c >= 128) return true;
    if (foldAscii(c) !== word.charCodeAt(k)) return false;
  }
  if (from === 0) return true;
  const before = raw.charCodeAt(from - 1);
  return before >= 128 || !isAsciiAlnum(before);
}

/** A-Z to a-z; every other code unit as it is. */
function foldAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 32 : c;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The first and last characters `isSeparator`'s patterns need, on the trimmed line. */
export function maySeparate(t: string): boolean {
  const z = t[t.length - 1];
  if (z === ':' || z === '：') return true;
  // Past quote marks, spaces and bold marks a dash or an underscore must come.
  let i = 0;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 128) return true;
    if (c !== 62 /* > */ && c !== 42 /* * */ && !isJsSpace(c)) break;
  }
  return t[i] === '-' || t[i] === '_';
}

/** First letters of the forward lines ("Begin forwarded message:", "Début du message…", …). */
const FORWARD_FIRST = new Set(FORWARD_LINES.map((f) => f[0]!));

/**
 * The test `isSeparator` makes on a line that ends in a colon but has no dashes, before its
 * lower-cased copy: only a forward line can be one, so its first letter (past decoration) must
 * be the first letter of one.
 */
export function mayForward(t: string): boolean {
  let i = 0;
  while (i < t.length && decoration(t[i])) i++;
  const c = t.charCodeAt(i);
  return c >= 128 || FORWARD_FIRST.has(String.fromCharCode(foldAscii(c)));
}

/** The mobile prefixes by their first character. */
const MOBILE_BY_FIRST = new Map<string, string[]>();
for (const m of MOBILE) MOBILE_BY_FIRST.set(m[0]!, [...(MOBILE_BY_FIRST.get(m[0]!) ?? []), m]);

/**
 * The test `isMobileSignature` makes first, without copying the line: unless it starts (past `<`
 * and `(`) with the first letter of a mobile prefix or ends in "mobile", it is not one.
 */
export function mayBeMobile(raw: string): boolean {
  const t = raw.trimStart();
  let i = 0;
  while (t[i] === '<' || t[i] === '(') i++;
  const code = t.codePointAt(i);
  if (code === undefined) return false;
  const first =
    code < 128 ? String.fromCharCode(foldAscii(code)) : String.fromCodePoint(code).toLowerCase()[0]!;
  const group = MOBILE_BY_FIRST.get(first);
  if (group) for (const m of group) if (mayStartWith(t, i, m)) return true;
  return endsWithMobile(t);
}

/** `/mobile[>)]*\s*$/i.test(t)`, read from the end instead of tried at every position. */
function endsWithMobile(t: string): boolean {
  let e = t.length;
  while (e > 0 && isJsSpace(t.charCodeAt(e - 1))) e--;
  while (e > 0 && (t[e - 1] === '>' || t[e - 1] === ')')) e--;
  if (e < 6) return false;
  // Without the u flag, /i folds ASCII letters only: a non-ASCII letter never matches.
  for (let k = 0; k < 6; k++) if (foldAscii(t.charCodeAt(e - 6 + k)) !== 'mobile'.charCodeAt(k)) return false;
  return true;
}

/** What `\s` matches. */
function isJsSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Whether `t` from `at`, lower-cased, may start with the lower-case `prefix`: compared code unit by
 * code unit with ASCII letters folded; a non-ASCII one answers yes (its lower case may be longer
 * or ASCII, as İ and K are), leaving the answer to the real test.
 */
function mayStartWith(t: string, at: number, prefix: string): boolean {
  if (t.length - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) {
    const c = t.charCodeAt(at + k);
    if (c >= 128) return true;
    if (foldAscii(c) !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

/** The one-word openers that are ASCII (the only ones an ASCII first word can be), by first letter code. */
const ASCII_OPENERS: (string[] | undefined)[] = [];
for (const o of OPENERS) {
  if (!/^[a-z]+$/.test(o)) continue;
  const c = o.charCodeAt(0);
  ASCII_OPENERS[c] = [...(ASCII_OPENERS[c] ?? []), o];
}
const isAsciiSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isDecoration = (c: number) => c === 45 || c === 42 || c === 95 || c === 32 || c === 9;

/**
 * The test `startsAttribution` makes first, without copying the line: one with no `<` whose
 * first twelve characters (past spaces and decoration) are ASCII without a digit, and whose first
 * word is no opener, starts none. Whatever it cannot decide on ASCII alone it leaves to the real test.
 */
export function mayStartAttribution(line: string): boolean {
  if (line.includes('<')) return true;
  // core(): trim, then strip decoration, from both ends.
  let a = 0;
  let b = line.length;
  while (a < b && isAsciiSpace(line.charCodeAt(a))) a++;
  while (a < b && isDecoration(line.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(line.charCodeAt(b - 1))) b--;
  while (b > a && isDecoration(line.charCodeAt(b - 1))) b--;
  if (a === b) return false; // only ASCII spaces and decoration: core() leaves nothing
  if (line.charCodeAt(b - 1) >= 128) return true;
  const head = Math.min(b, a + 12);
  let word = -1;
  for (let i = a; i < head; i++) {
    const c = line.charCodeAt(i);
    if (c >= 128 || (c >= 48 && c <= 57)) return true;
    if (word < 0 && (isAsciiSpace(c) || c === 44)) word = i;
  }
  if (word < 0) word = head === b ? b : -1;
  const openers = word > a ? ASCII_OPENERS[foldAscii(line.charCodeAt(a))] : undefined;
  if (openers) {
    for (let k = 0; k < openers.length; k++) {
      const o = openers[k]!;
      if (o.length === word - a && foldedAt(line, a, o)) return true;
    }
  }
  return (b - a >= 7 && foldedAt(line, a, 'w dniu ')) || (b - a >= 8 && foldedAt(line, a, 'in data '));
}

/** Whether ASCII `line` at `at` is the lower-case `word` in any case. */
function foldedAt(line: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++)
    if (foldAscii(line.charCodeAt(at + k)) !== word.charCodeAt(k)) return false;
  return true;
}

/** First characters of the header field names, and the longest name. */
const FIELD_FIRST = new Set(Object.keys(FIELDS).map((k) => k[0]!));
const FIELD_LONGEST = Math.max(...Object.keys(FIELDS).map((k) => k.length));

/**
 * The test `fieldOf` makes before cleaning the name before the colon (`t[0, colon)`, stars dropped,
 * spaces collapsed, lower-cased): an ASCII name must start with the first letter of a field name
 * and be no longer than the longest. A non-ASCII character leaves it to the real test.
 */
export function mayBeField(t: string, colon: number): boolean {
  let letters = 0;
  for (let i = 0; i < colon; i++) {
    const c = t.charCodeAt(i);
    if (c >= 128) return true;
    if (c === 42 /* * */ || isJsSpace(c)) continue;
    if (letters === 0 && !FIELD_FIRST.has(String.fromCharCode(foldAscii(c)))) return false;
    if (++letters > FIELD_LONGEST) return false;
  }
  return true;
}

function hasDigitOrAt(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 64 /* @ */) return true;
  }
  return false;
}
