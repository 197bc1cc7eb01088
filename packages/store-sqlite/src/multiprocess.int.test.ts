import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHelpdesk } from '@tessera/core';
import { expectIntactLog, expectTickedOnce, runScript, type TickingTickets, waitFor } from '@tessera/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from './store';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const worker = fileURLToPath(new URL('./multiprocess.worker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-mp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runScript(worker, args, { cwd: root });

describe('three processes ticking one SQLite file at once', () => {
  it('every automation firing and every SLA warning and breach appears exactly once', async () => {
    const file = join(dir, 'ticking.db');
    const seed = run([file, 'seed', 'seed', '15']);
    expect(await seed.exited, seed.errors()).toBe(0);
    const tickets = JSON.parse(/^tickets (.*)$/m.exec(seed.output())![1]!) as TickingTickets;
    expect(tickets.solved.length + tickets.pending.length + tickets.open.length).toBe(45);
    // Three desks, each its own process with its own in-process caches, tick every instant twice.
    const workers = ['w1', 'w2', 'w3'].map((id) => run([file, 'tick', id, '2']));
    await waitFor(() => workers.every((w) => w.output().includes('ready') || w.closed()), {
      what: 'every worker to be ready',
    });
    for (const w of workers) w.child.stdin.end('go\n');
    const codes = await Promise.all(workers.map((w) => w.exited));
    expect(workers.map((w) => w.errors())).toEqual(['', '', '']);
    expect(codes).toEqual([0, 0, 0]);
    for (const w of workers) expect(w.output()).toContain('done');
    const store = sqliteStore({ filename: file });
    expectIntactLog(await store.events.readAll());
    const desk = createHelpdesk({ store });
    await expectTickedOnce(desk, tickets);
    await desk.close();
    await store.close();
  }, 300_000);
});
