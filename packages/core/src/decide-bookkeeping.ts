import type { ClaimDelivery, RecordDelivery, RecordSla } from './commands';
import { ValidationError } from './errors';
import type { DomainEvent } from './events';
import type { Ticket } from './model';

/**
 * Decides the bookkeeping commands extensions record on a ticket — SLA marks, delivery outcomes
 * and send claims — each at most once (issue 12 moves them into their extensions). Pure: `now` is
 * the decision's instant, from the injected clock.
 *
 * @example
 * decideBookkeeping(ticket, { type: 'recordSla', ticketId: 'T1', kind: 'breach', metric: 'firstReply', policyId: 'p', deadline }, now);
 */
export function decideBookkeeping(
  ticket: Ticket,
  command: RecordSla | ClaimDelivery | RecordDelivery,
  now: string,
): DomainEvent[] {
  switch (command.type) {
    case 'recordSla': {
      const kind = command.kind;
      if (
        ticket.sla.some(
          (m) => m.metric === command.metric && m.kind === kind && m.policyId === command.policyId,
        )
      )
        return [];
      return [
        {
          type: kind === 'warning' ? 'SlaWarning' : 'SlaBreached',
          data: { metric: command.metric, policyId: command.policyId, deadline: command.deadline },
        },
      ];
    }

    case 'claimDelivery': {
      if (!ticket.messages.some((m) => m.id === command.messageId)) {
        throw new ValidationError([
          { path: 'messageId', message: `ticket ${ticket.id} has no message ${command.messageId}` },
        ]);
      }
      const recorded = ticket.deliveries.filter((d) => d.messageId === command.messageId);
      // Sent already, given up on, or this attempt's outcome is on record: nothing to claim.
      if (
        recorded.some((d) => d.status === 'sent' || d.permanent) ||
        recorded.some((d) => d.attempts >= command.attempt)
      ) {
        return [];
      }
      // Someone holds an unexpired claim on this attempt: it is theirs to send.
      const held = ticket.sendClaims.some(
        (c) => c.messageId === command.messageId && c.attempt === command.attempt && c.leaseUntil > now,
      );
      if (held) return [];
      const leaseUntil = new Date(Date.parse(now) + command.leaseMs).toISOString();
      return [
        {
          type: 'EmailSendClaimed',
          data: {
            messageId: command.messageId,
            attempt: command.attempt,
            claimant: command.claimant,
            leaseUntil,
          },
        },
      ];
    }

    case 'recordDelivery': {
      if (!ticket.messages.some((m) => m.id === command.messageId)) {
        throw new ValidationError([
          { path: 'messageId', message: `ticket ${ticket.id} has no message ${command.messageId}` },
        ]);
      }
      if (command.outcome === 'sent') {
        if (ticket.deliveries.some((d) => d.messageId === command.messageId && d.status === 'sent'))
          return [];
        return [
          {
            type: 'EmailSent',
            data: {
              messageId: command.messageId,
              emailMessageId: command.emailMessageId ?? '',
              recipients: command.recipients,
              accepted: command.accepted ?? command.recipients,
              rejected: command.rejected ?? [],
              attempts: command.attempts,
            },
          },
        ];
      }
      return [
        {
          type: 'EmailDeliveryFailed',
          data: {
            messageId: command.messageId,
            recipients: command.recipients,
            error: command.error ?? 'delivery failed',
            permanent: command.permanent ?? false,
            attempts: command.attempts,
            ...(command.emailMessageId === undefined ? {} : { emailMessageId: command.emailMessageId }),
            ...(command.bounce === undefined ? {} : { bounce: command.bounce }),
          },
        },
      ];
    }
  }
}
