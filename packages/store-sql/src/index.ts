export type { ColumnKind, SqlDialect } from './dialect';
export { postgresDialect, sqliteDialect } from './dialects';
export { batchBodies } from './event-batch';
export { fromSqlText, toSqlText, toSqlTextOrNull } from './postgres-text';
export { postgresSearch, searchTableOf } from './search-postgres';
export { fts5Match, sqliteSearch } from './search-sqlite';
export {
  fallbackDocument,
  indexedText,
  MARK_END,
  MARK_START,
  markedSnippet,
  type SearchSnippet,
  type SearchSql,
  type SearchText,
  searchQueryOf,
  type TextScope,
  textSnippet,
} from './text-search';
export {
  filterSql,
  SORT_COLUMNS,
  type TicketQuerySql,
  ticketCountSql,
  ticketPage,
  ticketQuerySql,
} from './ticket-query';
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
