// Prints the one plain closing line CI reads: `N passed, N failed` (from vitest's JSON reporter).
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  // A file that failed without a failing test (it did not load, or a hook threw) counts once;
  // numFailedTestSuites would count every describe block around a failing test as well.
  const broken = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  failed = (report.numFailedTests ?? 0) + broken;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
