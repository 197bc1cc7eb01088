import type { BlobMeta, BlobRef, BlobStore } from '@tessera/core';
import type Database from 'better-sqlite3';
import { scopeKey, tenantKey } from './ticket-index';
import type { Wrap } from './wrap';

type MetaRow = {
  content_type: string;
  filename: string | null;
  size: number;
  tenant_id: string | null;
  owner_kind: string | null;
  owner_id: string | null;
  ticket_id: string | null;
};

/**
 * Blobs in a table, each with its tenant: a read with another tenant's scope finds nothing.
 *
 * @example
 * const blobs = sqliteBlobStore(db, wrap);
 */
export function sqliteBlobStore(db: Database.Database, wrap: Wrap): BlobStore {
  const putBlob = db.prepare(
    `INSERT INTO blobs (id, tenant_key, tenant_id, owner_kind, owner_id, ticket_id, content_type, filename, size, bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getBlob = db.prepare<[string, string], { bytes: Buffer }>(
    'SELECT bytes FROM blobs WHERE id = ? AND tenant_key = ?',
  );
  const statBlob = db.prepare<[string, string], MetaRow>(
    `SELECT content_type, filename, size, tenant_id, owner_kind, owner_id, ticket_id FROM blobs
     WHERE id = ? AND tenant_key = ?`,
  );
  const idOf = (ref: BlobRef | string) => (typeof ref === 'string' ? ref : ref.id);
  return {
    async put(bytes, meta): Promise<BlobRef> {
      const id = `blob-${crypto.randomUUID()}`;
      wrap('blob put', () =>
        putBlob.run(
          id,
          tenantKey(meta.tenantId),
          meta.tenantId ?? null,
          meta.owner?.kind ?? null,
          meta.owner?.id ?? null,
          meta.ticketId ?? null,
          meta.contentType,
          meta.filename ?? null,
          bytes.byteLength,
          Buffer.from(bytes),
        ),
      );
      return { id, size: bytes.byteLength, contentType: meta.contentType };
    },
    async get(ref, scope) {
      const found = wrap('blob get', () => getBlob.get(idOf(ref), scopeKey(scope)));
      return found ? new Uint8Array(found.bytes) : undefined;
    },
    async stat(ref, scope) {
      const found = wrap('blob stat', () => statBlob.get(idOf(ref), scopeKey(scope)));
      return found ? metaOf(found) : undefined;
    },
  };
}

function metaOf(r: MetaRow): BlobMeta & { size: number } {
  const meta: BlobMeta & { size: number } = { contentType: r.content_type, size: r.size };
  if (r.filename !== null) meta.filename = r.filename;
  if (r.tenant_id !== null) meta.tenantId = r.tenant_id;
  if (r.owner_kind !== null && r.owner_id !== null) meta.owner = { kind: r.owner_kind, id: r.owner_id };
  if (r.ticket_id !== null) meta.ticketId = r.ticket_id;
  return meta;
}
