import {
  type Actor,
  ConfigError,
  checkOptions,
  type ExtensionContext,
  type MessageIndex,
} from '@tessera/core';
import { replyToken } from '../reply-token';
import type { AutoReplyOptions, EmailChannelOptions } from './types';

/** The channel's own bookkeeping commands (claims, deliveries, bounces) run as this actor. */
export const SYSTEM: Actor = { kind: 'system', id: 'email-channel' };
/** Acknowledgements are posted as this actor, which is how the channel recognises its own. */
export const AUTO_REPLY_ACTOR: Actor = { kind: 'automation', id: 'email-auto-reply' };

/** Every key `emailChannel` reads; anything else is a typo and refused. */
const OPTION_KEYS = [
  'address',
  'name',
  'secret',
  'transport',
  'messages',
  'autoReply',
  'senderCheck',
  'maxAutoRepliesPerSenderPerHour',
  'resolveCustomer',
  'maxAttempts',
  'retryDelayMs',
  'keepOriginal',
  'sendTimeoutMs',
  'claimLeaseMs',
  'claimant',
  'sendOnCommit',
  'maxSize',
] as const satisfies readonly (keyof EmailChannelOptions)[];
const AUTO_REPLY_KEYS = ['text', 'html'] as const satisfies readonly (keyof AutoReplyOptions)[];

/**
 * The bare address of a mailbox, lower-cased; a scan, not a regex, so it cannot backtrack.
 *
 * @example
 * bareAddress('Support <Support@Example.com>'); // 'support@example.com'
 */
export function bareAddress(address: string): string {
  const open = address.indexOf('<');
  const close = open < 0 ? -1 : address.indexOf('>', open + 1);
  return (close > open + 1 ? address.slice(open + 1, close) : address).trim().toLowerCase();
}

/**
 * An address the channel can mail: one `@`, something on each side, no spaces.
 *
 * @example
 * isAddress('ann@example.org'); // true
 */
export const isAddress = (a: string) => /^[^\s@]+@[^\s@]+$/.test(a);

/** What every part of the channel shares: the options as resolved, and the desk once known. */
export interface ChannelSettings {
  options: EmailChannelOptions;
  /** The bare support address, lower-cased. */
  address: string;
  domain: string;
  fromHeader: string;
  maxAttempts: number;
  retryDelay: number;
  maxSize: number;
  ackLimit: number;
  sendTimeout: number;
  claimLease: number;
  claimant: string;
  sendOnCommit: boolean;
  autoReply: AutoReplyOptions | undefined;
  /** The desk's context; a `ConfigError` before the channel is in a desk. */
  context(): ExtensionContext;
  /** Where Message-IDs are recorded. */
  index(): MessageIndex;
}

/**
 * Checks and resolves `emailChannel`'s options: unknown keys, a bad address, or a secret that
 * is empty or shorter than 8 bytes are a `ConfigError` now, with the path, rather than a surprise
 * at the first mail.
 *
 * @example
 * const s = channelSettings({ address: 'support@example.com', secret: 'a secret of 8+ bytes', transport }, () => ctx);
 * s.domain; // 'example.com'
 */
export function channelSettings(
  options: EmailChannelOptions,
  desk: () => ExtensionContext | undefined,
): ChannelSettings {
  checkOptions(options, OPTION_KEYS, 'emailChannel');
  if (options === undefined) {
    throw new ConfigError([
      { path: 'emailChannel', message: 'options are required (address, secret, transport)' },
    ]);
  }
  if (typeof options.autoReply === 'object' && options.autoReply !== null) {
    checkOptions(options.autoReply, AUTO_REPLY_KEYS, 'emailChannel.autoReply');
  }
  const address = typeof options.address === 'string' ? bareAddress(options.address) : '';
  const domain = address.split('@')[1];
  const problems = [
    ...(domain ? [] : [{ path: 'address', message: `is not an email address: ${String(options.address)}` }]),
    ...(options.secret ? [] : [{ path: 'secret', message: 'must not be empty' }]),
    ...(options.transport && typeof options.transport.send === 'function'
      ? []
      : [{ path: 'transport', message: 'must be a MailTransport (an object with send(mail))' }]),
  ];
  if (problems.length > 0 || !domain) throw new ConfigError(problems);
  // Fails now, with the reason, rather than at the first send (e.g. a secret that is too short).
  replyToken('probe', options.secret);
  const sendTimeout = options.sendTimeoutMs ?? 120_000;
  const context = () => {
    const ctx = desk();
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
  return {
    options,
    address,
    domain,
    fromHeader: options.name ? `${JSON.stringify(options.name)} <${address}>` : address,
    maxAttempts: options.maxAttempts ?? 5,
    retryDelay: options.retryDelayMs ?? 60_000,
    maxSize: options.maxSize ?? 25 * 1024 * 1024,
    ackLimit: options.maxAutoRepliesPerSenderPerHour ?? 3,
    sendTimeout,
    claimLease: options.claimLeaseMs ?? sendTimeout * 2,
    claimant: options.claimant ?? `email-${crypto.randomUUID()}`,
    sendOnCommit: options.sendOnCommit ?? true,
    autoReply:
      options.autoReply === false ? undefined : options.autoReply === true ? {} : (options.autoReply ?? {}),
    context,
    index: () => options.messages ?? context().store.messages,
  };
}
