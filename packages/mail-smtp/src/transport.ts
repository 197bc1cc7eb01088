import {
  AdapterError,
  type MailTransport,
  type OutboundEmail,
  type Problem,
  ValidationError,
} from '@tessera/core';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** What nodemailer's `createTransport` takes for SMTP (host, port, auth, TLS, pooling…). */
export type SmtpTransportOptions = SMTPTransport.Options;

/** A `MailTransport` that can also be closed (pooled connections). */
export interface SmtpMailTransport extends MailTransport {
  /** Closes pooled connections. */
  close(): void;
}

type Address = string | { address: string };
const addressOf = (a: Address): string => (typeof a === 'string' ? a : a.address);

/**
 * Sends Tessera's outbound mail over SMTP with nodemailer. Every field of `OutboundEmail` is
 * passed through: `messageId`, `inReplyTo` and `references` become those headers exactly, so the
 * Message-ID the channel derived (and registered for threading) is the one the customer sees.
 * A failure throws `AdapterError` with the nodemailer error as `cause` and, in `details`, the SMTP
 * `responseCode` and whether it is `permanent` (5xx) — the channel stops retrying permanent ones.
 *
 * @example
 * const transport = smtpTransport({ host: 'smtp.example.com', port: 587, auth: { user: 'u', pass: 'p' } });
 * emailChannel({ address: 'support@example.com', secret, transport });
 */
export function smtpTransport(options: SmtpTransportOptions): SmtpMailTransport {
  const transporter = nodemailer.createTransport(options);
  return {
    async send(mail: OutboundEmail) {
      checkMail(mail);
      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await transporter.sendMail(toNodemailer(mail));
      } catch (error) {
        const responseCode = (error as { responseCode?: number }).responseCode;
        const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
        throw new AdapterError(
          `SMTP delivery of ${mail.messageId} to ${mail.to.join(', ')} failed: ${(error as Error).message}`,
          { cause: error, details: { responseCode: responseCode ?? null, permanent } },
        );
      }
      return {
        accepted: (info.accepted as Address[]).map(addressOf),
        rejected: (info.rejected as Address[]).map(addressOf),
      };
    },
    close() {
      transporter.close();
    },
  };
}

/**
 * What the transport needs of a mail before it talks to the server: a Message-ID (the channel
 * threads replies by it; without one the error said "delivery of undefined"), recipients, a sender.
 * A `ValidationError` marked permanent, so the channel does not retry what cannot succeed.
 */
function checkMail(mail: OutboundEmail): void {
  const problems: Problem[] = [];
  if (mail === null || typeof mail !== 'object') {
    problems.push({ path: 'mail', message: 'must be an OutboundEmail object' });
  } else {
    if (typeof mail.messageId !== 'string' || !/^<?[^<>\s]+@[^<>\s]+>?$/.test(mail.messageId.trim())) {
      problems.push({
        path: 'mail.messageId',
        message: `must be a Message-ID such as <id@example.com>, got ${mail.messageId === undefined ? 'none' : JSON.stringify(String(mail.messageId).slice(0, 80))}`,
      });
    }
    if (!Array.isArray(mail.to) || mail.to.length === 0) {
      problems.push({ path: 'mail.to', message: 'must name at least one recipient' });
    }
    if (typeof mail.from !== 'string' || mail.from.trim() === '') {
      problems.push({ path: 'mail.from', message: 'must be the sender address' });
    }
  }
  if (problems.length > 0) throw new ValidationError(problems, { details: { permanent: true } });
}

function toNodemailer(mail: OutboundEmail): SMTPTransport.MailOptions {
  const options: SMTPTransport.MailOptions = {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    messageId: mail.messageId,
    headers: mail.headers,
    text: mail.text,
  };
  // The channel dates mail by the desk's clock; nodemailer would otherwise use the machine's.
  const date = mail.headers?.Date ?? mail.headers?.date;
  if (date !== undefined) options.date = date;
  if (mail.cc && mail.cc.length > 0) options.cc = mail.cc;
  if (mail.replyTo !== undefined) options.replyTo = mail.replyTo;
  if (mail.inReplyTo !== undefined) options.inReplyTo = mail.inReplyTo;
  if (mail.references && mail.references.length > 0) options.references = mail.references;
  if (mail.html !== undefined) options.html = mail.html;
  if (mail.envelope !== undefined) {
    options.envelope = { from: mail.envelope.from, to: mail.envelope.to ?? [...mail.to, ...(mail.cc ?? [])] };
  }
  if (mail.attachments && mail.attachments.length > 0) {
    options.attachments = mail.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
      ...(a.contentId === undefined ? {} : { cid: a.contentId.replace(/^<|>$/g, '') }),
    }));
  }
  return options;
}
