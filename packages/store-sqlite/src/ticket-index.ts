import type { IndexRow, TenantScope, TicketIndex, TicketSummary } from '@tessera/core';
import {
  fallbackDocument,
  fts5Match,
  indexedText,
  MARK_END,
  MARK_START,
  markedSnippet,
  type SearchSnippet,
  type SearchText,
  sqliteDialect,
  tenantKey as sqlTenantKey,
  type TicketQuerySql,
  ticketCountSql,
  ticketPage,
  ticketQuerySql,
  ticketRow,
  upsertTicketSql,
} from '@tessera/store-sql';
import type Database from 'better-sqlite3';
import type { Wrap } from './wrap';
import { textOf } from './wtf8';

/**
 * The key column of a tenant's rows: `''` for no tenant, `t:<id>` for a tenant. A NULL cannot be
 * part of a primary key, and a bare tenant id could be `''`; the prefix keeps the two apart.
 *
 * @example
 * tenantKey('acme'); // 't:acme'
 */
export const tenantKey = (tenantId: string | undefined | null): string =>
  sqlTenantKey(sqliteDialect, tenantId);
/** The key column of a port call's scope (no scope: no tenant). */
export const scopeKey = (scope: TenantScope | undefined): string => tenantKey(scope?.tenantId);

/**
 * The ticket index on SQLite tables: rows keyed by (tenant, id), filters and sorts in SQL (the
 * query builder and row of `@tessera/store-sql`, in its SQLite dialect), text searched with FTS5:
 * each row's search document is written to `ticket_search` (and by its triggers to `ticket_fts`)
 * in the transaction of the row, and only when the row itself is written.
 *
 * @example
 * const index = sqliteTicketIndex(db, wrap);
 */
