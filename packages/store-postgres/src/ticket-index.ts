import {
  AdapterError,
  type Page,
  type SearchDocument,
  type TenantScope,
  type TicketIndex,
  type TicketSummary,
} from '@tessera/core';
import {
  fallbackDocument,
  fromSqlText,
  postgresDialect,
  type SearchSnippet,
  tenantKey as sqlTenantKey,
  type TicketQuerySql,
  textSnippet,
  ticketColumns,
  ticketCountSql,
  ticketPage,
  ticketQuerySql,
  ticketRow,
  toSqlText,
  upsertTicketSql,
} from '@tessera/store-sql';
import type pg from 'pg';
import type { Database } from './database';
import { searchValues, tsvectorSql } from './ticket-search';

/**
 * The key column of a tenant's rows: `''` for no tenant, `t:<id>` for a tenant (in SQL text form).
 * A NULL cannot be part of a primary key, and a bare tenant id could be `''`; the prefix keeps the
 * two apart.
 *
 * @example
 * tenantKey('acme'); // 't:acme'
 */
export const tenantKey = (tenantId: string | undefined | null): string =>
  sqlTenantKey(postgresDialect, tenantId);
/** The key column of a port call's scope (no scope: no tenant). */
export const scopeKey = (scope: TenantScope | undefined): string => tenantKey(scope?.tenantId);

/** The parameters of the upsert statement: the row's values, the checkpoint position, the document's. */
const upsertValues = (
  summary: TicketSummary,
  pos: string | undefined,
  search: SearchDocument | undefined,
) => [
  ...ticketRow(summary, postgresDialect),
  pos === undefined ? null : toSqlText(pos),
  ...searchValues(search ?? fallbackDocument(summary)),
];

/** The parameters after a row's values: the checkpoint position, then the document's values. */
const COLUMNS = ticketColumns(postgresDialect).length;
const POSITION = `$${COLUMNS + 1}`;
const DOC = [2, 3, 4, 5].map((i) => `$${COLUMNS + i}`);

/**
 * The ticket index in PostgreSQL tables: rows keyed by (tenant, id), filters and sorts in SQL (the
 * query builder and row of `@tessera/store-sql`, in its PostgreSQL dialect).
 *
 * @example
 * const index = postgresTicketIndex(db);
 */
