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
  });
}
