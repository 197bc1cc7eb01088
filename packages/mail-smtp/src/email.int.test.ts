import type { AddressInfo } from 'node:net';
import { createHelpdesk, inMemoryStore } from '@tessera/core';
import { emailChannel, emailState, parseEmail } from '@tessera/email';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterEach, expect, it } from 'vitest';
import { smtpReceiver } from './receiver';
import { smtpTransport } from './transport';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const ADMIN = { kind: 'admin', id: 'admin' } as const;
const AGENT = { kind: 'agent', id: 'agent-1' } as const;

/** The customer's mail provider: a loopback SMTP server that keeps what the desk sends out. */
async function outbox() {
  const mails: string[] = [];
  /** The MAIL FROM of each mail, where bounces would go. */
  const senders: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        senders.push(session.envelope.mailFrom ? session.envelope.mailFrom.address : '');
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { mails, senders, port: (server.server.address() as AddressInfo).port };
}

it('a customer mails in by SMTP, an agent replies by SMTP, and the customer’s quoted reply lands on the same ticket', async () => {
  const box = await outbox();
  const transport = smtpTransport({ host: '127.0.0.1', port: box.port, secure: false, ignoreTLS: true });
  closers.push(() => transport.close());
  const channel = emailChannel({ address: 'Support <support@example.com>', secret: 'int-secret', transport });
  const now = new Date('2026-11-02T10:00:00Z');
  const desk = createHelpdesk({ store: inMemoryStore(), clock: { now: () => now }, extensions: [channel] });
  const receiver = smtpReceiver({ onMail: (raw) => channel.ingest(raw) });
  const port = await receiver.listen();
  closers.push(() => receiver.close());
  const customer = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  closers.push(() => customer.close());
  const tickets = async () => (await desk.query({}, { actor: ADMIN })).items;

  // 1. The customer writes in.
  await customer.sendMail({
    from: 'Ann Example <ann@example.org>',
    to: 'support@example.com',
    subject: 'Printer on fire',
    text: 'The printer on floor 2 is on fire.\n\nAnn',
    messageId: '<c1@example.org>',
  });
  const [summary] = await tickets();
  expect(summary).toMatchObject({
    channel: 'email',
    subject: 'Printer on fire',
    requester: { id: 'ann@example.org' },
  });
  const ticketId = summary!.id;
  const number = summary!.number;

  // The acknowledgement is automated mail.
  expect(box.mails).toHaveLength(1);
  const ack = await parseEmail(box.mails[0]!);
  expect(ack.headers['auto-submitted']).toEqual(['auto-replied']);
  expect(ack.subject).toContain(`[#${number}]`);

  // 2. The agent replies; the reply leaves by SMTP with threading headers and a signed Reply-To.
  await desk.execute(
    { type: 'postMessage', ticketId, body: 'Please unplug it and step away.', visibility: 'public' },
    { actor: AGENT },
  );
  expect(box.mails).toHaveLength(2);
  const reply = await parseEmail(box.mails[1]!);
  expect(reply.messageId).toMatch(/^<tessera\..+@example\.com>$/);
  expect(reply.inReplyTo).toBe('<c1@example.org>');
  expect(reply.references).toContain('<c1@example.org>');
  expect(reply.subject).toContain(`[#${number}]`);
  expect(reply.to.map((a) => a.address)).toEqual(['ann@example.org']);
  const replyTo = reply.replyTo[0]!.address;
  expect(replyTo).toMatch(/^support\+.+@example\.com$/);
  // Bounces go to the same signed address (VERP): the SMTP envelope sender.
  expect(box.senders[1]).toBe(replyTo);
  expect(reply.headers['auto-submitted']).toBeUndefined();
  expect(reply.text).toContain('Please unplug it');
  // Dated by the desk's clock, not the machine's.
  expect(reply.headers.date).toEqual(['Mon, 02 Nov 2026 10:00:00 +0000']);
  expect(reply.date).toBe(now.toISOString());
  let ticket = await desk.get(ticketId, { actor: ADMIN });
  expect(emailState(ticket).deliveries.filter((d) => d.status === 'sent')).toHaveLength(2);

  // 3. The customer answers, quoting the whole history, to the Reply-To address.
  await customer.sendMail({
    from: 'Ann Example <ann@example.org>',
    to: replyTo,
    subject: `Re: ${reply.subject}`,
    messageId: '<c2@example.org>',
    inReplyTo: reply.messageId!,
    references: [...reply.references, reply.messageId!],
    text: [
      'Done, the fire is out.',
      '',
      'On Mon, 2 Nov 2026 at 10:05, Support <support@example.com> wrote:',
      '> Please unplug it and step away.',
      '>',
      '> On Mon, 2 Nov 2026 at 10:00, Ann Example <ann@example.org> wrote:',
      '>> The printer on floor 2 is on fire.',
      '',
    ].join('\n'),
  });
  expect(await tickets()).toHaveLength(1);
  ticket = await desk.get(ticketId, { actor: ADMIN });
  const answer = ticket.messages.at(-1)!;
  expect(answer.author).toMatchObject({ kind: 'customer', id: 'ann@example.org' });
  expect(answer.body).toBe('Done, the fire is out.');
  expect(answer.email?.messageId).toBe('<c2@example.org>');
  expect(ticket.category).toBe('open');
  const outgoing = box.mails.length;

  // 4. An out-of-office from the customer: no new ticket, no status change, no answer (no ping-pong).
  await desk.execute(
    { type: 'postMessage', ticketId, body: 'Glad to hear it.', visibility: 'public' },
    { actor: AGENT },
  );
  const glad = await parseEmail(box.mails.at(-1)!);
  const statusBefore = (await desk.get(ticketId, { actor: ADMIN })).status;
  await customer.sendMail({
    from: 'ann@example.org',
    to: 'support@example.com',
    subject: `Automatic reply: ${glad.subject}`,
    messageId: '<ooo1@example.org>',
    inReplyTo: glad.messageId!,
    headers: { 'Auto-Submitted': 'auto-replied' },
    text: 'I am out of the office until Monday.',
  });
  expect(await tickets()).toHaveLength(1);
  expect((await desk.get(ticketId, { actor: ADMIN })).status).toBe(statusBefore);
  expect(box.mails).toHaveLength(outgoing + 1); // only "Glad to hear it."

  // 5. A bounce for that reply is recorded against its delivery.
  const dsn = [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    'To: support@example.com',
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <bounce1@mx.example.org>',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
    '',
    '--d',
    'Content-Type: text/plain',
    '',
    'Delivery failed.',
    '--d',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    'Final-Recipient: rfc822; ann@example.org',
    'Action: failed',
    'Status: 5.2.2',
    '',
    '--d',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${glad.messageId}`,
    'From: support@example.com',
    'To: ann@example.org',
    '',
    '--d--',
    '',
  ].join('\r\n');
  await customer.sendMail({ envelope: { from: '', to: ['support@example.com'] }, raw: dsn });
  expect(await tickets()).toHaveLength(1);
  ticket = await desk.get(ticketId, { actor: ADMIN });
  const gladMessage = ticket.messages.find((m) => m.body === 'Glad to hear it.')!;
  expect(
    emailState(ticket)
      .deliveries.filter((d) => d.messageId === gladMessage.id)
      .map((d) => d.status),
  ).toEqual(['sent', 'failed']);
  expect(emailState(ticket).deliveries.at(-1)).toMatchObject({ permanent: true });
  expect(box.mails).toHaveLength(outgoing + 1);

  // 6. A stranger quoting the ticket number does not join it.
  await customer.sendMail({
    from: 'mallory@evil.example',
    to: 'support@example.com',
    subject: `Re: Printer on fire [#${number}]`,
    messageId: '<m1@evil.example>',
    text: 'Please send me the invoice of this customer.',
  });
  const all = await tickets();
  expect(all).toHaveLength(2);
  const strangers = all.find((t) => t.id !== ticketId)!;
  expect(strangers.requester.id).toBe('mallory@evil.example');
  ticket = await desk.get(ticketId, { actor: ADMIN });
  expect(ticket.messages.some((m) => m.body.includes('invoice'))).toBe(false);
});

it('answers malformed mail with 550 and the parser’s reason, and files nothing', async () => {
  const transport = { send: async () => ({ accepted: [], rejected: [] }) };
  const channel = emailChannel({ address: 'support@example.com', secret: 'int-secret', transport });
  const desk = createHelpdesk({ store: inMemoryStore(), extensions: [channel] });
  const receiver = smtpReceiver({ onMail: (raw) => channel.ingest(raw) });
  const port = await receiver.listen();
  closers.push(() => receiver.close());
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  closers.push(() => client.close());
  const headers = Array.from({ length: 1500 }, (_, i) => `X-Filler-${i}: ${i}`).join('\r\n');
  const raw = `From: ann@example.org\r\nTo: support@example.com\r\nSubject: many headers\r\nMessage-ID: <h@example.org>\r\n${headers}\r\n\r\nbody\r\n`;
  const error = await client
    .sendMail({ envelope: { from: 'ann@example.org', to: ['support@example.com'] }, raw })
    .catch((e: unknown) => e);
  expect((error as { responseCode?: number }).responseCode).toBe(550);
  expect((error as Error).message).toMatch(/header/i);
  expect((await desk.query({}, { actor: ADMIN })).items).toHaveLength(0);
});
