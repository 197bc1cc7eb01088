/**
 * Reply and forward prefixes that clients put in front of a subject, lower-cased. English and
 * the localised forms of Outlook, Thunderbird, Apple Mail, Gmail and the Chinese, Japanese and
 * Korean clients. Single letters (Italian Outlook's `R:` and `I:`) are left out on purpose: a
 * subject such as "I: cannot log in" is more likely than an Italian prefix we cannot tell apart.
 */
const DEFAULT_PREFIXES = [
  're',
  'fwd',
  'fw',
  'aw',
  'wg',
  'sv',
  'vs',
  'vl',
  'antw',
  'doorst',
  'rv',
  'enc',
  'res',
  'tr',
  'réf',
  'ref',
  'rif',
  'odp',
  'pd',
  'fs',
  'vb',
  'ynt',
  'ilt',
  'İlt',
  'atb',
  'továbbítás',
  'отв',
  'ответ',
  'пересл',
  'на',
  'απ',
  'σχετ',
  'πρθ',
  'השב',
  'הועבר',
  'رد',
  '回复',
  '回覆',
  '答复',
  '答覆',
  '转发',
  '轉寄',
  '转寄',
  '返信',
  '転送',
  '답장',
  '전달',
  'trả lời',
  'chuyển tiếp',
];

/** Options for subject normalisation. */
export interface SubjectOptions {
  /** Extra reply/forward prefixes (case-insensitive, without the colon), added to the defaults. */
  prefixes?: readonly string[];
}

/** What `analyzeSubject` found: the base subject and whether any reply/forward marker was removed. */
export interface SubjectAnalysis {
  base: string;
  isReply: boolean;
}

const defaultSet = new Set(DEFAULT_PREFIXES.map((p) => p.toLowerCase()));

function prefixSet(options?: SubjectOptions): Set<string> {
  if (!options?.prefixes?.length) return defaultSet;
  const set = new Set(defaultSet);
  for (const p of options.prefixes) set.add(p.toLowerCase());
  return set;
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\u3000' || ch === '\u00a0' || ch === '\r' || ch === '\n';
}

/**
 * Length of a reply/forward leader at `s[0]` (`Re:`, `AW :`, `Re[2]:`, `回复：`), or 0. A hand-written
 * scan rather than a regex, so it is linear and cannot backtrack.
 */
function leaderLength(s: string, prefixes: Set<string>): number {
  // The word: up to 16 characters that are not a space, colon or bracket.
  let i = 0;
  while (i < s.length && i < 16) {
    const ch = s[i]!;
    if (ch === ':' || ch === '：' || ch === '[' || ch === '(' || ch === ']' || ch === ')') break;
    if (isSpace(ch)) {
      // Multi-word prefixes ("trả lời") are allowed only when the whole phrase is known.
      const word = s.slice(0, i).toLowerCase();
      if (![...prefixes].some((p) => p.startsWith(`${word} `))) break;
    }
    i++;
  }
  if (i === 0) return 0;
  const word = s.slice(0, i).trimEnd().toLowerCase();
  if (!prefixes.has(word)) return 0;
  let j = i;
  while (isSpace(s[j])) j++;
  const open = s[j];
  if (open === '[' || open === '(') {
    let k = j + 1;
    const start = k;
    while (k < s.length && k - start < 5 && s[k]! >= '0' && s[k]! <= '9') k++;
    const close = s[k];
    if (k === start || (open === '[' ? close !== ']' : close !== ')')) return 0;
    j = k + 1;
    while (isSpace(s[j])) j++;
  }
  if (s[j] === ':' || s[j] === '：') return j + 1;
  return 0;
}

function collapse(s: string): string {
  return s.replace(/[\s\u3000]+/g, ' ').trim();
}

const FWD_WRAPPER = /^(?:fwd?|fw)\s*:/i;
const FWD_TRAILER = '(fwd)';

/**
 * RFC 5256 base subject, extended with localised prefixes: repeats, until nothing changes,
 * removing leading `Re:`-style leaders (with `[n]`/`(n)` counters and full-width colons), leading
 * `[blob]`s when something is left after them, the `[Fwd: …]` wrapper and `(fwd)` trailers.
 * Whitespace is collapsed. Case is kept (compare case-insensitively).
 */
export function analyzeSubject(
  subject: string | null | undefined,
  options?: SubjectOptions,
): SubjectAnalysis {
  const prefixes = prefixSet(options);
  let s = collapse(subject ?? '');
  let isReply = false;
  for (;;) {
    const before = s;
    // (fwd) trailers
    while (s.length >= FWD_TRAILER.length && s.slice(-FWD_TRAILER.length).toLowerCase() === FWD_TRAILER) {
      s = s.slice(0, -FWD_TRAILER.length).trimEnd();
      isReply = true;
    }
    // leaders and blobs, walking an index so a long run of "Re: Re: …" stays linear
    let pos = 0;
    for (;;) {
      while (isSpace(s[pos])) pos++;
      const rest = pos === 0 ? s : s.slice(pos);
      const n = leaderLength(rest, prefixes);
      if (n > 0) {
        pos += n;
        isReply = true;
        continue;
      }
      if (s[pos] === '[') {
        const close = s.indexOf(']', pos + 1);
        if (close < 0) break;
        const inner = s.slice(pos + 1, close);
        const after = s.slice(close + 1).trim();
        if (after === '' && FWD_WRAPPER.test(inner)) {
          // [Fwd: subject] — the whole remainder is the wrapped subject.
          s = `${s.slice(0, pos)}${inner.slice(inner.indexOf(':') + 1)}`;
          isReply = true;
          continue;
        }
        if (after === '' || inner.includes('[')) break; // a subject made only of a blob stays itself
        pos = close + 1;
        continue;
      }
      break;
    }
    s = collapse(s.slice(pos));
    if (s === before) break;
  }
  return { base: s, isReply };
}

/**
 * The subject without reply/forward prefixes, list tags and forward wrappers: what a ticket
 * subject or a thread key should be. Idempotent.
 *
 * @example
 * normalizeSubject('Re: AW: Fwd: [#42] Printer on fire');   // 'Printer on fire'
 * normalizeSubject('回复：Re[2]: 打印机');                     // '打印机'
 * normalizeSubject('[Fwd: Invoice] (fwd)');                 // 'Invoice'
 */
export function normalizeSubject(subject: string, options?: SubjectOptions): string {
  return analyzeSubject(subject, options).base;
}
