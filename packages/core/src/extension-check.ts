import { ConfigError } from './errors';
import type { Extension } from './extension';

/**
 * Refuses an extension list with two extensions of one name, or two that provide the same
 * capability (say, two acknowledgements of a new ticket: each would send one), with a
 * `ConfigError` naming both.
 *
 * @example
 * checkExtensions([rules(defined), emailChannel(options)]); // ConfigError if both provide 'acknowledgement'
 */
export function checkExtensions(extensions: readonly Extension[]): void {
  const names = new Set<string>();
  const providers = new Map<string, string>();
  for (const [i, ext] of extensions.entries()) {
    if (names.has(ext.name))
      throw new ConfigError([{ path: 'extensions', message: `two extensions named ${ext.name}` }]);
    names.add(ext.name);
    for (const capability of ext.provides ?? []) {
      const other = providers.get(capability);
      if (other !== undefined) {
        throw new ConfigError([
          {
            path: `extensions[${i}].provides`,
            message: `${other} and ${ext.name} both provide ${JSON.stringify(capability)}; install one of them (or turn it off in one)`,
          },
        ]);
      }
      providers.set(capability, ext.name);
    }
  }
}

/**
 * Refuses what a `react` or `onDue` hook returned: hooks issue commands with `execute` and return
 * nothing. Older versions ran a returned list of commands; dropping one without a word would lose
 * them, so it is a `ConfigError` naming the extension.
 *
 * @example
 * returnsNothing('tagger', 'react', undefined); // fine
 * returnsNothing('tagger', 'react', [{ type: 'addTags' }]); // ConfigError
 */
export function returnsNothing(extension: string, hook: 'react' | 'onDue', returned: unknown): void {
  if (returned === undefined) return;
  throw new ConfigError([
    {
      path: `extensions.${extension}.${hook}`,
      message: `${hook} returned ${Array.isArray(returned) ? 'a list' : typeof returned}: issue commands with ${hook === 'react' ? 'committed.execute' : 'ctx.execute'} and return nothing`,
    },
  ]);
}
