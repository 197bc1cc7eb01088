import { describe, expect, it } from 'vitest';
import { type ComposeTicket, composeEmail, ourMessageId } from './compose';
import { verifyReplyToken } from './reply-token';

const secret = 'a-long-enough-test-secret';
const ticket: ComposeTicket = {
  id: 'T-1',
  number: 42,
  subject: 'Re: Printer on fire',
  requester: { email: 'ann@customer.test', name: 'Ann' },
  cc: ['bob@customer.test', 'help@example.com'],
  messages: [
    {
      id: 'M-1',
      body: 'It burns',
      author: { kind: 'customer' },
      visibility: 'public',
      email: { messageId: '<first@customer.test>' },
    },
    { id: 'M-2', body: 'On it', author: { kind: 'agent' }, visibility: 'public' },
    { id: 'M-3', body: 'note', author: { kind: 'agent' }, visibility: 'internal' },
    {
      id: 'M-4',
      body: 'Still burns',
      author: { kind: 'customer' },
      visibility: 'public',
      email: { messageId: '<second@customer.test>' },
    },
    { id: 'M-5', body: 'Fixed', author: { kind: 'agent' }, visibility: 'public', html: '<p>Fixed</p>' },
  ],
};

describe('composeEmail', () => {
  it('threads the reply: Message-ID, In-Reply-To, References, [#N], signed Reply-To', () => {
    const mail = composeEmail(ticket, ticket.messages[4]!, { from: 'Support <help@example.com>', secret });
    expect(mail).toMatchObject({
      from: 'Support <help@example.com>',
      to: ['ann@customer.test'],
      cc: ['bob@customer.test'],
      subject: 'Re: [#42] Printer on fire',
      messageId: '<tessera.T-1.M-5@example.com>',
      inReplyTo: '<second@customer.test>',
      references: ['<first@customer.test>', '<tessera.T-1.M-2@example.com>', '<second@customer.test>'],
      text: 'Fixed',
      html: '<p>Fixed</p>',
      headers: { 'X-Tessera-Ticket': 'T-1' },
    });
    expect(mail.headers['Auto-Submitted']).toBeUndefined();
    const tag = /help\+([^@]+)@example\.com/.exec(mail.replyTo!)![1]!;
    expect(verifyReplyToken(tag, secret)).toBe('T-1');
  });

  it('marks automated mail so auto-responders stay quiet', () => {
    const first = { id: 'M-0', body: 'We got it', author: { kind: 'automation' } };
    const mail = composeEmail({ ...ticket, messages: [first] }, first, {
      from: 'help@example.com',
      secret,
      automated: true,
    });
    expect(mail.headers).toMatchObject({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
    });
    expect(mail.subject).toBe('[#42] Printer on fire');
    expect(mail.inReplyTo).toBeUndefined();
  });

  it('is deterministic, so a retried send has the same Message-ID', () => {
    const opts = { from: 'help@example.com', secret, domain: 'mail.example.com' };
    expect(composeEmail(ticket, ticket.messages[4]!, opts)).toEqual(
      composeEmail(ticket, ticket.messages[4]!, opts),
    );
    expect(ourMessageId('T 1', 'M<1>', 'x.test')).toBe('<tessera.T=201.M=3c1=3e@x.test>');
  });
});
