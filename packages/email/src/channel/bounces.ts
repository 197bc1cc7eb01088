import { isTesseraError, type Message, type Ticket } from '@tessera/core';
import { ourMessageId } from '../compose';
import { splitAddress, verifyReplyToken } from '../reply-token';
import { messageKey } from './pipeline';
import { type ChannelSettings, SYSTEM } from './settings';
import { emailState } from './state';
import type { InboundMail, IngestResult } from './types';

/** Files bounces: as a failed delivery of the message they answer, found by Message-ID or by VERP. */
export interface BounceFiling {
  fileBounce(mail: InboundMail, id: string, base: Partial<IngestResult>): Promise<IngestResult>;
}

/**
 * Bounces name the mail that failed by its Message-ID (in the returned headers, In-Reply-To or
 * References); failing that, our mail went out with the ticket's signed reply address as envelope
 * sender (VERP), so the address the bounce came back to names the ticket.
 *
 * @example
 * const bounces = bounceFiling(settings);
 * await bounces.fileBounce(mail, '<dsn@mx>', { classification: 'bounce' });
 */
export function bounceFiling(s: ChannelSettings): BounceFiling {
  const key = messageKey;

  async function fileBounce(
    mail: InboundMail,
    id: string,
    base: Partial<IngestResult>,
  ): Promise<IngestResult> {
    const candidates = [
      ...mail.originalMessageIds,
      ...(mail.inReplyTo ? [mail.inReplyTo] : []),
      ...[...mail.references].reverse(),
    ];
    for (const candidate of candidates) {
      const original = key(candidate);
      const ticketId = await s.index().get(original);
      if (!ticketId) continue;
      const ticket = await s.context().load(ticketId);
      if (!ticket) continue;
      const message = ticket.messages.find(
        (m) =>
          ourMessageId(ticket.id, m.id, s.domain) === original ||
          emailState(ticket).deliveries.some(
            (d) => d.messageId === m.id && d.emailMessageId && key(d.emailMessageId) === original,
          ),
      );
      if (!message) continue;
      return recordBounce(mail, id, base, ticket, message, `<${original}>`);
    }
    // VERP: our mail goes out with the ticket's signed address as its envelope sender, so a bounce
    // that quotes nothing of the original still names the ticket; the message is the latest one
    // sent to the recipient that bounced.
    const own = splitAddress(s.address);
    for (const to of mail.recipients) {
      const parts = splitAddress(to);
      if (!parts?.tag || !own || parts.local.toLowerCase() !== own.local.toLowerCase()) continue;
      if (parts.domain.toLowerCase() !== own.domain.toLowerCase()) continue;
      const ticketId = verifyReplyToken(parts.tag, s.options.secret);
      const ticket = ticketId ? await s.context().load(ticketId) : undefined;
      if (!ticket) continue;
      const recipient = mail.bounce?.recipient.toLowerCase();
      const delivery = emailState(ticket).deliveries.findLast(
        (d) => d.status === 'sent' && (!recipient || d.recipients.some((r) => r.toLowerCase() === recipient)),
      );
      const message = delivery && ticket.messages.find((m) => m.id === delivery.messageId);
      if (!message || !delivery) continue;
      return recordBounce(mail, id, base, ticket, message, delivery.emailMessageId);
    }
    return { ...base, action: 'dropped', reason: 'bounce for a message we did not send (or no longer know)' };
  }

  /** Records a bounce as a failed delivery of the message it answers. */
  async function recordBounce(
    mail: InboundMail,
    id: string,
    base: Partial<IngestResult>,
    ticket: Ticket,
    message: Message,
    emailMessageId: string | undefined,
  ): Promise<IngestResult> {
    const bounce = mail.bounce ?? { recipient: '', status: '5.0.0', permanent: true };
    const attempts = emailState(ticket)
      .deliveries.filter((d) => d.messageId === message.id)
      .reduce((n, d) => Math.max(n, d.attempts), 0);
    try {
      await s.context().execute(
        {
          type: 'recordDelivery',
          ticketId: ticket.id,
          messageId: message.id,
          outcome: 'failed',
          ...(emailMessageId ? { emailMessageId } : {}),
          recipients: bounce.recipient ? [bounce.recipient] : [],
          error: `bounced: ${bounce.status}${mail.classification.reasons.length ? ` (${mail.classification.reasons.join('; ').slice(0, 500)})` : ''}`,
          permanent: bounce.permanent,
          attempts: Math.max(attempts, 1),
          bounce: { recipient: bounce.recipient, status: bounce.status },
        },
        { actor: SYSTEM, idempotencyKey: `bounce:${id}` },
      );
    } catch (error) {
      if (!isTesseraError(error, 'closed')) throw error;
      return {
        ...base,
        action: 'dropped',
        ticketId: ticket.id,
        reason: `bounce for a message of merged ticket #${ticket.number}`,
      };
    }
    await s.index().put(id, ticket.id);
    return {
      ...base,
      action: 'dropped',
      ticketId: ticket.id,
      reason: `bounce recorded against the delivery of message ${message.id}`,
      bounce: { ticketMessageId: message.id, ...bounce },
    };
  }

  return { fileBounce };
}
