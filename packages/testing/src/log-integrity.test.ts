import type { StoredEvent } from '@tessera/core';
import { expect, it } from 'vitest';
import { expectIntactLog } from './log-integrity';

const ev = (
  streamId: string,
  version: number,
  position: number,
  type = 'TagsChanged',
  eventId = `${streamId}-${version}`,
) =>
  ({
    streamId,
    version,
    position: String(position).padStart(4, '0'),
    type,
    eventId,
  }) as unknown as StoredEvent;
const batches = {
  streams: (id: string) => id.startsWith('batch'),
  size: 2,
  key: (e: StoredEvent) => e.eventId.split(':')[0]!,
};

it('accepts an intact log and names what is wrong with a broken one', () => {
  const ok = [
    ev('batch', 1, 1, 'TagsChanged', 'a:1'),
    ev('batch', 2, 2, 'TagsChanged', 'a:2'),
    ev('t', 1, 3, 'TicketOpened'),
    ev('t', 2, 4, 'MessagePosted'),
  ];
  expect(expectIntactLog(ok, { batches }).size).toBe(2);
  expect(() => expectIntactLog([ev('s', 1, 1), ev('s', 3, 2)])).toThrow();
  expect(() => expectIntactLog([ev('batch', 1, 1, 'TagsChanged', 'a:1')], { batches })).toThrow(/half batch/);
  expect(() =>
    expectIntactLog([ev('batch', 1, 1, 'x', 'a:1'), ev('batch', 2, 2, 'x', 'b:1')], { batches }),
  ).toThrow(/mixed batch/);
  expect(() => expectIntactLog([ev('t', 1, 1, 'TicketOpened')])).toThrow(/opening batch/);
  expect(() => expectIntactLog([ev('a', 1, 2), ev('b', 1, 1)])).toThrow();
});
