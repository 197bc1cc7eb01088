import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.ts';

export default defineConfig({
  test: {
    projects,
    // Property and integration tests are CPU-bound; the CI machine has 2 cores.
    maxWorkers: 2,
  },
});
