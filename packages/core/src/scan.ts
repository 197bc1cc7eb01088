import { ValidationError } from './errors';
import type { StoredEvent } from './events';
import type { ScanOptions, ScanPage } from './extension';
import type { EventStore } from './ports';
import type { StreamNames } from './streams';

/** Events read from the log per page while scanning. */
const PAGE = 1000;

/**
 * `ExtensionContext.scan`: reads the global log from a checkpoint, keeping this tenant's ticket
 * events of the given types (upcast), until `limit` match or the log ends. The checkpoint it
 * returns is the position of the last event read, so a scan that finds nothing still moves on.
 *
 * @example
 * const scan = logScan(store.events, streamNames(undefined), (e) => e);
 * const { items, checkpoint } = await scan({ types: ['MessagePosted'] });
 */
export function logScan(
  log: EventStore,
  names: StreamNames,
  upcast: (events: StoredEvent[]) => StoredEvent[],
) {
  return async function scan(options: ScanOptions): Promise<ScanPage> {
    const types = new Set(options?.types);
    if (!Array.isArray(options?.types) || options.types.some((t) => typeof t !== 'string')) {
      throw new ValidationError([{ path: 'types', message: 'scan needs a list of event types' }]);
    }
    const limit = options.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new ValidationError([{ path: 'limit', message: 'must be a positive integer' }]);
    }
    const items: ScanPage['items'] = [];
    let after = options.after;
    for (;;) {
      const page = await log.readAll({ ...(after === undefined ? {} : { after }), limit: PAGE });
      if (page.length === 0)
        return { items, done: true, ...(after === undefined ? {} : { checkpoint: after }) };
      const raws = page.filter((e) => names.owns(e) && types.has(e.type));
      const upcasted = upcast(raws);
      for (let i = 0; i < raws.length; i++) {
        const ticketId = names.ticketIdOf(raws[i]!.streamId);
        if (ticketId !== undefined) items.push({ ticketId, event: upcasted[i]! });
        if (items.length >= limit) return { items, done: false, checkpoint: raws[i]!.position };
      }
      after = page[page.length - 1]!.position;
      if (page.length < PAGE) return { items, done: true, checkpoint: after };
    }
  };
}
