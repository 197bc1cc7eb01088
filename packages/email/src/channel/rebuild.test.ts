import { createHelpdesk, inMemoryMessageIndex, inMemoryStore, type OutboundEmail } from '@tessera/core';
import { expect, it } from 'vitest';
import { emailChannel } from './channel';
import { messageKey } from './pipeline';

const AGENT = { kind: 'agent', id: 'agent-1' } as const;
const mail = [
  'From: ann@example.org',
  'To: support@example.com',
  'Subject: Printer',
  'Message-ID: <c1@example.org>',
  '',
  'It is on fire.',
  '',
].join('\r\n');

it('rebuild fills the Message-ID index the channel keeps: mail filed and mail sent', async () => {
  const store = inMemoryStore();
  const sent: OutboundEmail[] = [];
  const transport = {
    async send(m: OutboundEmail) {
      sent.push(m);
      return { accepted: m.to, rejected: [] };
    },
  };
  const first = emailChannel({
    address: 'support@example.com',
    secret: 'test-secret',
    autoReply: false,
    transport,
  });
  const desk = createHelpdesk({ store, extensions: [first] });
  const opened = await first.ingest(mail);
  await desk.execute(
    { type: 'postMessage', ticketId: opened.ticketId!, body: 'On it', visibility: 'public' },
    { actor: AGENT },
  );
  expect(sent).toHaveLength(1);

  // A second process whose Message-ID index is empty (lost, or a new index): rebuild refills it.
  const messages = inMemoryMessageIndex();
  const again = emailChannel({
    address: 'support@example.com',
    secret: 'test-secret',
    autoReply: false,
    transport,
    messages,
  });
  const other = createHelpdesk({ store, extensions: [again] });
  expect(await messages.get('<c1@example.org>')).toBeUndefined();
  await other.rebuild();
  expect(await messages.get('<c1@example.org>')).toBe(opened.ticketId);
  expect(await messages.get(messageKey(sent[0]!.messageId))).toBe(opened.ticketId);
  // So the same mail again is a duplicate, and our own mail coming back is a loop.
  expect(await again.ingest(mail)).toMatchObject({ action: 'duplicate', ticketId: opened.ticketId });
  const echo = mail
    .replace('From: ann@example.org', 'From: support@example.com')
    .replace('<c1@example.org>', sent[0]!.messageId);
  expect(await again.ingest(echo)).toMatchObject({ action: 'dropped', ticketId: opened.ticketId });
});
