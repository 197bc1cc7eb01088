import {
  decodeCursor,
  encodeCursor,
  type Page,
  queryLimit,
  querySort,
  type SearchQuery,
  type SortField,
  sortValue,
  type TicketFilter,
  type TicketQuery,
  type TicketSummary,
  ValidationError,
} from '@tessera/core';
import type { SqlDialect } from './dialect';
import { searchQueryOf, type TextScope } from './text-search';
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
  // Not a column: the engine's rank of the search (`SqlDialect.search`), standing in for it.
  relevance: 'search_rank',
};

/** Columns that are never NULL sort without the "missing last" term, so their indexes serve the order. */
const NOT_NULL = new Set(['number', 'created_at', 'updated_at', 'priority_rank']);

/** A query as SQL: the statement, its parameters, and what `ticketPage` needs to read its rows. */
export interface TicketQuerySql {
  /**
   * Selects `body` of at most `limit + 1` rows (the extra row says there is a next page), and
   * `search_rank` when the query sorts by relevance.
   */
  readonly sql: string;
  readonly params: unknown[];
  readonly field: SortField;
  readonly limit: number;
  /** The search of the filter's own `text` (not one inside `anyOf`), for the results' snippets. */
  readonly search?: SearchQuery;
  readonly scope: TextScope;
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
  const scope: TextScope = q.textScope === 'all' ? 'all' : 'public';
  const search = q.filter?.text === undefined ? undefined : searchQueryOf(q.filter.text);
  // Relevance without words to rank by sorts as the default.
  const ranked = search !== undefined && q.sort?.field === 'relevance';
  const { field, direction } = querySort(q.sort?.field === 'relevance' && !ranked ? {} : q);
  const limit = queryLimit(q);
  const params: unknown[] = [];
  const where: string[] = [];
  let join = '';
  let column = SORT_COLUMNS[field];
  if (ranked) {
    // Joined before the WHERE is built: `?` placeholders bind in the order they appear.
    const engine = dialect.search(search, scope, params, table, true);
    join = engine.join ?? '';
    if (engine.where) where.push(engine.where);
    column = engine.rank ?? '0';
  }
  if (q.filter) {
    const { text: _searched, ...rest } = q.filter;
    const clause = filterSql(ranked ? rest : q.filter, dialect, params, table, scope);
    if (clause) where.push(clause);
  }
  const notNull = ranked || NOT_NULL.has(column);
  const op = direction === 'asc' ? '>' : '<';
  if (q.cursor !== undefined) {
    const after = decodeCursor(q.cursor);
    if (!after || (ranked && typeof after.value !== 'number'))
      throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from a previous page' }]);
    // Bound where each appears in the text, in order: `?` placeholders are positional.
    const id = () => dialect.bind(params, dialect.text(after.id));
    const value = after.value;
    const v = () => dialect.bind(params, typeof value === 'string' ? dialect.text(value) : value);
    if (value === undefined) where.push(`(${column} IS NULL AND id ${op} ${id()})`);
    else if (notNull) where.push(`(${column}, id) ${op} (${v()}, ${id()})`);
    else
      where.push(
        `((${column} IS NOT NULL AND (${column} ${op} ${v()} OR (${column} = ${v()} AND id ${op} ${id()}))) OR ${column} IS NULL)`,
      );
  }
  const dir = direction === 'asc' ? 'ASC' : 'DESC';
  const order = (value: string, id: string) =>
    `${notNull ? '' : `(${value} IS NULL), `}${value} ${dir}, ${id} ${dir}`;
  const filtered = `FROM ${table} ${join} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  const limited = `LIMIT ${dialect.bind(params, limit + 1)}`;
  // A search may match many rows, all sorted before the limit: sort their keys, and read the
  // bodies of the page's rows only (the sorter would carry every matching body otherwise).
  const sql = search
    ? `SELECT t.body${ranked ? ', k.page_value AS search_rank' : ''} FROM (
        SELECT tenant_key AS page_tenant, id AS page_id, ${column} AS page_value ${filtered}
        ORDER BY ${order(column, 'id')} ${limited}) k
      JOIN ${table} t ON t.tenant_key = k.page_tenant AND t.id = k.page_id
      ORDER BY ${order('k.page_value', 'k.page_id')}`
    : `SELECT body ${filtered} ORDER BY ${order(column, 'id')} ${limited}`;
  return { sql, params, field: ranked ? 'relevance' : field, limit, scope, ...(search ? { search } : {}) };
}

/**
 * How many rows a query's filter matches (its sort, cursor and limit aside), as one `SELECT count(*)
 * AS n`.
 *
 * @example
 * const { sql, params } = ticketCountSql({ filter: { text: 'printer' } }, sqliteDialect, 'tickets');
 */
export function ticketCountSql(
  q: Pick<TicketQuery, 'filter' | 'textScope'>,
  dialect: SqlDialect,
  table: string,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const scope: TextScope = q.textScope === 'all' ? 'all' : 'public';
  const clause = q.filter ? filterSql(q.filter, dialect, params, table, scope) : '';
  return { sql: `SELECT count(*) AS n FROM ${table} ${clause ? `WHERE ${clause}` : ''}`, params };
}

/**
 * The page of the rows a `ticketQuerySql` statement returned (their `body` column, and their
 * `search_rank` as `ranks` when it sorts by relevance). The cursor
 * takes the last row's values from its JSON body, which holds the caller's strings themselves
 * (a column may hold them in a stored form, or read a lone surrogate back as U+FFFD).
 *
 * @example
 * const page = ticketPage([JSON.stringify(summary)], { field: 'number', limit: 50 });
 */
export function ticketPage(
  bodies: readonly string[],
  plan: Pick<TicketQuerySql, 'field' | 'limit'>,
  ranks: readonly number[] = [],
): Page<TicketSummary> {
  const items = bodies.slice(0, plan.limit).map((body) => JSON.parse(body) as TicketSummary);
  const last = items[plan.limit - 1];
  if (bodies.length <= plan.limit || !last) return { items };
  // A relevance page ends at its last row's rank, which is in no column of the body.
  const value = plan.field === 'relevance' ? ranks[plan.limit - 1] : sortValue(last, plan.field);
  return { items, nextCursor: encodeCursor(value, last.id) };
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
 * `params`; semantics as `matchesTicketFilter` in core, a `text` searched by the dialect's engine
 * in the part `scope` allows.
 *
 * @example
 * const params: unknown[] = [];
 * filterSql({ status: ['open', 'pending'] }, sqliteDialect, params, 'tickets'); // 'status IN (?, ?)'
 */
export function filterSql(
  f: TicketFilter,
  dialect: SqlDialect,
  params: unknown[],
  table: string,
  scope: TextScope = 'public',
): string {
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
  if (f.text !== undefined) {
    const search = searchQueryOf(f.text);
    if (search) c.push(dialect.search(search, scope, params, table, false).where ?? dialect.always);
  }
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
    const alternatives = f.anyOf.map(
      (sub) => filterSql(sub, dialect, params, table, scope) || dialect.always,
    );
    c.push(alternatives.length === 0 ? dialect.never : `(${alternatives.map((a) => `(${a})`).join(' OR ')})`);
  }
  return c.join(' AND ');
}
