import { AdapterError, ConflictError, ValidationError } from './errors';
import type { StoredEvent } from './events';
import { inMemoryTicketIndex } from './memory-index';
import type { BlobRef } from './model';
import type {
  BlobMeta,
  BlobStore,
  EventStore,
  ExpectedVersion,
  MessageIndex,
  Store,
  TenantScope,
} from './ports';

export { inMemoryTicketIndex } from './memory-index';

/** Positions are zero-padded so that string order is numeric order. */
const position = (n: number) => n.toString().padStart(16, '0');

function checkVersion(streamId: string, current: number, expected: ExpectedVersion): void {
  if (expected === 'any') return;
  if (expected === 'no-stream') {
    if (current > 0) {
      throw new ConflictError(`stream ${streamId} already exists (version ${current})`, {
        details: { streamId, expected, actual: current },
      });
    }
    return;
  }
  if (current !== expected) {
    throw new ConflictError(`stream ${streamId} is at version ${current}, expected ${expected}`, {
      details: { streamId, expected, actual: current },
    });
  }
}

/**
 * An EventStore in memory. Appends are atomic: each runs to completion before another starts.
 * Events are kept as JSON text, as a durable store keeps them: what cannot be stored fails at
 * append, and nothing a caller holds can change what was stored.
 *
 * @example
 * const events = inMemoryEventStore();
 * const changed: NewEvent = {
 *   type: 'PriorityChanged',
 *   data: { from: 'normal', to: 'high' },
 *   eventId: 'e1',
 *   occurredAt: '2026-01-01T09:00:00.000Z',
 *   actor: agent,
 *   schemaVersion: 1,
 * };
 * await events.append('demo-1', [changed], { expectedVersion: 'no-stream' });
 * await events.append('demo-1', [changed], { expectedVersion: 'no-stream' }); // ConflictError: it exists now
 */
export function inMemoryEventStore(): EventStore {
  const all: string[] = [];
  const streams = new Map<string, number[]>();
  const sequences = new Map<string, number>();
  const watchers = new Set<() => void>();
  const parse = (i: number) => JSON.parse(all[i]!) as StoredEvent;
  return {
    async append(streamId, events, opts) {
      if (events.length === 0) {
        throw new ValidationError([{ path: 'events', message: 'append needs at least one event' }]);
      }
      const stream = streams.get(streamId) ?? [];
      checkVersion(streamId, stream.length, opts.expectedVersion);
      const texts: string[] = [];
      const positions: string[] = [];
      for (const [i, event] of events.entries()) {
        const pos = position(all.length + i + 1);
        positions.push(pos);
        let text: string;
        try {
          text = JSON.stringify(event);
        } catch (cause) {
          throw new AdapterError(`event ${i} of the batch cannot be stored as JSON`, { cause });
        }
        if (text === undefined || text[0] !== '{') {
          throw new AdapterError(`event ${i} of the batch cannot be stored as JSON`);
        }
        // The store's own fields are written last, so they win over any the caller passed in.
        const own = `"streamId":${JSON.stringify(streamId)},"version":${stream.length + i + 1},"position":"${pos}"}`;
        texts.push(text.length === 2 ? `{${own}` : `${text.slice(0, -1)},${own}`);
      }
      // Nothing above awaited or changed the store: the batch lands whole or not at all.
      const first = all.length;
      all.push(...texts);
      if (!streams.has(streamId)) streams.set(streamId, stream);
      for (let i = 0; i < texts.length; i++) stream.push(first + i);
      for (const w of watchers) w();
      return { nextVersion: stream.length, positions };
    },
    async readStream(streamId, opts = {}) {
      const stream = streams.get(streamId) ?? [];
      const from = Math.max(opts.fromVersion ?? 1, 1);
      const out: StoredEvent[] = [];
      for (let v = from; v <= stream.length; v++) out.push(parse(stream[v - 1]!));
      return out;
    },
    async readAll(opts = {}) {
      const start = opts.after === undefined ? 0 : Number.parseInt(opts.after, 10);
      const end = opts.limit === undefined ? all.length : Math.min(all.length, start + opts.limit);
      const out: StoredEvent[] = [];
      for (let i = start; i < end; i++) out.push(parse(i));
      return out;
    },
    async nextNumber(sequence) {
      const next = (sequences.get(sequence) ?? 0) + 1;
      sequences.set(sequence, next);
      return next;
    },
    watch(onCommit) {
      watchers.add(onCommit);
      return () => watchers.delete(onCommit);
    },
  };
}

/** The key of a tenant's part of a port: `undefined` is the no-tenant part, never "every tenant". */
const tenantOf = (scope: TenantScope | undefined): string | undefined => scope?.tenantId;

/**
 * A MessageIndex in memory, one map per tenant.
 *
 * @example
 * const messages = inMemoryMessageIndex();
 * await messages.put('<a@example.com>', 'T1'); // true; false when already known
 * await messages.get('<a@example.com>'); // 'T1'
 */
export function inMemoryMessageIndex(): MessageIndex {
  const tenants = new Map<string | undefined, Map<string, string>>();
  return {
    async put(messageId, ticketId, scope) {
      const tenant = tenantOf(scope);
      let map = tenants.get(tenant);
      if (map === undefined) {
        map = new Map();
        tenants.set(tenant, map);
      }
      if (map.has(messageId)) return false;
      map.set(messageId, ticketId);
      return true;
    },
    async get(messageId, scope) {
      return tenants.get(tenantOf(scope))?.get(messageId);
    },
  };
}

/**
 * A BlobStore in memory; ids are content-independent counters, reads are scoped by tenant.
 *
 * @example
 * const blobs = inMemoryBlobStore();
 * const ref = await blobs.put(new TextEncoder().encode('hello'), { contentType: 'text/plain', filename: 'a.txt' });
 * await blobs.stat(ref); // { contentType: 'text/plain', filename: 'a.txt', size: 5 }
 */
export function inMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, { bytes: Uint8Array; meta: BlobMeta }>();
  const find = (ref: BlobRef | string, scope: TenantScope | undefined) => {
    const blob = blobs.get(typeof ref === 'string' ? ref : ref.id);
    // Another tenant's blob answers as a missing one: its id tells nothing.
    return blob !== undefined && blob.meta.tenantId === tenantOf(scope) ? blob : undefined;
  };
  return {
    async put(bytes, meta): Promise<BlobRef> {
      const id = `blob-${(blobs.size + 1).toString().padStart(8, '0')}`;
      blobs.set(id, { bytes: bytes.slice(), meta: structuredClone(meta) });
      return { id, size: bytes.byteLength, contentType: meta.contentType };
    },
    async get(ref, scope) {
      return find(ref, scope)?.bytes.slice();
    },
    async stat(ref, scope) {
      const blob = find(ref, scope);
      return blob === undefined ? undefined : { ...structuredClone(blob.meta), size: blob.bytes.byteLength };
    },
  };
}

/**
 * Every port in memory: the default store of `createHelpdesk`, for tests and demos.
 *
 * @example
 * const desk = createHelpdesk({ store: inMemoryStore() });
 */
export function inMemoryStore(): Store {
  return {
    events: inMemoryEventStore(),
    index: inMemoryTicketIndex(),
    messages: inMemoryMessageIndex(),
    blobs: inMemoryBlobStore(),
    async close() {},
  };
}
