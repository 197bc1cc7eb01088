import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { inMemoryTicketIndex } from './memory-index';
import type { SearchDocument, TicketQuery, TicketSummary } from './ports';
import { matchesSearch } from './search-match';

const row = (id: string, over: Partial<TicketSummary> = {}): TicketSummary => ({
  id,
  number: Number(id.replace(/\D/gu, '')) || 1,
  subject: `Subject of ${id}`,
  status: 'open',
  category: 'open',
  priority: 'normal',
  tags: [],
  requester: { id: 'c1', name: 'Ann Smith', email: 'ann@acme.io' },
  channel: 'portal',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  awaitingAgent: false,
  version: 1,
  ...over,
});
const doc = (pub: string, internal = ''): SearchDocument => ({ public: pub, internal });

async function ids(index: ReturnType<typeof inMemoryTicketIndex>, q: TicketQuery): Promise<string[]> {
  return (await index.query({ limit: 500, ...q })).items.map((s) => s.id);
}

/** The ids of every page of a query, a row a page, following the cursors to the end. */
async function oneByOne(index: ReturnType<typeof inMemoryTicketIndex>, q: TicketQuery): Promise<string[]> {
  const paged: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await index.query({ ...q, limit: 1, ...(cursor ? { cursor } : {}) });
    paged.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor;
  } while (cursor);
  return paged;
}

