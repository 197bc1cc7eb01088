import { describe, expect, it } from 'vitest';
import { createHelpdesk } from './desk';
import type { Actor } from './model';
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
