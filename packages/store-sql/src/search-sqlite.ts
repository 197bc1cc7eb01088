import type { SearchQuery, SearchTerm } from '@tessera/core';
import type { SearchSql, TextScope } from './text-search';

/**
 * A parsed search as an FTS5 MATCH expression over the columns `public` and `internal`. Every word
 * is quoted: a word holds only letters, marks and digits (`parseSearch` splits at anything else),
 * so no user text can reach FTS5's syntax; a word the tokenizer keeps nothing of is an empty
 * phrase, which matches nothing. `'public'` restricts every term to the public column; `'all'`
 * lets each term match either (a phrase still stands within one column).
 *
 * @example
 * fts5Match(parseSearch('paper jam -laser'), 'public');
 * // '{public} : ((("paper") AND ("jam")) NOT ("laser"))'
 */
export function fts5Match(query: SearchQuery, scope: TextScope): string {
  const term = (t: SearchTerm) => `"${t.words.join(' ')}"${t.prefix ? ' *' : ''}`;
  const all = query.all.map((c) => `(${c.any.map(term).join(' OR ')})`).join(' AND ');
  const expr = query.none.length === 0 ? all : `(${all}) NOT (${query.none.map(term).join(' OR ')})`;
  return scope === 'public' ? `{public} : (${expr})` : `(${expr})`;
}

/**
 * The SQLite search: the FTS5 table `ticket_fts` over the content table `ticket_search` (one row
 * per ticket row, keyed by tenant and ticket id). Unranked, a row-value `IN` the planner turns
 * into a lookup; ranked, a join on the matches with their bm25 (negated: higher is better).
 *
 * @example
 * const params: unknown[] = [];
 * const sql = sqliteSearch(parseSearch('printer'), 'all', params, 'tickets', true);
 */
export function sqliteSearch(
  query: SearchQuery,
  scope: TextScope,
  params: unknown[],
  table: string,
  ranked: boolean,
): SearchSql {
  params.push(fts5Match(query, scope));
  // The narrow index maps a match's rowid to its ticket without reading the document's row.
  const matches = `FROM ticket_fts JOIN ticket_search s INDEXED BY ticket_search_rowkey ON s.rowid = ticket_fts.rowid
    WHERE ticket_fts MATCH ?`;
  if (!ranked)
    return { where: `(${table}.tenant_key, ${table}.id) IN (SELECT s.tenant_key, s.ticket_id ${matches})` };
  return {
    join: `JOIN (SELECT s.tenant_key AS search_tenant, s.ticket_id AS search_id, -bm25(ticket_fts) AS search_rank ${matches}) m
      ON m.search_tenant = ${table}.tenant_key AND m.search_id = ${table}.id`,
    rank: 'm.search_rank',
  };
}
