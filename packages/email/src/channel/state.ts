import {
  type Actor,
  type ExtensionState,
  isExtensionEvent,
  type Message,
  type StoredEvent,
  type StoredExtensionEvent,
  type Ticket,
} from '@tessera/core';
import { bareAddress, isAddress } from './settings';

/** The event types the email channel owns (their names predate the module, so old logs fold). */
export const EMAIL_EVENTS = [
  'EmailSent',
  'EmailDeliveryFailed',
  'EmailSendClaimed',
  'EmailOutcomeUnknown',
] as const;

/**
 * How a timed-out send was recorded before deliveries were the channel's own state: a final
 * `EmailDeliveryFailed` whose error starts with this. Such events fold as an `'unknown'` outcome.
 */
export const UNKNOWN_OUTCOME = 'unknown outcome:';

/** One outcome recorded against a message: sent, failed, or unknown (the transport never answered). */
export interface EmailDelivery {
  /** The ticket message. */
  messageId: string;
  emailMessageId?: string;
  status: 'sent' | 'failed' | 'unknown';
  recipients: string[];
  attempts: number;
  permanent?: boolean;
  error?: string;
  at: string;
}

/** A claim on sending one attempt of a message (`EmailSendClaimed`); it lapses at `leaseUntil`. */
export interface EmailSendClaim {
  messageId: string;
  attempt: number;
  claimant: string;
  at: string;
  leaseUntil: string;
}

/** The email channel's slice of a ticket, at `ticket.ext.email`. */
export interface EmailState {
  deliveries: EmailDelivery[];
  sendClaims: EmailSendClaim[];
  /**
   * Messages whose mail is neither sent nor given up on, nor of unknown outcome, in posting order:
   * what `tick` still has to send for this ticket.
   */
  pending: string[];
}

export interface EmailSentData {
  messageId: string;
  emailMessageId: string;
  recipients: string[];
  accepted: string[];
  rejected: string[];
  attempts: number;
}
export interface EmailDeliveryFailedData {
  messageId: string;
  emailMessageId?: string;
  recipients: string[];
  error: string;
  permanent: boolean;
  attempts: number;
  bounce?: { recipient: string; status: string };
}
export interface EmailSendClaimedData {
  messageId: string;
  attempt: number;
  claimant: string;
  leaseUntil: string;
}
/** A send the transport did not answer in time: it may have been delivered, so it is not resent. */
export interface EmailOutcomeUnknownData {
  messageId: string;
  emailMessageId: string;
  recipients: string[];
  attempts: number;
  error: string;
}

const EMPTY: EmailState = Object.freeze({ deliveries: [], sendClaims: [], pending: [] }) as EmailState;

/**
 * The email channel's slice of a ticket (empty when the channel never touched it).
 *
 * @example
 * emailState(ticket).deliveries; // [{ messageId, status: 'sent', attempts: 1, … }]
 */
export function emailState(ticket: Pick<Ticket, 'ext'>): EmailState {
  return ((ticket.ext as Record<string, unknown> | undefined)?.email as EmailState | undefined) ?? EMPTY;
}

/**
 * The addresses an internal note that is also a notification is mailed to (not our own address).
 *
 * @example
 * notifiedAddresses({ notify: { to: ['Ann@x.org', 'not mail'] } }, 'support@example.com'); // ['ann@x.org']
 */
export function notifiedAddresses(m: Pick<Message, 'notify'>, own: string): string[] {
  return (m.notify?.to ?? [])
    .filter(isAddress)
    .map(bareAddress)
    .filter((a, i, all) => a !== own && all.indexOf(a) === i);
}

/**
 * Messages the channel mails: public ones not written by the customer side, and internal notes
 * that are notifications to email addresses.
 *
 * @example
 * isOutbound(agentReply, 'support@example.com'); // true
 */
export function isOutbound(m: Pick<Message, 'visibility' | 'author' | 'notify'>, own: string): boolean {
  return m.visibility === 'public' ? m.author.kind !== 'customer' : notifiedAddresses(m, own).length > 0;
}

/**
 * The lists of a new slice: shared and frozen until the slice first writes to one (most tickets'
 * slices are folded without a delivery or a claim). `evolve`'s immer drafts are writable as they
 * are; the fold's private slice gets its own list at the first write.
 */
const NONE = Object.freeze([]) as unknown as never[];

/** The slice of every new ticket: shared and frozen until the channel first writes to it. */
const INITIAL: EmailState = Object.freeze({ deliveries: NONE, sendClaims: NONE, pending: NONE });
const ownSlice = (): EmailState => ({ deliveries: NONE, sendClaims: NONE, pending: NONE });

