import type { Store, TenantScope, TicketSummary } from './ports';

/**
 * The store as one tenant's desk sees it: index, Message-ID and blob calls carry the tenant, so
 * an extension given `ExtensionContext.store` needs no tenant code and cannot reach another
 * tenant's rows. Index queries are limited to the tenant (no tenant: the no-tenant rows). The
 * event log is shared: stream names carry the tenant.
 *
 * @example
 * const view = scopedStore(store, { tenantId: 'acme' });
 * await view.messages.get('<m1@example.com>'); // acme's entry only
 */
export function scopedStore(store: Store, scope: TenantScope): Store {
  const { index, messages, blobs } = store;
  const tenantId = scope.tenantId ?? null;
  // A row is written for this tenant whatever the summary says, so an extension cannot write (or
  // overwrite) another tenant's row.
  const ours = (summary: TicketSummary): TicketSummary => {
    const { tenantId: _theirs, ...rest } = summary;
    return scope.tenantId === undefined ? rest : { ...rest, tenantId: scope.tenantId };
  };
  return {
    events: store.events,
    index: {
      upsert: (summary, position, search) => index.upsert(ours(summary), position, search),
      ...(index.upsertMany === undefined
        ? {}
        : {
            upsertMany: (rows) =>
              index.upsertMany!(rows.map((row) => ({ ...row, summary: ours(row.summary) }))),
          }),
      get: (id) => index.get(id, scope),
      query: (q) => index.query({ ...q, filter: { ...q.filter, tenantId } }),
      ...(index.count === undefined
        ? {}
        : { count: (q) => index.count!({ ...q, filter: { ...q.filter, tenantId } }) }),
      checkpoint: () => index.checkpoint(scope),
      setCheckpoint: (position) => index.setCheckpoint(position, scope),
      clear: () => index.clear(scope),
    },
    messages: {
      put: (messageId, ticketId) => messages.put(messageId, ticketId, scope),
      get: (messageId) => messages.get(messageId, scope),
    },
    blobs: {
      put: (bytes, { tenantId: _theirs, ...meta }) =>
        blobs.put(bytes, { ...meta, ...(scope.tenantId === undefined ? {} : { tenantId: scope.tenantId }) }),
      get: (ref) => blobs.get(ref, scope),
      stat: (ref) => blobs.stat(ref, scope),
    },
  };
}
