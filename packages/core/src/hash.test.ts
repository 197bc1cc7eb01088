import { describe, expect, it } from 'vitest';
import { fnv1a } from './hash';
import { hashKey } from './idempotency';

describe('fnv1a', () => {
  it('keeps the digests already stored (ticket ids from keys, ids of mail without a Message-ID)', () => {
    // Pinned from the two copies it replaces (desk's hashKey, email's digest).
    expect(fnv1a('["","customer","c1","k1"]')).toBe('bf0b59152d60b131');
    expect(hashKey('["","customer","c1","k1"]')).toBe('bf0b59152d60b131');
    expect(fnv1a(new TextEncoder().encode('["","customer","c1","k1"]'))).toBe('bf0b59152d60b131');
    expect(fnv1a(new Uint8Array())).toBe('811c9dc501000193');
  });
});
