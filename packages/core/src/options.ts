import { ConfigError, type Problem } from './errors';

/** The closest of `candidates` to `word` by edit distance, if it is close enough to be a typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The problems of an options object that has keys no one reads: each unknown key with its path,
 * and the known key it was probably meant to be.
 *
 * @example
 * unknownKeys({ extentions: [] }, ['store', 'extensions'], 'createHelpdesk');
 * // → [{ path: 'createHelpdesk.extentions', message: 'unknown option; did you mean extensions? …' }]
 */
export function unknownKeys(value: unknown, allowed: readonly string[], path: string): Problem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const problems: Problem[] = [];
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const guess = closest(key, allowed);
    problems.push({
      path: path ? `${path}.${key}` : key,
      message: `unknown option${guess ? `; did you mean ${guess}?` : ''} (known: ${allowed.join(', ')})`,
    });
  }
  return problems;
}

/**
 * Throws `ConfigError` when an options object is not a plain object or has keys no one reads, so a
 * misspelt option is refused instead of silently ignored.
 *
 * @example
 * checkOptions(options, ['address', 'secret', 'transport'], 'emailChannel');
 */
export function checkOptions(value: unknown, allowed: readonly string[], path: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([{ path, message: `options must be an object, got ${describeValue(value)}` }]);
  }
  const problems = unknownKeys(value, allowed, path);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** A short description of a value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}
