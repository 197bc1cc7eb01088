import type { Extension, ExtensionContext } from '@tessera/core';
import { bounceFiling } from './bounces';
import { inboundFiling } from './inbound';
import { outbox } from './outbox';
import { channelSettings } from './settings';
import type { EmailChannelOptions, IngestResult } from './types';

/** The email channel: an `Extension` for the desk, plus `ingest` for inbound mail. */
export interface EmailChannel extends Extension {
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
 * outcome recorded as `EmailSent` / `EmailDeliveryFailed`. Unknown option keys are a `ConfigError`.
 *
 * @example
 * const channel = emailChannel({ address: 'support@example.com', secret: 's3cret', transport });
 * const desk = createHelpdesk({ extensions: [channel] });
 * const result = await channel.ingest(rawMail); // { action: 'opened', ticketId: '…' }
 * await desk.tick(); // retries and sends anything a crash left unsent
 */
export function emailChannel(options: EmailChannelOptions): EmailChannel {
  let ctx: ExtensionContext | undefined;
  const settings = channelSettings(options, () => ctx);
  const { ingest } = inboundFiling(settings, bounceFiling(settings));
  const box = outbox(settings);
  return {
    name: 'email',
    ...(settings.autoReply ? { provides: ['acknowledgement'] } : {}),
    init(c) {
      ctx = c;
    },
    react: (committed) => box.react(committed),
    async onTick(now) {
      await box.flush(now);
    },
    ingest,
    flush: (now) => box.flush(now),
  };
}
