/**
 * A per-key queue so that commands on one ticket in this process run one at a time (writers in
 * other processes are caught by the append's expected version instead).
 *
 * @example
 * const queue = keyedQueue();
 * await queue('ticket-T1', () => appendSomething());
 */
export function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
