import { isTesseraError } from '@tessera/core';
import { sampleSummary } from '@tessera/testing';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from './store';

describe('SQLite ticket index query statements', () => {
  it('answers right while more query shapes come and go than it keeps prepared, and as rows change', async () => {
    const store = sqliteStore({ filename: ':memory:' });
    for (let n = 1; n <= 40; n++) await store.index.upsert(sampleSummary(n));
    // `ids` of k items is its own SQL text (`id IN (?, …)`): 150 texts, more than the 100 kept.
    const idsUpTo = (k: number) => Array.from({ length: k }, (_, i) => sampleSummary(k - i).id);
    const expected = (k: number) =>
      Array.from({ length: Math.min(k, 40) }, (_, i) => sampleSummary(i + 1).id);
    const ask = async (k: number) =>
      (await store.index.query({ filter: { ids: idsUpTo(k) }, limit: 500 })).items.map((s) => s.id);
    for (let k = 1; k <= 150; k++) expect(await ask(k), `ids of ${k}`).toEqual(expected(k));
    // Again, oldest first (dropped and prepared anew) and newest (still prepared).
    for (const k of [1, 2, 3, 150, 149, 75]) expect(await ask(k), `ids of ${k} again`).toEqual(expected(k));
    // A prepared statement reads the rows as they are now.
    await store.index.upsert(sampleSummary(2, { status: 'solved', category: 'solved', version: 2 }));
    const solved = () => store.index.query({ filter: { category: 'solved' } });
    expect((await solved()).items.map((s) => s.id)).toEqual([sampleSummary(2).id]);
    await store.index.upsert(sampleSummary(3, { status: 'solved', category: 'solved', version: 2 }));
    expect((await solved()).items.map((s) => s.id).sort()).toEqual([
      sampleSummary(2).id,
      sampleSummary(3).id,
    ]);
    await store.index.clear();
    expect((await solved()).items).toEqual([]);
    await store.close();
    // A closed store fails the same way whether the statement was prepared before or not.
    for (const filter of [{ category: 'solved' as const }, { category: 'closed' as const }]) {
      const error = await store.index.query({ filter }).catch((e: unknown) => e);
      expect(isTesseraError(error, 'adapter'), String(error)).toBe(true);
    }
  });
});
