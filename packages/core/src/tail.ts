import type { StoredEvent } from './events';
import type { EventStore } from './ports';

/** A committed batch as `subscribe` handlers see it. */
export type CommitHandler = (events: StoredEvent[]) => void | Promise<void>;

/**
 * The log tail behind `desk.subscribe`: it follows the global log from where it was when the
 * first handler subscribed, so handlers see every commit of this desk's tenant in order (other
 * processes' too, when the store can watch), with no gaps.
 *
 * @example
 * const tail = logTail(store.events, names.owns, (events) => events);
 * tail.subscribe((events) => console.log(events.length));
 */
export function logTail(
  events: EventStore,
  owns: (event: StoredEvent) => boolean,
  upcast: (events: StoredEvent[]) => StoredEvent[],
) {
  const subscribers = new Set<CommitHandler>();
  let position: string | undefined;
  let ready: Promise<void> | undefined;
  let tailing: Promise<void> = Promise.resolve();
  let unwatch: (() => void) | undefined;

  async function findEnd(): Promise<string | undefined> {
    let after: string | undefined;
    for (;;) {
      const page = await events.readAll({ ...(after === undefined ? {} : { after }), limit: 5000 });
      if (page.length === 0) return after;
      after = page[page.length - 1]!.position;
    }
  }

  function pump(): Promise<void> {
    tailing = tailing.then(async () => {
      if (subscribers.size === 0) return;
      await ready;
      for (;;) {
        const page = await events.readAll({
          ...(position === undefined ? {} : { after: position }),
          limit: 1000,
        });
        if (page.length === 0) return;
        position = page[page.length - 1]!.position;
        const ours = upcast(page.filter(owns));
        if (ours.length === 0) continue;
        for (const handler of [...subscribers]) {
          try {
            await handler(ours);
          } catch {
            // A failing subscriber must not stop the others or the desk.
          }
        }
      }
    });
    return tailing;
  }

  return {
    /** Whether anyone listens (the desk pumps after its own commits only then). */
    get active() {
      return subscribers.size > 0;
    },
    pump,
    subscribe(handler: CommitHandler): () => void {
      subscribers.add(handler);
      if (!ready) {
        ready = findEnd().then((end) => {
          if (position === undefined) position = end;
        });
        unwatch = events.watch?.(() => void pump());
      }
      return () => {
        subscribers.delete(handler);
      };
    },
    async close() {
      subscribers.clear();
      unwatch?.();
      await tailing;
    },
  };
}
