import {
  type Committed,
  type ExtensionContext,
  isExtensionEvent,
  type Message,
  type Party,
  type Ticket,
} from '@tessera/core';
import { claimsAndSends, type Due } from './claims';
import { AUTO_REPLY_ACTOR, bareAddress, type ChannelSettings, isAddress, SYSTEM } from './settings';
import { type EmailDeliveryFailedData, emailState, isOutbound, notifiedAddresses } from './state';

/** The events the outbox's log scan keeps: what makes mail due, and what settles it. */
const SCANNED = ['MessagePosted', 'EmailSent', 'EmailDeliveryFailed', 'EmailOutcomeUnknown', 'TicketMerged'];

/**
 * The outbox: which messages the channel mails, to whom, what of it is still to send (read from the
 * log, so a restarted or second process knows as much as the first), and the sending itself — on
 * commit (`react`) and on `tick` (`flush`), which also retries and sends what a crash left unsent.
 *
 * @example
 * const box = outbox(settings);
 * await box.flush(); // { sent: 1, failed: 0, unknown: 0 }
 */
export function outbox(s: ChannelSettings) {
  const { address } = s;
  /** Tickets with mail the log shows as not yet sent (nor given up on), and which messages. */
  const pendingTickets = new Map<string, Set<string>>();
  let cursor: string | undefined;

  function recipientsOf(ticket: Ticket): { to: string[]; cc: string[] } {
    const emailOf = (p: Party) => p.email ?? (isAddress(p.id) ? p.id : undefined);
    const requester = emailOf(ticket.requester);
    const to = requester ? [requester] : [];
    const cc = [...ticket.cc, ...ticket.followers.map(emailOf).filter((a): a is string => a !== undefined)]
      .map(bareAddress)
      .filter((a, i, all) => a !== address && a !== requester?.toLowerCase() && all.indexOf(a) === i);
    return { to, cc };
  }

  /** Who one message goes to: a notification to its addresses, anything else to the conversation. */
  function recipientsFor(ticket: Ticket, message: Message): { to: string[]; cc: string[] } {
    if (message.visibility === 'internal') return { to: notifiedAddresses(message, address), cc: [] };
    const { to, cc } = recipientsOf(ticket);
    // Acknowledgements answer the sender only; replies to the conversation copy everyone.
    return { to, cc: message.author.id === AUTO_REPLY_ACTOR.id ? [] : cc };
  }

  const sender = claimsAndSends(s, recipientsFor);

  /**
   * What of a ticket's mail is still to send, and when; read from the channel's slice of the ticket
   * (so from the log). A send of unknown outcome is not due: it may have been delivered.
   */
  function dueMail(ticket: Ticket): Due[] {
    if (ticket.category === 'merged') return [];
    const state = emailState(ticket);
    const out: Due[] = [];
    for (const id of state.pending) {
      const message = ticket.messages.find((m) => m.id === id);
      if (!message || !isOutbound(message, address) || recipientsFor(ticket, message).to.length === 0)
        continue;
      const deliveries = state.deliveries.filter((d) => d.messageId === message.id);
      if (deliveries.some((d) => d.status === 'sent' || d.permanent)) continue;
      const last = deliveries.at(-1);
      if (last?.status === 'unknown') continue;
      // Attempts, not records: an attempt of unknown outcome that failed late has two records.
      const attempts = deliveries.reduce((n, d) => Math.max(n, d.attempts), 0);
      if (attempts >= s.maxAttempts) continue;
      let at = last ? Date.parse(last.at) + s.retryDelay * 2 ** (attempts - 1) : Date.parse(message.at);
      // A claim on this attempt (another instance is sending it) holds it back until it lapses.
      for (const claim of state.sendClaims) {
        if (claim.messageId === message.id && claim.attempt === attempts + 1)
          at = Math.max(at, Date.parse(claim.leaseUntil));
      }
      out.push({ message, attempts, at });
    }
    return out;
  }

  const pend = (ticketId: string, messageId: string) => {
    const messages = pendingTickets.get(ticketId) ?? new Set<string>();
    messages.add(messageId);
    pendingTickets.set(ticketId, messages);
  };

  /**
   * Reads the log from where it was last read and keeps the tickets with mail not yet sent (nor given
   * up on): the first tick of a process reads the log once, but loads only those tickets.
   */
  async function scan(c: ExtensionContext) {
    for (let round = 0; round < 100_000; round++) {
      const page = await c.scan({ types: SCANNED, ...(cursor ? { after: cursor } : {}), limit: 1000 });
      if (page.checkpoint) cursor = page.checkpoint;
      for (const { ticketId, event: e } of page.items) {
        if (e.type === 'MessagePosted') {
          if (e.data.visibility === 'public' ? e.data.author.kind !== 'customer' : e.data.notify) {
            pend(ticketId, e.data.messageId);
          }
        } else if (e.type === 'TicketMerged') {
          pendingTickets.delete(ticketId);
        } else if (isExtensionEvent<EmailDeliveryFailedData>(e, 'EmailDeliveryFailed') && !e.data.permanent) {
          // A transient failure is still to send (the ticket's slice says whether it still is).
          pend(ticketId, e.data.messageId);
        } else {
          // Sent, given up on, or of unknown outcome: not to send.
          const messageId = (e.data as { messageId?: string }).messageId;
          const messages = pendingTickets.get(ticketId);
          if (messageId) messages?.delete(messageId);
          if (messages?.size === 0) pendingTickets.delete(ticketId);
        }
      }
      if (page.done) break;
    }
  }

  /** Sends what is due at `at` (default the desk's clock): retries, and what a crash left unsent. */
  async function flush(at?: Date): Promise<{ sent: number; failed: number; unknown: number }> {
    const c = s.context();
    const now = (at ?? c.now()).getTime();
    await scan(c);
    let sent = 0;
    let failed = 0;
    let unknown = 0;
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
        const r = await sender.deliver(current, still, (command) => c.execute(command, { actor: SYSTEM }));
        if (!r) continue;
        if (r.outcome === 'sent') sent++;
        else if (r.outcome === 'unknown') unknown++;
        else failed++;
      }
    }
    return { sent, failed, unknown };
  }

  /** Sends the mail a committed command posted, inside its `execute` (when `sendOnCommit`). */
  async function react(committed: Committed): Promise<void> {
    if (!s.sendOnCommit) return;
    const posted = committed.events.filter((e) => e.type === 'MessagePosted');
    if (posted.length === 0) return;
    const ids = new Set(posted.map((e) => (e.data as { messageId: string }).messageId));
    for (const due of dueMail(committed.ticket)) {
      if (!ids.has(due.message.id)) continue;
      // The claim's result decides whether to send, so it runs now, in this cascade.
      await sender.deliver(committed.ticket, due, (command) => committed.execute({ command, actor: SYSTEM }));
    }
  }

  return { flush, react };
}