describe('the memory index searches', () => {
  it('keeps a row’s document by the row’s version rule: lower changes nothing, equal replaces', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1', { version: 2 }), undefined, doc('alpha'));
    await index.upsert(row('t1', { version: 1 }), undefined, doc('bravo'));
    expect(await ids(index, { filter: { text: 'alpha' } })).toEqual(['t1']);
    expect(await ids(index, { filter: { text: 'bravo' } })).toEqual([]);
    await index.upsert(row('t1', { version: 2 }), undefined, doc('charlie'));
    expect(await ids(index, { filter: { text: 'alpha' } })).toEqual([]);
    expect(await ids(index, { filter: { text: 'charlie' } })).toEqual(['t1']);
  });

  it('takes a document into its engine when a search comes: several upserts in between leave only the last', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1', { version: 1 }), undefined, doc('alpha foxtrot'));
    await index.upsert(row('t2', { version: 1 }), undefined, doc('alpha beta'));
    expect((await ids(index, { filter: { text: 'alpha' } })).sort()).toEqual(['t1', 't2']);
    for (const [version, text] of [
      [2, 'bravo'],
      [3, 'charlie'],
      [4, 'delta alpha'],
    ] as const) {
      await index.upsert(row('t1', { version }), undefined, doc(text));
    }
    await index.upsert(row('t2', { version: 2 }), undefined, doc('echo'));
    expect(await ids(index, { filter: { text: 'foxtrot or bravo or charlie or beta' } })).toEqual([]);
    expect(await ids(index, { filter: { text: 'alpha' } })).toEqual(['t1']);
    expect(await ids(index, { filter: { text: 'delta' } })).toEqual(['t1']);
    expect(await ids(index, { filter: { text: 'echo' } })).toEqual(['t2']);
    expect(await index.count!({ filter: { text: 'alpha or echo' } })).toBe(2);
  });

  it('searches the number, subject and requester of a row upserted without a document', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t7', { subject: 'Printer on fire' }));
    for (const text of ['printer', '#7', '7', 'smith', 'ann@acme.io']) {
      expect(await ids(index, { filter: { text } })).toEqual(['t7']);
    }
  });

  it('matches the internal part only with textScope all, and snippets from the part that matched', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1'), undefined, doc('printer broken', 'warranty expired printer'));
    expect(await ids(index, { filter: { text: 'warranty' } })).toEqual([]);
    expect(await ids(index, { filter: { text: 'warranty' }, textScope: 'public' })).toEqual([]);
    const all = await index.query({ filter: { text: 'warranty' }, textScope: 'all' });
    expect(all.items[0]?.snippet).toEqual({ text: 'warranty expired printer', marks: [[0, 8]] });
    const pub = await index.query({ filter: { text: 'printer' }, textScope: 'public' });
    expect(pub.items[0]?.snippet).toEqual({ text: 'printer broken', marks: [[0, 7]] });
    expect(await index.count!({ filter: { text: 'warranty' } })).toBe(0);
    expect(await index.count!({ filter: { text: 'warranty' }, textScope: 'all' })).toBe(1);
  });

  it('checks phrases and excluded phrases on the stored words', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1'), undefined, doc('paper jam in the tray'));
    await index.upsert(row('t2'), undefined, doc('jam of paper'));
    expect(await ids(index, { filter: { text: '"paper jam"' } })).toEqual(['t1']);
    expect(await ids(index, { filter: { text: '"paper ja"*' } })).toEqual(['t1']);
    expect(await ids(index, { filter: { text: 'paper -"jam of"' } })).toEqual(['t1']);
    expect((await ids(index, { filter: { text: 'paper -"of jam"' } })).sort()).toEqual(['t1', 't2']);
  });

  it('pages relevance by an exact cursor, ties by id', async () => {
    const index = inMemoryTicketIndex();
    const texts = [
      'printer',
      'printer printer toner',
      'printer',
      'a printer among many other words here',
      'printer',
    ];
    for (const [i, text] of texts.entries()) await index.upsert(row(`t${i + 1}`), undefined, doc(text));
    const q: TicketQuery = { filter: { text: 'printer or toner' }, sort: { field: 'relevance' } };
    const whole = await ids(index, q);
    expect(whole[0]).toBe('t2');
    expect(whole.at(-1)).toBe('t4');
    // The three with the same text score alike: by id, in the sort's direction.
    expect(whole.slice(1, 4)).toEqual(['t5', 't3', 't1']);
    const paged = await oneByOne(index, q);
    expect(paged).toEqual(whole);
  });

  it('refuses a bad search or cursor with a ValidationError', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1'), undefined, doc('printer'));
    await expect(index.query({ filter: { text: '-printer' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(index.query({ filter: { text: 'printer' }, cursor: 'nope' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('gives a snippet only to the results of a search with words, and never stores one it was handed', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1', { snippet: { text: 'forged', marks: [] } }), undefined, doc('printer'));
    expect((await index.query({})).items[0]?.snippet).toBeUndefined();
    expect((await index.query({ filter: { text: '  ' } })).items[0]?.snippet).toBeUndefined();
    expect((await index.get('t1'))?.snippet).toBeUndefined();
    expect((await index.query({ filter: { text: 'printer' } })).items[0]?.snippet?.text).toBe('printer');
  });

  it('keeps tenants apart and clears only the tenant’s words', async () => {
    const index = inMemoryTicketIndex();
    await index.upsert(row('t1', { tenantId: 'acme' }), undefined, doc('zebra shared'));
    await index.upsert(row('t1', { tenantId: 'beta' }), undefined, doc('yak shared'));
    expect(await ids(index, { filter: { tenantId: 'acme', text: 'yak' } })).toEqual([]);
    expect(await ids(index, { filter: { tenantId: 'beta', text: 'yak' } })).toEqual(['t1']);
    await index.clear({ tenantId: 'beta' });
    expect(await ids(index, { filter: { tenantId: 'beta', text: 'shared' } })).toEqual([]);
    expect(await ids(index, { filter: { tenantId: 'acme', text: 'shared' } })).toEqual(['t1']);
    // Rows upserted again after a clear are searchable again, with their new words only.
    await index.upsert(row('t1', { tenantId: 'beta' }), undefined, doc('llama'));
    expect(await ids(index, { filter: { tenantId: 'beta', text: 'yak' } })).toEqual([]);
    expect(await ids(index, { filter: { tenantId: 'beta', text: 'llama' } })).toEqual(['t1']);
  });
});

describe('the memory index against matchesSearch', () => {
  const WORDS = ['jam', 'Paper', 'résumé', 'resume', 'ТОНЕР', 'print', 'printer', 'tray'];
  const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 12 }).map((w) => w.join(' '));
  const term = fc
    .tuple(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 2 }), fc.boolean())
    .map(([words, prefix]) => {
      const body = words.length > 1 ? `"${words.join(' ')}"` : words[0]!;
      return prefix ? `${words.length > 1 ? body : body.slice(0, 3)}*` : body;
    });
  const query = fc
    .array(fc.tuple(term, fc.constantFrom(' ', ' or ', ' -')), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.map(([t, join], i) => (i === 0 ? t : `${join}${t}`)).join(''));

  it('finds exactly the documents matchesSearch says match, in either scope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 8 }),
        query,
        fc.constantFrom('public', 'all'),
        async (docs, q, textScope) => {
          const index = inMemoryTicketIndex();
          for (const [i, [pub, internal]] of docs.entries()) {
            await index.upsert(row(`t${i + 1}`), undefined, doc(pub, internal));
          }
          let got: string[];
          try {
            got = await ids(index, { filter: { text: q }, textScope });
          } catch (e) {
            expect(e).toBeInstanceOf(ValidationError);
            expect(() => matchesSearch(doc(''), q)).toThrow(ValidationError);
            return;
          }
          const want = docs
            .map(([pub, internal], i) => ({
              id: `t${i + 1}`,
              hit: matchesSearch(doc(pub, internal), q, textScope),
            }))
            .filter((d) => d.hit)
            .map((d) => d.id);
          expect(got.sort()).toEqual(want.sort());
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('relevance after rows are written again', () => {
  it('pages with no gap: a replaced document leaves nothing behind that changes later scores', async () => {
    // Each command on a ticket writes its row again. minisearch's replace only discards the old
    // document, and a later search's scores shift as it sweeps the leftovers: page 1 ranked t1
    // below t3, page 2 above the cursor, and t1 was never listed.
    const index = inMemoryTicketIndex();
    const texts = ['printer', 'printer printer', 'printer a'];
    for (const [i, text] of texts.entries()) await index.upsert(row(`t${i + 1}`), undefined, doc(text));
    await index.upsert(row('t2', { version: 2 }), undefined, doc(texts[1]!));
    const q: TicketQuery = { filter: { text: 'printer' }, sort: { field: 'relevance' } };
    const paged = await oneByOne(index, q);
    expect(paged).toEqual(await ids(index, q));
    expect(paged).toHaveLength(3);
  });
});
