import type { MessageIndex } from '@tessera/core';
import type Database from 'better-sqlite3';
import { scopeKey } from './ticket-index';
import type { Wrap } from './wrap';
import { textOf } from './wtf8';

/**
 * Message-IDs keyed by (tenant, Message-ID): the same mail sent to two tenants is two entries.
 *
 * @example
 * const messages = sqliteMessageIndex(db, wrap);
 */
export function sqliteMessageIndex(db: Database.Database, wrap: Wrap): MessageIndex {
  const putMessage = db.prepare(
    'INSERT OR IGNORE INTO messages (tenant_key, message_id, ticket_id) VALUES (?, ?, ?)',
  );
  const getMessage = db.prepare<[string, string], { ticket_id: Buffer }>(
    'SELECT CAST(ticket_id AS BLOB) AS ticket_id FROM messages WHERE tenant_key = ? AND message_id = ?',
  );
  return {
    async put(messageId, ticketId, scope) {
      return wrap('message put', () => putMessage.run(scopeKey(scope), messageId, ticketId).changes > 0);
    },
    async get(messageId, scope) {
      return wrap('message get', () => {
        const found = getMessage.get(scopeKey(scope), messageId);
        return found === undefined ? undefined : textOf(found.ticket_id);
      });
    },
  };
}
