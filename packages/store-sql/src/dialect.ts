import type { SearchQuery } from '@tessera/core';
import type { SearchSql, TextScope } from './text-search';

/**
 * What differs between the SQL of two stores, and nothing else: how a value is bound, how a
 * caller's string is kept in a text column, how booleans, the lower-cased subject and tags are
 * stored and compared. The query builder, the row mapping and the schema rendering take one.
 */
export interface SqlDialect {
  /** A name for messages (`'SQLite'`, `'PostgreSQL'`). */
  readonly name: string;
  /** Adds `value` to `params` and returns its placeholder (`?` or `$n`). */
  bind(params: unknown[], value: unknown): string;
  /**
   * A caller's string as the store keeps it in a text column and compares with one. Must be
   * injective and keep code-point order (the sorts and keyset cursors compare these forms).
   */
  text(value: string): string;
  /** A boolean as the store keeps it (`1`/`0` or `true`/`false`). */
  bool(value: boolean): unknown;
  /** The lower-cased subject as the store keeps it for substring search. */
  subject(lowerCased: string): unknown;
  /** The SQL of a condition that holds for no row. */
  readonly never: string;
  /** The SQL of a condition that holds for every row. */
  readonly always: string;
  /** `column = one value` (typed as the column, so its index applies). */
  equals(column: string, placeholder: string, type: 'text' | 'int'): string;
  /** `column` is one of `values` (two or more, already in stored form). */
  oneOfMany(column: string, values: unknown[], params: unknown[], type: 'text' | 'int'): string;
  /** The conditions that a row carries every one of `tags` (already in stored form). */
  hasTags(tags: string[], params: unknown[], table: string): string[];
  /**
   * The rows of `table` whose search document matches `query` in `scope`, by the store's engine.
   * Unranked: a `where` condition (it may stand anywhere in a filter, `anyOf` too); ranked: a
   * `join` and the `rank` expression (higher is better) that relevance sorts and pages by.
   */
  search(query: SearchQuery, scope: TextScope, params: unknown[], table: string, ranked: boolean): SearchSql;
  /** Whether tags are kept in an array column of the tickets table (else in a table of their own). */
  readonly tagsColumn: boolean;
  /** The column type of each kind in the schema description. */
  columnType(kind: ColumnKind): string;
  /** What follows a table's column list (`WITHOUT ROWID`, or nothing). */
  readonly tableOptions: string;
}

/**
 * The kinds of column of the schema description: `text` a caller's string, `order` a string that
 * is sorted or compared by range (code-point order), `int`, `bool`, `subject` the lower-cased
 * subject, `tags` a ticket's tags, `json` a whole summary as JSON.
 */
export type ColumnKind = 'text' | 'order' | 'int' | 'bool' | 'subject' | 'tags' | 'json';
