// The conformance command end to end: the real gateway in process, the command run as a function (as
// `npx sonata-gateway conformance` runs it) for a Grace and a Kylie partner, its JUnit and HTML reports, and a
// deliberately broken mapping that must make named cases fail with a readable reason.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../src/config/load-config.js';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { runConformanceCommand, type ConformanceCommandValues } from '../../src/conformance/runner/conformance-command.js';
import type { ConformanceReport } from '../../src/conformance/runner/run-conformance.js';
import { copyProject, REPO_ROOT, SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { parseXml, type XmlElement } from './xml-parser.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const outDir = mkdtempSync(join(tmpdir(), 'sgw-conformance-'));
const CHROMIUM = '/usr/bin/chromium';

interface Run {
  code: number;
  report: ConformanceReport;
  out: string;
  err: string;
  junit: string;
  html: string;
}

async function runCommand(gw: TestGateway, partner: string, values: ConformanceCommandValues = {}, rootDir = REPO_ROOT): Promise<Run> {
  const files = {
    junit: join(outDir, `${partner}-${Date.now()}.xml`),
    html: join(outDir, `${partner}-${Date.now()}.html`),
  };
  let out = '';
  let err = '';
  let report: ConformanceReport | undefined;
  const code = await runConformanceCommand(
    { partner, 'base-url': gw.url, ...files, ...values },
    {
      // no process env: the partner's secret must come from config/test.env, as a developer's would from demo.env
      rootDir,
      env: 'test',
      processEnv: {},
      specs,
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      onReport: (r) => {
        report = r;
      },
    },
  );
  if (!report) throw new Error(`no report (exit ${code}): ${err}`);
  return { code, report, out, err, junit: readFileSync(files.junit, 'utf8'), html: readFileSync(files.html, 'utf8') };
}

/** Completes one order of the partner through the legacy BSS's controls, so the inventory has a product to read. */
const SEED = {
  acme: {
    order: '/mefApi/sonata/productOrderingManagement/v10',
    inventory: '/mefApi/sonata/productInventory/v7',
    cust: 'C-100042',
    site: 'ST-100001',
    mbps: 100,
  },
  globex: {
    order: '/mefApi/sonata/productOrderingManagement/v11',
    inventory: '/mefApi/sonata/productInventory/v8',
    cust: 'C-100077',
    site: 'ST-100003',
    mbps: 100,
  },
  // Initech's Amsterdam office is off-net: up to 50 Mbit/s, 30 working days to deliver
  initech: {
    order: '/mefApi/sonata/productOrderingManagement/v7',
    inventory: '/mefApi/sonata/productInventory/v7',
    cust: 'C-100099',
    site: 'ST-100031',
    mbps: 10,
  },
} as const;

/** The legacy BSS's billing run of the current month (its `_sim` control), so the billing cases have bills to read. */
async function runBilling(gw: TestGateway): Promise<void> {
  const key = readEnvFile(join(REPO_ROOT, 'config', 'test.env')).LEGACY_BSS_API_KEY!;
  const res = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/bills/run`, {
    method: 'POST',
    headers: { 'X-BSS-Api-Key': key, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(((await res.json()) as { BILLS: unknown[] }).BILLS.length).toBeGreaterThan(0);
}

async function seedInventoryProduct(gw: TestGateway, partner: keyof typeof SEED): Promise<void> {
  const release = SEED[partner];
  const token = await gw.token(partner);
  const externalId = `seed-${partner}-${Date.now()}`;
  const place =
    partner === 'globex'
      ? [{ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicSiteRef', id: release.site } }]
      : [{ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id: release.site }];
  const created = await gw.call('POST', `${release.order}/productOrder`, {
    token,
    body: {
      externalId,
      relatedContactInformation: [
        { role: 'productOrderContact', name: 'Seed', number: '+49 30 1234567', emailAddress: 'seed@example.com' },
      ],
      productOrderItem: [
        {
          id: 'item-1',
          action: 'add',
          requestedCompletionDate: new Date(Date.now() + 60 * 86_400_000).toISOString(),
          product: {
            productConfiguration: {
              '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all',
              bandwidthMbps: release.mbps,
            },
            place,
          },
        },
      ],
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const key = readEnvFile(join(REPO_ROOT, 'config', 'test.env')).LEGACY_BSS_API_KEY!;
  const legacy = async (path: string, body?: unknown) =>
    (await (
      await fetch(`${gw.gateway.legacyUrl}/bss/v2${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'X-BSS-Api-Key': key, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    ).json()) as Record<string, any>;
  const found = await legacy(`/orders?CUST_NO=${release.cust}&CUST_ORDER_REF=${externalId}`);
  const orderNo = found.ORDERS?.[0]?.ORDER_NO as string;
  expect(orderNo, JSON.stringify(found)).toBeTruthy();
  expect((await legacy(`/_sim/orders/${orderNo}/advance`, { TO: 'COMP' })).RC).toBe(0);
  // the BSS reports by callback, asynchronously: poll, bounded
  for (let i = 0; i < 200; i++) {
    const list = await gw.call('GET', `${release.inventory}/product`, { token });
    if (Array.isArray(list.body) && list.body.length > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no inventory product for ${partner} after completing ${orderNo}`);
}

function expectAllPass(report: ConformanceReport): void {
  const failed = report.cases.filter((c) => c.outcome !== 'pass');
  expect(failed.map((c) => `${c.id} ${c.outcome}: ${c.failures.join('; ') || c.reason}`)).toEqual([]);
}

function attr(el: XmlElement, name: string): number {
  return Number(el.attributes[name]);
}

/** The JUnit XML parses, and its counts are the report's, suite by suite. */
function expectJunitMatches(xml: string, report: ConformanceReport): void {
  const root = parseXml(xml);
  expect(root.name).toBe('testsuites');
  expect([attr(root, 'tests'), attr(root, 'failures'), attr(root, 'skipped')]).toEqual([
    report.totals.total,
    report.totals.failed,
    report.totals.skipped,
  ]);
  const suites = root.children.filter((c) => c.name === 'testsuite');
  expect(suites.map((s) => s.attributes.name)).toEqual(report.functions.map((f) => f.function));
  for (const suite of suites) {
    const f = report.functions.find((x) => x.function === suite.attributes.name)!;
    const cases = suite.children.filter((c) => c.name === 'testcase');
    expect(cases.length).toBe(attr(suite, 'tests'));
    expect(cases.filter((c) => c.children.some((x) => x.name === 'failure')).length).toBe(f.failed);
    expect(cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length).toBe(f.skipped);
    expect([attr(suite, 'failures'), attr(suite, 'skipped')]).toEqual([f.failed, f.skipped]);
  }
}

function expectSelfContained(html: string): void {
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).toMatch(/<style>/);
}

let gw: TestGateway;
let grace: Run;
let kylie: Run;
let billie: Run;

beforeAll(async () => {
  gw = await startTestGateway();
  await seedInventoryProduct(gw, 'acme');
  await seedInventoryProduct(gw, 'globex');
  await seedInventoryProduct(gw, 'initech');
  await runBilling(gw);
}, 90_000);
afterAll(async () => {
  await gw?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe('conformance against the demo gateway', () => {
  it('acme-telecom (Grace): every case passes', async () => {
    grace = await runCommand(gw, 'acme-telecom');
    expect(grace.report.release).toBe('grace');
    expect(grace.report.functions.map((f) => f.function)).toEqual([
      // by function name
      'addressValidation',
      'appointment',
      'billing',
      'hubRegistration',
      'productCatalog',
      'productInventory',
      'productOfferingAvailabilityAndPricingDiscovery',
      'productOfferingQualification',
      'productOrder',
      'quote',
      'siteRetrieval',
      'troubleTicket',
      'workOrder',
    ]);
    expectAllPass(grace.report);
    expect(grace.code).toBe(grace.report.totals.failed > 0 ? 1 : 0);
    // one progress line per case, then the summary table
    expect(grace.out).toMatch(/^PASS {2}addressValidation +AV-G-01 +\d+ ms {2}Validate a fielded address/m);
    expect(grace.out.match(/^(PASS|FAIL|SKIP) /gm)?.length).toBe(grace.report.totals.total);
    expect(grace.out).toMatch(new RegExp(`^addressValidation +${grace.report.functions[0]!.passed} +0 +0 +\\d+$`, 'm'));
  }, 120_000);

  it('globex-networks (Kylie): every case passes', async () => {
    kylie = await runCommand(gw, 'globex-networks');
    expect(kylie.report.release).toBe('kylie');
    expect(kylie.report.specRelease).toBe('kylie');
    expectAllPass(kylie.report);
    const ids = kylie.report.cases.map((c) => c.id);
    expect(ids.every((id) => /-K-/.test(id))).toBe(true);
  }, 120_000);

  it('initech (Billie): every case passes, each named for Billie and checked against the Billie files', async () => {
    billie = await runCommand(gw, 'initech');
    expect(billie.report.release).toBe('billie');
    expect(billie.report.specRelease).toBe('billie');
    // Billie has no Billing API (customerBillManagement comes with Grace), no POAPD (MEF 160) and no Product Catalog
    // (both came with Fergie), no work orders or appointments (Dolly)
    const notInBillie = ['appointment', 'billing', 'productCatalog', 'productOfferingAvailabilityAndPricingDiscovery', 'workOrder'];
    expect(billie.report.functions.map((f) => f.function)).toEqual(
      grace.report.functions.map((f) => f.function).filter((f) => !notInBillie.includes(f)),
    );
    expectAllPass(billie.report);
    expect(billie.report.cases.every((c) => /-B-/.test(c.id))).toBe(true);
    // the API versions Billie has: every core API at v7, Trouble Ticket at v1
    const bases = new Set(
      billie.report.cases.flatMap((c) => c.exchanges.map((x) => new URL(x.request.url).pathname.split('/').slice(3, 5).join('/'))),
    );
    for (const base of bases)
      expect(base).toMatch(
        /^(geographicAddressManagement|geographicSiteManagement|productOfferingQualification|quoteManagement|productOrderingManagement|productInventory)\/v7$|^troubleTicket\/v1$/,
      );
    expect(bases.size).toBe(7);
  }, 120_000);

  it('every run lists the spec errata it was validated with, and why', () => {
    // Grace and Kylie also ran the work order list, which the files name as one object (wo-list-is-an-array)
    for (const [run, extra] of [
      [grace, ['wo-list-is-an-array']],
      [kylie, ['wo-list-is-an-array']],
      [billie, []],
    ] as const) {
      expect(run.report.errata.map((e) => e.id)).toEqual(['tt-find-resolution-date', 'tt-find-external-id', ...extra]);
      expect(run.out).toMatch(
        /validated with \d spec erratum\/errata .*\n {2}tt-find-resolution-date: troubleTicket TroubleTicket_Find does not require resolutionDate \(mappings\/spec-errata.yaml:\d+\)/,
      );
      expect(run.html).toContain('<li data-erratum="tt-find-external-id">');
    }
  });

  it('writes JUnit XML whose counts match, and a self-contained HTML report', () => {
    for (const run of [grace, kylie, billie]) {
      expectJunitMatches(run.junit, run.report);
      expectSelfContained(run.html);
      expect(run.html).toContain(`<span class="n" data-count="passed">${run.report.totals.passed}</span>`);
    }
  });

  it('--functions runs only those functions; an unknown name is refused with the known ones', async () => {
    const only = await runCommand(gw, 'acme-telecom', { functions: 'siteRetrieval' });
    expect(only.report.functions.map((f) => f.function)).toEqual(['siteRetrieval']);
    // no trouble ticket case ran, so no trouble ticket erratum was in play
    expect(only.report.errata).toEqual([]);
    expect(only.code).toBe(0);
    let err = '';
    const code = await runConformanceCommand(
      { partner: 'acme-telecom', 'base-url': gw.url, functions: 'noSuchFunction' },
      {
        rootDir: REPO_ROOT,
        env: 'test',
        processEnv: {},
        specs,
        out: () => {},
        err: (s) => {
          err += s;
        },
      },
    );
    expect(code).toBe(1);
    expect(err).toMatch(
      /unknown function\(s\) noSuchFunction \(cases exist for: addressValidation, appointment, billing, .*troubleTicket, workOrder\)/,
    );
  }, 60_000);

  it("as a partner we buy from: the profile's seller section reaches that seller (here the simulated one)", async () => {
    const seller = gw.gateway.sellers.get('northwind-access');
    expect(seller, 'the test environment simulates northwind-access').toBeDefined();
    const run = await runCommand(gw, 'northwind-access', { 'base-url': seller!.url, functions: 'addressValidation' });
    expect(run.report).toMatchObject({ partner: 'northwind-access', release: 'grace', baseUrl: seller!.url });
    // the token came from the seller's own endpoint with our client id there: authenticated cases get answers
    const byId = new Map(run.report.cases.map((c) => [c.id, c]));
    expect(byId.get('AV-G-07')!.outcome, byId.get('AV-G-07')!.failures.join('; ')).toBe('pass');
    expect(byId.get('AV-G-10')!.outcome).toBe('pass');
  }, 60_000);

  it('as us buying from a Billie seller: Billie cases against the simulated westwind-carrier', async () => {
    const seller = gw.gateway.sellers.get('westwind-carrier');
    expect(seller, 'the test environment simulates westwind-carrier').toBeDefined();
    const run = await runCommand(gw, 'westwind-carrier', { 'base-url': seller!.url, functions: 'addressValidation' });
    expect(run.report).toMatchObject({ partner: 'westwind-carrier', release: 'billie', specRelease: 'billie' });
    const byId = new Map(run.report.cases.map((c) => [c.id, c]));
    // answered and judged against Billie's files: an unknown address id, a request without credentials
    for (const id of ['AV-B-07', 'AV-B-10']) expect(byId.get(id)!.outcome, `${id} ${byId.get(id)!.failures.join('; ')}`).toBe('pass');
  }, 60_000);

  it('a refused token stops the run before any case, saying why', async () => {
    let err = '';
    const code = await runConformanceCommand(
      { partner: 'acme-telecom', 'base-url': gw.url },
      {
        rootDir: REPO_ROOT,
        env: 'test',
        processEnv: { PARTNER_ACME_CLIENT_SECRET: 'wrong-secret' },
        specs,
        out: () => {},
        err: (s) => {
          err += s;
        },
      },
    );
    expect(code).toBe(1);
    expect(err).toMatch(/cannot get a token from http:\/\/127\.0\.0\.1:\d+\/oauth2\/token as client acme-telecom: HTTP 401 invalid_client/);
  });
});

describe('a deliberately broken Grace address validation mapping', () => {
  let broken: TestGateway;
  let project: ReturnType<typeof copyProject>;
  let run: Run;

  beforeAll(async () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/releases/grace/geographicAddressManagement/validation-create.response.jsonata');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/"validationResult":\s*[^,\n]+/, '"validationResult": "perhaps"');
    expect(edited, 'the mapping sets validationResult').not.toBe(text);
    writeFileSync(file, edited);
    broken = await startTestGateway({ rootDir: project.dir, allowSpecViolations: true });
    run = await runCommand(broken, 'acme-telecom', { functions: 'addressValidation' });
  }, 60_000);
  afterAll(async () => {
    await broken?.close();
    project?.cleanup();
  });

  it('makes the cases that read validationResult fail, naming expected vs actual and the spec violation', () => {
    expect(run.code).toBe(1);
    const byId = new Map(run.report.cases.map((c) => [c.id, c]));
    for (const id of ['AV-G-01', 'AV-G-02', 'AV-G-03', 'AV-G-04', 'AV-G-05']) {
      const c = byId.get(id)!;
      expect(c.outcome, id).toBe('fail');
      expect(c.failures, id).toContainEqual(
        expect.stringMatching(
          /^spec \(grace createGeographicAddressValidation\): \/validationResult must be one of "success", "partial", "fail"$/,
        ),
      );
    }
    expect(byId.get('AV-G-01')!.failures).toContain('/validationResult: expected "success", got "perhaps"');
    expect(byId.get('AV-G-02')!.failures).toContain('/validationResult: expected one of "partial", "fail", got "perhaps"');
    // cases that never see the broken field still pass: the failure is pinned where it is
    for (const id of ['AV-G-06', 'AV-G-07', 'AV-G-08', 'AV-G-09', 'AV-G-10']) expect(byId.get(id)!.outcome, id).toBe('pass');
    expect(run.out).toMatch(
      /^FAIL {2}addressValidation +AV-G-01 .*\n {6}spec \(grace createGeographicAddressValidation\): \/validationResult must be one of/m,
    );
    expect(run.out).toMatch(/FAILED: 5 of 10 case\(s\) failed/);
    expectJunitMatches(run.junit, run.report);
    expect(run.junit).toMatch(
      /<failure message="spec \(grace createGeographicAddressValidation\): \/validationResult must be one of &quot;success&quot;/,
    );
  });

  // skipped on a laptop without Chromium, never in CI (.ci/run installs it and sets SGW_REQUIRE_BROWSER)
  it.skipIf(!existsSync(CHROMIUM) && !process.env.SGW_REQUIRE_BROWSER)(
    'the HTML report shows the counts in Chromium, and a failed case expands to its reason (needs /usr/bin/chromium)',
    async () => {
      const { chromium } = await import('playwright-core');
      const htmlFile = join(outDir, 'broken.html');
      writeFileSync(htmlFile, run.html);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(`file://${htmlFile}`);
        const count = (name: string) => page.locator(`[data-count="${name}"]`).innerText();
        expect([await count('passed'), await count('failed'), await count('skipped'), await count('total')]).toEqual(['5', '5', '0', '10']);
        expect(await page.locator('tr[data-function="addressValidation"] td[data-col="failed"]').innerText()).toBe('5');

        const failed = page.locator('details[data-case="AV-G-01"]');
        const reason = failed.locator('[data-role="reason"]');
        expect(await reason.isVisible()).toBe(false);
        await failed.locator('summary').click();
        expect(await reason.isVisible()).toBe(true);
        expect(await reason.innerText()).toContain('/validationResult: expected "success", got "perhaps"');

        // the inline script filters to the failures
        await page.click('button[data-filter="fail"]');
        expect(await page.locator('details[data-case="AV-G-07"]').isVisible()).toBe(false);
        expect(await page.locator('details[data-case="AV-G-02"]').isVisible()).toBe(true);
        const png = await page.screenshot({ path: join(outDir, 'report.png') });
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        // nothing but the file itself was loaded
        expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
