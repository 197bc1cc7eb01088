import PostalMime from 'postal-mime';
import { decodeBase64Lines, type LineTable, lineCount, lineTable, passLines, toBase64 } from './mime-lines';
import { countWork } from './work-counter';

/**
 * postal-mime does a lot of work per line of a body: every line of an 8bit or 7bit part becomes
 * two parts of a Blob, every `=`-padded line of a base64 part a decoded chunk of its own. That is
 * linear, but at some 10–25 µs a line: a megabyte of bare line breaks took 22 s, and a 5 MB
 * plain-text mail 3–4.5 s.
 *
 * So before a message with many lines is parsed, its long leaf parts are joined: each body of a
 * 7bit/8bit/binary or base64 part becomes one line of base64 of exactly the bytes postal-mime would
 * have decoded from it (so the mail reads the same, and postal-mime makes one chunk of it). The
 * structure is found by a scan that follows postal-mime's rules (header blocks, boundaries) —
 * and then proven: a small skeleton of the message, with each joined part's body replaced by a
 * marker and the part made an attachment, is parsed by postal-mime itself, and every marker must
 * come back whole, decoded the way the scan said. If one does not, the message is left as it was.
 */

/** Messages with fewer lines than this are parsed as they are. */
export const COMPACT_FROM_LINES = 20_000;
/** Parts with fewer body lines than this are left as they are. */
const MIN_PART_LINES = 64;

type Coding = 'base64' | 'quoted-printable' | 'pass';

interface Part {
  /** Line indexes: header block, body (end exclusive). */
  headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  multipart: boolean;
  coding: Coding;
  type: string;
  parent?: Part;
  children: Part[];
  /** Children finalized so far (they only grow at the end), so no boundary re-walks them all. */
  done: number;
}

const enc = new TextEncoder();
const latin1 = new TextDecoder('latin1');

/** The unfolded header fields of lines [from, to): first occurrence of each name wins. */
function headerFields(bytes: Uint8Array, t: LineTable, from: number, to: number) {
  const fields = new Map<string, string>();
  let current = '';
  const flush = () => {
    const sep = current.indexOf(':');
    if (sep > 0) {
      const key = current.slice(0, sep).trim().toLowerCase();
      if (!fields.has(key)) fields.set(key, current.slice(sep + 1).trim());
    }
  };
  for (let i = from; i < to; i++) {
    const line = latin1.decode(bytes.subarray(t.start[i]!, t.end[i]!));
    if (current && (line[0] === ' ' || line[0] === '\t')) current += line;
    else {
      flush();
      current = line;
    }
  }
  flush();
  return fields;
}

