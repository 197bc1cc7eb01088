/** How long `waitFor` waits by default: far beyond what any condition needs on a loaded machine. */
export const WAIT_LIMIT_MS = 60_000;

/**
 * Polls until `condition` holds, for tests that wait on another connection, process or timer.
 * It never asserts on speed: the deadline only turns a hang into a failure that names what was
 * awaited. Polls back off from 2 ms to 100 ms.
 *
 * @example
 * await waitFor(async () => (await store.events.readAll()).length > 0, { what: 'another process to append' });
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { what: string; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? WAIT_LIMIT_MS);
  let delay = 2;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${options.timeoutMs ?? WAIT_LIMIT_MS} ms for ${options.what}, in vain`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
}
