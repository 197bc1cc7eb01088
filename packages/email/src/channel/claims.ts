import {
  type ExecuteResult,
  isExtensionEvent,
  isTesseraError,
  type Message,
  type ModuleCommand,
  type OutboundEmail,
  type Ticket,
} from '@tessera/core';
import type { ClaimDelivery, RecordDelivery } from './commands';
import { composeOutbound, messageKey } from './pipeline';
import { type ChannelSettings, SYSTEM } from './settings';
import type { EmailSendClaimedData } from './state';

/** One message's next send: how many attempts it had and when the next is due (ms since epoch). */
export interface Due {
  message: Message;
  attempts: number;
  at: number;
}

/**
 * An RFC 5322 date, in UTC.
 *
 * @example
 * rfc5322Date(new Date('2026-12-01T21:00:00Z')); // 'Tue, 01 Dec 2026 21:00:00 +0000'
 */
export const rfc5322Date = (d: Date) => d.toUTCString().replace(/GMT$/, '+0000');

type Answer<T> = { kind: 'answered'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'timeout' };

/** Waits at most `ms` for `work`; a timeout leaves `work` running (its outcome is then unknown). */
function within<T>(work: Promise<T>, ms: number): Promise<Answer<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Answer<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
  });
  const answer = work.then(
    (value): Answer<T> => ({ kind: 'answered', value }),
    (error: unknown): Answer<T> => ({ kind: 'failed', error }),
  );
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}

/** Who one message goes to. */
export type Recipients = (ticket: Ticket, message: Message) => { to: string[]; cc: string[] };

/**
 * Claims and sends: before it sends, the channel claims the attempt in the ticket's log
 * (`claimDelivery`), so of several instances exactly one sends each mail; then it sends and returns
 * the `recordDelivery` that records how it went.
 *
 * A send the transport has not answered within `sendTimeoutMs` has an unknown outcome: the mail
 * may well have been delivered (a slow server that accepted it). Resending it would risk a second
 * copy, so it is recorded as `outcome: 'unknown'` (`EmailOutcomeUnknown`), which nothing claims
 * again; if the transport answers later, that answer is recorded too — a late success marks the
 * mail sent, a late permanent failure gives it up, and a late transient failure makes it due again
 * (the next attempt is claimed and sent like any retry).
 *
 * @example
 * const sender = claimsAndSends(settings, recipientsFor);
 * const recorded = await sender.deliver(ticket, due, (c) => ctx.execute(c, { actor: SYSTEM }));
 */
