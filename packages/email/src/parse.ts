import { ValidationError } from '@tessera/core';
import PostalMime, { type Address, type Email } from 'postal-mime';
import { compactMime } from './compact-mime';
import { JOINED_FIELD, joinSinglePart } from './single-part';

/** A mailbox: address and display name (empty when the header had none). */
export interface EmailAddress {
  address: string;
  name: string;
}

/** One attachment or inline part, with its bytes. */
export interface ParsedAttachment {
  filename?: string;
  contentType: string;
  /** `attachment`, `inline`, or whatever the part said; absent when it said nothing. */
  disposition?: string;
  /** Content-ID with angle brackets, for `cid:` references from the HTML. */
  contentId?: string;
  /** Referenced from the HTML (an inline image) or marked `inline`. */
  inline: boolean;
  content: Uint8Array;
  size: number;
}

/** A message as `parseEmail` returns it. Message-IDs keep their angle brackets. */
export interface ParsedEmail {
  messageId?: string;
  inReplyTo?: string;
  /** The References header split into Message-IDs, oldest first. */
  references: string[];
  from?: EmailAddress;
  sender?: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  replyTo: EmailAddress[];
  /** The Return-Path address; `''` for the null reverse-path `<>` (bounces and auto-replies). */
  returnPath?: string;
  deliveredTo?: string;
  subject: string;
  /** ISO-8601 when the Date header parses, else the raw value. */
  date?: string;
  /** Every top-level header, lower-cased name → values in order (unfolded, not decoded). */
  headers: Record<string, string[]>;
  text?: string;
  html?: string;
  attachments: ParsedAttachment[];
  /** Size of the raw message in bytes. */
  size: number;
}

/** Limits `parseEmail` enforces; each has a default fit for a support inbox. */
export interface ParseLimits {
  /** Whole message, bytes. Default 25 MiB. */
  maxBytes?: number;
  /** Number of top-level header fields. Default 1,000. */
  maxHeaders?: number;
  /** Header bytes across all parts. Default 1 MiB. */
  maxHeaderBytes?: number;
  /** MIME nesting depth. Default 32. */
  maxDepth?: number;
  /** Attachments. Default 200. */
  maxAttachments?: number;
  /**
   * Lines, once long parts are joined (see compact-mime.ts). Default 150,000. postal-mime spends
   * 10–25 µs on a line it cannot join (a multipart preamble, quoted-printable), so this bounds the
   * time a message can take.
   */
  maxLines?: number;
}

const DEFAULTS: Required<ParseLimits> = {
  maxBytes: 25 * 1024 * 1024,
  maxHeaders: 1000,
  maxHeaderBytes: 1024 * 1024,
  maxDepth: 32,
  maxAttachments: 200,
  maxLines: 150_000,
};

function toBytes(raw: unknown): Uint8Array {
  if (typeof raw === 'string') return new TextEncoder().encode(raw);
  if (raw instanceof Uint8Array) return raw;
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  throw new ValidationError([
    { path: 'raw', message: `expected a string, Uint8Array or ArrayBuffer, got ${describe(raw)}` },
  ]);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

/** Some clients (and some exports) put blank lines before the first header; skip them. */
function skipLeadingBlankLines(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return i === 0 ? bytes : bytes.subarray(i);
}

function mailbox(a: Address | undefined): EmailAddress | undefined {
  if (!a) return undefined;
  if (a.address !== undefined) return { address: a.address, name: a.name ?? '' };
  const first = a.group?.[0];
  return first ? { address: first.address, name: first.name ?? '' } : undefined;
}

function mailboxes(list: Address[] | undefined): EmailAddress[] {
  const out: EmailAddress[] = [];
  for (const a of list ?? []) {
    if (a.address !== undefined) out.push({ address: a.address, name: a.name ?? '' });
    else for (const m of a.group ?? []) out.push({ address: m.address, name: m.name ?? '' });
  }
  return out;
}

function referencesOf(value: string | undefined): string[] {
  if (!value) return [];
  return value.match(/<[^<>\s]*>/g) ?? [];
}

function returnPathOf(headers: Record<string, string[]>, parsed: string | undefined): string | undefined {
  const raw = headers['return-path']?.[0];
  if (raw === undefined) return parsed;
  const m = /<([^<>]*)>/.exec(raw);
  if (m) return m[1]!.trim();
  return raw.trim();
}

const REPLACEMENT = '\uFFFD';

/** A charset label as it appears in Content-Type (`charset=Big5`, `charset="utf-8"`). */
const CHARSET_LABEL = /charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})"?/gi;
/** Labels that already name UTF-8: relabelling them changes nothing. */
const UTF8_LABELS = new Set(['utf-8', 'utf8']);
/** One code unit per byte, so offsets in the string are offsets in the bytes (labels are ASCII). */
const bytewise = new TextDecoder('windows-1252');

