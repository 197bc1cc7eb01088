import { AdapterError, ConfigError, isTesseraError, type Store, ValidationError } from '@tessera/core';
import pg from 'pg';
import { postgresBlobStore } from './blob-store';
import type { Database } from './database';
import { postgresEventStore } from './event-store';
import { postgresMessageIndex } from './message-index';
import { migrations, SEARCH_VERSION } from './schema';
import { postgresTicketIndex } from './ticket-index';
import { backfillSearch } from './ticket-search';

export type PostgresStoreOptions = ({ connectionString: string } | { pool: pg.Pool }) & {
  /** The schema to keep Tessera's tables in (default `tessera`). */
  schema?: string;
};

export interface PostgresStore extends Store {
  readonly pool: pg.Pool;
  /** Resolves once the schema exists and is migrated (every call waits for it anyway). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Storage on PostgreSQL for several app instances sharing one help desk: events with gap-free
 * global order for tailing readers, LISTEN/NOTIFY so every process's `subscribe` sees every
 * commit, the ticket index in SQL, messages and blobs. Creates and migrates its schema on first use.
 *
 * @example
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! });
 * const desk = createHelpdesk({ store });
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const schema = options.schema ?? 'tessera';
  if (!SCHEMA_NAME.test(schema)) {
    throw new ValidationError([
      { path: 'schema', message: `must be a lower-case SQL identifier, got ${JSON.stringify(schema)}` },
    ]);
  }
  const ownPool = !('pool' in options);
  const pool =
    'pool' in options ? options.pool : new pg.Pool({ connectionString: options.connectionString, max: 10 });
  // An idle connection the server drops makes the pool emit 'error', which crashes the process
  // when nobody listens. The pool has already discarded that connection and opens a new one on
  // demand, so for our own pool there is nothing more to do. (Whoever passes a pool owns this.)
  if (ownPool) pool.on('error', () => undefined);
  const s = `"${schema}"`;
  let readyPromise: Promise<void> | undefined;

  const q = async <R extends pg.QueryResultRow>(what: string, text: string, values: unknown[] = []) => {
    await ready();
    try {
      return await pool.query<R>(text, values);
    } catch (cause) {
      throw new AdapterError(`PostgreSQL ${what} failed: ${(cause as Error).message}`, { cause });
    }
  };

  function ready(): Promise<void> {
    readyPromise ??= (async () => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [`tessera:${schema}`]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version INTEGER NOT NULL)`);
        const current =
          (await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`)).rows[0]
            ?.version ?? 0;
        const steps = migrations(schema);
        // Not an adapter failure: this code is older than the schema, and must not write to it.
        if (current > steps.length)
          throw new ConfigError([
            {
              path: 'schema',
              message: `schema ${schema} has version ${current}, newer than this @tessera/store-postgres (${steps.length})`,
            },
          ]);
        for (let v = current; v < steps.length; v++) {
          await client.query('BEGIN');
          await client.query(steps[v]!);
          if (v + 1 === SEARCH_VERSION) await backfillSearch(client, s);
          await client.query(
            current === 0 && v === 0
              ? `INSERT INTO ${s}.schema_version VALUES ($1)`
              : `UPDATE ${s}.schema_version SET version = $1`,
            [v + 1],
          );
          await client.query('COMMIT');
        }
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => undefined);
        readyPromise = undefined;
        if (isTesseraError(cause)) throw cause;
        throw new AdapterError(`cannot prepare PostgreSQL schema ${schema}: ${(cause as Error).message}`, {
          cause,
        });
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtext($1))', [`tessera:${schema}`])
          .catch(() => undefined);
        client.release();
      }
    })();
    return readyPromise;
  }

  const db: Database = { pool, schema, s, ready, q };
  const events = postgresEventStore(db);
  const index = postgresTicketIndex(db);
  const messages = postgresMessageIndex(db);
  const blobs = postgresBlobStore(db);

  return {
    pool,
    ready,
    events,
    index,
    messages,
    blobs,
    async close() {
      if (ownPool) await pool.end();
    },
  };
}
