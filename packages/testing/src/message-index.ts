import type { BlobStore, MessageIndex } from '@tessera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Factory, open } from './subject';

/**
 * The MessageIndex conformance suite.
 *
 * @example
 * messageIndexConformance(() => inMemoryMessageIndex());
 */
export function messageIndexConformance(factory: Factory<MessageIndex>): void {
  describe('MessageIndex conformance', () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    it('records a Message-ID once, and finds its ticket', async () => {
      const opened = await open(factory);
      close = opened.close;
      const index = opened.subject;
      const id = `<${Date.now()}.${Math.random()}@example.com>`;
      expect(await index.get(id)).toBeUndefined();
      expect(await index.put(id, 'T1')).toBe(true);
      expect(await index.put(id, 'T2')).toBe(false);
      expect(await index.get(id)).toBe('T1');
      // Message-IDs are case-sensitive in their local part.
      expect(await index.get(id.toUpperCase())).toBeUndefined();
    });
    it('keeps each tenant apart: the same Message-ID in two tenants is two entries', async () => {
      const opened = await open(factory);
      close = opened.close;
      const index = opened.subject;
      const id = `<tenants.${Date.now()}.${Math.random()}@example.com>`;
      expect(await index.put(id, 'TA', { tenantId: 'A' })).toBe(true);
      expect(await index.get(id)).toBeUndefined();
      expect(await index.get(id, { tenantId: 'B' })).toBeUndefined();
      expect(await index.put(id, 'TB', { tenantId: 'B' })).toBe(true);
      expect(await index.put(id, 'T0')).toBe(true);
      expect(await index.put(id, 'TA2', { tenantId: 'A' })).toBe(false);
      expect(await index.get(id, { tenantId: 'A' })).toBe('TA');
      expect(await index.get(id, { tenantId: 'B' })).toBe('TB');
      expect(await index.get(id)).toBe('T0');
    });
    it('treats U+0000 in a Message-ID, ticket id or tenant as an ordinary character', async () => {
      const opened = await open(factory);
      close = opened.close;
      const index = opened.subject;
      const id = `<nul\u0000.${Date.now()}.${Math.random()}@example.com>`;
      expect(await index.put(id, 'T\u00001', { tenantId: 'A\u0000' })).toBe(true);
      expect(await index.put(id.replace('\u0000', ''), 'T2', { tenantId: 'A\u0000' })).toBe(true);
      expect(await index.get(id, { tenantId: 'A\u0000' })).toBe('T\u00001');
      expect(await index.get(id, { tenantId: 'A' })).toBeUndefined();
      expect(await index.put(id, 'T3', { tenantId: 'A\u0000' })).toBe(false);
      // Lone UTF-16 surrogates: two Message-IDs, two entries.
      expect(await index.put(`${id}\ud800`, 'T4\ud800')).toBe(true);
      expect(await index.put(`${id}\udc00`, 'T5')).toBe(true);
      expect(await index.get(`${id}\ud800`)).toBe('T4\ud800');
      expect(await index.get(`${id}\udc00`)).toBe('T5');
    });
    it('of concurrent puts of one Message-ID, exactly one is new', async () => {
      const opened = await open(factory);
      close = opened.close;
      const id = `<race.${Date.now()}.${Math.random()}@example.com>`;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => opened.subject.put(id, `T${i}`)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}

/**
 * The BlobStore conformance suite.
 *
 * @example
 * blobStoreConformance(() => inMemoryBlobStore());
 */
export function blobStoreConformance(factory: Factory<BlobStore>): void {
  describe('BlobStore conformance', () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    it('returns the bytes it was given, by ref or by id; unknown ids give undefined', async () => {
      const opened = await open(factory);
      close = opened.close;
      const blobs = opened.subject;
      const bytes = new Uint8Array(1024 * 1024 + 3).map((_, i) => (i * 7) % 256);
      const ref = await blobs.put(bytes, { contentType: 'application/pdf', filename: 'big.pdf' });
      expect(ref).toMatchObject({ size: bytes.byteLength, contentType: 'application/pdf' });
      expect(Array.from((await blobs.get(ref))!.subarray(0, 16))).toEqual(Array.from(bytes.subarray(0, 16)));
      expect((await blobs.get(ref.id))?.byteLength).toBe(bytes.byteLength);
      expect(Buffer.from((await blobs.get(ref))!).equals(Buffer.from(bytes))).toBe(true);
      const empty = await blobs.put(new Uint8Array(0), { contentType: 'text/plain' });
      expect((await blobs.get(empty))?.byteLength).toBe(0);
      expect(await blobs.get('no-such-blob')).toBeUndefined();
      bytes[0] = 255;
      expect((await blobs.get(ref))![0]).toBe(0);
    });
    it('keeps blobs to their tenant, and stat returns what they were stored with', async () => {
      const opened = await open(factory);
      close = opened.close;
      const blobs = opened.subject;
      const bytes = new Uint8Array([1, 2, 3, 4, 5]);
      const a = await blobs.put(bytes, {
        contentType: 'message/rfc822',
        filename: 'original.eml',
        tenantId: 'A',
        owner: { kind: 'customer', id: 'c1' },
        ticketId: 'T1',
      });
      const none = await blobs.put(new Uint8Array([9]), { contentType: 'text/plain' });
      expect(Array.from((await blobs.get(a, { tenantId: 'A' }))!)).toEqual([1, 2, 3, 4, 5]);
      expect(await blobs.get(a, { tenantId: 'B' })).toBeUndefined();
      expect(await blobs.get(a.id)).toBeUndefined();
      expect(await blobs.get(none, { tenantId: 'A' })).toBeUndefined();
      expect(Array.from((await blobs.get(none))!)).toEqual([9]);
      expect(await blobs.stat(a, { tenantId: 'A' })).toEqual({
        contentType: 'message/rfc822',
        filename: 'original.eml',
        tenantId: 'A',
        owner: { kind: 'customer', id: 'c1' },
        ticketId: 'T1',
        size: 5,
      });
      expect(await blobs.stat(a.id, { tenantId: 'B' })).toBeUndefined();
      expect(await blobs.stat(a)).toBeUndefined();
      expect(await blobs.stat(none)).toEqual({ contentType: 'text/plain', size: 1 });
      expect(await blobs.stat('no-such-blob')).toBeUndefined();
      expect(await blobs.stat('no-such-\u0000blob', { tenantId: 'A\u0000' })).toBeUndefined();
      expect(await blobs.get('no-such-\u0000blob')).toBeUndefined();
      const nul = await blobs.put(new Uint8Array([0]), {
        contentType: 'text/plain',
        filename: 'a\u0000b\ud800.txt',
        tenantId: 'A\u0000',
      });
      expect(await blobs.stat(nul, { tenantId: 'A\u0000' })).toEqual({
        contentType: 'text/plain',
        filename: 'a\u0000b\ud800.txt',
        tenantId: 'A\u0000',
        size: 1,
      });
      expect(await blobs.get(nul, { tenantId: 'A' })).toBeUndefined();
    });
  });
}
