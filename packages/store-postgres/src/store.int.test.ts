import { fileURLToPath } from 'node:url';
import { type Actor, createHelpdesk, type NewEvent, type StoredEvent } from '@tessera/core';
import {
  emailMessageIds,
  expectConsistentAfterKill,
  expectWriterLog,
  hearWriter,
  indexedSummary,
  rebuildWithEmail,
  runScript,
  seedRebuildTickets,
  type WriterSaid,
  waitFor,
} from '@tessera/testing';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type PostgresStore, postgresStore } from './store';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('../test/writer.ts', import.meta.url));
const url = () => inject('pgUrl');
const schemas: string[] = [];
let n = 0;
const schemaName = (label: string) => {
  const name = `${label}_${process.pid}_${++n}`;
  schemas.push(name);
  return name;
};
afterAll(async () => {
  const admin = new pg.Client({ connectionString: url() });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const run = (args: string[]) => runScript(writer, args, { cwd: root });

const event = (label: string): NewEvent => ({
  type: 'TagsChanged',
  data: { added: [label], removed: [] },
  eventId: label,
  occurredAt: '2026-01-01T00:00:00.000Z',
  actor: { kind: 'system', id: 'test' },
  schemaVersion: 1,
});

type TicketRow = { id: string; version: number; tags: string[]; body: string } & Record<string, unknown>;
const ticketRows = async (store: PostgresStore, schema: string) =>
  new Map(
    (await store.pool.query<TicketRow>(`SELECT * FROM "${schema}".tickets ORDER BY id`)).rows.map((r) => [
      r.id,
      r,
    ]),
  );
const messageRows = async (store: PostgresStore, schema: string) =>
  (
    await store.pool.query<{ message_id: string; ticket_id: string }>(
      `SELECT * FROM "${schema}".messages ORDER BY message_id`,
    )
  ).rows;
/**
 * Waits until every transaction that began before now has ended. `readAll` holds back commits of
 * transactions at or above the cluster's xmin, so another test's transaction running on the same
 * server could otherwise hide the killed writer's last commits (whose index rows are visible).
 */
async function settled(store: PostgresStore) {
  const xid = async (sql: string) => BigInt((await store.pool.query<{ x: string }>(sql)).rows[0]!.x);
  const horizon = await xid('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x');
  await waitFor(
    async () => (await xid('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x')) >= horizon,
    {
      what: 'the transactions running at the kill to end',
    },
  );
}

/** After a kill, `expectConsistentAfterKill` on this schema's tables (tags from the `tags` column). */
async function expectConsistent(store: PostgresStore, schema: string, said: WriterSaid) {
  await settled(store);
  const events = await store.events.readAll();
  const { streams, lagging } = await expectConsistentAfterKill(
    {
      events,
      rows: await ticketRows(store, schema),
      checkpoint: await store.index.checkpoint(),
      messageRows: await messageRows(store, schema),
      messages: store.messages,
    },
    said,
  );
  return { events, streams, lagging };
}

/**
 * Rebuild after kills: every row becomes the summary of its whole stream, rows that were current
 * come back unchanged (every column), the checkpoint is the end of the log, and every Message-ID
 * in the log is in the MessageIndex (also those a writer died before recording).
 */
async function expectRebuildKeeps(store: PostgresStore, schema: string, said: WriterSaid) {
  const { events, streams, lagging } = await expectConsistent(store, schema, said);
  const before = await ticketRows(store, schema);
  // As a desk with the email channel rebuilds: core's index, the channel's Message-IDs.
  await rebuildWithEmail(store);
  const after = await ticketRows(store, schema);
  const tickets = [...streams].filter(([id]) => !id.startsWith('batch-'));
  expect([...after.keys()].sort()).toEqual(tickets.map(([id]) => id.slice('ticket-'.length)).sort());
  for (const [streamId, list] of tickets) {
    const id = streamId.slice('ticket-'.length);
    expect(JSON.parse(after.get(id)!.body), id).toEqual(indexedSummary(list));
    if (!lagging.has(id))
      expect(after.get(id), `${id}: the rebuilt row differs from the live one`).toEqual(before.get(id));
    for (const messageId of emailMessageIds(list))
      expect(await store.messages.get(messageId), messageId).toBe(id);
  }
  expect(await store.index.checkpoint()).toBe(events.at(-1)!.position);
  return { tickets: tickets.length, lagging: lagging.size };
}

describe('global order under concurrent writers', () => {
  it('does not skip a transaction that commits after a later one: the tail waits for it', async () => {
    const store = postgresStore({ connectionString: url(), schema: schemaName('order') });
    await store.ready();
    const schema = schemas.at(-1)!;
    const slow = new pg.Client({ connectionString: url() });
    await slow.connect();
    try {
      // Transaction 1 takes the first sequence number and stays open…
      await slow.query('BEGIN');
      await slow.query(`SELECT * FROM "${schema}".append($1, 0, $2, $3, $4)`, [
        'ticket-slow',
        ['slow'],
        ['TagsChanged'],
        [JSON.stringify(event('slow'))],
      ]);
      // …while transaction 2 takes the next one and commits first.
      await store.events.append('ticket-fast', [event('fast')], { expectedVersion: 'no-stream' });
      const tail = await store.events.readAll();
      expect(tail.map((e) => e.eventId)).toEqual([]); // a naive ORDER BY position reader would return 'fast' and later skip 'slow'
      await slow.query('COMMIT');
    } finally {
      // A transaction left open would hold back every reader of the cluster, in every other test.
      await slow.end();
    }
    // Another test's transaction may hold both back a moment longer.
    let after: StoredEvent[] = [];
    await waitFor(
      async () => {
        after = await store.events.readAll();
        return after.length === 2;
      },
      { what: 'both commits to be readable' },
    );
    expect(after.map((e) => e.eventId).sort()).toEqual(['fast', 'slow']);
    expect(after.map((e) => e.position)).toEqual([...after.map((e) => e.position)].sort());
    await store.close();
  });

  it('watch: a commit whose older transaction ends right after the notification is announced once readable', async () => {
    // The race of a loaded machine: the older transaction ends between the notification and the
    // watcher's look at the snapshot, which then finds nothing older running.
    const store = postgresStore({ connectionString: url(), schema: schemaName('watchrace') });
    await store.ready();
    const blocker = new pg.Client({ connectionString: url() });
    await blocker.connect();
    let calls = 0;
    let release: (() => void) | undefined;
    const unwatch = store.events.watch!(() => {
      calls++;
      release?.();
    });
    try {
      await store.events.append('ticket-warm', [event('warm')], { expectedVersion: 'no-stream' });
      await waitFor(() => calls > 0, { what: 'the watcher to listen' });
      let last: string | undefined;
      await waitFor(
        async () => {
          last = (await store.events.readAll()).find((e) => e.eventId === 'warm')?.position;
          return last !== undefined;
        },
        { what: 'the warm-up to be readable' },
      );
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      // The first announcement of the held commit ends the older transaction at once.
      let committed: Promise<unknown> | undefined;
      release = () => {
        release = undefined;
        committed = blocker.query('COMMIT');
      };
      const before = calls;
      await store.events.append('ticket-held', [event('held')], { expectedVersion: 'no-stream' });
      await waitFor(() => committed !== undefined, { what: 'the held commit to be announced' });
      await committed;
      // Once it is readable, a reader that is told of a commit finds it.
      await waitFor(
        async () => calls > before + 1 && (await store.events.readAll({ after: last! })).length === 1,
        { what: 'an announcement once the commit is readable' },
      );
      expect((await store.events.readAll({ after: last! })).map((e) => e.eventId)).toEqual(['held']);
    } finally {
      await blocker.end();
      unwatch();
      await store.close();
    }
  });

  it('watch: a commit held back by an older transaction that never notifies is announced once it is readable', async () => {
    const store = postgresStore({ connectionString: url(), schema: schemaName('watchheld') });
    await store.ready();
    let calls = 0;
    const unwatch = store.events.watch!(() => {
      calls++;
    });
    // Listening has begun once the watcher announces (it does so each time it starts to listen).
    await store.events.append('ticket-warm', [event('warm')], { expectedVersion: 'no-stream' });
    await waitFor(() => calls > 0, { what: 'the watcher to listen' });
    // Another test's transaction may hold the warm-up back for a moment: read from after it.
    let last: string | undefined;
    await waitFor(
      async () => {
        last = (await store.events.readAll()).find((e) => e.eventId === 'warm')?.position;
        return last !== undefined;
      },
      { what: 'the warm-up to be readable' },
    );
    // An unrelated writing transaction (say another process's index upsert) takes an older id…
    const blocker = new pg.Client({ connectionString: url() });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      // …while an append commits and notifies: readers must hold it back for now.
      const before = calls;
      await store.events.append('ticket-held', [event('held')], { expectedVersion: 'no-stream' });
      await waitFor(() => calls > before, { what: 'the held commit to be announced' });
      expect(await store.events.readAll({ after: last! })).toEqual([]);
      const announced = calls;
      // The blocker commits without appending (no NOTIFY of its own): the watcher must still say so.
      await blocker.query('COMMIT');
      await waitFor(() => calls > announced, { what: 'the commit to be announced once readable' });
      const tail = await store.events.readAll({ after: last! });
      expect(tail.map((e) => e.eventId)).toEqual(['held']);
    } finally {
      // A transaction left open would hold back every reader of the cluster, in every other test.
      await blocker.end();
    }
    unwatch();
    await store.close();
  });

  it('watch: the listening connection dropped by the server is replaced, without crashing, and commits are announced again', async () => {
    const schema = schemaName('watchdrop');
    const app = `tessera_${schema}`;
    const sep = url().includes('?') ? '&' : '?';
    const store = postgresStore({ connectionString: `${url()}${sep}application_name=${app}`, schema });
    await store.ready();
    let calls = 0;
    const unwatch = store.events.watch!(() => {
      calls++;
    });
    const until = (cond: () => boolean | Promise<boolean>, what: string) => waitFor(cond, { what });
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    const listeners = async () =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`,
          [`LISTEN "${schema}_events"`],
        )
      ).rows.map((r) => r.pid);
    await until(async () => (await listeners()).length === 1, 'the listener to connect');
    const [first] = await listeners();
    expect(first).toBeDefined();
    // The server ends every session of the store — the listener and the pool's idle connections —
    // as a restart or a failover would.
    await store.events.append('ticket-before-drop', [event('before-drop')], { expectedVersion: 'no-stream' });
    const { rows: ended } = await admin.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity WHERE application_name = $1`,
      [app],
    );
    expect(ended.length).toBeGreaterThan(1);
    await until(async () => {
      const now = await listeners();
      return now.length === 1 && now[0] !== first;
    }, 'a new listening session');
    const [second] = await listeners();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    // The store works on fresh connections, and a commit from another is announced through the new session.
    await store.events.append('ticket-mine-after-drop', [event('mine-after-drop')], {
      expectedVersion: 'no-stream',
    });
    const before = calls;
    const other = postgresStore({ connectionString: url(), schema });
    await other.events.append('ticket-after-drop', [event('after-drop')], { expectedVersion: 'no-stream' });
    await until(() => calls > before, 'the commit to be announced through the new session');
    unwatch();
    await until(async () => (await listeners()).length === 0, 'the listener to be gone');
    expect(await listeners()).toEqual([]);
    await admin.end();
    await other.close();
    await store.close();
  });

  it('a reader tailing while 16 connections write concurrently sees every event exactly once, in one order', async () => {
    const store = postgresStore({ connectionString: url(), schema: schemaName('tail') });
    const writers = Array.from({ length: 16 }, () =>
      postgresStore({ connectionString: url(), schema: schemas.at(-1)! }),
    );
    await store.ready();
    const seen: StoredEvent[] = [];
    let after: string | undefined;
    let done = false;
    // Commits stay invisible while any older transaction in the cluster runs: keep polling.
    const reader = waitFor(
      async () => {
        const page = await store.events.readAll({ ...(after ? { after } : {}), limit: 100 });
        if (page.length) {
          seen.push(...page);
          after = page.at(-1)!.position;
        }
        return page.length === 0 && done && seen.length >= 16 * 25 * 2;
      },
      { what: 'the tailing reader to see every event' },
    );
    await Promise.all(
      writers.map(async (w, i) => {
        for (let k = 0; k < 25; k++)
          await w.events.append(`ticket-w${i}`, [event(`${i}-${k}a`), event(`${i}-${k}b`)], {
            expectedVersion: 'any',
          });
      }),
    );
    done = true;
    await reader;
    const all = await store.events.readAll();
    expect(seen.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    expect(all).toHaveLength(16 * 25 * 2);
    expectWriterLog(all);
    await Promise.all([store, ...writers].map((s) => s.close()));
  });
});

describe('several desks in separate processes on one database', () => {
  it('commands on the same tickets at once all land: nothing lost, nothing doubled', async () => {
    const schema = schemaName('desks');
    const store = postgresStore({ connectionString: url(), schema });
    const desk = createHelpdesk({ store });
    const admin: Actor = { kind: 'admin', id: 'root' };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await desk.execute(
            { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: `s${i}`, body: 'b' },
            { actor: admin },
          )
        ).ticket.id,
      );
    }
    const runs = ['p1', 'p2', 'p3', 'p4'].map((id) => run([url(), schema, 'desks', id, ids.join(','), '10']));
    const codes = await Promise.all(runs.map((r) => r.exited));
    for (const r of runs) expect(r.errors()).toBe('');
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(runs.map((r) => r.output().trim())).toEqual(['ok 30', 'ok 30', 'ok 30', 'ok 30']);
    for (const id of ids) {
      const events = await store.events.readStream(`ticket-${id}`);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      const notes = events
        .filter((e) => e.type === 'MessagePosted')
        .map((e) => (e.data as { body: string }).body);
      expect(notes).toHaveLength(1 + 40);
      expect(new Set(notes).size).toBe(notes.length);
    }
    await store.close();
  }, 120_000);

  it('LISTEN/NOTIFY: a desk in one process sees commits made in another', async () => {
    const schema = schemaName('listen');
    const store = postgresStore({ connectionString: url(), schema });
    await store.ready();
    const listener = run([url(), schema, 'listen', 'l1', '60000']);
    const admin = new pg.Client({ connectionString: url() });
    await admin.connect();
    // The child has subscribed once its session runs LISTEN (printing 'listening' comes earlier).
    await waitFor(
      async () =>
        (await admin.query('SELECT 1 FROM pg_stat_activity WHERE query = $1', [`LISTEN "${schema}_events"`]))
          .rowCount === 1,
      { what: 'the other process to listen' },
    );
    await admin.end();
    const desk = createHelpdesk({ store });
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c1' }, subject: 's', body: 'b' },
      { actor: { kind: 'admin', id: 'root' } },
    );
    await waitFor(() => listener.output().includes(`event ticket-${ticket.id} 2`), {
      what: 'the other process to hear both events',
    });
    listener.child.kill('SIGKILL');
    expect(listener.output()).toContain(`event ticket-${ticket.id} 1`);
    expect(listener.output()).toContain(`event ticket-${ticket.id} 2`);
    await store.close();
  }, 60_000);
});

