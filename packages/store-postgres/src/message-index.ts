import type { MessageIndex } from '@tessera/core';
import { fromSqlText, toSqlText } from '@tessera/store-sql';
import type { Database } from './database';
import { scopeKey } from './ticket-index';

/**
 * Message-IDs keyed by (tenant, Message-ID): the same mail sent to two tenants is two entries.
 *
 * @example
 * const messages = postgresMessageIndex(db);
 */
export function postgresMessageIndex({ s, q }: Database): MessageIndex {
  return {
    async put(messageId, ticketId, scope) {
      const { rowCount } = await q(
        'message put',
        `INSERT INTO ${s}.messages (tenant_key, message_id, ticket_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [scopeKey(scope), toSqlText(messageId), toSqlText(ticketId)],
      );
      return (rowCount ?? 0) > 0;
    },
    async get(messageId, scope) {
      const { rows } = await q<{ ticket_id: string }>(
        'message get',
        `SELECT ticket_id FROM ${s}.messages WHERE tenant_key = $1 AND message_id = $2`,
        [scopeKey(scope), toSqlText(messageId)],
      );
      return rows[0] === undefined ? undefined : fromSqlText(rows[0].ticket_id);
    },
  };
}
