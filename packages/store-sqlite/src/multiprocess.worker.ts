// A desk process for the multi-process ticking test (multiprocess.int.test.ts) over one SQLite
// file: @tessera/testing's runTickingProcess (`seed` or `tick`; see there).
import { runTickingProcess } from '@tessera/testing';
import { sqliteStore } from './store';

const [filename, mode, id, arg] = process.argv.slice(2) as [string, 'seed' | 'tick', string, string];
const store = sqliteStore({ filename, busyTimeoutMs: 30_000 });
await runTickingProcess(store, mode, id, Number(arg));
await store.close();
process.exit(0);
