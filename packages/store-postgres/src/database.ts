import type pg from 'pg';

/** What each part of the PostgreSQL store shares: the pool, the schema and the query helper. */
export interface Database {
  readonly pool: pg.Pool;
  /** The bare schema name (for channel names). */
  readonly schema: string;
  /** The schema name quoted for SQL text. */
  readonly s: string;
  /** Resolves once the schema exists and is migrated. */
  ready(): Promise<void>;
  /** Runs one statement after `ready`; a driver error becomes an `AdapterError` naming `what`. */
  q<R extends pg.QueryResultRow>(what: string, text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}
