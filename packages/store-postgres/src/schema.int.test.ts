import { isTesseraError } from '@tessera/core';
import { createTicketsTableSql, postgresDialect, TICKET_INDEXES } from '@tessera/store-sql';
import { sampleSummary } from '@tessera/testing';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { migrations } from './schema';
import { postgresStore } from './store';

describe('PostgreSQL schema migration 2 (tenants)', () => {
  it('keeps every existing row with its tenant, and lets the same id exist in another tenant', async () => {
    const schema = `migrate_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    const s = `"${schema}"`;
    // The schema as @tessera/store-postgres wrote it at version 1, with two tenants' rows; one id
    // and one tenant hold a U+0001, which the new code writes in its SQL form.
    await admin.query(`CREATE SCHEMA ${s}`);
    await admin.query(`CREATE TABLE ${s}.schema_version (version INTEGER NOT NULL)`);
    await admin.query(migrations(schema)[0]!);
    await admin.query(`INSERT INTO ${s}.schema_version VALUES (1)`);
    const rows = [
      sampleSummary(1, { id: 'T1', tenantId: 'A', tags: ['a'] }),
      sampleSummary(2, { id: 'T\u00012', tenantId: 'B\u0001', tags: ['b\u0001'] }),
      sampleSummary(3, { id: 'T3', tags: ['n'] }),
    ];
    for (const r of rows) {
      await admin.query(
        `INSERT INTO ${s}.tickets (id, tenant_id, number, subject_lc, status, category, priority, priority_rank, tags,
           requester_id, channel, created_at, updated_at, awaiting_agent, sla_breached, sla_at_risk, version, body)
         VALUES ($1, $2, $3, $4, 'open', 'open', 'normal', 1, $5, 'c1', 'api', $6, $7, false, false, false, 1, $8)`,
        [
          r.id,
          r.tenantId ?? null,
          r.number,
          r.subject.toLowerCase(),
          r.tags,
          r.createdAt,
          r.updatedAt,
          JSON.stringify(r),
        ],
      );
    }
    await admin.query(
      `INSERT INTO ${s}.checkpoint (id, position) VALUES (1, '00000000000000000042.0000000000000000001')`,
    );
    await admin.query(
      `INSERT INTO ${s}.messages VALUES ('<a@x>', 'T1'), ('<b@x>', 'T\u00012'), ('<n@x>', 'T3')`,
    );
    await admin.query(
      `INSERT INTO ${s}.blobs (id, content_type, filename, size, bytes) VALUES ('blob-old', 'text/plain', NULL, 1, '\\x2a')`,
    );
    const store = postgresStore({ connectionString: inject('pgUrl'), schema });
    try {
      await store.ready();
      expect((await admin.query(`SELECT version FROM ${s}.schema_version`)).rows).toEqual([
        { version: migrations(schema).length },
      ]);
      const [a, b, none] = rows;
      expect(await store.index.get('T1', { tenantId: 'A' })).toEqual(a);
      expect(await store.index.get('T1')).toBeUndefined();
      expect(await store.index.get('T\u00012', { tenantId: 'B\u0001' })).toEqual(b);
      expect(await store.index.get('T3')).toEqual(none);
      const ids = async (filter: Parameters<typeof store.index.query>[0]['filter']) =>
        (await store.index.query({ ...(filter ? { filter } : {}) })).items.map((r) => r.id).sort();
      expect(await ids({ tenantId: 'A' })).toEqual(['T1']);
      expect(await ids({ tenantId: null })).toEqual(['T3']);
      expect(await ids({ tenantId: 'B\u0001', tags: ['b\u0001'] })).toEqual(['T\u00012']);
      expect(await ids({ ids: ['T\u00012'] })).toEqual(['T\u00012']);
      expect(await ids({ text: 'printer' })).toEqual(['T3']);
      for (const tenantId of [undefined, 'A', 'B\u0001'])
        expect(await store.index.checkpoint(tenantId === undefined ? {} : { tenantId })).toBe(
          '00000000000000000042.0000000000000000001',
        );
      expect(await store.index.checkpoint({ tenantId: 'C' })).toBeUndefined();
      expect(await store.messages.get('<a@x>', { tenantId: 'A' })).toBe('T1');
      expect(await store.messages.get('<a@x>')).toBeUndefined();
      expect(await store.messages.get('<b@x>', { tenantId: 'B\u0001' })).toBe('T\u00012');
      expect(await store.messages.get('<n@x>')).toBe('T3');
      expect(Array.from((await store.blobs.get('blob-old'))!)).toEqual([42]);
      await store.index.upsert(sampleSummary(9, { id: 'T1', tenantId: 'B' }));
      expect((await store.index.get('T1', { tenantId: 'A' }))?.number).toBe(1);
      expect((await store.index.get('T1', { tenantId: 'B' }))?.number).toBe(9);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA ${s} CASCADE`);
      await admin.end();
    }
  }, 60_000);
});

