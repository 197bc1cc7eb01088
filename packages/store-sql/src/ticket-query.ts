import {
  decodeCursor,
  encodeCursor,
  type Page,
  queryLimit,
  querySort,
  type SortField,
  sortValue,
  type TicketFilter,
  type TicketQuery,
  type TicketSummary,
  ValidationError,
} from '@tessera/core';
import type { SqlDialect } from './dialect';
import { tenantKey } from './ticket-schema';

/** The column each sort field orders by. */
export const SORT_COLUMNS: Readonly<Record<SortField, string>> = {
  number: 'number',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  priority: 'priority_rank',
  lastCustomerMessageAt: 'last_customer_message_at',
  slaNextDeadline: 'sla_next_deadline',
  dueAt: 'due_at',
};

/** Columns that are never NULL sort without the "missing last" term, so their indexes serve the order. */
const NOT_NULL = new Set(['number', 'created_at', 'updated_at', 'priority_rank']);

/** A query as SQL: the statement, its parameters, and what `ticketPage` needs to read its rows. */
export interface TicketQuerySql {
  /** Selects `body` of at most `limit + 1` rows (the extra row says there is a next page). */
  readonly sql: string;
  readonly params: unknown[];
  readonly field: SortField;
  readonly limit: number;
}

/**
 * A `TicketQuery` as one SELECT of the `body` column: filter, order (ties by id in the sort
 * direction, rows without the sort value last) and keyset cursor, as `matchesTicketFilter` and
 * `compareSummaries` define them in core. A cursor not from a previous page is a `ValidationError`.
 *
 * @example
 * const plan = ticketQuerySql({ filter: { status: 'open' } }, sqliteDialect, 'tickets');
 * // run plan.sql with plan.params, then: ticketPage(rows.map((r) => r.body), plan)
 */
export function ticketQuerySql(q: TicketQuery, dialect: SqlDialect, table: string): TicketQuerySql {
  const { field, direction } = querySort(q);
  const limit = queryLimit(q);
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.filter) {
    const clause = filterSql(q.filter, dialect, params, table);
    if (clause) where.push(clause);
  }
  const column = SORT_COLUMNS[field];
  const op = direction === 'asc' ? '>' : '<';
  if (q.cursor !== undefined) {
    const after = decodeCursor(q.cursor);
    if (!after)
      throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from a previous page' }]);
    // Bound where each appears in the text, in order: `?` placeholders are positional.
    const id = () => dialect.bind(params, dialect.text(after.id));
    const value = after.value;
    const v = () => dialect.bind(params, typeof value === 'string' ? dialect.text(value) : value);
    if (value === undefined) where.push(`(${column} IS NULL AND id ${op} ${id()})`);
    else if (NOT_NULL.has(column)) where.push(`(${column}, id) ${op} (${v()}, ${id()})`);
    else
      where.push(
        `((${column} IS NOT NULL AND (${column} ${op} ${v()} OR (${column} = ${v()} AND id ${op} ${id()}))) OR ${column} IS NULL)`,
      );
  }
  const dir = direction === 'asc' ? 'ASC' : 'DESC';
  const sql = `SELECT body FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${NOT_NULL.has(column) ? '' : `(${column} IS NULL), `}${column} ${dir}, id ${dir} LIMIT ${dialect.bind(params, limit + 1)}`;
  return { sql, params, field, limit };
}

/**
 * The page of the rows a `ticketQuerySql` statement returned (their `body` column). The cursor
 * takes the last row's values from its JSON body, which holds the caller's strings themselves
 * (a column may hold them in a stored form, or read a lone surrogate back as U+FFFD).
 *
 * @example
 * const page = ticketPage([JSON.stringify(summary)], { field: 'number', limit: 50 });
 */
export function ticketPage(
  bodies: readonly string[],
  plan: Pick<TicketQuerySql, 'field' | 'limit'>,
): Page<TicketSummary> {
  const items = bodies.slice(0, plan.limit).map((body) => JSON.parse(body) as TicketSummary);
  const last = items[plan.limit - 1];
  return bodies.length > plan.limit && last
    ? { items, nextCursor: encodeCursor(sortValue(last, plan.field), last.id) }
    : { items };
}

