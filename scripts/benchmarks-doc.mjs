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
\`pnpm bench\`, or one with \`pnpm build && node --import tsx bench/<name>.bench.ts\`.

This page is assembled from \`docs/benchmarks/*.md\` by \`node scripts/benchmarks-doc.mjs\`.
`;
const body = parts.map((f) => readFileSync(new URL(f, dir), 'utf8').trim()).join('\n\n');
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), `${head}\n${body}\n`);
console.log(`docs/benchmarks.md: ${parts.join(', ')}`);
