// The desk-level search cases of @tessera/testing (what every store's engine shares) on the PostgreSQL store, a
// fresh schema per case (the throwaway cluster goes with the run).

import { deskSearchCases, deskSearchProperty } from '@tessera/testing';
import { inject } from 'vitest';
import { postgresStore } from './store';

let n = 0;
const fresh = async () => {
  const store = postgresStore({
    connectionString: inject('pgUrl'),
    schema: `desk_search_${process.pid}_${Date.now().toString(36)}_${++n}`,
  });
  await store.ready();
  return store;
};
deskSearchCases('PostgreSQL store', fresh);
// A customer's search over random histories never matches through internal text, on tsvector too.
deskSearchProperty('PostgreSQL store', fresh, 15);
