// The desk-level search cases of @tessera/testing (what every store's engine shares) on the SQLite store.
import { deskSearchCases, deskSearchProperty } from '@tessera/testing';
import { sqliteStore } from './store';

deskSearchCases('SQLite store', () => sqliteStore({ filename: ':memory:' }));
// A customer's search over random histories never matches through internal text, on FTS5 too.
deskSearchProperty('SQLite store', () => sqliteStore({ filename: ':memory:' }), 30);
