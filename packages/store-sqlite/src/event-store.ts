import { ConflictError, type EventStore, type NewEvent, type StoredEvent } from '@tessera/core';
import { batchBodies } from '@tessera/store-sql';
import type Database from 'better-sqlite3';
import type { Wrap } from './wrap';
import { textOf } from './wtf8';

/** Positions are AUTOINCREMENT ids, zero-padded so that string order is numeric order. */
const pos = (n: number | bigint) => n.toString().padStart(16, '0');

/**
 * The event log on SQLite: `BEGIN IMMEDIATE` appends, AUTOINCREMENT positions.
 *
 * @example
 * const events = sqliteEventStore(db, wrap);
 */
export function sqliteEventStore(db: Database.Database, wrap: Wrap): EventStore {
  const streamVersion = db.prepare<[string], { version: number }>(
    'SELECT version FROM streams WHERE stream_id = ?',
  );
  const insertEvent = db.prepare(
    'INSERT INTO events (stream_id, version, event_id, type, body) VALUES (?, ?, ?, ?, ?)',
  );
  const setStream = db.prepare(
    'INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version',
  );
  type EventRow = { position: number; stream_id: Buffer; version: number; body: string };
  const readStream = db.prepare<[string, number], EventRow>(
    'SELECT position, CAST(stream_id AS BLOB) AS stream_id, version, body FROM events WHERE stream_id = ? AND version >= ? ORDER BY version',
  );
  const readAllAfter = db.prepare<[number, number], EventRow>(
    'SELECT position, CAST(stream_id AS BLOB) AS stream_id, version, body FROM events WHERE position > ? ORDER BY position LIMIT ?',
  );
  const nextNumber = db.prepare<[string], { value: number }>(
    'INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
  );
  const toStored = (row: EventRow): StoredEvent => {
    const event = JSON.parse(row.body) as StoredEvent;
    event.streamId = textOf(row.stream_id);
    event.version = row.version;
    event.position = pos(row.position);
    return event;
  };

  const appendTx = db.transaction(
    (
      streamId: string,
      expected: number | 'no-stream' | 'any',
      bodies: { event: NewEvent; json: string }[],
    ) => {
      const current = streamVersion.get(streamId)?.version ?? 0;
      if (expected !== 'any') {
        const wanted = expected === 'no-stream' ? 0 : expected;
        if (current !== wanted) {
          throw new ConflictError(
            expected === 'no-stream'
              ? `stream ${streamId} already exists (version ${current})`
              : `stream ${streamId} is at version ${current}, expected ${expected}`,
            { details: { streamId, expected, actual: current } },
          );
        }
      }
      const positions: string[] = [];
      bodies.forEach(({ event, json }, i) => {
        const result = insertEvent.run(streamId, current + i + 1, event.eventId, event.type, json);
        positions.push(pos(result.lastInsertRowid));
      });
      setStream.run(streamId, current + bodies.length);
      return { nextVersion: current + bodies.length, positions };
    },
  );

  return {
    async append(streamId, batch, opts) {
      // Serialised before taking the lock: an event that cannot be stored fails the whole batch here.
      const json = batchBodies(batch);
      const bodies = batch.map((event, i) => ({ event, json: json[i]! }));
      return wrap('append', () => appendTx.immediate(streamId, opts.expectedVersion, bodies));
    },
    async readStream(streamId, opts = {}) {
      return wrap('readStream', () => readStream.all(streamId, opts.fromVersion ?? 1).map(toStored));
    },
    async readAll(opts = {}) {
      const after = opts.after === undefined ? 0 : Number.parseInt(opts.after, 10);
      return wrap('readAll', () => readAllAfter.all(after, opts.limit ?? 1_000_000).map(toStored));
    },
    async nextNumber(sequence) {
      return wrap('nextNumber', () => nextNumber.get(sequence)!.value);
    },
  };
}
