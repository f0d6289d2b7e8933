import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { copyProject, REPO_ROOT } from '../support/test-gateway.js';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

describe('sonata-gateway CLI', () => {
  it('check: passes on the shipped files', async () => {
    const r = await cli(['check', '--root', REPO_ROOT, '--env', 'test']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: 6 partner\(s\), 3 release\(s\)/);
  });

  it('check: exit 1 and file:line:col for a broken mapping', async () => {
    project = copyProject();
    writeFileSync(join(project.dir, 'mappings/legacy/address/get.response.jsonata'), '{\n  "a": $count(\n}\n');
    const r = await cli(['check', '--root', project.dir, '--env', 'test']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mappings\/legacy\/address\/get\.response\.jsonata:\d+:\d+ /);
    expect(r.err).toMatch(/1 problem\(s\) found/);
  });

  it('map: prints the output of a partner mapping, by file or by operation', async () => {
    project = copyProject();
    const input = join(project.dir, 'input.json');
    writeFileSync(input, JSON.stringify({ instantSyncValidation: true, submittedGeographicAddress: { '@type': 'GeographicAddress_Query', fieldedAddressRepresentation: [{ countryCode: 'CHE', city: 'Zurich' }] } }));
    for (const mapping of ['mappings/address-validation.request.jsonata', 'createGeographicAddressValidation.request']) {
      const r = await cli(['map', '--root', project.dir, '--env', 'test', '--partner', 'globex-networks', '--mapping', mapping, '--input', input]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).submittedGeographicAddress.fieldedAddressRepresentation[0].countryCode).toBe('CH');
    }
  });

  it('map: prints the mapping error with its file and exits 1', async () => {
    project = copyProject();
    const input = join(project.dir, 'input.json');
    writeFileSync(input, JSON.stringify({ submittedGeographicAddress: { fieldedAddressRepresentation: [{ countryCode: 'ZZZ' }] } }));
    const r = await cli(['map', '--root', project.dir, '--env', 'test', '--partner', 'globex-networks', '--mapping', 'createGeographicAddressValidation.request', '--input', input]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/address-validation\.request\.jsonata/);
    expect(r.err).toMatch(/unknown country code ZZZ/);
  });

  it('test: runs every fixture and reports a readable failure', async () => {
    const ok = await cli(['test', '--root', REPO_ROOT, '--env', 'test']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/fixtures: \d+ passed, 0 failed/);

    project = copyProject();
    const fixture = join(project.dir, 'partners/globex-networks/fixtures/address-validation.request.alpha3.yaml');
    writeFileSync(fixture, (await import('node:fs')).readFileSync(fixture, 'utf8').replace('countryCode: DE\n', 'countryCode: AT\n'));
    const bad = await cli(['test', '--root', project.dir, '--env', 'test', '--partner', 'globex-networks']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL partners\/globex-networks\/fixtures\/address-validation\.request\.alpha3\.yaml|FAIL .*alpha3\.yaml/);
    expect(bad.out).toMatch(/countryCode/);
    expect(bad.out).toMatch(/1 failed/);
  });

  it('usage errors exit 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['map', '--root', REPO_ROOT, '--env', 'test'])).code).toBe(2);
    expect((await cli(['frobnicate', '--root', REPO_ROOT, '--env', 'test'])).code).toBe(2);
  });
});
