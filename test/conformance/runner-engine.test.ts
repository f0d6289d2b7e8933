// The conformance runner's parts without a gateway: expectations, templates, case-file checks, the judging and
// skipping rules against a scripted seller, and the report formats.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { loadConformanceSuite } from '../../src/conformance/runner/case-files.js';
import { fillTemplate, missingPlaceholders } from '../../src/conformance/runner/case-template.js';
import { createProgressReporter, formatSummaryTable } from '../../src/conformance/runner/console-output.js';
import { checkExpectations } from '../../src/conformance/runner/expectations.js';
import { escapeHtml, renderHtmlReport } from '../../src/conformance/runner/html-report.js';
import { renderJunitReport } from '../../src/conformance/runner/junit-report.js';
import { resolveConformanceTarget } from '../../src/conformance/runner/resolve-target.js';
import { runConformance, type ConformanceReport } from '../../src/conformance/runner/run-conformance.js';
import type { Exchange, SellerClient } from '../../src/conformance/runner/seller-client.js';
import { REPO_ROOT, SDK_DIR } from '../support/test-gateway.js';
import { parseXml } from './xml-parser.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR });
const tmp = mkdtempSync(join(tmpdir(), 'sgw-cases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
/** Writes case files into a fresh `<dir>/grace/` and loads them for Grace. */
function suiteOf(files: Record<string, string>, functions?: string[]) {
  const dir = join(tmp, `cases-${++fileNo}`);
  mkdirSync(join(dir, 'grace'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'grace', name), text);
  return loadConformanceSuite({
    casesDir: dir,
    family: 'grace',
    aliases: ['haley'],
    specs,
    specRelease: 'grace',
    functions,
  });
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | { error: string };

/** A seller that answers from a script keyed by "METHOD path" (queues are consumed in order, the last repeats). */
function scriptedSeller(script: Record<string, Answer[]>): SellerClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    baseUrl: 'http://seller.test',
    sent,
    token: async () => 'token',
    async send(request) {
      const key = `${request.method} ${request.path}`;
      sent.push(key);
      const queue = script[key];
      const answer = queue && (queue.length > 1 ? queue.shift()! : queue[0]!);
      const shown = {
        method: request.method,
        url: `http://seller.test${request.path}`,
        headers: {},
        ...(request.body !== undefined && { body: request.body }),
      };
      if (!answer)
        return {
          request: shown,
          response: {
            status: 404,
            headers: { 'content-type': 'application/json' },
            body: { code: 'notFound', reason: 'no such route' },
            json: true,
          },
          durationMs: 1,
        } satisfies Exchange;
      if ('error' in answer) return { request: shown, error: answer.error, durationMs: 1 };
      return {
        request: shown,
        response: {
          status: answer.status,
          headers: { 'content-type': 'application/json;charset=utf-8', ...answer.headers },
          ...(answer.body !== undefined && { body: answer.body }),
          json: true,
        },
        durationMs: 1,
      };
    },
  };
}

const AV = '/mefApi/sonata/geographicAddressManagement/v7';
const validation = (result: string) => ({
  provideAlternative: true,
  submittedGeographicAddress: { '@type': 'FieldedAddress', streetName: 'Main', city: 'Town', country: 'DE' },
  validationResult: result,
  bestMatchGeographicAddress: { '@type': 'FieldedAddress', id: 'A-1', streetName: 'Main', city: 'Town', country: 'DE' },
  alternateGeographicAddress: [],
});

const ADDRESS_CASES = `
function: addressValidation
api: geographicAddressManagement
vars: { street: Main }
cases:
  - id: AV-T-01
    title: validate
    kind: positive
    request:
      method: POST
      path: /geographicAddressValidation
      body: { provideAlternative: true, submittedGeographicAddress: { "@type": FieldedAddress, streetName: "\${street}", city: Town, country: DE } }
    expect:
      status: 200
      operationId: createGeographicAddressValidation
      values: { /validationResult: success }
    capture: { addressId: /bestMatchGeographicAddress/id }
  - id: AV-T-02
    title: retrieve
    kind: positive
    request: { method: GET, path: "/geographicAddress/\${addressId}" }
    expect: { status: 200, operationId: retrieveGeographicAddress, values: { /id: "\${addressId}" } }
  - id: AV-T-03
    title: unknown id
    kind: negative
    request: { method: GET, path: /geographicAddress/NOPE }
    expect: { status: 404, operationId: retrieveGeographicAddress, error: { code: notFound } }
`;

describe('expectations at JSON pointers', () => {
  const body = {
    state: 'done.ready',
    items: [
      { id: 'a', state: 'done' },
      { id: 'b', state: 'done' },
    ],
    empty: [],
    nothing: null,
  };

  it('checks exact, one-of, present/absent, regex, minItems and contains, with readable lines', () => {
    expect(
      checkExpectations(body, {
        '/state': 'done.ready',
        '/items/*/state': { oneOf: ['done', 'rejected'] },
        '/nothing': { present: true },
        '/missing': { absent: true },
        '/items/0/id': { matches: '^[a-z]$' },
        '/items': { minItems: 2, contains: { '/id': 'b' } },
      }),
    ).toEqual([]);
    expect(
      checkExpectations(body, {
        '/state': 'inProgress',
        '/items/*/state': { oneOf: ['rejected'] },
        '/missing': { present: true },
        '/state ': { absent: true },
        '/items': { contains: { '/id': 'c' } },
        '/empty': { minItems: 1 },
      }),
    ).toEqual([
      '/state: expected "inProgress", got "done.ready"',
      '/items/0/state: expected one of "rejected", got "done"',
      '/items/1/state: expected one of "rejected", got "done"',
      '/missing: expected present, but nothing is there',
      '/items: expected an element with /id = "c"; none of 2 matches',
      '/empty: expected an array of at least 1 item(s), got 0 item(s)',
    ]);
  });

  it('a wildcard over an empty list holds, unless presence is asked for', () => {
    expect(checkExpectations([], { '/*/status': 'active' })).toEqual([]);
    expect(checkExpectations([], { '/*/status': { present: true } })).toEqual(['/*/status: expected present, but nothing is there']);
    expect(checkExpectations({ a: 1 }, { '/a': { absent: true } })).toEqual(['/a: expected absent, got 1']);
  });
});

describe('templates', () => {
  it('fills captured values (keeping their type when the string is only the placeholder) and the clock', () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    expect(fillTemplate({ n: '${count}', s: 'id-${count}', d: '${now+2d}', o: '${obj}' }, { count: 3, obj: { a: 1 } }, now)).toEqual({
      n: 3,
      s: 'id-3',
      d: '2030-01-03T00:00:00.000Z',
      o: { a: 1 },
    });
    expect(missingPlaceholders({ path: '/quote/${quoteId}', at: '${now-1h}' }, {})).toEqual(['quoteId']);
    expect(() => fillTemplate('${nobody}', {})).toThrow('no value for ${nobody}');
  });
});

