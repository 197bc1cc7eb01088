/**
 * Core benchmarks: replaying the log, and `execute` end to end on the in-memory store.
 * Run: pnpm build && node --expose-gc --import tsx bench/core.bench.ts
 * It also compares, in the same run, replay and `execute` with the packages of commit acd4a29 (before
 * issue 12 moved the SLA, rules and email bookkeeping into extension slices): see core-old.ts.
 */
import {
  type Actor,
  createHelpdesk,
  defaultWorkflow,
  fold,
  inMemoryStore,
  type StoredEvent,
  type Ticket,
} from '@tessera/core';
import { createActor, transition } from 'xstate';
import { compareExecute, compareReplay, loadGenerations, oneTicket } from './core-old.ts';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const PER_TICKET = 10;
const agent: Actor = { kind: 'agent', id: 'a1', teams: ['t1'] };
const customer: Actor = { kind: 'customer', id: 'c1' };

function makeStreams(): StoredEvent[][] {
  const streams: StoredEvent[][] = [];
  let position = 0;
  // Each event at an instant of its own, a second after the one before, as in a real log (one
  // instant shared by every event made the string comparisons of the slices look cheaper).
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let t = 0; t < TICKETS; t++) {
    const streamId = `ticket-${t}`;
    let version = 0;
    const ev = (type: string, data: unknown, actor: Actor = agent) =>
      ({
        type,
        data,
        eventId: `e${position}`,
        occurredAt: new Date(start + position * 1000).toISOString(),
        actor,
        schemaVersion: 1,
        streamId,
        version: ++version,
        position: String(++position).padStart(16, '0'),
      }) as StoredEvent;
    streams.push([
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
          body: 'It is broken',
          channel: 'email',
          attachments: [],
        },
        customer,
      ),
      ev('Assigned', { assignee: 'a1', team: 't1', strategy: 'manual' }),
      ev('StatusChanged', {
        from: 'new',
        to: 'open',
        fromCategory: 'new',
        category: 'open',
        reason: 'agent-reply',
      }),
      ev('MessagePosted', {
        messageId: `m${t}b`,
        author: agent,
        visibility: 'public',
        body: 'Try this',
        channel: 'email',
        attachments: [],
      }),
      ev('TagsChanged', { added: ['billing'], removed: [] }),
      ev('PriorityChanged', { from: 'normal', to: 'high' }),
      ev('StatusChanged', {
        from: 'open',
        to: 'pending',
        fromCategory: 'open',
        category: 'pending',
        reason: 'manual',
      }),
      ev(
        'MessagePosted',
        {
          messageId: `m${t}c`,
          author: customer,
          visibility: 'public',
          body: 'Thanks',
          channel: 'email',
          attachments: [],
        },
        customer,
      ),
      ev('StatusChanged', {
        from: 'pending',
        to: 'solved',
        fromCategory: 'pending',
        category: 'solved',
        reason: 'manual',
      }),
    ]);
  }
  return streams;
}

/** What a user would write by hand: an immutable reducer with spreads. */
function spreadReducer(state: Record<string, unknown> | undefined, e: StoredEvent): Record<string, unknown> {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'TicketOpened':
      return {
        ...d,
        id: d.ticketId,
        messages: [],
        followers: [],
        links: [],
        version: e.version,
        updatedAt: e.occurredAt,
      };
    case 'MessagePosted':
      return {
        ...state,
        messages: [...(state!.messages as unknown[]), { id: d.messageId, body: d.body, author: d.author }],
        version: e.version,
        updatedAt: e.occurredAt,
      };
    case 'StatusChanged':
      return { ...state, status: d.to, category: d.category, version: e.version, updatedAt: e.occurredAt };
    case 'Assigned':
      return { ...state, assignee: d.assignee, team: d.team, version: e.version, updatedAt: e.occurredAt };
    case 'TagsChanged':
      return {
        ...state,
        tags: [...(state!.tags as string[]), ...(d.added as string[])],
        version: e.version,
        updatedAt: e.occurredAt,
      };
    case 'PriorityChanged':
      return { ...state, priority: d.to, version: e.version, updatedAt: e.occurredAt };
    default:
      return { ...state, version: e.version };
  }
}

