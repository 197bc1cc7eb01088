import type { Message, Ticket } from './model';
import type { SearchDocument } from './ports';

/** Private-use characters adapters may use to mark snippets; they can never come from a ticket. */
const SENTINELS = /[\uE000\uE001]/gu;

const messageText = (m: Message) => [m.body, ...m.attachments.map((a) => a.filename)];

/**
 * The searchable text of a ticket, split by who may match it, as the desk hands it to
 * `TicketIndex.upsert`. `public`: the number as `#123`, the subject, the requester's name and
 * email, then every public message (whoever wrote it) and its attachments' file names; `internal`:
 * every internal note and its attachments' file names. One item a line; U+E000 and U+E001 removed.
 * Custom fields, tags and the notification text of a note are not searched.
 *
 * @example
 * const doc = searchDocument(ticket);
 * // → { public: '#12\nPrinter on fire\nJane Doe\njane@example.com\nIt smokes\nphoto.jpg', internal: 'Check the warranty' }
 */
export function searchDocument(ticket: Ticket): SearchDocument {
  const head = [`#${ticket.number}`, ticket.subject, ticket.requester.name, ticket.requester.email];
  const pub: string[] = head.filter((p): p is string => p !== undefined && p !== '');
  const internal: string[] = [];
  for (const m of ticket.messages) (m.visibility === 'public' ? pub : internal).push(...messageText(m));
  const join = (parts: string[]) =>
    parts
      .filter((p) => p !== '')
      .join('\n')
      .replace(SENTINELS, '');
  return { public: join(pub), internal: join(internal) };
}
