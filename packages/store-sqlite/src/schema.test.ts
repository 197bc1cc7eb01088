import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTesseraError } from '@tessera/core';
import { createTicketsTableSql, sqliteDialect, TICKET_INDEXES } from '@tessera/store-sql';
import { sampleSummary } from '@tessera/testing';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import { sqliteStore } from './store';

/** A database file as @tessera/store-sqlite wrote it at schema version 1, with two tenants' rows. */
function versionOne(filename: string) {
  const db = new Database(filename);
  db.exec(MIGRATIONS[0]!);
  db.exec('CREATE TABLE tessera_schema (version INTEGER NOT NULL); INSERT INTO tessera_schema VALUES (1);');
  const insert =
    db.prepare(`INSERT INTO tickets (id, tenant_id, number, subject_lc, status, category, priority,
    priority_rank, requester_id, channel, created_at, updated_at, awaiting_agent, sla_breached, sla_at_risk, version, body)
    VALUES (?, ?, ?, ?, 'open', 'open', 'normal', 1, 'c1', 'api', ?, ?, 0, 0, 0, 1, ?)`);
  const rows = [
    sampleSummary(1, { id: 'T1', tenantId: 'A', tags: ['a'] }),
    sampleSummary(2, { id: 'T2', tenantId: 'B', tags: ['b'] }),
    sampleSummary(3, { id: 'T3', tags: ['n'] }),
  ];
  for (const r of rows) {
    insert.run(
      r.id,
      r.tenantId ?? null,
      r.number,
      r.subject.toLowerCase(),
      r.createdAt,
      r.updatedAt,
      JSON.stringify(r),
    );
    for (const tag of r.tags)
      db.prepare('INSERT INTO ticket_tags (tag, ticket_id) VALUES (?, ?)').run(tag, r.id);
  }
  db.prepare("INSERT INTO checkpoint (id, position) VALUES (1, '0000000000000042')").run();
  db.prepare("INSERT INTO messages (message_id, ticket_id) VALUES ('<a@x>', 'T1'), ('<n@x>', 'T3')").run();
  db.prepare(
    "INSERT INTO blobs (id, content_type, filename, size, bytes) VALUES ('blob-old', 'text/plain', NULL, 1, x'2a')",
  ).run();
  db.close();
  return rows;
}

describe('SQLite schema migration 2 (tenants)', () => {
  it('keeps every existing row with its tenant, and lets the same id exist in another tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-migrate-'));
    const filename = join(dir, 'v1.db');
    const rows = versionOne(filename);
    const store = sqliteStore({ filename });
    expect(store.db.prepare('SELECT version FROM tessera_schema').get()).toEqual({ version: SCHEMA_VERSION });
    expect(await store.index.get('T1', { tenantId: 'A' })).toEqual(rows[0]);
    expect(await store.index.get('T1')).toBeUndefined();
    expect(await store.index.get('T2', { tenantId: 'B' })).toEqual(rows[1]);
    expect(await store.index.get('T3')).toEqual(rows[2]);
    const q = async (tenantId: string | null, tags?: string[]) =>
      (await store.index.query({ filter: { tenantId, ...(tags ? { tags } : {}) } })).items.map((r) => r.id);
    expect(await q('A')).toEqual(['T1']);
    expect(await q(null)).toEqual(['T3']);
    expect(await q('A', ['a'])).toEqual(['T1']);
    expect(await q('B', ['a'])).toEqual([]);
    for (const tenantId of [undefined, 'A', 'B'])
      expect(await store.index.checkpoint(tenantId === undefined ? {} : { tenantId })).toBe(
        '0000000000000042',
      );
    expect(await store.index.checkpoint({ tenantId: 'C' })).toBeUndefined();
    expect(await store.messages.get('<a@x>', { tenantId: 'A' })).toBe('T1');
    expect(await store.messages.get('<a@x>')).toBeUndefined();
    expect(await store.messages.get('<n@x>')).toBe('T3');
    expect(Array.from((await store.blobs.get('blob-old'))!)).toEqual([42]);
    await store.index.upsert(sampleSummary(9, { id: 'T1', tenantId: 'B' }));
    expect((await store.index.get('T1', { tenantId: 'A' }))?.number).toBe(1);
    expect((await store.index.get('T1', { tenantId: 'B' }))?.number).toBe(9);
    await store.close();
    // Opening the migrated file again runs nothing more.
    const again = sqliteStore({ filename });
    expect(await again.index.get('T1', { tenantId: 'A' })).toEqual(rows[0]);
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});

