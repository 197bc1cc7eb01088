import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: { name: 'example-quickstart', testTimeout: 60_000, include: ['src/**/*.test.ts'] },
});
