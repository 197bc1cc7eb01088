// Core's desk-level search cases (what every store's engine shares) on the SQLite store.
import { deskSearchCases } from '../../core/src/desk-search-cases';
import { sqliteStore } from './store';

deskSearchCases('SQLite store', () => sqliteStore({ filename: ':memory:' }));
