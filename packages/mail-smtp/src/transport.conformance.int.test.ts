import type { AddressInfo } from 'node:net';
import { parseEmail } from '@tessera/email';
import { type MailTransportScenario, mailTransportConformance, type ReceivedMail } from '@tessera/testing';
import { SMTPServer } from 'smtp-server';
import { smtpTransport } from './transport';

/** A loopback SMTP server for one scenario of the suite, and an smtpTransport that sends to it. */
async function loopback(scenario: MailTransportScenario) {
  const received: ReceivedMail[] = [];
  const reading: Promise<void>[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (scenario.refuseMail) {
        callback(Object.assign(new Error('5.7.1 message refused'), { responseCode: 550 }));
      } else callback();
    },
    onRcptTo(address, _session, callback) {
      if (scenario.rejectRecipients?.includes(address.address)) {
        callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        reading.push(
          parseEmail(new Uint8Array(Buffer.concat(chunks))).then((m) => {
            received.push({
              envelope,
              headers: m.headers,
              ...(m.from
                ? { from: { address: m.from.address, ...(m.from.name ? { name: m.from.name } : {}) } }
                : {}),
              subject: m.subject,
              ...(m.text === undefined ? {} : { text: m.text }),
              ...(m.html === undefined ? {} : { html: m.html }),
              attachments: m.attachments.map((a) => ({
                ...(a.filename ? { filename: a.filename } : {}),
                contentType: a.contentType,
                content: a.content,
                ...(a.contentId ? { contentId: a.contentId } : {}),
              })),
            });
          }),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  // No server: the port was just free, and now nothing listens on it.
  if (scenario.down) await stop();
  const transport = smtpTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return {
    subject: {
      transport,
      async received() {
        await Promise.all(reading);
        return [...received];
      },
    },
    async close() {
      transport.close();
      if (!scenario.down) await stop();
    },
  };
}

mailTransportConformance(loopback);
