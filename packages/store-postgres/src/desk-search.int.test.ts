// Core's desk-level search cases (what every store's engine shares) on the PostgreSQL store, a
// fresh schema per case (the throwaway cluster goes with the run).
import { inject } from 'vitest';
import { deskSearchCases } from '../../core/src/desk-search-cases';
import { postgresStore } from './store';

let n = 0;
deskSearchCases('PostgreSQL store', async () => {
  const store = postgresStore({
    connectionString: inject('pgUrl'),
    schema: `desk_search_${process.pid}_${Date.now().toString(36)}_${++n}`,
  });
  await store.ready();
  return store;
});
