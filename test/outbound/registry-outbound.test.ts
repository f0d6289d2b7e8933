/**
 * partner.yaml's outbound settings are checked at load, naming file:line: signing secrets (set, whsec_, 24-64 bytes)
 * and allow-list entries (host, *.domain, [v6], optional :port); the shipped partners load their demo secrets.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { copyProject, REPO_ROOT } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

const load = (dir: string, secrets: Record<string, string | undefined>) =>
  loadRegistry({
    partnersDir: join(dir, 'partners'),
    mappingsDir: join(dir, 'mappings'),
    engine: createMappingEngine(),
    secrets,
  });
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('partner.yaml outbound settings', () => {
  it('the shipped buyer partners sign with their demo secrets and allow only the walkthrough listener on loopback', () => {
    const registry = load(REPO_ROOT, readEnvFile(join(REPO_ROOT, 'config', 'test.env')));
    for (const id of ['acme-telecom', 'globex-networks', 'initech']) {
      const p = registry.partners.get(id)!;
      expect(p.notificationSigningSecrets).toHaveLength(1);
      expect(p.notificationSigningSecrets[0]).toMatch(/^whsec_/);
      expect(p.allowedCallbackHosts.filter((h) => /^(localhost|127\.0\.0\.1)/.test(h))).toEqual(['localhost:9999', '127.0.0.1:9999']);
    }
  });

  it('an unset, a non-whsec and a too short secret are each named with file:line', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/acme-telecom/partner.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'signingSecretEnv: [PARTNER_ACME_WEBHOOK_SECRET]',
        'signingSecretEnv: [PARTNER_ACME_WEBHOOK_SECRET, NO_SUCH_SECRET]',
      ),
    );
    const secrets = {
      ...readEnvFile(join(project.dir, 'config', 'test.env')),
      PARTNER_ACME_WEBHOOK_SECRET: 'plain-text-secret-0123456789',
    };
    expect(problemsOf(() => load(project!.dir, secrets))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^partners\/acme-telecom\/partner\.yaml:\d+:\d+ notifications\.signingSecretEnv\.0: environment variable PARTNER_ACME_WEBHOOK_SECRET must start with whsec_/,
        ),
        expect.stringMatching(
          /^partners\/acme-telecom\/partner\.yaml:\d+:\d+ notifications\.signingSecretEnv\.1: environment variable NO_SUCH_SECRET is not set/,
        ),
      ]),
    );
    const short = problemsOf(() =>
      load(project!.dir, {
        ...secrets,
        PARTNER_ACME_WEBHOOK_SECRET: 'whsec_c2hvcnQ=',
        NO_SUCH_SECRET: 'whsec_c2hvcnQ=',
      }),
    );
    expect(short.join('\n')).toMatch(/must encode 24 to 64 bytes/);
  });

  it('an allow-list entry that is a URL, not host[:port], is refused at load', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/acme-telecom/partner.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace("'127.0.0.1:9999'", "'http://127.0.0.1:9999/'"));
    expect(problemsOf(() => load(project!.dir, readEnvFile(join(project!.dir, 'config', 'test.env'))))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^partners\/acme-telecom\/partner\.yaml:\d+:\d+ notifications\.allowedCallbackHosts\.1: must match pattern/),
      ]),
    );
  });
});
