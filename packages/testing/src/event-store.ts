import { type Actor, type EventStore, isTesseraError, type NewEvent, type StoredEvent } from '@tessera/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Factory, open } from './subject';
import { waitFor } from './wait';

const actor: Actor = { kind: 'agent', id: 'a1' };
let counter = 0;

/**
 * A small valid event for conformance runs: a public `MessagePosted` with `body`, a fresh
 * message id each call, and `overrides` on top.
 *
 * @example
 * await store.events.append('ticket-T1', [sampleEvent('first'), sampleEvent('second')], { expectedVersion: 'no-stream' });
 */
export function sampleEvent(body = 'hello', overrides: Partial<NewEvent> = {}): NewEvent {
  counter++;
  return {
    type: 'MessagePosted',
    data: {
      messageId: `m${counter}`,
      author: actor,
      visibility: 'public',
      body,
      channel: 'api',
      attachments: [],
    },
    eventId: `e-${Date.now().toString(36)}-${counter}`,
    occurredAt: '2026-01-01T00:00:00.000Z',
    actor,
    schemaVersion: 1,
    ...overrides,
  } as NewEvent;
}

/**
 * readAll once it shows at least `count` events of these streams: a store may hold committed events
 * back while older transactions (anyone's) are still running, and show them a moment later.
 */
async function readAllSettled(s: EventStore, streams: string[], count: number): Promise<StoredEvent[]> {
  let all: StoredEvent[] = [];
  await waitFor(
    async () => {
      all = await s.readAll();
      return all.filter((e) => streams.includes(e.streamId)).length >= count;
    },
    { what: `${count} events of ${streams.join(', ')} to be readable` },
  );
  return all;
}

const streamName = (label: string) => `ticket-${label}-${Date.now().toString(36)}-${++counter}`;

async function expectConflict(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect(isTesseraError(error, 'conflict')).toBe(true);
    return;
  }
  throw new Error('expected a ConflictError');
}

/**
 * The EventStore conformance suite: run it against any adapter.
 *
 * @example
 * eventStoreConformance(async () => { const s = sqliteStore({ filename: ':memory:' }); return { subject: s.events, close: s.close }; });
 */
