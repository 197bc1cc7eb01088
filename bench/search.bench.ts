/**
 * Search latency at growing sizes: tickets of a subject and 5 messages each, searched through the
 * store's engine (SQLite FTS5, PostgreSQL tsvector + GIN) by relevance, side by side with a
 * `LIKE '%word%'` scan of the same rows' text (newest first, as a substring search without an
 * index does it). Queries: a common word, a rare word, a phrase, a prefix; median and p95 of each,
 * best of interleaved rounds.
 * Run: pnpm build && pnpm --dir bench all search
 *   BENCH_SEARCH_SIZES (default 10000,100000,1000000), BENCH_SEARCH_PG_SIZES (default the same),
 *   BENCH_ONLY=sqlite|postgres; TESSERA_PG_URL to use a running PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketIndex, TicketSummary } from '@tessera/core';
import { postgresStore } from '@tessera/store-postgres';
import { sqliteStore } from '@tessera/store-sqlite';
import pg from 'pg';
import { startPostgres } from '../packages/store-postgres/test/pg-server';

const sizes = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);
const SIZES = sizes('BENCH_SEARCH_SIZES', '10000,100000,1000000');
const PG_SIZES = sizes('BENCH_SEARCH_PG_SIZES', SIZES.join(','));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = mkdtempSync(join(tmpdir(), 'tessera-search-bench-'));

// Words of a help desk, drawn by a seeded generator so every run and store gets the same text.
const VOCAB = (
  'the a to and of is in it for on my we you this that with not have be can please thanks ' +
  'hello error login password reset account email export button page report order shipping ' +
  'refund payment card billing update version app mobile screen sync file upload download ' +
  'slow crash issue problem help support ticket customer agent team today yesterday morning ' +
  'again still working broken fixed release retry server network settings profile user admin'
).split(' ');

function lcg(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * Ticket `t`'s text: a subject and 5 messages of 12 words. About 1 in 4 tickets mentions the
 * printer (the common word), 1 in 20 a paper jam (the phrase), 1 in 10 an invoice in some form
 * (the prefix `invo*`), and 1 in 10,000 a zebrafish (the rare word).
 */
function ticketText(t: number): { subject: string; messages: string[] } {
  const next = lcg(t * 7919 + 17);
  const words = (n: number) => Array.from({ length: n }, () => VOCAB[Math.floor(next() * VOCAB.length)]!);
  const messages = Array.from({ length: 5 }, () => words(12));
  if (t % 4 === 1) messages[0]![3] = 'printer';
  if (t % 20 === 3) messages[1]!.splice(5, 0, 'paper', 'jam');
  if (t % 10 === 5) messages[2]![7] = ['invoice', 'invoices', 'invoicing'][t % 3]!;
  if (t % 10_000 === 4321) messages[4]![2] = 'zebrafish';
  return { subject: words(5).join(' '), messages: messages.map((m) => m.join(' ')) };
}

const BASE = Date.parse('2026-01-01T00:00:00.000Z');

function summaryOf(t: number, subject: string): TicketSummary {
  const at = new Date(BASE + t * 1000).toISOString();
  return {
    id: `T${t}`,
    number: t + 1,
    subject,
    status: 'open',
    category: 'open',
    priority: 'normal',
    tags: [],
    requester: { id: `c${t % 5000}`, email: `c${t % 5000}@example.com` },
    channel: 'email',
    createdAt: at,
    updatedAt: at,
    awaitingAgent: true,
    version: 1,
  };
}

function rowOf(t: number) {
  const { subject, messages } = ticketText(t);
  const summary = summaryOf(t, subject);
  const doc = {
    public: `#${summary.number} ${subject} ${summary.requester.email} ${messages.join(' ')}`,
    internal: '',
  };
  return { summary, doc };
}

const QUERIES = [
  { name: 'common word', text: 'printer', like: '%printer%' },
  { name: 'rare word', text: 'zebrafish', like: '%zebrafish%' },
  { name: 'phrase', text: '"paper jam"', like: '%paper jam%' },
  { name: 'prefix', text: 'invo*', like: '%invo%' },
] as const;

interface Contender {
  name: string;
  run(q: (typeof QUERIES)[number]): Promise<number>;
}

const engine = (
  name: string,
  index: TicketIndex,
  field: 'relevance' | 'updatedAt' = 'relevance',
): Contender => ({
  name,
  run: async (q) =>
    (await index.query({ filter: { text: q.text }, sort: { field }, limit: 50 })).items.length,
});

type Figures = Record<string, { median: number; p95: number; found: number }>;

