import { defineProject } from 'vitest/config';
import { alias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias },
  test: { name: 'rules', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
