import type { StatusCategory } from '@tessera/core';
import { bracket, messageIdList, normalizeMessageId } from './message-id';
import type { ParsedEmail } from './parse';
import { splitAddress, type TokenSecret, verifyReplyToken } from './reply-token';

/** What threading needs to know of a ticket. */
export interface ThreadTicket {
  id: string;
  number: number;
  category: StatusCategory;
  requester: { email?: string | undefined };
  followers?: readonly { email?: string | undefined }[];
  /** Addresses copied on the ticket's mail. */
  cc?: readonly string[];
  mergedInto?: string | undefined;
  /** The ticket's workflow setting; overrides `ResolveOptions.closedReplies`. */
  closedReplies?: 'follow-up' | 'reject' | undefined;
}

/**
 * How resolveThread looks things up: a MessageIndex (Message-ID → ticket id, as stored by the
 * email channel, keys with angle brackets) and tickets by id and by human number.
 */
export interface ThreadLookup {
  messages: { get(messageId: string): Promise<string | undefined> };
  ticket(id: string): Promise<ThreadTicket | undefined>;
  ticketByNumber(number: number): Promise<ThreadTicket | undefined>;
}

/** Options of resolveThread. */
export interface ResolveOptions {
  /** The secret reply tokens were signed with. */
  secret: TokenSecret;
  /** The support address; when set, only tokens on this mailbox (`local+token@domain`) count. */
  address?: string;
  /** `strict` (default): a `[#N]` reference counts only from the requester, a follower or a Cc. */
  senderCheck?: 'strict' | 'off';
  /** For tickets whose workflow says nothing: a reply to a closed ticket opens a follow-up (default) or is refused. */
  closedReplies?: 'follow-up' | 'reject';
}

/** Which evidence placed the mail, strongest first. */
export type ThreadEvidence = 'reply-token' | 'message-id' | 'subject-reference' | 'body-reference';

/** Where an inbound mail belongs. */
export type Resolution =
  | { action: 'append'; ticketId: string; evidence: ThreadEvidence; mergedFrom?: string[] }
  | { action: 'open'; ignored?: string[] }
  | { action: 'follow-up'; of: string; evidence: ThreadEvidence }
  | { action: 'drop'; reason: string; evidence?: ThreadEvidence };

/** What resolveThread reads of a mail (a ParsedEmail fits). */
export type ResolvableEmail = Pick<ParsedEmail, 'subject'> &
  Partial<
    Pick<ParsedEmail, 'from' | 'to' | 'cc' | 'headers' | 'inReplyTo' | 'references' | 'text' | 'deliveredTo'>
  >;

const MAX_REFERENCES = 50;
/**
 * Reply tokens tried per mail, and evidence noted as ignored: a mail Cc'd to thousands of
 * `support+<garbage>@` addresses costs a bounded number of HMACs and a bounded reason.
 */
const MAX_TOKENS = 20;
const MAX_IGNORED = 20;
const MAX_MERGE_HOPS = 16;

function recipients(mail: ResolvableEmail): string[] {
  const out = [...(mail.to ?? []), ...(mail.cc ?? [])].map((a) => a.address);
  if (mail.deliveredTo) out.push(mail.deliveredTo);
  for (const h of ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to']) {
    for (const v of mail.headers?.[h] ?? []) out.push(v.trim());
  }
  return out;
}