/** Each contender's median and p95 per query, keeping its best round of `rounds` interleaved ones. */
async function measure(contenders: Contender[], size: number): Promise<Map<string, Figures>> {
  const reps = size >= 1_000_000 ? 5 : size >= 100_000 ? 11 : 31;
  const rounds = size >= 1_000_000 ? 2 : 3;
  const best = new Map<string, Figures>();
  for (let round = 0; round < rounds; round++) {
    for (const c of contenders) {
      const figures: Figures = {};
      for (const q of QUERIES) {
        const samples: number[] = [];
        let found = 0;
        for (let i = 0; i < reps; i++) {
          const start = performance.now();
          found = await c.run(q);
          samples.push(performance.now() - start);
        }
        samples.sort((a, b) => a - b);
        figures[q.name] = {
          median: samples[Math.floor(samples.length / 2)]!,
          p95: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]!,
          found,
        };
      }
      const kept = best.get(c.name);
      const total = (f: Figures) => Object.values(f).reduce((n, x) => n + x.median, 0);
      if (!kept || total(figures) < total(kept)) best.set(c.name, figures);
    }
  }
  return best;
}

function print(title: string, results: Map<string, Figures>) {
  console.log(`\n${title}`);
  console.log(`| contender | ${QUERIES.map((q) => `${q.name} (${q.text}) median / p95 ms`).join(' | ')} |`);
  console.log(`|---|${QUERIES.map(() => '---:').join('|')}|`);
  for (const [name, f] of results) {
    console.log(
      `| ${name} | ${QUERIES.map((q) => `${f[q.name]!.median.toFixed(2)} / ${f[q.name]!.p95.toFixed(2)}`).join(' | ')} |`,
    );
  }
}

async function sqliteRun() {
  const store = sqliteStore({ filename: join(dir, 'search.db') });
  const like = store.db.prepare(
    `SELECT t.body FROM tickets t JOIN ticket_search s ON s.tenant_key = t.tenant_key AND s.ticket_id = t.id
     WHERE s.public LIKE ? ORDER BY t.updated_at DESC, t.id DESC LIMIT 50`,
  );
  let seeded = 0;
  try {
    for (const size of SIZES) {
      const start = performance.now();
      // Batches of 5,000 upserts in one transaction (the adapter's own transaction nests as a
      // savepoint), so seeding is not one commit per ticket.
      while (seeded < size) {
        store.db.exec('BEGIN');
        const upTo = Math.min(size, seeded + 5000);
        for (; seeded < upTo; seeded++) {
          const { summary, doc } = rowOf(seeded);
          await store.index.upsert(summary, undefined, doc);
        }
        store.db.exec('COMMIT');
      }
      store.db.exec('ANALYZE');
      console.log(
        `\nSQLite: seeded to ${fmt(size)} tickets in ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
      const results = await measure(
        [
          engine('Tessera sqliteStore (FTS5), by relevance (bm25)', store.index),
          engine('Tessera sqliteStore (FTS5), newest first', store.index, 'updatedAt'),
          { name: "LIKE '%word%' scan", run: async (q) => like.all(q.like).length },
        ],
        size,
      );
      print(`SQLite (file, WAL), ${fmt(size)} tickets × 5 messages: top 50 results`, results);
    }
  } finally {
    await store.close();
  }
}

async function postgresRun() {
  const server = process.env.TESSERA_PG_URL ? undefined : await startPostgres();
  const url = process.env.TESSERA_PG_URL ?? server!.url;
  const store = postgresStore({ connectionString: url, schema: 'bench_search' });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('DROP SCHEMA IF EXISTS bench_search CASCADE');
    await store.ready();
    let seeded = 0;
    for (const size of PG_SIZES) {
      const start = performance.now();
      // Through the adapter's upsert (one statement per row: row, document, tsvectors), 8 at a time.
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (seeded < size) {
            const { summary, doc } = rowOf(seeded++);
            await store.index.upsert(summary, undefined, doc);
          }
        }),
      );
      await admin.query('VACUUM ANALYZE bench_search.tickets');
      await admin.query('VACUUM ANALYZE bench_search.ticket_search');
      console.log(
        `\nPostgreSQL: seeded to ${fmt(size)} tickets in ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
      const results = await measure(
        [
          engine('Tessera postgresStore (tsvector + GIN), by relevance (ts_rank_cd)', store.index),
          engine('Tessera postgresStore (tsvector + GIN), newest first', store.index, 'updatedAt'),
          {
            name: "LIKE '%word%' scan",
            run: async (q) =>
              (
                await admin.query(
                  `SELECT t.body FROM bench_search.tickets t JOIN bench_search.ticket_search d
                     ON d.doc_tenant = t.tenant_key AND d.doc_id = t.id
                   WHERE d.doc_public LIKE $1 ORDER BY t.updated_at DESC, t.id DESC LIMIT 50`,
                  [q.like],
                )
              ).rows.length,
          },
        ],
        size,
      );
      print(
        `PostgreSQL 15 (throwaway cluster, fsync off), ${fmt(size)} tickets × 5 messages: top 50 results`,
        results,
      );
    }
  } finally {
    await admin.end();
    await store.close();
    server?.stop();
  }
}

const only = process.env.BENCH_ONLY;
try {
  if (!only || only === 'sqlite') await sqliteRun();
  if (!only || only === 'postgres') await postgresRun();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
