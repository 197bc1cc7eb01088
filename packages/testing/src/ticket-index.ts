import type { TicketIndex, TicketQuery, TicketSummary } from '@tessera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { allPages, iso, sampleSummary } from './sample-summary';
import { type Factory, open } from './subject';
import { ticketIndexProperty } from './ticket-index-property';
import { type SearchConformanceOptions, ticketIndexSearchConformance } from './ticket-index-search';

const ids = (rows: TicketSummary[]) => rows.map((r) => r.id);

/**
 * The TicketIndex conformance suite: filters, sorts and keyset paging as `TicketFilter` documents,
 * tenants, empty lists and U+0000, a property against core's reference (`propertyRuns` runs,
 * default 60), and the search cases (ticket-index-search.ts; `stems` for an engine that
 * stems English, `searchRuns` for its properties).
 *
 * @example
 * ticketIndexConformance(() => inMemoryTicketIndex());
 */
export function ticketIndexConformance(
  factory: Factory<TicketIndex>,
  options: {
    propertyRuns?: number;
    stems?: boolean;
    searchRuns?: number;
    /** The adapter has `upsertMany`: check that it writes what `upsert` row by row writes. */
    upsertMany?: boolean;
  } = {},
): void {
  const search: SearchConformanceOptions = {
    ...(options.stems === undefined ? {} : { stems: options.stems }),
    ...(options.searchRuns === undefined ? {} : { propertyRuns: options.searchRuns }),
  };
  ticketIndexSearchConformance(factory, search);
  describe('TicketIndex conformance', () => {
    ticketIndexProperty(factory, options.propertyRuns ?? 60);
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    const seeded = async (count = 40) => {
      const opened = await open(factory);
      close = opened.close;
      const rows = Array.from({ length: count }, (_, i) => sampleSummary(i + 1));
      for (const row of rows) await opened.subject.upsert(row);
      return { index: opened.subject, rows };
    };

    if (options.upsertMany) {
      it('upsertMany writes what upsert writes row by row: versions, tenants, checkpoints, words', async () => {
        // The same calls, in the same order, each way: later versions, a late lower one, an equal
        // one, tenants and positions (one going back), documents and a row without one.
        const calls: Parameters<TicketIndex['upsert']>[] = [];
        for (let i = 1; i <= 30; i++) {
          const tenantId = i % 3 === 0 ? 'A' : i % 3 === 1 ? undefined : 'B';
          const row = sampleSummary(i, tenantId === undefined ? {} : { tenantId });
          calls.push([
            row,
            String(i).padStart(16, '0'),
            { public: `#${i} public${i}`, internal: `secret${i}` },
          ]);
          if (i % 4 === 0) calls.push([{ ...row, subject: `v3 ${i}`, version: 3 }, undefined, undefined]);
          if (i % 4 === 0)
            calls.push([{ ...row, subject: `late ${i}`, version: 2 }, '0000000000000001', undefined]);
          if (i % 5 === 0)
            calls.push([{ ...row, subject: `again ${i}` }, undefined, { public: `again${i}`, internal: '' }]);
        }
        const one = await open(factory);
        const many = await open(factory);
        close = async () => {
          await one.close();
          await many.close();
        };
        for (const call of calls) await one.subject.upsert(...call);
        expect(typeof many.subject.upsertMany).toBe('function');
        await many.subject.upsertMany!(
          calls.map(([summary, position, search]) => ({
            summary,
            ...(position === undefined ? {} : { position }),
            ...(search === undefined ? {} : { search }),
          })),
        );
        for (const tenantId of [null, 'A', 'B'] as const) {
          const scope = tenantId === null ? undefined : { tenantId };
          expect(await many.subject.checkpoint(scope)).toBe(await one.subject.checkpoint(scope));
          for (const text of [undefined, 'public12', 'secret12', 'again10', 'Printer']) {
            const query: TicketQuery = {
              filter: { tenantId, ...(text === undefined ? {} : { text }) },
              sort: { field: 'number', direction: 'asc' },
              textScope: 'all',
            };
            expect(await allPages(many.subject, query)).toEqual(await allPages(one.subject, query));
          }
        }
        expect(
          (await allPages(many.subject, { filter: {}, sort: { field: 'number', direction: 'asc' } })).length,
        ).toBe(30);
      });
    }

    it('stores and returns a row unchanged; keeps the highest version', async () => {
      const { index, rows } = await seeded(3);
      expect(await index.get(rows[0]!.id)).toEqual(rows[0]);
      expect(await index.get('nope')).toBeUndefined();
      await index.upsert({ ...rows[0]!, subject: 'v3', version: 3 });
      await index.upsert({ ...rows[0]!, subject: 'v2 late', version: 2 });
      expect((await index.get(rows[0]!.id))?.subject).toBe('v3');
      await index.upsert({ ...rows[0]!, subject: 'v3 again', version: 3 });
      expect((await index.get(rows[0]!.id))?.subject).toBe('v3 again');
    });

    it('filters by every key, as documented', async () => {
      const { index, rows } = await seeded();
      const expectFilter = async (
        filter: TicketQuery['filter'],
        predicate: (r: TicketSummary) => boolean,
      ) => {
        const got = await allPages(index, { filter: filter!, sort: { field: 'number', direction: 'asc' } });
        expect(ids(got)).toEqual(ids(rows.filter(predicate)));
      };
      await expectFilter({ ids: ['t0001', 't0003'] }, (r) => ['t0001', 't0003'].includes(r.id));
      await expectFilter({ numbers: [2, 4] }, (r) => [2, 4].includes(r.number));
      await expectFilter({ status: 'pending' }, (r) => r.status === 'pending');
      await expectFilter({ category: ['open'] }, (r) => r.category === 'open');
      await expectFilter({ type: null }, (r) => r.type === undefined);
      await expectFilter({ type: 'incident' }, (r) => r.type === 'incident');
      await expectFilter({ team: 'support' }, (r) => r.team === 'support');
      await expectFilter({ team: null }, (r) => r.team === undefined);
      await expectFilter({ team: ['sales', null] }, (r) => r.team === 'sales' || r.team === undefined);
      await expectFilter({ assignee: null }, (r) => r.assignee === undefined);
      await expectFilter({ assignee: ['a1'] }, (r) => r.assignee === 'a1');
      await expectFilter(
        { priority: ['high', 'urgent'] },
        (r) => r.priority === 'high' || r.priority === 'urgent',
      );
      await expectFilter({ channel: 'email' }, (r) => r.channel === 'email');
      await expectFilter(
        { tags: ['vip', 'billing'] },
        (r) => r.tags.includes('vip') && r.tags.includes('billing'),
      );
      await expectFilter({ requesterId: ['c1', 'c2'] }, (r) => ['c1', 'c2'].includes(r.requester.id));
      await expectFilter({ organization: 'acme' }, (r) => r.organization === 'acme');
      await expectFilter({ organization: null }, (r) => r.organization === undefined);
      await expectFilter({ text: 'PRINTER' }, (r) => r.subject.toLowerCase().includes('printer'));
      await expectFilter({ awaitingAgent: true }, (r) => r.awaitingAgent);
      await expectFilter(
        { createdAfter: iso(10), createdBefore: iso(20) },
        (r) => r.createdAt > iso(10) && r.createdAt < iso(20),
      );
      await expectFilter(
        { updatedAfter: iso(900), updatedBefore: iso(990) },
        (r) => r.updatedAt > iso(900) && r.updatedAt < iso(990),
      );
      await expectFilter({ slaBreached: true }, (r) => r.sla?.breached === true);
      await expectFilter({ slaBreached: false }, (r) => r.sla?.breached !== true);
      await expectFilter({ slaAtRisk: true }, (r) => r.sla?.atRisk === true);
      await expectFilter(
        { slaDeadlineBefore: iso(2020) },
        (r) => r.sla?.nextDeadline !== undefined && r.sla.nextDeadline <= iso(2020),
      );
      await expectFilter({ dueBefore: iso(520) }, (r) => r.dueAt !== undefined && r.dueAt <= iso(520));
      await expectFilter(
        { category: 'open', anyOf: [{ requesterId: 'c1' }, { organization: 'acme' }] },
        (r) => r.category === 'open' && (r.requester.id === 'c1' || r.organization === 'acme'),
      );
    });

    it('sorts by every field both ways, missing values last, ties by id in the same direction', async () => {
      const { index, rows } = await seeded();
      const rank = { low: 0, normal: 1, high: 2, urgent: 3 } as const;
      const value = (r: TicketSummary, field: string): string | number | undefined =>
        field === 'priority'
          ? rank[r.priority]
          : field === 'slaNextDeadline'
            ? r.sla?.nextDeadline
            : (r as unknown as Record<string, string | number | undefined>)[field];
      for (const field of [
        'number',
        'createdAt',
        'updatedAt',
        'priority',
        'lastCustomerMessageAt',
        'slaNextDeadline',
        'dueAt',
      ] as const) {
        for (const direction of ['asc', 'desc'] as const) {
          const expected = [...rows].sort((a, b) => {
            const va = value(a, field);
            const vb = value(b, field);
            if (va !== vb) {
              if (va === undefined) return 1;
              if (vb === undefined) return -1;
              return (va < vb ? -1 : 1) * (direction === 'asc' ? 1 : -1);
            }
            return (a.id < b.id ? -1 : 1) * (direction === 'asc' ? 1 : -1);
          });
          const got = await allPages(index, { sort: { field, direction }, limit: 7 });
          expect({ field, direction, ids: ids(got) }).toEqual({ field, direction, ids: ids(expected) });
        }
      }
      const byDefault = await index.query({ limit: 3 });
      expect(ids(byDefault.items)).toEqual(
        ids([...rows].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1)).slice(0, 3)),
      );
    });

    it('pages by cursor with no duplicates or skips while rows change', async () => {
      const { index, rows } = await seeded();
      const seen: string[] = [];
      let cursor: string | undefined;
      let round = 0;
      for (;;) {
        const page = await index.query({
          sort: { field: 'number', direction: 'asc' },
          limit: 5,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...ids(page.items));
        // Between pages: other rows change (status, tags) and new rows arrive.
        round++;
        await index.upsert({
          ...rows[(round * 3) % rows.length]!,
          status: 'pending',
          category: 'pending',
          tags: ['moved'],
          version: 1 + round,
        });
        await index.upsert(sampleSummary(1000 + round));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const original = ids(rows);
      expect(seen.filter((id) => original.includes(id))).toEqual(original);
      expect(new Set(seen).size).toBe(seen.length);
      expect((await index.query({ limit: 1000 })).items.length).toBeLessThanOrEqual(500);
    });

    it('keeps each tenant apart: same id, rows, versions, tags, checkpoints and clear', async () => {
      const opened = await open(factory);
      close = opened.close;
      const index = opened.subject;
      const none = sampleSummary(1, { subject: 'no tenant', tags: ['n'] });
      const a = sampleSummary(1, { tenantId: 'A', subject: 'tenant A', tags: ['a'], version: 5 });
      const b = sampleSummary(1, { tenantId: 'B', subject: 'tenant B', tags: ['b'] });
      await index.upsert(none, '0000000000000001');
      await index.upsert(a, '0000000000000002');
      await index.upsert(b, '0000000000000003');
      // The same ticket id in three tenants is three rows, each read only with its own scope.
      expect(await index.get(none.id)).toEqual(none);
      expect(await index.get(a.id, { tenantId: 'A' })).toEqual(a);
      expect(await index.get(b.id, { tenantId: 'B' })).toEqual(b);
      expect(await index.get(a.id, { tenantId: 'C' })).toBeUndefined();
      const subjects = async (filter: TicketQuery['filter']) =>
        (
          await allPages(index, {
            ...(filter === undefined ? {} : { filter }),
            sort: { field: 'number', direction: 'asc' },
          })
        )
          .map((r) => r.subject)
          .sort();
      expect(await subjects({ tenantId: 'A' })).toEqual(['tenant A']);
      expect(await subjects({ tenantId: null })).toEqual(['no tenant']);
      expect(await subjects(undefined)).toEqual(['no tenant', 'tenant A', 'tenant B']);
      expect(await subjects({ tenantId: 'B', tags: ['a'] })).toEqual([]);
      expect(await subjects({ tenantId: 'A', tags: ['a'] })).toEqual(['tenant A']);
      expect(await subjects({ tenantId: null, ids: [a.id] })).toEqual(['no tenant']);
      // Versions are per row: B's version 1 neither loses to A's version 5 nor overwrites it.
      await index.upsert({ ...b, subject: 'tenant B v2', version: 2 });
      expect((await index.get(a.id, { tenantId: 'A' }))?.subject).toBe('tenant A');
      expect((await index.get(b.id, { tenantId: 'B' }))?.subject).toBe('tenant B v2');
      // Each tenant has its own checkpoint, advanced by its own upserts only.
      expect(await index.checkpoint()).toBe('0000000000000001');
      expect(await index.checkpoint({ tenantId: 'A' })).toBe('0000000000000002');
      expect(await index.checkpoint({ tenantId: 'B' })).toBe('0000000000000003');
      await index.setCheckpoint('0000000000000009', { tenantId: 'A' });
      expect(await index.checkpoint({ tenantId: 'A' })).toBe('0000000000000009');
      expect(await index.checkpoint({ tenantId: 'C' })).toBeUndefined();
      // clear(A) removes A's rows and checkpoint only; clear() the no-tenant ones only.
      await index.clear({ tenantId: 'A' });
      expect(await index.get(a.id, { tenantId: 'A' })).toBeUndefined();
      expect(await index.checkpoint({ tenantId: 'A' })).toBeUndefined();
      expect(await subjects(undefined)).toEqual(['no tenant', 'tenant B v2']);
      expect(await index.checkpoint()).toBe('0000000000000001');
      expect(await index.checkpoint({ tenantId: 'B' })).toBe('0000000000000003');
      await index.clear();
      expect(await subjects(undefined)).toEqual(['tenant B v2']);
      expect(await index.checkpoint()).toBeUndefined();
      expect(await index.checkpoint({ tenantId: 'B' })).toBe('0000000000000003');
      expect(await subjects({ tenantId: 'B', tags: ['b'] })).toEqual(['tenant B v2']);
    });

    it('an empty "one of" list matches nothing; an empty tags list matches every row', async () => {
      const { index, rows } = await seeded(6);
      for (const filter of [
        { ids: [] },
        { numbers: [] },
        { status: [] },
        { category: [] },
        { type: [] },
        { team: [] },
        { assignee: [] },
        { priority: [] },
        { channel: [] },
        { requesterId: [] },
        { organization: [] },
        { anyOf: [] },
        { team: [], category: 'open' as const },
        { anyOf: [{ team: [] }] },
      ] satisfies TicketQuery['filter'][]) {
        expect({ filter, ids: ids((await index.query({ filter })).items) }).toEqual({ filter, ids: [] });
      }
      expect(
        ids(await allPages(index, { filter: { tags: [] }, sort: { field: 'number', direction: 'asc' } })),
      ).toEqual(ids(rows));
    });

    it('treats U+0000 (and a lone surrogate) in any string as an ordinary character, never failing', async () => {
      const opened = await open(factory);
      close = opened.close;
      const index = opened.subject;
      const nul = sampleSummary(1, {
        id: 'a\u0000b',
        tenantId: 't\u0000',
        subject: 'Hello\u0000World',
        status: 'st\u0000',
        team: 'te\u0000am',
        tags: ['ta\u0000g'],
        requester: { id: 'c\u0000' },
      });
      const plain = sampleSummary(2, { id: 'ab', tenantId: 't\u0000', subject: 'HelloWorld' });
      const other = sampleSummary(3, { id: 'a\u0000b', tenantId: 't' });
      for (const row of [nul, plain, other]) await index.upsert(row, '0000000000000007');
      const scope = { tenantId: 't\u0000' };
      expect(await index.get('a\u0000b', scope)).toEqual(nul);
      expect(await index.get('ab', scope)).toEqual(plain);
      expect(await index.get('a\u0000b', { tenantId: 't' })).toEqual(other);
      expect(await index.checkpoint(scope)).toBe('0000000000000007');
      const found = async (filter: TicketQuery['filter']) =>
        ids(
          await allPages(index, {
            filter: { tenantId: 't\u0000', ...filter },
            sort: { field: 'number', direction: 'asc' },
          }),
        );
      expect(await found({})).toEqual(['a\u0000b', 'ab']);
      expect(await found({ ids: ['a\u0000b'] })).toEqual(['a\u0000b']);
      expect(await found({ ids: ['a\u0000b', 'x\u0000'] })).toEqual(['a\u0000b']);
      expect(await found({ status: 'st\u0000' })).toEqual(['a\u0000b']);
      expect(await found({ status: 'st' })).toEqual([]);
      expect(await found({ team: ['te\u0000am', null] })).toEqual(['a\u0000b']);
      expect(await found({ tags: ['ta\u0000g'] })).toEqual(['a\u0000b']);
      expect(await found({ tags: ['tag'] })).toEqual([]);
      expect(await found({ requesterId: 'c\u0000' })).toEqual(['a\u0000b']);
      // Text search is by words, and U+0000 separates words as a space does.
      expect(await found({ text: 'world' })).toEqual(['a\u0000b']);
      expect(await found({ text: 'hello\u0000world' })).toEqual(['a\u0000b']);
      expect(await found({ text: '\u0000' })).toEqual(['a\u0000b', 'ab']);
      expect(await found({ text: 'helloworld' })).toEqual(['ab']);
      expect(await found({ text: 'hello*' })).toEqual(['a\u0000b', 'ab']);
      expect(await found({ text: 'nothing\u0000' })).toEqual([]);
      expect(ids(await allPages(index, { filter: { text: 'hello\u0000world' } }))).toEqual(['a\u0000b']);
      // Paging past a row whose id holds U+0000.
      const first = await index.query({
        filter: scope,
        sort: { field: 'number', direction: 'asc' },
        limit: 1,
      });
      expect(ids(first.items)).toEqual(['a\u0000b']);
      const second = await index.query({
        filter: scope,
        sort: { field: 'number', direction: 'asc' },
        cursor: first.nextCursor!,
      });
      expect(ids(second.items)).toEqual(['ab']);
      // Lone UTF-16 surrogates are ordinary characters too: two ids, two rows.
      await index.upsert(sampleSummary(4, { id: 'x\ud800', tenantId: 't\u0000', tags: ['\udc00'] }));
      await index.upsert(sampleSummary(5, { id: 'x\udc00', tenantId: 't\u0000' }));
      expect((await index.get('x\ud800', scope))?.number).toBe(4);
      expect((await index.get('x\udc00', scope))?.number).toBe(5);
      expect(await found({ ids: ['x\ud800'] })).toEqual(['x\ud800']);
      expect(await found({ tags: ['\udc00'] })).toEqual(['x\ud800']);
      const lone: string[] = [];
      let next: string | undefined;
      do {
        const page = await index.query({
          filter: { tenantId: 't\u0000', ids: ['x\ud800', 'x\udc00'] },
          sort: { field: 'number', direction: 'asc' },
          limit: 1,
          ...(next === undefined ? {} : { cursor: next }),
        });
        lone.push(...ids(page.items));
        next = page.nextCursor;
      } while (next !== undefined && lone.length < 5);
      expect(lone).toEqual(['x\ud800', 'x\udc00']);
      await index.clear(scope);
      expect(await index.get('a\u0000b', { tenantId: 't' })).toEqual(other);
      expect(await found({})).toEqual([]);
    });

    it('keeps a checkpoint, and clear() empties it', async () => {
      const { index, rows } = await seeded(2);
      await index.setCheckpoint('0000000000000042');
      expect(await index.checkpoint()).toBe('0000000000000042');
      await index.clear();
      expect(await index.checkpoint()).toBeUndefined();
      expect(await index.get(rows[0]!.id)).toBeUndefined();
      expect((await index.query({})).items).toEqual([]);
    });
  });
}
