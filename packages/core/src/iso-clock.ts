/**
 * The clock's instant as ISO text, formatted again only when the millisecond changes: commands
 * decided within one millisecond share the string, and `toISOString` costs more than the rest of
 * deciding a small command.
 *
 * @example
 * const now = isoClock({ now: () => new Date('2026-03-02T09:00:00Z') });
 * now(); // → '2026-03-02T09:00:00.000Z'
 */
export function isoClock(clock: { now(): Date }): () => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return () => {
    const ms = clock.now().getTime();
    if (ms !== lastMs) {
      lastIso = new Date(ms).toISOString();
      lastMs = ms;
    }
    return lastIso;
  };
}
