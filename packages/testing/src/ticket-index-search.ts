import {
  foldText,
  type TicketIndex,
  type TicketQuery,
  type TicketSummary,
  ValidationError,
} from '@tessera/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { allPages, sampleSummary } from './sample-summary';
import { type Factory, open } from './subject';

/** The searchable text `TicketIndex.upsert` takes with a row. */
type Doc = NonNullable<Parameters<TicketIndex['upsert']>[2]>;
type Scope = NonNullable<TicketQuery['textScope']>;

/** How the search cases treat an adapter: `stems` when its engine stems English words. */
export interface SearchConformanceOptions {
  /** The engine finds `invoices` by `invoice` (SQLite FTS5 porter, PostgreSQL `english`). */
  stems?: boolean;
  /** Runs of each search property (default 40). */
  propertyRuns?: number;
}

const byNumber = { field: 'number', direction: 'asc' } as const;

/** A row's document as the desk would write it: number and subject first, then `words`. */
const docOf = (summary: TicketSummary, publicWords: string, internal = ''): Doc => ({
  public: `#${summary.number} ${summary.subject} ${publicWords}`,
  internal,
});

/** The marked pieces of a snippet, folded: what a UI would highlight. */
const markedWords = (s: NonNullable<TicketSummary['snippet']>) =>
  s.marks.map(([a, b]) => foldText(s.text.slice(a, b)));

/** Checks the snippet rules that hold for every engine: marks inside the text, sorted, apart. */
function expectWellFormed(s: TicketSummary['snippet']): asserts s is NonNullable<TicketSummary['snippet']> {
  expect(s).toBeDefined();
  const snippet = s!;
  expect(snippet.marks.length).toBeGreaterThan(0);
  let end = 0;
  for (const [a, b] of snippet.marks) {
    expect(a).toBeGreaterThanOrEqual(end);
    expect(b).toBeGreaterThan(a);
    expect(b).toBeLessThanOrEqual(snippet.text.length);
    end = b;
  }
}

/**
 * The search cases of the TicketIndex conformance suite: `filter.text` over the documents given to
 * `upsert` (words of each part, the public/all scope, phrases, `-word`, `or`, prefixes, `#number`,
 * diacritics, Russian/Hebrew/German words), with other filters and tenants, relevance order and
 * paging, snippets, the version rule and `clear()` for documents, `count`, hostile queries, and
 * a property that a public search never matches internal-only words.
 *
 * @example
 * ticketIndexSearchConformance(() => sqliteStore({ filename: ':memory:' }).index, { stems: true });
 */
