import { PRIORITY_RANK, type TicketSummary } from '@tessera/core';
import type { ColumnKind, SqlDialect } from './dialect';

/** One column of the ticket index table: its name, kind, whether it may be NULL, and its value. */
export interface TicketColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  /** The column's value for a summary, in the dialect's stored form. */
  value(summary: TicketSummary, dialect: SqlDialect): unknown;
}

/** One index of the ticket index table, on `columns` in order, partial where `where` is given. */
export interface TicketIndexDescription {
  readonly name: string;
  readonly columns: readonly string[];
  readonly where?: string;
}

/**
 * The key column of a tenant's rows: `''` for no tenant, `t:<id>` for a tenant (the id in the
 * dialect's text form). A NULL cannot be part of a primary key, and a bare tenant id could be
 * `''`; the prefix keeps the two apart.
 *
 * @example
 * tenantKey(sqliteDialect, 'acme'); // 't:acme'
 */
export const tenantKey = (dialect: SqlDialect, tenantId: string | undefined | null): string =>
  tenantId === undefined || tenantId === null ? '' : `t:${dialect.text(tenantId)}`;

const text = (name: string, get: (s: TicketSummary) => string): TicketColumn => ({
  name,
  kind: 'text',
  nullable: false,
  value: (s, d) => d.text(get(s)),
});
const textOrNull = (
  name: string,
  get: (s: TicketSummary) => string | undefined,
  kind: ColumnKind = 'text',
) => ({
  name,
  kind,
  nullable: true,
  value: (s: TicketSummary, d: SqlDialect) => {
    const v = get(s);
    return v === undefined ? null : d.text(v);
  },
});
const order = (name: string, get: (s: TicketSummary) => string): TicketColumn => ({
  ...text(name, get),
  kind: 'order',
});
const int = (name: string, get: (s: TicketSummary) => number): TicketColumn => ({
  name,
  kind: 'int',
  nullable: false,
  value: (s) => get(s),
});
const bool = (name: string, get: (s: TicketSummary) => boolean): TicketColumn => ({
  name,
  kind: 'bool',
  nullable: false,
  value: (s, d) => d.bool(get(s)),
});

/**
 * The ticket index table as both stores keep it (the schema both migrations arrive at), in
 * column order: keyed by (tenant_key, id), one column per filter and sort, the summary as JSON in
 * `body`. `tags` is a column only where the dialect keeps tags in an array (else a table
 * `ticket_tags (tag, tenant_key, ticket_id)`).
 */
export const TICKET_COLUMNS: readonly TicketColumn[] = [
  { name: 'tenant_key', kind: 'order', nullable: false, value: (s, d) => tenantKey(d, s.tenantId) },
  order('id', (s) => s.id),
  textOrNull('tenant_id', (s) => s.tenantId),
  int('number', (s) => s.number),
  {
    name: 'subject_lc',
    kind: 'subject',
    nullable: false,
    value: (s, d) => d.subject(s.subject.toLowerCase()),
  },
  text('status', (s) => s.status),
  text('category', (s) => s.category),
  textOrNull('type', (s) => s.type),
  textOrNull('team', (s) => s.team),
  textOrNull('assignee', (s) => s.assignee),
  text('priority', (s) => s.priority),
  int('priority_rank', (s) => PRIORITY_RANK[s.priority] ?? 1),
  { name: 'tags', kind: 'tags', nullable: false, value: (s, d) => [...new Set(s.tags)].map(d.text) },
  text('requester_id', (s) => s.requester.id),
  textOrNull('organization', (s) => s.organization),
  text('channel', (s) => s.channel),
  order('created_at', (s) => s.createdAt),
  order('updated_at', (s) => s.updatedAt),
  textOrNull('last_customer_message_at', (s) => s.lastCustomerMessageAt, 'order'),
  bool('awaiting_agent', (s) => s.awaitingAgent),
  bool('sla_breached', (s) => s.sla?.breached ?? false),
  bool('sla_at_risk', (s) => s.sla?.atRisk ?? false),
  textOrNull('sla_next_deadline', (s) => s.sla?.nextDeadline, 'order'),
  textOrNull('due_at', (s) => s.dueAt, 'order'),
  int('version', (s) => s.version),
  { name: 'body', kind: 'json', nullable: false, value: (s) => JSON.stringify(s) },
];

/** The indexes both stores keep on the ticket index table: one per queue and sort. */
export const TICKET_INDEXES: readonly TicketIndexDescription[] = [
  { name: 'tickets_updated', columns: ['updated_at', 'id'] },
  { name: 'tickets_created', columns: ['created_at', 'id'] },
  { name: 'tickets_number', columns: ['number', 'id'] },
  { name: 'tickets_team', columns: ['team', 'updated_at', 'id'] },
  { name: 'tickets_assignee', columns: ['assignee', 'updated_at', 'id'] },
  { name: 'tickets_requester', columns: ['requester_id'] },
  { name: 'tickets_organization', columns: ['organization'] },
  { name: 'tickets_due', columns: ['due_at'], where: 'due_at IS NOT NULL' },
  { name: 'tickets_sla', columns: ['sla_next_deadline'], where: 'sla_next_deadline IS NOT NULL' },
  { name: 'tickets_priority', columns: ['priority_rank', 'id'] },
  { name: 'tickets_tenant_updated', columns: ['tenant_key', 'updated_at', 'id'] },
];

/**
 * The columns of the ticket index table in this dialect, in order.
 *
 * @example
 * ticketColumns(sqliteDialect).map((c) => c.name); // […, 'version', 'body']
 */
export function ticketColumns(dialect: SqlDialect): readonly TicketColumn[] {
  return dialect.tagsColumn ? TICKET_COLUMNS : TICKET_COLUMNS.filter((c) => c.kind !== 'tags');
}

/**
 * A summary's row, the values in `ticketColumns(dialect)` order (as `upsertTicketSql` binds them).
 *
 * @example
 * const values = ticketRow(summary, sqliteDialect); // in ticketColumns(sqliteDialect) order
 */
export function ticketRow(summary: TicketSummary, dialect: SqlDialect): unknown[] {
  return ticketColumns(dialect).map((c) => c.value(summary, dialect));
}

/**
 * The statement that writes a row unless the stored one is newer (a higher version): its values
 * are the first `ticketColumns(dialect).length` parameters, in column order.
 *
 * @example
 * const sql = upsertTicketSql(sqliteDialect, 'tickets'); // bind ticketRow(summary, sqliteDialect)
 */
export function upsertTicketSql(dialect: SqlDialect, table: string): string {
  const columns = ticketColumns(dialect).map((c) => c.name);
  const params: unknown[] = [];
  const values = columns.map((c) => dialect.bind(params, c));
  const updates = columns
    .filter((c) => c !== 'tenant_key' && c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values.join(', ')})
    ON CONFLICT (tenant_key, id) DO UPDATE SET ${updates}
    WHERE ${table}.version <= excluded.version`;
}

/**
 * The `CREATE TABLE` of the ticket index table in this dialect, rendered from the description
 * (the stores' schema tests hold their migrated table to it).
 *
 * @example
 * const ddl = createTicketsTableSql(postgresDialect, '"tessera".tickets');
 */
export function createTicketsTableSql(dialect: SqlDialect, table: string): string {
  const columns = ticketColumns(dialect).map(
    (c) => `${c.name} ${dialect.columnType(c.kind)}${c.nullable ? '' : ' NOT NULL'}`,
  );
  return `CREATE TABLE ${table} (${[...columns, 'PRIMARY KEY (tenant_key, id)'].join(', ')}) ${dialect.tableOptions}`;
}
