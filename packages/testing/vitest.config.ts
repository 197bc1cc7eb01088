import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: {
    name: 'testing',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: property runs and child processes are CPU-bound, and the CI machine has 2 cores.
    testTimeout: 60_000,
  },
});
