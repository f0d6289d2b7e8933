import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { copyProject, REPO_ROOT } from '../support/test-gateway.js';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

// each check loads the whole tree and runs every fixture; on a shared 2-core machine that is seconds, not milliseconds
describe('sonata-gateway CLI', { timeout: 60_000 }, () => {
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
    writeFileSync(
      input,
      JSON.stringify({
        instantSyncValidation: true,
        submittedGeographicAddress: {
          '@type': 'GeographicAddress_Query',
          fieldedAddressRepresentation: [{ countryCode: 'CHE', city: 'Zurich' }],
        },
      }),
    );
    for (const mapping of ['mappings/address-validation.request.jsonata', 'createGeographicAddressValidation.request']) {
      const r = await cli([
        'map',
        '--root',
        project.dir,
        '--env',
        'test',
        '--partner',
        'globex-networks',
        '--mapping',
        mapping,
        '--input',
        input,
      ]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).submittedGeographicAddress.fieldedAddressRepresentation[0].countryCode).toBe('CH');
    }
  });

  it('map: prints the mapping error with its file and exits 1', async () => {
    project = copyProject();
    const input = join(project.dir, 'input.json');
    writeFileSync(input, JSON.stringify({ submittedGeographicAddress: { fieldedAddressRepresentation: [{ countryCode: 'ZZZ' }] } }));
    const r = await cli([
      'map',
      '--root',
      project.dir,
      '--env',
      'test',
      '--partner',
      'globex-networks',
      '--mapping',
      'createGeographicAddressValidation.request',
      '--input',
      input,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/address-validation\.request\.jsonata/);
    expect(r.err).toMatch(/unknown country code ZZZ/);
  });

  it('check: says which mappings run compiled, and under mapping.engine interpreted that all run interpreted', async () => {
    const compiledProject = copyProject();
    const compiledConfig = join(compiledProject.dir, 'config/test.yaml');
    writeFileSync(compiledConfig, readFileSync(compiledConfig, 'utf8').replace('mapping:\n', 'mapping:\n  engine: compiled\n'));
    const r = await cli(['check', '--root', compiledProject.dir, '--env', 'test']);
    compiledProject.cleanup();
    expect(r.code).toBe(0);
    const line = /^engine: compiled: (\d+) of (\d+) mapping\(s\) run compiled, (\d+) fall back to the interpreter$/m.exec(r.out);
    expect(line).not.toBeNull();
    const [compiled, total, fallbacks] = line!.slice(1).map(Number) as [number, number, number];
    expect(total).toBeGreaterThan(50);
    expect(compiled + fallbacks).toBe(total);
    // every fallback is listed with its file and the compiler's reason
    expect(r.out.match(/^ {2}interpreted \S+: .+$/gm) ?? []).toHaveLength(fallbacks);

    project = copyProject();
    const config = join(project.dir, 'config/test.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('mapping:\n', 'mapping:\n  engine: interpreted\n'));
    const interpreted = await cli(['check', '--root', project.dir, '--env', 'test']);
    expect(interpreted.code).toBe(0);
    expect(interpreted.out).toMatch(
      new RegExp(`^engine: interpreted \\(mapping.engine\\): all ${total} mapping\\(s\\) run in the interpreter$`, 'm'),
    );
  });

  it('map: --engine picks the engine, --compare prints both results and whether they agree', async () => {
    project = copyProject();
    const input = join(project.dir, 'input.json');
    writeFileSync(
      input,
      JSON.stringify({
        instantSyncValidation: true,
        submittedGeographicAddress: {
          '@type': 'GeographicAddress_Query',
          fieldedAddressRepresentation: [{ countryCode: 'CHE', city: 'Zurich' }],
        },
      }),
    );
    const base = [
      'map',
      '--root',
      project.dir,
      '--env',
      'test',
      '--partner',
      'globex-networks',
      '--mapping',
      'createGeographicAddressValidation.request',
      '--input',
      input,
    ];
    const outputs = [];
    for (const engine of ['interpreted', 'compiled']) {
      const r = await cli([...base, '--engine', engine]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      outputs.push(JSON.parse(r.out));
    }
    expect(outputs[1]).toStrictEqual(outputs[0]);
    const compare = await cli([...base, '--compare']);
    expect(compare.code).toBe(0);
    expect(compare.out).toMatch(/^--- interpreted\n/m);
    expect(compare.out).toMatch(/^--- compiled/m);
    expect(compare.out).toMatch(/"countryCode": "CH"[\s\S]*"countryCode": "CH"/);
    expect(compare.out).toMatch(/^engines agree$/m);

    // errors are compared too: the same rejection under both engines agrees
    writeFileSync(input, JSON.stringify({ submittedGeographicAddress: { fieldedAddressRepresentation: [{ countryCode: 'ZZZ' }] } }));
    const rejected = await cli([...base, '--compare']);
    expect(rejected.out.match(/^error: .*unknown country code ZZZ/gm)).toHaveLength(2);
    expect(rejected.out).toMatch(/^engines agree$/m);

    expect((await cli([...base, '--engine', 'fast'])).code).toBe(2);
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

  it('check: exit 1 on a misspelled function, at file:line:col with a suggestion', async () => {
    project = copyProject();
    const file = join(project.dir, 'partners/globex-networks/mappings/address-validation.request.jsonata');
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, source.replace('$countryCode(', '$conutryCode('));
    const line = source.slice(0, source.indexOf('$countryCode(')).split('\n').length;
    const column = source.indexOf('$countryCode(') - source.lastIndexOf('\n', source.indexOf('$countryCode('));
    const r = await cli(['check', '--root', project.dir, '--env', 'test']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `partners/globex-networks/mappings/address-validation.request.jsonata:${line}:${column} unknown function \`$conutryCode\`; did you mean \`$countryCode\`?`,
    );
  });

  it('check: exit 1 on a failing fixture, naming the fixture file and the diff', async () => {
    project = copyProject();
    const fixture = join(project.dir, 'partners/globex-networks/fixtures/address-validation.request.alpha3.yaml');
    writeFileSync(fixture, readFileSync(fixture, 'utf8').replace('countryCode: DE\n', 'countryCode: AT\n'));
    const r = await cli(['check', '--root', project.dir, '--env', 'test']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /address-validation\.request\.alpha3\.yaml:\d+:1 fixture fails: \/submittedGeographicAddress\/fieldedAddressRepresentation\/0\/countryCode: expected "AT", got "DE"/,
    );
    expect(r.out).toBe('');
  });

  it('--help per command shows its options and an example; --version prints the package version', async () => {
    const map = await cli(['map', '--help']);
    expect(map.code).toBe(0);
    for (const option of [
      '--partner <id>',
      '--mapping <m>',
      '--input <file>',
      '--bindings <json>',
      '--engine <kind>',
      '--compare',
      '--root <dir>',
      '--env <name>',
    ])
      expect(map.out).toContain(option);
    expect(map.out).toMatch(/Example:\n\s+\$ sonata-gateway map /);
    const check = await cli(['check', '--help']);
    expect(check.out).toMatch(/^Usage: sonata-gateway check \[options\]/);
    expect(check.out).not.toContain('--partner');
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.out.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const r = await cli(['chek', '--root', REPO_ROOT]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'chek'\n\(Did you mean check\?\)/);
  });

  it('usage errors exit 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['map', '--root', REPO_ROOT, '--env', 'test'])).code).toBe(2);
    expect((await cli(['frobnicate', '--root', REPO_ROOT, '--env', 'test'])).code).toBe(2);
  });
});
