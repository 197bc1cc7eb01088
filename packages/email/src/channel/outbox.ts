import type {
  Command,
  Committed,
  ExtensionContext,
  IssuedCommand,
  Message,
  Party,
  StoredEvent,
  Ticket,
} from '@tessera/core';
import { claimsAndSends, type Due, UNKNOWN_OUTCOME } from './claims';
import { AUTO_REPLY_ACTOR, bareAddress, type ChannelSettings, isAddress, SYSTEM } from './settings';

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
    if (message.visibility === 'internal') return { to: notifiedAddresses(message), cc: [] };
    const { to, cc } = recipientsOf(ticket);
    // Acknowledgements answer the sender only; replies to the conversation copy everyone.
    return { to, cc: message.author.id === AUTO_REPLY_ACTOR.id ? [] : cc };
  }

  const sender = claimsAndSends(s, recipientsFor);

  /** What of a ticket's mail is still to send, and when; read from the ticket, i.e. from the log. */
  function dueMail(ticket: Ticket): Due[] {
    if (ticket.category === 'merged') return [];
    const out: Due[] = [];
    for (const message of ticket.messages) {
      if (!isOutbound(message) || recipientsFor(ticket, message).to.length === 0) continue;
      const deliveries = ticket.deliveries.filter((d) => d.messageId === message.id);
      if (deliveries.some((d) => d.status === 'sent')) continue;
      if (deliveries.some((d) => d.permanent) || deliveries.length >= s.maxAttempts) continue;
      const last = deliveries.at(-1);
      let at = last
        ? Date.parse(last.at) + s.retryDelay * 2 ** (deliveries.length - 1)
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
              pend(ticketId, e.data.messageId);
            }
            break;
          case 'EmailDeliveryFailed':
          case 'EmailSent':
            // A transient failure is still to send; a sent or given-up message is not.
            if (e.type === 'EmailDeliveryFailed' && !e.data.permanent) pend(ticketId, e.data.messageId);
            else {
              const messages = pendingTickets.get(ticketId);
              messages?.delete(e.data.messageId);
              if (messages?.size === 0) pendingTickets.delete(ticketId);
            }
            break;
          case 'TicketMerged':
            pendingTickets.delete(ticketId);
            break;
        }
      }
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
        const issued = await sender.deliver(current, still, (i) =>
          c.execute(i.command, { actor: i.actor ?? SYSTEM }),
        );
        if (!issued) continue;
        const r = issued.command as Extract<Command, { type: 'recordDelivery' }>;
        if (r.outcome === 'sent') sent++;
        else if (r.error?.startsWith(UNKNOWN_OUTCOME)) unknown++;
        else failed++;
        await c.execute(issued.command, { actor: SYSTEM });
      }
    }
    return { sent, failed, unknown };
  }

  /** Sends the mail a committed command posted, inside its `execute` (when `sendOnCommit`). */
  async function react(committed: Committed): Promise<IssuedCommand[]> {
    if (!s.sendOnCommit) return [];
    const posted = committed.events.filter((e) => e.type === 'MessagePosted');
    if (posted.length === 0) return [];
    const ids = new Set(posted.map((e) => (e.data as { messageId: string }).messageId));
    const issued: IssuedCommand[] = [];
    for (const due of dueMail(committed.ticket)) {
      if (!ids.has(due.message.id)) continue;
      const item = await sender.deliver(committed.ticket, due, (i) => committed.execute(i));
      if (item) issued.push(item);
    }
    return issued;
  }

  return { flush, react };
}