export function claimsAndSends(s: ChannelSettings, recipientsFor: Recipients) {
  const sending = new Set<string>();

  /** What the transport's answer (or failure) records. */
  function outcome(
    ticket: Ticket,
    due: Due,
    mail: OutboundEmail,
    answer: Exclude<Answer<{ accepted: string[]; rejected: string[] }>, { kind: 'timeout' }>,
    attempts: number,
  ): RecordDelivery {
    const recipients = [...mail.to, ...(mail.cc ?? [])];
    const base = {
      type: 'recordDelivery' as const,
      ticketId: ticket.id,
      messageId: due.message.id,
      emailMessageId: mail.messageId,
      recipients,
      attempts,
    };
    if (answer.kind === 'answered') {
      return { ...base, outcome: 'sent', accepted: answer.value.accepted, rejected: answer.value.rejected };
    }
    const { error } = answer;
    const details = isTesseraError(error)
      ? (error.details as { permanent?: unknown } | undefined)
      : undefined;
    return {
      ...base,
      outcome: 'failed',
      error: (error instanceof Error ? error.message : String(error)).slice(0, 10_000),
      permanent: details?.permanent === true || attempts >= s.maxAttempts,
    };
  }

  /** Records an answer that came after the send had been recorded as of unknown outcome. */
  function recordLate(
    ticket: Ticket,
    due: Due,
    mail: OutboundEmail,
    sent: Promise<{ accepted: string[]; rejected: string[] }>,
    attempts: number,
  ) {
    const late = (answer: Exclude<Answer<{ accepted: string[]; rejected: string[] }>, { kind: 'timeout' }>) =>
      s
        .context()
        .execute(outcome(ticket, due, mail, answer, attempts), {
          actor: SYSTEM,
          idempotencyKey: `late:${due.message.id}#${attempts}`,
        })
        .then(() => undefined);
    // Nobody awaits this: a failure to record (the ticket merged meanwhile) must not surface as an
    // unhandled rejection; the unknown outcome stays on record.
    sent
      .then(
        (value) => late({ kind: 'answered', value }),
        (error: unknown) => late({ kind: 'failed', error }),
      )
      .catch(() => undefined);
  }

  async function deliver(
    ticket: Ticket,
    due: Due,
    execute: (command: ModuleCommand) => Promise<ExecuteResult>,
  ): Promise<RecordDelivery | undefined> {
    const sendKey = `${ticket.id}/${due.message.id}`;
    if (sending.has(sendKey)) return undefined;
    sending.add(sendKey);
    try {
      const record = await send(ticket, due, execute);
      if (!record) return undefined;
      await execute(record.command);
      // Only once the unknown outcome is on record, so that a late answer is always recorded after it.
      record.late?.();
      return record.command;
    } finally {
      sending.delete(sendKey);
    }
  }

  async function send(
    ticket: Ticket,
    due: Due,
    execute: (command: ModuleCommand) => Promise<ExecuteResult>,
  ): Promise<{ command: RecordDelivery; late?: () => void } | undefined> {
    const attempts = due.attempts + 1;
    const command: ClaimDelivery = {
      type: 'claimDelivery',
      ticketId: ticket.id,
      messageId: due.message.id,
      attempt: attempts,
      claimant: s.claimant,
      leaseMs: s.claimLease,
    };
    const claim = await execute(command);
    const mine = claim.events.some(
      (e) =>
        isExtensionEvent<EmailSendClaimedData>(e, 'EmailSendClaimed') &&
        e.data.claimant === s.claimant &&
        e.data.attempt === attempts,
    );
    if (!mine) return undefined;
    const { to, cc } = recipientsFor(ticket, due.message);
    const notification = due.message.visibility === 'internal';
    const automated =
      notification || due.message.author.kind === 'automation' || due.message.author.kind === 'system';
    const files: NonNullable<OutboundEmail['attachments']> = [];
    for (const a of due.message.attachments) {
      const content = a.blob ? await s.context().store.blobs.get(a.blob) : undefined;
      if (!content) continue;
      files.push({
        filename: a.filename,
        contentType: a.contentType,
        content,
        ...(a.contentId ? { contentId: a.contentId } : {}),
      });
    }
    // A notification mails its own text when it has one, not the note's.
    const { html: _html, ...plain } = due.message;
    const message = notification ? { ...plain, body: due.message.notify?.text ?? plain.body } : due.message;
    const mail = composeOutbound(ticket, message, {
      from: s.fromHeader,
      secret: s.options.secret,
      automated,
      to,
      cc,
      attachments: files,
    });
    // The desk's clock, not the machine's: the Date a customer sees is the instant the desk sent it.
    mail.headers = { ...mail.headers, Date: rfc5322Date(s.context().now()) };
    await s.index().put(messageKey(mail.messageId), ticket.id);
    // A transport that throws synchronously is a failed send like any other.
    const sent = Promise.resolve().then(() => s.options.transport.send(mail));
    const answer = await within(sent, s.sendTimeout);
    if (answer.kind !== 'timeout') return { command: outcome(ticket, due, mail, answer, attempts) };
    return {
      late: () => recordLate(ticket, due, mail, sent, attempts),
      command: {
        type: 'recordDelivery',
        ticketId: ticket.id,
        messageId: due.message.id,
        outcome: 'unknown',
        emailMessageId: mail.messageId,
        recipients: [...mail.to, ...(mail.cc ?? [])],
        error: `the transport did not answer within ${s.sendTimeout} ms; not resent, since it may have delivered the mail (a later answer is recorded)`,
        attempts,
      },
    };
  }

  return { deliver };
}
