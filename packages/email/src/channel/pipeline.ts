/**
 * The one place the channel meets the pure email functions (parse, classify, extract, resolve,
 * compose): the rest of the channel works on `InboundMail`, `Ticket` and `OutboundEmail`.
 */
import { fnv1a, type Message, type OutboundEmail, type Ticket } from '@tessera/core';
import { classifyEmail } from '../classify';
import { composeEmail } from '../compose';
import { bracket, messageIdList, normalizeMessageId } from '../message-id';
import { parseEmail } from '../parse';
import { extractReply } from '../reply';
import {
  type Resolution,
  type ResolveOptions,
  resolveThread,
  type ThreadLookup,
  type ThreadTicket,
} from '../resolve';
import { isAddress } from './settings';
import type { InboundMail } from './types';

/** A Message-ID in the form the channel stores and indexes it: normalised, in angle brackets. */
export function messageKey(id: string): string {
  const n = normalizeMessageId(id);
  return n ? bracket(n) : id;
}

/**
 * Characters of text (and of HTML, when a mail has no text part) read for the reply. The stored body
 * is at most 100,000 characters, so reading further would only cost time: the reply a person
 * wrote is at the top.
 */
const MAX_TEXT_READ = 200_000;
const MAX_HTML_READ = 2_000_000;

/**
 * Parses, classifies and trims one raw message. Throws `ValidationError` for malformed mail. Every
 * step is linear in the mail; what is cut to keep it so is listed in `truncated`.
 */
export async function readInbound(bytes: Uint8Array): Promise<InboundMail> {
  const parsed = await parseEmail(bytes);
  const truncated: string[] = [];
  let text = parsed.text;
  let html = parsed.html;
  if (text && text.length > MAX_TEXT_READ) {
    text = text.slice(0, MAX_TEXT_READ);
    truncated.push(
      `text: longer than ${MAX_TEXT_READ} characters; only the first ${MAX_TEXT_READ} were read`,
    );
  }
  if (!text?.trim() && html && html.length > MAX_HTML_READ) {
    html = html.slice(0, MAX_HTML_READ);
    truncated.push(
      `html: longer than ${MAX_HTML_READ} characters; only the first ${MAX_HTML_READ} were read as text`,
    );
  }
  const classification = classifyEmail(parsed);
  const own = normalizeMessageId(parsed.messageId);
  // A missing (or absurdly long) Message-ID is replaced by one derived from the bytes, so a
  // redelivery of the same mail still dedupes.
  const messageId =
    own && own.length <= 900 ? bracket(own) : `<no-message-id.${fnv1a(bytes)}@tessera.invalid>`;
  const extracted = extractReply({ text, html });
  const original = classification.bounce?.originalMessageId;
  const inReplyTo = messageIdList(parsed.inReplyTo)[0];
  return {
    messageId,
    ...(inReplyTo ? { inReplyTo: bracket(inReplyTo) } : {}),
    references: messageIdList(parsed.references).map(bracket),
    from: {
      address: (parsed.from?.address ?? parsed.sender?.address ?? '').toLowerCase(),
      ...(parsed.from?.name ? { name: parsed.from.name } : {}),
    },
    to: parsed.to.map((a) => a.address.toLowerCase()),
    cc: parsed.cc.map((a) => a.address.toLowerCase()),
    subject: parsed.subject,
    text: parsed.text ?? extracted.visible,
    ...(parsed.html ? { html: parsed.html } : {}),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename || 'attachment',
      contentType: a.contentType,
      content: a.content,
      inline: a.inline,
      ...(a.contentId ? { contentId: a.contentId } : {}),
    })),
    classification: { kind: classification.kind, reasons: classification.reasons },
    ...(classification.bounce
      ? {
          bounce: {
            recipient: classification.bounce.recipient,
            status: classification.bounce.status,
            permanent: classification.bounce.permanent,
          },
        }
      : {}),
    visible: extracted.visible,
    originalMessageIds: original ? messageIdList(original).map(bracket) : [],
    suppressAutoReply: classification.suppressAutoReply,
    recipients: [
      ...(parsed.deliveredTo ? [parsed.deliveredTo] : []),
      ...parsed.to.map((a) => a.address),
      ...parsed.cc.map((a) => a.address),
    ],
    parsed,
    truncated,
  };
}

/** What the channel tells `resolveThread` about a ticket. */
export function threadTicket(ticket: Ticket, closedReplies: 'follow-up' | 'reject'): ThreadTicket {
  const emailOf = (p: { id: string; email?: string }) => p.email ?? (isAddress(p.id) ? p.id : undefined);
  const requester = emailOf(ticket.requester);
  return {
    id: ticket.id,
    number: ticket.number,
    category: ticket.category,
    requester: requester ? { email: requester } : {},
    followers: ticket.followers.map((f) => {
      const email = emailOf(f);
      return email ? { email } : {};
    }),
    cc: ticket.cc,
    mergedInto: ticket.mergedInto,
    closedReplies,
  };
}

export type { Resolution, ThreadLookup };

export function resolveInbound(
  mail: InboundMail,
  lookup: ThreadLookup,
  opts: ResolveOptions,
): Promise<Resolution> {
  return resolveThread(mail.parsed, lookup, opts);
}

export interface OutboundOptions {
  from: string;
  secret: string;
  automated: boolean;
  to: string[];
  cc: string[];
  attachments?: OutboundEmail['attachments'];
}

/**
 * The mail for a ticket message (composeEmail: our derived Message-ID, References, `[#N]`, signed
 * Reply-To). In-Reply-To names the customer's last mail before the message when there is one —
 * the mail the reply answers — and References still chain the whole conversation.
 */
export function composeOutbound(ticket: Ticket, message: Message, opts: OutboundOptions): OutboundEmail {
  const mail = composeEmail(ticket, message, {
    from: opts.from,
    secret: opts.secret,
    automated: opts.automated,
    to: opts.to,
    cc: opts.cc,
    ...(opts.attachments?.length ? { attachments: opts.attachments } : {}),
  });
  const index = ticket.messages.findIndex((m) => m.id === message.id);
  const before = index >= 0 ? ticket.messages.slice(0, index) : ticket.messages;
  const answered = before.findLast((m) => m.author.kind === 'customer' && m.email?.messageId)?.email
    ?.messageId;
  if (answered) {
    mail.inReplyTo = answered;
    if (!mail.references?.includes(answered)) mail.references = [...(mail.references ?? []), answered];
  }
  return mail;
}
