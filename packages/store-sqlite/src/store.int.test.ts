import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHelpdesk, fold, type StoredEvent, type TicketSummary, toSummary } from '@tessera/core';
import { expectIntactLog, rebuildWithEmail, runScript, seedRebuildTickets, waitFor } from '@tessera/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from './store';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('../test/writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runScript(writer, args, { cwd: root });

/** The writers append three-event batches to `batch-*` streams, their event ids sharing a prefix. */
const checkLog = (events: StoredEvent[]) =>
  expectIntactLog(events, {
    batches: { streams: (id) => id.startsWith('batch-'), size: 3, key: (e) => e.eventId.replace(/-\d$/, '') },
  });

/** What the killed writers said had been committed and indexed (see test/writer.ts). */
interface Said {
  /** Ticket id → the highest version a writer saw indexed. */
  indexed: Map<string, number>;
  /** Message-ID → the ticket a writer recorded it for. */
  messages: Map<string, string>;
}

function hear(output: string, said: Said) {
  for (const line of output.split('\n')) {
    const [what, a, b] = line.split(' ');
    if (what === 'indexed') said.indexed.set(a!, Math.max(said.indexed.get(a!) ?? 0, Number(b)));
    else if (what === 'message') said.messages.set(a!, b!);
  }
}

type TicketRow = { id: string; version: number; body: string } & Record<string, unknown>;
const ticketRows = (store: SqliteStore) =>
  new Map(
    store.db
      .prepare<[], TicketRow>('SELECT * FROM tickets ORDER BY id')
      .all()
      .map((r) => [r.id, r]),
  );
const tagRows = (store: SqliteStore) =>
  store.db
    .prepare<[], { tag: string; ticket_id: string }>('SELECT * FROM ticket_tags ORDER BY ticket_id, tag')
    .all();
const messageRows = (store: SqliteStore) =>
  store.db
    .prepare<[], { message_id: string; ticket_id: string }>('SELECT * FROM messages ORDER BY message_id')
    .all();
/** The summary as the index hands it back (JSON: no undefined members). */
const summaryOf = (events: StoredEvent[]): TicketSummary =>
  JSON.parse(JSON.stringify(toSummary(fold(events)!)));
const emailIds = (events: StoredEvent[]) =>
  events.flatMap((e) =>
    e.type === 'MessagePosted' && (e.data as { email?: { messageId: string } }).email
      ? [(e.data as { email: { messageId: string } }).email.messageId]
      : [],
  );

/**
 * After a kill: the log is intact; every ticket's live index row is the summary of its stream —
 * or, for the ticket a writer had a command in flight on (append and upsert are two steps in the
 * desk), the summary of its stream as of an earlier commit, never older than what the writer saw
 * indexed; tags and checkpoint agree with the rows; every Message-ID a writer recorded is there,
 * and no entry names a message the log lacks. Returns the streams and the lagging tickets.
 */
async function expectConsistent(store: SqliteStore, said: Said) {
  const events = await store.events.readAll();
  const streams = checkLog(events);
  const rows = ticketRows(store);
  const tags = tagRows(store);
  const lagging = new Set<string>();
  const laggingWriters = new Set<string>();
  let indexedUpTo = '';
  for (const [streamId, list] of streams) {
    if (streamId.startsWith('batch-')) continue;
    const full = summaryOf(list);
    const row = rows.get(full.id);
    rows.delete(full.id);
    const seen = said.indexed.get(full.id) ?? 0;
    if (row === undefined) {
      expect(seen, `${full.id}: the writer saw it indexed, and the row is gone`).toBe(0);
      lagging.add(full.id);
    } else {
      expect(row.version, `${full.id}: older than the writer saw indexed`).toBeGreaterThanOrEqual(seen);
      expect(row.version, `${full.id}: newer than its stream`).toBeLessThanOrEqual(list.length);
      const at = row.version === list.length ? full : summaryOf(list.slice(0, row.version));
      expect(JSON.parse(row.body), `${full.id} at version ${row.version}`).toEqual(at);
      expect(
        tags.filter((t) => t.ticket_id === full.id).map((t) => t.tag),
        `${full.id}: tags`,
      ).toEqual([...new Set(at.tags)].sort());
      if (row.version < list.length) lagging.add(full.id);
      const position = list[row.version - 1]!.position;
      if (position > indexedUpTo) indexedUpTo = position;
    }
    if (lagging.has(full.id)) {
      // A writer runs one command at a time, so it leaves at most one ticket behind.
      const writer = full.tags[0]!;
      expect(laggingWriters.has(writer), `${writer} left two tickets behind in the index`).toBe(false);
      laggingWriters.add(writer);
    }
  }
  expect([...rows.keys()], 'index rows of tickets the log lacks').toEqual([]);
  expect(
    tags.filter((t) => !streams.has(`ticket-${t.ticket_id}`)),
    'tags of tickets the log lacks',
  ).toEqual([]);
  if (indexedUpTo !== '') {
    const checkpoint = await store.index.checkpoint();
    expect(checkpoint === undefined ? [] : [checkpoint], 'the checkpoint is a position in the log').toEqual(
      events.filter((e) => e.position === checkpoint).map((e) => e.position),
    );
    expect(
      checkpoint! >= indexedUpTo,
      `checkpoint ${checkpoint} behind an indexed commit ${indexedUpTo}`,
    ).toBe(true);
  }
  for (const [messageId, ticketId] of said.messages)
    expect(await store.messages.get(messageId), messageId).toBe(ticketId);
  for (const { message_id, ticket_id } of messageRows(store))
    expect(emailIds(streams.get(`ticket-${ticket_id}`) ?? []), `${message_id} of ${ticket_id}`).toContain(
      message_id,
    );
  return { events, streams, lagging };
}

