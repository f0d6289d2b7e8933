import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The Redis contract suite and the in-process suites share one real server;
    // files run in parallel workers but each suite uses its own key prefix.
    pool: 'forks',
  },
});
