// A writer process for the multi-process and fault tests: appends batches (and runs desk commands)
// to one SQLite file until done or killed.
import { createHelpdesk } from '@tessera/core';
import { appendBatch, writeUntilKilled } from '@tessera/testing';
import { sqliteStore } from '../src/store';

const [filename, mode, id, countArg] = process.argv.slice(2) as [string, string, string, string];
const store = sqliteStore({ filename, busyTimeoutMs: 30_000 });
const count = Number(countArg ?? '0');

if (mode === 'shared') {
  // Several processes append to the same five streams; conflicts are retried, nothing else may fail.
  for (let n = 0; n < count; n++) await appendBatch(store.events, `batch-shared-${n % 5}`, id, n);
  process.stdout.write('done\n');
  await store.close();
} else {
  await writeUntilKilled(store, createHelpdesk({ store }), id, (line) => process.stdout.write(`${line}\n`));
}
