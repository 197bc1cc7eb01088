/**
 * Storage benchmarks, side by side in one run on the same workload: append ticket commands as
 * events (one stream per ticket, one append per command), read every stream back and replay it.
 * SQLite: Tessera vs Emmett's SQLite event store vs raw better-sqlite3 inserts (the floor).
 * PostgreSQL: Tessera vs Emmett's PostgreSQL event store, with 1 and 8 concurrent writers.
 * Then cost growth of the SQLite and PostgreSQL stores at 10k, 100k and 1M tickets.
 * Run: pnpm build && node --import tsx bench/store.bench.ts   (BENCH_TICKETS, BENCH_GROWTH shrink it)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import { type Actor, fold, type NewEvent, type StoredEvent, toSummary } from '@tessera/core';
import { postgresStore } from '@tessera/store-postgres';
import { sqliteStore } from '@tessera/store-sqlite';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPostgres } from '../packages/store-postgres/test/pg-server';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 2000);
const GROWTH = (process.env.BENCH_GROWTH ?? '10000,100000,1000000').split(',').map(Number);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const agent: Actor = { kind: 'agent', id: 'a1' };
const customer: Actor = { kind: 'customer', id: 'c1' };

/** The commands of one ticket, as the event batches they append. */
function ticketBatches(t: number): NewEvent[][] {
  const at = '2026-01-01T00:00:00.000Z';
  let k = 0;
  const ev = (type: string, data: unknown, actor: Actor = agent) =>
    ({ type, data, eventId: `t${t}e${k++}`, occurredAt: at, actor, schemaVersion: 1 }) as NewEvent;
  return [
    [
      ev(
        'TicketOpened',
        {
          ticketId: `${t}`,
          number: t + 1,
          subject: `Ticket ${t}`,
          channel: 'email',
          requester: { id: 'c1' },
          workflowId: 'default',
          status: 'new',
          category: 'new',
          priority: 'normal',
          tags: [],
          fields: {},
        },
        customer,
      ),
      ev(
        'MessagePosted',
        {
          messageId: `m${t}a`,
          author: customer,
          visibility: 'public',
          body: 'The export button does nothing since this morning.',
          channel: 'email',
          attachments: [],
        },
        customer,
      ),
    ],
    [ev('Assigned', { assignee: 'a1', team: 'support', strategy: 'manual' })],
    [
      ev('MessagePosted', {
        messageId: `m${t}b`,
        author: agent,
        visibility: 'public',
        body: 'Fixed in today’s release, please retry.',
        channel: 'email',
        attachments: [],
      }),
      ev('StatusChanged', {
        from: 'new',
        to: 'open',
        fromCategory: 'new',
        category: 'open',
        reason: 'agent-reply',
      }),
    ],
    [ev('PriorityChanged', { from: 'normal', to: 'high' })],
    [
      ev('StatusChanged', {
        from: 'open',
        to: 'solved',
        fromCategory: 'open',
        category: 'solved',
        reason: 'manual',
      }),
    ],
  ];
}
const workload = Array.from({ length: TICKETS }, (_, t) => ticketBatches(t));
const totalEvents = workload.flat(2).length;

interface Contender {
  name: string;
  append(stream: string, events: NewEvent[], expected: number): Promise<void>;
  read(stream: string): Promise<StoredEvent[]>;
  close(): Promise<void>;
}

async function measure(c: Contender, writers: number) {
  const queue = workload.map((batches, t) => ({ batches, t }));
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < queue.length; i += writers) {
        const { batches, t } = queue[i]!;
        let version = 0;
        for (const batch of batches) {
          await c.append(`ticket-${t}`, batch, version);
          version += batch.length;
        }
      }
    }),
  );
  const appendS = (performance.now() - start) / 1000;
  const readStart = performance.now();
  let replayed = 0;
  for (let t = 0; t < TICKETS; t++) {
    const events = await c.read(`ticket-${t}`);
    const ticket = fold(events);
    if (ticket?.status !== 'solved') throw new Error(`${c.name}: ticket ${t} replayed to ${ticket?.status}`);
    replayed += events.length;
  }
  const readS = (performance.now() - readStart) / 1000;
  return { appends: totalEvents / appendS, commands: (TICKETS * 5) / appendS, replay: replayed / readS };
}

type Measured = Awaited<ReturnType<typeof measure>>;
/** A contender's figures, or why it could not finish: a crashing competitor is a row, not the end of the run. */
type Row = [string, Measured | { crashed: string }];

async function run(c: Contender, writers: number): Promise<Row> {
  try {
    return [c.name, await measure(c, writers)];
  } catch (error) {
    return [c.name, { crashed: error instanceof Error ? error.message.split('\n')[0]! : String(error) }];
  } finally {
    await c.close().catch(() => undefined);
  }
}

