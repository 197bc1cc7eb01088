import { htmlToText } from './html';
import {
  classify,
  type FieldClass,
  isAttribution,
  type Kind,
  MAX_PATTERN_LINE,
  reportWork,
} from './reply-lines';

export { patternWork } from './reply-lines';

/** The reply a person wrote, separated from quoted history and their signature. */
export interface ExtractedReply {
  /** What they wrote this time, trimmed. */
  visible: string;
  /** The quoted or forwarded history that followed (or, for bottom-posting, preceded) it. */
  quoted: string;
  /** A signature split off the end of the reply (`-- ` blocks, "Sent from my iPhone" lines). */
  signature?: string;
}

/** A mail's bodies: the text part is used when present, else the HTML, read as text. */
export interface ReplySource {
  text?: string | undefined;
  html?: string | undefined;
}

/**
 * Outlook and friends: a From-like field followed within a few lines by another field
 * (Sent/Date/To/Subject) starts quoted history. Returns the index where the block starts.
 */
function headerBlockStart(kinds: Kind[], fields: (FieldClass | undefined)[], from: number): number {
  for (let i = from; i < kinds.length; i++) {
    if (kinds[i] !== 'field') continue;
    const cls = fields[i];
    const seen = new Set<FieldClass>([cls!]);
    let gap = 0;
    for (let j = i + 1; j < kinds.length && j < i + 10; j++) {
      const c = kinds[j] === 'field' ? fields[j] : undefined;
      if (c) {
        seen.add(c);
        gap = 0;
      } else if (kinds[j] === 'empty' || kinds[j] === 'text') {
        if (++gap > 2) break;
      } else break;
    }
    const strong = seen.has('from') && (seen.has('sent') || seen.has('to') || seen.has('subject'));
    if (strong && seen.size >= 2 && (seen.size >= 3 || cls === 'from')) return i;
  }
  return -1;
}

// ---------------------------------------------------------------- extraction

/**
 * Part of the output: lines `[from, to)` of the text, or lines picked one by one (a signature's
 * quotes). Ranges are cut out of the text rather than joined anew, so the reply and the history
 * share the mail's own string instead of copying it.
 */
type Part = { from: number; to: number } | string[];

/** Where line `k` starts in `src` (one past the end of `src` for k = lines.length). */
function offset(lines: string[], k: number): number {
  let at = 0;
  for (let i = 0; i < k; i++) at += lines[i]!.length + 1;
  return at;
}

/** The parts' lines joined by `\n`, trimmed: what `[...lines of every part].join('\n').trim()` says. */
function joined(src: string, lines: string[], parts: Part[]): string {
  const texts: string[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) {
      if (p.length) texts.push(p.join('\n'));
    } else if (p.to > p.from) {
      texts.push(src.slice(offset(lines, p.from), offset(lines, p.to) - 1));
    }
  }
  return (texts.length === 1 ? texts[0]! : texts.join('\n')).trim();
}

function has(kinds: Kind[], kind: Kind, from: number, to: number): boolean {
  return find(kinds, kind, from, to) >= 0;
}

function find(kinds: Kind[], kind: Kind, from: number, to: number): number {
  for (let i = from; i < to; i++) if (kinds[i] === kind) return i;
  return -1;
}