export function postgresTicketIndex({ s, q, pool, ready }: Database): TicketIndex {
  // The row, its document and its checkpoint in one statement, so a crash cannot leave one
  // without the others; the document is written only when the row is (`up` returns it then).
  const upsert = `WITH up AS (${upsertTicketSql(postgresDialect, `${s}.tickets`)} RETURNING 1),
    doc AS (
      INSERT INTO ${s}.ticket_search (doc_tenant, doc_id, doc_public, doc_internal, tsv_public, tsv_internal)
      SELECT $1, $2, ${DOC[0]}::text, ${DOC[1]}::text, ${tsvectorSql(DOC[2]!)}, ${tsvectorSql(DOC[3]!)} FROM up
      ON CONFLICT (doc_tenant, doc_id) DO UPDATE SET doc_public = excluded.doc_public,
        doc_internal = excluded.doc_internal, tsv_public = excluded.tsv_public, tsv_internal = excluded.tsv_internal)
    INSERT INTO ${s}.checkpoint (tenant_key, position) SELECT $1, ${POSITION} WHERE ${POSITION}::text IS NOT NULL
    ON CONFLICT (tenant_key) DO UPDATE SET position = excluded.position
    WHERE ${s}.checkpoint.position IS NULL OR excluded.position > ${s}.checkpoint.position`;
  /**
   * The page's snippets, cut from the documents' text in the part the scope allows (the public
   * one first) by `textSnippet`: `ts_headline` would mark the words of the folded text only.
   */
  async function withSnippets(page: Page<TicketSummary>, plan: TicketQuerySql): Promise<Page<TicketSummary>> {
    const { rows } = await q<{
      doc_tenant: string;
      doc_id: string;
      doc_public: string;
      doc_internal: string;
    }>(
      'index query',
      `SELECT doc_tenant, doc_id, doc_public, doc_internal FROM ${s}.ticket_search
       WHERE (doc_tenant, doc_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [page.items.map((item) => tenantKey(item.tenantId)), page.items.map((item) => toSqlText(item.id))],
    );
    const search = plan.search!;
    const byKey = new Map<string, SearchSnippet>();
    for (const r of rows) {
      // A match this cannot mark (a stem it does not know) still gets the text's beginning.
      const snippet =
        textSnippet(r.doc_public, search) ??
        (plan.scope === 'all' ? textSnippet(r.doc_internal, search) : undefined) ??
        openingSnippet(r.doc_public);
      byKey.set(JSON.stringify([r.doc_tenant, r.doc_id]), snippet);
    }
    return {
      ...page,
      items: page.items.map((item) => {
        const snippet = byKey.get(JSON.stringify([tenantKey(item.tenantId), toSqlText(item.id)]));
        return snippet ? { ...item, snippet } : item;
      }),
    };
  }

  return {
    async upsert(summary, pos, search) {
      await q('index upsert', upsert, upsertValues(summary, pos, search));
    },
    async upsertMany(rows) {
      if (rows.length === 0) return;
      // One transaction on one connection: one commit (one WAL flush) for the batch, all or none.
      await ready();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (cause) {
        throw new AdapterError(`PostgreSQL index upsert failed: ${(cause as Error).message}`, { cause });
      }
      try {
        await client.query('BEGIN');
        for (const row of rows)
          await client.query(upsert, upsertValues(row.summary, row.position, row.search));
        await client.query('COMMIT');
        client.release();
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(cause as Error);
        throw new AdapterError(`PostgreSQL index upsert failed: ${(cause as Error).message}`, { cause });
      }
    },
    async get(id, scope) {
      const { rows } = await q<{ body: string }>(
        'index get',
        `SELECT body FROM ${s}.tickets WHERE tenant_key = $1 AND id = $2`,
        [scopeKey(scope), toSqlText(id)],
      );
      return rows[0] ? (JSON.parse(rows[0].body) as TicketSummary) : undefined;
    },
    async query(query) {
      const plan = ticketQuerySql(query, postgresDialect, `${s}.tickets`);
      const { rows } = await q<{ body: string; search_rank?: number }>('index query', plan.sql, plan.params);
      const page = ticketPage(
        rows.map((r) => r.body),
        plan,
        rows.map((r) => r.search_rank ?? 0),
      );
      return plan.search === undefined || page.items.length === 0 ? page : withSnippets(page, plan);
    },
    async count(query) {
      const { sql, params } = ticketCountSql(query, postgresDialect, `${s}.tickets`);
      const { rows } = await q<{ n: string }>('index count', sql, params);
      return Number(rows[0]?.n ?? 0);
    },
    async checkpoint(scope) {
      const { rows } = await q<{ position: string | null }>(
        'checkpoint',
        `SELECT position FROM ${s}.checkpoint WHERE tenant_key = $1`,
        [scopeKey(scope)],
      );
      const found = rows[0]?.position;
      return found === undefined || found === null ? undefined : fromSqlText(found);
    },
    async setCheckpoint(pos, scope) {
      await q(
        'checkpoint',
        `INSERT INTO ${s}.checkpoint (tenant_key, position) VALUES ($1, $2)
         ON CONFLICT (tenant_key) DO UPDATE SET position = excluded.position`,
        [scopeKey(scope), toSqlText(pos)],
      );
    },
    async clear(scope) {
      const key = scopeKey(scope);
      // One statement, so a crash cannot leave a tenant's rows gone and its checkpoint standing.
      await q(
        'index clear',
        `WITH gone AS (DELETE FROM ${s}.tickets WHERE tenant_key = $1),
           docs AS (DELETE FROM ${s}.ticket_search WHERE doc_tenant = $1)
         DELETE FROM ${s}.checkpoint WHERE tenant_key = $1`,
        [key],
      );
    },
  };
}

/** About 20 words from the start of `text`, nothing marked. */
function openingSnippet(text: string): SearchSnippet {
  const words = text.split(/(?<=\s)/u);
  return { text: words.length > 20 ? `${words.slice(0, 20).join('').trimEnd()}…` : text, marks: [] };
}
