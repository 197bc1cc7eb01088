import {
  type ExtensionCommand,
  type NewDomainEvent,
  type Problem,
  type Ticket,
  ValidationError,
} from '@tessera/core';
import type { EmailState } from './state';

/**
 * Claims the sending of one attempt of a message before the channel sends it: of several
 * processes claiming at once, one gets the `EmailSendClaimed` event and sends; the others decide
 * nothing. A claim lapses after `leaseMs`, so a process that died holding it keeps nothing back.
 */
export type ClaimDelivery = {
  type: 'claimDelivery';
  ticketId: string;
  messageId: string;
  attempt: number;
  claimant: string;
  leaseMs: number;
};

/**
 * Records how a send went: `sent`, `failed` (with `permanent` when it is not worth retrying), or
 * `unknown` — the transport did not answer in time, so the mail may have been delivered.
 */
export type RecordDelivery = {
  type: 'recordDelivery';
  ticketId: string;
  messageId: string;
  outcome: 'sent' | 'failed' | 'unknown';
  emailMessageId?: string;
  recipients: string[];
  accepted?: string[];
  rejected?: string[];
  error?: string;
  permanent?: boolean;
  attempts: number;
  bounce?: { recipient: string; status: string };
};

type Field = (v: unknown) => string | undefined;
const str =
  (max: number, nonEmpty = false): Field =>
  (v) =>
    typeof v !== 'string'
      ? 'must be a string'
      : v.length > max
        ? `must be at most ${max} characters`
        : nonEmpty && v.length === 0
          ? 'must not be empty'
          : undefined;
const int =
  (min: number, max: number): Field =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;
const strings: Field = (v) =>
  Array.isArray(v) && v.length <= 200 && v.every((x) => typeof x === 'string' && x.length <= 320)
    ? undefined
    : 'must be a list of at most 200 addresses';
const oneOf =
  (values: readonly string[]): Field =>
  (v) =>
    values.includes(v as string) ? undefined : `must be one of ${values.join(', ')}`;
const bool: Field = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const bounce: Field = (v) => {
  const b = v as { recipient?: unknown; status?: unknown } | null;
  return typeof b === 'object' &&
    b !== null &&
    !Array.isArray(b) &&
    !str(320)(b.recipient) &&
    !str(40)(b.status)
    ? undefined
    : 'must be { recipient, status }';
};

/** Checks `input` against `spec` (required flag, check); unknown keys are refused too. */
function checked<C>(input: unknown, spec: Record<string, [boolean, Field]>): C {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError([{ path: '', message: 'a command must be an object' }]);
  }
  const value = input as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'type' && !(key in spec))
      problems.push({ path: key, message: 'is not a field of this command' });
  }
  for (const [key, [required, check]] of Object.entries(spec)) {
    if (value[key] === undefined) {
      if (required) problems.push({ path: key, message: 'is required' });
      continue;
    }
    const message = check(value[key]);
    if (message) problems.push({ path: key, message });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return value as C;
}

const ticketId = str(200, true);
const messageId = str(200, true);

function messageOf(ticket: Ticket, id: string) {
  if (!ticket.messages.some((m) => m.id === id)) {
    throw new ValidationError([{ path: 'messageId', message: `ticket ${ticket.id} has no message ${id}` }]);
  }
}

/**
 * `claimDelivery`: nothing to claim when the message was sent, given up on, of unknown outcome, or
 * this attempt's outcome is on record; nor while someone holds an unexpired claim on this attempt.
 *
 * @example
 * await ctx.execute({ type: 'claimDelivery', ticketId, messageId, attempt: 1, claimant: 'p1', leaseMs: 240_000 }, { actor });
 */
export const claimDelivery: ExtensionCommand<EmailState, ClaimDelivery> = {
  validate: (input) =>
    checked<ClaimDelivery>(input, {
      ticketId: [true, ticketId],
      messageId: [true, messageId],
      attempt: [true, int(1, 1000)],
      claimant: [true, str(200, true)],
      leaseMs: [true, int(1, 24 * 3_600_000)],
    }),
  decide(ticket, state, command, { now }): NewDomainEvent[] {
    messageOf(ticket, command.messageId);
    const recorded = state.deliveries.filter((d) => d.messageId === command.messageId);
    if (
      recorded.some((d) => d.status === 'sent' || d.permanent) ||
      recorded.at(-1)?.status === 'unknown' ||
      recorded.some((d) => d.attempts >= command.attempt)
    ) {
      return [];
    }
    const held = state.sendClaims.some(
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
  },
};

/**
 * `recordDelivery`: `EmailSent` (once per message), `EmailDeliveryFailed` or `EmailOutcomeUnknown`.
 *
 * @example
 * await ctx.execute({ type: 'recordDelivery', ticketId, messageId, outcome: 'sent', recipients: ['ann@x.org'], attempts: 1 }, { actor });
 */
export const recordDelivery: ExtensionCommand<EmailState, RecordDelivery> = {
  validate: (input) =>
    checked<RecordDelivery>(input, {
      ticketId: [true, ticketId],
      messageId: [true, messageId],
      outcome: [true, oneOf(['sent', 'failed', 'unknown'])],
      emailMessageId: [false, str(1000)],
      recipients: [true, strings],
      accepted: [false, strings],
      rejected: [false, strings],
      error: [false, str(10_000)],
      permanent: [false, bool],
      attempts: [true, int(0, 1000)],
      bounce: [false, bounce],
    }),
  decide(ticket, state, c): NewDomainEvent[] {
    messageOf(ticket, c.messageId);
    const sent = state.deliveries.some((d) => d.messageId === c.messageId && d.status === 'sent');
    if (c.outcome === 'sent') {
      if (sent) return [];
      return [
        {
          type: 'EmailSent',
          data: {
            messageId: c.messageId,
            emailMessageId: c.emailMessageId ?? '',
            recipients: c.recipients,
            accepted: c.accepted ?? c.recipients,
            rejected: c.rejected ?? [],
            attempts: c.attempts,
          },
        },
      ];
    }
    if (c.outcome === 'unknown') {
      return [
        {
          type: 'EmailOutcomeUnknown',
          data: {
            messageId: c.messageId,
            emailMessageId: c.emailMessageId ?? '',
            recipients: c.recipients,
            attempts: c.attempts,
            error: c.error ?? 'the transport did not answer',
          },
        },
      ];
    }
    return [
      {
        type: 'EmailDeliveryFailed',
        data: {
          messageId: c.messageId,
          recipients: c.recipients,
          error: c.error ?? 'delivery failed',
          permanent: c.permanent ?? false,
          attempts: c.attempts,
          ...(c.emailMessageId === undefined ? {} : { emailMessageId: c.emailMessageId }),
          ...(c.bounce === undefined ? {} : { bounce: c.bounce }),
        },
      },
    ];
  },
};