export function eventStoreConformance(
  factory: Factory<EventStore>,
  options: { concurrency?: number } = {},
): void {
  const concurrency = options.concurrency ?? 20;
  describe('EventStore conformance', () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    const store = async () => {
      const opened = await open(factory);
      close = opened.close;
      return opened.subject;
    };

    it('numbers versions contiguously from 1 and reads a stream back in order', async () => {
      const s = await store();
      const id = streamName('versions');
      const first = await s.append(id, [sampleEvent('a'), sampleEvent('b')], {
        expectedVersion: 'no-stream',
      });
      expect(first.nextVersion).toBe(2);
      expect(first.positions).toHaveLength(2);
      const second = await s.append(id, [sampleEvent('c')], { expectedVersion: 2 });
      expect(second.nextVersion).toBe(3);
      const events = await s.readStream(id);
      expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(events.map((e) => (e.data as { body: string }).body)).toEqual(['a', 'b', 'c']);
      expect(events.every((e) => e.streamId === id)).toBe(true);
      expect((await s.readStream(id, { fromVersion: 2 })).map((e) => e.version)).toEqual([2, 3]);
      expect(await s.readStream(streamName('missing'))).toEqual([]);
    });

    it('expectedVersion: an existing stream at another version, a missing stream, and any', async () => {
      const s = await store();
      const id = streamName('expected');
      await s.append(id, [sampleEvent()], { expectedVersion: 'no-stream' });
      await expectConflict(s.append(id, [sampleEvent()], { expectedVersion: 'no-stream' }));
      await expectConflict(s.append(id, [sampleEvent()], { expectedVersion: 2 }));
      await expectConflict(s.append(id, [sampleEvent()], { expectedVersion: 0 }));
      await expectConflict(s.append(streamName('missing'), [sampleEvent()], { expectedVersion: 3 }));
      await s.append(id, [sampleEvent()], { expectedVersion: 'any' });
      const fresh = streamName('any');
      await s.append(fresh, [sampleEvent()], { expectedVersion: 'any' });
      expect((await s.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
      expect((await s.readStream(fresh)).map((e) => e.version)).toEqual([1]);
    });

    it('of concurrent appends at one expected version, exactly one wins', async () => {
      const s = await store();
      const id = streamName('race');
      await s.append(id, [sampleEvent()], { expectedVersion: 'no-stream' });
      const results = await Promise.allSettled(
        Array.from({ length: concurrency }, (_, i) =>
          s.append(id, [sampleEvent(`w${i}`)], { expectedVersion: 1 }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(isTesseraError(r.reason, 'conflict')).toBe(true);
      expect((await s.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
      const racers = Array.from({ length: concurrency }, () => streamName('new'));
      const fresh = racers[0]!;
      const created = await Promise.allSettled(
        Array.from({ length: concurrency }, () =>
          s.append(fresh, [sampleEvent()], { expectedVersion: 'no-stream' }),
        ),
      );
      expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('appends a batch all or nothing', async () => {
      const s = await store();
      const id = streamName('batch');
      await s.append(id, [sampleEvent('kept')], { expectedVersion: 'no-stream' });
      const before = (await readAllSettled(s, [id], 1)).filter((e) => e.streamId === id);
      const poison = sampleEvent('poison', { data: { big: 10n } as never });
      await expect(
        s.append(id, [sampleEvent('x'), poison, sampleEvent('y')], { expectedVersion: 1 }),
      ).rejects.toBeTruthy();
      expect((await s.readStream(id)).map((e) => (e.data as { body: string }).body)).toEqual(['kept']);
      expect((await s.readAll()).filter((e) => e.streamId === id).length).toBe(before.length);
      // and the stream still takes the next version
      await s.append(id, [sampleEvent('next')], { expectedVersion: 1 });
      expect((await s.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
    });

    it('readAll returns every event once, in global order, paged by position', async () => {
      const s = await store();
      const ids = [streamName('a'), streamName('b')];
      for (let i = 0; i < 6; i++)
        await s.append(ids[i % 2]!, [sampleEvent(`${i}`)], { expectedVersion: 'any' });
      const all = await readAllSettled(s, ids, 6);
      const mine = all.filter((e) => ids.includes(e.streamId));
      expect(mine.map((e) => (e.data as { body: string }).body)).toEqual(['0', '1', '2', '3', '4', '5']);
      const positions = all.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
      const paged: StoredEvent[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await s.readAll({ ...(after === undefined ? {} : { after }), limit: 2 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        paged.push(...page);
        after = page[page.length - 1]!.position;
      }
      expect(paged.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
    });

    it('a reader tailing readAll while writers append concurrently never misses an event', async () => {
      const s = await store();
      const writers = 8;
      const perWriter = 15;
      const seen: StoredEvent[] = [];
      let after: string | undefined;
      const start = await s.readAll();
      after = start.at(-1)?.position;
      let done = false;
      // A store may hold back committed events until older transactions finish: keep polling.
      const reader = waitFor(
        async () => {
          const page = await s.readAll({ ...(after === undefined ? {} : { after }), limit: 50 });
          if (page.length > 0) {
            seen.push(...page);
            after = page[page.length - 1]!.position;
          }
          return page.length === 0 && done && seen.length >= writers * perWriter * 2;
        },
        { what: 'the tailing reader to see every event' },
      );
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const id = streamName(`tail${w}`);
          for (let i = 0; i < perWriter; i++)
            await s.append(id, [sampleEvent(`${w}:${i}`), sampleEvent(`${w}:${i}b`)], {
              expectedVersion: 'any',
            });
        }),
      );
      done = true;
      await reader;
      const finalOrder = (
        await s.readAll({ ...(start.at(-1) ? { after: start.at(-1)!.position } : {}) })
      ).map((e) => e.eventId);
      expect(seen.map((e) => e.eventId)).toEqual(finalOrder);
      expect(seen).toHaveLength(writers * perWriter * 2);
    });

    it('nextNumber is unique and increasing, also under concurrency', async () => {
      const s = await store();
      const seq = streamName('seq');
      const a = await s.nextNumber(seq);
      const b = await s.nextNumber(seq);
      expect(b).toBeGreaterThan(a);
      const many = await Promise.all(Array.from({ length: concurrency * 2 }, () => s.nextNumber(seq)));
      expect(new Set(many).size).toBe(many.length);
      expect(Math.min(...many)).toBeGreaterThan(b);
      expect(await s.nextNumber(streamName('other'))).toBe(1);
    });

    it('treats U+0000 (and a lone surrogate) in a stream id, event id or sequence name as an ordinary character', async () => {
      const s = await store();
      const id = streamName('nul\u0000');
      const plain = id.replace('\u0000', '');
      await s.append(id, [sampleEvent('with', { eventId: `e\u0000${counter}` })], {
        expectedVersion: 'no-stream',
      });
      await s.append(plain, [sampleEvent('without')], { expectedVersion: 'no-stream' });
      const [event] = await s.readStream(id);
      expect(event).toMatchObject({ streamId: id, version: 1, data: { body: 'with' } });
      expect(event!.eventId.startsWith('e\u0000')).toBe(true);
      expect((await s.readStream(plain)).map((e) => (e.data as { body: string }).body)).toEqual(['without']);
      await expectConflict(s.append(id, [sampleEvent('again')], { expectedVersion: 'no-stream' }));
      const all = await readAllSettled(s, [id, plain], 2);
      expect(all.filter((e) => e.streamId === id)).toHaveLength(1);
      // Lone UTF-16 surrogates: two stream ids, two streams.
      const high = streamName('lone\ud800');
      await s.append(high, [sampleEvent('high')], { expectedVersion: 'no-stream' });
      await s.append(high.replace('\ud800', '\udc00'), [sampleEvent('low')], {
        expectedVersion: 'no-stream',
      });
      expect((await s.readStream(high)).map((e) => [e.streamId, (e.data as { body: string }).body])).toEqual([
        [high, 'high'],
      ]);
      const seq = streamName('seq\u0000');
      expect(await s.nextNumber(seq)).toBe(1);
      expect(await s.nextNumber(seq.replace('\u0000', ''))).toBe(1);
      expect(await s.nextNumber(seq)).toBe(2);
    });

    it('round-trips unicode, a 1 MB body and unusual JSON unchanged', async () => {
      const s = await store();
      const id = streamName('payload');
      const body = `${'Grüße 👋🏽 — 日本語 \u2028 \u0000? '.repeat(3)}${'x'.repeat(1024 * 1024)}`;
      const odd = {
        messageId: 'odd',
        nested: [[[]], { '': null, 'key with spaces': [1.5, -0, 1e21, 'line\nbreak', '\\back"quote'] }],
        emoji: '🧾',
        surrogate: '\ud83d\ude00',
        big: Number.MAX_SAFE_INTEGER,
        empty: '',
      };
      await s.append(id, [sampleEvent(body), sampleEvent('odd', { data: odd as never })], {
        expectedVersion: 'no-stream',
      });
      const [first, second] = await s.readStream(id);
      expect((first!.data as { body: string }).body).toBe(body);
      expect(second!.data).toEqual(JSON.parse(JSON.stringify(odd)));
      expect(first!.actor).toEqual(actor);
    });
  });
}
