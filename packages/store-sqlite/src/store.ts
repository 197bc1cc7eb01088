import { AdapterError, isTesseraError, type Store } from '@tessera/core';
import Database from 'better-sqlite3';
import { sqliteBlobStore } from './blob-store';
import { sqliteEventStore } from './event-store';
import { sqliteMessageIndex } from './message-index';
import { migrate } from './schema';
import { sqliteTicketIndex } from './ticket-index';
import { wrap } from './wrap';

export interface SqliteStoreOptions {
  /** A file path, or `':memory:'` for tests. */
  filename: string;
  /** How long a writer waits for another process's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
}

export interface SqliteStore extends Store {
  /** The better-sqlite3 handle, for backups and inspection. */
  readonly db: Database.Database;
  close(): Promise<void>;
}

/**
 * Durable storage on one SQLite file: WAL, `BEGIN IMMEDIATE` appends, AUTOINCREMENT positions,
 * the ticket index as real tables queried in SQL. Several processes may share the file.
 *
 * @example
 * const store = sqliteStore({ filename: './helpdesk.db' });
 * const desk = createHelpdesk({ store });
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  let db: Database.Database;
  try {
    db = new Database(options.filename);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 10_000))}`);
    if (options.filename !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (cause) {
    if (isTesseraError(cause)) throw cause;
    throw new AdapterError(`cannot open SQLite store ${options.filename}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const events = sqliteEventStore(db, wrap);
  const index = sqliteTicketIndex(db, wrap);
  const messages = sqliteMessageIndex(db, wrap);
  const blobs = sqliteBlobStore(db, wrap);

  return {
    db,
    events,
    index,
    messages,
    blobs,
    async close() {
      if (!db.open) return;
      // Lets SQLite refresh the statistics its query planner uses.
      db.pragma('optimize');
      db.close();
    },
  };
}