describe('case files', () => {
  it('load with the file vars, the API base of the release and file:line sources', () => {
    const suite = suiteOf({ 'av.yaml': ADDRESS_CASES });
    const c = suite.files[0]!.cases[0]!;
    expect(c).toMatchObject({
      id: 'AV-T-01',
      function: 'addressValidation',
      apiBase: '/mefApi/sonata/geographicAddressManagement/v7',
      releases: ['grace', 'haley'],
    });
    expect(c.source).toMatch(/av\.yaml:6$/);
  });

  it('refuse every problem at once, each at its file:line', () => {
    const bad = `
function: addressValidation
api: geographicAddressManagement
cases:
  - id: X-T-01
    title: wrong operation
    kind: positive
    request: { method: GET, path: /geographicAddress/1 }
    expect: { status: 200, operationId: createGeographicAddressValidation }
  - id: X-T-01
    title: duplicate id, undeclared status, unknown placeholder
    kind: positive
    request: { method: GET, path: "/geographicAddress/\${nobody}" }
    expect: { status: 409, operationId: retrieveGeographicAddress }
  - id: X-T-03
    title: negative without its error, operation not in the spec
    kind: negative
    request: { method: GET, path: /x }
    expect: { status: 404, operationId: retrieveNothing }
`;
    let error: ConfigError | undefined;
    try {
      suiteOf({ 'bad.yaml': bad });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = error!.message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /bad\.yaml:9:\d+ cases\.0\.expect\.operationId: "createGeographicAddressValidation" is POST \/geographicAddressValidation, but the request is GET \/geographicAddress\/1/,
        ),
        expect.stringMatching(/bad\.yaml:10:\d+ cases\.1\.id: case id X-T-01 is already used at .*bad\.yaml:5/),
        expect.stringMatching(/bad\.yaml:14:\d+ cases\.1\.expect\.status: status 409 is not declared for retrieveGeographicAddress/),
        expect.stringMatching(/bad\.yaml:13:\d+ cases\.1\.request: \$\{nobody\} is neither captured/),
        expect.stringMatching(/cases\.2\.expect\.operationId: operationId "retrieveNothing" is not in geographicAddressManagement v7/),
        expect.stringMatching(/cases\.2\.expect: a negative case names the Sonata error it expects/),
      ]),
    );
  });

  it('keep only the cases of the release asked for', () => {
    const text = ADDRESS_CASES.replace('    title: unknown id\n', '    title: unknown id\n    releases: [haley]\n');
    expect(suiteOf({ 'av.yaml': text }).files[0]!.cases.map((c) => c.id)).toEqual(['AV-T-01', 'AV-T-02']);
  });
});

