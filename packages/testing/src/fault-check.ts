import { fold, type MessageIndex, type StoredEvent, type TicketSummary, toSummary } from '@tessera/core';
import { expect } from 'vitest';
import { expectIntactLog } from './log-integrity';

/** What killed `writeUntilKilled` writers said had been committed and indexed. */
export interface WriterSaid {
  /** Ticket id → the highest version a writer saw indexed. */
  indexed: Map<string, number>;
  /** Message-ID → the ticket a writer recorded it for. */
  messages: Map<string, string>;
}

/**
 * Adds what one writer's output says (`indexed <ticket> <version>`, `message <id> <ticket>`) to
 * `said`.
 *
 * @example
 * const said: WriterSaid = { indexed: new Map(), messages: new Map() };
 * hearWriter('indexed T1 3\nmessage <a@x> T1\n', said);
 */
export function hearWriter(output: string, said: WriterSaid): void {
  for (const line of output.split('\n')) {
    const [what, a, b] = line.split(' ');
    if (what === 'indexed') said.indexed.set(a!, Math.max(said.indexed.get(a!) ?? 0, Number(b)));
    else if (what === 'message') said.messages.set(a!, b!);
  }
}

/**
 * `expectIntactLog` for the log the writers leave: `appendBatch`'s three-event batches on
 * `batch-*` streams must be whole. Returns the streams.
 *
 * @example
 * const streams = expectWriterLog(await store.events.readAll());
 */
export function expectWriterLog(events: StoredEvent[]): Map<string, StoredEvent[]> {
  return expectIntactLog(events, {
    batches: { streams: (id) => id.startsWith('batch-'), size: 3, key: (e) => e.eventId.replace(/-\d$/, '') },
  });
}

/**
 * The summary of a stream as an index hands it back (JSON: no undefined members).
 *
 * @example
 * const summary = indexedSummary(events);
 */
export const indexedSummary = (events: StoredEvent[]): TicketSummary =>
  JSON.parse(JSON.stringify(toSummary(fold(events)!)));

/**
 * The Message-IDs of the mail filed in a stream (`MessagePosted` with email headers).
 *
 * @example
 * emailMessageIds(events); // ['<a@x>']
 */
export const emailMessageIds = (events: StoredEvent[]): string[] =>
  events.flatMap((e) =>
    e.type === 'MessagePosted' && (e.data as { email?: { messageId: string } }).email
      ? [(e.data as { email: { messageId: string } }).email.messageId]
      : [],
  );

/** A store as a fault test reads it after a kill: the raw index rows, read by the store's test. */
export interface KilledStoreView {
  events: StoredEvent[];
  /** Ticket id → its live index row: version, JSON body and tags (as stored). */
  rows: Map<string, { version: number; body: string; tags: string[] }>;
  checkpoint: string | undefined;
  /** Every row of the Message-ID table. */
  messageRows: { message_id: string; ticket_id: string }[];
  messages: MessageIndex;
}

/**
 * After a kill: the log is intact; every ticket's live index row is the summary of its stream —
 * or, for the ticket a writer had a command in flight on (append and upsert are two steps in the
 * desk), the summary of its stream as of an earlier commit, never older than what the writer saw
 * indexed; tags and the checkpoint agree with the rows; every Message-ID a writer recorded is
 * there, and no entry names a message the log lacks. Returns the streams and the lagging tickets.
 *
 * @example
 * const said: WriterSaid = { indexed: new Map(), messages: new Map() };
 * hearWriter('indexed T1 3\nmessage <a@x> T1\n', said); // what each killed writer printed
 * const view: KilledStoreView = {
 *   events: await store.events.readAll(),
 *   rows: new Map(), // ticket id → { version, body, tags }, read from the adapter's own tables
 *   checkpoint: await store.index.checkpoint(),
 *   messageRows: [], // every row of the adapter's Message-ID table
 *   messages: store.messages,
 * };
 * const { streams, lagging } = await expectConsistentAfterKill(view, said);
 */
export async function expectConsistentAfterKill(
  view: KilledStoreView,
  said: WriterSaid,
): Promise<{ streams: Map<string, StoredEvent[]>; lagging: Set<string> }> {
  const { events } = view;
  const streams = expectWriterLog(events);
  const rows = new Map(view.rows);
  const lagging = new Set<string>();
  const laggingWriters = new Set<string>();
  let indexedUpTo = '';
  for (const [streamId, list] of streams) {
    if (streamId.startsWith('batch-')) continue;
    const full = indexedSummary(list);
    const row = rows.get(full.id);
    rows.delete(full.id);
    const seen = said.indexed.get(full.id) ?? 0;
    if (row === undefined) {
      expect(seen, `${full.id}: the writer saw it indexed, and the row is gone`).toBe(0);
      lagging.add(full.id);
    } else {
      expect(row.version, `${full.id}: older than the writer saw indexed`).toBeGreaterThanOrEqual(seen);
      expect(row.version, `${full.id}: newer than its stream`).toBeLessThanOrEqual(list.length);
      const at = row.version === list.length ? full : indexedSummary(list.slice(0, row.version));
      expect(JSON.parse(row.body), `${full.id} at version ${row.version}`).toEqual(at);
      expect([...row.tags].sort(), `${full.id}: tags`).toEqual([...new Set(at.tags)].sort());
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
  if (indexedUpTo !== '') {
    const { checkpoint } = view;
    expect(checkpoint === undefined ? [] : [checkpoint], 'the checkpoint is a position in the log').toEqual(
      events.filter((e) => e.position === checkpoint).map((e) => e.position),
    );
    expect(
      checkpoint! >= indexedUpTo,
      `checkpoint ${checkpoint} behind an indexed commit ${indexedUpTo}`,
    ).toBe(true);
  }
  for (const [messageId, ticketId] of said.messages)
    expect(await view.messages.get(messageId), messageId).toBe(ticketId);
  for (const { message_id, ticket_id } of view.messageRows)
    expect(
      emailMessageIds(streams.get(`ticket-${ticket_id}`) ?? []),
      `${message_id} of ${ticket_id}`,
    ).toContain(message_id);
  return { streams, lagging };
}
