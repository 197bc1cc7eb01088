import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corporaDir, runAll } from '../test/corpora';

/**
 * The conformance goals of issue 4, asserted on the public corpora copied into the repository
 * (`corpora/`, each with its LICENSE and MANIFEST). Without them this test fails rather than
 * passing on nothing.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const root = corporaDir(repoRoot);

describe('conformance on the public corpora', () => {
  it('finds the corpora in the repository', () => {
    expect(existsSync(root), `expected the corpora at ${root}`).toBe(true);
  });

  it('meets the goals', async () => {
    const results = await runAll(root);
    const by = (prefix: string) => results.filter((r) => r.corpus.startsWith(prefix));
    const failures = (prefix: string) =>
      by(prefix).flatMap((r) => r.failures.map((f) => `${f.case}: ${f.detail}`));

    // every MIME file parses or fails typed; every auto-reply and bounce classified right; every threading fixture
    expect(failures('MIME')).toEqual([]);
    expect(failures('inbound classification')).toEqual([]);
    expect(failures('threading')).toEqual([]);
    for (const r of [...by('MIME'), ...by('inbound classification'), ...by('threading')])
      expect(r.total).toBeGreaterThan(30);

    // ≥ 95% of reply-trimming expectations, in each corpus and together
    const trimming = by('reply-trimming');
    expect(trimming).toHaveLength(2);
    for (const r of trimming) expect(r.passed / r.total, r.corpus).toBeGreaterThanOrEqual(0.95);
    const passed = trimming.reduce((n, r) => n + r.passed, 0);
    const total = trimming.reduce((n, r) => n + r.total, 0);
    expect(total).toBeGreaterThan(130);
    expect(passed / total).toBeGreaterThanOrEqual(0.95);
  });
});
