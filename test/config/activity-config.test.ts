/** The `activity` section: on in demo and test, validated at load with file:line like every section. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { copyProject, REPO_ROOT } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

describe('activity settings', () => {
  it('are on in demo and test (ACTIVITY_ENABLED turns them off), with the default caps and redaction lists', () => {
    for (const env of ['demo', 'test']) {
      const { activity } = loadConfig({ rootDir: REPO_ROOT, env, processEnv: {} });
      expect(activity).toMatchObject({ enabled: true, ttlSeconds: 86400, maxBodyBytes: 65536, maxPerPartner: 500 });
      expect(activity.redact.keys).toEqual(expect.arrayContaining(['client_secret', 'authorization', 'emailAddress', 'phoneNumber', 'contactName']));
      expect(activity.redact.pointers).toContain('/**/relatedContactInformation/*/number');
    }
    expect(loadConfig({ rootDir: REPO_ROOT, env: 'test', processEnv: { ACTIVITY_ENABLED: 'false' } }).activity.enabled).toBe(false);
    expect(readFileSync(join(REPO_ROOT, 'config', 'production.yaml'), 'utf8')).toMatch(/activity:\n(?:\s*#.*\n)*\s+enabled: \$\{ACTIVITY_ENABLED:-false\}/);
  });

  it('refuses invalid values at file:line', () => {
    project = copyProject();
    const file = join(project.dir, 'config', 'test.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/activity:\n.*\n/, 'activity:\n  enabled: true\n  maxPerPartner: 0\n  redact: { pointers: [no-slash] }\n'));
    let error: unknown;
    try {
      loadConfig({ rootDir: project.dir, env: 'test', processEnv: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/config\/test\.yaml:\d+:\d+ activity\.maxPerPartner: must be >= 1/);
    expect(message).toMatch(/config\/test\.yaml:\d+:\d+ activity\.redact\.pointers\.0: must match pattern/);
  });
});
