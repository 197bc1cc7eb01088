import {
  type Actor,
  type Attachment,
  type Command,
  type EmailMeta,
  type ExecuteResult,
  type Party,
  type Ticket,
  ValidationError,
} from '@tessera/core';
import type { BounceFiling } from './bounces';
import { messageKey, readInbound, resolveInbound, type ThreadLookup, threadTicket } from './pipeline';
import { sanitizeInboundHtml } from './sanitize';
import { AUTO_REPLY_ACTOR, bareAddress, type ChannelSettings, isAddress } from './settings';
import { emailState } from './state';
import type { InboundMail, IngestResult } from './types';

const HOUR = 3_600_000;
/**
 * The desk's limits on what a command may carry (`createHelpdesk({ limits })`, from the context):
 * what the channel files is cut to them, so a long mail is filed cut rather than refused.
 */
const limitsOf = (s: ChannelSettings) => {
  const limits = s.context().limits;
  return {
    body: limits.maxBodyLength,
    subject: limits.maxSubjectLength,
    attachments: limits.maxAttachments,
    /** Core's limit on a message's HTML (four times its body limit). */
    html: 4 * limits.maxBodyLength,
  };
};
/** Elements open at once in stored HTML; deeper tags are dropped, their text kept. */
const MAX_HTML_DEPTH = 100;

/** What the channel records about an inbound mail: core's `EmailMeta`, and what was cut from it. */
type InboundMeta = EmailMeta & { truncated?: string[] };

/** Bytes of an ingest input. */
const byteLength = (raw: string | Uint8Array) =>
  typeof raw === 'string' ? new TextEncoder().encode(raw).byteLength : raw.byteLength;

function partyOf(actor: Actor): Party {
  const { kind: _kind, teams: _teams, ...party } = actor;
  return party;
}

/**
 * Inbound filing: `ingest` parses, classifies and trims a raw mail, finds its ticket and opens one,
 * appends to one, opens a follow-up, hands a bounce to `bounces`, or drops it with a reason.
 *
 * @example
 * const { ingest } = inboundFiling(settings, bounceFiling(settings));
 * await ingest(raw); // { action: 'opened', ticketId: '…' }
 */
