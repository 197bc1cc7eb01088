import type { ExecuteResult } from './extension';
import { fnv1a } from './hash';
import type { Actor } from './model';

/**
 * The in-process memory of commands run with an idempotency key, so a retry within this process
 * joins the first run instead of deciding again. A key is scoped to its ticket's stream (which
 * names the tenant) and to the actor: the same key on two tickets is two commands (DESIGN,
 * "Idempotency"). The log, not this cache, is what proves a command ran once across processes.
 */
export interface IdempotencyCache {
  run(scope: string, actor: Actor, key: string, work: () => Promise<ExecuteResult>): Promise<ExecuteResult>;
}

/**
 * An idempotency cache of at most `limit` entries (oldest dropped first); a failed run is forgotten.
 *
 * @example
 * const cache = idempotencyCache();
 * await cache.run('ticket-T1', actor, 'k1', () => executeNow());
 */
export function idempotencyCache(limit = 10_000): IdempotencyCache {
  const pending = new Map<string, Promise<ExecuteResult>>();
  return {
    run(scope, actor, key, work) {
      const id = JSON.stringify([scope, actor.kind, actor.id, key]);
      const known = pending.get(id);
      if (known) return known;
      const promise = work();
      pending.set(id, promise);
      if (pending.size > limit) pending.delete(pending.keys().next().value as string);
      promise.catch(() => pending.delete(id));
      return promise;
    },
  };
}

/** Whether a stored event was appended by this actor under this key. */
export function sameRequest(
  event: { idempotencyKey?: string; actor: Actor },
  actor: Actor,
  key: string,
): boolean {
  return event.idempotencyKey === key && event.actor.kind === actor.kind && event.actor.id === actor.id;
}

/**
 * Derives a ticket id from an idempotency key so a retried open finds its ticket (`fnv1a`).
 *
 * @example
 * hashKey(JSON.stringify(['', 'customer', 'c1', 'k1'])); // 16 hex digits
 */
export function hashKey(key: string): string {
  return fnv1a(key);
}
