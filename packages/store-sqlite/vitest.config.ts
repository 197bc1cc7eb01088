import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: {
    name: 'store-sqlite',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generous: property runs and child processes are CPU-bound, and the CI machine has 2 cores.
    // Above waitFor's 60 s deadline, so a wait that gives up says what it waited for.
    testTimeout: 180_000,
  },
});
