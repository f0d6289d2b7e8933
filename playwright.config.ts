/**
 * End-to-end tests of the web console in a real headless Chromium (`npm run test:e2e`). Debian's Chromium, never a
 * downloaded browser; the tests start a real gateway in process (test/e2e/console-gateway.ts) and need the built app
 * (`npm run build` writes dist/console/).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.e2e.ts',
  // one gateway per file, the steps of a file build on each other
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: join(tmpdir(), 'sgw-e2e-results'),
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.SGW_CHROMIUM ?? '/usr/bin/chromium' },
    viewport: { width: 1280, height: 800 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
