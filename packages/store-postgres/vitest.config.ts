import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: {
    name: 'store-postgres',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./test/pg-server.ts'],
    // Above waitFor's 60 s deadline, so a wait that gives up says what it waited for.
    testTimeout: 180_000,
  },
});
