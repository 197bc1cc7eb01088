export type { ColumnKind, SqlDialect } from './dialect';
export { postgresDialect, sqliteDialect } from './dialects';
export { batchBodies } from './event-batch';
export { fromSqlText, toSqlText, toSqlTextOrNull } from './postgres-text';
export { filterSql, SORT_COLUMNS, type TicketQuerySql, ticketPage, ticketQuerySql } from './ticket-query';
export {
  createTicketsTableSql,
  TICKET_COLUMNS,
  TICKET_INDEXES,
  type TicketColumn,
  type TicketIndexDescription,
  tenantKey,
  ticketColumns,
  ticketRow,
  upsertTicketSql,
} from './ticket-schema';