export function sqliteTicketIndex(db: Database.Database, wrap: Wrap): TicketIndex {
  const upsertTicket = db.prepare(upsertTicketSql(sqliteDialect, 'tickets'));
  const deleteTags = db.prepare('DELETE FROM ticket_tags WHERE tenant_key = ? AND ticket_id = ?');
  const insertTag = db.prepare(
    'INSERT OR IGNORE INTO ticket_tags (tag, tenant_key, ticket_id) VALUES (?, ?, ?)',
  );
  const getTicket = db.prepare<[string, string], { body: string }>(
    'SELECT body FROM tickets WHERE tenant_key = ? AND id = ?',
  );
  const getCheckpoint = db.prepare<[string], { position: Buffer | null }>(
    'SELECT CAST(position AS BLOB) AS position FROM checkpoint WHERE tenant_key = ?',
  );
  const setCheckpoint = db.prepare(
    'INSERT INTO checkpoint (tenant_key, position) VALUES (?, ?) ON CONFLICT (tenant_key) DO UPDATE SET position = excluded.position',
  );
  const advanceCheckpoint = db.prepare(
    'INSERT INTO checkpoint (tenant_key, position) VALUES (?, ?) ON CONFLICT (tenant_key) DO UPDATE SET position = excluded.position WHERE checkpoint.position IS NULL OR excluded.position > checkpoint.position',
  );
  const upsertSearch = db.prepare(
    `INSERT INTO ticket_search (tenant_key, ticket_id, public, internal) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant_key, ticket_id) DO UPDATE SET public = excluded.public, internal = excluded.internal
     WHERE public IS NOT excluded.public OR internal IS NOT excluded.internal`,
  );
  const clearSearch = db.prepare('DELETE FROM ticket_search WHERE tenant_key = ?');
  const clearTickets = db.prepare('DELETE FROM tickets WHERE tenant_key = ?');
  const clearTags = db.prepare('DELETE FROM ticket_tags WHERE tenant_key = ?');
  const clearCheckpoint = db.prepare('DELETE FROM checkpoint WHERE tenant_key = ?');

  const upsertRow = (s: TicketSummary, position: string | undefined, search: SearchText | undefined) => {
    const key = tenantKey(s.tenantId);
    const changed = upsertTicket.run(...ticketRow(s, sqliteDialect)).changes > 0;
    if (changed) {
      deleteTags.run(key, s.id);
      for (const tag of new Set(s.tags)) insertTag.run(tag, key, s.id);
      const doc = search ?? fallbackDocument(s);
      upsertSearch.run(key, s.id, indexedText(doc.public), indexedText(doc.internal));
    }
    if (position !== undefined) advanceCheckpoint.run(key, position);
  };
  const upsertTx = db.transaction(upsertRow);
  // Many rows in one transaction: FTS5 then writes its index once per batch, not once per row.
  const upsertManyTx = db.transaction((rows: readonly IndexRow[]) => {
    for (const row of rows) upsertRow(row.summary, row.position, row.search);
  });
  const clearTx = db.transaction((key: string) => {
    clearSearch.run(key);
    clearTickets.run(key);
    clearTags.run(key);
    clearCheckpoint.run(key);
  });

  // Preparing is about half the cost of a one-row indexed query (≈ 7 of 15 µs, measured on 2,000
  // tickets), and a desk's queues repeat a few query texts. Filters and cursors make the text
  // vary, so statements are kept per text in a bounded map, the least recently used dropped first.
  const queryStatements = new Map<string, Database.Statement>();
  const preparedQuery = (sql: string): Database.Statement => {
    let statement = queryStatements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (queryStatements.size >= QUERY_STATEMENT_LIMIT)
        queryStatements.delete(queryStatements.keys().next().value as string);
    } else queryStatements.delete(sql);
    queryStatements.set(sql, statement);
    return statement;
  };

  // The page and its snippets read in one transaction, so both see the same rows.
  const readPage = db.transaction((plan: TicketQuerySql) => {
    const rows = preparedQuery(plan.sql).all(...plan.params) as { body: string; search_rank?: number }[];
    const page = ticketPage(
      rows.map((r) => r.body),
      plan,
      rows.map((r) => r.search_rank ?? 0),
    );
    if (plan.search === undefined || page.items.length === 0) return page;
    // FTS5 marks what it matched (stems and prefixes too) between the sentinels, which a
    // document never holds; only the page's rows are snippeted.
    // One FTS5 lookup by rowid per row: MATCH with a rowid list would walk every match.
    const snippetOf = preparedQuery(
      `SELECT snippet(ticket_fts, ${plan.scope === 'public' ? 0 : -1}, '${MARK_START}', '${MARK_END}', '…', 20) AS marked
       FROM ticket_fts WHERE ticket_fts MATCH ?
         AND rowid = (SELECT rowid FROM ticket_search WHERE tenant_key = ? AND ticket_id = ?)`,
    );
    const match = fts5Match(plan.search, plan.scope);
    const byKey = new Map<string, SearchSnippet>();
    for (const item of page.items) {
      const found = snippetOf.get(match, tenantKey(item.tenantId), item.id) as { marked: string } | undefined;
      if (found) byKey.set(JSON.stringify([tenantKey(item.tenantId), item.id]), markedSnippet(found.marked));
    }
    return {
      ...page,
      items: page.items.map((item) => {
        const snippet = byKey.get(JSON.stringify([tenantKey(item.tenantId), item.id]));
        return snippet ? { ...item, snippet } : item;
      }),
    };
  });

  return {
    async upsert(summary, position, search) {
      wrap('index upsert', () => upsertTx.immediate(summary, position, search));
    },
    async upsertMany(rows) {
      wrap('index upsert', () => upsertManyTx.immediate(rows));
    },
    async get(id, scope) {
      return wrap('index get', () => {
        const found = getTicket.get(scopeKey(scope), id);
        return found ? (JSON.parse(found.body) as TicketSummary) : undefined;
      });
    },
    async query(q) {
      const plan = ticketQuerySql(q, sqliteDialect, 'tickets');
      return wrap('index query', () => readPage(plan));
    },
    async count(q) {
      const { sql, params } = ticketCountSql(q, sqliteDialect, 'tickets');
      return wrap('index count', () => (preparedQuery(sql).get(...params) as { n: number }).n);
    },
    async checkpoint(scope) {
      return wrap('checkpoint', () => {
        const found = getCheckpoint.get(scopeKey(scope))?.position;
        return found === undefined || found === null ? undefined : textOf(found);
      });
    },
    async setCheckpoint(position, scope) {
      wrap('checkpoint', () => setCheckpoint.run(scopeKey(scope), position));
    },
    async clear(scope) {
      wrap('index clear', () => clearTx.immediate(scopeKey(scope)));
    },
  };
}

/** How many distinct `query` statements a store keeps prepared. */
const QUERY_STATEMENT_LIMIT = 100;
