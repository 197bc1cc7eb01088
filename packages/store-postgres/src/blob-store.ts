import type { BlobMeta, BlobRef, BlobStore } from '@tessera/core';
import { fromSqlText, toSqlText, toSqlTextOrNull } from '@tessera/store-sql';
import type { Database } from './database';
import { scopeKey, tenantKey } from './ticket-index';

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
 * const blobs = postgresBlobStore(db);
 */
export function postgresBlobStore({ s, q }: Database): BlobStore {
  const idOf = (ref: BlobRef | string) => toSqlText(typeof ref === 'string' ? ref : ref.id);
  return {
    async put(bytes, meta): Promise<BlobRef> {
      const id = `blob-${crypto.randomUUID()}`;
      await q(
        'blob put',
        `INSERT INTO ${s}.blobs (id, tenant_key, tenant_id, owner_kind, owner_id, ticket_id, content_type, filename, size, bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          tenantKey(meta.tenantId),
          toSqlTextOrNull(meta.tenantId),
          toSqlTextOrNull(meta.owner?.kind),
          toSqlTextOrNull(meta.owner?.id),
          toSqlTextOrNull(meta.ticketId),
          toSqlText(meta.contentType),
          toSqlTextOrNull(meta.filename),
          bytes.byteLength,
          Buffer.from(bytes),
        ],
      );
      return { id, size: bytes.byteLength, contentType: meta.contentType };
    },
    async get(ref, scope) {
      const { rows } = await q<{ bytes: Buffer }>(
        'blob get',
        `SELECT bytes FROM ${s}.blobs WHERE id = $1 AND tenant_key = $2`,
        [idOf(ref), scopeKey(scope)],
      );
      return rows[0] ? new Uint8Array(rows[0].bytes) : undefined;
    },
    async stat(ref, scope) {
      const { rows } = await q<MetaRow>(
        'blob stat',
        `SELECT content_type, filename, size, tenant_id, owner_kind, owner_id, ticket_id FROM ${s}.blobs
         WHERE id = $1 AND tenant_key = $2`,
        [idOf(ref), scopeKey(scope)],
      );
      return rows[0] ? metaOf(rows[0]) : undefined;
    },
  };
}

function metaOf(r: MetaRow): BlobMeta & { size: number } {
  const meta: BlobMeta & { size: number } = { contentType: fromSqlText(r.content_type), size: r.size };
  if (r.filename !== null) meta.filename = fromSqlText(r.filename);
  if (r.tenant_id !== null) meta.tenantId = fromSqlText(r.tenant_id);
  if (r.owner_kind !== null && r.owner_id !== null)
    meta.owner = { kind: fromSqlText(r.owner_kind), id: fromSqlText(r.owner_id) };
  if (r.ticket_id !== null) meta.ticketId = fromSqlText(r.ticket_id);
  return meta;
}
