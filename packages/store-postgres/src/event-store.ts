import {
  AdapterError,
  ConflictError,
  type EventStore,
  type StoredEvent,
  ValidationError,
} from '@tessera/core';
import { batchBodies, fromSqlText, toSqlText } from '@tessera/store-sql';
import type pg from 'pg';
import type { Database } from './database';

/**
 * Positions are `<transaction id>.<sequence>`, zero-padded: readers take only events of
 * transactions older than every transaction still running (`pg_snapshot_xmin`), in
 * (transaction, sequence) order, so a transaction that commits late can never be skipped.
 */
const position = (tx: string, seq: string | number) =>
  `${String(tx).padStart(20, '0')}.${String(seq).padStart(19, '0')}`;
function parsePosition(p: string): [string, string] {
  const m = /^(\d{1,20})\.(\d{1,19})$/.exec(p);
  if (!m)
    throw new ValidationError([
      { path: 'after', message: `is not a position from this store: ${JSON.stringify(p)}` },
    ]);
  return [BigInt(m[1]!).toString(), BigInt(m[2]!).toString()];
}

/**
 * The event log on PostgreSQL: appends through the schema's `append` function, a gap-free global
 * order for tailing readers, and LISTEN/NOTIFY for commits of every process.
 *
 * @example
 * const events = postgresEventStore(db);
 */
