import type { Extension, ExtensionContext, MessageIndex } from '@tessera/core';
import { bounceFiling } from './bounces';
import { claimDelivery, recordDelivery } from './commands';
import { inboundFiling } from './inbound';
import { outbox } from './outbox';
import { messageKey } from './pipeline';
import { channelSettings } from './settings';
import { EMAIL_EVENTS, type EmailState, emailStateFold, emailView } from './state';
import type { EmailChannelOptions, IngestResult } from './types';

/** The email channel: an `Extension` for the desk, plus `ingest` for inbound mail. */
export interface EmailChannel extends Extension<EmailState> {
  /**
   * Takes one raw RFC 5322 message (from an SMTP receiver, a pipe, IMAP…) and files it: opens a
   * ticket, appends to one, opens a follow-up, records a bounce, or drops it with a reason.
   * Throws `ValidationError` for malformed or oversized mail; anything else is worth a retry.
   */
  ingest(raw: string | Uint8Array): Promise<IngestResult>;
  /**
   * Sends what is due now (also what a crash left unsent); `desk.tick` calls this. `unknown`
   * counts sends the transport did not answer in time (recorded, not resent).
   */
  flush(now?: Date): Promise<{ sent: number; failed: number; unknown: number }>;
  /**
   * Capabilities this extension takes on: `['acknowledgement']` while `autoReply` is on, so a desk
   * refuses a second acknowledger (such as a rules trigger that replies on TicketOpened).
   */
  provides?: string[];
}

/**
 * The email channel extension. Put it in a desk's `extensions`; then `ingest(raw)` files inbound
 * mail as tickets and messages, and public replies are mailed through `transport` with their
 * outcome recorded as `EmailSent` / `EmailDeliveryFailed` / `EmailOutcomeUnknown`. Those events,
 * the `claimDelivery` and `recordDelivery` commands and the slice `ticket.ext.email` (deliveries,
 * claims, mail still to send; see `emailState`) are the channel's own. Unknown option keys are a
 * `ConfigError`.
 *
 * @example
 * // secret: at least 8 bytes (32 random bytes are best); a shorter one is a ConfigError here
 * const channel = emailChannel({ address: 'support@example.com', name: 'Support', secret, transport });
 * const desk = createHelpdesk({ store: inMemoryStore(), extensions: [channel] });
 * const result = await channel.ingest(raw); // { action: 'opened', ticketId: '…' }
 * await desk.tick(); // retries and sends anything a crash left unsent
 */
export function emailChannel(options: EmailChannelOptions): EmailChannel {
  let ctx: ExtensionContext | undefined;
  const settings = channelSettings(options, () => ctx);
  const { ingest } = inboundFiling(settings, bounceFiling(settings));
  const box = outbox(settings);
  return {
    name: 'email',
    events: EMAIL_EVENTS,
    commands: { claimDelivery, recordDelivery } as unknown as NonNullable<EmailChannel['commands']>,
    state: emailStateFold(settings.address),
    view: emailView,
    ...(settings.autoReply ? { provides: ['acknowledgement'] } : {}),
    init(c) {
      ctx = c;
    },
    react: (committed) => box.react(committed),
    async onTick(now) {
      await box.flush(now);
    },
    async onRebuild(c) {
      await rebuildMessageIds(c, settings.index());
    },
    ingest,
    flush: (now) => box.flush(now),
  };
}

/**
 * Fills the Message-ID index from the log: every mail filed (`MessagePosted` with email headers)
 * and every mail sent, so replies to it still thread and our own mail coming back is a loop.
 *
 * @example
 * await rebuildMessageIds(ctx, ctx.store.messages);
 */
async function rebuildMessageIds(c: ExtensionContext, index: MessageIndex): Promise<void> {
  const types = ['MessagePosted', 'EmailSent', 'EmailDeliveryFailed', 'EmailOutcomeUnknown'];
  let after: string | undefined;
  for (;;) {
    const page = await c.scan({ types, ...(after ? { after } : {}), limit: 1000 });
    for (const { ticketId, event } of page.items) {
      const data = event.data as { email?: { messageId?: string }; emailMessageId?: string };
      const id = event.type === 'MessagePosted' ? data.email?.messageId : data.emailMessageId;
      if (id) await index.put(event.type === 'MessagePosted' ? id : messageKey(id), ticketId);
    }
    if (page.done || !page.checkpoint) return;
    after = page.checkpoint;
  }
}
