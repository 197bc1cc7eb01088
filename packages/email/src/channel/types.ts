import type { Attachment, MailTransport, MessageIndex, Party, Ticket } from '@tessera/core';
import type { ParsedEmail } from '../parse';

/** What `ingest` did with a message. */
export interface IngestResult {
  action: 'opened' | 'appended' | 'follow-up' | 'duplicate' | 'dropped';
  /** The ticket the mail landed on (or, for a bounce, the ticket of the failed delivery). */
  ticketId?: string;
  /** Which evidence tied the mail to its ticket: `reply-token`, `message-id`, `subject` … */
  evidence?: string;
  /** Why a mail was dropped, or what kind of duplicate it was. */
  reason?: string;
  /** How the mail was classified: `human`, `auto-reply`, `bulk`, `bounce` or `loop`. */
  classification?: string;
  /** The normalised Message-ID the mail was deduplicated by. */
  messageId?: string;
  /** Set when a bounce was recorded as an `EmailDeliveryFailed` of one of our messages. */
  bounce?: { ticketMessageId: string; recipient: string; status: string; permanent: boolean };
  /** Set when an acknowledgement was sent for a new ticket. */
  autoReplied?: boolean;
  /**
   * What of the mail was cut or left out to keep filing linear and within core's limits (body
   * length, HTML nesting or length, attachments), each with its reason; also recorded in the
   * message's `email.truncated`. `original.eml` keeps the mail whole.
   */
  truncated?: string[];
}

/** The acknowledgement sent to a human who opens a ticket by mail. */
export interface AutoReplyOptions {
  /** The text of the acknowledgement; default names the ticket number and subject. */
  text?(ticket: Ticket): string;
  html?(ticket: Ticket): string | undefined;
}

export interface EmailChannelOptions {
  /**
   * The support address, e.g. `support@example.com`. A display name written into it
   * (`Support <support@example.com>`) is dropped: only the address is kept; give the name as `name`.
   */
  address: string;
  /** Display name for outbound mail, `From: "Support" <support@example.com>` (default: none). */
  name?: string;
  /**
   * Signs reply tokens (HMAC); at least 8 bytes in UTF-8, else a `ConfigError` (32 random bytes
   * are best). Keep it secret and stable — rotating it orphans reply tokens in flight.
   */
  secret: string;
  transport: MailTransport;
  /** Where Message-IDs are recorded; default the desk store's `messages`. */
  messages?: MessageIndex;
  /** Acknowledge tickets opened by a human's mail (default on). `false` turns it off. */
  autoReply?: boolean | AutoReplyOptions;
  /** `strict` (default): `[#N]` in a subject counts only from the requester, a follower or a Cc. */
  senderCheck?: 'strict' | 'off';
  /** Acknowledgements per sender address per hour (default 3); further new tickets get none. */
  maxAutoRepliesPerSenderPerHour?: number;
  /** Maps a sender to the customer they are (default: id and email are the lowercased address). */
  resolveCustomer?(from: { address: string; name?: string }): Party | Promise<Party>;
  /** Delivery attempts before a transient failure counts as final (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one (default 60 s). */
  retryDelayMs?: number;
  /**
   * Keep each inbound message as received (`original.eml`, `message/rfc822`) among the message's
   * attachments, so the quoted history and headers trimmed from the body stay available (default true).
   */
  keepOriginal?: boolean;
  /** A send that takes longer counts as a transient failure and is retried (default 120 s). */
  sendTimeoutMs?: number;
  /**
   * Before it sends, the channel claims the send in the ticket's log (`claimDelivery`), so of
   * several app instances sending at once exactly one sends each mail. A claim lapses after this
   * long (default twice `sendTimeoutMs`), so mail claimed by a process that died is sent by another.
   */
  claimLeaseMs?: number;
  /** Names this instance in its claims (default a random id per channel). */
  claimant?: string;
  /**
   * Send right after a reply is committed, inside `execute` (default true). With `false` only
   * `tick`/`flush` send, so `execute` never waits on the mail server.
   */
  sendOnCommit?: boolean;
  /** Largest raw message `ingest` accepts, in bytes (default 25 MiB). */
  maxSize?: number;
}

/** An inbound mail as the channel works with it, whatever the parser's own shape. */
export interface InboundMail {
  /** Normalised (no brackets). */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  from: { address: string; name?: string };
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html?: string;
  attachments: {
    filename: string;
    contentType: string;
    content: Uint8Array;
    contentId?: string;
    inline: boolean;
  }[];
  classification: { kind: 'human' | 'auto-reply' | 'bulk' | 'bounce' | 'loop'; reasons: string[] };
  bounce?: { recipient: string; status: string; permanent: boolean };
  /** The reply without quoted history or signature. */
  visible: string;
  /** Message-IDs a bounce names as the message that failed (from the DSN's returned headers). */
  originalMessageIds: string[];
  /** The sender asked for no automatic answers (`X-Auto-Response-Suppress`). */
  suppressAutoReply: boolean;
  /** Every address the mail was delivered or addressed to (Delivered-To, To, Cc), for reply tokens. */
  recipients: string[];
  parsed: ParsedEmail;
  /** What reading the mail cut, with the reason (see `IngestResult.truncated`). */
  truncated: string[];
}

export type StoredAttachment = Attachment;
