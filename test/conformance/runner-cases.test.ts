// The shipped conformance case files (mappings/conformance/<family>/*.yaml), loaded exactly as the command loads
// them, and checked against the official specs: the cases themselves must speak the standard.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { loadConformanceSuite, type ConformanceCase } from '../../src/conformance/runner/case-files.js';
import { fillTemplate } from '../../src/conformance/runner/case-template.js';
import { REPO_ROOT, SDK_DIR } from '../support/test-gateway.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR });
const CASES_DIR = join(REPO_ROOT, 'mappings', 'conformance');
const FAMILIES: Array<{ family: string; specRelease: SonataRelease; aliases: string[] }> = [
  { family: 'grace', specRelease: 'grace', aliases: ['haley'] },
  { family: 'kylie', specRelease: 'kylie', aliases: [] },
  { family: 'billie', specRelease: 'billie', aliases: [] },
];

/** Sample values for every placeholder a case may use, typed like what a seller would give back. */
function sampleValues(files: ReturnType<typeof loadConformanceSuite>['files'][number]): Record<string, unknown> {
  const values: Record<string, unknown> = {
    runId: 'cf-sample-0001',
    buyerId: 'BUYER-1',
    sellerId: 'SELLER-1',
    ...files.vars,
  };
  // a captured time (a free slot's start or end) is a date-time, as the seller answers it
  for (const c of files.cases)
    for (const name of Object.keys(c.capture)) values[name] ??= /(Start|End)$/.test(name) ? '2030-01-07T08:00:00Z' : `sample-${name}`;
  return values;
}