describe('faults', () => {
  it('survives a writer killed with SIGKILL, 50 times: after each kill the log is intact and the index and MessageIndex agree with it; rebuild keeps them', async () => {
    const schema = schemaName('fault');
    const setup = postgresStore({ connectionString: url(), schema });
    await setup.ready();
    await setup.close();
    const said: WriterSaid = { indexed: new Map(), messages: new Map() };
    let rebuilt = { tickets: 0, lagging: 0 };
    for (let round = 0; round < 50; round++) {
      const r = run([url(), schema, 'loop', `k${round}`]);
      // Every fourth writer dies early (just after it started); the others once they have recorded
      // a Message-ID, so each of those rounds adds at least a ticket and a Message-ID however slow
      // the machine is. The delay after that only varies where in its loop the writer dies.
      const progress = round % 4 === 0 ? 'ready' : 'message ';
      await waitFor(() => r.output().includes(progress) || r.closed(), {
        what: `writer k${round} to say ${progress}`,
      });
      await new Promise((res) => setTimeout(res, 10 + ((round * 37) % 80)));
      r.child.kill('SIGKILL');
      await r.exited;
      expect(r.errors()).toBe('');
      hearWriter(r.output(), said);
      const store = postgresStore({ connectionString: url(), schema });
      if (round % 10 === 9) rebuilt = await expectRebuildKeeps(store, schema, said);
      else await expectConsistent(store, schema, said);
      await store.close();
    }
    // 37 of the 50 rounds ran until a ticket had a Message-ID recorded.
    expect(rebuilt.tickets).toBeGreaterThanOrEqual(37);
    expect(said.messages.size).toBeGreaterThanOrEqual(37);
  }, 600_000); // 50 child processes: generous for a loaded 2-core machine

  it('rebuild reproduces the live index byte for byte: rows, tags, checkpoint, Message-IDs', async () => {
    const schema = schemaName('rebuild');
    const store = postgresStore({ connectionString: url(), schema });
    let t = Date.parse('2026-01-01T00:00:00Z');
    const desk = createHelpdesk({
      store,
      clock: {
        now: () => {
          t += 1000;
          return new Date(t);
        },
      },
    });
    expect(await seedRebuildTickets(desk, store.messages, 20)).toBe(20 + 5);
    const dump = async () => ({
      query: JSON.stringify(
        await store.index.query({ limit: 500, sort: { field: 'number', direction: 'asc' } }),
      ),
      tickets: [...(await ticketRows(store, schema)).values()],
      checkpoint: await store.index.checkpoint(),
      messages: await messageRows(store, schema),
    });
    const live = await dump();
    expect(JSON.parse(live.query).items).toHaveLength(20);
    expect(live.messages).toHaveLength(20 + 5);
    // A lost MessageIndex comes back too.
    await store.pool.query(`DELETE FROM "${schema}".messages`);
    await settled(store);
    await rebuildWithEmail(store);
    expect(await dump()).toEqual(live);
    await store.close();
  });
});
