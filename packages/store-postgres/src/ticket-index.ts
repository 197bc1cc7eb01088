import type { TenantScope, TicketIndex, TicketSummary } from '@tessera/core';
import {
  fromSqlText,
  postgresDialect,
  tenantKey as sqlTenantKey,
  ticketColumns,
  ticketPage,
  ticketQuerySql,
  ticketRow,
  toSqlText,
  upsertTicketSql,
} from '@tessera/store-sql';
import type { Database } from './database';

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

/** The parameter after a row's values: the checkpoint position of an upsert. */
const POSITION = `$${ticketColumns(postgresDialect).length + 1}`;

/**
 * The ticket index in PostgreSQL tables: rows keyed by (tenant, id), filters and sorts in SQL (the
 * query builder and row of `@tessera/store-sql`, in its PostgreSQL dialect).
 *
 * @example
 * const index = postgresTicketIndex(db);
 */
export function postgresTicketIndex({ s, q }: Database): TicketIndex {
  // The row and its checkpoint in one statement, so a crash cannot leave one without the other.
  const upsert = `WITH up AS (${upsertTicketSql(postgresDialect, `${s}.tickets`)} RETURNING 1)
    INSERT INTO ${s}.checkpoint (tenant_key, position) SELECT $1, ${POSITION} WHERE ${POSITION}::text IS NOT NULL
    ON CONFLICT (tenant_key) DO UPDATE SET position = excluded.position
    WHERE ${s}.checkpoint.position IS NULL OR excluded.position > ${s}.checkpoint.position`;
  return {
    async upsert(summary, pos) {
      await q('index upsert', upsert, [
        ...ticketRow(summary, postgresDialect),
        pos === undefined ? null : toSqlText(pos),
      ]);
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
      const { rows } = await q<{ body: string }>('index query', plan.sql, plan.params);
      return ticketPage(
        rows.map((r) => r.body),
        plan,
      );
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
        `WITH gone AS (DELETE FROM ${s}.tickets WHERE tenant_key = $1)
         DELETE FROM ${s}.checkpoint WHERE tenant_key = $1`,
        [key],
      );
    },
  };
}
