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

const join = (lines: string[]): string => lines.join('\n').trim();

function fromText(input: string): ExtractedReply {
  const lines = (input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input).split('\n');
  const fields: (FieldClass | undefined)[] = [];
  const kinds = classify(lines, fields);

  // The first place history starts: an attribution/separator, or a header block.
  let cut = kinds.indexOf('header');
  const block = headerBlockStart(kinds, fields, 0);
  if (block >= 0 && (cut < 0 || block < cut)) cut = block;
  if (cut < 0) cut = lines.length;
  // A rule or separator right above the cut belongs to the history ("____" above "From:").
  let start = cut;
  for (let i = cut - 1; i >= 0; i--) {
    if (kinds[i] === 'empty') continue;
    if (kinds[i] === 'rule') start = i;
    break;
  }

  let body = lines.slice(0, start);
  let bodyKinds = kinds.slice(0, start);
  let quoted = lines.slice(start);

  // Bottom-posting: nothing but history before the cut and text after it.
  if (!bodyKinds.includes('text') && !bodyKinds.includes('mobile')) {
    let last = -1;
    for (let i = 0; i < lines.length; i++) {
      const k = kinds[i];
      if (k === 'quote' || k === 'header' || k === 'field') last = i;
    }
    const tail = kinds.slice(last + 1);
    if (last >= 0 && tail.includes('text')) {
      body = lines.slice(last + 1);
      bodyKinds = tail;
      quoted = lines.slice(0, last + 1);
    }
  }

  // Signature: a "-- " line or a rule followed only by a short tail; else trailing mobile lines.
  let sig = bodyKinds.indexOf('sigdash');
  const rule = bodyKinds.indexOf('rule');
  if (
    rule >= 0 &&
    (sig < 0 || rule < sig) &&
    signatureLike(body.slice(rule + 1), bodyKinds.slice(rule + 1))
  ) {
    sig = rule;
  }
  // A "Sent from my iPhone" line ends what they wrote: what follows it is the original, pasted
  // unquoted by the phone's client (or more signature).
  const firstText = bodyKinds.indexOf('text');
  const mobile = firstText < 0 ? -1 : bodyKinds.indexOf('mobile', firstText);
  if (mobile >= 0 && (sig < 0 || mobile < sig)) {
    let end = mobile + 1;
    while (end < body.length && (bodyKinds[end] === 'mobile' || bodyKinds[end] === 'empty')) end++;
    if (bodyKinds.slice(end).includes('text')) {
      quoted = [...body.slice(end), ...quoted];
      body = body.slice(0, end);
      bodyKinds = bodyKinds.slice(0, end);
    }
    sig = mobile;
  }
  let signature: string | undefined;
  if (sig >= 0 && body.slice(0, sig).some((l) => l.trim())) {
    const tail = body.slice(sig);
    const tailKinds = bodyKinds.slice(sig);
    // Quotes below a signature are history, not signature.
    const sigLines = tail.filter((_, i) => tailKinds[i] !== 'quote');
    const quotedLines = tail.filter((_, i) => tailKinds[i] === 'quote');
    signature = join(sigLines);
    if (quotedLines.length) quoted = [...quotedLines, ...quoted];
    body = body.slice(0, sig);
    bodyKinds = bodyKinds.slice(0, sig);
  }

  // Trailing quotes after the text are history too.
  if (bodyKinds.includes('text')) {
    let end = body.length;
    while (end > 0 && (bodyKinds[end - 1] === 'quote' || bodyKinds[end - 1] === 'empty')) end--;
    if (end < body.length) {
      quoted = [...body.slice(end), ...quoted];
      body = body.slice(0, end);
      bodyKinds = bodyKinds.slice(0, end);
    }
  } else if (!bodyKinds.includes('mobile') && !kinds.includes('text')) {
    // Nothing but quotes: history if any of it carries an attribution, else what they sent.
    if (lines.some((l) => l.length <= MAX_PATTERN_LINE && isAttribution(l.replace(/^[\s>]*/, '')))) {
      quoted = lines;
      body = [];
    }
    reportWork();
  }

  const out: ExtractedReply = { visible: join(body), quoted: join(quoted) };
  if (signature) out.signature = signature;
  return out;
}

/** A short tail of short lines (a name, a title, a phone number) rather than more message. */
function signatureLike(lines: string[], kinds: Kind[]): boolean {
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
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