/**
 * Mail that declares a legacy charset but carries UTF-8 (common from misconfigured webmail)
 * decodes to replacement characters. When that happens, read the message again with its legacy
 * charset labels changed to UTF-8 and keep that reading if, and only if, it decodes cleanly:
 * genuinely legacy-encoded text is practically never valid UTF-8, so real Big5 or Latin-1 mail is
 * untouched. Mail whose labels all name UTF-8 already is not read again: a replacement character
 * in UTF-8 mail is in the mail (or its bytes are broken), and a second reading would find the same.
 */
async function preferUtf8(email: Email, bytes: Uint8Array, options: Parameters<typeof PostalMime.parse>[1]) {
  const source = bytewise.decode(bytes);
  const legacy: { start: number; end: number }[] = [];
  for (const m of source.matchAll(CHARSET_LABEL)) {
    if (!UTF8_LABELS.has(m[1]!.toLowerCase())) legacy.push({ start: m.index, end: m.index + m[0].length });
  }
  if (legacy.length === 0) return;
  const label = new TextEncoder().encode('charset=utf-8');
  const out = new Uint8Array(bytes.length + legacy.length * label.length);
  let n = 0;
  let from = 0;
  for (const { start, end } of legacy) {
    out.set(bytes.subarray(from, start), n);
    n += start - from;
    out.set(label, n);
    n += label.length;
    from = end;
  }
  out.set(bytes.subarray(from), n);
  n += bytes.length - from;
  let again: Email;
  try {
    again = await PostalMime.parse(out.subarray(0, n), options);
  } catch {
    return;
  }
  if (again.text?.includes(REPLACEMENT) || again.html?.includes(REPLACEMENT)) return;
  if (again.text !== undefined) email.text = again.text;
  if (again.html !== undefined) email.html = again.html;
}

/**
 * The buffer of bytes this module made, for postal-mime to read as it is: handed a view, it copies
 * the bytes first (a caller's array could change under it), which for our own copy is a waste.
 */
function owned(bytes: Uint8Array): ArrayBuffer | Uint8Array {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength
    ? buffer
    : bytes;
}

/**
 * Parses a raw RFC 5322 message with postal-mime, within limits. Malformed input gives the best
 * reading postal-mime can make; input over a limit, or that postal-mime rejects, throws
 * `ValidationError` — never anything else.
 *
 * @example
 * const mail = await parseEmail('From: a@example.com\r\nSubject: Hi\r\nMessage-ID: <1@example.com>\r\n\r\nHello');
 * mail.subject;   // 'Hi'
 * mail.text;      // 'Hello'
 */