function list<K extends keyof EmailState>(s: EmailState, key: K): EmailState[K] {
  if (s[key] === NONE) s[key] = [] as EmailState[K];
  return s[key];
}

const settle = (s: EmailState, messageId: string) => {
  const i = s.pending.indexOf(messageId);
  if (i >= 0) list(s, 'pending').splice(i, 1);
};
const unsettle = (s: EmailState, messageId: string) => {
  // The first pending message makes a list of one (no spare room to grow into).
  if (s.pending === NONE) s.pending = [messageId];
  else if (!s.pending.includes(messageId)) s.pending.push(messageId);
};

/**
 * The fold of the channel's slice, in core's one pass: deliveries and claims from the channel's
 * own events, and which outbound messages are still to send.
 *
 * A new ticket's slice is one shared frozen object: `apply` returns the ticket's own copy at its
 * first write.
 *
 * @example
 * const state = emailStateFold('support@example.com');
 * const slice = state.initial(); // { deliveries: [], sendClaims: [], pending: [] }, frozen
 */
export function emailStateFold(own: string): ExtensionState<EmailState> {
  return {
    initial: () => INITIAL,
    // Only these events change the slice: the fold skips the channel for every other one.
    on: ['MessagePosted', 'TicketMerged', ...EMAIL_EVENTS],
    apply(state, event: StoredEvent | StoredExtensionEvent, ticket) {
      switch (event.type) {
        case 'MessagePosted': {
          // The message as core just added it to the ticket: its author, visibility and notify are
          // the event's own (read there, not looked up among the ticket's messages).
          const d = event.data as Pick<Message, 'visibility' | 'author' | 'notify'> & { messageId: string };
          if (!isOutbound(d, own)) return;
          const draft = state === INITIAL ? ownSlice() : state;
          unsettle(draft, d.messageId);
          return draft === state ? undefined : draft;
        }
        case 'TicketMerged':
          // Mail of a merged ticket is not sent (its replies go on the ticket it was merged into).
          if (state.pending.length > 0) state.pending.length = 0;
          return;
      }
      // The channel's own events always write.
      const draft = state === INITIAL ? ownSlice() : state;
      if (isExtensionEvent<EmailSentData>(event, 'EmailSent')) {
        const d = event.data;
        list(draft, 'deliveries').push({
          messageId: d.messageId,
          emailMessageId: d.emailMessageId,
          status: 'sent',
          recipients: d.recipients,
          attempts: d.attempts,
          at: event.occurredAt,
        });
        settle(draft, d.messageId);
      } else if (isExtensionEvent<EmailDeliveryFailedData>(event, 'EmailDeliveryFailed')) {
        const d = event.data;
        // Logs from before the 'unknown' outcome recorded a timed-out send as a final failure.
        const unknown = d.error.startsWith(UNKNOWN_OUTCOME) && !d.bounce;
        list(draft, 'deliveries').push({
          messageId: d.messageId,
          ...(d.emailMessageId === undefined ? {} : { emailMessageId: d.emailMessageId }),
          status: unknown ? 'unknown' : 'failed',
          recipients: d.recipients,
          attempts: d.attempts,
          ...(unknown ? {} : { permanent: d.permanent }),
          error: d.error,
          at: event.occurredAt,
        });
        const sent = draft.deliveries.some((x) => x.messageId === d.messageId && x.status === 'sent');
        if (d.permanent || sent) settle(draft, d.messageId);
        else if (ticket.category !== 'merged') unsettle(draft, d.messageId);
      } else if (isExtensionEvent<EmailOutcomeUnknownData>(event, 'EmailOutcomeUnknown')) {
        const d = event.data;
        list(draft, 'deliveries').push({
          messageId: d.messageId,
          emailMessageId: d.emailMessageId,
          status: 'unknown',
          recipients: d.recipients,
          attempts: d.attempts,
          error: d.error,
          at: event.occurredAt,
        });
        settle(draft, d.messageId);
      } else if (isExtensionEvent<EmailSendClaimedData>(event, 'EmailSendClaimed')) {
        const d = event.data;
        list(draft, 'sendClaims').push({
          messageId: d.messageId,
          attempt: d.attempt,
          claimant: d.claimant,
          at: event.occurredAt,
          leaseUntil: d.leaseUntil,
        });
      }
      return draft === state ? undefined : draft;
    },
  };
}

/**
 * What an actor sees of the slice: staff and the desk's own actors all of it, a customer nothing
 * (deliveries name recipients and server errors).
 *
 * @example
 * emailView(slice, { kind: 'customer', id: 'c1' }); // undefined
 */
export function emailView(state: EmailState, actor: Actor): EmailState | undefined {
  return actor.kind === 'customer' ? undefined : state;
}
