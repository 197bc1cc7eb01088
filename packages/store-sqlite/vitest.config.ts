import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: { name: 'store-sqlite', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
