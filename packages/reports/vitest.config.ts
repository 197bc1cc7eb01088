import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: {
    name: 'reports',
    // A floor for every test: generous, so a loaded 2-core machine cannot fail one that is merely slow.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A throwaway PostgreSQL for the same report on PostgreSQL (store-postgres's own helper).
    globalSetup: ['../store-postgres/test/pg-server.ts'],
  },
});
