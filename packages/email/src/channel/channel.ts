import {
  type Actor,
  type Attachment,
  type Command,
  ConfigError,
  type EmailMeta,
  type ExecuteResult,
  type Extension,
  type ExtensionContext,
  type IssuedCommand,
  isTesseraError,
  type Message,
  type MessageIndex,
  type OutboundEmail,
  type Party,
  type StoredEvent,
  type Ticket,
  ValidationError,
} from '@tessera/core';
import { ourMessageId } from '../compose';
import { replyToken, splitAddress, verifyReplyToken } from '../reply-token';
import {
  composeOutbound,
  messageKey,
  readInbound,
  resolveInbound,
  type ThreadLookup,
  threadTicket,
} from './pipeline';
import { sanitizeEmailHtml } from './sanitize';
import type { EmailChannelOptions, InboundMail, IngestResult } from './types';

/** The email channel: an `Extension` for the desk, plus `ingest` for inbound mail. */
export interface EmailChannel extends Extension {
  /**
   * Takes one raw RFC 5322 message (from an SMTP receiver, a pipe, IMAP…) and files it: opens a
   * ticket, appends to one, opens a follow-up, records a bounce, or drops it with a reason.
   * Throws `ValidationError` for malformed or oversized mail; anything else is worth a retry.
   */
  ingest(raw: string | Uint8Array): Promise<IngestResult>;
  /** Sends what is due now (also what a crash left unsent); `desk.tick` calls this. */
  flush(now?: Date): Promise<{ sent: number; failed: number }>;
}

const SYSTEM: Actor = { kind: 'system', id: 'email-channel' };
const AUTO_REPLY_ACTOR: Actor = { kind: 'automation', id: 'email-auto-reply' };
const HOUR = 3_600_000;
const MAX_BODY = 100_000;
const MAX_SUBJECT = 500;
const MAX_ATTACHMENTS = 50;
const MAX_HTML = 400_000;

/** `Support <support@example.com>` → `support@example.com`. */
function bareAddress(address: string): string {
  const m = /<([^>]+)>/.exec(address);
  return (m ? m[1]! : address).trim().toLowerCase();
}

/** Bytes of an ingest input. */
const byteLength = (raw: string | Uint8Array) =>
  typeof raw === 'string' ? new TextEncoder().encode(raw).byteLength : raw.byteLength;

/**
 * The email channel extension. Put it in a desk's `extensions`; then `ingest(raw)` files inbound
 * mail as tickets and messages, and public replies are mailed through `transport` with their
 * outcome recorded as `EmailSent` / `EmailDeliveryFailed`.
 *
 * @example
 * const channel = emailChannel({ address: 'support@example.com', secret: 's3cret', transport });
 * const desk = createHelpdesk({ extensions: [channel] });
 * const result = await channel.ingest(rawMail); // { action: 'opened', ticketId: '…' }
 * await desk.tick(); // retries and sends anything a crash left unsent
 */
