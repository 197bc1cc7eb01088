import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHelpdesk } from './desk';
import type { Actor, Ticket } from './model';
import { searchDocument } from './search-document';

const customer: Actor = { kind: 'customer', id: 'c1', name: 'Jane Doe', email: 'jane@example.com' };
const agent: Actor = { kind: 'agent', id: 'a1' };

describe('searchDocument', () => {
  it('puts the number, subject, requester and public messages in public, internal notes in internal', async () => {
    const desk = createHelpdesk();
    const { ticket } = await desk.execute(
      {
        type: 'openTicket',
        channel: 'portal',
        requester: { id: 'c1', name: 'Jane Doe', email: 'jane@example.com' },
        subject: 'Printer on fire',
        body: 'It smokes',
        attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 3 }],
      },
      { actor: customer },
    );
    const { ticket: after } = await desk.execute(
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: 'Check the \uE000warranty\uE001',
        visibility: 'internal',
        attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', size: 3 }],
      },
      { actor: agent },
    );
    const { ticket: replied } = await desk.execute(
      { type: 'postMessage', ticketId: ticket.id, body: 'We are on it', visibility: 'public' },
      { actor: agent },
    );
    expect(searchDocument(after)).toEqual({
      public: `#${ticket.number}\nPrinter on fire\nJane Doe\njane@example.com\nIt smokes\nphoto.jpg`,
      internal: 'Check the warranty\ninvoice.pdf',
    });
    expect(searchDocument(replied).public.endsWith('photo.jpg\nWe are on it')).toBe(true);
  });

  it('leaves out what the requester does not have', async () => {
    const desk = createHelpdesk();
    const { ticket } = await desk.execute(
      { type: 'openTicket', channel: 'api', requester: { id: 'c9' }, subject: 'Hi', body: 'Body' },
      { actor: { kind: 'customer', id: 'c9' } },
    );
    expect(searchDocument(ticket)).toEqual({ public: `#${ticket.number}\nHi\nBody`, internal: '' });
  });
});

/** The document as its definition reads: every item, one a line, empty ones left out, sentinels removed. */
function definition(ticket: Ticket): { public: string; internal: string } {
  const head = [`#${ticket.number}`, ticket.subject, ticket.requester.name, ticket.requester.email];
  const pub = head.filter((p): p is string => p !== undefined && p !== '');
  const internal: string[] = [];
  for (const m of ticket.messages)
    (m.visibility === 'public' ? pub : internal).push(m.body, ...m.attachments.map((a) => a.filename));
  const join = (parts: string[]) =>
    parts
      .filter((p) => p !== '')
      .join('\n')
      .replace(/[\uE000\uE001]/gu, '');
  return { public: join(pub), internal: join(internal) };
}

describe('searchDocument, for any ticket', () => {
  it('is what its definition says, also when a commit kept the messages of the ticket before it', () => {
    const text = fc.constantFrom('', 'a', '\uE000', '\uE001\uE000', 'b c', 'x\uE000y');
    const message = fc.record({
      visibility: fc.constantFrom('public' as const, 'internal' as const),
      body: text,
      attachments: fc.array(fc.record({ filename: text }), { maxLength: 2 }),
    });
    fc.assert(
      fc.property(
        text,
        fc.option(text, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.array(message, { maxLength: 5 }),
        (subject, name, email, messages) => {
          const ticket = {
            number: 7,
            subject,
            requester: {
              id: 'c1',
              ...(name === undefined ? {} : { name }),
              ...(email === undefined ? {} : { email }),
            },
            messages,
          } as unknown as Ticket;
          expect(searchDocument(ticket)).toEqual(definition(ticket));
          // The next ticket shares the messages array (an event that adds no message keeps it).
          const renamed = { ...ticket, subject: `${subject}!` } as Ticket;
          expect(searchDocument(renamed)).toEqual(definition(renamed));
        },
      ),
      { numRuns: 400 },
    );
  });
});