describe('running a suite against a scripted seller', () => {
  it('passes conformant answers and fails a spec violation, naming the path', async () => {
    const seller = scriptedSeller({
      [`POST ${AV}/geographicAddressValidation`]: [{ status: 200, body: validation('success') }],
      [`GET ${AV}/geographicAddress/A-1`]: [
        { status: 200, body: { '@type': 'FieldedAddress', id: 'A-1', streetName: 'Main', city: 'Town', country: 42 } },
      ],
      [`GET ${AV}/geographicAddress/NOPE`]: [{ status: 404, body: { code: 'notFound', reason: 'unknown' } }],
    });
    const report = await runConformance({
      suite: suiteOf({ 'av.yaml': ADDRESS_CASES }),
      client: seller,
      specs,
      partner: 'p',
    });
    expect(report.cases.map((c) => `${c.id} ${c.outcome}`)).toEqual(['AV-T-01 pass', 'AV-T-02 fail', 'AV-T-03 pass']);
    expect(report.cases[1]!.failures).toEqual(['spec (grace retrieveGeographicAddress): /country must be string']);
    expect(report.cases[1]!.expected).toContain('/id = "A-1"');
    expect(report.totals).toEqual({ passed: 2, failed: 1, skipped: 0, total: 3 });
  });

  it('skips a whole function whose first case is answered 404 or 501, with the reason', async () => {
    const seller = scriptedSeller({
      [`POST ${AV}/geographicAddressValidation`]: [{ status: 501, body: { code: 'notImplemented', reason: 'not offered' } }],
    });
    const report = await runConformance({
      suite: suiteOf({ 'av.yaml': ADDRESS_CASES }),
      client: seller,
      specs,
      partner: 'p',
    });
    expect(report.cases.map((c) => c.outcome)).toEqual(['skip', 'skip', 'skip']);
    expect(report.cases[2]!.reason).toBe(
      'addressValidation is not offered by this seller: its first case AV-T-01 was answered 501 (notImplemented not offered)',
    );
    expect(seller.sent).toHaveLength(1);
  });

  it('skips a case whose captured value never came, and fails on a transport error', async () => {
    const seller = scriptedSeller({
      [`POST ${AV}/geographicAddressValidation`]: [{ status: 200, body: { ...validation('fail'), bestMatchGeographicAddress: undefined } }],
      [`GET ${AV}/geographicAddress/NOPE`]: [{ error: 'connect ECONNREFUSED' }],
    });
    const report = await runConformance({
      suite: suiteOf({ 'av.yaml': ADDRESS_CASES }),
      client: seller,
      specs,
      partner: 'p',
    });
    expect(report.cases[0]).toMatchObject({
      outcome: 'fail',
      reason: '/validationResult: expected "success", got "fail"',
    });
    expect(report.cases[1]).toMatchObject({
      outcome: 'skip',
      reason: 'needs ${addressId} (captured by AV-T-01, which did not yield it)',
    });
    expect(report.cases[2]).toMatchObject({ outcome: 'fail', reason: 'no answer: connect ECONNREFUSED' });
  });

  const POQ = '/mefApi/sonata/productOfferingQualification/v7';
  const poq = (state: string) => ({
    id: 'P-1',
    state,
    instantSyncQualification: false,
    relatedContactInformation: [{ role: 'r', name: 'n', number: '1', emailAddress: 'a@b.c' }],
    productOfferingQualificationItem: [
      { id: '1', action: 'add', state: state === 'done.ready' ? 'done.ready' : 'inProgress', product: {} },
    ],
  });
  const DEFERRED = (extra: string) => `
function: productOfferingQualification
api: productOfferingQualification
cases:
  - id: POQ-T-01
    title: deferred
    kind: positive
    request: { method: POST, path: /productOfferingQualification, body: {} }
    expect: { status: 201, operationId: createProductOfferingQualification }
    capture: { poqId: /id }
    eventually:
      request: { method: GET, path: "/productOfferingQualification/\${poqId}" }
      operationId: retrieveProductOfferingQualification
      until: { /state: done.ready }
${extra}
  - id: POQ-T-02
    title: optional list
    kind: positive
    optional: true
    request: { method: GET, path: /productOfferingQualification }
    expect: { status: 200, operationId: listProductOfferingQualification }
`;

  it('polls an eventually check until the state is reached, then passes; an optional 501 is a skip', async () => {
    const seller = scriptedSeller({
      [`POST ${POQ}/productOfferingQualification`]: [{ status: 201, body: poq('acknowledged') }],
      [`GET ${POQ}/productOfferingQualification/P-1`]: [
        { status: 200, body: poq('inProgress') },
        { status: 200, body: poq('inProgress') },
        { status: 200, body: poq('done.ready') },
      ],
      [`GET ${POQ}/productOfferingQualification`]: [{ status: 501, body: { code: 'notImplemented', reason: 'no list' } }],
    });
    const waits: number[] = [];
    const report = await runConformance({
      suite: suiteOf({ 'poq.yaml': DEFERRED('      intervalMs: 100') }),
      client: seller,
      specs,
      partner: 'p',
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(report.cases[0]).toMatchObject({ outcome: 'pass' });
    expect(report.cases[0]!.exchanges.map((x) => x.response?.status)).toEqual([201, 200]);
    expect(waits).toEqual([100, 100]);
    expect(report.cases[1]).toMatchObject({
      outcome: 'skip',
      reason: 'optional operation not offered by this seller: answered 501 (notImplemented no list)',
    });
  });

  it('fails an eventually check that is still not there after its bounded number of polls', async () => {
    const seller = scriptedSeller({
      [`POST ${POQ}/productOfferingQualification`]: [{ status: 201, body: poq('acknowledged') }],
      [`GET ${POQ}/productOfferingQualification/P-1`]: [{ status: 200, body: poq('inProgress') }],
    });
    const report = await runConformance({
      suite: suiteOf({ 'poq.yaml': DEFERRED('      timeoutMs: 1000\n      intervalMs: 250') }),
      client: seller,
      specs,
      partner: 'p',
      sleep: async () => {},
    });
    expect(report.cases[0]!.outcome).toBe('fail');
    expect(report.cases[0]!.failures).toEqual([
      'eventually (still after 5 poll(s) in 1000 ms): /state: expected "done.ready", got "inProgress"',
    ]);
  });
});

function sampleReport(): ConformanceReport {
  const req = { method: 'GET', url: 'http://s/x', headers: {} };
  return {
    partner: 'p',
    release: 'grace',
    specRelease: 'grace',
    baseUrl: 'http://s',
    startedAt: '2030-01-01T00:00:00.000Z',
    durationMs: 12,
    cases: [
      {
        id: 'A-T-01',
        title: 'ok <b>',
        function: 'fnA',
        kind: 'positive',
        source: 'f.yaml:1',
        outcome: 'pass',
        failures: [],
        expected: ['status 200'],
        exchanges: [{ request: req, response: { status: 200, headers: {}, body: { a: 1 }, json: true }, durationMs: 3 }],
        durationMs: 3,
      },
      {
        id: 'A-T-02',
        title: 'bad & "quoted"',
        function: 'fnA',
        kind: 'negative',
        source: 'f.yaml:9',
        outcome: 'fail',
        reason: 'x \u0001 <y>',
        failures: ['x \u0001 <y>'],
        expected: ['status 404'],
        exchanges: [{ request: req, error: 'refused', durationMs: 1 }],
        durationMs: 1,
      },
      {
        id: 'B-T-01',
        title: 'skipped',
        function: 'fnB',
        kind: 'positive',
        source: 'g.yaml:1',
        outcome: 'skip',
        reason: 'not offered',
        failures: [],
        expected: [],
        exchanges: [],
        durationMs: 0,
      },
    ],
    functions: [
      { function: 'fnA', passed: 1, failed: 1, skipped: 0, durationMs: 4 },
      { function: 'fnB', passed: 0, failed: 0, skipped: 1, durationMs: 0 },
    ],
    totals: { passed: 1, failed: 1, skipped: 1, total: 3 },
    errata: [
      {
        id: 'x-erratum',
        releases: ['grace'],
        api: 'fnApi',
        schema: 'Thing<_Find>',
        notRequired: ['when'],
        why: 'the file says <when> is set only once it happened',
        source: 'e.yaml:3',
      },
    ],
  };
}

describe('report formats', () => {
  it('JUnit XML escapes markup and drops characters XML cannot hold', () => {
    const root = parseXml(renderJunitReport(sampleReport()));
    const failure = root.children[0]!.children.find((c) => c.name === 'testcase' && c.attributes.name === 'A-T-02 bad & "quoted"')!
      .children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attributes.message).toBe('x \uFFFD <y>');
    expect(root.children[1]!.children.find((c) => c.name === 'testcase')!.children[0]).toMatchObject({
      name: 'skipped',
      attributes: { message: 'not offered' },
    });
  });

  it('HTML escapes every value taken from the seller or the cases', () => {
    const html = renderHtmlReport(sampleReport());
    expect(html).toContain('ok &lt;b&gt;');
    expect(html).not.toContain('<y>');
    expect(escapeHtml(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
    // the errata the answers were checked with are listed, with their reason
    expect(html).toContain(
      '<li data-erratum="x-erratum"><b>x-erratum</b>: fnApi <code>Thing&lt;_Find&gt;</code> does not require <code>when</code>. the file says &lt;when&gt; is set only once it happened</li>',
    );
  });

  it('progress is one line per case; a TTY also gets a counter rewritten in place', () => {
    const report = sampleReport();
    let plain = '';
    const p = createProgressReporter({
      write: (s) => {
        plain += s;
      },
    });
    p.onStart!({ total: 3, partner: 'p', release: 'grace', baseUrl: 'http://s' });
    report.cases.forEach((c, i) => p.onCaseDone!(c, i));
    expect(plain.split('\n').filter((l) => /^(PASS|FAIL|SKIP)/.test(l))).toHaveLength(3);
    expect(plain).not.toContain('\r');
    let tty = '';
    const t = createProgressReporter({
      write: (s) => {
        tty += s;
      },
      tty: true,
      color: false,
    });
    t.onStart!({ total: 3, partner: 'p', release: 'grace', baseUrl: 'http://s' });
    t.onCaseDone!(report.cases[0]!, 0);
    expect(tty).toContain('\r\u001b[2KPASS  fnA');
    expect(tty.endsWith('[1/3] 1 passed, 0 failed, 0 skipped')).toBe(true);
    expect(formatSummaryTable(report)).toMatch(
      /fnA +1 +1 +0 +4\nfnB +0 +0 +1 +0\n.*\ntotal +1 +1 +1 +12\n\nvalidated with 1 spec erratum\/errata \(mappings\/spec-errata.yaml says why\):\n {2}x-erratum: fnApi Thing<_Find> does not require when \(e.yaml:3\)\n\nFAILED: 1 of 3 case\(s\) failed/,
    );
  });
});

describe('who the run acts as', () => {
  const root = join(tmp, 'project');
  mkdirSync(join(root, 'partners', 'upstream-co'), { recursive: true });
  mkdirSync(join(root, 'config'), { recursive: true });
  writeFileSync(
    join(root, 'partners', 'upstream-co', 'partner.yaml'),
    [
      'id: upstream-co',
      'role: seller',
      'release: haley',
      'seller: { baseUrl: "https://sonata.upstream.example", tokenUrl: "https://auth.upstream.example/token", clientId: our-client, clientSecretEnv: UPSTREAM_SECRET, scope: "a b" }',
    ].join('\n'),
  );
  writeFileSync(join(root, 'config', 'demo.env'), 'UPSTREAM_SECRET=from-env-file\n');
  const withReleases = { rootDir: root };
  mkdirSync(join(root, 'mappings', 'releases', 'grace'), { recursive: true });
  writeFileSync(join(root, 'mappings', 'releases', 'grace', 'release.yaml'), 'release: grace\naliases: [haley]\nsdkFolder: grace\n');

  it('a partner we buy from: its seller section, release alias resolved to the family', () => {
    const t = resolveConformanceTarget({ ...withReleases, partnerId: 'upstream-co', env: 'demo', processEnv: {} });
    expect(t).toMatchObject({
      side: 'seller',
      baseUrl: 'https://sonata.upstream.example',
      tokenUrl: 'https://auth.upstream.example/token',
      clientId: 'our-client',
      clientSecret: 'from-env-file',
      scope: 'a b',
      release: 'haley',
      family: 'grace',
      specRelease: 'grace',
    });
    expect(
      resolveConformanceTarget({
        ...withReleases,
        partnerId: 'upstream-co',
        env: 'demo',
        processEnv: { UPSTREAM_SECRET: 'from-process' },
      }).clientSecret,
    ).toBe('from-process');
  });

  it('a simulated (embedded) seller: --base-url is required and its token endpoint hangs below it', () => {
    writeFileSync(
      join(root, 'partners', 'upstream-co', 'partner.yaml'),
      [
        'id: upstream-co',
        'role: seller',
        'release: grace',
        'seller: { baseUrl: embedded, tokenUrl: embedded, clientId: our-client, clientSecretEnv: UPSTREAM_SECRET }',
      ].join('\n'),
    );
    expect(() => resolveConformanceTarget({ ...withReleases, partnerId: 'upstream-co', env: 'demo', processEnv: {} })).toThrow(
      /seller base URL is "embedded": give --base-url/,
    );
    expect(
      resolveConformanceTarget({
        ...withReleases,
        partnerId: 'upstream-co',
        baseUrl: 'http://127.0.0.1:4000/',
        env: 'demo',
        processEnv: {},
      }),
    ).toMatchObject({ baseUrl: 'http://127.0.0.1:4000/', tokenUrl: 'http://127.0.0.1:4000/oauth2/token' });
  });

  it('one of our partners: token from <base-url>/oauth2/token with its own credentials; no base URL is an error', () => {
    const t = resolveConformanceTarget({
      rootDir: REPO_ROOT,
      partnerId: 'acme-telecom',
      baseUrl: 'http://localhost:8080/',
      env: 'demo',
      processEnv: {},
    });
    expect(t).toMatchObject({
      side: 'partner',
      baseUrl: 'http://localhost:8080',
      tokenUrl: 'http://localhost:8080/oauth2/token',
      clientId: 'acme-telecom',
      release: 'grace',
      buyerId: 'ACME-DE-0042',
    });
    expect(() => resolveConformanceTarget({ rootDir: REPO_ROOT, partnerId: 'acme-telecom', env: 'demo', processEnv: {} })).toThrow(
      /give --base-url/,
    );
    expect(() =>
      resolveConformanceTarget({
        rootDir: REPO_ROOT,
        partnerId: 'nobody',
        baseUrl: 'http://x',
        env: 'demo',
        processEnv: {},
      }),
    ).toThrow(/unknown partner "nobody" \(known: .*acme-telecom/);
    expect(() =>
      resolveConformanceTarget({
        rootDir: REPO_ROOT,
        partnerId: 'acme-telecom',
        baseUrl: 'http://x',
        release: 'dolly',
        env: 'demo',
        processEnv: {},
      }),
    ).toThrow(/unknown release "dolly"/);
  });
});

describe('the CLI command', () => {
  it('needs --partner (usage error 2) and lists the command in the usage text', async () => {
    let err = '';
    let out = '';
    expect(
      await runCli(['conformance', '--base-url', 'http://localhost:1'], {
        out: () => {},
        err: (s) => {
          err += s;
        },
      }),
    ).toBe(2);
    expect(err).toMatch(/conformance needs --partner/);
    expect(
      await runCli(['--help'], {
        out: (s) => {
          out += s;
        },
        err: () => {},
      }),
    ).toBe(0);
    expect(out).toMatch(/conformance --base-url URL --partner P/);
  });
});
