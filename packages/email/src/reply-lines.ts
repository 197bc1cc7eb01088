/**
 * Reply extraction, line by line: what each line of a mail is (quote, attribution, separator,
 * header field, signature, text). Every pattern sees a bounded slice of its line, so classifying a
 * mail is linear in its length.
 */

import {
  decoration,
  isWhite,
  mayBeAttribution,
  mayBeField,
  mayBeMobile,
  mayForward,
  maySeparate,
  mayStartAttribution,
} from './reply-prechecks';
import {
  DEVICE,
  FIELDS,
  type FieldClass,
  FORWARD_LINES,
  MID_VERBS,
  MOBILE,
  OPENERS,
  SEPARATORS,
  STRONG_MOBILE,
  WROTE_BY_LAST,
} from './reply-words';
import { countWork } from './work-counter';

export type { FieldClass };

/**
 * Lines longer than this are always plain text: no quote header, signature or mail header is
 * this long, and capping what the line patterns see keeps every pattern's work per line bounded,
 * so the whole extraction is linear in the input.
 */
export const MAX_PATTERN_LINE = 400;

/**
 * Characters handed to line patterns since the last report (one mail's worth: a small integer).
 * The running total is kept apart and added to once per mail: a counter that only grows would
 * pass 2^31 in a long-running process and turn every addition into a heap number allocation.
 */
let examined = 0;
/** Characters examined since the last reset of `patternWork`, as of the last report. */
let total = 0;
const examine = (n: number) => {
  examined += n;
};
/** Hands the characters examined since the last report to the work counter. */
export function reportWork(): void {
  countWork('reply', examined);
  total += examined;
  examined = 0;
}

/** Whether the cheap pre-checks run before the line patterns (a test compares both ways). */
let prefilters = true;
/**
 * @internal Runs `fn` with the line patterns' cheap pre-checks off, so a test can prove they
 * change no answer.
 */
export function withoutPrefilters<T>(fn: () => T): T {
  prefilters = false;
  try {
    return fn();
  } finally {
    prefilters = true;
  }
}

/** @internal */
export function patternWork(reset = false): number {
  reportWork();
  const n = total;
  if (reset) total = 0;
  return n;
}

export type Kind =
  | 'empty'
  | 'quote'
  | 'header' // a quote header, forward or original-message separator: history starts here
  | 'field' // one line of an Outlook-style header block (From:, Sent:, …)
  | 'mobile' // "Sent from my iPhone"
  | 'rule' // a line of only -_=+~#*
  | 'sigdash' // "-- "
  | 'text';

/** Strip leading spaces, `>`-free decoration and trailing `:`/dashes/spaces. */
export function core(line: string): string {
  let s = line.trim();
  let a = 0;
  while (a < s.length && decoration(s[a])) a++;
  let b = s.length;
  while (b > a && decoration(s[b - 1])) b--;
  s = s.slice(a, b);
  return s;
}

const ASCII = /^[\x20-\x7e\t]*$/;

function endsWithWord(s: string, word: string): boolean {
  if (!s.endsWith(word)) return false;
  const before = s[s.length - word.length - 1];
  return before === undefined || !/[\p{L}\p{N}]/u.test(before);
}

