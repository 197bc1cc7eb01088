import { describe, expect, it } from 'vitest';
import { inMemoryStore } from './memory';
import type { TicketSummary } from './ports';
import { scopedStore } from './scoped-store';

const row = (id: string, tenantId?: string): TicketSummary => ({
  id,
  ...(tenantId === undefined ? {} : { tenantId }),
  number: 1,
  subject: `${tenantId ?? 'none'} row`,
  status: 'new',
  category: 'new',
  priority: 'normal',
  tags: [],
  requester: { id: 'c1' },
  channel: 'portal',
  createdAt: '2026-11-02T09:00:00.000Z',
  updatedAt: '2026-11-02T09:00:00.000Z',
  awaitingAgent: true,
  version: 1,
});

describe('a tenant’s view of the store', () => {
  it('writes index rows for its own tenant, whatever tenant the summary names', async () => {
    const store = inMemoryStore();
    await store.index.upsert(row('T1', 'globex'));
    const acme = scopedStore(store, { tenantId: 'acme' });
    await acme.index.upsert(row('T1', 'globex'));
    expect((await store.index.get('T1', { tenantId: 'globex' }))?.subject).toBe('globex row');
    expect((await store.index.get('T1', { tenantId: 'acme' }))?.tenantId).toBe('acme');
    // A desk of no tenant writes rows of no tenant, also when the summary names one.
    const none = scopedStore(store, {});
    await none.index.upsert(row('T2', 'globex'));
    expect(await store.index.get('T2', { tenantId: 'globex' })).toBeUndefined();
    expect((await store.index.get('T2', {}))?.tenantId).toBeUndefined();
  });
});

describe('a tenant’s view of the store, searching', () => {
  it('passes the search document through upsert and counts within the tenant', async () => {
    const store = inMemoryStore();
    const acme = scopedStore(store, { tenantId: 'acme' });
    const globex = scopedStore(store, { tenantId: 'globex' });
    await acme.index.upsert(row('T1'), undefined, { public: 'zebra crossing', internal: '' });
    await globex.index.upsert(row('T1'), undefined, { public: 'zebra too', internal: '' });
    const found = await acme.index.query({ filter: { text: 'crossing' } });
    expect(found.items.map((s) => [s.id, s.tenantId])).toEqual([['T1', 'acme']]);
    expect(await acme.index.count?.({ filter: { text: 'zebra' } })).toBe(1);
    // A filter naming another tenant is overridden by the view's own.
    expect(await acme.index.count?.({ filter: { text: 'zebra', tenantId: 'globex' } })).toBe(1);
    expect((await acme.index.query({ filter: { text: 'too', tenantId: 'globex' } })).items).toEqual([]);
  });
});
