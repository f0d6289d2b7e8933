import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The Redis contract suite and the in-process suites share one real server;
    // files run in parallel workers but each suite uses its own key prefix.
    pool: 'forks',
    // vitest's default is one worker less than the cores: one worker on CI's 2 cores. Most of a test's time is
    // gateways and listeners waiting on sockets, so two workers there took the suite from 701 s to 545 s (measured
    // back to back on a 2-core machine, same commit, all passing)
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
