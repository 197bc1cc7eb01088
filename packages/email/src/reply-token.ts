import { type HMAC, hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { ConfigError } from '@tessera/core';

/** A secret for signing reply tokens: a string (UTF-8) or raw bytes, at least 8 bytes long (32 random bytes are best). */
export type TokenSecret = string | Uint8Array;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** MAC length in bytes: 80 bits, 16 base32 characters. Forging one takes ~2^80 tries. */
const MAC_BYTES = 10;

function secretBytes(secret: TokenSecret): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < 8) {
    throw new ConfigError([
      {
        path: 'secret',
        message: `the reply-token secret is ${bytes.byteLength} bytes; use at least 8 bytes (32 random bytes are best)`,
      },
    ]);
  }
  return bytes;
}

/** Lower-case base32 without padding: survives mail servers that lower-case the local part. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.toLowerCase()) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return new Uint8Array(out);
}

/**
 * The last secret seen, its bytes and its HMAC already keyed: a desk signs and verifies with one
 * secret, and keying (encoding the secret, hashing both pads) was half of every token's cost.
 * A byte secret is compared by content, so a caller who rewrites their array gets the new key.
 */
let keyed:
  | { text: string | undefined; bytes: Uint8Array; mac: HMAC<ReturnType<typeof sha256.create>> }
  | undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function keyedMac(secret: TokenSecret): HMAC<ReturnType<typeof sha256.create>> {
  if (keyed) {
    const same =
      typeof secret === 'string'
        ? secret === keyed.text
        : keyed.text === undefined && sameBytes(secret, keyed.bytes);
    if (same) return keyed.mac;
  }
  const bytes = secretBytes(secret);
  // A copy of a byte secret: the comparison above must see what the key was, not the caller's array now.
  keyed = {
    text: typeof secret === 'string' ? secret : undefined,
    bytes: typeof secret === 'string' ? bytes : bytes.slice(),
    mac: hmac.create(sha256, bytes),
  };
  return keyed.mac;
}

const utf8 = new TextEncoder();
/** Reused for every token: the keyed state is copied into it, so signing allocates no hash objects. */
let scratch: HMAC<ReturnType<typeof sha256.create>> | undefined;
const tag = new Uint8Array(32);

function mac(ticketId: string, secret: TokenSecret): string {
  scratch = keyedMac(secret)._cloneInto(scratch);
  scratch.update(utf8.encode(`tessera-reply:${ticketId}`)).digestInto(tag);
  return base32(tag.subarray(0, MAC_BYTES));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Marks a compact UUID: `0` is not in the base32 alphabet, so no plain id part starts with it. */
const COMPACT = '0';

function uuidBytes(id: string): Uint8Array {
  const hex = id.replaceAll('-', '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function uuidText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The signed token that goes after the `+` of the reply address: the ticket id (base32) and an
 * HMAC-SHA256 of it under `secret`, so only mail to an address we issued finds the ticket.
 *
 * A lower-case UUID (the desk's default ids) is written as its 16 bytes, `0` + 26 characters, so
 * the token is 44 characters and `support+<token>` stays within the 64 characters RFC 5321 allows
 * a local part; other ids are written as their UTF-8 bytes.
 *
 * @example
 * const token = replyToken('T-42', process.env.REPLY_SECRET!);   // e.g. 'kqwtinbs.m5x2…'
 */
export function replyToken(ticketId: string, secret: TokenSecret): string {
  const id = UUID.test(ticketId)
    ? `${COMPACT}${base32(uuidBytes(ticketId))}`
    : base32(new TextEncoder().encode(ticketId));
  return `${id}.${mac(ticketId, secret)}`;
}

/**
 * The ticket id a token was issued for, or `undefined` if it is malformed or its signature does
 * not match (tampered, or signed with another secret). Compares in constant time.
 *
 * @example
 * verifyReplyToken(replyToken('T-42', secret), secret);   // 'T-42'
 * verifyReplyToken('garbage', secret);                     // undefined
 */
export function verifyReplyToken(token: string, secret: TokenSecret): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 512) return undefined;
  const compact = token[0] === COMPACT;
  const idBytes = unbase32(token.slice(compact ? 1 : 0, dot));
  if (!idBytes) return undefined;
  let ticketId: string;
  if (compact) {
    if (dot !== 27 || idBytes.length !== 16) return undefined;
    ticketId = uuidText(idBytes);
  } else {
    try {
      ticketId = new TextDecoder('utf-8', { fatal: true }).decode(idBytes);
    } catch {
      return undefined;
    }
  }
  const expected = mac(ticketId, secret);
  const given = token.slice(dot + 1).toLowerCase();
  if (given.length !== expected.length) return undefined;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0 ? ticketId : undefined;
}

/** Splits `Name <local+tag@domain>` into its parts. */
export function splitAddress(
  address: string,
): { name?: string; local: string; tag?: string; domain: string } | undefined {
  const angle = /<([^<>]*)>/.exec(address);
  const bare = (angle ? angle[1]! : address).trim();
  const at = bare.lastIndexOf('@');
  if (at <= 0) return undefined;
  const localFull = bare.slice(0, at);
  const plus = localFull.indexOf('+');
  const out: { name?: string; local: string; tag?: string; domain: string } = {
    local: plus >= 0 ? localFull.slice(0, plus) : localFull,
    domain: bare.slice(at + 1),
  };
  if (plus >= 0) out.tag = localFull.slice(plus + 1);
  if (angle) {
    const name = address
      .slice(0, angle.index)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name) out.name = name;
  }
  return out;
}

/**
 * The support address with the ticket's signed token: `support@x` → `support+<token>@x`, keeping
 * a display name (`Support <support+<token>@x>`).
 *
 * @example
 * replyAddress('Support <help@example.com>', 'T-42', secret);   // 'Support <help+….…@example.com>'
 */
export function replyAddress(address: string, ticketId: string, secret: TokenSecret): string {
  const parts = splitAddress(address);
  if (!parts) throw new ConfigError([{ path: 'address', message: `"${address}" is not an email address` }]);
  const mailbox = `${parts.local}+${replyToken(ticketId, secret)}@${parts.domain}`;
  return parts.name ? `${parts.name} <${mailbox}>` : mailbox;
}
