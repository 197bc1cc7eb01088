import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHelpdesk } from '@tessera/core';
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
import { afterAll, describe, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from './store';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('../test/writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runScript(writer, args, { cwd: root });

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
/**
 * After a kill, `expectConsistentAfterKill` on this file's tables (tags from `ticket_tags`), and
 * no tag names a ticket the log lacks.
 */
async function expectConsistent(store: SqliteStore, said: WriterSaid) {
  const events = await store.events.readAll();
  const tags = tagRows(store);
  const rows = new Map(
    [...ticketRows(store)].map(([id, row]) => [
      id,
      { ...row, tags: tags.filter((t) => t.ticket_id === id).map((t) => t.tag) },
    ]),
  );
  const { streams, lagging } = await expectConsistentAfterKill(
    {
      events,
      rows,
      checkpoint: await store.index.checkpoint(),
      messageRows: messageRows(store),
      messages: store.messages,
    },
    said,
  );
  expect(
    tags.filter((t) => !streams.has(`ticket-${t.ticket_id}`)),
    'tags of tickets the log lacks',
  ).toEqual([]);
  return { events, streams, lagging };
}

/**
 * Rebuild after kills: every row becomes the summary of its whole stream, rows that were current
 * come back byte for byte (tags too), the checkpoint is the end of the log, and every Message-ID
 * in the log is in the MessageIndex (also those a writer died before recording).
 */
async function expectRebuildKeeps(store: SqliteStore, said: WriterSaid) {
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
    const summary = indexedSummary(list);
    expect(JSON.parse(after.get(id)!.body), id).toEqual(summary);
    const ofTicket = (rows: { tag: string; ticket_id: string }[]) =>
      rows.filter((t) => t.ticket_id === id).map((t) => t.tag);
    expect(ofTicket(tagsAfter), `${id}: rebuilt tags`).toEqual([...new Set(summary.tags)].sort());
    if (!lagging.has(id)) {
      expect(after.get(id), `${id}: the rebuilt row differs from the live one`).toEqual(before.get(id));
      expect(ofTicket(tagsAfter), `${id}: rebuilt tags`).toEqual(ofTicket(tagsBefore));
    }
    for (const messageId of emailMessageIds(list))
      expect(await store.messages.get(messageId), messageId).toBe(id);
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
    expectWriterLog(events);
    expect(events).toHaveLength(4 * 60 * 3);
    await store.close();
  }, 120_000);

  it('survives a writer killed with SIGKILL, 50 times: after each kill the log is intact and the index and MessageIndex agree with it; rebuild keeps them', async () => {
    const file = join(dir, 'fault.db');
    sqliteStore({ filename: file }).close();
    const said: WriterSaid = { indexed: new Map(), messages: new Map() };
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
      hearWriter(r.output(), said);
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
