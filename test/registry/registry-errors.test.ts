import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { copyProject } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

function load(dir: string, secrets = readEnvFile(join(dir, 'config', 'test.env'))) {
  return loadRegistry({ partnersDir: join(dir, 'partners'), mappingsDir: join(dir, 'mappings'), engine: createMappingEngine(), secrets });
}
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}
function edit(file: string, from: string | RegExp, to: string) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  writeFileSync(file, next);
}

describe('registry problems name file:line:col', () => {
  it('an unknown release, a bad role and a missing secret in partner.yaml', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/acme-telecom/partner.yaml');
    edit(file, 'release: grace', 'release: gracy');
    edit(file, 'role: buyer', 'role: customer');
    const problems = problemsOf(() => load(project!.dir, {}));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^partners\/acme-telecom\/partner\.yaml:\d+:\d+ role: must be one of "buyer", "seller", "both"$/),
    ]));
    edit(file, 'role: customer', 'role: buyer');
    const again = problemsOf(() => load(project!.dir, {}));
    expect(again).toEqual(expect.arrayContaining([
      expect.stringMatching(/^partners\/acme-telecom\/partner\.yaml:7:10 release: unknown release "gracy"/),
      expect.stringMatching(/partner\.yaml:\d+:\d+ credentials\.clientSecretEnv: environment variable PARTNER_ACME_CLIENT_SECRET is not set/),
    ]));
  });

  it('a JSONata syntax error names the mapping file, line and column', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/globex-networks/mappings/address-validation.request.jsonata');
    writeFileSync(file, '(\n  $x := 1;\n  { "a": $x + }\n)\n');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual([expect.stringMatching(/^partners\/globex-networks\/mappings\/address-validation\.request\.jsonata:3:\d+ S0\d{3} /)]);
  });

  it('a mapping that is named but missing, and an operation the release does not have', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/acme-telecom/partner.yaml');
    edit(file, 'mappings/address-validation.request.jsonata', 'mappings/gone.jsonata');
    edit(file, 'createGeographicAddressValidation:', 'createAppointment:');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/partner\.yaml:\d+:\d+ mappings\.createAppointment: no operation "createAppointment" in the releases this partner speaks/),
      expect.stringMatching(/partner\.yaml:\d+:\d+ mappings\.createAppointment\.request: mapping file not found: .*gone\.jsonata/),
    ]));
  });

  it('a release operation naming an unknown legacy backend', () => {
    project = copyProject();
    edit(join(project.dir, 'mappings/releases/kylie/geographicAddressManagement/api.yaml'), 'backend: address.get', 'backend: address.fetch');
    expect(problemsOf(() => load(project!.dir))).toEqual([
      expect.stringMatching(/^mappings\/releases\/kylie\/geographicAddressManagement\/api\.yaml:\d+:\d+ operations\.retrieveGeographicAddress\.backend: unknown legacy operation "address\.fetch"/),
    ]);
  });

  it('a YAML syntax error and a partner folder without its profile', () => {
    project = copyProject();
    writeFileSync(join(project.dir, 'partners/acme-telecom/lookups/product-alias.yaml'), 'UNI: [unclosed\n');
    rmSync(join(project.dir, 'partners/globex-networks/partner.yaml'));
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^partners\/acme-telecom\/lookups\/product-alias\.yaml:\d+:\d+ /),
      expect.stringMatching(/^partners\/globex-networks partner folder without partner\.yaml/),
    ]));
  });

  it('two partners with one clientId', () => {
    project = copyProject();
    edit(join(project.dir, 'partners/globex-networks/partner.yaml'), 'clientId: globex-networks', 'clientId: acme-telecom');
    expect(problemsOf(() => load(project!.dir))).toEqual([expect.stringMatching(/globex-networks\/partner\.yaml:\d+:\d+ credentials\.clientId: clientId "acme-telecom" is already used/)]);
  });
});
