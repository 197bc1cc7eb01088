/**
 * Work counters of the inbound steps: how many characters (or stack entries) each step looked at.
 * They exist so a test can prove every step linear in its input by counting work on inputs of size
 * n and 10n, instead of timing them — clocks lie on a loaded machine, counts do not.
 */

/** The inbound steps that count their work. */
export type WorkStep = 'parse' | 'sanitize' | 'html-text' | 'reply';

const counts: Record<WorkStep, number> = { parse: 0, sanitize: 0, 'html-text': 0, reply: 0 };

/**
 * Adds `n` units of work to a step (called by the steps themselves).
 *
 * @example
 * countWork('sanitize', tag.length);
 */
export function countWork(step: WorkStep, n: number): void {
  counts[step] += n;
}

/**
 * The work counted per step since the last reset.
 *
 * @example
 * workCounts(true);               // reset
 * sanitizeEmailHtml(html);
 * workCounts().sanitize;          // characters and stack entries the sanitiser visited
 */
export function workCounts(reset = false): Readonly<Record<WorkStep, number>> {
  const out = { ...counts };
  if (reset) for (const k of Object.keys(counts) as WorkStep[]) counts[k] = 0;
  return out;
}
