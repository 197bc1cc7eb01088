import { base64Into } from './mime-lines';
import { countWork } from './work-counter';

/**
 * postal-mime reads the body of a 7bit/8bit/binary part a line at a time: every line is awaited,
 * becomes two parts of a Blob (the line and a `\n`), and the Blob is read back at the end. On
 * ordinary plain-text mail of a few dozen lines that is most of the parse: measured on the
 * benchmark's replies, 190 µs a mail as it came, 70 µs with its body one line of base64.
 *
 * So a single-part message whose header block says plainly that postal-mime will read it as one
 * pass-through text part is handed over with its body as one line of base64 of exactly the bytes
 * the pass-through decoder would have made (each line without its CR/LF, then `\n`), and a
 * `Content-Transfer-Encoding: base64` field put before all others (the first occurrence of a
 * content field wins in postal-mime). The caller drops that first field from the headers, so the
 * mail reads the same: same text, same headers, same errors. Where anything is less than plain
 * (a comment, a quote or a byte over 0x7f in those fields, a folded first line, a multipart or
 * message type, base64 or quoted-printable already, a header block near its size limit), the
 * message is left as it was.
 */

/** The field put first, as postal-mime will report it (key, value). */
export const JOINED_FIELD = { key: 'content-transfer-encoding', value: 'base64' } as const;
const FIELD_LINE = new TextEncoder().encode('Content-Transfer-Encoding: base64\r\n');
/** Its length as postal-mime counts header bytes (the line without its CRLF). */
const FIELD_BYTES = FIELD_LINE.length - 2;
/** Bodies of fewer lines are not worth the copy. */
const MIN_BODY_LINES = 2;

const latin1 = new TextDecoder('latin1');
const isWsp = (c: number | undefined) => c === 0x20 || c === 0x09;

/** postal-mime's trim of a field name or value: only SP and HTAB. */
function trimWsp(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isWsp(s.charCodeAt(start))) start++;
  while (end > start && isWsp(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** `content-` at `at`, any case: the only lines whose field can be one of the two read here. */
function startsWithContent(bytes: Uint8Array, at: number, end: number): boolean {
  const word = 'content-';
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) if ((bytes[at + i]! | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** The first Content-Type and Content-Transfer-Encoding of a header block, as postal-mime unfolds them. */
interface ContentFields {
  type?: string;
  encoding?: string;
  /** One of them has a byte over 0x7f: its reading may differ between decoders, so it is not read. */
  unsure: boolean;
}

function readField(bytes: Uint8Array, lines: number[], fields: ContentFields): void {
  if (!startsWithContent(bytes, lines[0]!, lines[1]!)) return;
  let unfolded = '';
  let wide = false;
  for (let k = 0; k < lines.length; k += 2) {
    const from = lines[k]!;
    const to = lines[k + 1]!;
    for (let i = from; i < to; i++) if (bytes[i]! > 0x7f) wide = true;
    unfolded += latin1.decode(bytes.subarray(from, to));
  }
  const sep = unfolded.indexOf(':');
  const key = trimWsp(sep < 0 ? unfolded : unfolded.slice(0, sep)).toLowerCase();
  const name = key === 'content-type' ? 'type' : key === 'content-transfer-encoding' ? 'encoding' : undefined;
  if (!name || fields[name] !== undefined) return;
  if (wide) fields.unsure = true;
  fields[name] = sep < 0 ? '' : trimWsp(unfolded.slice(sep + 1).replace(/[\r\n]+/g, ' '));
}

/** Whether postal-mime reads a root part with these fields as a text leaf through its pass-through decoder. */
function plainText(fields: ContentFields): boolean {
  if (fields.unsure) return false;
  const { type, encoding } = fields;
  if (encoding !== undefined) {
    if (encoding.includes('(')) return false;
    const token = encoding.toLowerCase().match(/[\w-]+/)?.[0] ?? '';
    if (token.includes('base64') || token.includes('quoted-printable')) return false;
  }
  // No Content-Type: the root part is text/plain.
  if (type === undefined) return true;
  if (type.includes('(')) return false;
  const semi = type.indexOf(';');
  const value = semi < 0 ? type : type.slice(0, semi);
  if (value.includes('"') || value.includes('\\')) return false;
  return /^text\/[a-z0-9!#$%&'*+.^_`{|}~-]+$/.test(trimWsp(value).toLowerCase());
}

/**
 * The message with its body joined into one base64 line and `Content-Transfer-Encoding: base64`
 * put first, reading the same to postal-mime once that first header field is dropped — or
 * `undefined` when the message is not plainly a single pass-through text part (see above).
 * `maxHeaderBytes` is postal-mime's `maxHeadersSize`: the field added must not tip a header block
 * over it.
 *
 * @example
 * const joined = joinSinglePart(bytes, 1024 * 1024);
 * const email = await PostalMime.parse(joined ?? bytes);
 * if (joined) email.headers.shift();   // the added Content-Transfer-Encoding
 */
export function joinSinglePart(bytes: Uint8Array, maxHeaderBytes: number): Uint8Array | undefined {
  // A folded first line would fold into the field put before it.
  if (bytes.length === 0 || isWsp(bytes[0])) return undefined;
  const fields: ContentFields = { unsure: false };
  let headerBytes = 0;
  let field: number[] = [];
  let bodyStart = -1;
  for (let s = 0; s < bytes.length; ) {
    const lf = bytes.indexOf(0x0a, s);
    if (lf < 0) return undefined; // no blank line: no body
    // postal-mime's readLine: the line ends after its last byte that is neither CR nor LF.
    let e = lf;
    while (e > s && bytes[e - 1] === 0x0d) e--;
    if (e === s) {
      bodyStart = lf + 1;
      break;
    }
    headerBytes += e - s;
    if (isWsp(bytes[s])) field.push(s, e);
    else {
      if (field.length) readField(bytes, field, fields);
      field = [s, e];
    }
    s = lf + 1;
  }
  if (field.length) readField(bytes, field, fields);
  if (bodyStart < 0 || headerBytes + FIELD_BYTES > maxHeaderBytes || !plainText(fields)) return undefined;

  // What the pass-through decoder makes of the body: each line without its trailing CRs, and `\n`.
  const content = new Uint8Array(bytes.length - bodyStart + 1);
  let o = 0;
  let lines = 0;
  for (let s = bodyStart; s < bytes.length; lines++) {
    let lf = bytes.indexOf(0x0a, s);
    if (lf < 0) lf = bytes.length;
    let e = lf;
    while (e > s && bytes[e - 1] === 0x0d) e--;
    content.set(bytes.subarray(s, e), o);
    o += e - s;
    content[o++] = 0x0a;
    s = lf + 1;
  }
  countWork('parse', bytes.length);
  if (lines < MIN_BODY_LINES) return undefined;

  const out = new Uint8Array(FIELD_LINE.length + bodyStart + Math.ceil(o / 3) * 4 + 2);
  out.set(FIELD_LINE, 0);
  out.set(bytes.subarray(0, bodyStart), FIELD_LINE.length);
  let end = base64Into(content.subarray(0, o), out, FIELD_LINE.length + bodyStart);
  out[end++] = 0x0d;
  out[end++] = 0x0a;
  return out;
}
