import {
  compareSummaries,
  matchesTicketFilter,
  querySort,
  type SortField,
  sortValue,
  type TicketFilter,
  type TicketIndex,
  type TicketQuery,
  type TicketSummary,
} from '@tessera/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sampleSummary } from './sample-summary';
import { type Factory, open } from './subject';

// Few values, so that random rows and filters meet: the same ids in several tenants, strings
// with U+0000, empty lists, `null` inside lists.
const TENANTS = [undefined, 'A', 'B\u0000'] as const;
const IDS = ['t1', 't2', 'T1', 't\u00001', 't\u0001'];
const STATUSES = ['open', 'pending', 'st\u0000'];
const TEAMS = ['support', 's\u0000'];
const TAGS = ['vip', 'b\u0000', 'x'];
const SUBJECTS = ['Printer down', 'printer\u0000jam', 'Login', 'PRINT\u0001'];
const FIELDS: SortField[] = [
  'number',
  'createdAt',
  'updatedAt',
  'priority',
  'lastCustomerMessageAt',
  'slaNextDeadline',
  'dueAt',
];

const row = fc
  .record({
    n: fc.integer({ min: 1, max: 12 }),
    tenant: fc.constantFrom(...TENANTS),
    id: fc.constantFrom(...IDS),
    status: fc.constantFrom(...STATUSES),
    team: fc.option(fc.constantFrom(...TEAMS), { nil: undefined }),
    tags: fc.subarray(TAGS),
    subject: fc.constantFrom(...SUBJECTS),
    version: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ n, tenant, id, status, team, tags, subject, version }) => {
    const s = sampleSummary(n, { id, status, tags, subject, version });
    if (tenant !== undefined) s.tenantId = tenant;
    if (team === undefined) delete s.team;
    else s.team = team;
    return s;
  });

/** One or two keys per filter: with more, most random filters match nothing either way. */
const sub = (depth: number): fc.Arbitrary<TicketFilter> => {
  const one: fc.Arbitrary<TicketFilter>[] = [
    // Empty lists often: they must match nothing (an SQL builder that drops them matches all).
    fc.record({ ids: fc.oneof(fc.constant<string[]>([]), fc.subarray(IDS, { minLength: 1 })) }),
    fc.record({
      status: fc.oneof(
        fc.constantFrom(...STATUSES),
        fc.constant<string[]>([]),
        fc.subarray(STATUSES, { minLength: 1 }),
      ),
    }),
    fc.record({
      team: fc.oneof(
        fc.constant(null),
        fc.constant<string[]>([]),
        fc.subarray<string | null>([...TEAMS, null], { minLength: 1 }),
      ),
    }),
    fc.record({ tags: fc.subarray(TAGS, { maxLength: 2 }) }),
    // No `text`: what a search matches is the engine's (stemming, ranking), and the search cases
    // (ticket-index-search.ts) check it against their own expectations.
  ];
  if (depth > 0) one.push(fc.record({ anyOf: fc.array(sub(depth - 1), { maxLength: 2 }) }));
  const single = fc.oneof(...one);
  return fc.tuple(single, fc.option(single, { nil: undefined })).map(([a, b]) => ({ ...a, ...(b ?? {}) }));
};

const query = fc.record({
  tenantId: fc.constantFrom<string | null>(null, 'A', 'B\u0000', 'C'),
  filter: sub(1),
  field: fc.constantFrom(...FIELDS),
  direction: fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
  limit: fc.integer({ min: 1, max: 6 }),
});

const key = (s: TicketSummary) => JSON.stringify([s.tenantId ?? null, s.id]);

/**
 * A property every TicketIndex must hold: after random upserts (the same ids in several tenants,
 * U+0000 in ids, tenants, statuses, tags and subjects, versions out of order), every random
 * filter — empty lists, `null` in lists, nested `anyOf` — paged through with cursors in any sort
 * gives exactly the rows core's `matchesTicketFilter` and `compareSummaries` give, in that order.
 *
 * @example
 * ticketIndexProperty(() => inMemoryTicketIndex(), 60);
 */
export function ticketIndexProperty(factory: Factory<TicketIndex>, numRuns: number): void {
  it(`matches core's reference filter, order and paging on random rows and filters (${numRuns} runs)`, async () => {
    const opened = await open(factory);
    try {
      const index = opened.subject;
      await fc.assert(
        fc.asyncProperty(
          fc.array(row, { maxLength: 14 }),
          fc.array(query, { minLength: 1, maxLength: 4 }),
          async (rows, queries) => {
            for (const tenantId of [...TENANTS, 'C'])
              await index.clear(tenantId === undefined ? {} : { tenantId });
            const kept = new Map<string, TicketSummary>();
            for (const s of rows) {
              await index.upsert(s);
              const old = kept.get(key(s));
              if (old === undefined || s.version >= old.version) kept.set(key(s), s);
            }
            for (const q of queries) {
              const filter: TicketFilter = { ...q.filter, tenantId: q.tenantId };
              const tq: TicketQuery = {
                filter,
                sort: { field: q.field, direction: q.direction },
                limit: q.limit,
              };
              const { field, direction } = querySort(tq);
              const want = [...kept.values()]
                .filter((s) => matchesTicketFilter(s, filter))
                .sort((a, b) =>
                  compareSummaries(
                    { value: sortValue(a, field), id: a.id },
                    { value: sortValue(b, field), id: b.id },
                    direction,
                  ),
                )
                .map(key);
              const got: string[] = [];
              let cursor: string | undefined;
              for (let page = 0; page < 100; page++) {
                const result = await index.query({ ...tq, ...(cursor === undefined ? {} : { cursor }) });
                got.push(...result.items.map(key));
                if (result.nextCursor === undefined) break;
                cursor = result.nextCursor;
              }
              expect({ query: tq, rows: got }).toEqual({ query: tq, rows: want });
            }
          },
        ),
        { numRuns },
      );
    } finally {
      await opened.close();
    }
  }, 120_000);
}
