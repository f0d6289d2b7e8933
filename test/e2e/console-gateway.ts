/**
 * The gateway the console's end-to-end tests drive: the real gateway in process on a copy of the project (test
 * environment, embedded legacy BSS simulator), its admin listener on a free port serving the built console, the
 * shipped console users (editor / viewer), and one delivery attempt per notification so that a failing listener
 * dead-letters at once.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActivityLog } from '../../src/observability/activity.js';
import { copyProject, REPO_ROOT, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** The shipped demo users (config/console-users.yaml), as the console API tests sign in. */
export { CONSOLE_USERS as USERS } from '../console/support.js';

/** A running console gateway; `consoleUrl` is `<admin origin>/console/`. */
export interface ConsoleGateway {
  gw: TestGateway;
  consoleUrl: string;
  activity: ActivityLog;
  /** the copy of the project the gateway runs on (config/, partners/, mappings/) */
  projectDir: string;
  close(): Promise<void>;
}

/** Starts the gateway; fails with a clear message when the console was not built. */
export async function startConsoleGateway(): Promise<ConsoleGateway> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'console', 'index.html'))) {
    throw new Error('dist/console/index.html is missing: run `npm run build` before `npm run test:e2e`');
  }
  const project = copyProject();
  // the built app, where the copied config's console.staticDir (dist/console) finds it
  symlinkSync(join(REPO_ROOT, 'dist'), join(project.dir, 'dist'), 'dir');
  const testYaml = join(project.dir, 'config', 'test.yaml');
  const yaml = readFileSync(testYaml, 'utf8');
  const oneAttempt = yaml.replace(/^(notifications:\n\s+retry:\s*)\{[^}]*\}/m, '$1{ attempts: 1, baseDelayMs: 10, maxDelayMs: 10 }');
  if (oneAttempt === yaml) throw new Error('config/test.yaml: notifications.retry not found (the e2e config needs one attempt)');
  writeFileSync(testYaml, oneAttempt);
  // the gateway's own activity capture (on in config/test.yaml) is what the Activity page shows
  const gw = await startTestGateway({ rootDir: project.dir, env: { ADMIN_PORT: '0', SONATA_SDK_DIR: SDK_DIR } });
  const activity = gw.gateway.activity;
  if (!gw.adminUrl) throw new Error('the test gateway has no admin listener (server.adminPort)');
  return {
    gw,
    consoleUrl: `${gw.adminUrl}/console/`,
    activity,
    projectDir: project.dir,
    async close() {
      try {
        await gw.close();
      } finally {
        project.cleanup();
      }
    },
  };
}
