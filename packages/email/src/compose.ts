import { ConfigError, type OutboundEmail } from '@tessera/core';
import { messageIdList } from './message-id';
import { replyAddress, splitAddress, type TokenSecret } from './reply-token';
import { normalizeSubject } from './subject';

/** What composeEmail reads of a ticket (a core `Ticket` fits). */
export interface ComposeTicket {
  id: string;
  number: number;
  subject: string;
  requester: { email?: string | undefined; name?: string | undefined };
  cc?: readonly string[];
  messages: readonly ComposeMessage[];
}

/** What composeEmail reads of a message (a core `Message` fits). */
export interface ComposeMessage {
  id: string;
  body: string;
  html?: string | undefined;
  visibility?: 'public' | 'internal';
  author?: { kind: string };
  email?: { messageId: string; references?: string[] | undefined } | undefined;
}

/** Options of composeEmail. */
export interface ComposeOptions {
  /** The support address mail comes from (`Support <help@example.com>`). */
  from: string;
  /** Signs the Reply-To token. */
  secret: TokenSecret;
  /** Domain of our Message-IDs; defaults to the `from` domain. */
  domain?: string;
  /** Automated mail (auto-acknowledgement, notification): adds `Auto-Submitted` and `X-Auto-Response-Suppress`. */
  automated?: boolean;
  /** Recipients instead of the requester (and the ticket's Cc). */
  to?: string[];
  cc?: string[];
  attachments?: OutboundEmail['attachments'];
  /** Extra headers. */
  headers?: Record<string, string>;
}

/** Keep References short (RFC 5322 §3.6.4 lets a client trim the middle): the root and the latest ones. */
const MAX_REFERENCES = 20;

function token(s: string): string {
  // Message-ID left sides allow dot-atoms; anything else is percent-encoded so ids never break the header.
  return s.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]/g, (c) =>
    Array.from(new TextEncoder().encode(c), (b) => `=${b.toString(16).padStart(2, '0')}`).join(''),
  );
}

/**
 * Our Message-ID for a message of a ticket. Deterministic, so composing the same message twice
 * (a retry after a crash) gives the same Message-ID and the receiving side sees one message.
 *
 * @example
 * ourMessageId('T-1', 'M-7', 'help.example.com');   // '<tessera.T-1.M-7@help.example.com>'
 */
export function ourMessageId(ticketId: string, messageId: string, domain: string): string {
  return `<tessera.${token(ticketId)}.${token(messageId)}@${domain}>`;
}

function domainOf(address: string): string {
  const parts = splitAddress(address);
  if (!parts) throw new ConfigError([{ path: 'from', message: `"${address}" is not an email address` }]);
  return parts.domain;
}

/**
 * The mail for a public message on a ticket: our Message-ID, In-Reply-To the latest mail on the
 * ticket, References chaining every earlier mail, `[#N]` in the subject, Reply-To with the signed
 * token, and `Auto-Submitted: auto-replied` plus `X-Auto-Response-Suppress: All` when automated.
 *
 * @example
 * const mail = composeEmail(ticket, ticket.messages.at(-1)!, { from: 'Support <help@example.com>', secret });
 * await transport.send(mail);
 */
export function composeEmail(
  ticket: ComposeTicket,
  message: ComposeMessage,
  opts: ComposeOptions,
): OutboundEmail {
  const domain = opts.domain ?? domainOf(opts.from);
  const index = ticket.messages.findIndex((m) => m.id === message.id);
  const earlier = index >= 0 ? ticket.messages.slice(0, index) : ticket.messages;

  // Every earlier mail of the conversation: what came in carries its Message-ID; what we sent has ours.
  const chain: string[] = [];
  for (const m of earlier) {
    if (m.visibility === 'internal') continue;
    if (m.email?.messageId) chain.push(m.email.messageId);
    else if (m.author && m.author.kind !== 'customer') chain.push(ourMessageId(ticket.id, m.id, domain));
  }
  const seen = new Set<string>();
  const unique = chain.filter((id) => {
    const key = messageIdList(id)[0] ?? id;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const references =
    unique.length > MAX_REFERENCES ? [unique[0]!, ...unique.slice(-(MAX_REFERENCES - 1))] : unique;

  const to = opts.to ?? (ticket.requester.email ? [ticket.requester.email] : []);
  const ownMailbox = splitAddress(opts.from);
  const isOwn = (a: string) => {
    const p = splitAddress(a);
    return (
      !!p &&
      !!ownMailbox &&
      p.local === ownMailbox.local &&
      p.domain.toLowerCase() === ownMailbox.domain.toLowerCase()
    );
  };
  const cc = (opts.cc ?? [...(ticket.cc ?? [])]).filter((a) => !isOwn(a) && !to.includes(a));

  const base = normalizeSubject(ticket.subject) || ticket.subject;
  const subject = `${references.length ? 'Re: ' : ''}[#${ticket.number}] ${base}`;

  const headers: Record<string, string> = { 'X-Tessera-Ticket': ticket.id, ...opts.headers };
  if (opts.automated) {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }

  const replyTo = replyAddress(opts.from, ticket.id, opts.secret);
  const mail: OutboundEmail = {
    from: opts.from,
    to,
    replyTo,
    // VERP: bounces come back to the ticket's signed address, so one that quotes nothing still lands.
    envelope: { from: /<([^>]*)>\s*$/.exec(replyTo)?.[1] ?? replyTo },
    subject,
    messageId: ourMessageId(ticket.id, message.id, domain),
    headers,
    text: message.body,
  };
  if (cc.length) mail.cc = cc;
  const parent = references[references.length - 1];
  if (parent) {
    mail.inReplyTo = parent;
    mail.references = references;
  }
  if (message.html) mail.html = message.html;
  if (opts.attachments?.length) mail.attachments = opts.attachments;
  return mail;
}
