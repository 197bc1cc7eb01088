import type { AddressInfo } from 'node:net';
import { AdapterError, isTesseraError, ValidationError } from '@tessera/core';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpReceiver } from './receiver';
import { smtpTransport } from './transport';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A loopback SMTP server that keeps every message it accepts; `rejectRcpt` refuses those addresses. */
async function captureServer(rejectRcpt: string[] = []) {
  const received: { raw: string; rcpt: string[]; mailFrom: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejectRcpt.includes(address.address)) {
        callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { received, port: (server.server.address() as AddressInfo).port };
}

const client = (port: number) => {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  closers.push(() => t.close());
  return t;
};

describe('smtpTransport', () => {
  it('sends every OutboundEmail field as the matching header, with attachments', async () => {
    const capture = await captureServer();
    const transport = smtpTransport({
      host: '127.0.0.1',
      port: capture.port,
      secure: false,
      ignoreTLS: true,
    });
    closers.push(() => transport.close());
    const result = await transport.send({
      from: 'Support <support@example.com>',
      to: ['ann@example.org'],
      cc: ['bob@example.org'],
      replyTo: 'support+abc@example.com',
      envelope: { from: 'support+abc@example.com' },
      subject: 'Re: Printer [#7]',
      messageId: '<t7.m2@example.com>',
      inReplyTo: '<c1@example.org>',
      references: ['<c0@example.org>', '<c1@example.org>'],
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Tessera-Ticket': 't7' },
      text: 'We are on it.',
      html: '<p>We are on it.</p>',
      attachments: [
        {
          filename: 'log.txt',
          contentType: 'text/plain',
          content: new TextEncoder().encode('line 1'),
          contentId: '<log1@x>',
        },
      ],
    });
    expect(result).toEqual({ accepted: ['ann@example.org', 'bob@example.org'], rejected: [] });
    expect(capture.received).toHaveLength(1);
    // The envelope: MAIL FROM as given, RCPT TO every To and Cc.
    expect(capture.received[0]).toMatchObject({
      mailFrom: 'support+abc@example.com',
      rcpt: ['ann@example.org', 'bob@example.org'],
    });
    const raw = capture.received[0]!.raw;
    expect(raw).toMatch(/^Message-ID: <t7\.m2@example\.com>\r?$/im);
    expect(raw).toMatch(/^In-Reply-To: <c1@example\.org>\r?$/im);
    expect(raw).toMatch(/^References: <c0@example\.org> <c1@example\.org>\r?$/im);
    expect(raw).toMatch(/^Reply-To: support\+abc@example\.com\r?$/im);
    expect(raw).toMatch(/^Subject: Re: Printer \[#7\]\r?$/im);
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\r?$/im);
    expect(raw).toMatch(/^X-Tessera-Ticket: t7\r?$/im);
    expect(raw).toMatch(/filename=log\.txt/);
    expect(raw).toMatch(/Content-ID: <log1@x>/i);
  });

  it('reports recipients the server refused, and throws AdapterError (permanent) when all are refused', async () => {
    const capture = await captureServer(['gone@example.org']);
    const transport = smtpTransport({
      host: '127.0.0.1',
      port: capture.port,
      secure: false,
      ignoreTLS: true,
    });
    closers.push(() => transport.close());
    const mail = {
      from: 'support@example.com',
      subject: 's',
      messageId: '<m@x>',
      headers: {},
      text: 'hi',
    };
    const partial = await transport.send({ ...mail, to: ['ann@example.org', 'gone@example.org'] });
    expect(partial).toEqual({ accepted: ['ann@example.org'], rejected: ['gone@example.org'] });

    const error = await transport.send({ ...mail, to: ['gone@example.org'] }).catch((e: unknown) => e);
    expect(isTesseraError(error, 'adapter')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({ permanent: true });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('throws a transient AdapterError when nothing listens', async () => {
    const capture = await captureServer();
    // Find a port that is closed: the capture server's, after closing it.
    await closers.pop()!();
    const transport = smtpTransport({
      host: '127.0.0.1',
      port: capture.port,
      secure: false,
      ignoreTLS: true,
    });
    const error = await transport
      .send({ from: 'a@x', to: ['b@y'], subject: 's', messageId: '<m@x>', headers: {}, text: 't' })
      .catch((e: unknown) => e);
    expect(isTesseraError(error, 'adapter')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({ permanent: false });
  });
});

describe('smtpTransport refusals', () => {
  it('refuses a mail without a Message-ID (or recipients) with a permanent ValidationError, sending nothing', async () => {
    const capture = await captureServer();
    const transport = smtpTransport({
      host: '127.0.0.1',
      port: capture.port,
      secure: false,
      ignoreTLS: true,
    });
    closers.push(() => transport.close());
    const mail = {
      from: 'support@example.com',
      to: ['ann@example.org'],
      subject: 'Hi',
      messageId: '<m1@example.com>',
      headers: {},
      text: 'Hello',
    };
    const { messageId: _none, ...withoutId } = mail;
    const error = await transport.send(withoutId as typeof mail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: 'mail.messageId', message: 'must be a Message-ID such as <id@example.com>, got none' },
    ]);
    expect((error as ValidationError).details).toMatchObject({ permanent: true });
    expect((error as Error).message).not.toContain('undefined');
    const noRecipients = await transport.send({ ...mail, to: [] }).catch((e: unknown) => e);
    expect((noRecipients as ValidationError).problems.map((p) => p.path)).toEqual(['mail.to']);
    expect(capture.received).toHaveLength(0);
    // A proper mail still goes through the same transport, dated as it says.
    await transport.send({ ...mail, headers: { Date: 'Fri, 04 Jul 2031 08:09:10 +0000' } });
    expect(capture.received).toHaveLength(1);
    expect(capture.received[0]!.raw).toMatch(/^Date: Fri, 04 Jul 2031 08:09:10 \+0000\r$/m);
    // Brackets are optional; an id without an @ is not a Message-ID.
    await transport.send({ ...mail, messageId: 'm2@example.com' });
    expect(capture.received).toHaveLength(2);
    const bad = await transport.send({ ...mail, messageId: 'no-at-sign' }).catch((e: unknown) => e);
    expect((bad as ValidationError).problems.map((p) => p.path)).toEqual(['mail.messageId']);
  });
});

describe('smtpReceiver', () => {
  it('a port already in use is an AdapterError naming the port, with the system error as cause', async () => {
    const first = smtpReceiver({ onMail: () => undefined });
    const port = await first.listen();
    closers.push(() => first.close());
    const second = smtpReceiver({ port, onMail: () => undefined });
    const error = await second.listen().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(isTesseraError(error, 'adapter')).toBe(true);
    expect((error as AdapterError).message).toBe(
      `the SMTP receiver cannot listen on 127.0.0.1:${port}: the port is already in use`,
    );
    expect((error as AdapterError).details).toEqual({ host: '127.0.0.1', port, code: 'EADDRINUSE' });
    expect(((error as AdapterError).cause as { code?: string }).code).toBe('EADDRINUSE');
    expect(second.port).toBeUndefined();
  });

  it('hands the raw message and envelope to onMail and reports the bound port', async () => {
    const got: { raw: string; rcpt: string[]; from?: string }[] = [];
    const receiver = smtpReceiver({
      port: 0,
      onMail: (raw, envelope) => {
        got.push({
          raw: new TextDecoder().decode(raw),
          rcpt: envelope.rcptTo,
          ...(envelope.mailFrom ? { from: envelope.mailFrom } : {}),
        });
      },
    });
    const port = await receiver.listen();
    closers.push(() => receiver.close());
    expect(port).toBeGreaterThan(0);
    expect(receiver.port).toBe(port);
    await client(port).sendMail({
      from: 'ann@example.org',
      to: 'support@example.com',
      subject: 'Hello',
      text: 'Body text',
    });
    expect(got).toHaveLength(1);
    expect(got[0]!.rcpt).toEqual(['support@example.com']);
    expect(got[0]!.from).toBe('ann@example.org');
    expect(got[0]!.raw).toMatch(/Subject: Hello/);
    expect(got[0]!.raw).toMatch(/Body text/);
  });

  it('refuses oversized mail with 552 and never calls onMail', async () => {
    let calls = 0;
    const receiver = smtpReceiver({ maxSize: 2000, onMail: () => void calls++ });
    const port = await receiver.listen();
    closers.push(() => receiver.close());
    const error = await client(port)
      .sendMail({
        from: 'a@example.org',
        to: 'support@example.com',
        subject: 'big',
        text: 'x'.repeat(10_000),
      })
      .catch((e: unknown) => e);
    expect((error as { responseCode?: number }).responseCode).toBe(552);
    expect(calls).toBe(0);
  });

  it('answers 550 with the reason when onMail rejects the mail as malformed, 451 on other failures', async () => {
    let fail: Error = new ValidationError([{ path: 'headers', message: 'too many headers' }]);
    const receiver = smtpReceiver({
      onMail: () => {
        throw fail;
      },
    });
    const port = await receiver.listen();
    closers.push(() => receiver.close());
    const mail = { from: 'a@example.org', to: 'support@example.com', subject: 's', text: 't' };
    const rejected = await client(port)
      .sendMail(mail)
      .catch((e: unknown) => e);
    expect((rejected as { responseCode?: number }).responseCode).toBe(550);
    expect((rejected as Error).message).toMatch(/too many headers/);

    fail = new Error('database down');
    const deferred = await client(port)
      .sendMail(mail)
      .catch((e: unknown) => e);
    expect((deferred as { responseCode?: number }).responseCode).toBe(451);
    expect((deferred as Error).message).not.toMatch(/database/);
  });
});