export async function parseEmail(
  raw: string | Uint8Array | ArrayBuffer,
  limits: ParseLimits = {},
): Promise<ParsedEmail> {
  const lim = { ...DEFAULTS, ...limits };
  const bytes = skipLeadingBlankLines(toBytes(raw));
  const size = bytes.byteLength;
  if (size > lim.maxBytes) {
    throw new ValidationError([
      { path: 'raw', message: `message is ${size} bytes; the limit is ${lim.maxBytes}` },
    ]);
  }
  const options = {
    maxNestingDepth: lim.maxDepth,
    maxHeadersSize: lim.maxHeaderBytes,
    maxRfc822NestingDepth: Math.min(10, lim.maxDepth),
    attachmentEncoding: 'arraybuffer',
  } as const;
  let toParse = bytes;
  let lines = 0;
  let headerBlock: Uint8Array | undefined;
  try {
    ({ bytes: toParse, lines, headerBlock } = await compactMime(bytes, options, lim.maxLines));
  } catch {
    // Joining is an optimisation; should it fail on some mail, that mail is parsed as it is.
    toParse = bytes;
  }
  if (lines > lim.maxLines) {
    throw new ValidationError([
      {
        path: 'raw',
        message: `message has ${lines} lines (long parts joined); the limit is ${lim.maxLines}`,
      },
    ]);
  }
  // A plain single-part message goes with its body as one line (see single-part.ts); the bytes as
  // they came are what a second reading for a mislabelled charset reads, as before.
  let joinedBody: Uint8Array | undefined;
  if (toParse === bytes) {
    try {
      joinedBody = joinSinglePart(bytes, lim.maxHeaderBytes);
    } catch {
      joinedBody = undefined;
    }
  }
  let email: Email;
  try {
    email = await PostalMime.parse(joinedBody ? owned(joinedBody) : toParse, options);
    if (joinedBody) {
      const added = email.headers.shift();
      if (added?.key !== JOINED_FIELD.key || added.value !== JOINED_FIELD.value) {
        // Cannot happen (the field is put first, on a line of its own); should it, read the mail as it came.
        email = await PostalMime.parse(bytes, options);
      }
    }
    if (email.text?.includes(REPLACEMENT) || email.html?.includes(REPLACEMENT)) {
      await preferUtf8(email, joinedBody ? bytes : toParse, options);
    }
    // The header fields as the mail came (a joined part's transfer encoding reads base64).
    if (headerBlock) email.headers = (await PostalMime.parse(headerBlock, options)).headers;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ValidationError([{ path: 'raw', message: `could not parse the message: ${message}` }], {
      cause,
    });
  }
  if (email.headers.length > lim.maxHeaders) {
    throw new ValidationError([
      { path: 'headers', message: `${email.headers.length} header fields; the limit is ${lim.maxHeaders}` },
    ]);
  }
  if (email.attachments.length > lim.maxAttachments) {
    throw new ValidationError([
      {
        path: 'attachments',
        message: `${email.attachments.length} attachments; the limit is ${lim.maxAttachments}`,
      },
    ]);
  }
  const headers: Record<string, string[]> = Object.create(null);
  for (const h of email.headers) {
    const list = headers[h.key];
    if (list) list.push(h.value);
    else headers[h.key] = [h.value];
  }
  const out: ParsedEmail = {
    references: referencesOf(email.references),
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    replyTo: mailboxes(email.replyTo),
    subject: email.subject ?? '',
    headers,
    attachments: email.attachments.map((a) => {
      const content =
        typeof a.content === 'string'
          ? new TextEncoder().encode(a.content)
          : a.content instanceof Uint8Array
            ? a.content
            : new Uint8Array(a.content);
      const att: ParsedAttachment = {
        contentType: a.mimeType,
        inline: a.related === true || a.disposition === 'inline',
        content,
        size: content.byteLength,
      };
      if (a.filename) att.filename = a.filename;
      if (a.disposition) att.disposition = a.disposition;
      if (a.contentId) att.contentId = a.contentId;
      return att;
    }),
    size,
  };
  const messageId = referencesOf(email.messageId)[0] ?? email.messageId?.trim();
  if (messageId) out.messageId = messageId;
  const inReplyTo = referencesOf(email.inReplyTo)[0] ?? email.inReplyTo?.trim();
  if (inReplyTo) out.inReplyTo = inReplyTo;
  const from = mailbox(email.from);
  if (from) out.from = from;
  const sender = mailbox(email.sender);
  if (sender) out.sender = sender;
  const returnPath = returnPathOf(headers, email.returnPath);
  if (returnPath !== undefined) out.returnPath = returnPath;
  if (email.deliveredTo) out.deliveredTo = email.deliveredTo;
  if (email.date) out.date = email.date;
  if (email.text !== undefined) out.text = email.text;
  if (email.html !== undefined) out.html = email.html;
  return out;
}