export function ticketIndexSearchConformance(
  factory: Factory<TicketIndex>,
  options: SearchConformanceOptions = {},
): void {
  const runs = options.propertyRuns ?? 40;
  describe('TicketIndex search conformance', () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    const fresh = async () => {
      const opened = await open(factory);
      close = opened.close;
      return opened.subject;
    };
    /** An index holding rows 1…n of `docs` (public words, internal text) and a finder. */
    const withDocs = async (docs: [publicWords: string, internal?: string][], tenantId?: string) => {
      const index = await fresh();
      const rows = docs.map((_, i) =>
        sampleSummary(i + 1, {
          subject: `Case ${i + 1}`,
          requester: { id: `c${i}` },
          ...(tenantId === undefined ? {} : { tenantId }),
        }),
      );
      for (const [i, row] of rows.entries()) await index.upsert(row, undefined, docOf(row, ...docs[i]!));
      const found = async (text: string, textScope?: Scope, filter: TicketQuery['filter'] = {}) =>
        (
          await allPages(index, {
            filter: { ...filter, text },
            sort: byNumber,
            ...(textScope ? { textScope } : {}),
          })
        ).map((r) => r.number);
      return { index, rows, found };
    };

    it('matches the words of each part; public (the default) never matches an internal-only word', async () => {
      const { found } = await withDocs([
        ['printer jammed on floor three', 'customer was rude'],
        ['login fails after reset', 'printer firmware bug'],
        ['nothing in common'],
      ]);
      expect(await found('printer')).toEqual([1]);
      expect(await found('printer', 'public')).toEqual([1]);
      expect(await found('printer', 'all')).toEqual([1, 2]);
      expect(await found('rude')).toEqual([]);
      expect(await found('rude', 'all')).toEqual([1]);
      expect(await found('PRINTER Jammed')).toEqual([1]);
      // Under 'all' one word may match the public part and another the internal one.
      expect(await found('login firmware', 'all')).toEqual([2]);
      expect(await found('login firmware', 'public')).toEqual([]);
      // The subject and the number are words of the document.
      expect(await found('case')).toEqual([1, 2, 3]);
      expect(await found('#2')).toEqual([2]);
      expect(await found('2')).toEqual([2]);
      expect(await found('unknown')).toEqual([]);
      // A text of no words matches every row.
      expect(await found('  ,. ')).toEqual([1, 2, 3]);
    });

    it('phrases, -word, or and prefixes', async () => {
      const { found } = await withDocs([
        ['paper jam in the tray', 'laser unit'],
        ['jam of paper', ''],
        ['toner empty', 'paper'],
        ['drum worn', 'jam reported'],
      ]);
      expect(await found('"paper jam"')).toEqual([1]);
      expect(await found('paper jam')).toEqual([1, 2]);
      expect(await found('paper -tray')).toEqual([2]);
      expect(await found('paper -laser', 'all')).toEqual([2, 3]);
      expect(await found('paper -laser', 'public')).toEqual([1, 2]);
      expect(await found('toner or drum')).toEqual([3, 4]);
      expect(await found('case toner or drum')).toEqual([3, 4]);
      expect(await found('ton*')).toEqual([3]);
      expect(await found('"drum wo"*')).toEqual([4]);
      expect(await found('"paper jam" -"the tray"')).toEqual([]);
      // Stop words count in a phrase: "jam in" is not any "jam".
      expect(await found('"jam of"')).toEqual([2]);
      expect(await found('paper -"jam in"')).toEqual([2]);
      // A phrase stands within one part: public 'paper' and internal 'jam' are not the phrase.
      expect(await found('"empty paper"', 'all')).toEqual([]);
      expect(await found('"worn jam"', 'all')).toEqual([]);
    });

    it('folds case and diacritics, and finds Russian, Hebrew and German words exactly and by prefix', async () => {
      const { found } = await withDocs([
        ['Résumé attached for the position'],
        ['Принтер не печатает документы'],
        ['המדפסת לא מדפיסה מסמכים'],
        ['Der Drucker druckt keine Größe'],
      ]);
      expect(await found('resume')).toEqual([1]);
      expect(await found('RÉSUMÉ')).toEqual([1]);
      expect(await found('résumé')).toEqual([1]);
      expect(await found('принтер')).toEqual([2]);
      expect(await found('ПРИНТЕР')).toEqual([2]);
      expect(await found('печат*')).toEqual([2]);
      expect(await found('"не печатает"')).toEqual([2]);
      expect(await found('המדפסת')).toEqual([3]);
      expect(await found('מדפ*')).toEqual([3]);
      expect(await found('מסמכים')).toEqual([3]);
      expect(await found('drucker')).toEqual([4]);
      expect(await found('druck*')).toEqual([4]);
      expect(await found('größe')).toEqual([4]);
      expect(await found('große')).toEqual([4]);
    });

    if (options.stems) {
      it('stems English words', async () => {
        const { found } = await withDocs([['two invoices were sent'], ['printing stopped']]);
        expect(await found('invoice')).toEqual([1]);
        expect(await found('invoices')).toEqual([1]);
        expect(await found('printed')).toEqual([2]);
      });
    }

    it('applies every other filter, and never crosses tenants', async () => {
      const index = await fresh();
      const a = sampleSummary(1, { tenantId: 'A', status: 'open' });
      const a2 = sampleSummary(2, { tenantId: 'A', status: 'pending', category: 'pending' });
      const b = sampleSummary(1, { tenantId: 'B' });
      const none = sampleSummary(3);
      await index.upsert(a, undefined, docOf(a, 'shared word alpha'));
      await index.upsert(a2, undefined, docOf(a2, 'shared word bravo'));
      await index.upsert(b, undefined, docOf(b, 'shared word alpha', 'tenant b note'));
      await index.upsert(none, undefined, docOf(none, 'shared'));
      const found = async (filter: TicketQuery['filter'], textScope: Scope = 'all') =>
        (await allPages(index, { filter: filter!, sort: byNumber, textScope }))
          .map((r) => `${r.tenantId ?? '-'}${r.number}`)
          .sort();
      expect(await found({ tenantId: 'A', text: 'shared' })).toEqual(['A1', 'A2']);
      expect(await found({ tenantId: 'A', text: 'alpha' })).toEqual(['A1']);
      expect(await found({ tenantId: 'B', text: 'alpha' })).toEqual(['B1']);
      expect(await found({ tenantId: 'A', text: 'note' })).toEqual([]);
      expect(await found({ tenantId: null, text: 'shared' })).toEqual(['-3']);
      expect(await found({ text: 'shared' })).toEqual(['-3', 'A1', 'A2', 'B1']);
      expect(await found({ tenantId: 'A', text: 'shared', status: 'pending' })).toEqual(['A2']);
      expect(await found({ tenantId: 'A', text: 'shared', ids: [a.id] })).toEqual(['A1']);
      expect(
        await found({ tenantId: 'A', text: 'shared', anyOf: [{ status: 'pending' }, { tags: ['vip'] }] }),
      ).toEqual(['A2']);
    });

    it('sorts by relevance, best first, and pages by cursor with no duplicate or gap', async () => {
      // Documents of one length, row k holding the word k times: a row with more is a better match.
      const docs: [string][] = Array.from({ length: 12 }, (_, i) => [
        [...Array(i + 1).fill('alpha'), ...Array(12 - i).fill('filler')].join(' '),
      ]);
      const { index, rows } = await withDocs([...docs, ['no match here']]);
      for (const textScope of ['public', 'all'] as const) {
        const seen = await allPages(index, {
          filter: { text: 'alpha' },
          sort: { field: 'relevance' },
          limit: 5,
          textScope,
        });
        const numbers = seen.map((r) => r.number);
        expect(new Set(numbers).size).toBe(numbers.length);
        expect([...numbers].sort((x, y) => x - y)).toEqual(rows.slice(0, 12).map((r) => r.number));
        expect(numbers[0]).toBe(12);
        expect(numbers[11]).toBe(1);
        for (const r of seen) expectWellFormed(r.snippet);
      }
      // Relevance without a word sorts as the default (updatedAt, newest first).
      const plain = await allPages(index, { sort: { field: 'relevance' }, limit: 4 });
      expect(plain.map((r) => r.id)).toEqual(
        [...rows]
          .sort((x, y) => (x.updatedAt < y.updatedAt ? 1 : x.updatedAt > y.updatedAt ? -1 : 0))
          .map((r) => r.id),
      );
      expect(plain.every((r) => r.snippet === undefined)).toBe(true);
    });

    it('gives every result a snippet of the allowed part, the matched words marked', async () => {
      const long = Array.from({ length: 80 }, (_, i) => `w${i}`);
      long[60] = 'needle';
      const { index, found } = await withDocs([
        ['the printer is jammed again', 'secret internal printer remark'],
        [long.join(' ')],
        ['plain', 'only internal hidden word'],
      ]);
      expect(await found('printer')).toEqual([1]);
      for (const textScope of ['public', 'all'] as const) {
        const [hit] = (await index.query({ filter: { text: 'printer' }, textScope })).items;
        expectWellFormed(hit?.snippet);
        expect(markedWords(hit!.snippet!)).toContain('printer');
        for (const w of markedWords(hit!.snippet!)) expect(w).toBe('printer');
        if (textScope === 'public') expect(hit!.snippet!.text).not.toContain('secret');
      }
      const [needle] = (await index.query({ filter: { text: 'needle' } })).items;
      expectWellFormed(needle?.snippet);
      expect(markedWords(needle!.snippet!)).toEqual(['needle']);
      expect(needle!.snippet!.text.split(/\s+/u).length).toBeLessThanOrEqual(40);
      const [prefixed] = (await index.query({ filter: { text: 'need*' } })).items;
      expect(markedWords(prefixed!.snippet!)).toEqual(['needle']);
      // Matched only through the internal part: the snippet comes from it.
      const [internal] = (await index.query({ filter: { text: 'hidden' }, textScope: 'all' })).items;
      expectWellFormed(internal?.snippet);
      expect(markedWords(internal!.snippet!)).toEqual(['hidden']);
      expect((await index.query({ filter: { text: 'hidden' } })).items).toEqual([]);
      // No text, no snippet.
      expect((await index.query({ filter: { ids: ['t0001'] } })).items[0]?.snippet).toBeUndefined();
    });

    it("keeps or drops a document by the version rule of its row, and clear() drops a tenant's documents", async () => {
      const index = await fresh();
      const row = sampleSummary(1, { version: 2 });
      await index.upsert(row, undefined, docOf(row, 'oldword'));
      await index.upsert({ ...row, version: 1 }, undefined, docOf(row, 'lateword'));
      const found = async (text: string, tenantId: string | null = null) =>
        (await allPages(index, { filter: { text, tenantId }, sort: byNumber })).map((r) => r.id);
      expect(await found('oldword')).toEqual([row.id]);
      expect(await found('lateword')).toEqual([]);
      await index.upsert(row, undefined, docOf(row, 'sameversion'));
      expect(await found('oldword')).toEqual([]);
      expect(await found('sameversion')).toEqual([row.id]);
      // Without a document a row is searched by its number, subject and requester.
      const bare = sampleSummary(5, {
        subject: 'Scanner offline',
        requester: { id: 'c', name: 'Ada Lovelace', email: 'ada@example.org' },
      });
      await index.upsert(bare);
      expect(await found('scanner')).toEqual([bare.id]);
      expect(await found('lovelace')).toEqual([bare.id]);
      expect(await found('ada@example.org')).toEqual([bare.id]);
      expect(await found('#5')).toEqual([bare.id]);
      const a = sampleSummary(2, { tenantId: 'A' });
      await index.upsert(a, undefined, docOf(a, 'tenantword'));
      await index.clear();
      expect(await found('sameversion')).toEqual([]);
      expect(await found('tenantword', 'A')).toEqual([a.id]);
      await index.clear({ tenantId: 'A' });
      expect(await found('tenantword', 'A')).toEqual([]);
      // A row upserted again after clear() is searchable again.
      await index.upsert(a, undefined, docOf(a, 'tenantword'));
      expect(await found('tenantword', 'A')).toEqual([a.id]);
    });

    it('counts what a query would return over all its pages, when it has count', async () => {
      const { index } = await withDocs([
        ['alpha bravo', 'charlie'],
        ['alpha', ''],
        ['bravo', 'alpha'],
      ]);
      if (!index.count) return;
      for (const [filter, textScope] of [
        [{ text: 'alpha' }, 'public'],
        [{ text: 'alpha' }, 'all'],
        [{ text: 'alpha -bravo' }, 'all'],
        [{ text: 'charlie' }, 'public'],
        [{ text: 'alpha', status: 'pending' }, 'all'],
        [{}, 'public'],
      ] as [TicketQuery['filter'], Scope][]) {
        const rows = await allPages(index, { filter: filter!, textScope, limit: 1 });
        expect({ filter, textScope, n: await index.count({ filter: filter!, textScope }) }).toEqual({
          filter,
          textScope,
          n: rows.length,
        });
      }
    });

    it('never fails on a hostile query: it matches or is a ValidationError', async () => {
      const { index } = await withDocs([['alpha "quoted" (paren) a:b star* NEAR/2 x^y', 'beta']]);
      const hostile = [
        '"',
        '""',
        '"" *',
        '*',
        '**',
        '-',
        '- -',
        'alpha -',
        'NEAR(alpha beta)',
        'alpha NEAR beta',
        'alpha AND OR NOT beta',
        '{public internal}: alpha',
        'public:alpha',
        '^alpha',
        "alpha'",
        "'",
        '\\',
        'a & b | !c',
        '<->',
        ':*',
        'alpha:*',
        '()',
        '(alpha',
        '"alpha',
        'alpha"',
        '-"alpha"',
        'or',
        'or or or',
        'alpha or',
        'or alpha',
        '\u0301',
        'ـ',
        '🙂',
        'x\u0000y',
        '\u0000',
        'x\uE000y\uE001',
        '\ud800',
        '#',
        '#-1',
        '1e309',
        'Ǆ',
      ];
      const attempt = async (text: string, textScope: Scope) => {
        try {
          await index.query({ filter: { text }, textScope, sort: { field: 'relevance' } });
          await index.count?.({ filter: { text }, textScope });
        } catch (error) {
          expect({ text, error: error instanceof ValidationError }).toEqual({ text, error: true });
        }
      };
      for (const text of hostile) for (const scope of ['public', 'all'] as const) await attempt(text, scope);
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.constantFrom<Scope>('public', 'all'),
          attempt,
        ),
        { numRuns: runs * 5 },
      );
    }, 60_000);

    it(`a public search never matches a word only the internal part holds; 'all' matches either (${runs} runs)`, async () => {
      const index = await fresh();
      const VOCAB = ['alpha', 'bravo', 'delta', 'kilo', 'lima', 'oscar', 'tango', 'zulu'];
      const words = fc.subarray(VOCAB, { maxLength: 4 });
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              pub: words,
              int: words,
              tenant: fc.constantFrom<string | undefined>(undefined, 'A'),
            }),
            { minLength: 1, maxLength: 8 },
          ),
          fc.constantFrom(...VOCAB),
          fc.option(fc.constantFrom(...VOCAB), { nil: undefined }),
          fc.constantFrom<string | null>(null, 'A'),
          async (docs, word, excluded, tenantId) => {
            await index.clear();
            await index.clear({ tenantId: 'A' });
            const rows = docs.map((d, i) => ({
              row: sampleSummary(i + 1, {
                subject: 'Case',
                ...(d.tenant === undefined ? {} : { tenantId: d.tenant }),
              }),
              ...d,
            }));
            for (const r of rows)
              await index.upsert(r.row, undefined, { public: r.pub.join(' '), internal: r.int.join(' ') });
            const text = excluded === undefined || excluded === word ? word : `${word} -${excluded}`;
            for (const textScope of ['public', 'all'] as const) {
              const got = (
                await allPages(index, { filter: { text, tenantId }, textScope, sort: byNumber })
              ).map((r) => r.number);
              const has = (r: (typeof rows)[number], w: string) =>
                r.pub.includes(w) || (textScope === 'all' && r.int.includes(w));
              const want = rows
                .filter((r) => (r.tenant ?? null) === tenantId)
                .filter((r) => has(r, word) && (text === word || !has(r, excluded!)))
                .map((r) => r.row.number);
              expect({ text, textScope, got }).toEqual({ text, textScope, got: want });
            }
          },
        ),
        { numRuns: runs },
      );
    }, 120_000);
  });
}