describe.each(FAMILIES)('conformance cases of $family', ({ family, specRelease, aliases }) => {
  const suite = loadConformanceSuite({ casesDir: CASES_DIR, family, aliases, specs, specRelease });

  it('every case file of the folder loads (the folder holds nothing else)', () => {
    const onDisk = readdirSync(join(CASES_DIR, family)).filter((n) => n.endsWith('.yaml'));
    expect(suite.files.map((f) => f.file.split('/').pop()).sort()).toEqual(onDisk.sort());
  });

  it('covers every business function of the brief with positive and negative cases', () => {
    const expected = [
      'addressValidation',
      'hubRegistration',
      'productInventory',
      'productOfferingQualification',
      'productOrder',
      'quote',
      'siteRetrieval',
      'troubleTicket',
    ];
    // from Dolly to Fergie came work orders and appointments, Billing, POAPD (MEF 160) and Product Catalog: Grace and
    // Kylie have them, Billie not; CIM is new in Janis: Kylie only
    if (family !== 'billie')
      expected.push('appointment', 'billing', 'productCatalog', 'productOfferingAvailabilityAndPricingDiscovery', 'workOrder');
    if (family === 'kylie') expected.push('circuitImpairment');
    expected.sort();
    expect(suite.functions).toEqual(expected);
    for (const fn of expected) {
      const cases = suite.files.flatMap((f) => f.cases).filter((c) => c.function === fn);
      expect(
        cases.some((c) => c.kind === 'positive'),
        `${fn} positive`,
      ).toBe(true);
      expect(
        cases.some((c) => c.kind === 'negative'),
        `${fn} negative`,
      ).toBe(true);
    }
  });

  it("every positive case's request body is valid against the official spec of the release", () => {
    const problems: string[] = [];
    for (const file of suite.files) {
      const values = sampleValues(file);
      for (const c of file.cases.filter((x: ConformanceCase) => x.kind === 'positive' && x.request.body !== undefined)) {
        const api = specs.api(specRelease, c.api)!;
        const op = api.operation(c.request.method, specPathOf(api.operations, c.request.method, c.request.path))!;
        const body = fillTemplate(c.request.body, values, new Date('2030-01-01T00:00:00Z'));
        for (const issue of op.validateRequestBody(body)) problems.push(`${c.id} (${c.source}): ${issue.path} ${issue.message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the first case of every file is positive, so a 404/501 there means "not offered"', () => {
    for (const file of suite.files) expect(file.cases[0]!.kind, file.file).toBe('positive');
  });
});

it('a Haley partner runs every Grace case (Haley is wire-identical), and none of the Kylie ones', () => {
  const grace = loadConformanceSuite({
    casesDir: CASES_DIR,
    family: 'grace',
    aliases: ['haley'],
    specs,
    specRelease: 'grace',
  });
  const haley = loadConformanceSuite({
    casesDir: CASES_DIR,
    family: 'grace',
    release: 'haley',
    aliases: ['haley'],
    specs,
    specRelease: 'grace',
  });
  const ids = (s: typeof grace) => s.files.flatMap((f) => f.cases.map((c) => c.id));
  expect(ids(haley)).toEqual(ids(grace));
  expect(ids(haley).every((id) => /-G-\d+$/.test(id))).toBe(true);
});

/** The spec path template (`/quote/{id}`) a concrete case path belongs to. */
function specPathOf(operations: readonly { method: string; path: string }[], method: string, path: string): string {
  const match = operations.find((o) => o.method === method && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  if (!match) throw new Error(`no spec operation for ${method} ${path}`);
  return match.path;
}

describe("a case file that inherits another release's cases", () => {
  it("Billie's quote cases are Grace's, renamed, with Billie's vars and its own extra case, each traced to where it is written", () => {
    const billie = loadConformanceSuite({
      casesDir: CASES_DIR,
      family: 'billie',
      specs,
      specRelease: 'billie',
      functions: ['quote'],
    });
    const grace = loadConformanceSuite({
      casesDir: CASES_DIR,
      family: 'grace',
      specs,
      specRelease: 'grace',
      functions: ['quote'],
    });
    const [file] = billie.files;
    const graceIds = grace.files[0]!.cases.map((c) => c.id);
    expect(file!.cases.map((c) => c.id)).toEqual([...graceIds.map((id) => id.replace('-G-', '-B-')), 'QT-B-12']);
    expect(file!.cases[0]!.source).toMatch(/mappings\/conformance\/grace\/quote\.yaml:\d+$/);
    expect(file!.cases.at(-1)!.source).toMatch(/mappings\/conformance\/billie\/quote\.yaml:\d+$/);
    expect(file!.cases[0]!.apiBase).toBe('/mefApi/sonata/quoteManagement/v7');
    expect(file!.vars.siteId).toBe('ST-100031');
    expect(file!.vars.unknownQuoteId).toBe(grace.files[0]!.vars.unknownQuoteId);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'sgw-cases-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (rel: string, lines: string[]) => {
    mkdirSync(join(tmp, rel, '..'), { recursive: true });
    writeFileSync(join(tmp, rel), lines.join('\n'));
  };

  it('problems name file:line: an id without the part to rename, an unknown excepted id, inheriting from an heir', () => {
    write('grace/a.yaml', [
      'function: siteRetrieval',
      'api: geographicSiteManagement',
      'cases:',
      '  - id: ST-G-01',
      '    title: one',
      '    kind: positive',
      '    request: { method: GET, path: /geographicSite/x }',
      '    expect: { status: 200, operationId: retrieveGeographicSite }',
      '  - id: ST-01',
      '    title: two',
      '    kind: positive',
      '    request: { method: GET, path: /geographicSite/y }',
      '    expect: { status: 200, operationId: retrieveGeographicSite }',
    ]);
    write('billie/a.yaml', [
      'function: siteRetrieval',
      'api: geographicSiteManagement',
      'inherit:',
      '  from: ../grace/a.yaml',
      '  renameIds: { "-G-": "-B-" }',
      '  except: [ST-G-09]',
    ]);
    write('billie/b.yaml', [
      'function: siteRetrieval',
      'api: geographicSiteManagement',
      'inherit: { from: a.yaml, renameIds: { "-G-": "-B-" } }',
    ]);
    let err: unknown;
    try {
      loadConformanceSuite({ casesDir: tmp, family: 'billie', specs, specRelease: 'billie' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.map((p) => `${p.file.split('/').slice(-2).join('/')}:${p.line} ${p.message}`);
    expect(problems).toEqual([
      'billie/a.yaml:6 ST-G-09 is not a case of ../grace/a.yaml',
      'grace/a.yaml:9 ST-01 has no "-G-" to rename (inherited by ' + join(tmp, 'billie/a.yaml').replace(process.cwd() + '/', '') + ')',
      'billie/b.yaml:3 a.yaml inherits too; inherit from the file that writes the cases',
    ]);
  });
});
