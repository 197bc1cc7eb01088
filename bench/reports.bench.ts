/**
 * Reports benchmark: one month's report (day rows, in Europe/Berlin) over a log of ~1.1M events
 * (100,000 tickets × 11 events) on SQLite, read two ways in interleaved rounds, each keeping its best:
 *   - `report()` from the projection: the facts the module keeps in each ticket's index row;
 *   - from the raw log: `readAll` page by page, each stream folded (core's `fold` and the module's
 *     `applyFact`), then the same computation — what a report costs without the projection.
 * The log is seeded through the store's `append`, one stream per ticket, in one transaction per
 * 1,000 streams (the desk's own path would take minutes for 100k tickets here); the index is then
 * built by `desk.rebuild()`, which is also what the module costs to catch up on an existing log.
 * Run: pnpm build && node --import tsx bench/reports.bench.ts   (BENCH_TICKETS shrinks it)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, createHelpdesk, fold, type NewEvent, type StoredEvent } from '@tessera/core';
import {
  applyFact,
  checkSpec,
  computeReport,
  emptyFacts,
  type FactRow,
  type ReportFacts,
  reports,
} from '@tessera/reports';
import { sqliteStore } from '@tessera/store-sqlite';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = mkdtempSync(join(tmpdir(), 'tessera-reports-bench-'));
const customer: Actor = { kind: 'customer', id: 'c1' };
const agents: Actor[] = Array.from({ length: 20 }, (_, i) => ({
  kind: 'agent',
  id: `a${i}`,
  teams: [`t${i % 4}`],
}));
const MONTH = Date.parse('2026-03-01T00:00:00+01:00');
const SPAN = Date.parse('2026-04-01T00:00:00+02:00') - MONTH;

/** One ticket's life: opened, replied, worked, pending, answered, solved, rated (11 events). */
function ticketEvents(t: number): NewEvent[] {
  const agent = agents[t % agents.length]!;
  // Spread over the month, a little past it so some are still open at its end.
  let ms = MONTH + Math.floor((t / TICKETS) * SPAN * 1.02);
  const step = (minutes: number) => {
    ms += minutes * 60_000;
    return new Date(ms).toISOString();
  };
  let k = 0;
  const ev = (type: string, data: unknown, at: string, actor: Actor = agent) =>
    ({ type, data, eventId: `t${t}e${k++}`, occurredAt: at, actor, schemaVersion: 1 }) as NewEvent;
  const opened = step(0);
  const message = (id: string, author: Actor, at: string) =>
    ev(
      'MessagePosted',
      {
        messageId: `m${t}${id}`,
        author,
        visibility: 'public',
        body: 'text',
        channel: 'email',
        attachments: [],
      },
      at,
      author,
    );
  const status = (from: string, to: string, fromCategory: string, at: string, reason = 'manual') =>
    ev('StatusChanged', { from, to, fromCategory, category: to, reason }, at);
  const events = [
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
        team: agent.teams![0],
        priority: 'normal',
        tags: [],
        fields: {},
      },
      opened,
      customer,
    ),
    message('a', customer, opened),
    ev('Assigned', { assignee: agent.id, team: agent.teams![0], strategy: 'manual' }, step(5)),
    status('new', 'open', 'new', step(10)),
    message('b', agent, step(20 + (t % 300))),
    ev('TimeLogged', { minutes: 5 + (t % 25), agentId: agent.id }, step(5)),
    status('open', 'pending', 'open', step(1)),
    message('c', customer, step(60 * (1 + (t % 30)))),
    status('pending', 'open', 'pending', step(0), 'customer-reply'),
    status('open', 'solved', 'open', step(30 + (t % 600))),
    ev('RatingReceived', { score: 1 + (t % 5) }, step(60), customer),
  ];
  // About a tenth stay open: their last three events never happened.
  return t % 10 === 0 ? events.slice(0, 8) : events;
}

async function main() {
  const filename = join(dir, 'reports.db');
  const store = sqliteStore({ filename });
  let events = 0;
  let t0 = performance.now();
  for (let start = 0; start < TICKETS; start += 1000) {
    // One transaction per 1,000 streams: the store's append, nested in a better-sqlite3 transaction.
    const batch: [string, NewEvent[]][] = [];
    for (let t = start; t < Math.min(TICKETS, start + 1000); t++)
      batch.push([`ticket-${t}`, ticketEvents(t)]);
    store.db.exec('BEGIN');
    for (const [streamId, evs] of batch) {
      await store.events.append(streamId, evs, { expectedVersion: 'no-stream' });
      events += evs.length;
    }
    store.db.exec('COMMIT');
  }
  const seedS = (performance.now() - t0) / 1000;
  console.log(`seeded ${fmt(events)} events (${fmt(TICKETS)} tickets) in ${seedS.toFixed(1)} s`);

  const rep = reports();
  const desk = createHelpdesk({ store, extensions: [rep] });
  t0 = performance.now();
  await desk.rebuild();
  const rebuildS = (performance.now() - t0) / 1000;
  console.log(
    `desk.rebuild() (index rows with the facts): ${rebuildS.toFixed(1)} s, ${fmt(events / rebuildS)} events/s`,
  );

  const admin: Actor = { kind: 'admin', id: 'boss' };
  const spec = {
    from: '2026-03-01T00:00:00+01:00',
    to: '2026-04-01T00:00:00+02:00',
    timeZone: 'Europe/Berlin',
    groupBy: 'day',
  } as const;

  const fromProjection = () => rep.report(spec, { actor: admin });
  const fromLog = async () => {
    const byStream = new Map<string, StoredEvent[]>();
    let after: string | undefined;
    for (;;) {
      const page = await store.events.readAll({ limit: 10_000, ...(after === undefined ? {} : { after }) });
      if (page.length === 0) break;
      for (const e of page) {
        const list = byStream.get(e.streamId);
        if (list) list.push(e);
        else byStream.set(e.streamId, [e]);
      }
      after = page[page.length - 1]!.position;
    }
    const rows: FactRow[] = [];
    for (const stream of byStream.values()) {
      const ticket = fold(stream);
      if (!ticket) continue;
      const facts: ReportFacts = emptyFacts();
      for (const e of stream) applyFact(facts, e);
      const summary = { createdAt: ticket.createdAt, channel: ticket.channel, priority: ticket.priority };
      rows.push({ summary: ticket.team === undefined ? summary : { ...summary, team: ticket.team }, facts });
    }
    return computeReport(rows, checkSpec(spec), () => undefined, false);
  };

  // The two must agree before either is timed.
  const [a, b] = [await fromProjection(), await fromLog()];
  if (JSON.stringify(a.total) !== JSON.stringify(b.total)) throw new Error('the two reports differ');
  console.log(
    `total: opened ${fmt(a.total.opened)}, solved ${fmt(a.total.solved)}, backlog ${fmt(a.total.backlog)}, ${a.rows.length} day rows`,
  );

  const best = { projection: Number.POSITIVE_INFINITY, log: Number.POSITIVE_INFINITY };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of [
      ['projection', fromProjection],
      ['log', fromLog],
    ] as const) {
      (globalThis as { gc?: () => void }).gc?.();
      const start = performance.now();
      await run();
      best[name] = Math.min(best[name], performance.now() - start);
    }
  }
  console.log(`report() from the projection (index rows): ${fmt(best.projection)} ms`);
  console.log(`the same report from the raw log (readAll + fold): ${fmt(best.log)} ms`);
  console.log(`ratio: ${(best.log / best.projection).toFixed(1)}×`);
  await store.close();
}

main()
  .finally(() => rmSync(dir, { recursive: true, force: true }))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
