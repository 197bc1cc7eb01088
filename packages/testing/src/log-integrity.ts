import type { StoredEvent } from '@tessera/core';
import { expect } from 'vitest';

export interface IntactLogOptions {
  /** Streams written in fixed-size batches (e.g. by a fault-test writer): every batch must be whole. */
  batches?: { streams: (streamId: string) => boolean; size: number; key: (event: StoredEvent) => string };
}

/**
 * Asserts what must hold of any log after any crash: each stream's versions run 1..n, positions are
 * unique and in order, a ticket stream opens with its whole first batch (TicketOpened then
 * MessagePosted), and — for batch-written streams — no batch is ever half there. Returns the events
 * grouped by stream.
 *
 * @example
 * const streams = expectIntactLog(await store.events.readAll());
 */
export function expectIntactLog(
  events: StoredEvent[],
  options: IntactLogOptions = {},
): Map<string, StoredEvent[]> {
  const streams = new Map<string, StoredEvent[]>();
  for (const e of events) streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
  for (const [id, list] of streams) {
    expect(
      list.map((e) => e.version),
      id,
    ).toEqual(list.map((_, i) => i + 1));
    const batches = options.batches;
    if (batches?.streams(id)) {
      expect(list.length % batches.size, `${id}: a half batch`).toBe(0);
      for (let i = 0; i < list.length; i += batches.size) {
        expect(new Set(list.slice(i, i + batches.size).map(batches.key)).size, `${id}: a mixed batch`).toBe(
          1,
        );
      }
    } else if (list[0]?.type === 'TicketOpened') {
      expect(list[1]?.type, `${id}: the opening batch is half there`).toBe('MessagePosted');
    }
  }
  const positions = events.map((e) => e.position);
  expect(new Set(positions).size).toBe(positions.length);
  expect([...positions].sort()).toEqual(positions);
  return streams;
}
