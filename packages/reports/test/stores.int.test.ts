// The scripted month on SQLite and on PostgreSQL: the facts travel in the store's own ticket table,
// two tenants share one store and neither's report counts the other's, a rebuild gives the same
// report, and a customer is refused before the index is read.
import { ForbiddenError, type Store } from '@tessera/core';
import { postgresStore } from '@tessera/store-postgres';
import { sqliteStore } from '@tessera/store-sqlite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../src/index';
import { admin, customer, MARCH, playMonth } from './month';

const spec = { ...MARCH, timeZone: 'Europe/Berlin', groupBy: 'day' } as const;
const schema = `reports_${process.pid}`;
let inMemory: Report;

beforeAll(async () => {
  const { rep } = await playMonth();
  inMemory = await rep.report(spec, { actor: admin });
});

/** Counts the index reads made through the store, to show a refused customer read nothing. */
function countReads(store: Store): () => number {
  let reads = 0;
  const query = store.index.query.bind(store.index);
  store.index.query = (q) => {
    reads += 1;
    return query(q);
  };
  return () => reads;
}

type Closing = Store & { close(): Promise<void> };
const stores: [string, () => Closing][] = [
  ['SQLite', () => sqliteStore({ filename: ':memory:' })],
  [
    'PostgreSQL',
    () => {
      const store = postgresStore({ connectionString: inject('pgUrl'), schema });
      const close = store.close.bind(store);
      // The schema goes with the test.
      return Object.assign(store, {
        close: async () => {
          await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await close();
        },
      });
    },
  ],
];

describe.each(stores)('reports on %s', (_name, open) => {
  it('two tenants, one store: each report is its own month, and a rebuild changes nothing', async () => {
    const store = open();
    try {
      const reads = countReads(store);
      const acme = await playMonth(store, 'acme');
      const globex = await playMonth(store, 'globex');
      const a = await acme.rep.report(spec, { actor: admin });
      // The same figures as in memory, so none of globex's tickets were counted (they would double them).
      expect(a).toEqual(inMemory);
      expect(a.total).toMatchObject({
        opened: 6,
        solved: 5,
        reopened: 1,
        merged: 1,
        backlogStart: 1,
        backlog: 2,
      });
      expect(await globex.rep.report(spec, { actor: admin })).toEqual(inMemory);
      // Asking for the other tenant's rows finds none.
      const other = await acme.rep.report({ ...spec, filter: { tenantId: 'globex' } }, { actor: admin });
      expect(other.total.opened).toBe(0);

      await acme.desk.rebuild();
      expect(await acme.rep.report(spec, { actor: admin })).toEqual(inMemory);
      expect(await acme.rep.agents({ ...MARCH, timeZone: 'Europe/Berlin' }, { actor: admin })).toHaveLength(
        3,
      );
      expect((await acme.rep.counts({ actor: admin })).unassigned).toBe(2);

      const before = reads();
      await expect(acme.rep.report(spec, { actor: customer })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(acme.rep.counts({ actor: customer })).rejects.toBeInstanceOf(ForbiddenError);
      expect(reads()).toBe(before);
    } finally {
      await store.close();
    }
  });
});
