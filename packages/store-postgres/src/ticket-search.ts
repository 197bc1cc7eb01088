import { foldText, type TicketSummary } from '@tessera/core';
import { fallbackDocument, indexedText, type SearchText } from '@tessera/store-sql';
import type pg from 'pg';

/**
 * The values of a row's document as `ticket_search` keeps them, in order: the text of each part
 * (what snippets are cut from) and its folded words, of which the upsert makes the `tsvector`s.
 *
 * @example
 * searchValues({ public: 'Résumé, ada@x.org', internal: '' }); // ['Résumé, ada@x.org', '', 'resume ada x org', '']
 */
export function searchValues(doc: SearchText): [string, string, string, string] {
  // Not in toSqlText form: no U+0000 is left, and this text is only searched and cut, never compared.
  const pub = indexedText(doc.public);
  const internal = indexedText(doc.internal);
  return [pub, internal, words(pub), words(internal)];
}

/**
 * Folded, and split into words where `parseSearch` splits a query: PostgreSQL's parser would keep
 * `ada@example.com` or `example.com` as one token, which the query's words `ada example com`
 * never meet.
 */
const words = (text: string) => foldText(text).replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ');

/**
 * A part's `tsvector` from its folded text: English lexemes (stems) and the simple ones (every
 * word as it is, for the languages English does not stem and for stop words).
 *
 * @example
 * tsvectorSql('$3'); // "to_tsvector('english', $3::text) || to_tsvector('simple', $3::text)"
 */
export const tsvectorSql = (placeholder: string): string =>
  `to_tsvector('english', ${placeholder}::text) || to_tsvector('simple', ${placeholder}::text)`;

/** Rows read per batch by the migration's backfill. */
const BATCH = 1000;

/**
 * Gives every existing ticket row its document (number, subject, requester — what a row upserted
 * without one has), inside the migration's transaction; `desk.rebuild()` adds the messages. Done
 * here rather than in SQL: the folding is `foldText`'s, and a body's JSON may hold `\u0000`,
 * which PostgreSQL's JSON operators refuse to turn into text.
 *
 * @example
 * await backfillSearch(client, '"tessera"');
 */
export async function backfillSearch(client: pg.PoolClient, s: string): Promise<void> {
  let after: [string, string] = ['', ''];
  let first = true;
  for (;;) {
    const { rows } = await client.query<{ tenant_key: string; id: string; body: string }>(
      `SELECT tenant_key, id, body FROM ${s}.tickets
       ${first ? '' : 'WHERE (tenant_key, id) > ($1, $2)'} ORDER BY tenant_key, id LIMIT ${BATCH}`,
      first ? [] : after,
    );
    first = false;
    if (rows.length === 0) return;
    const values = rows.map((r) => searchValues(fallbackDocument(JSON.parse(r.body) as TicketSummary)));
    await client.query(
      `INSERT INTO ${s}.ticket_search (doc_tenant, doc_id, doc_public, doc_internal, tsv_public, tsv_internal)
       SELECT k, i, p, n, ${tsvectorSql('fp')}, ${tsvectorSql('fn')}
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(k, i, p, n, fp, fn)`,
      [
        rows.map((r) => r.tenant_key),
        rows.map((r) => r.id),
        values.map((v) => v[0]),
        values.map((v) => v[1]),
        values.map((v) => v[2]),
        values.map((v) => v[3]),
      ],
    );
    const last = rows[rows.length - 1]!;
    after = [last.tenant_key, last.id];
  }
}