function time<T>(fn: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function replay() {
  const streams = makeStreams();
  const total = streams.length * PER_TICKET;
  console.log(`replay: ${fmt(total)} events (${fmt(TICKETS)} tickets × ${PER_TICKET})`);
  // warm up both paths
  for (let i = 0; i < 3; i++) {
    for (const s of streams.slice(0, 5000)) fold(s);
    for (const s of streams.slice(0, 5000)) s.reduce(spreadReducer, undefined);
  }
  gc();
  const ours = time(() => {
    let last: Ticket | undefined;
    for (const s of streams) last = fold(s);
    return last;
  });
  gc();
  const spread = time(() => {
    let last: unknown;
    for (const s of streams) last = s.reduce(spreadReducer, undefined);
    return last;
  });
  // XState's pure transition() per event, for the record, over the same streams (BENCH_XSTATE_SHARE
  // < 1 runs it on that share of them).
  const machine = defaultWorkflow.machine;
  const share = Number(process.env.BENCH_XSTATE_SHARE ?? 1);
  const sample = streams.slice(0, Math.max(1, Math.floor(streams.length * share)));
  const xs = time(() => {
    for (const s of sample) {
      let snapshot = createActor(machine).getSnapshot();
      for (const e of s) {
        const type = e.type === 'StatusChanged' ? `TO.${(e.data as { to: string }).to}` : 'NOOP';
        [snapshot] = transition(machine, snapshot, { type } as never);
      }
    }
  });
  const sampleEvents = sample.length * PER_TICKET;
  const rows = [
    ['Tessera fold (draft handlers, one private object)', total / (ours.ms / 1000)],
    ['hand-written immutable spread reducer', total / (spread.ms / 1000)],
    [
      `XState transition() per event${share < 1 ? ` (${fmt(sampleEvents)} events)` : ''}`,
      sampleEvents / (xs.ms / 1000),
    ],
  ] as const;
  for (const [name, rate] of rows) console.log(`  ${name.padEnd(52)} ${fmt(rate).padStart(12)} events/s`);
  console.log(
    `  ratio Tessera / spread reducer: ${(rows[0][1] / rows[1][1]).toFixed(2)}× (goal: ≥ 2M events/s, within 3× of spread)`,
  );
  // Issue 12's goal: the fold with the SLA, rules and email slices within 10% of the fold before
  // that bookkeeping left core — both built from source here, in the same run.
  await compareReplay(generations, streams, Number(process.env.BENCH_ROUNDS ?? 11));
}

async function execute() {
  // Five commands (seven events) per ticket, until the log holds BENCH_EVENTS events (1M).
  const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const COMMANDS = Math.ceil(EVENTS / 7) * 5;
  const store = inMemoryStore();
  let n = 0;
  const fixed = new Date('2026-01-01T00:00:00Z');
  const desk = createHelpdesk({ store, clock: { now: () => fixed }, ids: { next: () => `id${++n}` } });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  let commands = 0;
  for (let i = 0; commands < COMMANDS; i++, commands += 5) await oneTicket(desk, i);
  const ms = performance.now() - start;
  gc();
  // Measured before anything else is read: reading the log back parses every event, and that
  // garbage (not yet collected) once counted as the store's memory.
  const heap = process.memoryUsage().heapUsed - heapBefore;
  const events = (await store.events.readAll()).length;
  console.log(
    `execute (in-memory store, index kept live): ${fmt(commands)} commands → ${fmt(events)} events`,
  );
  console.log(`  ${fmt(commands / (ms / 1000))} commands/s (goal ≥ 50,000/s)`);
  console.log(
    `  heap: ${fmt(heap / 1024 / 1024)} MiB for ${fmt(events)} events, ≈ ${fmt(((heap / events) * 1_000_000) / 1024 / 1024)} MiB per 1M events (store, index and ticket cache)`,
  );
  void defaultWorkflow;
}

// Both generations first (acd4a29's packages and the working tree's, bundled from source), so
// the comparisons below run in this same process.
const generations = await loadGenerations();
await replay();
await execute();
// Issue 12's other goal: execute within 10% of before, with no extension and with all three.
await compareExecute(generations, Number(process.env.BENCH_COMPARE_COMMANDS ?? 25_000), 3);
