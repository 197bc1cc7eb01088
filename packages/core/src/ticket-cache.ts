import { deepFreeze, evolveAll, fold } from './apply';
import type { StoredEvent } from './events';
import type { Ticket } from './model';
import { type ModuleSet, NO_MODULES } from './modules';
import type { EventStore } from './ports';
import type { StreamNames } from './streams';

/**
 * The desk's cache of folded tickets (least recently used dropped past `limit`). Cached tickets
 * are frozen, so what a caller is handed cannot change the desk's copy; a load tops the cached
 * ticket up with any newer events of its stream (other processes' commits).
 *
 * @example
 * const cache = ticketCache(store.events, streamNames(undefined), (e) => e);
 * const ticket = await cache.load('T1');
 */
export function ticketCache(
  events: EventStore,
  names: StreamNames,
  upcast: (events: StoredEvent[]) => StoredEvent[],
  limit = 10_000,
  modules: ModuleSet = NO_MODULES,
) {
  const cache = new Map<string, Ticket>();
  const remember = (ticketId: string, ticket: Ticket) => {
    cache.delete(ticketId);
    cache.set(ticketId, ticket);
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
  };
  return {
    /** The ticket as stored, from the cache topped up with any newer events. */
    async load(ticketId: string): Promise<Ticket | undefined> {
      const cached = cache.get(ticketId);
      const fresh = upcast(
        await events.readStream(names.ticket(ticketId), cached ? { fromVersion: cached.version + 1 } : {}),
      );
      let ticket = cached;
      if (fresh.length > 0)
        ticket = ticket === undefined ? deepFreeze(fold(fresh, modules)) : evolveAll(ticket, fresh, modules);
      if (ticket !== undefined) remember(ticketId, ticket);
      return ticket;
    },
    /** The cached ticket, unproven: another process may have moved it on. */
    peek: (ticketId: string) => cache.get(ticketId),
    remember,
    forget: (ticketId: string) => void cache.delete(ticketId),
    clear: () => cache.clear(),
  };
}

export type TicketCache = ReturnType<typeof ticketCache>;
