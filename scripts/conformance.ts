/**
 * `pnpm conformance`: runs @tessera/email against the public corpora in corpora/ and
 * writes docs/conformance.md (pass rate per corpus, every failure listed). Runs the package's
 * source through packages/email/test/corpora.ts, which the conformance test shares.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corporaDir, runAll, toMarkdown } from '../packages/email/test/corpora.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = await runAll(corporaDir(repoRoot));
const report = toMarkdown(results);
writeFileSync(join(repoRoot, 'docs', 'conformance.md'), report);
for (const r of results) console.log(`${r.corpus}: ${r.passed}/${r.total}`);
console.log('wrote docs/conformance.md');
