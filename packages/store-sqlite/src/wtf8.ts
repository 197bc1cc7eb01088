/**
 * better-sqlite3 writes a JavaScript string's lone UTF-16 surrogate as its three WTF-8 bytes
 * (so `'a\ud800'` and `'a\udc00'` stay two values), but reads such bytes back as U+FFFD each.
 * Columns read back as strings the store hands out (stream ids, ticket ids, cursor values) are
 * selected as BLOBs and decoded here, surrogates included, so a string comes back as it went in.
 *
 * @example
 * textOf(Buffer.from([0x61, 0xed, 0xa0, 0x80])); // 'a\ud800'
 */
export function textOf(bytes: Buffer | Uint8Array | string | null): string {
  if (bytes === null) return '';
  if (typeof bytes === 'string') return bytes;
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const fast = buffer.toString('utf8');
  if (!fast.includes('\ufffd')) return fast;
  let out = '';
  for (let i = 0; i < buffer.length; ) {
    const b = buffer[i]!;
    // ED A0..BF xx is a UTF-16 surrogate (U+D800..U+DFFF) written on its own.
    if (b === 0xed && i + 2 < buffer.length && buffer[i + 1]! >= 0xa0 && buffer[i + 1]! <= 0xbf) {
      out += String.fromCharCode(0xd000 | ((buffer[i + 1]! & 0x3f) << 6) | (buffer[i + 2]! & 0x3f));
      i += 3;
      continue;
    }
    const length = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    out += buffer.subarray(i, i + length).toString('utf8');
    i += length;
  }
  return out;
}
