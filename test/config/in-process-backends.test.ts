/**
 * The product has no simulators (they are the demo's, simulators/): buildGateway without `backends`, as src/main.ts
 * runs it, refuses a configuration that asks for one in process, naming the setting's file and line and the demo;
 * `replay --live` against an `embedded` legacy BSS says the same.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { buildGateway } from '../../src/gateway.js';
import { REPO_ROOT } from '../support/test-gateway.js';

/** The 1-based line of config/test.yaml that writes `key:` under `section:`. */
function lineOf(section: string, key: string): number {
  const lines = readFileSync(join(REPO_ROOT, 'config', 'test.yaml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${section}:`));
  const at = lines.findIndex((l, i) => i > start && l.trimStart().startsWith(`${key}:`));
  expect(start, `config/test.yaml has ${section}:`).toBeGreaterThanOrEqual(0);
  expect(at, `config/test.yaml has ${section}.${key}`).toBeGreaterThan(start);
  return at + 1;
}

async function refusal(processEnv: Record<string, string>): Promise<ConfigError> {
  const built = buildGateway({ rootDir: REPO_ROOT, env: 'test', processEnv, watch: false });
  const err = await built.then(
    async (gateway) => {
      await gateway.close();
      throw new Error('the gateway was built without the simulators it was configured for');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('the product without in-process simulators', { timeout: 60_000 }, () => {
  it('refuses legacy.baseUrl "embedded" at its line in config/test.yaml, saying to run the demo', async () => {
    const err = await refusal({});
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(new RegExp(`^config/test\\.yaml:${lineOf('legacy', 'baseUrl')}:\\d+ legacy\\.baseUrl: is "embedded": `));
    expect(err.message).toContain('run the demo (`npm start`');
  });

  it('with a real legacy BSS, refuses buyer.embeddedSellers for the partners whose seller is "embedded"', async () => {
    const err = await refusal({ LEGACY_BSS_URL: 'http://127.0.0.1:9' });
    expect(err.message).toMatch(new RegExp(`^config/test\\.yaml:${lineOf('buyer', 'embeddedSellers')}:\\d+ buyer\\.embeddedSellers: is on`));
    expect(err.message).toContain('northwind-access');
    expect(err.message).toContain('run the demo (`npm start`');
  });

  it('replay --live against an "embedded" legacy BSS says where it is configured instead of starting a simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgw-replay-live-'));
    try {
      const file = join(dir, 'record.json');
      const startedAt = new Date().toISOString();
      const record = {
        correlationId: 'replay-live-1',
        partnerId: 'acme-telecom',
        startedAt,
        ms: 5,
        hops: [
          {
            kind: 'partner-request',
            at: startedAt,
            method: 'POST',
            url: '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation',
            body: { submittedGeographicAddress: { '@type': 'FieldedAddress', streetName: 'Hauptstrasse 12', city: 'Berlin' } },
          },
          { kind: 'partner-response', at: startedAt, status: 200, body: {} },
        ],
      };
      writeFileSync(file, JSON.stringify(record));
      let out = '';
      let errText = '';
      const code = await runCli(['replay', '--request', file, '--live', '--root', REPO_ROOT, '--env', 'test'], {
        out: (s) => (out += s),
        err: (s) => (errText += s),
      });
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(errText).toMatch(new RegExp(`^config/test\\.yaml:${lineOf('legacy', 'baseUrl')}:\\d+ legacy\\.baseUrl: is "embedded": --live needs a real legacy BSS`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