/** Whether one (possibly joined) line is an attribution line: "On …, X wrote:" and its relatives. */
export function isAttribution(raw: string): boolean {
  if (raw.length > MAX_PATTERN_LINE * 2) return false;
  examine(raw.length);
  if (prefilters && !mayBeAttribution(raw)) return false;
  const ascii = ASCII.test(raw);
  let s = core(ascii ? raw : raw.normalize('NFC'));
  if (!s) return false;
  const lower = s.toLowerCase();
  // Drop the trailing colon(s) and a trailing "wrote" decoration.
  let end = lower.length;
  while (end > 0 && (lower[end - 1] === ':' || lower[end - 1] === '：' || isWhite(lower[end - 1]))) end--;
  const body = lower.slice(0, end);
  const hadColon = end < lower.length;
  s = body;
  // Without a colon only a "wrote"-style ending or a leading date can make an attribution.
  if (!hadColon && !WROTE_BY_LAST.has(s[s.length - 1] ?? '') && !(s[0]! >= '0' && s[0]! <= '9')) return false;
  const hasDigit = /\d/.test(s);
  const hasAt = s.includes('@');
  for (const w of WROTE_BY_LAST.get(s[s.length - 1] ?? '') ?? []) {
    if (endsWithWord(s, w) || (w === '写道' && s.endsWith(w)) || (w === '寫道' && s.endsWith(w))) {
      const firstWord = s.split(/[\s,]/, 1)[0] ?? '';
      const opener = OPENERS.some((o) => s.startsWith(`${o} `) || firstWord === o) || s.startsWith('在');
      if (opener && (hasDigit || hasAt || s.includes(' via '))) return true;
      if (hasDigit && (hasAt || hasColonTime(s))) return true;
      if (hasAt && hadColon) return true;
      if (s.includes(' via ') && hadColon) return true;
      if (hasDigit && hadColon) return true;
      return false;
    }
  }
  // "Den 15. jun. 2016 kl. 20.42 skrev X <x@y>:", "Am 18.09.2013 um 16:24 schrieb X <x@y>:"
  if (hadColon && hasDigit && MID_VERBS.some((v) => s.includes(` ${v} `))) {
    const firstWord = s.split(/[\s,]/, 1)[0] ?? '';
    if (OPENERS.includes(firstWord) || hasAt || /^\p{L}{2,4}\.? \d/u.test(s)) return true;
  }
  // ISO date, GMT offset and a name, no colon: "2016-03-03 17:21 GMT+01:00 Some One"
  if (/^\d{4}-\d\d-\d\d \d{1,2}:\d\d gmt[+-]\d\d:\d\d [\p{L}\p{N} ._'-]+$/u.test(s)) return true;
  // "2013/7/20 sam via Discourse Meta <info@discourse.org>"
  if (/^\d{4}[/-]\d{1,2}[/-]\d{1,2} /.test(s) && endsWithAddress(s) && s.length < 200) return true;
  // "Someone <x@y> wrote on <date>:" and "X schrieb am <date>:"
  if (hadColon && (/\bwrote on\b/.test(s) || /\bschrieb am\b/.test(s)) && hasDigit) return true;
  // Date-first headers with an address and no verb: "2017-11-24 16:32 GMT+01:00 X <x@y>:",
  // "ср, 30 апр. 2025 г. в 15:19, X <x@y>:", "30.09.2017, 18.30, "X" <x@y>:"
  if (hadColon && hasDigit && endsWithAddress(s) && s.length < 300) return true;
  return false;
}

/** `…<local@domain>` at the end: a scan, not a regex, so it cannot backtrack. */
function endsWithAddress(s: string): boolean {
  if (!s.endsWith('>')) return false;
  const open = s.lastIndexOf('<');
  return open >= 0 && isAddress(s.slice(open + 1, -1));
}

function hasAddress(s: string): boolean {
  for (let open = s.indexOf('<'); open >= 0; open = s.indexOf('<', open + 1)) {
    const close = s.indexOf('>', open + 1);
    if (close < 0) return false;
    if (isAddress(s.slice(open + 1, close))) return true;
  }
  return false;
}

function isAddress(inner: string): boolean {
  const at = inner.indexOf('@');
  return at > 0 && at < inner.length - 1 && !/[\s<>]/.test(inner);
}

function hasColonTime(s: string): boolean {
  return /\d{1,2}[:.]\d{2}/.test(s);
}

function isSeparator(raw: string): boolean {
  if (raw.length > MAX_PATTERN_LINE) return false;
  examine(raw.length);
  const t = raw.trim();
  // It starts with a dash, a bold mark, an underscore or a quote mark, or ends with a colon.
  if (prefilters && !maySeparate(t)) return false;
  const dashed = /^[>\s*]*-{2,}/.test(t) || /^[>\s]*_{2,}/.test(t);
  const colon = t.endsWith(':') || t.endsWith('：');
  if (!dashed && !colon) return false;
  if (prefilters && !dashed && !mayForward(t)) return false;
  const lower = core(t).toLowerCase();
  if (colon && FORWARD_LINES.some((f) => lower.startsWith(f))) return true;
  // Only when dashes or bold marks surround it: "-----Original Message-----", "*----- Forwarded -----*"
  if (!dashed) return false;
  return SEPARATORS.some((w) => lower === w || lower.startsWith(`${w} `) || lower.startsWith(`${w}:`));
}

/** The class of an Outlook-style header line (`*From:* x`, `Von: x`), or undefined. */
function fieldOf(raw: string): FieldClass | undefined {
  if (raw.length > MAX_PATTERN_LINE) return undefined;
  examine(raw.length);
  // Most lines have no colon at all: spare them the copy below.
  if (prefilters && !raw.includes(':') && !raw.includes('：')) return undefined;
  // Classified lines come trimmed and without a leading `>`: nothing to strip.
  const c0 = raw.charCodeAt(0);
  const t = c0 === 62 || c0 <= 32 || c0 >= 128 ? raw.replace(/^[\s>]*/, '') : raw;
  let colon = -1;
  for (let i = 0; i < t.length && i < 40; i++) {
    if (t[i] === ':' || t[i] === '：') {
      colon = i;
      break;
    }
  }
  if (colon <= 0) return undefined;
  if (prefilters && !mayBeField(t, colon)) return undefined;
  const key = t.slice(0, colon).replace(/\*/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
  const cls = FIELDS[key];
  if (!cls) return undefined;
  const value = t
    .slice(colon + 1)
    .replace(/\*/g, '')
    .trim();
  if (!value && cls !== 'from' && cls !== 'to') return undefined;
  return cls;
}

/**
 * Whether a whole line is a "Sent from my iPhone" signature, not prose that begins like one
 * ("Sent from my office, where the printer is, it works now", "From my point of view …"): the
 * rest after the prefix must be short and one clause, and name a device or mail app unless it is
 * a few words after a strong prefix ("Sent from …") or a couple after a weak one ("From my …").
 */
function isMobileSignature(raw: string): boolean {
  if (raw.length > 160) return false;
  examine(raw.length);
  if (prefilters && !raw.includes('[') && !mayBeMobile(raw)) return false;
  let t = raw.trim().toLowerCase();
  if (t.includes('[')) t = t.replace(/\[([^\]]{0,80})\]\([^)]{0,300}\)/g, '$1');
  // Markdown links, <<…>>, (…) wrappers.
  t = t.replace(/^[<(]+/, '').replace(/[>)]+$/, '');
  if (/^\S+ from mobile$/.test(t)) return true;
  const prefix = MOBILE.find((m) => t.startsWith(m));
  if (prefix === undefined) return false;
  const rest = t.slice(prefix.length).replace(/[.\s]+$/, '');
  // A second sentence, a question or an exclamation is prose.
  if (/[.!?;:]\s+\S/.test(rest) || /[!?]$/.test(rest)) return false;
  const words = rest ? rest.split(/\s+/).length : 0;
  if (words > 8) return false;
  if (!rest.includes(' ') && !/[a-z]/.test(prefix)) return true; // 发自我的iPhone and the like
  if (DEVICE.test(rest)) return true;
  // "Sent from my Wiko RIDGE FAB 4G": a strong prefix with a short name, no clause after it.
  return STRONG_MOBILE.has(prefix) ? words <= 6 && !rest.includes(',') : words <= 2;
}

function isRule(raw: string): boolean {
  const t = raw.trim();
  if (t === 'ᐧ') return true;
  if (t.length < 2 || t.length > MAX_PATTERN_LINE) return false;
  if (!'-_=+~#*'.includes(t[0]!)) return false; // most lines: spare them the iterator
  for (const ch of t) if (!'-_=+~#*'.includes(ch)) return false;
  return true;
}

// ---------------------------------------------------------------- classification

export function classify(lines: string[], fields: (FieldClass | undefined)[] = []): Kind[] {
  const kinds: Kind[] = new Array(lines.length);
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (t.startsWith('```')) {
      inCode = !inCode;
      kinds[i] = 'text';
      continue;
    }
    if (inCode) kinds[i] = t ? 'text' : 'empty';
    else if (!t) kinds[i] = 'empty';
    else if (t === '--' || line === '-- ') kinds[i] = 'sigdash';
    else if (isRule(t)) kinds[i] = 'rule';
    else if (t.startsWith('>')) kinds[i] = isSeparator(t) ? 'header' : 'quote';
    else if (isSeparator(t) || isAttribution(t)) kinds[i] = 'header';
    else if (isMobileSignature(t)) kinds[i] = 'mobile';
    else {
      const field = fieldOf(t);
      if (field) fields[i] = field;
      kinds[i] = field ? 'field' : 'text';
    }
  }
  // Attributions wrapped over two or three lines ("On Mon, … <" / "x@y> wrote:").
  for (let i = 0; i < lines.length; i++) {
    const end = wrappedAttribution(lines, kinds, i);
    if (end < 0) continue;
    // Prefer the window that starts later: the line above may be the end of the reply.
    let later = false;
    const firstWord = core(lines[i]!).toLowerCase().split(/[\s,]/, 1)[0] ?? '';
    if (OPENERS.includes(firstWord)) later = false;
    else for (let j = i + 1; j < end && !later; j++) later = wrappedAttribution(lines, kinds, j) === end;
    if (later) continue;
    for (let j = i; j <= end; j++) kinds[j] = 'header';
    i = end;
  }
  reportWork();
  return kinds;
}

