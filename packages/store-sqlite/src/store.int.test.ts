import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHelpdesk, fold, type StoredEvent, toSummary } from '@tessera/core';
import { expectIntactLog } from '@tessera/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from './store';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('../test/writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

/** The writers append three-event batches to `batch-*` streams, their event ids sharing a prefix. */
const checkLog = (events: StoredEvent[]) =>
  expectIntactLog(events, {
    batches: { streams: (id) => id.startsWith('batch-'), size: 3, key: (e) => e.eventId.replace(/-\d$/, '') },
  });

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

  it('survives a writer killed with SIGKILL mid-append, 50 times: contiguous versions, no half batch, rebuild reproduces the read models', async () => {
    const file = join(dir, 'fault.db');
    sqliteStore({ filename: file }).close();
    for (let round = 0; round < 50; round++) {
      const r = run([file, 'loop', `k${round}`]);
      for (let i = 0; i < 400 && !r.output().includes('ready'); i++)
        await new Promise((res) => setTimeout(res, 10));
      await new Promise((res) => setTimeout(res, 5 + ((round * 37) % 60)));
      r.child.kill('SIGKILL');
      await r.exited;
      const store = sqliteStore({ filename: file });
      checkLog(await store.events.readAll());
      await store.close();
    }
    const store = sqliteStore({ filename: file });
    const events = await store.events.readAll();
    const streams = checkLog(events);
    expect(events.length).toBeGreaterThan(50 * 3);
    const desk = createHelpdesk({ store });
    await desk.rebuild();
    for (const [id, list] of streams) {
      if (id.startsWith('batch-')) continue;
      const ticket = fold(list)!;
      expect(await store.index.get(ticket.id)).toEqual(JSON.parse(JSON.stringify(toSummary(ticket))));
    }
    await store.close();
  }, 300_000);
});

describe('rebuild', () => {
  it('reproduces the live index byte for byte', async () => {
    const store = sqliteStore({ filename: ':memory:' });
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
    const admin = { kind: 'admin' as const, id: 'root' };
    for (let i = 0; i < 30; i++) {
      const { ticket } = await desk.execute(
        {
          type: 'openTicket',
          channel: 'email',
          requester: { id: `c${i % 4}`, organizationId: 'acme' },
          subject: `S${i}`,
          body: 'b',
          tags: ['x'],
        },
        { actor: admin },
      );
      if (i % 2)
        await desk.execute(
          { type: 'assign', ticketId: ticket.id, assignee: 'a1', team: 'ops' },
          { actor: admin },
        );
      if (i % 3)
        await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: admin });
    }
    const dump = async () =>
      JSON.stringify(await store.index.query({ limit: 500, sort: { field: 'number', direction: 'asc' } }));
    const live = await dump();
    await desk.rebuild();
    expect(await dump()).toBe(live);
    expect(JSON.parse(live).items).toHaveLength(30);
    await store.close();
  });
});
