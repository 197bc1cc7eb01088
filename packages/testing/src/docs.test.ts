import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from './index';

// docs/testing.md is code a reader copies: every `ts` block runs here as printed (each block is a
// module of tests of its own), and the page names only what this package exports.
const source = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const page = source('../../../docs/testing.md');
const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Every name index.ts exports, types included: read from the files it re-exports. */
function exportedNames(): Set<string> {
  const names = new Set<string>();
  const index = source('./index.ts');
  // Named exports, one or several lines each; `type X` inside the braces is the name X.
  for (const named of index.matchAll(/^export (?:type )?\{([^}]*)\} from/gm))
    for (const n of named[1]!.split(',')) if (n.trim()) names.add(n.trim().replace(/^type /, ''));
  for (const line of index.split('\n')) {
    const all = /^export \* from '\.\/([\w-]+)'/.exec(line);
    if (all) {
      for (const m of source(`./${all[1]}.ts`).matchAll(
        /^export (?:async )?(?:function|interface|type|const|class) (\w+)/gm,
      ))
        names.add(m[1]!);
    }
  }
  return names;
}

describe('docs/testing.md', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('imports only names @tessera/testing exports', () => {
    const exported = exportedNames();
    const imported = blocks.flatMap((code) =>
      [...code.matchAll(/import \{([^}]*)\} from '@tessera\/testing'/g)].flatMap((m) =>
        m[1]!
          .split(',')
          .map((n) => n.trim().replace(/^type /, ''))
          .filter(Boolean),
      ),
    );
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('names every export, functions and types', () => {
    expect(Object.keys(api).length).toBeGreaterThan(0);
    const missing = [...new Set([...Object.keys(api), ...exportedNames()])].filter(
      (n) => !page.includes(`\`${n}`),
    );
    expect(missing).toEqual([]);
  });
});

const dir = fileURLToPath(new URL('../.tmp/docs/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [i, code] of blocks.entries()) {
  const file = `${dir}testing-${i + 1}.ts`;
  writeFileSync(file, code);
  await describe(`docs/testing.md, example ${i + 1}`, async () => {
    await import(/* @vite-ignore */ file);
  });
}
