/**
 * The one place the channel meets the pure email functions (parse, classify, extract, resolve,
 * compose): everything else in the channel works on `InboundMail` and `OutboundEmail`.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Message, OutboundEmail, Ticket } from '@tessera/core';
import { classifyEmail } from '../classify';
import { messageIdList, normalizeMessageId } from '../message-id';
import { parseEmail } from '../parse';
import type { InboundMail } from './types';

/** FNV-1a over the bytes, twice with different primes: a stable id for mail without a Message-ID. */
function digest(bytes: Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Parses, classifies and trims one raw message. Throws `ValidationError` for malformed mail. */
export async function readInbound(raw: string | Uint8Array): Promise<InboundMail> {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
  const parsed = await parseEmail(bytes);
  const classification = classifyEmail(parsed);
  const messageId = normalizeMessageId(parsed.messageId) ?? `no-message-id.${digest(bytes)}@tessera.invalid`;
  const text = parsed.text ?? '';
  const extracted = extractReply(parsed);
  const original = classification.bounce?.originalMessageId;
  const inReplyTo = normalizeMessageId(parsed.inReplyTo);
  return {
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    references: messageIdList(parsed.references),
    from: {
      address: (parsed.from?.address ?? parsed.sender?.address ?? '').toLowerCase(),
      ...(parsed.from?.name ? { name: parsed.from.name } : {}),
    },
    to: parsed.to.map((a) => a.address.toLowerCase()),
    cc: parsed.cc.map((a) => a.address.toLowerCase()),
    subject: parsed.subject,
    text,
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
    originalMessageIds: original ? messageIdList(original) : [],
    suppressAutoReply: classification.suppressAutoReply,
    recipients: [
      ...(parsed.deliveredTo ? [parsed.deliveredTo] : []),
      ...parsed.to.map((a) => a.address),
      ...parsed.cc.map((a) => a.address),
    ],
    parsed,
  };
}

// ---------------------------------------------------------------------------------------------
// Until extractReply, resolveThread and composeEmail land in this package, the channel uses the
// small stand-ins below (same contracts as the design); they are replaced by imports, not grown.

function extractReply(mail: { text?: string }): { visible: string } {
  const lines = (mail.text ?? '').split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*>/.test(line) || /^-+\s*Original Message\s*-+$/i.test(line.trim())) break;
    if (/^On\b.*\bwrote:\s*$/.test(line.trim())) break;
    if (/^On\b/.test(line.trim()) && /wrote:\s*$/.test(lines[i + 1] ?? '')) break;
    out.push(line);
  }
  return { visible: out.join('\n').trim() };
}

/** What resolving an inbound mail needs to know about tickets; the channel builds it on the desk. */
export interface ThreadLookup {
  ticketOfMessageId(messageId: string): Promise<string | undefined>;
  load(ticketId: string): Promise<Ticket | undefined>;
  findByNumber(number: number): Promise<Ticket | undefined>;
  closedReplies(ticket: Ticket): 'follow-up' | 'reject';
}

export type Resolution =
  | { action: 'append'; ticketId: string; evidence: string }
  | { action: 'open' }
  | { action: 'follow-up'; of: string; evidence: string }
  | { action: 'drop'; reason: string };

export interface ResolveOptions {
  address: string;
  secret: string;
  senderCheck: 'strict' | 'off';
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The token in `support+<token>@…`: the ticket id and a truncated HMAC of it. */
export function replyToken(ticketId: string, secret: string): string {
  const sig = hex(hmac(sha256, new TextEncoder().encode(secret), new TextEncoder().encode(ticketId))).slice(
    0,
    16,
  );
  return `${ticketId}.${sig}`;
}

function verifyToken(token: string, secret: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ticketId = token.slice(0, dot);
  return replyToken(ticketId, secret) === token ? ticketId : undefined;
}

export async function resolveInbound(
  mail: InboundMail,
  lookup: ThreadLookup,
  opts: ResolveOptions,
): Promise<Resolution> {
  const [local, domain] = opts.address.split('@') as [string, string];
  const settle = async (ticketId: string, evidence: string): Promise<Resolution> => {
    let ticket = await lookup.load(ticketId);
    for (let hops = 0; ticket?.category === 'merged' && ticket.mergedInto && hops < 10; hops++) {
      ticket = await lookup.load(ticket.mergedInto);
    }
    if (!ticket) return { action: 'open' };
    if (ticket.category === 'closed') {
      return lookup.closedReplies(ticket) === 'reject'
        ? { action: 'drop', reason: `ticket #${ticket.number} is closed and its workflow refuses replies` }
        : { action: 'follow-up', of: ticket.id, evidence };
    }
    return { action: 'append', ticketId: ticket.id, evidence };
  };
  for (const recipient of mail.recipients) {
    const m = /^([^+@]+)\+([^@]+)@(.+)$/.exec(recipient.toLowerCase().trim());
    if (!m || m[1] !== local || m[3] !== domain) continue;
    const ticketId = verifyToken(m[2]!, opts.secret);
    if (ticketId) return settle(ticketId, 'reply-token');
  }
  for (const id of [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]) {
    const ticketId = await lookup.ticketOfMessageId(id);
    if (ticketId) return settle(ticketId, 'message-id');
  }
  const ref = /\[#(\d{1,12})\]/.exec(mail.subject);
  if (ref) {
    const ticket = await lookup.findByNumber(Number(ref[1]));
    if (ticket) {
      const from = mail.from.address.toLowerCase();
      const related =
        ticket.requester.id.toLowerCase() === from ||
        ticket.requester.email?.toLowerCase() === from ||
        ticket.followers.some((f) => f.id.toLowerCase() === from || f.email?.toLowerCase() === from) ||
        ticket.cc.some((c) => c.toLowerCase() === from);
      if (related || opts.senderCheck === 'off') return settle(ticket.id, 'subject');
    }
  }
  return { action: 'open' };
}

export interface ComposeOptions {
  address: string;
  from: string;
  secret: string;
  messageId: string;
  automated: boolean;
  to: string[];
  cc: string[];
}

/** The mail for a ticket message: threading headers to the customer's last mail, `[#N]`, signed Reply-To. */
export function composeOutbound(ticket: Ticket, message: Message, opts: ComposeOptions): OutboundEmail {
  const [local, domain] = opts.address.split('@') as [string, string];
  const before = ticket.messages.slice(
    0,
    ticket.messages.findIndex((m) => m.id === message.id),
  );
  const lastInbound = [...before].reverse().find((m) => m.email?.messageId && m.author.kind === 'customer');
  const references = lastInbound?.email
    ? [...(lastInbound.email.references ?? []), lastInbound.email.messageId].slice(-20).map((r) => `<${r}>`)
    : [];
  const base = ticket.subject.replace(/\s*\[#\d+\]\s*/g, ' ').trim();
  const mail: OutboundEmail = {
    from: opts.from,
    to: opts.to,
    ...(opts.cc.length > 0 ? { cc: opts.cc } : {}),
    replyTo: `${local}+${replyToken(ticket.id, opts.secret)}@${domain}`,
    subject: `${lastInbound ? 'Re: ' : ''}${base} [#${ticket.number}]`,
    messageId: `<${opts.messageId}>`,
    ...(lastInbound?.email ? { inReplyTo: `<${lastInbound.email.messageId}>` } : {}),
    ...(references.length > 0 ? { references } : {}),
    headers: opts.automated ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {},
    text: message.body,
    ...(message.html ? { html: message.html } : {}),
  };
  return mail;
}
