import type { StoredEvent } from './events';

/** The names a desk gives its streams and sequences, and which global-log events are its own. */
export interface StreamNames {
  /** The stream of one ticket. */
  ticket(ticketId: string): string;
  /** The sequence human ticket numbers are drawn from. */
  numbers: string;
  /** Whether an event of the global log belongs to this desk's tenant. */
  owns(event: Pick<StoredEvent, 'streamId'>): boolean;
  /** The ticket id of one of this desk's ticket streams (undefined for any other stream). */
  ticketIdOf(streamId: string): string | undefined;
}

/**
 * The one place stream names are made: a tenant's streams are prefixed `<tenant>/`, a desk
 * without a tenant uses names without a slash.
 *
 * @example
 * streamNames('acme').ticket('T1'); // → 'acme/ticket-T1'
 */
export function streamNames(tenantId: string | undefined): StreamNames {
  if (tenantId === undefined) {
    return {
      ticket: (id) => `ticket-${id}`,
      numbers: 'tickets',
      owns: (e) => !e.streamId.includes('/'),
      ticketIdOf: (streamId) =>
        streamId.startsWith('ticket-') && !streamId.includes('/') ? streamId.slice(7) : undefined,
    };
  }
  const prefix = `${tenantId}/`;
  return {
    ticket: (id) => `${prefix}ticket-${id}`,
    numbers: `${prefix}tickets`,
    owns: (e) => e.streamId.startsWith(prefix),
    ticketIdOf: (streamId) =>
      streamId.startsWith(`${prefix}ticket-`) ? streamId.slice(prefix.length + 7) : undefined,
  };
}
