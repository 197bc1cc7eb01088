// Writes docs/benchmarks.md from the per-area sections in docs/benchmarks/*.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const order = ['core', 'sla', 'rules', 'email', 'store'];
const dir = new URL('../docs/benchmarks/', import.meta.url);
const parts = readdirSync(dir)
  .filter((f) => f.endsWith('.md'))
  .sort(
    (a, b) =>
      ((order.indexOf(a.replace('.md', '')) + 99) % 99) - ((order.indexOf(b.replace('.md', '')) + 99) % 99),
  );
const head = `# Benchmarks

Every benchmark lives in \`bench/\`, prints its figures, and compares in the same run with the
library a user would otherwise pick. Tests never assert wall-clock times; these files are not tests.
All figures below were measured on the project's machine (2 cores, Node 20.20). Run them all with
\`npx -y pnpm@10 bench\`, or one with \`npx -y pnpm@10 bench <name>\` (say \`core\`). The bench has an
install of its own, which \`bench\` runs first: the competitors (Emmett with its native sqlite3, mailparser,
moment, json-rules-engine…) are never part of the default install. A competitor that crashes is printed as
a row of the table, and the run goes on.

This page is assembled from \`docs/benchmarks/*.md\` by \`node scripts/benchmarks-doc.mjs\`.
`;
const body = parts.map((f) => readFileSync(new URL(f, dir), 'utf8').trim()).join('\n\n');
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), `${head}\n${body}\n`);
console.log(`docs/benchmarks.md: ${parts.join(', ')}`);
