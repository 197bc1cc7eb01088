import {
  AdapterError,
  type BlobRef,
  type BlobStore,
  ConflictError,
  decodeCursor,
  type EventStore,
  encodeCursor,
  type MessageIndex,
  PRIORITIES,
  queryLimit,
  querySort,
  type Store,
  type StoredEvent,
  type TicketFilter,
  type TicketIndex,
  type TicketSummary,
  ValidationError,
} from '@tessera/core';
import pg from 'pg';
import { migrations } from './schema';

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

const RANK: Record<string, number> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i]));
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

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
        if (current > steps.length)
          throw new Error(`schema ${schema} has version ${current}, newer than this @tessera/store-postgres`);
        for (let v = current; v < steps.length; v++) {
          await client.query('BEGIN');
          await client.query(steps[v]!);
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

  type EventRow = { stream_id: string; version: number; pos: string; tx: string; body: string };
  const toStored = (row: EventRow): StoredEvent => {
    const event = JSON.parse(row.body) as StoredEvent;
    event.streamId = row.stream_id;
    event.version = row.version;
    event.position = position(row.tx, row.pos);
    return event;
  };

  const events: EventStore = {
    async append(streamId, batch, opts) {
      if (batch.length === 0)
        throw new ValidationError([{ path: 'events', message: 'append needs at least one event' }]);
      const bodies = batch.map((event, i) => {
        let json: string | undefined;
        try {
          json = JSON.stringify(event);
        } catch (cause) {
          throw new AdapterError(`event ${i} of the batch cannot be stored as JSON`, { cause });
        }
        if (json === undefined) throw new AdapterError(`event ${i} of the batch cannot be stored as JSON`);
        return json;
      });
      const expected =
        opts.expectedVersion === 'any' ? -1 : opts.expectedVersion === 'no-stream' ? 0 : opts.expectedVersion;
      await ready();
      for (let attempt = 0; ; attempt++) {
        try {
          const { rows } = await pool.query<{ out_position: string; out_tx: string; out_version: number }>(
            `SELECT * FROM ${s}.append($1, $2, $3, $4, $5)`,
            [streamId, expected, batch.map((e) => e.eventId), batch.map((e) => e.type), bodies],
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
        [streamId, opts.fromVersion ?? 1],
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
        [sequence],
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
        if (xmin === xmax) return; // nothing older still runs: the commit is readable now
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
            const onEnd = () => lostWith(new Error('the listening connection ended'));
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

  const index: TicketIndex = {
    async upsert(summary, pos) {
      const r = row(summary);
      await q(
        'index upsert',
        `WITH up AS (
           INSERT INTO ${s}.tickets (id, tenant_id, number, subject_lc, status, category, type, team, assignee, priority,
             priority_rank, tags, requester_id, organization, channel, created_at, updated_at, last_customer_message_at,
             awaiting_agent, sla_breached, sla_at_risk, sla_next_deadline, due_at, version, body)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)
           ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id, number = excluded.number,
             subject_lc = excluded.subject_lc, status = excluded.status, category = excluded.category, type = excluded.type,
             team = excluded.team, assignee = excluded.assignee, priority = excluded.priority,
             priority_rank = excluded.priority_rank, tags = excluded.tags, requester_id = excluded.requester_id,
             organization = excluded.organization, channel = excluded.channel, created_at = excluded.created_at,
             updated_at = excluded.updated_at, last_customer_message_at = excluded.last_customer_message_at,
             awaiting_agent = excluded.awaiting_agent, sla_breached = excluded.sla_breached,
             sla_at_risk = excluded.sla_at_risk, sla_next_deadline = excluded.sla_next_deadline, due_at = excluded.due_at,
             version = excluded.version, body = excluded.body
           WHERE ${s}.tickets.version <= excluded.version
           RETURNING 1)
         INSERT INTO ${s}.checkpoint (id, position) SELECT 1, $26 WHERE $26::text IS NOT NULL
         ON CONFLICT (id) DO UPDATE SET position = excluded.position
         WHERE ${s}.checkpoint.position IS NULL OR excluded.position > ${s}.checkpoint.position`,
        [...r, pos ?? null],
      );
    },
    async get(id) {
      const { rows } = await q<{ body: string }>('index get', `SELECT body FROM ${s}.tickets WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? (JSON.parse(rows[0].body) as TicketSummary) : undefined;
    },
    async query(query) {
      const { field, direction } = querySort(query);
      const limit = queryLimit(query);
      const params: unknown[] = [];
      const where: string[] = [];
      if (query.filter) {
        const clause = filterSql(query.filter, params);
        if (clause) where.push(clause);
      }
      const column = SORT_COLUMNS[field]!;
      if (query.cursor !== undefined) {
        const after = decodeCursor(query.cursor);
        if (!after)
          throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from a previous page' }]);
        params.push(after.id);
        const idParam = `$${params.length}`;
        const op = direction === 'asc' ? '>' : '<';
        if (after.value === undefined) where.push(`(${column} IS NULL AND id ${op} ${idParam})`);
        else {
          params.push(after.value);
          const v = `$${params.length}`;
          where.push(
            NOT_NULL.has(column)
              ? `(${column}, id) ${op} (${v}, ${idParam})`
              : `((${column} IS NOT NULL AND (${column} ${op} ${v} OR (${column} = ${v} AND id ${op} ${idParam}))) OR ${column} IS NULL)`,
          );
        }
      }
      params.push(limit + 1);
      const { rows } = await q<{ id: string; sort_value: string | number | null; body: string }>(
        'index query',
        `SELECT id, ${column} AS sort_value, body FROM ${s}.tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${NOT_NULL.has(column) ? '' : `(${column} IS NULL), `}${column} ${direction === 'asc' ? 'ASC' : 'DESC'}, id ${direction === 'asc' ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
        params,
      );
      const items = rows.slice(0, limit).map((r) => JSON.parse(r.body) as TicketSummary);
      const last = rows[limit - 1];
      return rows.length > limit && last
        ? { items, nextCursor: encodeCursor(last.sort_value ?? undefined, last.id) }
        : { items };
    },
    async checkpoint() {
      const { rows } = await q<{ position: string | null }>(
        'checkpoint',
        `SELECT position FROM ${s}.checkpoint WHERE id = 1`,
      );
      return rows[0]?.position ?? undefined;
    },
    async setCheckpoint(pos) {
      await q(
        'checkpoint',
        `INSERT INTO ${s}.checkpoint (id, position) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET position = excluded.position`,
        [pos],
      );
    },
    async clear() {
      await q('index clear', `TRUNCATE ${s}.tickets, ${s}.checkpoint`);
    },
  };

  const messages: MessageIndex = {
    async put(messageId, ticketId) {
      const { rowCount } = await q(
        'message put',
        `INSERT INTO ${s}.messages (message_id, ticket_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [messageId, ticketId],
      );
      return (rowCount ?? 0) > 0;
    },
    async get(messageId) {
      const { rows } = await q<{ ticket_id: string }>(
        'message get',
        `SELECT ticket_id FROM ${s}.messages WHERE message_id = $1`,
        [messageId],
      );
      return rows[0]?.ticket_id;
    },
  };

  const blobs: BlobStore = {
    async put(bytes, meta): Promise<BlobRef> {
      const id = `blob-${crypto.randomUUID()}`;
      await q(
        'blob put',
        `INSERT INTO ${s}.blobs (id, content_type, filename, size, bytes) VALUES ($1, $2, $3, $4, $5)`,
        [id, meta.contentType, meta.filename ?? null, bytes.byteLength, Buffer.from(bytes)],
      );
      return { id, size: bytes.byteLength, contentType: meta.contentType };
    },
    async get(ref) {
      const { rows } = await q<{ bytes: Buffer }>('blob get', `SELECT bytes FROM ${s}.blobs WHERE id = $1`, [
        typeof ref === 'string' ? ref : ref.id,
      ]);
      return rows[0] ? new Uint8Array(rows[0].bytes) : undefined;
    },
  };

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

/** Columns that are never NULL sort without the "missing last" term, so their indexes serve the order. */
const NOT_NULL = new Set(['number', 'created_at', 'updated_at', 'priority_rank']);

const SORT_COLUMNS: Record<string, string> = {
  number: 'number',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  priority: 'priority_rank',
  lastCustomerMessageAt: 'last_customer_message_at',
  slaNextDeadline: 'sla_next_deadline',
  dueAt: 'due_at',
};

function row(t: TicketSummary): unknown[] {
  return [
    t.id,
    t.tenantId ?? null,
    t.number,
    t.subject.toLowerCase(),
    t.status,
    t.category,
    t.type ?? null,
    t.team ?? null,
    t.assignee ?? null,
    t.priority,
    RANK[t.priority] ?? 1,
    [...new Set(t.tags)],
    t.requester.id,
    t.organization ?? null,
    t.channel,
    t.createdAt,
    t.updatedAt,
    t.lastCustomerMessageAt ?? null,
    t.awaitingAgent,
    t.sla?.breached ?? false,
    t.sla?.atRisk ?? false,
    t.sla?.nextDeadline ?? null,
    t.dueAt ?? null,
    t.version,
    JSON.stringify(t),
  ];
}

function oneOf(column: string, value: unknown, params: unknown[]): string {
  const list = Array.isArray(value) ? value : [value];
  const present = list.filter((v) => v !== null);
  const parts: string[] = [];
  const type = column === 'number' ? 'int' : 'text';
  if (present.length === 1) {
    params.push(present[0]);
    parts.push(`${column} = $${params.length}::${type}`);
  } else if (present.length > 1) {
    params.push(present);
    parts.push(`${column} = ANY($${params.length}::${type}[])`);
  }
  if (present.length < list.length) parts.push(`${column} IS NULL`);
  return parts.length === 0 ? 'FALSE' : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/** The WHERE clause of a TicketFilter; semantics as `matchesTicketFilter` in core. */
function filterSql(f: TicketFilter, params: unknown[]): string {
  const c: string[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (f.tenantId !== undefined)
    c.push(f.tenantId === null ? 'tenant_id IS NULL' : `tenant_id = ${p(f.tenantId)}`);
  if (f.ids !== undefined) c.push(oneOf('id', f.ids, params));
  if (f.numbers !== undefined) c.push(oneOf('number', f.numbers, params));
  if (f.status !== undefined) c.push(oneOf('status', f.status, params));
  if (f.category !== undefined) c.push(oneOf('category', f.category, params));
  if (f.type !== undefined) c.push(oneOf('type', f.type, params));
  if (f.team !== undefined) c.push(oneOf('team', f.team, params));
  if (f.assignee !== undefined) c.push(oneOf('assignee', f.assignee, params));
  if (f.priority !== undefined) c.push(oneOf('priority', f.priority, params));
  if (f.channel !== undefined) c.push(oneOf('channel', f.channel, params));
  if (f.requesterId !== undefined) c.push(oneOf('requester_id', f.requesterId, params));
  if (f.organization !== undefined) c.push(oneOf('organization', f.organization, params));
  if (f.tags !== undefined && f.tags.length > 0) c.push(`tags @> ${p(f.tags)}::text[]`);
  if (f.text !== undefined) c.push(`strpos(subject_lc, ${p(f.text.toLowerCase())}) > 0`);
  if (f.awaitingAgent !== undefined) c.push(`awaiting_agent = ${p(f.awaitingAgent)}`);
  const cmp = (column: string, op: string, value: string | undefined) => {
    if (value !== undefined) c.push(`(${column} IS NOT NULL AND ${column} ${op} ${p(value)})`);
  };
  cmp('created_at', '>', f.createdAfter);
  cmp('created_at', '<', f.createdBefore);
  cmp('updated_at', '>', f.updatedAfter);
  cmp('updated_at', '<', f.updatedBefore);
  if (f.slaBreached !== undefined) c.push(`sla_breached = ${p(f.slaBreached)}`);
  if (f.slaAtRisk !== undefined) c.push(`sla_at_risk = ${p(f.slaAtRisk)}`);
  cmp('sla_next_deadline', '<=', f.slaDeadlineBefore);
  cmp('due_at', '<=', f.dueBefore);
  if (f.anyOf !== undefined) {
    const alternatives = f.anyOf.map((sub) => filterSql(sub, params) || 'TRUE');
    c.push(alternatives.length === 0 ? 'FALSE' : `(${alternatives.map((a) => `(${a})`).join(' OR ')})`);
  }
  return c.join(' AND ');
}
