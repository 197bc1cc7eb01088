import type { ColumnKind, SqlDialect } from './dialect';
import { toSqlText } from './postgres-text';
import { postgresSearch } from './search-postgres';
import { sqliteSearch } from './search-sqlite';

const SQLITE_TYPES: Record<ColumnKind, string> = {
  text: 'TEXT',
  order: 'TEXT',
  int: 'INTEGER',
  bool: 'INTEGER',
  subject: 'TEXT',
  tags: 'TEXT',
  json: 'TEXT',
};

/**
 * SQLite (better-sqlite3): `?` placeholders; strings kept as they are (SQLite binds a string with
 * its length, so one holding U+0000 is compared whole, and TEXT compares by code point); booleans
 * as 1/0; tags in a table `ticket_tags`; text searched with FTS5 (`sqliteSearch`).
 *
 * @example
 * const plan = ticketQuerySql({ filter: { status: 'open' } }, sqliteDialect, 'tickets');
 */
export const sqliteDialect: SqlDialect = {
  name: 'SQLite',
  bind(params, value) {
    params.push(value);
    return '?';
  },
  text: (value) => value,
  bool: (value) => (value ? 1 : 0),
  subject: (lowerCased) => lowerCased,
  never: '0',
  always: '1',
  equals: (column, placeholder) => `${column} = ${placeholder}`,
  oneOfMany(column, values, params) {
    params.push(...values);
    return `${column} IN (${values.map(() => '?').join(', ')})`;
  },
  hasTags: (tags, params, table) =>
    tags.map((tag) => {
      params.push(tag);
      return `EXISTS (SELECT 1 FROM ticket_tags t WHERE t.tag = ? AND t.tenant_key = ${table}.tenant_key AND t.ticket_id = ${table}.id)`;
    }),
  search: sqliteSearch,
  tagsColumn: false,
  columnType: (kind) => SQLITE_TYPES[kind],
  tableOptions: 'WITHOUT ROWID',
};

const POSTGRES_TYPES: Record<ColumnKind, string> = {
  text: 'TEXT',
  order: 'TEXT COLLATE "C"',
  int: 'INTEGER',
  bool: 'BOOLEAN',
  subject: 'BYTEA',
  tags: 'TEXT[]',
  json: 'TEXT',
};

const utf8 = new TextEncoder();

/**
 * PostgreSQL (pg): `$n` placeholders, typed where the column's index must apply; every string in
 * `toSqlText` form (text cannot hold U+0000); booleans as booleans; tags in a `TEXT[]` column
 * (`@>`); the subject as UTF-8 `bytea`; text searched with `tsvector`s (`postgresSearch`).
 *
 * @example
 * const plan = ticketQuerySql({ filter: { tags: ['vip'] } }, postgresDialect, '"tessera".tickets');
 */
export const postgresDialect: SqlDialect = {
  name: 'PostgreSQL',
  bind(params, value) {
    params.push(value);
    return `$${params.length}`;
  },
  text: toSqlText,
  bool: (value) => value,
  subject: (lowerCased) => utf8.encode(lowerCased),
  never: 'FALSE',
  always: 'TRUE',
  // Typed as the column and uncast on the column's side, so its index applies.
  equals: (column, placeholder, type) => `${column} = ${placeholder}::${type}`,
  oneOfMany(column, values, params, type) {
    params.push(values);
    return `${column} = ANY($${params.length}::${type}[])`;
  },
  hasTags(tags, params) {
    params.push(tags);
    return [`tags @> $${params.length}::text[]`];
  },
  search: postgresSearch,
  tagsColumn: true,
  columnType: (kind) => POSTGRES_TYPES[kind],
  tableOptions: '',
};