describe('SQLite schema migration 3 (search)', () => {
  it('makes the rows of a version 2 file searchable by number, subject and requester, and keeps the FTS index in step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-migrate-'));
    const filename = join(dir, 'v2.db');
    versionOne(filename);
    // Up to version 2 only, as the previous @tessera/store-sqlite left it.
    const db = new Database(filename);
    db.exec(MIGRATIONS[1]!);
    db.exec('UPDATE tessera_schema SET version = 2');
    const old = sampleSummary(4, {
      id: 'T4',
      subject: 'Résumé\u0000attached',
      requester: { id: 'c9', name: 'Ada Lovelace', email: 'ada@example.com' },
    });
    db.prepare(
      `INSERT INTO tickets (tenant_key, id, number, subject_lc, status, category, priority, priority_rank, requester_id,
         channel, created_at, updated_at, awaiting_agent, sla_breached, sla_at_risk, version, body)
       VALUES ('', 'T4', 4, ?, 'open', 'open', 'normal', 1, 'c9', 'api', ?, ?, 0, 0, 0, 1, ?)`,
    ).run(old.subject.toLowerCase(), old.createdAt, old.updatedAt, JSON.stringify(old));
    db.close();
    const store = sqliteStore({ filename });
    try {
      expect(store.db.prepare('SELECT version FROM tessera_schema').get()).toEqual({ version: 3 });
      const found = async (text: string, tenantId: string | null = null) =>
        (await store.index.query({ filter: { tenantId, text } })).items.map((r) => r.id);
      expect(await found('resume')).toEqual(['T4']);
      expect(await found('attached')).toEqual(['T4']);
      expect(await found('#4')).toEqual(['T4']);
      expect(await found('lovelace')).toEqual(['T4']);
      expect(await found('ada@example.com')).toEqual(['T4']);
      expect(await found('ticket', 'A')).toEqual(['T1']);
      // A new upsert replaces the migrated text, through the triggers, in the FTS index too.
      await store.index.upsert({ ...old, version: 2 }, undefined, { public: 'plotter', internal: '' });
      expect(await found('resume')).toEqual([]);
      expect(await found('plotter')).toEqual(['T4']);
      // FTS5 compares its index with the content table and throws when they differ.
      expect(() =>
        store.db.prepare("INSERT INTO ticket_fts (ticket_fts) VALUES ('integrity-check')").run(),
      ).not.toThrow();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('SQLite schema', () => {
  it('a file of a newer schema version is a ConfigError, and is left as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-newer-'));
    const filename = join(dir, 'newer.db');
    const db = new Database(filename);
    db.exec(
      'CREATE TABLE tessera_schema (version INTEGER NOT NULL); INSERT INTO tessera_schema VALUES (99);',
    );
    db.close();
    let thrown: unknown;
    try {
      sqliteStore({ filename }).close();
    } catch (error) {
      thrown = error;
    }
    expect(isTesseraError(thrown, 'config'), String(thrown)).toBe(true);
    expect(String(thrown)).toContain('schema version 99');
    const after = new Database(filename);
    expect(after.prepare('SELECT version FROM tessera_schema').all()).toEqual([{ version: 99 }]);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'tickets'").all()).toEqual([]);
    after.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the migrated ticket table is the one @tessera/store-sql describes, with its indexes', async () => {
    // A file migrated from version 1 and a new one must both arrive at the described table.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-described-'));
    const filename = join(dir, 'v1.db');
    versionOne(filename);
    for (const store of [sqliteStore({ filename }), sqliteStore({ filename: ':memory:' })]) {
      const db = store.db;
      db.exec(createTicketsTableSql(sqliteDialect, 'tickets_described'));
      const columns = (table: string) => db.pragma(`table_info(${table})`);
      expect(columns('tickets')).toEqual(columns('tickets_described'));
      const options = (table: string) =>
        (
          db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(table) as { sql: string }
        ).sql.endsWith('WITHOUT ROWID');
      expect(options('tickets')).toBe(options('tickets_described'));
      for (const index of TICKET_INDEXES) {
        const found = db
          .prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?')
          .get('index', index.name) as { sql: string } | undefined;
        expect(found, index.name).toBeDefined();
        expect(
          (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((c) => c.name),
          index.name,
        ).toEqual(index.columns);
        if (index.where) expect(found!.sql).toContain(`WHERE ${index.where}`);
      }
      await store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