export function postgresEventStore(db: Database): EventStore {
  const { pool, s, schema, q, ready } = db;
  type EventRow = { stream_id: string; version: number; pos: string; tx: string; body: string };
  const toStored = (row: EventRow): StoredEvent => {
    const event = JSON.parse(row.body) as StoredEvent;
    event.streamId = fromSqlText(row.stream_id);
    event.version = row.version;
    event.position = position(row.tx, row.pos);
    return event;
  };

  return {
    async append(streamId, batch, opts) {
      const bodies = batchBodies(batch);
      const expected =
        opts.expectedVersion === 'any' ? -1 : opts.expectedVersion === 'no-stream' ? 0 : opts.expectedVersion;
      await ready();
      for (let attempt = 0; ; attempt++) {
        try {
          const { rows } = await pool.query<{ out_position: string; out_tx: string; out_version: number }>(
            `SELECT * FROM ${s}.append($1, $2, $3, $4, $5)`,
            [
              toSqlText(streamId),
              expected,
              batch.map((e) => toSqlText(e.eventId)),
              batch.map((e) => toSqlText(e.type)),
              bodies,
            ],
          );
          return {
            nextVersion: rows[rows.length - 1]!.out_version,
            positions: rows.map((r) => position(r.out_tx, r.out_position)),
          };
        } catch (cause) {
          const code = (cause as { code?: string }).code;
          // Two writers raced for the same version: the unique key let one in.
          if (code === '23505' && expected === -1 && attempt < 20) continue;
          if (code === 'TS409' || code === '23505') {
            throw new ConflictError(
              `stream ${streamId} is not at the expected version ${opts.expectedVersion}`,
              {
                details: { streamId, expected: opts.expectedVersion },
                cause,
              },
            );
          }
          throw new AdapterError(`PostgreSQL append failed: ${(cause as Error).message}`, { cause });
        }
      }
    },
    async readStream(streamId, opts = {}) {
      const { rows } = await q<EventRow>(
        'readStream',
        `SELECT stream_id, version, position::text AS pos, tx_id::text AS tx, body FROM ${s}.events
         WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
        [toSqlText(streamId), opts.fromVersion ?? 1],
      );
      return rows.map(toStored);
    },
    async readAll(opts = {}) {
      const [tx, seq] = opts.after === undefined ? ['0', '0'] : parsePosition(opts.after);
      const { rows } = await q<EventRow>(
        'readAll',
        `SELECT stream_id, version, position::text AS pos, tx_id::text AS tx, body FROM ${s}.events
         WHERE (tx_id, position) > ($1::text::xid8, $2::bigint) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY events.tx_id, events.position LIMIT $3`,
        [tx, seq, opts.limit ?? 1_000_000],
      );
      return rows.map(toStored);
    },
    async nextNumber(sequence) {
      const { rows } = await q<{ value: string }>(
        'nextNumber',
        `INSERT INTO ${s}.sequences (name, value) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET value = ${s}.sequences.value + 1 RETURNING value`,
        [toSqlText(sequence)],
      );
      return Number(rows[0]!.value);
    },
    watch(onCommit) {
      let client: pg.PoolClient | undefined;
      let stopped = false;
      // A commit announced while an older transaction still runs is not readable yet (readAll
      // stops below pg_snapshot_xmin), and that older transaction may never notify (an index
      // upsert, another app's write). So after each notification, wait until every transaction
      // that began before it has ended, then announce again: no readable commit goes unannounced.
      let target: bigint | undefined;
      let polling = false;
      const settle = async () => {
        if (polling) return;
        polling = true;
        let delay = 5;
        try {
          while (!stopped && target !== undefined) {
            const wanted = target;
            const { rows } = await pool.query<{ xmin: string }>(
              'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
            );
            if (BigInt(rows[0]!.xmin) >= wanted) {
              if (target === wanted) target = undefined;
              if (!stopped) onCommit();
              delay = 5;
            } else {
              await new Promise((r) => setTimeout(r, delay));
              delay = Math.min(delay * 2, 500);
            }
          }
        } catch {
          // The pool is closing or the server went away; the next notification tries again.
        } finally {
          polling = false;
        }
      };
      const notified = async () => {
        onCommit();
        const { rows } = await pool.query<{ xmin: string; xmax: string }>(
          'SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() s',
        );
        const { xmin, xmax } = rows[0]!;
        if (xmin === xmax) {
          // Nothing older still runs: the commit is readable now — perhaps only since the
          // announcement above, if an older transaction ended in between (on a loaded machine the
          // snapshot is read a while after the notification). Say so again, or a reader that found
          // nothing then would wait for the next commit.
          onCommit();
          return;
        }
        const next = BigInt(xmax);
        if (target === undefined || next > target) target = next;
        void settle();
      };
      // The listening connection can drop (a server restart, a failover, an idle timeout): a
      // checked-out pg client then emits 'error', which would crash the process if nobody
      // listened. Each drop releases the broken client and listens again with backoff; every
      // (re)start of listening announces once, for commits made while nobody was listening.
      const announce = () => {
        try {
          if (!stopped) onCommit();
        } catch {
          // The caller's callback failing must not stop the listener.
        }
      };
      let detach: (() => void) | undefined;
      const listen = async () => {
        let delay = 50;
        while (!stopped) {
          let c: pg.PoolClient | undefined;
          let lostWith: (error: Error) => void = () => undefined;
          const lost = new Promise<Error>((resolve) => {
            lostWith = resolve;
          });
          try {
            await ready();
            c = await pool.connect();
            const conn = c;
            const onError = (error: Error) => lostWith(error);
            const onEnd = () => lostWith(new AdapterError('PostgreSQL listening connection ended'));
            const onNotification = () => {
              if (!stopped) notified().catch(() => undefined);
            };
            conn.on('error', onError);
            conn.on('end', onEnd);
            conn.on('notification', onNotification);
            detach = () => {
              conn.off('error', onError);
              conn.off('end', onEnd);
              conn.off('notification', onNotification);
            };
            if (stopped) {
              detach();
              conn.release();
              return;
            }
            await conn.query(`LISTEN "${schema}_events"`);
            if (stopped) {
              // Unwatched while LISTEN ran: unwatch did not see this connection; close it.
              detach();
              conn.release(true);
              return;
            }
            client = conn;
            delay = 50;
            announce();
            const error = await lost;
            if (stopped) return; // unwatch has released it
            client = undefined;
            detach();
            conn.release(error);
          } catch (error) {
            if (stopped && client === c) return;
            client = undefined;
            detach?.();
            c?.release(error as Error);
            if (stopped) return;
          }
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      };
      void listen();
      return () => {
        stopped = true;
        const c = client;
        client = undefined;
        if (c) {
          c.query(`UNLISTEN "${schema}_events"`)
            .catch(() => undefined)
            .finally(() => {
              detach?.();
              c.release();
            });
        }
      };
    },
  };
}