export function inboundFiling(s: ChannelSettings, bounces: BounceFiling) {
  const { options, address } = s;
  const key = messageKey;
  const inflight = new Map<string, Promise<IngestResult>>();
  let filings = 0;

  async function customerFor(from: { address: string; name?: string }): Promise<Actor> {
    const party: Party = options.resolveCustomer
      ? await options.resolveCustomer(from)
      : { id: from.address, email: from.address, ...(from.name ? { name: from.name.slice(0, 200) } : {}) };
    return { ...party, kind: 'customer' };
  }

  const lookup: ThreadLookup = {
    messages: { get: (id) => s.index().get(key(id)) },
    async ticket(id) {
      const t = await s.context().load(id);
      return t && threadTicket(t, s.context().workflowOf(t).closedReplies ?? 'follow-up');
    },
    async ticketByNumber(n) {
      const t = await s.context().findByNumber(n);
      return t && threadTicket(t, s.context().workflowOf(t).closedReplies ?? 'follow-up');
    },
  };

  async function storeAttachments(
    mail: InboundMail,
    raw: Uint8Array,
    ticketId?: string,
  ): Promise<Attachment[]> {
    const out: Attachment[] = [];
    const owner = { kind: 'channel', id: 'email' };
    const meta = (contentType: string, filename: string) => ({
      contentType,
      filename,
      owner,
      ...(ticketId ? { ticketId } : {}),
    });
    const max = limitsOf(s).attachments;
    const keep = options.keepOriginal === false ? max : max - 1;
    for (const a of mail.attachments.slice(0, keep)) {
      const blob = await s.context().store.blobs.put(a.content, meta(a.contentType, a.filename));
      out.push({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.byteLength,
        blob,
        ...(a.contentId ? { contentId: a.contentId } : {}),
        ...(a.inline ? { inline: true } : {}),
      });
    }
    // The whole message as received (quoted history, every header), for "show original".
    if (options.keepOriginal !== false) {
      const blob = await s.context().store.blobs.put(raw, meta('message/rfc822', 'original.eml'));
      out.push({ filename: 'original.eml', contentType: 'message/rfc822', size: raw.byteLength, blob });
    }
    return out;
  }

  function metaOf(mail: InboundMail): InboundMeta {
    // Only real addresses other than ours (core refuses empty or over-long Cc entries).
    const notUs = (a: string) =>
      isAddress(a) &&
      a.length <= 320 &&
      bareAddress(a) !== address &&
      !bareAddress(a).startsWith(`${address.split('@')[0]}+`);
    return {
      messageId: mail.messageId,
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      ...(mail.references.length > 0 ? { references: mail.references.slice(-50) } : {}),
      from: mail.from.address,
      to: mail.to.slice(0, 50),
      ...(mail.cc.filter(notUs).length > 0 ? { cc: mail.cc.filter(notUs).slice(0, 50) } : {}),
      subject: mail.subject.slice(0, 1000),
      classification: mail.classification.kind,
    };
  }

  /** The message's content, blobs stored; what had to be cut is added to `truncated`. */
  async function contentOf(mail: InboundMail, raw: Uint8Array, email: InboundMeta, ticketId?: string) {
    const limits = limitsOf(s);
    const truncated = [...mail.truncated];
    const attachments = await storeAttachments(mail, raw, ticketId);
    if (mail.attachments.length > attachments.length - (options.keepOriginal === false ? 0 : 1)) {
      truncated.push(`attachments: more than ${limits.attachments}; the rest are only in the original`);
    }
    // Past core's limit the HTML is left out rather than cut mid-tag; original.eml still has it.
    const sanitized = mail.html
      ? sanitizeInboundHtml(mail.html, { maxDepth: MAX_HTML_DEPTH, maxLength: limits.html })
      : undefined;
    if (sanitized) truncated.push(...sanitized.truncated);
    // The visible text, or the whole text when trimming left nothing (a bare forward, an image).
    let body = mail.visible.trim() || mail.text.trim() || '(no text)';
    if (body.length > limits.body) {
      body = body.slice(0, limits.body);
      truncated.push(`body: longer than ${limits.body} characters; cut (the original keeps it all)`);
    }
    if (truncated.length > 0) email.truncated = truncated;
    return {
      body,
      ...(sanitized?.html ? { html: sanitized.html } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
      email: email as EmailMeta,
    };
  }

  async function ingest(raw: string | Uint8Array): Promise<IngestResult> {
    s.context();
    const size = byteLength(raw);
    if (size > s.maxSize) {
      throw new ValidationError([
        { path: 'raw', message: `message is ${size} bytes; the limit is ${s.maxSize}` },
      ]);
    }
    const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    const mail = await readInbound(bytes);
    const id = key(mail.messageId);
    const running = inflight.get(id);
    if (running) {
      const first = await running;
      return { ...first, action: 'duplicate', reason: 'the same Message-ID was being filed concurrently' };
    }
    const work = file(mail, id, bytes);
    inflight.set(id, work);
    try {
      return await work;
    } finally {
      inflight.delete(id);
    }
  }

  /**
   * Runs the command that files the mail, under its idempotency key, and says whether this call
   * appended it: of several processes filing the same mail at once one appends, and the others get
   * its events back (the same key), which carry another correlation id.
   */
  async function fileOnce(
    command: Command,
    actor: Actor,
    idempotencyKey: string,
  ): Promise<{ result: ExecuteResult; mine: boolean }> {
    const correlationId = `${s.claimant}/ingest-${++filings}`;
    const result = await s.context().execute(command, { actor, idempotencyKey, correlationId });
    return { result, mine: result.events.some((e) => e.correlationId === correlationId) };
  }

  async function file(mail: InboundMail, id: string, raw: Uint8Array): Promise<IngestResult> {
    const base = {
      classification: mail.classification.kind,
      messageId: id,
      ...(mail.truncated.length > 0 ? { truncated: mail.truncated } : {}),
    };
    const known = await s.index().get(id);
    if (known !== undefined) {
      const ticket = await s.context().load(known);
      const ours =
        (ticket ? emailState(ticket).deliveries : []).some(
          (d) => d.emailMessageId && key(d.emailMessageId) === id,
        ) ||
        (id.startsWith('<tessera.') && id.endsWith(`@${s.domain}>`));
      return ours
        ? { ...base, action: 'dropped', ticketId: known, reason: 'loop: our own message came back' }
        : { ...base, action: 'duplicate', ticketId: known, reason: 'Message-ID already filed' };
    }
    if (!isAddress(mail.from.address)) {
      return {
        ...base,
        action: 'dropped',
        reason: `no usable sender address: ${JSON.stringify(mail.from.address)}`,
      };
    }
    if (mail.from.address.length > 200) {
      return { ...base, action: 'dropped', reason: 'the sender address is longer than 200 characters' };
    }
    if (bareAddress(mail.from.address) === address) {
      return { ...base, action: 'dropped', reason: `loop: the sender is our own address ${address}` };
    }

    switch (mail.classification.kind) {
      case 'bounce':
        return bounces.fileBounce(mail, id, base);
      case 'bulk':
      case 'loop':
        return {
          ...base,
          action: 'dropped',
          reason: `${mail.classification.kind}: ${mail.classification.reasons.join('; ')}`,
        };
      default:
        break;
    }

    const human = mail.classification.kind === 'human';
    const resolution = await resolveInbound(mail, lookup, {
      address,
      secret: options.secret,
      senderCheck: options.senderCheck ?? 'strict',
    });
    const actor = await customerFor({
      address: bareAddress(mail.from.address),
      ...(mail.from.name ? { name: mail.from.name } : {}),
    });
    const email = metaOf(mail);
    const idempotencyKey = `email:${id}`;
    const duplicate = (ticketId: string) => ({
      ...base,
      action: 'duplicate' as const,
      ticketId,
      reason: 'Message-ID filed at the same time by another process',
    });

    if (resolution.action === 'drop') {
      return {
        ...base,
        action: 'dropped',
        reason: resolution.reason,
        ...(resolution.evidence ? { evidence: resolution.evidence } : {}),
      };
    }

    if (resolution.action === 'open') {
      if (!human) {
        return {
          ...base,
          action: 'dropped',
          reason: `${mail.classification.kind} never opens a ticket: ${mail.classification.reasons.join('; ')}`,
        };
      }
      const subject = mail.subject.trim().slice(0, limitsOf(s).subject) || '(no subject)';
      // Blobs are written only once the mail is known to be kept.
      const content = await contentOf(mail, raw, email);
      const { result, mine } = await fileOnce(
        {
          type: 'openTicket',
          channel: 'email',
          requester: partyOf(actor),
          subject,
          ...content,
          ...(email.cc ? { cc: email.cc } : {}),
        },
        actor,
        idempotencyKey,
      );
      const { ticket } = result;
      await s.index().put(id, ticket.id);
      const acked = mail.suppressAutoReply ? false : await acknowledge(ticket);
      // Another process appended it; the acknowledgement above (one per ticket, by its key) covers
      // the case where that process died before sending one.
      if (!mine) return duplicate(ticket.id);
      return {
        ...base,
        ...(email.truncated ? { truncated: email.truncated } : {}),
        action: 'opened',
        ticketId: ticket.id,
        autoReplied: acked,
        // Evidence that was there but did not count (a stranger quoting [#N], a forged token).
        ...(resolution.ignored?.length ? { reason: resolution.ignored.join('; ') } : {}),
      };
    }

    const target = resolution.action === 'append' ? resolution.ticketId : resolution.of;
    const ticket = await s.context().load(target);
    if (!ticket) return { ...base, action: 'dropped', reason: `ticket ${target} does not exist` };
    if (!human && (ticket.category === 'closed' || resolution.action === 'follow-up')) {
      return {
        ...base,
        action: 'dropped',
        ticketId: ticket.id,
        reason: `${mail.classification.kind} to a closed ticket is not kept`,
      };
    }
    const post: Command = {
      type: 'postMessage',
      ticketId: ticket.id,
      visibility: 'public',
      channel: 'email',
      ...(await contentOf(mail, raw, email, ticket.id)),
      ...(human ? {} : { automatic: true }),
    };
    const { result, mine } = await fileOnce(post, await posterFor(actor, ticket), idempotencyKey);
    const filed = result.followUp ?? result.ticket;
    await s.index().put(id, filed.id);
    if (!mine) return duplicate(filed.id);
    const cut = email.truncated ? { truncated: email.truncated } : {};
    if (result.followUp) {
      return {
        ...base,
        ...cut,
        action: 'follow-up',
        ticketId: result.followUp.id,
        evidence: resolution.evidence,
        reason: `ticket #${ticket.number} is closed`,
      };
    }
    return { ...base, ...cut, action: 'appended', ticketId: result.ticket.id, evidence: resolution.evidence };
  }

  /**
   * Who posts a reply. The requester posts as themselves; a follower or Cc (whom the evidence
   * already admitted) posts on the requester's ticket as the requester, with their own address
   * kept in `author.email` and `email.from` — the default policy lets only requesters post.
   */
  async function posterFor(actor: Actor, ticket: Ticket): Promise<Actor> {
    if (actor.id === ticket.requester.id) return actor;
    return {
      ...ticket.requester,
      ...(actor.email ? { email: actor.email } : {}),
      ...(actor.name ? { name: actor.name } : {}),
      kind: 'customer',
    };
  }

  /** Acknowledges a new ticket, unless off or the sender had enough acknowledgements this hour. */
  async function acknowledge(ticket: Ticket): Promise<boolean> {
    const autoReply = s.autoReply;
    if (!autoReply) return false;
    const now = s.context().now();
    const since = new Date(now.getTime() - HOUR).toISOString();
    let recent = 0;
    // Counted from the log (tickets this sender opened in the last hour that got one), so the
    // limit holds across restarts and processes.
    const page = await s.context().query({
      filter: { requesterId: ticket.requester.id, createdAfter: since },
      limit: 100,
    });
    for (const summary of page.items) {
      if (summary.id === ticket.id) continue;
      const other = await s.context().load(summary.id);
      if (other?.messages.some((m) => m.author.id === AUTO_REPLY_ACTOR.id && m.at >= since)) recent++;
    }
    if (recent >= s.ackLimit) return false;
    const text =
      autoReply.text?.(ticket) ??
      `Thank you for your message. We have opened request #${ticket.number} ("${ticket.subject}") and will get back to you soon.\n\nPlease keep #${ticket.number} in the subject of further mail about this request.`;
    const html = autoReply.html?.(ticket);
    await s.context().execute(
      {
        type: 'postMessage',
        ticketId: ticket.id,
        body: text,
        ...(html ? { html } : {}),
        visibility: 'public',
        channel: 'email',
        automatic: true,
      },
      { actor: AUTO_REPLY_ACTOR, idempotencyKey: `ack:${ticket.id}` },
    );
    return true;
  }

  return { ingest };
}
