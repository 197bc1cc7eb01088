import {
  decodeCursor,
  encodeCursor,
  PRIORITIES,
  queryLimit,
  querySort,
  type TenantScope,
  type TicketFilter,
  type TicketIndex,
  type TicketSummary,
  ValidationError,
} from '@tessera/core';
import type { Database } from './database';
import { fromSqlText, toSqlText, toSqlTextOrNull } from './text';

const RANK: Record<string, number> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i]));

/**
 * The key column of a tenant's rows: `''` for no tenant, `t:<id>` for a tenant (in SQL text form).
 * A NULL cannot be part of a primary key, and a bare tenant id could be `''`; the prefix keeps the
 * two apart.
 *
 * @example
 * tenantKey('acme'); // 't:acme'
 */
export const tenantKey = (tenantId: string | undefined | null): string =>
  tenantId === undefined || tenantId === null ? '' : `t:${toSqlText(tenantId)}`;
/** The key column of a port call's scope (no scope: no tenant). */
export const scopeKey = (scope: TenantScope | undefined): string => tenantKey(scope?.tenantId);

/**
 * The ticket index in PostgreSQL tables: rows keyed by (tenant, id), filters and sorts in SQL.
 *
 * @example
 * const index = postgresTicketIndex(db);
 */
export function postgresTicketIndex({ s, q }: Database): TicketIndex {
  return {
    async upsert(summary, pos) {
      await q(
        'index upsert',
        `WITH up AS (
           INSERT INTO ${s}.tickets (tenant_key, id, tenant_id, number, subject_lc, status, category, type, team, assignee,
             priority, priority_rank, tags, requester_id, organization, channel, created_at, updated_at,
             last_customer_message_at, awaiting_agent, sla_breached, sla_at_risk, sla_next_deadline, due_at, version, body)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26)
           ON CONFLICT (tenant_key, id) DO UPDATE SET tenant_id = excluded.tenant_id, number = excluded.number,
             subject_lc = excluded.subject_lc, status = excluded.status, category = excluded.category, type = excluded.type,
             team = excluded.team, assignee = excluded.assignee, priority = excluded.priority,
             priority_rank = excluded.priority_rank, tags = excluded.tags, requester_id = excluded.requester_id,
             organization = excluded.organization, channel = excluded.channel, created_at = excluded.created_at,
             updated_at = excluded.updated_at, last_customer_message_at = excluded.last_customer_message_at,
             awaiting_agent = excluded.awaiting_agent, sla_breached = excluded.sla_breached,
             sla_at_risk = excluded.sla_at_risk, sla_next_deadline = excluded.sla_next_deadline, due_at = excluded.due_at,
             version = excluded.version, body = excluded.body
           WHERE ${s}.tickets.version <= excluded.version
           RETURNING 1)
         INSERT INTO ${s}.checkpoint (tenant_key, position) SELECT $1, $27 WHERE $27::text IS NOT NULL
         ON CONFLICT (tenant_key) DO UPDATE SET position = excluded.position
         WHERE ${s}.checkpoint.position IS NULL OR excluded.position > ${s}.checkpoint.position`,
        [...row(summary), pos === undefined ? null : toSqlText(pos)],
      );
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
      const { field, direction } = querySort(query);
      const limit = queryLimit(query);
      const params: unknown[] = [];
      const where: string[] = [];
      if (query.filter) {
        const clause = filterSql(query.filter, params);
        if (clause) where.push(clause);
      }
      const column = SORT_COLUMNS[field]!;
      if (query.cursor !== undefined) {
        const after = decodeCursor(query.cursor);
        if (!after)
          throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from a previous page' }]);
        params.push(toSqlText(after.id));
        const idParam = `$${params.length}`;
        const op = direction === 'asc' ? '>' : '<';
        if (after.value === undefined) where.push(`(${column} IS NULL AND id ${op} ${idParam})`);
        else {
          params.push(typeof after.value === 'string' ? toSqlText(after.value) : after.value);
          const v = `$${params.length}`;
          where.push(
            NOT_NULL.has(column)
              ? `(${column}, id) ${op} (${v}, ${idParam})`
              : `((${column} IS NOT NULL AND (${column} ${op} ${v} OR (${column} = ${v} AND id ${op} ${idParam}))) OR ${column} IS NULL)`,
          );
        }
      }
      params.push(limit + 1);
      const { rows } = await q<{ id: string; sort_value: string | number | null; body: string }>(
        'index query',
        `SELECT id, ${column} AS sort_value, body FROM ${s}.tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${NOT_NULL.has(column) ? '' : `(${column} IS NULL), `}${column} ${direction === 'asc' ? 'ASC' : 'DESC'}, id ${direction === 'asc' ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
        params,
      );
      const items = rows.slice(0, limit).map((r) => JSON.parse(r.body) as TicketSummary);
      const last = rows[limit - 1];
      if (!(rows.length > limit && last)) return { items };
      const value = typeof last.sort_value === 'string' ? fromSqlText(last.sort_value) : last.sort_value;
      return { items, nextCursor: encodeCursor(value ?? undefined, fromSqlText(last.id)) };
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

/** Columns that are never NULL sort without the "missing last" term, so their indexes serve the order. */
const NOT_NULL = new Set(['number', 'created_at', 'updated_at', 'priority_rank']);

const SORT_COLUMNS: Record<string, string> = {
  number: 'number',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  priority: 'priority_rank',
  lastCustomerMessageAt: 'last_customer_message_at',
  slaNextDeadline: 'sla_next_deadline',
  dueAt: 'due_at',
};

/** The subject as UTF-8 bytes: `bytea` holds U+0000, and a byte substring of UTF-8 is a character substring. */
const subjectBytes = (text: string) => Buffer.from(text.toLowerCase(), 'utf8');

function row(t: TicketSummary): unknown[] {
  return [
    tenantKey(t.tenantId),
    toSqlText(t.id),
    toSqlTextOrNull(t.tenantId),
    t.number,
    subjectBytes(t.subject),
    toSqlText(t.status),
    toSqlText(t.category),
    toSqlTextOrNull(t.type),
    toSqlTextOrNull(t.team),
    toSqlTextOrNull(t.assignee),
    toSqlText(t.priority),
    RANK[t.priority] ?? 1,
    [...new Set(t.tags)].map(toSqlText),
    toSqlText(t.requester.id),
    toSqlTextOrNull(t.organization),
    toSqlText(t.channel),
    toSqlText(t.createdAt),
    toSqlText(t.updatedAt),
    toSqlTextOrNull(t.lastCustomerMessageAt),
    t.awaitingAgent,
    t.sla?.breached ?? false,
    t.sla?.atRisk ?? false,
    toSqlTextOrNull(t.sla?.nextDeadline),
    toSqlTextOrNull(t.dueAt),
    t.version,
    JSON.stringify(t),
  ];
}

/** "One of", with `null` meaning "has none"; an empty list matches nothing (`FALSE`). */
function oneOf(column: string, value: unknown, params: unknown[]): string {
  const list = Array.isArray(value) ? value : [value];
  const present = list.filter((v) => v !== null).map((v) => (typeof v === 'string' ? toSqlText(v) : v));
  const parts: string[] = [];
  const type = column === 'number' ? 'int' : 'text';
  if (present.length === 1) {
    params.push(present[0]);
    parts.push(`${column} = $${params.length}::${type}`);
  } else if (present.length > 1) {
    params.push(present);
    parts.push(`${column} = ANY($${params.length}::${type}[])`);
  }
  if (present.length < list.length) parts.push(`${column} IS NULL`);
  return parts.length === 0 ? 'FALSE' : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/** The WHERE clause of a TicketFilter; semantics as `matchesTicketFilter` in core. */
function filterSql(f: TicketFilter, params: unknown[]): string {
  const c: string[] = [];
  const p = (value: unknown) => {
    params.push(typeof value === 'string' ? toSqlText(value) : value);
    return `$${params.length}`;
  };
  if (f.tenantId !== undefined) {
    params.push(tenantKey(f.tenantId)); // already in SQL form
    c.push(`tenant_key = $${params.length}`);
  }
  if (f.ids !== undefined) c.push(oneOf('id', f.ids, params));
  if (f.numbers !== undefined) c.push(oneOf('number', f.numbers, params));
  if (f.status !== undefined) c.push(oneOf('status', f.status, params));
  if (f.category !== undefined) c.push(oneOf('category', f.category, params));
  if (f.type !== undefined) c.push(oneOf('type', f.type, params));
  if (f.team !== undefined) c.push(oneOf('team', f.team, params));
  if (f.assignee !== undefined) c.push(oneOf('assignee', f.assignee, params));
  if (f.priority !== undefined) c.push(oneOf('priority', f.priority, params));
  if (f.channel !== undefined) c.push(oneOf('channel', f.channel, params));
  if (f.requesterId !== undefined) c.push(oneOf('requester_id', f.requesterId, params));
  if (f.organization !== undefined) c.push(oneOf('organization', f.organization, params));
  if (f.tags !== undefined && f.tags.length > 0) c.push(`tags @> ${p(f.tags.map(toSqlText))}::text[]`);
  if (f.text !== undefined) c.push(`position(${p(subjectBytes(f.text))}::bytea IN subject_lc) > 0`);
  if (f.awaitingAgent !== undefined) c.push(`awaiting_agent = ${p(f.awaitingAgent)}`);
  const cmp = (column: string, op: string, value: string | undefined) => {
    if (value !== undefined) c.push(`(${column} IS NOT NULL AND ${column} ${op} ${p(value)})`);
  };
  cmp('created_at', '>', f.createdAfter);
  cmp('created_at', '<', f.createdBefore);
  cmp('updated_at', '>', f.updatedAfter);
  cmp('updated_at', '<', f.updatedBefore);
  if (f.slaBreached !== undefined) c.push(`sla_breached = ${p(f.slaBreached)}`);
  if (f.slaAtRisk !== undefined) c.push(`sla_at_risk = ${p(f.slaAtRisk)}`);
  cmp('sla_next_deadline', '<=', f.slaDeadlineBefore);
  cmp('due_at', '<=', f.dueBefore);
  if (f.anyOf !== undefined) {
    const alternatives = f.anyOf.map((sub) => filterSql(sub, params) || 'TRUE');
    c.push(alternatives.length === 0 ? 'FALSE' : `(${alternatives.map((a) => `(${a})`).join(' OR ')})`);
  }
  return c.join(' AND ');
}