/** "One of", with `null` meaning "has none"; an empty list matches nothing. */
function oneOf(
  column: string,
  value: unknown,
  dialect: SqlDialect,
  params: unknown[],
  type: 'text' | 'int' = 'text',
): string {
  const list = Array.isArray(value) ? value : [value];
  const present = list.filter((v) => v !== null).map((v) => (typeof v === 'string' ? dialect.text(v) : v));
  const parts: string[] = [];
  // `=` rather than a one-item list, so an index on (column, sort) can serve the order too
  if (present.length === 1) parts.push(dialect.equals(column, dialect.bind(params, present[0]), type));
  else if (present.length > 1) parts.push(dialect.oneOfMany(column, present, params, type));
  if (present.length < list.length) parts.push(`${column} IS NULL`);
  return parts.length === 0 ? dialect.never : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * The WHERE clause of a TicketFilter (without `WHERE`; `''` for no condition), its values added to
 * `params`; semantics as `matchesTicketFilter` in core.
 *
 * @example
 * const params: unknown[] = [];
 * filterSql({ status: ['open', 'pending'] }, sqliteDialect, params, 'tickets'); // 'status IN (?, ?)'
 */
export function filterSql(f: TicketFilter, dialect: SqlDialect, params: unknown[], table: string): string {
  const c: string[] = [];
  const p = (value: unknown) => dialect.bind(params, typeof value === 'string' ? dialect.text(value) : value);
  if (f.tenantId !== undefined)
    c.push(`tenant_key = ${dialect.bind(params, tenantKey(dialect, f.tenantId))}`);
  if (f.ids !== undefined) c.push(oneOf('id', f.ids, dialect, params));
  if (f.numbers !== undefined) c.push(oneOf('number', f.numbers, dialect, params, 'int'));
  if (f.status !== undefined) c.push(oneOf('status', f.status, dialect, params));
  if (f.category !== undefined) c.push(oneOf('category', f.category, dialect, params));
  if (f.type !== undefined) c.push(oneOf('type', f.type, dialect, params));
  if (f.team !== undefined) c.push(oneOf('team', f.team, dialect, params));
  if (f.assignee !== undefined) c.push(oneOf('assignee', f.assignee, dialect, params));
  if (f.priority !== undefined) c.push(oneOf('priority', f.priority, dialect, params));
  if (f.channel !== undefined) c.push(oneOf('channel', f.channel, dialect, params));
  if (f.requesterId !== undefined) c.push(oneOf('requester_id', f.requesterId, dialect, params));
  if (f.organization !== undefined) c.push(oneOf('organization', f.organization, dialect, params));
  if (f.tags !== undefined && f.tags.length > 0)
    c.push(...dialect.hasTags(f.tags.map(dialect.text), params, table));
  if (f.text !== undefined)
    c.push(dialect.subjectContains(dialect.bind(params, dialect.subject(f.text.toLowerCase()))));
  if (f.awaitingAgent !== undefined) c.push(`awaiting_agent = ${p(dialect.bool(f.awaitingAgent))}`);
  const compare = (column: string, op: string, value: string | undefined) => {
    if (value !== undefined) c.push(`(${column} IS NOT NULL AND ${column} ${op} ${p(value)})`);
  };
  compare('created_at', '>', f.createdAfter);
  compare('created_at', '<', f.createdBefore);
  compare('updated_at', '>', f.updatedAfter);
  compare('updated_at', '<', f.updatedBefore);
  if (f.slaBreached !== undefined) c.push(`sla_breached = ${p(dialect.bool(f.slaBreached))}`);
  if (f.slaAtRisk !== undefined) c.push(`sla_at_risk = ${p(dialect.bool(f.slaAtRisk))}`);
  compare('sla_next_deadline', '<=', f.slaDeadlineBefore);
  compare('due_at', '<=', f.dueBefore);
  if (f.anyOf !== undefined) {
    const alternatives = f.anyOf.map((sub) => filterSql(sub, dialect, params, table) || dialect.always);
    c.push(alternatives.length === 0 ? dialect.never : `(${alternatives.map((a) => `(${a})`).join(' OR ')})`);
  }
  return c.join(' AND ');
}
