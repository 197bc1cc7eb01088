// A desk process for the multi-process ticking test (multiprocess.int.test.ts) over one
// PostgreSQL schema: @tessera/testing's runTickingProcess (`seed` or `tick`; see there).
import { runTickingProcess } from '@tessera/testing';
import { postgresStore } from './store';

const [url, schema, mode, id, arg] = process.argv.slice(2) as [
  string,
  string,
  'seed' | 'tick',
  string,
  string,
];
const store = postgresStore({ connectionString: url, schema });
await runTickingProcess(store, mode, id, Number(arg));
await store.close();
process.exit(0);
