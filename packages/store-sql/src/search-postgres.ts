import { foldText, type SearchQuery, type SearchTerm } from '@tessera/core';
import type { SearchSql, TextScope } from './text-search';

/**
 * The search table beside a ticket table.
 *
 * @example
 * searchTableOf('"tessera".tickets'); // '"tessera".ticket_search'
 */
export const searchTableOf = (table: string): string => table.replace(/tickets$/u, 'ticket_search');

/**
 * One term as a `tsquery`: a word or phrase by `websearch_to_tsquery` in the English
 * configuration (stems) ORed with the simple one (exact words of every language), the English one
 * only where it keeps every word of the term; a prefix by
 * `to_tsquery('simple', …:*)`. Words are folded as the documents are (`foldText`) and hold only
 * letters, marks and digits, so neither function can be handed syntax that makes it throw; a word
 * the parser keeps nothing of makes an empty query, which matches nothing.
 */
function termQuery(t: SearchTerm, bind: (v: unknown) => string): string {
  const words = t.words.map(foldText);
  if (t.prefix) {
    const text = words.map((w, i) => `'${w}'${i === words.length - 1 ? ':*' : ''}`).join(' <-> ');
    return `to_tsquery('simple', ${bind(text)})`;
  }
  const p = bind(`"${words.join(' ')}"`);
  const english = `websearch_to_tsquery('english', ${p})`;
  const simple = `websearch_to_tsquery('simple', ${p})`;
  // English drops its stop words, and a phrase with one dropped at its end or start would match
  // the rest anywhere ('"jam of"' would be 'jam'): it counts only while it keeps every word
  // (n lexemes and the n - 1 operators between them).
  return `(CASE WHEN numnode(${english}) = ${2 * words.length - 1} THEN ${english} || ${simple} ELSE ${simple} END)`;
}

/**
 * The PostgreSQL search: `ticket_search` beside the ticket table holds each row's text and its
 * `tsvector`s (`tsv_public`, `tsv_internal`, GIN-indexed). Each term is tested on the parts the
 * scope allows, so under `'all'` one word may match the public part and another the internal one.
 * Unranked: the keys of the matching documents; ranked: a join with `ts_rank_cd` over the terms
 * looked for.
 *
 * @example
 * const params: unknown[] = [];
 * const sql = postgresSearch(parseSearch('printer'), 'public', params, '"tessera".tickets', false);
 */
export function postgresSearch(
  query: SearchQuery,
  scope: TextScope,
  params: unknown[],
  table: string,
  ranked: boolean,
): SearchSql {
  const bind = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const tests = (t: SearchTerm) => {
    const tq = termQuery(t, bind);
    return {
      tq,
      sql:
        scope === 'public' ? `d.tsv_public @@ ${tq}` : `(d.tsv_public @@ ${tq} OR d.tsv_internal @@ ${tq})`,
    };
  };
  const positive = query.all.map((c) => c.any.map(tests));
  const parts = positive.map((c) => `(${c.map((t) => t.sql).join(' OR ')})`);
  for (const t of query.none) parts.push(`NOT ${tests(t).sql}`);
  const condition = parts.join(' AND ');
  const search = searchTableOf(table);
  const key = `d.doc_tenant = ${table}.tenant_key AND d.doc_id = ${table}.id`;
  // The matches first (OFFSET 0 keeps the planner from folding them into the outer query): with
  // EXISTS it walked the sort's index checking each row, which for a rare word is nearly every
  // row (2.7 s at 1M tickets, against 5 ms from the matches; a common word costs its matches).
  if (!ranked)
    return {
      where: `(${table}.tenant_key, ${table}.id) IN (SELECT d.doc_tenant, d.doc_id FROM ${search} d WHERE ${condition} OFFSET 0)`,
    };
  const any = positive
    .flat()
    .map((t) => t.tq)
    .join(' || ');
  const rank =
    scope === 'public'
      ? `ts_rank_cd(d.tsv_public, ${any})::float8`
      : `(ts_rank_cd(d.tsv_public, ${any}) + ts_rank_cd(d.tsv_internal, ${any}))::float8`;
  return { join: `JOIN ${search} d ON ${key} AND ${condition}`, rank };
}