/**
 * Rebuild after kills: every row becomes the summary of its whole stream, rows that were current
 * come back byte for byte (tags too), the checkpoint is the end of the log, and every Message-ID
 * in the log is in the MessageIndex (also those a writer died before recording).
 */
async function expectRebuildKeeps(store: SqliteStore, said: Said) {
  const { events, streams, lagging } = await expectConsistent(store, said);
  const before = ticketRows(store);
  const tagsBefore = tagRows(store);
  // As a desk with the email channel rebuilds: core's index, the channel's Message-IDs.
  await rebuildWithEmail(store);
  const after = ticketRows(store);
  const tagsAfter = tagRows(store);
  const tickets = [...streams].filter(([id]) => !id.startsWith('batch-'));
  expect([...after.keys()].sort()).toEqual(tickets.map(([id]) => id.slice('ticket-'.length)).sort());
  for (const [streamId, list] of tickets) {
    const id = streamId.slice('ticket-'.length);
    const summary = summaryOf(list);
    expect(JSON.parse(after.get(id)!.body), id).toEqual(summary);
    const ofTicket = (rows: { tag: string; ticket_id: string }[]) =>
      rows.filter((t) => t.ticket_id === id).map((t) => t.tag);
    expect(ofTicket(tagsAfter), `${id}: rebuilt tags`).toEqual([...new Set(summary.tags)].sort());
    if (!lagging.has(id)) {
      expect(after.get(id), `${id}: the rebuilt row differs from the live one`).toEqual(before.get(id));
      expect(ofTicket(tagsAfter), `${id}: rebuilt tags`).toEqual(ofTicket(tagsBefore));
    }
    for (const messageId of emailIds(list)) expect(await store.messages.get(messageId), messageId).toBe(id);
  }
  expect(await store.index.checkpoint()).toBe(events.at(-1)!.position);
  return { tickets: tickets.length, lagging: lagging.size };
}

describe('SQLite with several processes on one file', () => {
  it('appends from four processes stay correct, with no busy errors reaching callers', async () => {
    const file = join(dir, 'shared.db');
    sqliteStore({ filename: file }).close();
    const runs = ['w1', 'w2', 'w3', 'w4'].map((id) => run([file, 'shared', id, '60']));
    const codes = await Promise.all(runs.map((r) => r.exited));
    for (const r of runs) expect(r.errors()).toBe('');
    expect(codes).toEqual([0, 0, 0, 0]);
    const store = sqliteStore({ filename: file });
    const events = await store.events.readAll();
    checkLog(events);
    expect(events).toHaveLength(4 * 60 * 3);
    await store.close();
  }, 120_000);

  it('survives a writer killed with SIGKILL, 50 times: after each kill the log is intact and the index and MessageIndex agree with it; rebuild keeps them', async () => {
    const file = join(dir, 'fault.db');
    sqliteStore({ filename: file }).close();
    const said: Said = { indexed: new Map(), messages: new Map() };
    let rebuilt = { tickets: 0, lagging: 0 };
    for (let round = 0; round < 50; round++) {
      const r = run([file, 'loop', `k${round}`]);
      // Every fourth writer dies early (just after it started); the others once they have recorded
      // a Message-ID, so each of those rounds adds at least a ticket and a Message-ID however slow
      // the machine is. The delay after that only varies where in its loop the writer dies.
      const progress = round % 4 === 0 ? 'ready' : 'message ';
      await waitFor(() => r.output().includes(progress) || r.closed(), {
        what: `writer k${round} to say ${progress}`,
      });
      await new Promise((res) => setTimeout(res, 5 + ((round * 37) % 60)));
      r.child.kill('SIGKILL');
      await r.exited;
      expect(r.errors()).toBe('');
      hear(r.output(), said);
      const store = sqliteStore({ filename: file });
      if (round % 10 === 9) rebuilt = await expectRebuildKeeps(store, said);
      else await expectConsistent(store, said);
      await store.close();
    }
    // 37 of the 50 rounds ran until a ticket had a Message-ID recorded.
    expect(rebuilt.tickets).toBeGreaterThanOrEqual(37);
    expect(said.messages.size).toBeGreaterThanOrEqual(37);
  }, 600_000); // 50 child processes: generous for a loaded 2-core machine
});

describe('rebuild', () => {
  it.each([':memory:', 'rebuild.db'])(
    'reproduces the live index byte for byte on %s: rows, tags, checkpoint, Message-IDs',
    async (name) => {
      const filename = name === ':memory:' ? name : join(dir, name);
      let store = sqliteStore({ filename });
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
      expect(await seedRebuildTickets(desk, store.messages, 30)).toBe(30 + 8);
      const dump = async () => ({
        query: JSON.stringify(
          await store.index.query({ limit: 500, sort: { field: 'number', direction: 'asc' } }),
        ),
        tickets: [...ticketRows(store).values()],
        tags: tagRows(store),
        checkpoint: await store.index.checkpoint(),
        messages: messageRows(store),
      });
      const live = await dump();
      expect(JSON.parse(live.query).items).toHaveLength(30);
      expect(live.messages).toHaveLength(30 + 8);
      // A lost MessageIndex comes back too.
      store.db.exec('DELETE FROM messages');
      await rebuildWithEmail(store);
      expect(await dump()).toEqual(live);
      if (name !== ':memory:') {
        // and stays so in the file
        await store.close();
        store = sqliteStore({ filename });
        expect(await dump()).toEqual(live);
      }
      await store.close();
    },
  );
});