describe('PostgreSQL schema migration 3 (search)', () => {
  it('makes the rows of a version 2 schema searchable by number, subject and requester', async () => {
    const schema = `migrate3_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    const s = `"${schema}"`;
    await admin.query(`CREATE SCHEMA ${s}`);
    await admin.query(`CREATE TABLE ${s}.schema_version (version INTEGER NOT NULL)`);
    await admin.query(migrations(schema)[0]!);
    await admin.query(migrations(schema)[1]!);
    await admin.query(`INSERT INTO ${s}.schema_version VALUES (2)`);
    // A version 2 row, its body holding U+0000 (JSON \u0000) as any caller's string may.
    const old = sampleSummary(4, {
      id: 'T4',
      tenantId: 'A',
      subject: 'Résumé\u0000attached',
      requester: { id: 'c9', name: 'Ada Lovelace', email: 'ada@example.com' },
    });
    await admin.query(
      `INSERT INTO ${s}.tickets (tenant_key, id, tenant_id, number, subject_lc, status, category, priority, priority_rank,
         tags, requester_id, channel, created_at, updated_at, awaiting_agent, sla_breached, sla_at_risk, version, body)
       VALUES ('t:A', 'T4', 'A', 4, $1, 'open', 'open', 'normal', 1, '{}', 'c9', 'api', $2, $3, false, false, false, 1, $4)`,
      [Buffer.from(old.subject.toLowerCase()), old.createdAt, old.updatedAt, JSON.stringify(old)],
    );
    const store = postgresStore({ connectionString: inject('pgUrl'), schema });
    try {
      await store.ready();
      expect((await admin.query(`SELECT version FROM ${s}.schema_version`)).rows).toEqual([{ version: 3 }]);
      const found = async (text: string) =>
        (await store.index.query({ filter: { tenantId: 'A', text } })).items.map((r) => r.id);
      expect(await found('resume')).toEqual(['T4']);
      expect(await found('attached')).toEqual(['T4']);
      expect(await found('#4')).toEqual(['T4']);
      expect(await found('lovelace')).toEqual(['T4']);
      expect(await found('ada@example.com')).toEqual(['T4']);
      expect(await found('printer')).toEqual([]);
      await store.index.upsert({ ...old, version: 2 }, undefined, { public: 'plotter', internal: '' });
      expect(await found('resume')).toEqual([]);
      expect(await found('plotter')).toEqual(['T4']);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA ${s} CASCADE`);
      await admin.end();
    }
  }, 60_000);
});

describe('PostgreSQL schema', () => {
  const fresh = () => `schema_${process.pid}_${Date.now().toString(36)}_${Math.floor(performance.now())}`;

  it('a schema of a newer version is a ConfigError, and is left as it is', async () => {
    const schema = fresh();
    const s = `"${schema}"`;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${s}`);
    await admin.query(`CREATE TABLE ${s}.schema_version (version INTEGER NOT NULL)`);
    await admin.query(`INSERT INTO ${s}.schema_version VALUES (99)`);
    const store = postgresStore({ connectionString: inject('pgUrl'), schema });
    try {
      const thrown = await store.ready().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isTesseraError(thrown, 'config'), String(thrown)).toBe(true);
      expect(String(thrown)).toContain('has version 99');
      expect((await admin.query(`SELECT version FROM ${s}.schema_version`)).rows).toEqual([{ version: 99 }]);
      expect(
        (
          await admin.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
            schema,
          ])
        ).rows,
      ).toEqual([{ table_name: 'schema_version' }]);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA ${s} CASCADE`);
      await admin.end();
    }
  }, 60_000);

  it('the migrated ticket table is the one @tessera/store-sql describes, with its indexes', async () => {
    const schema = fresh();
    const s = `"${schema}"`;
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    const store = postgresStore({ connectionString: inject('pgUrl'), schema });
    try {
      await store.ready();
      await admin.query(createTicketsTableSql(postgresDialect, `${s}.tickets_described`));
      const columns = async (table: string) =>
        (
          await admin.query(
            `SELECT column_name, data_type, udt_name, is_nullable, collation_name, ordinal_position
             FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY column_name`,
            [schema, table],
          )
        ).rows.map(({ ordinal_position: _, ...c }) => c);
      expect(await columns('tickets')).toEqual(await columns('tickets_described'));
      const key = async (table: string) =>
        (
          await admin.query(
            `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
             WHERE c.conrelid = $1::regclass AND c.contype = 'p'`,
            [`${s}.${table}`],
          )
        ).rows;
      expect(await key('tickets')).toEqual(await key('tickets_described'));
      const { rows } = await admin.query<{ indexname: string; indexdef: string }>(
        'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2',
        [schema, 'tickets'],
      );
      for (const index of TICKET_INDEXES) {
        const found = rows.find((r) => r.indexname === index.name);
        expect(found, index.name).toBeDefined();
        expect(found!.indexdef).toContain(`(${index.columns.join(', ')})`);
        if (index.where) expect(found!.indexdef).toContain(`WHERE (${index.where})`);
      }
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA ${s} CASCADE`);
      await admin.end();
    }
  }, 60_000);
});
