// Runs every *.bench.ts in turn. A file that fails is reported and the run goes on to the next; the
// exit status says whether every file finished.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const failed = [];
for (const file of files) {
  console.log(`== ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    cwd: here,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed.push(`${file} (${r.signal ?? `exit ${r.status}`})`);
    console.log(`== ${file} did not finish: ${r.signal ?? `exit ${r.status}`}; going on`);
  }
}
console.log(
  failed.length === 0 ? `\n${files.length} benchmarks finished` : `\nnot finished: ${failed.join(', ')}`,
);
process.exit(failed.length === 0 ? 0 : 1);