function print(rows: Row[]) {
  console.log(
    `  ${'store'.padEnd(44)} ${'events/s'.padStart(10)} ${'appends/s'.padStart(10)} ${'replay ev/s'.padStart(12)}`,
  );
  for (const [name, r] of rows)
    console.log(
      'crashed' in r
        ? `  ${name.padEnd(44)} crashed: ${r.crashed}`
        : `  ${name.padEnd(44)} ${fmt(r.appends).padStart(10)} ${fmt(r.commands).padStart(10)} ${fmt(r.replay).padStart(12)}`,
    );
}

/** "a× appends, b× replay" of two rows, or why there is no ratio. */
function ratio(a: Row, b: Row, what: 'appends' | 'replay'): string {
  const [x, y] = [a[1], b[1]];
  if ('crashed' in x || 'crashed' in y) return `no ${what} ratio (${'crashed' in x ? a[0] : b[0]} crashed)`;
  return `${(x[what] / y[what]).toFixed(1)}× ${what}`;
}

/** Emmett's stores speak { type, data } events with metadata; the replay maps them back to ours. */
function emmett(
  name: string,
  store: ReturnType<typeof getSQLiteEventStore> | ReturnType<typeof getPostgreSQLEventStore>,
  close: () => Promise<void>,
): Contender {
  return {
    name,
    async append(stream, events, expected) {
      await store.appendToStream(
        stream,
        events.map((e) => ({
          type: e.type,
          data: e.data as Record<string, unknown>,
          metadata: { eventId: e.eventId, occurredAt: e.occurredAt, actor: e.actor },
        })),
        { expectedStreamVersion: expected === 0 ? 'STREAM_DOES_NOT_EXIST' : BigInt(expected) } as never,
      );
    },
    async read(stream) {
      const { events } = await store.readStream(stream);
      return events.map((e, i) => {
        const m = e.metadata as unknown as { eventId: string; occurredAt: string; actor: Actor };
        return {
          type: e.type,
          data: e.data,
          eventId: m.eventId,
          occurredAt: m.occurredAt,
          actor: m.actor,
          schemaVersion: 1,
          streamId: stream,
          version: i + 1,
          position: '',
        } as StoredEvent;
      });
    },
    close,
  };
}

async function sqliteRound() {
  console.log(
    `\nSQLite (file, WAL), ${fmt(TICKETS)} tickets, ${fmt(TICKETS * 5)} appends, ${fmt(totalEvents)} events, 1 writer`,
  );
  const ours = sqliteStore({ filename: join(dir, 'tessera.db') });
  const tessera: Contender = {
    name: 'Tessera sqliteStore',
    append: async (s, e, v) =>
      void (await ours.events.append(s, e, { expectedVersion: v === 0 ? 'no-stream' : v })),
    read: (s) => ours.events.readStream(s),
    close: () => ours.close(),
  };
  const em = getSQLiteEventStore({
    fileName: join(dir, 'emmett.db'),
    schema: { autoMigration: 'CreateOrUpdate' },
  } as never);
  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.exec(
    'CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL, UNIQUE (stream_id, version))',
  );
  const insert = raw.prepare('INSERT INTO events (stream_id, version, body) VALUES (?, ?, ?)');
  const select = raw.prepare<[string], { version: number; body: string }>(
    'SELECT version, body FROM events WHERE stream_id = ? ORDER BY version',
  );
  const appendRaw = raw.transaction((s: string, events: NewEvent[], v: number) => {
    for (const [i, e] of events.entries()) insert.run(s, v + i + 1, JSON.stringify(e));
  });
  const floor: Contender = {
    name: 'raw better-sqlite3 inserts (floor)',
    append: async (s, e, v) => appendRaw.immediate(s, e, v),
    read: async (s) =>
      select.all(s).map((r) => ({ ...JSON.parse(r.body), streamId: s, version: r.version, position: '' })),
    close: async () => void raw.close(),
  };
  const rows: Row[] = [];
  for (const c of [
    tessera,
    emmett("Emmett's SQLite event store", em, async () => (em as { close?: () => Promise<void> }).close?.()),
    floor,
  ]) {
    rows.push(await run(c, 1));
  }
  print(rows);
  console.log(
    `  Tessera vs Emmett: ${ratio(rows[0]!, rows[1]!, 'appends')}, ${ratio(rows[0]!, rows[1]!, 'replay')}; the floor vs Tessera: ${ratio(rows[2]!, rows[0]!, 'appends')}`,
  );
}

