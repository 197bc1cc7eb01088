import type { BlobMeta, BlobRef, BlobStore } from '@tessera/core';
import type Database from 'better-sqlite3';
import { scopeKey, tenantKey } from './ticket-index';
import type { Wrap } from './wrap';
import { textOf } from './wtf8';

type MetaRow = {
  content_type: Buffer;
  filename: Buffer | null;
  size: number;
  tenant_id: Buffer | null;
  owner_kind: Buffer | null;
  owner_id: Buffer | null;
  ticket_id: Buffer | null;
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
    `SELECT CAST(content_type AS BLOB) AS content_type, CAST(filename AS BLOB) AS filename, size,
       CAST(tenant_id AS BLOB) AS tenant_id, CAST(owner_kind AS BLOB) AS owner_kind, CAST(owner_id AS BLOB) AS owner_id,
       CAST(ticket_id AS BLOB) AS ticket_id FROM blobs
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
  const meta: BlobMeta & { size: number } = { contentType: textOf(r.content_type), size: r.size };
  if (r.filename !== null) meta.filename = textOf(r.filename);
  if (r.tenant_id !== null) meta.tenantId = textOf(r.tenant_id);
  if (r.owner_kind !== null && r.owner_id !== null)
    meta.owner = { kind: textOf(r.owner_kind), id: textOf(r.owner_id) };
  if (r.ticket_id !== null) meta.ticketId = textOf(r.ticket_id);
  return meta;
}
