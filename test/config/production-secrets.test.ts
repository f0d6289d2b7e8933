import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentName, sha256Hex, SHIPPED_HASHES_FILE, shippedEnvValues } from '../../src/config/secrets.js';
import { loadConfig, readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { copyProject, REPO_ROOT } from '../support/test-gateway.js';

const DEMO = readEnvFile(join(REPO_ROOT, 'config', 'demo.env'));
const SECRET_NAMES = Object.keys(DEMO);
const tmp = mkdtempSync(join(tmpdir(), 'sgw-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** strong, distinct, unshipped values for every secret the demo ships */
function strongSecrets(): Record<string, string> {
  return Object.fromEntries(SECRET_NAMES.map((n) => [n, `${n.toLowerCase()}-real-production-value-0123456789abcdef`]));
}
const base = { LEGACY_BSS_URL: 'https://bss.example' };

function problems(processEnv: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ rootDir: REPO_ROOT, processEnv });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.message);
    throw err;
  }
  return [];
}

describe('production refuses demo secrets', () => {
  it('starts with strong secrets', () => {
    expect(problems({ GATEWAY_ENV: 'production', ...base, ...strongSecrets() })).toEqual([]);
  });

  it('refuses the values of config/demo.env, naming every variable in one error', () => {
    const found = problems({ GATEWAY_ENV: 'production', ...base, ...DEMO });
    for (const name of SECRET_NAMES) expect(found.join('\n')).toContain(`${name} is a value shipped in the repository`);
    expect(found).toHaveLength(SECRET_NAMES.length);
  });

  it('refuses missing and short secrets, all at once', () => {
    const env = { GATEWAY_ENV: 'production', ...base, ...strongSecrets(), INTERNAL_API_KEY: 'x'.repeat(31) } as Record<string, string | undefined>;
    delete env.GATEWAY_JWT_SECRET;
    delete env.SELLER_NORTHWIND_CLIENT_SECRET;
    expect(problems(env).sort()).toEqual([
      'INTERNAL_API_KEY is shorter than 32 bytes',
      'environment variable GATEWAY_JWT_SECRET is not set (give it or GATEWAY_JWT_SECRET_FILE)',
      'environment variable SELLER_NORTHWIND_CLIENT_SECRET is not set (give it or SELLER_NORTHWIND_CLIENT_SECRET_FILE)',
    ]);
  });

  it('checks an optional secret (legacy buyer webhook) only when given', () => {
    expect(problems({ GATEWAY_ENV: 'production', ...base, ...strongSecrets(), LEGACY_BUYER_WEBHOOK_SECRET: 'short' })).toEqual(['LEGACY_BUYER_WEBHOOK_SECRET is shorter than 32 bytes']);
  });

  it('NODE_ENV=production without GATEWAY_ENV is production, not the demo with its public secrets', () => {
    expect(environmentName({ NODE_ENV: 'production' })).toBe('production');
    expect(environmentName({ NODE_ENV: 'production', GATEWAY_ENV: 'demo' })).toBe('demo');
    expect(environmentName({})).toBe('demo');
    expect(problems({ NODE_ENV: 'production', ...base }).length).toBe(SECRET_NAMES.length);
  });

  it('config/shipped-secrets.sha256 lists every config/*.env value (regenerate it when a .env file changes)', () => {
    const listed = new Set(readFileSync(join(REPO_ROOT, 'config', SHIPPED_HASHES_FILE), 'utf8').split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l)));
    const missing = shippedEnvValues(join(REPO_ROOT, 'config')).filter((v) => !listed.has(sha256Hex(v)));
    expect(missing).toEqual([]);
  });

  it('still refuses the demo values where the .env files are gone (as in the Docker image)', () => {
    const project = copyProject();
    try {
      for (const f of readdirSync(join(project.dir, 'config')).filter((n) => n.endsWith('.env'))) rmSync(join(project.dir, 'config', f));
      let found: string[] = [];
      try {
        loadConfig({ rootDir: project.dir, processEnv: { GATEWAY_ENV: 'production', ...base, ...DEMO } });
      } catch (err) {
        found = (err as ConfigError).problems.map((p) => p.message);
      }
      expect(found).toHaveLength(SECRET_NAMES.length);
      expect(found.every((m) => m.includes('is a value shipped in the repository'))).toBe(true);
    } finally {
      project.cleanup();
    }
  });

  it('the demo still starts on demo.env', () => {
    const cfg = loadConfig({ rootDir: REPO_ROOT, processEnv: {} });
    expect(cfg.env).toBe('demo');
    expect(cfg.auth.signingSecret).toBe(DEMO.GATEWAY_JWT_SECRET);
  });
});

describe('secrets from files (<NAME>_FILE)', () => {
  it('reads the file, trimming the trailing newline', () => {
    const file = join(tmp, 'jwt');
    writeFileSync(file, 'a-signing-secret-from-a-docker-secret-file-0123\n');
    const env = { GATEWAY_ENV: 'production', ...base, ...strongSecrets(), GATEWAY_JWT_SECRET: undefined, GATEWAY_JWT_SECRET_FILE: file };
    const cfg = loadConfig({ rootDir: REPO_ROOT, processEnv: env });
    expect(cfg.auth.signingSecret).toBe('a-signing-secret-from-a-docker-secret-file-0123');
  });

  it('a file holding a demo value is refused like the variable', () => {
    const file = join(tmp, 'demo-jwt');
    writeFileSync(file, `${DEMO.GATEWAY_JWT_SECRET}\n`);
    const env = { GATEWAY_ENV: 'production', ...base, ...strongSecrets(), GATEWAY_JWT_SECRET: undefined, GATEWAY_JWT_SECRET_FILE: file };
    expect(problems(env)).toEqual(['GATEWAY_JWT_SECRET is a value shipped in the repository (config/); it is public']);
  });

  it('refuses a secret given both ways and an unreadable file, together', () => {
    const env = { GATEWAY_ENV: 'production', ...base, ...strongSecrets(), INTERNAL_API_KEY_FILE: join(tmp, 'x'), PARTNER_ACME_CLIENT_SECRET: undefined, PARTNER_ACME_CLIENT_SECRET_FILE: join(tmp, 'missing') };
    writeFileSync(join(tmp, 'x'), 'whatever');
    expect(problems(env)).toEqual([
      'INTERNAL_API_KEY and INTERNAL_API_KEY_FILE are both set; give the secret one way only',
      `PARTNER_ACME_CLIENT_SECRET_FILE: cannot read ${join(tmp, 'missing')} (ENOENT)`,
    ]);
  });
});
