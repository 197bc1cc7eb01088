import type { Message, Ticket } from './model';
import type { SearchDocument } from './ports';

/** Private-use characters adapters may use to mark snippets; they can never come from a ticket. */
const SENTINELS = /[\uE000\uE001]/gu;

/** Non-empty items, one a line, sentinels removed; `any`: whether there was an item at all. */
function lines(parts: readonly string[]): { text: string; any: boolean } {
  let text = '';
  let any = false;
  for (const part of parts) {
    if (part === '') continue;
    text = any ? `${text}\n${part}` : part;
    any = true;
  }
  // Scanning for the two characters is cheaper than a global replace that finds nothing.
  if (text.includes('\uE000') || text.includes('\uE001')) text = text.replace(SENTINELS, '');
  return { text, any };
}

/**
 * The messages' part of each side, by the messages array: a commit that adds no message keeps the
 * array (tickets share what an event did not change), so most commits join no message text again.
 */
const byMessages = new WeakMap<
  readonly Message[],
  { pub: { text: string; any: boolean }; internal: { text: string; any: boolean } }
>();

function messagesText(messages: readonly Message[]) {
  let known = byMessages.get(messages);
  if (known === undefined) {
    const pub: string[] = [];
    const internal: string[] = [];
    for (const m of messages) {
      const side = m.visibility === 'public' ? pub : internal;
      side.push(m.body);
      for (const a of m.attachments) side.push(a.filename);
    }
    known = { pub: lines(pub), internal: lines(internal) };
    byMessages.set(messages, known);
  }
  return known;
}

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
  const top = lines(head.filter((p): p is string => p !== undefined));
  const { pub, internal } = messagesText(ticket.messages);
  const both = top.any && pub.any ? `${top.text}\n${pub.text}` : top.any ? top.text : pub.text;
  return { public: both, internal: internal.text };
}