/** `[#123]`-style references (also `[#123]` inside `Re: [#123] …`), first one wins. */
function ticketNumber(text: string | undefined, limit: number): number | undefined {
  if (!text) return undefined;
  const m = /\[#(\d{1,12})\]/.exec(text.length > limit ? text.slice(0, limit) : text);
  return m ? Number(m[1]) : undefined;
}

function sameMailbox(a: string | undefined, b: string): boolean {
  return !!a && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function isParticipant(ticket: ThreadTicket, sender: string | undefined): boolean {
  if (!sender) return false;
  if (sameMailbox(ticket.requester.email, sender)) return true;
  if (ticket.followers?.some((f) => sameMailbox(f.email, sender))) return true;
  return ticket.cc?.some((c) => sameMailbox(splitAddress(c) ? bare(c) : c, sender)) ?? false;
}

function bare(address: string): string {
  const p = splitAddress(address);
  return p ? `${p.local}${p.tag ? `+${p.tag}` : ''}@${p.domain}` : address;
}

async function settle(
  lookup: ThreadLookup,
  ticket: ThreadTicket,
  evidence: ThreadEvidence,
  opts: ResolveOptions,
): Promise<Resolution> {
  const mergedFrom: string[] = [];
  let current = ticket;
  while (current.mergedInto || current.category === 'merged') {
    if (!current.mergedInto || mergedFrom.length >= MAX_MERGE_HOPS || mergedFrom.includes(current.id)) {
      return {
        action: 'drop',
        reason: `ticket ${ticket.id} was merged, but its target cannot be followed`,
        evidence,
      };
    }
    mergedFrom.push(current.id);
    const next = await lookup.ticket(current.mergedInto);
    if (!next) {
      return {
        action: 'drop',
        reason: `ticket ${current.id} was merged into ${current.mergedInto}, which does not exist`,
        evidence,
      };
    }
    current = next;
  }
  if (current.category === 'closed') {
    const policy = current.closedReplies ?? opts.closedReplies ?? 'follow-up';
    if (policy === 'reject')
      return { action: 'drop', reason: `ticket ${current.id} is closed and refuses replies`, evidence };
    return { action: 'follow-up', of: current.id, evidence };
  }
  const out: Resolution = { action: 'append', ticketId: current.id, evidence };
  if (mergedFrom.length) out.mergedFrom = mergedFrom;
  return out;
}

/**
 * Finds the ticket an inbound mail belongs to, by evidence, strongest first: the signed reply
 * token in a recipient address (`support+<token>@…`); one of our Message-IDs in In-Reply-To or
 * References (through the MessageIndex); the `[#N]` reference in the subject, then the body —
 * these last only when the sender is the requester, a follower or a Cc of that ticket (unless
 * `senderCheck: 'off'`), so a stranger quoting a number cannot join someone else's ticket.
 * A reply to a merged ticket goes to its target; to a closed one, a follow-up or a refusal.
 *
 * @example
 * const tickets: ThreadTicket[] = [
 *   { id: 'T-1', number: 1, category: 'open', requester: { email: 'ann@example.com' } },
 * ];
 * const lookup: ThreadLookup = {
 *   messages: store.messages, // Message-ID → ticket id, as the email channel records them
 *   ticket: async (id) => tickets.find((t) => t.id === id),
 *   ticketByNumber: async (n) => tickets.find((t) => t.number === n),
 * };
 * const r = await resolveThread(await parseEmail(raw), lookup, { secret, address: 'help@example.com' });
 * if (r.action === 'append') console.log(r.ticketId, 'by', r.evidence);
 */
export async function resolveThread(
  mail: ResolvableEmail,
  lookup: ThreadLookup,
  opts: ResolveOptions,
): Promise<Resolution> {
  const ignored: string[] = [];
  const own = opts.address ? splitAddress(opts.address) : undefined;

  // 1. signed reply token
  let tokens = 0;
  for (const address of recipients(mail)) {
    if (!address.includes('+')) continue; // no tag, no token: spare it the split
    const parts = splitAddress(address);
    if (!parts?.tag) continue;
    if (++tokens > MAX_TOKENS) break;
    if (
      own &&
      (parts.local.toLowerCase() !== own.local.toLowerCase() ||
        parts.domain.toLowerCase() !== own.domain.toLowerCase())
    ) {
      continue;
    }
    const ticketId = verifyReplyToken(parts.tag, opts.secret);
    if (!ticketId) {
      ignored.push(`reply token in ${address} does not verify`);
      continue;
    }
    const ticket = await lookup.ticket(ticketId);
    if (ticket) return settle(lookup, ticket, 'reply-token', opts);
    ignored.push(`reply token names ticket ${ticketId}, which does not exist`);
  }

  // 2. our Message-IDs, the most recent first
  const ids = [
    ...messageIdList(mail.inReplyTo ?? undefined),
    ...messageIdList(mail.references ?? []).reverse(),
  ];
  const tried = new Set<string>();
  for (const id of ids.slice(0, MAX_REFERENCES)) {
    if (tried.has(id)) continue;
    tried.add(id);
    const ticketId = (await lookup.messages.get(bracket(id))) ?? (await lookup.messages.get(id));
    if (!ticketId) continue;
    const ticket = await lookup.ticket(ticketId);
    if (ticket) return settle(lookup, ticket, 'message-id', opts);
  }

  // 3. [#N] in the subject, then in the body — only from someone on the ticket
  const sender = mail.from?.address;
  for (const [evidence, number] of [
    ['subject-reference', ticketNumber(mail.subject, 2000)],
    ['body-reference', ticketNumber(mail.text, 64 * 1024)],
  ] as const) {
    if (number === undefined) continue;
    const ticket = await lookup.ticketByNumber(number);
    if (!ticket) {
      ignored.push(`${evidence} #${number} names no ticket`);
      continue;
    }
    if (opts.senderCheck !== 'off' && !isParticipant(ticket, sender)) {
      ignored.push(
        `${evidence} #${number}: ${sender ?? 'the sender'} is not the requester, a follower or a Cc`,
      );
      continue;
    }
    return settle(lookup, ticket, evidence, opts);
  }

  if (ignored.length > MAX_IGNORED) {
    const more = ignored.length - MAX_IGNORED;
    ignored.splice(MAX_IGNORED, more, `and ${more} more`);
  }
  return ignored.length ? { action: 'open', ignored } : { action: 'open' };
}

/**
 * The MessageIndex key for a Message-ID: normalised, in angle brackets. Store keys in this form
 * (resolveThread looks up this form first, then the bare one).
 *
 * @example
 * messageIdKey('<"a.b"@example.com>');   // '<a.b@example.com>'
 * messageIdKey('not an id');            // undefined
 */
export function messageIdKey(messageId: string): string | undefined {
  const id = normalizeMessageId(messageId);
  return id ? bracket(id) : undefined;
}