/** `multipart/mixed; boundary="x"` → its type and boundary (quotes and comments handled simply). */
function contentType(value: string | undefined): { type: string; boundary?: string } {
  if (!value) return { type: 'text/plain' };
  const noComments = value.replace(/\([^()"]*\)/g, '');
  const semi = noComments.indexOf(';');
  const type = (semi < 0 ? noComments : noComments.slice(0, semi)).trim().toLowerCase();
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s"]+))/i.exec(noComments);
  const boundary = m ? (m[1] ?? m[2]) : undefined;
  return { type, ...(boundary ? { boundary } : {}) };
}

function codingOf(value: string | undefined): Coding {
  const token =
    (value ?? '')
      .replace(/\([^()]*\)/g, '')
      .toLowerCase()
      .match(/[\w-]+/)?.[0] ?? '';
  return /base64/.test(token) ? 'base64' : /quoted-printable/.test(token) ? 'quoted-printable' : 'pass';
}

/** The parts of a message, found by postal-mime's rules for header blocks and boundaries. */
function scan(bytes: Uint8Array, t: LineTable): Part[] {
  const leaves: Part[] = [];
  const newPart = (headerStart: number, parent?: Part): Part => ({
    headerStart,
    bodyStart: -1,
    bodyEnd: t.count,
    multipart: false,
    coding: 'pass',
    type: 'text/plain',
    ...(parent ? { parent } : {}),
    children: [],
    done: 0,
  });
  const boundaries: { value: Uint8Array; part: Part }[] = [];
  const root = newPart(0);
  let current = root;
  const close = (part: Part, at: number) => {
    if (part.bodyStart >= 0 && part.bodyEnd === t.count) part.bodyEnd = at;
    else if (part.bodyStart < 0) part.bodyStart = part.bodyEnd = at;
  };
  const finalizeChildren = (part: Part, at: number) => {
    while (part.done < part.children.length) finalize(part.children[part.done++]!, at);
  };
  const finalize = (part: Part, at: number) => {
    finalizeChildren(part, at);
    close(part, at);
    const k = boundaries.findLastIndex((b) => b.part === part);
    if (k >= 0) boundaries.splice(k, 1);
  };
  for (let i = 0; i < t.count; i++) {
    const s = t.start[i]!;
    const len = t.end[i]! - s;
    if (boundaries.length && len > 2 && bytes[s] === 0x2d && bytes[s + 1] === 0x2d) {
      let matched = false;
      for (let k = boundaries.length - 1; k >= 0 && !matched; k--) {
        const b = boundaries[k]!;
        const v = b.value;
        if (len < v.length + 2) continue;
        let same = true;
        for (let j = 0; j < v.length && same; j++) same = bytes[s + 2 + j] === v[j];
        if (!same) continue;
        let endOf = v.length + 2;
        const terminator = len >= v.length + 4 && bytes[s + endOf] === 0x2d && bytes[s + endOf + 1] === 0x2d;
        if (terminator) endOf += 2;
        let trailing = true;
        for (let j = endOf; j < len && trailing; j++)
          trailing = bytes[s + j] === 0x20 || bytes[s + j] === 0x09;
        if (!trailing) continue;
        matched = true;
        countWork('parse', v.length);
        if (terminator) {
          finalize(b.part, i);
          current = b.part.parent ?? root;
        } else {
          finalizeChildren(b.part, i);
          const child = newPart(i + 1, b.part);
          b.part.children.push(child);
          current = child;
        }
      }
      if (matched) continue;
    }
    if (current.bodyStart < 0 && len === 0) {
      current.bodyStart = i + 1;
      const fields = headerFields(bytes, t, current.headerStart, i);
      const ct = contentType(fields.get('content-type'));
      current.type = ct.type;
      current.coding = codingOf(fields.get('content-transfer-encoding'));
      current.multipart = ct.type.startsWith('multipart/');
      if (current.multipart && ct.boundary)
        boundaries.push({ value: enc.encode(ct.boundary), part: current });
      if (!current.multipart) leaves.push(current);
    }
  }
  finalize(root, t.count);
  return leaves;
}

/** `=`-ended units in a base64 body (each is a chunk of postal-mime's decoder), counted up to `enough`. */
function base64Units(bytes: Uint8Array, t: LineTable, part: Part, enough: number): number {
  let units = 0;
  let inUnit = false;
  for (let l = part.bodyStart; l < part.bodyEnd && units < enough; l++) {
    for (let i = t.start[l]!; i < t.end[l]!; i++) {
      if (bytes[i] === 0x3d) {
        if (inUnit) units++;
        inUnit = false;
      } else inUnit = true;
    }
  }
  countWork('parse', t.end[part.bodyEnd - 1]! - t.start[part.bodyStart]!);
  return units;
}

/** The header lines of a part without the fields named (and their folded continuations). */
function headerLinesWithout(bytes: Uint8Array, t: LineTable, part: Part, names: string[]) {
  const kept: Uint8Array[] = [];
  let dropping = false;
  for (let i = part.headerStart; i < part.bodyStart - 1; i++) {
    const line = bytes.subarray(t.start[i]!, t.end[i]!);
    const folded = line[0] === 0x20 || line[0] === 0x09;
    if (!folded) {
      const text = latin1.decode(line.subarray(0, 64)).toLowerCase();
      dropping = names.some((n) => text.startsWith(`${n}:`) || new RegExp(`^${n}[ \\t]*:`).test(text));
    }
    if (!dropping) kept.push(line);
  }
  return kept;
}

const CRLF = enc.encode('\r\n');

function concat(pieces: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of pieces) size += p.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The message with `parts` rewritten by `rewrite` (header lines, body) and every other line as it
 * was, each ending in CRLF.
 */
function rebuild(
  bytes: Uint8Array,
  t: LineTable,
  parts: Part[],
  rewrite: (part: Part, index: number) => { headers: Uint8Array[]; body: Uint8Array },
): Uint8Array {
  const pieces: Uint8Array[] = [];
  let line = 0;
  const copyTo = (to: number) => {
    for (; line < to; line++) pieces.push(bytes.subarray(t.start[line]!, t.end[line]!), CRLF);
  };
  parts.forEach((part, index) => {
    copyTo(part.headerStart);
    const { headers, body } = rewrite(part, index);
    for (const h of headers) pieces.push(h, CRLF);
    pieces.push(CRLF, body, CRLF);
    line = part.bodyEnd;
  });
  copyTo(t.count);
  return concat(pieces);
}

/**
 * A part's marker. `=3D` in it tells the codings apart: the pass-through decoder keeps it, a
 * quoted-printable one would make it `=`, so a part the scan took for 8bit that is really
 * quoted-printable fails the proof.
 */
const markerOf = (i: number) => `tessera=3Dpart-${i}=3Dmarker`;

/** What `compactMime` did: the bytes to parse (joined, or as they were) and how many lines they have. */
export interface Compacted {
  bytes: Uint8Array;
  /**
   * Lines of `bytes` that postal-mime reads one at a time: not those of a base64 body it reads in
   * 100 KB chunks. When the proof failed, every line of the message as it was.
   */
  lines: number;
  /** Parts joined into one line each. */
  joined: number;
  /**
   * When parts were joined: the message's own top-level header block (with its blank line), whose
   * fields postal-mime should report rather than the joined message's (its transfer encoding).
   */
  headerBlock?: Uint8Array;
}

/**
 * The message with its long parts joined into one line each, reading the same to postal-mime — or
 * as it was, when it has few lines, nothing to join, or the skeleton does not prove the scan right.
 * With `maxLines`, no proof is attempted when the joined message would still have more lines (the
 * caller refuses it).
 *
 * @example
 * const { bytes: toParse, lines } = await compactMime(bytes, {}, 150_000);
 * const email = await PostalMime.parse(toParse);
 */
export async function compactMime(
  bytes: Uint8Array,
  options: Parameters<typeof PostalMime.parse>[1],
  maxLines = Number.POSITIVE_INFINITY,
  /** @internal Tests join small messages too, to compare both readings on real mail. */
  thresholds: { fromLines: number; partLines: number } = {
    fromLines: COMPACT_FROM_LINES,
    partLines: MIN_PART_LINES,
  },
): Promise<Compacted> {
  // Most mail is far below the threshold: count its lines with the native byte search and leave
  // it as it is, without building the line table.
  const count = lineCount(bytes);
  if (count < thresholds.fromLines) return { bytes, lines: count, joined: 0 };
  const t = lineTable(bytes);
  const asItWas: Compacted = { bytes, lines: t.count, joined: 0 };
  // Every leaf read by a decoder we can mirror is proven; only those with many lines (or, for
  // base64, many `=`-ended units: postal-mime already takes 76-character lines in 100 KB chunks)
  // are joined.
  const provable = scan(bytes, t)
    .filter(
      (p) => p.coding !== 'quoted-printable' && !p.type.startsWith('message/') && p.bodyEnd > p.bodyStart,
    )
    .sort((a, b) => a.headerStart - b.headerStart);
  const parts = provable.filter((p) =>
    p.coding === 'base64'
      ? base64Units(bytes, t, p, thresholds.partLines) >= thresholds.partLines
      : p.bodyEnd - p.bodyStart >= thresholds.partLines,
  );
  // The lines postal-mime will read one at a time: not a joined body (one line now), nor a base64
  // body it takes in 100 KB chunks.
  let lines = t.count;
  for (const p of provable)
    if (parts.includes(p) || p.coding === 'base64') lines -= p.bodyEnd - p.bodyStart - 1;
  if (parts.length === 0 || lines > maxLines) return { bytes, lines, joined: 0 };

  // The proof: each leaf an attachment whose body is a marker, in the leaf's own coding.
  const skeleton = rebuild(bytes, t, provable, (part, i) => ({
    headers: [
      ...headerLinesWithout(bytes, t, part, ['content-disposition']),
      enc.encode('Content-Disposition: attachment'),
    ],
    body: part.coding === 'base64' ? toBase64(enc.encode(markerOf(i))) : enc.encode(markerOf(i)),
  }));
  let proof: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    proof = await PostalMime.parse(skeleton, { ...options, attachmentEncoding: 'arraybuffer' });
  } catch {
    return asItWas;
  }
  const found = new Map<string, number>();
  for (const a of proof.attachments) {
    const content = a.content instanceof ArrayBuffer ? new Uint8Array(a.content) : undefined;
    if (!content || content.length > 64) continue;
    const text = latin1.decode(content);
    found.set(text, (found.get(text) ?? 0) + 1);
  }
  for (let i = 0; i < provable.length; i++) {
    // Decoded by the coding the scan named: a base64 marker to the bare marker, a plain one with
    // the line break the pass-through decoder adds.
    const expected = provable[i]!.coding === 'base64' ? markerOf(i) : `${markerOf(i)}\n`;
    if (found.get(expected) !== 1) return asItWas;
  }

  const joined = rebuild(bytes, t, parts, (part) => {
    const content =
      part.coding === 'base64'
        ? decodeBase64Lines(bytes, t, part.bodyStart, part.bodyEnd)
        : passLines(bytes, t, part.bodyStart, part.bodyEnd);
    countWork('parse', content.length);
    return {
      headers: [
        ...headerLinesWithout(bytes, t, part, ['content-transfer-encoding']),
        enc.encode('Content-Transfer-Encoding: base64'),
      ],
      body: toBase64(content),
    };
  });
  let blank = 0;
  while (blank < t.count && t.end[blank]! > t.start[blank]!) blank++;
  const headerBlock = bytes.subarray(0, blank + 1 < t.count ? t.start[blank + 1]! : bytes.length);
  return { bytes: joined, lines, joined: parts.length, headerBlock };
}