async function postgresRound() {
  const server = process.env.TESSERA_PG_URL ? undefined : await startPostgres();
  const url = process.env.TESSERA_PG_URL ?? server!.url;
  try {
    for (const writers of [1, 8]) {
      console.log(
        `\nPostgreSQL 15 (throwaway cluster, fsync off), ${fmt(TICKETS)} tickets, ${writers} concurrent writer(s)`,
      );
      const ours = postgresStore({ connectionString: url, schema: `bench_${writers}` });
      await ours.ready();
      const tessera: Contender = {
        name: 'Tessera postgresStore',
        append: async (s, e, v) =>
          void (await ours.events.append(s, e, { expectedVersion: v === 0 ? 'no-stream' : v })),
        read: (s) => ours.events.readStream(s),
        close: () => ours.close(),
      };
      // Emmett keeps its tables in `public`: give it a database of its own for each run.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS emmett_${writers}`);
      await admin.query(`CREATE DATABASE emmett_${writers}`);
      await admin.end();
      const em = getPostgreSQLEventStore(url.replace(/\/[^/]*$/, `/emmett_${writers}`), {
        schema: { autoMigration: 'CreateOrUpdate' },
      } as never);
      const rows: Row[] = [];
      for (const c of [tessera, emmett("Emmett's PostgreSQL event store", em, () => em.close())]) {
        rows.push(await run(c, writers));
      }
      print(rows);
      console.log(
        `  Tessera vs Emmett: ${ratio(rows[0]!, rows[1]!, 'appends')}, ${ratio(rows[0]!, rows[1]!, 'replay')}`,
      );
    }
  } finally {
    server?.stop();
  }
}

type GrowthStore = Pick<ReturnType<typeof sqliteStore>, 'events' | 'index' | 'close'>;

/**
 * Fills a store ticket by ticket (one append of two events and one index row each, `writers` at a
 * time) and at each size measures appends/s over the last 5,000 tickets and the median latency of
 * three queries.
 */
async function growthOf(name: string, store: GrowthStore, writers: number, settle?: () => Promise<void>) {
  console.log(
    `\nCost growth, ${name}: appends/s over the last 5,000 tickets (${writers} writer${writers > 1 ? 's' : ''}), and query latency, at each size`,
  );
  const addTicket = async (t: number) => {
    const batch = ticketBatches(t)[0]!;
    await store.events.append(`ticket-${t}`, batch, { expectedVersion: 'no-stream' });
    const summary = toSummary(
      fold(
        batch.map((e, i) => ({
          ...e,
          streamId: `ticket-${t}`,
          version: i + 1,
          position: '',
        })) as StoredEvent[],
      )!,
    );
    if (t % 3 === 0) summary.team = 'support';
    if (t % 7 === 0) summary.assignee = 'a1';
    await store.index.upsert(summary);
  };
  let t = 0;
  for (const size of GROWTH) {
    let windowStart = performance.now();
    let windowFrom = t;
    while (t < size) {
      if (size - t <= 5000 && windowFrom < size - 5000) {
        windowStart = performance.now();
        windowFrom = t;
      }
      const upTo = Math.min(size, t + writers, size - t > 5000 ? size - 5000 : size);
      const work: Promise<void>[] = [];
      for (; t < upTo; t++) work.push(addTicket(t));
      await Promise.all(work);
    }
    const appendRate = (t - windowFrom) / ((performance.now() - windowStart) / 1000);
    await settle?.();
    const time = async (fn: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 50; i++) {
        const s = performance.now();
        await fn();
        samples.push(performance.now() - s);
      }
      return samples.sort((a, b) => a - b)[25]!;
    };
    const queue = await time(() =>
      store.index.query({
        filter: { team: ['support', null], category: ['new', 'open'], assignee: null },
        sort: { field: 'updatedAt' },
        limit: 50,
      }),
    );
    const byNumber = await time(() =>
      store.index.query({ filter: { numbers: [Math.floor(size / 2)] }, limit: 1 }),
    );
    const mine = await time(() =>
      store.index.query({
        // the desk's "mine" queue: newest first
        filter: { assignee: 'a1', category: ['new', 'open'] },
        limit: 50,
      }),
    );
    console.log(
      `  ${fmt(size).padStart(10)} tickets: ${fmt(appendRate).padStart(7)} tickets/s (append + index row); median query: queue ${queue.toFixed(2)} ms, by number ${byNumber.toFixed(2)} ms, mine ${mine.toFixed(2)} ms`,
    );
  }
  await store.close();
}

async function growth() {
  await growthOf('SQLite store', sqliteStore({ filename: join(dir, 'growth.db') }), 1);
}

async function postgresGrowth() {
  const server = process.env.TESSERA_PG_URL ? undefined : await startPostgres();
  const url = process.env.TESSERA_PG_URL ?? server!.url;
  try {
    const store = postgresStore({ connectionString: url, schema: 'bench_growth' });
    await store.ready();
    // Right after a bulk load the planner has no statistics for the new rows and may walk the
    // wrong index; autovacuum analyzes within a minute. Measure queries as they run once it has.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await growthOf(
        'PostgreSQL store (throwaway cluster, fsync off; queries after ANALYZE)',
        store,
        8,
        async () => void (await admin.query('ANALYZE bench_growth.tickets')),
      );
    } finally {
      await admin.end();
    }
  } finally {
    server?.stop();
  }
}

const only = process.env.BENCH_ONLY;
try {
  if (!only || only === 'sqlite') await sqliteRound();
  if (!only || only === 'postgres') await postgresRound();
  if (!only || only === 'growth') await growth();
  if (!only || only === 'growth' || only === 'postgres-growth') await postgresGrowth();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