/** Whether a line could be the first line of a wrapped attribution: an opener word or an early digit. */
function startsAttribution(line: string): boolean {
  if (prefilters && !mayStartAttribution(line)) return false;
  const s = core(line).toLowerCase();
  if (!s) return false;
  const firstWord = s.split(/[\s,]/, 1)[0] ?? '';
  if (
    OPENERS.includes(firstWord) ||
    s.startsWith('w dniu ') ||
    s.startsWith('in data ') ||
    s.startsWith('在')
  ) {
    return true;
  }
  return /\d/.test(s.slice(0, 12)) || hasAddress(s);
}

/** If lines i..end (blank lines skipped, at most three more lines) form one attribution, `end`; else -1. */
function wrappedAttribution(lines: string[], kinds: Kind[], i: number): number {
  if (kinds[i] !== 'text') return -1;
  const a = lines[i]!;
  if (a.length > MAX_PATTERN_LINE || !startsAttribution(a)) return -1;
  let joined = a.trim();
  let used = 0;
  for (let j = i + 1; j < lines.length && j <= i + 5 && used < 3; j++) {
    const next = lines[j]!;
    const kk = kinds[j];
    if (kk === 'empty') continue;
    if (next.length > MAX_PATTERN_LINE) return -1;
    if (kk !== 'text' && kk !== 'field' && kk !== 'quote' && kk !== 'header') return -1;
    used++;
    const open = count(joined, '<') - count(joined, '>');
    const trimmed = next.trimStart();
    const piece = open > 0 && trimmed.startsWith('>') ? trimmed : next.replace(/^[\s>-]*/, '');
    if (kk === 'quote' && piece.length > 40) return -1;
    joined = joined.endsWith('<') || piece.startsWith('>') ? `${joined}${piece}` : `${joined} ${piece}`;
    if (isAttribution(joined)) return j;
  }
  return -1;
}

/** Occurrences of `ch` in `s` (what `s.split(ch).length - 1` says, without the array). */
function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}