function fromText(input: string): ExtractedReply {
  const src = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  const lines = src.split('\n');
  const n = lines.length;
  const fields: (FieldClass | undefined)[] = [];
  const kinds = classify(lines, fields);

  // The first place history starts: an attribution/separator, or a header block.
  let cut = kinds.indexOf('header');
  const block = headerBlockStart(kinds, fields, 0);
  if (block >= 0 && (cut < 0 || block < cut)) cut = block;
  if (cut < 0) cut = n;
  // A rule or separator right above the cut belongs to the history ("____" above "From:").
  let start = cut;
  for (let i = cut - 1; i >= 0; i--) {
    if (kinds[i] === 'empty') continue;
    if (kinds[i] === 'rule') start = i;
    break;
  }

  // What they wrote is lines [b0, b1); the history is `quoted`, in order.
  let b0 = 0;
  let b1 = start;
  let quoted: Part[] = [{ from: start, to: n }];

  // Bottom-posting: nothing but history before the cut and text after it.
  if (!has(kinds, 'text', b0, b1) && !has(kinds, 'mobile', b0, b1)) {
    let last = -1;
    for (let i = 0; i < n; i++) {
      const k = kinds[i];
      if (k === 'quote' || k === 'header' || k === 'field') last = i;
    }
    if (last >= 0 && has(kinds, 'text', last + 1, n)) {
      b0 = last + 1;
      b1 = n;
      quoted = [{ from: 0, to: last + 1 }];
    }
  }

  // Signature: a "-- " line or a rule followed only by a short tail; else trailing mobile lines.
  let sig = find(kinds, 'sigdash', b0, b1);
  const rule = find(kinds, 'rule', b0, b1);
  if (rule >= 0 && (sig < 0 || rule < sig) && signatureLike(lines, kinds, rule + 1, b1)) sig = rule;
  // A "Sent from my iPhone" line ends what they wrote: what follows it is the original, pasted
  // unquoted by the phone's client (or more signature).
  const firstText = find(kinds, 'text', b0, b1);
  const mobile = firstText < 0 ? -1 : find(kinds, 'mobile', firstText, b1);
  if (mobile >= 0 && (sig < 0 || mobile < sig)) {
    let end = mobile + 1;
    while (end < b1 && (kinds[end] === 'mobile' || kinds[end] === 'empty')) end++;
    if (has(kinds, 'text', end, b1)) {
      quoted = [{ from: end, to: b1 }, ...quoted];
      b1 = end;
    }
    sig = mobile;
  }
  let signature: string | undefined;
  if (sig >= 0 && lines.slice(b0, sig).some((l) => l.trim())) {
    // Quotes below a signature are history, not signature.
    const sigLines: string[] = [];
    const quotedLines: string[] = [];
    for (let i = sig; i < b1; i++) (kinds[i] === 'quote' ? quotedLines : sigLines).push(lines[i]!);
    signature = sigLines.join('\n').trim();
    if (quotedLines.length) quoted = [quotedLines, ...quoted];
    b1 = sig;
  }

  // Trailing quotes after the text are history too.
  if (has(kinds, 'text', b0, b1)) {
    let end = b1;
    while (end > b0 && (kinds[end - 1] === 'quote' || kinds[end - 1] === 'empty')) end--;
    if (end < b1) {
      quoted = [{ from: end, to: b1 }, ...quoted];
      b1 = end;
    }
  } else if (!has(kinds, 'mobile', b0, b1) && !kinds.includes('text')) {
    // Nothing but quotes: history if any of it carries an attribution, else what they sent.
    if (lines.some((l) => l.length <= MAX_PATTERN_LINE && isAttribution(l.replace(/^[\s>]*/, '')))) {
      quoted = [{ from: 0, to: n }];
      b1 = b0;
    }
    reportWork();
  }

  const out: ExtractedReply = {
    visible: joined(src, lines, [{ from: b0, to: b1 }]),
    quoted: joined(src, lines, quoted),
  };
  if (signature) out.signature = signature;
  return out;
}

/** A short tail of short lines (a name, a title, a phone number) rather than more message. */
function signatureLike(lines: string[], kinds: Kind[], from: number, to: number): boolean {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (kinds[i] === 'empty') continue;
    if (kinds[i] === 'rule' || kinds[i] === 'sigdash' || kinds[i] === 'mobile') continue;
    if (lines[i]!.length > 80) return false;
    if (++n > 8) return false;
  }
  return true;
}

/**
 * The reply a person wrote, without the quoted history and signature below (or above) it.
 * Recognises Gmail/Apple "On … wrote:" lines (also wrapped over two or three lines), Outlook
 * header blocks and "-----Original Message-----", `>` quotes, the attribution lines of many
 * languages, `-- ` signatures and "Sent from my iPhone"-style lines at the end. HTML mail is
 * read through its text. Runs in linear time: every line pattern sees at most a few hundred
 * characters, and the decisions are single passes over the lines.
 *
 * @example
 * extractReply('Thanks, that worked!\n\nOn Mon, 2 Mar 2026 at 10:00, Support <help@example.com> wrote:\n> Try again?');
 * // { visible: 'Thanks, that worked!', quoted: 'On Mon, … wrote:\n> Try again?' }
 */
export function extractReply(mail: string | ReplySource): ExtractedReply {
  if (typeof mail === 'string') return fromText(mail);
  const text = mail.text?.trim() ? mail.text : mail.html ? htmlToText(mail.html) : '';
  return fromText(text);
}
