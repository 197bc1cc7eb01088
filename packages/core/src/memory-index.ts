import { ValidationError } from './errors';
import { type MemorySearch, memorySearch } from './memory-search';
import type { Page, SortField, TenantScope, TicketIndex, TicketQuery, TicketSummary } from './ports';
import { foldQuery, summaryDocument } from './search-match';
import { parseSearch, type SearchQuery } from './search-query';
import {
  compareSummaries,
  decodeCursor,
  encodeCursor,
  matchesTicketFilter,
  queryLimit,
  querySort,
  sortValue,
} from './summary';

/** The key of a tenant's part of a port: `undefined` is the no-tenant part, never "every tenant". */
const tenantOf = (scope: TenantScope | undefined): string | undefined => scope?.tenantId;

interface TenantRows {
  rows: Map<string, TicketSummary>;
  search: MemorySearch;
}

interface Keyed {
  s: TicketSummary;
  key: { value: string | number | undefined; id: string };
  tenant: TenantRows;
}

/**
 * A TicketIndex in memory: filters, sorts and pages by keyset cursor like the SQL adapters, and
 * searches `filter.text` with minisearch (words folded by `foldText`, prefixes, no stemming).
 * Rows, search documents and checkpoints are kept per tenant, so one tenant's ids, words, rebuilds
 * and checkpoints never touch another's.
 *
 * @example
 * const index = inMemoryTicketIndex();
 * await index.upsert(summary, undefined, { public: '#1 Printer on fire', internal: 'check the warranty' });
 * const page = await index.query({ filter: { tenantId: null, text: 'printer' }, sort: { field: 'relevance' } });
 * page.items[0]?.snippet; // → { text: '#1 Printer on fire', marks: [[3, 10]] }
 */
export function inMemoryTicketIndex(): TicketIndex {
  const tenants = new Map<string | undefined, TenantRows>();
  const checkpoints = new Map<string | undefined, string>();
  const tenantRows = (tenantId: string | undefined) => {
    let t = tenants.get(tenantId);
    if (t === undefined) {
      t = { rows: new Map(), search: memorySearch() };
      tenants.set(tenantId, t);
    }
    return t;
  };

  /** Every row of the query's tenant (or of all tenants) that matches, with its sort key. */
  function matching(q: TicketQuery) {
    const textScope = q.textScope ?? 'public';
    const { text, ...rest } = q.filter ?? {};
    const parsed: SearchQuery | undefined = text === undefined ? undefined : foldQuery(parseSearch(text));
    // A text of no words matches every row; the filter check below still reads it (and any `text`
    // inside `anyOf`) against the row's document.
    const search = parsed !== undefined && parsed.all.length > 0 ? parsed : undefined;
    const filter = search === undefined ? (q.filter ?? {}) : rest;
    let { field, direction }: { field: SortField; direction: 'asc' | 'desc' } = querySort(q);
    // Relevance without words to rank by sorts as the default.
    if (field === 'relevance' && search === undefined) ({ field, direction } = querySort({}));
    const wanted = q.filter?.tenantId;
    const scanned: TenantRows[] = [];
    if (wanted === undefined) scanned.push(...tenants.values());
    else {
      const one = tenants.get(wanted ?? undefined);
      if (one) scanned.push(one);
    }
    const keyed: Keyed[] = [];
    for (const tenant of scanned) {
      const scores = search === undefined ? undefined : tenant.search.search(search, textScope);
      const rows = scores ? [...scores.keys()].map((id) => tenant.rows.get(id)!) : tenant.rows.values();
      for (const s of rows) {
        const document = tenant.search.document(s.id);
        if (!matchesTicketFilter(s, filter, { textScope, ...(document ? { document } : {}) })) continue;
        const value = field === 'relevance' ? scores?.get(s.id) : sortValue(s, field);
        keyed.push({ s, key: { value, id: s.id }, tenant });
      }
    }
    return { keyed, direction, search, textScope };
  }

  return {
    async upsert(summary, pos, search) {
      const tenant = tenantRows(summary.tenantId);
      const existing = tenant.rows.get(summary.id);
      // Monotonic by version: a slower writer never puts an older row (or its words) over a newer one.
      if (existing === undefined || summary.version >= existing.version) {
        let row = summary;
        if (row.snippet !== undefined) {
          const { snippet: _snippet, ...rest } = row;
          row = rest;
        }
        // A frozen row cannot change under us; anything else is copied.
        tenant.rows.set(summary.id, Object.isFrozen(row) ? row : structuredClone(row));
        tenant.search.put(summary.id, search ?? summaryDocument(summary));
      }
      const current = checkpoints.get(summary.tenantId);
      if (pos !== undefined && (current === undefined || pos > current))
        checkpoints.set(summary.tenantId, pos);
    },
    async get(id, scope) {
      const row = tenants.get(tenantOf(scope))?.rows.get(id);
      return row === undefined ? undefined : structuredClone(row);
    },
    async query(q: TicketQuery): Promise<Page<TicketSummary>> {
      const limit = queryLimit(q);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && after === undefined) {
        throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from a previous page' }]);
      }
      const { keyed, direction, search, textScope } = matching(q);
      const sorted = keyed
        .filter((r) => after === undefined || compareSummaries(r.key, after, direction) > 0)
        .sort((a, b) => compareSummaries(a.key, b.key, direction));
      const page = sorted.slice(0, limit);
      const last = page[page.length - 1];
      const items = page.map((r) => {
        const item = structuredClone(r.s) as TicketSummary;
        const snippet = search && r.tenant.search.snippet(r.s.id, search, textScope);
        if (snippet) item.snippet = snippet;
        return item;
      });
      const result: Page<TicketSummary> = { items };
      if (sorted.length > limit && last) result.nextCursor = encodeCursor(last.key.value, last.key.id);
      return result;
    },
    async count(q) {
      return matching(q).keyed.length;
    },
    async checkpoint(scope) {
      return checkpoints.get(tenantOf(scope));
    },
    async setCheckpoint(pos, scope) {
      checkpoints.set(tenantOf(scope), pos);
    },
    async clear(scope) {
      tenants.delete(tenantOf(scope));
      checkpoints.delete(tenantOf(scope));
    },
  };
}
