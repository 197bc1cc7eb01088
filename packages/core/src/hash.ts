/**
 * FNV-1a, twice with different primes, as 16 hex digits: a stable, fast, non-cryptographic digest
 * of a string (its UTF-16 code units) or of bytes. The desk derives a ticket's id from an
 * idempotency key with it, the email channel an id for mail without a Message-ID — both are
 * stored, so its output must never change.
 *
 * @example
 * fnv1a('k1'); // → 16 hex digits, the same on every run
 * fnv1a(new TextEncoder().encode('k1')); // the same digest for ASCII text
 */
export function fnv1a(input: string | Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  if (typeof input === 'string') {
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
  } else {
    for (let i = 0; i < input.length; i++) {
      const c = input[i]!;
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