export function emailChannel(options: EmailChannelOptions): EmailChannel {
  const address = bareAddress(options.address);
  const domain = address.split('@')[1];
  if (!domain || !options.secret) {
    throw new ConfigError([
      ...(domain ? [] : [{ path: 'address', message: `is not an email address: ${options.address}` }]),
      ...(options.secret ? [] : [{ path: 'secret', message: 'must not be empty' }]),
    ]);
  }
  // Fails now, with the reason, rather than at the first send (e.g. a secret that is too short).
  replyToken('probe', options.secret);
  const fromHeader = options.name ? `${JSON.stringify(options.name)} <${address}>` : address;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelay = options.retryDelayMs ?? 60_000;
  const maxSize = options.maxSize ?? 25 * 1024 * 1024;
  const ackLimit = options.maxAutoRepliesPerSenderPerHour ?? 3;
  const sendTimeout = options.sendTimeoutMs ?? 120_000;
  const claimLease = options.claimLeaseMs ?? sendTimeout * 2;
  const claimant = options.claimant ?? `email-${crypto.randomUUID()}`;
  const sendOnCommit = options.sendOnCommit ?? true;
  const autoReply =
    options.autoReply === false ? undefined : options.autoReply === true ? {} : (options.autoReply ?? {});

  let ctx: ExtensionContext | undefined;
  const inflightIngest = new Map<string, Promise<IngestResult>>();
  const sending = new Set<string>();
  // Outbound work found in the log: ticket ids with mail not yet sent, and how far the log was read.
  /** Tickets with mail the log shows as not yet sent (nor given up on), and which messages. */
  const pendingTickets = new Map<string, Set<string>>();
  let cursor: string | undefined;

  const context = () => {
    if (!ctx) {
      throw new ConfigError([
        {
          path: 'extensions',
          message: 'emailChannel is not in a desk yet; pass it to createHelpdesk({ extensions })',
        },
      ]);
    }
    return ctx;
  };
  const index = (): MessageIndex => options.messages ?? context().store.messages;
  const key = messageKey;

  // ---------------------------------------------------------------- inbound

  async function customerFor(from: { address: string; name?: string }): Promise<Actor> {
    const party: Party = options.resolveCustomer
      ? await options.resolveCustomer(from)
      : { id: from.address, email: from.address, ...(from.name ? { name: from.name.slice(0, 200) } : {}) };
    return { ...party, kind: 'customer' };
  }

  const lookup: ThreadLookup = {
    messages: { get: (id) => index().get(key(id)) },
    async ticket(id) {
      const t = await context().load(id);
      return t && threadTicket(t, context().workflowOf(t).closedReplies ?? 'follow-up');
    },
    async ticketByNumber(n) {
      const t = await context().findByNumber(n);
      return t && threadTicket(t, context().workflowOf(t).closedReplies ?? 'follow-up');
    },
  };

  async function storeAttachments(mail: InboundMail, raw: Uint8Array): Promise<Attachment[]> {
    const out: Attachment[] = [];
    const keep = options.keepOriginal === false ? MAX_ATTACHMENTS : MAX_ATTACHMENTS - 1;
    for (const a of mail.attachments.slice(0, keep)) {
      const blob = await context().store.blobs.put(a.content, {
        contentType: a.contentType,
        filename: a.filename,
      });
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
      const blob = await context().store.blobs.put(raw, {
        contentType: 'message/rfc822',
        filename: 'original.eml',
      });
      out.push({ filename: 'original.eml', contentType: 'message/rfc822', size: raw.byteLength, blob });
    }
    return out;
  }

  function metaOf(mail: InboundMail): EmailMeta {
    // Only real addresses other than ours (core refuses empty or over-long Cc entries).
    const notUs = (a: string) =>
      /^[^\s@]+@[^\s@]+$/.test(a) &&
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

  /** The visible text, or the whole text when trimming left nothing (a bare forward, an image). */
  function bodyOf(mail: InboundMail): string {
    const visible = mail.visible.trim() || mail.text.trim() || '(no text)';
    return visible.length > MAX_BODY ? visible.slice(0, MAX_BODY) : visible;
  }

  async function ingest(raw: string | Uint8Array): Promise<IngestResult> {
    context();
    const size = byteLength(raw);
    if (size > maxSize) {
      throw new ValidationError([
        { path: 'raw', message: `message is ${size} bytes; the limit is ${maxSize}` },
      ]);
    }
    const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    const mail = await readInbound(bytes);
    const id = key(mail.messageId);
    const running = inflightIngest.get(id);
    if (running) {
      const first = await running;
      return { ...first, action: 'duplicate', reason: 'the same Message-ID was being filed concurrently' };
    }
    const work = file(mail, id, bytes);
    inflightIngest.set(id, work);
    try {
      return await work;
    } finally {
      inflightIngest.delete(id);
    }
  }

  async function file(mail: InboundMail, id: string, raw: Uint8Array): Promise<IngestResult> {
    const base = { classification: mail.classification.kind, messageId: id };
    const known = await index().get(id);
    if (known !== undefined) {
      const ticket = await context().load(known);
      const ours =
        ticket?.deliveries.some((d) => d.emailMessageId && key(d.emailMessageId) === id) ||
        (id.startsWith('<tessera.') && id.endsWith(`@${domain}>`));
      return ours
        ? { ...base, action: 'dropped', ticketId: known, reason: 'loop: our own message came back' }
        : { ...base, action: 'duplicate', ticketId: known, reason: 'Message-ID already filed' };
    }
    if (!/^[^\s@]+@[^\s@]+$/.test(mail.from.address)) {
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
        return fileBounce(mail, id, base);
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
    // Blobs are written only once the mail is known to be kept.
    const contentOf = async () => {
      const attachments = await storeAttachments(mail, raw);
      const sanitized = mail.html ? sanitizeEmailHtml(mail.html) : undefined;
      // Past core's limit the HTML is left out rather than cut mid-tag; original.eml still has it.
      const html = sanitized && sanitized.length <= MAX_HTML ? sanitized : undefined;
      return {
        body: bodyOf(mail),
        ...(html ? { html } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
        email,
      };
    };
    const idempotencyKey = `email:${id}`;

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
      const subject = mail.subject.trim().slice(0, MAX_SUBJECT) || '(no subject)';
      const { ticket } = await context().execute(
        {
          type: 'openTicket',
          channel: 'email',
          requester: partyOf(actor),
          subject,
          ...(await contentOf()),
          ...(email.cc ? { cc: email.cc } : {}),
        },
        { actor, idempotencyKey },
      );
      await index().put(id, ticket.id);
      const acked = mail.suppressAutoReply ? false : await acknowledge(ticket);
      return {
        ...base,
        action: 'opened',
        ticketId: ticket.id,
        autoReplied: acked,
        // Evidence that was there but did not count (a stranger quoting [#N], a forged token).
        ...(resolution.ignored?.length ? { reason: resolution.ignored.join('; ') } : {}),
      };
    }

    const target = resolution.action === 'append' ? resolution.ticketId : resolution.of;
    const ticket = await context().load(target);
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
      ...(await contentOf()),
      ...(human ? {} : { automatic: true }),
    };
    const result = await context().execute(post, { actor: await posterFor(actor, ticket), idempotencyKey });
    if (result.followUp) {
      await index().put(id, result.followUp.id);
      return {
        ...base,
        action: 'follow-up',
        ticketId: result.followUp.id,
        evidence: resolution.evidence,
        reason: `ticket #${ticket.number} is closed`,
      };
    }
    await index().put(id, result.ticket.id);
    return { ...base, action: 'appended', ticketId: result.ticket.id, evidence: resolution.evidence };
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

  async function fileBounce(
    mail: InboundMail,
    id: string,
    base: Partial<IngestResult>,
  ): Promise<IngestResult> {
    const candidates = [
      ...mail.originalMessageIds,
      ...(mail.inReplyTo ? [mail.inReplyTo] : []),
      ...[...mail.references].reverse(),
    ];
    for (const candidate of candidates) {
      const original = key(candidate);
      const ticketId = await index().get(original);
      if (!ticketId) continue;
      const ticket = await context().load(ticketId);
      if (!ticket) continue;
      const message = ticket.messages.find(
        (m) =>
          ourMessageId(ticket.id, m.id, domain!) === original ||
          ticket.deliveries.some(
            (d) => d.messageId === m.id && d.emailMessageId && key(d.emailMessageId) === original,
          ),
      );
      if (!message) continue;
      return recordBounce(mail, id, base, ticket, message, `<${original}>`);
    }
    // VERP: our mail goes out with the ticket's signed address as its envelope sender, so a bounce
    // that quotes nothing of the original still names the ticket; the message is the latest one
    // sent to the recipient that bounced.
    const own = splitAddress(address);
    for (const to of mail.recipients) {
      const parts = splitAddress(to);
      if (!parts?.tag || !own || parts.local.toLowerCase() !== own.local.toLowerCase()) continue;
      if (parts.domain.toLowerCase() !== own.domain.toLowerCase()) continue;
      const ticketId = verifyReplyToken(parts.tag, options.secret);
      const ticket = ticketId ? await context().load(ticketId) : undefined;
      if (!ticket) continue;
      const recipient = mail.bounce?.recipient.toLowerCase();
      const delivery = ticket.deliveries.findLast(
        (d) => d.status === 'sent' && (!recipient || d.recipients.some((r) => r.toLowerCase() === recipient)),
      );
      const message = delivery && ticket.messages.find((m) => m.id === delivery.messageId);
      if (!message || !delivery) continue;
      return recordBounce(mail, id, base, ticket, message, delivery.emailMessageId);
    }
    return { ...base, action: 'dropped', reason: 'bounce for a message we did not send (or no longer know)' };
  }

  /** Records a bounce as a failed delivery of the message it answers. */
  async function recordBounce(
    mail: InboundMail,
    id: string,
    base: Partial<IngestResult>,
    ticket: Ticket,
    message: Message,
    emailMessageId: string | undefined,
  ): Promise<IngestResult> {
    const bounce = mail.bounce ?? { recipient: '', status: '5.0.0', permanent: true };
    const attempts = ticket.deliveries
      .filter((d) => d.messageId === message.id)
      .reduce((n, d) => Math.max(n, d.attempts), 0);
    try {
      await context().execute(
        {
          type: 'recordDelivery',
          ticketId: ticket.id,
          messageId: message.id,
          outcome: 'failed',
          ...(emailMessageId ? { emailMessageId } : {}),
          recipients: bounce.recipient ? [bounce.recipient] : [],
          error: `bounced: ${bounce.status}${mail.classification.reasons.length ? ` (${mail.classification.reasons.join('; ').slice(0, 500)})` : ''}`,
          permanent: bounce.permanent,
          attempts: Math.max(attempts, 1),
          bounce: { recipient: bounce.recipient, status: bounce.status },
        },
        { actor: SYSTEM, idempotencyKey: `bounce:${id}` },
      );
    } catch (error) {
      if (!isTesseraError(error, 'closed')) throw error;
      return {
        ...base,
        action: 'dropped',
        ticketId: ticket.id,
        reason: `bounce for a message of merged ticket #${ticket.number}`,
      };
    }
    await index().put(id, ticket.id);
    return {
      ...base,
      action: 'dropped',
      ticketId: ticket.id,
      reason: `bounce recorded against the delivery of message ${message.id}`,
      bounce: { ticketMessageId: message.id, ...bounce },
    };
  }

  /** Acknowledges a new ticket, unless off or the sender had enough acknowledgements this hour. */
  async function acknowledge(ticket: Ticket): Promise<boolean> {
    if (!autoReply) return false;
    const now = context().now();
    const since = new Date(now.getTime() - HOUR).toISOString();
    let recent = 0;
    // Counted from the log (tickets this sender opened in the last hour that got one), so the
    // limit holds across restarts and processes.
    const page = await context().query({
      filter: { requesterId: ticket.requester.id, createdAfter: since },
      limit: 100,
    });
    for (const summary of page.items) {
      if (summary.id === ticket.id) continue;
      const other = await context().load(summary.id);
      if (other?.messages.some((m) => m.author.id === AUTO_REPLY_ACTOR.id && m.at >= since)) recent++;
    }
    if (recent >= ackLimit) return false;
    const text =
      autoReply.text?.(ticket) ??
      `Thank you for your message. We have opened request #${ticket.number} ("${ticket.subject}") and will get back to you soon.\n\nPlease keep #${ticket.number} in the subject of further mail about this request.`;
    const html = autoReply.html?.(ticket);
    await context().execute(
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

  // ---------------------------------------------------------------- outbound

  const isAddress = (a: string) => /^[^\s@]+@[^\s@]+$/.test(a);
  /** The addresses an internal note that is also a notification goes to (others are not mail). */
  const notifiedAddresses = (m: Pick<Message, 'notify'>) =>
    (m.notify?.to ?? [])
      .filter(isAddress)
      .map(bareAddress)
      .filter((a, i, all) => a !== address && all.indexOf(a) === i);
  /**
   * Messages the channel mails: public ones not written by the customer side, and internal notes
   * that are notifications to email addresses.
   */
  const isOutbound = (m: Message) =>
    m.visibility === 'public' ? m.author.kind !== 'customer' : notifiedAddresses(m).length > 0;

  /** Who one message goes to: a notification to its addresses, anything else to the conversation. */
  function recipientsFor(ticket: Ticket, message: Message): { to: string[]; cc: string[] } {
    if (message.visibility === 'internal') return { to: notifiedAddresses(message), cc: [] };
    const { to, cc } = recipientsOf(ticket);
    // Acknowledgements answer the sender only; replies to the conversation copy everyone.
    return { to, cc: message.author.id === AUTO_REPLY_ACTOR.id ? [] : cc };
  }

  interface Due {
    message: Message;
    attempts: number;
    at: number;
  }

  /** What of a ticket's mail is still to send, and when; read from the ticket, i.e. from the log. */
  function dueMail(ticket: Ticket): Due[] {
    if (ticket.category === 'merged') return [];
    const out: Due[] = [];
    for (const message of ticket.messages) {
      if (!isOutbound(message) || recipientsFor(ticket, message).to.length === 0) continue;
      const deliveries = ticket.deliveries.filter((d) => d.messageId === message.id);
      if (deliveries.some((d) => d.status === 'sent')) continue;
      if (deliveries.some((d) => d.permanent) || deliveries.length >= maxAttempts) continue;
      const last = deliveries.at(-1);
      let at = last
        ? Date.parse(last.at) + retryDelay * 2 ** (deliveries.length - 1)
        : Date.parse(message.at);
      // A claim on this attempt (another instance is sending it) holds it back until it lapses.
      for (const claim of ticket.sendClaims ?? []) {
        if (claim.messageId === message.id && claim.attempt === deliveries.length + 1)
          at = Math.max(at, Date.parse(claim.leaseUntil));
      }
      out.push({ message, attempts: deliveries.length, at });
    }
    return out;
  }

  function recipientsOf(ticket: Ticket): { to: string[]; cc: string[] } {
    const emailOf = (p: Party) => p.email ?? (/^[^\s@]+@[^\s@]+$/.test(p.id) ? p.id : undefined);
    const requester = emailOf(ticket.requester);
    const to = requester ? [requester] : [];
    const cc = [...ticket.cc, ...ticket.followers.map(emailOf).filter((a): a is string => a !== undefined)]
      .map(bareAddress)
      .filter((a, i, all) => a !== address && a !== requester?.toLowerCase() && all.indexOf(a) === i);
    return { to, cc };
  }

  /**
   * Claims the send in the log, sends one message and returns the `recordDelivery` that records
   * how it went; `undefined` when another instance holds the claim or the mail is done.
   */
  async function deliver(
    ticket: Ticket,
    due: Due,
    execute: (issued: IssuedCommand) => Promise<ExecuteResult>,
  ): Promise<IssuedCommand | undefined> {
    const sendKey = `${ticket.id}/${due.message.id}`;
    if (sending.has(sendKey)) return undefined;
    sending.add(sendKey);
    try {
      const claim = await execute({
        command: {
          type: 'claimDelivery',
          ticketId: ticket.id,
          messageId: due.message.id,
          attempt: due.attempts + 1,
          claimant,
          leaseMs: claimLease,
        },
        actor: SYSTEM,
      });
      const mine = claim.events.some(
        (e) =>
          e.type === 'EmailSendClaimed' &&
          e.data.claimant === claimant &&
          e.data.attempt === due.attempts + 1,
      );
      if (!mine) return undefined;
      const { to, cc } = recipientsFor(ticket, due.message);
      const notification = due.message.visibility === 'internal';
      const automated =
        notification || due.message.author.kind === 'automation' || due.message.author.kind === 'system';
      const files: NonNullable<OutboundEmail['attachments']> = [];
      for (const a of due.message.attachments) {
        const content = a.blob ? await context().store.blobs.get(a.blob) : undefined;
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
        from: fromHeader,
        secret: options.secret,
        automated,
        to,
        cc,
        attachments: files,
      });
      await index().put(key(mail.messageId), ticket.id);
      const attempts = due.attempts + 1;
      const recipients = [...mail.to, ...(mail.cc ?? [])];
      let command: Command;
      try {
        const { accepted, rejected } = await withTimeout(options.transport.send(mail), sendTimeout);
        command = {
          type: 'recordDelivery',
          ticketId: ticket.id,
          messageId: due.message.id,
          outcome: 'sent',
          emailMessageId: mail.messageId,
          recipients,
          accepted,
          rejected,
          attempts,
        };
      } catch (error) {
        const details = isTesseraError(error)
          ? (error.details as { permanent?: unknown } | undefined)
          : undefined;
        const permanent = details?.permanent === true || attempts >= maxAttempts;
        command = {
          type: 'recordDelivery',
          ticketId: ticket.id,
          messageId: due.message.id,
          outcome: 'failed',
          emailMessageId: mail.messageId,
          recipients,
          error: (error instanceof Error ? error.message : String(error)).slice(0, 10_000),
          permanent,
          attempts,
        };
      }
      return { command, actor: SYSTEM };
    } finally {
      sending.delete(sendKey);
    }
  }

  /**
   * Reads the log from where it was last read and keeps the tickets with mail not yet sent (nor given
   * up on): the first tick of a process reads the log once, but loads only those tickets.
   */
  async function scan(c: ExtensionContext) {
    const prefix = c.tenantId ? `${c.tenantId}/ticket-` : 'ticket-';
    for (let round = 0; round < 100_000; round++) {
      const page: StoredEvent[] = await c.store.events.readAll({
        ...(cursor ? { after: cursor } : {}),
        limit: 1000,
      });
      if (page.length === 0) break;
      cursor = page[page.length - 1]!.position;
      for (const e of page) {
        if (!e.streamId.startsWith(prefix)) continue;
        const ticketId = e.streamId.slice(prefix.length);
        switch (e.type) {
          case 'MessagePosted':
            if (e.data.visibility === 'public' ? e.data.author.kind !== 'customer' : e.data.notify) {
              const messages = pendingTickets.get(ticketId) ?? new Set<string>();
              messages.add(e.data.messageId);
              pendingTickets.set(ticketId, messages);
            }
            break;
          case 'EmailSent':
          case 'EmailDeliveryFailed': {
            // Sent, or given up on: nothing more to send for that message.
            if (e.type === 'EmailDeliveryFailed' && !e.data.permanent) break;
            const messages = pendingTickets.get(ticketId);
            messages?.delete(e.data.messageId);
            if (messages?.size === 0) pendingTickets.delete(ticketId);
            break;
          }
          case 'TicketMerged':
            pendingTickets.delete(ticketId);
            break;
        }
      }
    }
  }

  async function flush(at?: Date): Promise<{ sent: number; failed: number }> {
    const c = context();
    const now = (at ?? c.now()).getTime();
    await scan(c);
    let sent = 0;
    let failed = 0;
    for (const ticketId of [...pendingTickets.keys()]) {
      const ticket = await c.load(ticketId);
      const due = ticket ? dueMail(ticket) : [];
      if (due.length === 0) {
        pendingTickets.delete(ticketId);
        continue;
      }
      for (const item of due) {
        if (item.at > now) continue;
        const current = (await c.load(ticketId))!;
        // Re-check on the current ticket: a reaction or another process may have sent it meanwhile.
        const still = dueMail(current).find((d) => d.message.id === item.message.id);
        if (!still) continue;
        const issued = await deliver(current, still, (i) =>
          c.execute(i.command, { actor: i.actor ?? SYSTEM }),
        );
        if (!issued) continue;
        const r = issued.command as Extract<Command, { type: 'recordDelivery' }>;
        if (r.outcome === 'sent') sent++;
        else failed++;
        await c.execute(issued.command, { actor: SYSTEM });
      }
    }
    return { sent, failed };
  }

  return {
    name: 'email',
    init(c) {
      ctx = c;
    },
    async react(committed) {
      if (!sendOnCommit) return [];
      const posted = committed.events.filter((e) => e.type === 'MessagePosted');
      if (posted.length === 0) return [];
      const ids = new Set(posted.map((e) => (e.data as { messageId: string }).messageId));
      const issued: IssuedCommand[] = [];
      for (const due of dueMail(committed.ticket)) {
        if (!ids.has(due.message.id)) continue;
        const item = await deliver(committed.ticket, due, (i) => committed.execute(i));
        if (item) issued.push(item);
      }
      return issued;
    },
    async onTick(now) {
      await flush(now);
    },
    ingest,
    flush,
  };
}

/** A send that has not finished after `ms` counts as failed (transient), so nothing waits forever. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the transport did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function partyOf(actor: Actor): Party {
  const { kind: _kind, teams: _teams, ...party } = actor;
  return party;
}
