import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyProject } from '../support/test-gateway.js';
import { configProblems as problemsOf, dropReleaseLock, editFile as edit, loadProjectRegistry as load } from '../support/registry-files.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

describe('registry problems name file:line:col', () => {
  it('an unknown release, a bad role and a missing secret in partner.yaml', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/acme-telecom/partner.yaml');
    edit(file, 'release: grace', 'release: gracy');
    edit(file, 'role: buyer', 'role: customer');
    const problems = problemsOf(() => load(project!.dir, {}));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^partners\/acme-telecom\/partner\.yaml:\d+:\d+ role: must be one of "buyer", "seller", "both"$/),
      ]),
    );
    edit(file, 'role: customer', 'role: buyer');
    const again = problemsOf(() => load(project!.dir, {}));
    expect(again).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^partners\/acme-telecom\/partner\.yaml:7:10 release: unknown release "gracy"/),
        expect.stringMatching(
          /partner\.yaml:\d+:\d+ credentials\.clientSecretEnv: environment variable PARTNER_ACME_CLIENT_SECRET is not set/,
        ),
      ]),
    );
  });

  it('policy.catalog: an unknown list or a repeated id is refused at file:line; a good one is kept as $policy for the mappings', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/globex-networks/partner.yaml');
    edit(file, 'categories: [ETH_ZUG]', 'families: [ELINE]');
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^partners\/globex-networks\/partner\.yaml:\d+:\d+ policy\.catalog.*families/)]),
    );
    edit(file, 'families: [ELINE]', 'offerings: [ELINE-STD, ELINE-STD]');
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^partners\/globex-networks\/partner\.yaml:\d+:\d+ policy\.catalog\.offerings/)]),
    );
    edit(file, 'offerings: [ELINE-STD, ELINE-STD]', 'offerings: [ELINE-STD]');
    expect(load(project.dir).partners.get('globex-networks')!.policy.catalog).toEqual({ offerings: ['ELINE-STD'] });
  });

  it('a legacyFieldPaths pattern whose [*] has no * in its pointer', () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/releases/grace/quoteManagement/api.yaml');
    edit(
      file,
      '/quoteItem/*/product/productConfiguration: "LINES[*].BW_MBPS"',
      '/quoteItem/0/product/productConfiguration: "LINES[*].BW_MBPS"',
    );
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^mappings\/releases\/grace\/quoteManagement\/api\.yaml:\d+:\d+ .*"LINES\[\*\]\.BW_MBPS" has 1 \[\*\] but its pointer \/quoteItem\/0\/product\/productConfiguration has 0 \* segments/,
        ),
      ]),
    );
  });

  it('legacyFieldPaths written the old way round, or naming a legacy field twice, is refused at file:line', () => {
    project = copyProject();
    const tt = join(project.dir, 'mappings/releases/grace/troubleTicket/api.yaml');
    edit(tt, '  /externalId: CUST_TT_REF\n', '  CUST_TT_REF: /externalId\n');
    const order = join(project.dir, 'mappings/releases/grace/productOrderingManagement/api.yaml');
    edit(order, '      /projectId: PROJECT_REF\n', '      /projectId: [PROJECT_REF, CUST_ORDER_REF]\n');
    const kylieSite = join(project.dir, 'mappings/releases/kylie/geographicSiteManagement/api.yaml');
    edit(kylieSite, '{ /place/fieldedAddressRepresentation/0/countryCode: COUNTRY }', '{ /place/0/countryCode: "COUNTRY CODE" }');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^mappings\/releases\/grace\/troubleTicket\/api\.yaml:\d+:\d+ legacyFieldPaths\.CUST_TT_REF: "CUST_TT_REF" is no JSON pointer: .*write it `\/externalId: CUST_TT_REF`/,
        ),
        expect.stringMatching(
          /^mappings\/releases\/grace\/productOrderingManagement\/api\.yaml:\d+:\d+ .*"CUST_ORDER_REF" is named under \/externalId too: a legacy field comes from one pointer/,
        ),
        expect.stringMatching(
          /^mappings\/releases\/kylie\/geographicSiteManagement\/api\.yaml:\d+:\d+ .*"COUNTRY CODE" is no legacy field name/,
        ),
      ]),
    );
  });

  it('cors.allowedOrigins: an origin with a path or a wildcard is refused at file:line; a good one is kept in lower case', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/globex-networks/partner.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}cors:\n  allowedOrigins: ['https://portal.globex.example/app', '*']\n`);
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^partners\/globex-networks\/partner\.yaml:\d+:\d+ cors\.allowedOrigins\S*: must match/),
      ]),
    );
    edit(file, "['https://portal.globex.example/app', '*']", "['https://Portal.Globex.example:8443']");
    expect(load(project.dir).partners.get('globex-networks')!.allowedOrigins).toEqual(['https://portal.globex.example:8443']);
  });

  it('limits: an API the partner does not speak, a zero quota, and a bad maxSubscriptions', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/globex-networks/partner.yaml');
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}limits:\n  default: { points: 0, durationSeconds: 1 }\n  perApi:\n    productOrdering: { points: 5, durationSeconds: 1 }\n`,
    );
    edit(file, /notifications:\n/, 'notifications:\n  maxSubscriptions: 0\n');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^partners\/globex-networks\/partner\.yaml:\d+:\d+ limits\.default\.points: must be >= 1/),
        expect.stringMatching(/^partners\/globex-networks\/partner\.yaml:\d+:\d+ notifications\.maxSubscriptions: must be >= 1/),
      ]),
    );
    edit(file, 'points: 0', 'points: 3');
    edit(file, 'maxSubscriptions: 0', 'maxSubscriptions: 5');
    expect(problemsOf(() => load(project!.dir))).toEqual([
      expect.stringMatching(
        /^partners\/globex-networks\/partner\.yaml:\d+:\d+ limits\.perApi\.productOrdering: no API "productOrdering" in the releases this partner speaks$/,
      ),
    ]);
    edit(file, 'productOrdering:', 'productOrderingManagement:');
    const partner = load(project.dir).partners.get('globex-networks')!;
    expect(partner.limits).toEqual({
      default: { points: 3, durationSeconds: 1 },
      perApi: { productOrderingManagement: { points: 5, durationSeconds: 1 } },
    });
    expect(partner.maxSubscriptions).toBe(5);
  });

  it('a JSONata syntax error names the mapping file, line and column', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/globex-networks/mappings/address-validation.request.jsonata');
    writeFileSync(file, '(\n  $x := 1;\n  { "a": $x + }\n)\n');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual([
      expect.stringMatching(/^partners\/globex-networks\/mappings\/address-validation\.request\.jsonata:3:\d+ S0\d{3} /),
    ]);
  });

  it('helper library: a syntax error in mappings/lib is refused at its file:line:col; a typo of a library function is unknown, with the library name suggested', () => {
    project = copyProject();
    edit(
      join(project.dir, 'mappings/lib/address.jsonata'),
      '$countryNameIn := function($name, $path) {',
      '$countryNameIn := function($name, $path) { $name + ;',
    );
    const broken = problemsOf(() => load(project!.dir));
    expect(broken[0]).toMatch(/^mappings\/lib\/address\.jsonata:\d+:\d+ S0\d{3} /);
    edit(
      join(project.dir, 'mappings/lib/address.jsonata'),
      '$countryNameIn := function($name, $path) { $name + ;',
      '$countryNameIn := function($name, $path) {',
    );
    const file = join(project.dir, 'mappings/releases/grace/productOrderingManagement/order.response.jsonata');
    edit(file, '$fieldedContactsOut(contacts)', '$fieldedContactOut(contacts)');
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('$fieldedContactOut')) + 1;
    expect(problemsOf(() => load(project!.dir))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^mappings/releases/grace/productOrderingManagement/order\\.response\\.jsonata:${line}:\\d+ unknown function \`\\$fieldedContactOut\`; did you mean \`\\$fieldedContactsOut\`\\?`,
        ),
      ),
    ]);
  });

  it('a mapping that is named but missing, and an operation the release does not have', () => {
    project = copyProject();
    const file = join(project.dir, 'partners/acme-telecom/partner.yaml');
    edit(file, 'mappings/address-validation.request.jsonata', 'mappings/gone.jsonata');
    edit(file, 'createGeographicAddressValidation:', 'listCimIncident:');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /partner\.yaml:\d+:\d+ mappings\.listCimIncident: no operation "listCimIncident" in the releases this partner speaks/,
        ),
        expect.stringMatching(/partner\.yaml:\d+:\d+ mappings\.listCimIncident\.request: mapping file not found: .*gone\.jsonata/),
      ]),
    );
  });

  it('a release operation naming an unknown legacy backend', () => {
    project = copyProject();
    // an inheriting operation that names its own backend
    edit(
      join(project.dir, 'mappings/releases/kylie/geographicAddressManagement/api.yaml'),
      'retrieveGeographicAddress: {inherit: true,',
      'retrieveGeographicAddress: {inherit: true, backend: address.fetch,',
    );
    expect(problemsOf(() => load(project!.dir))).toEqual([
      expect.stringMatching(
        /^mappings\/releases\/kylie\/geographicAddressManagement\/api\.yaml:\d+:\d+ operations\.retrieveGeographicAddress\.backend: unknown legacy operation "address\.fetch"/,
      ),
    ]);
  });

  it('a YAML syntax error and a partner folder without its profile', () => {
    project = copyProject();
    writeFileSync(join(project.dir, 'partners/acme-telecom/lookups/product-alias.yaml'), 'UNI: [unclosed\n');
    rmSync(join(project.dir, 'partners/globex-networks/partner.yaml'));
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^partners\/acme-telecom\/lookups\/product-alias\.yaml:\d+:\d+ /),
        expect.stringMatching(/^partners\/globex-networks partner folder without partner\.yaml/),
      ]),
    );
  });

  it('two partners with one clientId', () => {
    project = copyProject();
    edit(join(project.dir, 'partners/globex-networks/partner.yaml'), 'clientId: globex-networks', 'clientId: acme-telecom');
    expect(problemsOf(() => load(project!.dir))).toEqual([
      expect.stringMatching(/globex-networks\/partner\.yaml:\d+:\d+ credentials\.clientId: clientId "acme-telecom" is already used/),
    ]);
  });

  it('two partners with one externalSubject (the client id at an external IdP), and a partner without any credential', () => {
    project = copyProject();
    edit(
      join(project.dir, 'partners/acme-telecom/partner.yaml'),
      'clientId: acme-telecom',
      'clientId: acme-telecom\n  externalSubject: shared-idp-client',
    );
    edit(
      join(project.dir, 'partners/globex-networks/partner.yaml'),
      'clientId: globex-networks',
      'clientId: globex-networks\n  externalSubject: shared-idp-client',
    );
    edit(join(project.dir, 'partners/initech/partner.yaml'), '  clientSecretEnv: PARTNER_INITECH_CLIENT_SECRET\n', '');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toContainEqual(
      expect.stringMatching(
        /partner\.yaml:\d+:\d+ credentials\.externalSubject: externalSubject "shared-idp-client" is already used by partner "(acme-telecom|globex-networks)"/,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/initech\/partner\.yaml:\d+:\d+ credentials: give clientSecretEnv \(a client secret\), jwks or jwksUri/),
    );
    expect(problems).toHaveLength(2);
  });
});

describe("an API that inherits another release's operations (api.yaml `inherit`)", () => {
  it("Billie's quote API is Grace's operations under Billie's own version, each its own operation of the release", () => {
    project = copyProject();
    const registry = load(project.dir);
    const billie = registry.releases.get('billie')!.apis.get('quoteManagement')!;
    const grace = registry.releases.get('grace')!.apis.get('quoteManagement')!;
    expect(billie.version).toBe('v7');
    expect(billie.operations.map((o) => o.operationId)).toEqual(grace.operations.map((o) => o.operationId));
    for (const op of billie.operations) expect([op.release, op.version, op.apiName]).toEqual(['billie', 'v7', 'quoteManagement']);
    // the same files as Grace's, compiled from there
    const create = billie.operations.find((o) => o.operationId === 'createQuote')!;
    expect(create.request?.file).toMatch(/mappings\/releases\/grace\/quoteManagement\/quote-create\.request\.jsonata$/);
  });

  it('an own operation replaces the inherited one; `except` drops one', () => {
    project = copyProject();
    // a made-up path and a dropped operation: what the official files say (release.lock.yaml) is not this test's
    dropReleaseLock(project.dir, 'billie');
    writeFileSync(
      join(project.dir, 'mappings/releases/billie/geographicSiteManagement/api.yaml'),
      [
        'version: v7',
        'inherit: { from: ../../grace/geographicSiteManagement, except: [listGeographicSite] }',
        'operations:',
        '  retrieveGeographicSite: { method: GET, path: "/site/{id}", function: siteRetrieval, backend: site.get }',
      ].join('\n'),
    );
    const ops = load(project.dir).releases.get('billie')!.apis.get('geographicSiteManagement')!.operations;
    expect(ops.map((o) => [o.operationId, o.path])).toEqual([['retrieveGeographicSite', '/site/{id}']]);
  });

  it('problems name the inheriting file: a missing folder, an unknown excepted operation, a cycle', () => {
    project = copyProject();
    dropReleaseLock(project.dir, 'billie');
    const site = join(project.dir, 'mappings/releases/billie/geographicSiteManagement/api.yaml');
    writeFileSync(site, 'version: v7\ninherit: { from: ../../grace/geographicSites }\n');
    const quote = join(project.dir, 'mappings/releases/billie/quoteManagement/api.yaml');
    writeFileSync(quote, 'version: v7\ninherit:\n  from: ../../grace/quoteManagement\n  except: [orderQuote]\n');
    const poq = join(project.dir, 'mappings/releases/billie/productOfferingQualification/api.yaml');
    writeFileSync(poq, 'version: v7\ninherit:\n  from: ../productInventory\n');
    const inventory = join(project.dir, 'mappings/releases/billie/productInventory/api.yaml');
    writeFileSync(inventory, 'version: v7\ninherit:\n  from: ../productOfferingQualification\n');
    expect(problemsOf(() => load(project!.dir))).toEqual([
      'mappings/releases/billie/geographicSiteManagement/api.yaml:2:18 inherit.from: no api.yaml in mappings/releases/grace/geographicSites',
      // each file of the cycle, at its inherit.from, as met when that file is loaded
      'mappings/releases/billie/productOfferingQualification/api.yaml:3:9 inherit.from: mappings/releases/billie/productInventory/api.yaml inherits from this file in turn (mappings/releases/billie/productInventory/api.yaml -> mappings/releases/billie/productOfferingQualification/api.yaml -> mappings/releases/billie/productInventory/api.yaml)',
      'mappings/releases/billie/productInventory/api.yaml:3:9 inherit.from: mappings/releases/billie/productOfferingQualification/api.yaml inherits from this file in turn (mappings/releases/billie/productOfferingQualification/api.yaml -> mappings/releases/billie/productInventory/api.yaml -> mappings/releases/billie/productOfferingQualification/api.yaml)',
      'mappings/releases/billie/quoteManagement/api.yaml:4:11 inherit.except: "orderQuote" is not an operation of mappings/releases/grace/quoteManagement/api.yaml',
    ]);
  });

  it("a file inherited from may inherit in turn: a third release takes Kylie's operations, which Kylie took from Grace", () => {
    project = copyProject();
    const dir = join(project.dir, 'mappings/releases/lumen/quoteManagement');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(project.dir, 'mappings/releases/lumen/release.yaml'), 'release: lumen\nsdkFolder: lumen\n');
    writeFileSync(
      join(dir, 'api.yaml'),
      'version: v11\ninherit: { from: ../../kylie/quoteManagement, except: [retrieveHub] }\noperations:\n  retrieveQuote: { inherit: true, status: 200 }\n',
    );
    const registry = load(project.dir);
    const ops = (release: string) =>
      new Map(
        registry.releases
          .get(release)!
          .apis.get('quoteManagement')!
          .operations.map((o) => [o.operationId, o]),
      );
    const lumen = ops('lumen');
    const kylie = ops('kylie');
    expect([...lumen.keys()].sort()).toEqual([...kylie.keys()].filter((k) => k !== 'retrieveHub').sort());
    // Kylie's own files, Grace's files where Kylie took Grace's, Kylie's renames and this release's version
    expect(lumen.get('createQuote')!.request?.file).toBe('mappings/releases/kylie/quoteManagement/quote-create.request.jsonata');
    expect(lumen.get('retrieveQuote')!.response?.file).toBe(kylie.get('retrieveQuote')!.response?.file);
    expect(lumen.get('declineQuote')!.path).toBe('/declineQuote');
    expect(lumen.get('listQuote')!.response?.file).toBe(kylie.get('listQuote')!.response?.file);
    expect(lumen.get('listQuote')!.response?.file).toMatch(/^mappings\/releases\/grace\//);
    expect([lumen.get('createQuote')!.version, lumen.get('createQuote')!.release]).toEqual(['v11', 'lumen']);
  });
});

describe('inherit is the one way to reuse another release (refusals at file:line:col)', () => {
  it('an operation taken with `inherit: true` keeps the inherited fields and files, with the fields it writes replaced; `inherit: <name>` takes another one', () => {
    project = copyProject();
    const registry = load(project.dir);
    const ops = (release: string, api: string) =>
      new Map(
        registry.releases
          .get(release)!
          .apis.get(api)!
          .operations.map((o) => [o.operationId, o]),
      );
    const kylie = ops('kylie', 'quoteManagement');
    const grace = ops('grace', 'quoteManagement');
    const decline = kylie.get('declineQuote')!;
    const reject = grace.get('rejectQuote')!;
    expect([decline.path, decline.version, decline.release]).toEqual(['/declineQuote', 'v10', 'kylie']);
    expect([decline.request?.file, decline.response?.file]).toEqual([reject.request?.file, reject.response?.file]);
    expect(kylie.get('createQuote')!.request?.file).toBe('mappings/releases/kylie/quoteManagement/quote-create.request.jsonata');
    expect(ops('billie', 'quoteManagement').get('createQuote')!.bindings).toEqual({ termNameOptional: true });
  });

  it("a file path into another release's folder, a YAML anchor or alias, and an unknown inherited operation", () => {
    project = copyProject();
    const api = join(project.dir, 'mappings/releases/kylie/productInventory/api.yaml');
    writeFileSync(
      api,
      [
        'version: v8',
        'inherit: { from: ../../grace/productInventory }',
        'operations:',
        '  retrieveProduct:',
        '    inherit: true',
        '    response: ../../grace/productInventory/product.response.jsonata',
        '  listProduct: &same { inherit: true }',
        '  retrieveHub: *same',
        '  orderPizza: { inherit: true }',
        '',
      ].join('\n'),
    );
    const buyer = join(project.dir, 'mappings/buyer/releases/kylie/release.yaml');
    edit(
      buyer,
      'retrieveQuote: {inherit: true, response: quote.response.jsonata}',
      'retrieveQuote: {inherit: true, response: ../grace/quote.response.jsonata}',
    );
    const line =
      readFileSync(buyer, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('../grace/quote.response')) + 1;
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([
        `mappings/buyer/releases/kylie/release.yaml:${line}:44 operations.retrieveQuote.response: "../grace/quote.response.jsonata" is another release's file: take its operation with inherit (\`retrieveQuote: { inherit: true, ... }\` and inherit.from) instead`,
        'mappings/releases/kylie/productInventory/api.yaml:6:15 operations.retrieveProduct.response: "../../grace/productInventory/product.response.jsonata" is another release\'s file: take its operation with inherit (`retrieveProduct: { inherit: true, ... }` and inherit.from) instead',
        'mappings/releases/kylie/productInventory/api.yaml:7:22 YAML anchor or alias &same: write the value out, or take the operation with inherit',
        'mappings/releases/kylie/productInventory/api.yaml:8:16 YAML anchor or alias *same: write the value out, or take the operation with inherit',
        expect.stringMatching(
          /^mappings\/releases\/kylie\/productInventory\/api\.yaml:9:\d+ operations\.orderPizza\.inherit: "orderPizza" is not an operation of mappings\/releases\/grace\/productInventory\/api\.yaml/,
        ),
      ]),
    );
  });

  it('a mapping inherited by another release may not test $release (named at its first $release)', () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/releases/grace/quoteManagement/quote-create.request.jsonata');
    edit(file, '$not($termNameOptional = true) and $not($exists($t.name))', '$release != "billie" and $not($exists($t.name))');
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('$release != "billie"')) + 1;
    expect(problemsOf(() => load(project!.dir))).toEqual([
      `mappings/releases/grace/quoteManagement/quote-create.request.jsonata:${line}:5 a mapping of billie and grace (inherited) tests $release: put the difference in the heir's own mapping, a library function (mappings/lib) or the operation's bindings`,
    ]);
  });
});

describe("the buyer side's release inheritance (mappings/buyer/releases/<r>/release.yaml `inherit`)", () => {
  it("Billie takes Grace's seller operations under its own versions, with its own cancel and tickets", () => {
    project = copyProject();
    const buyer = load(project.dir).buyer;
    const billie = buyer.releases.get('billie')!;
    const grace = buyer.releases.get('grace')!;
    // all of Grace's but the APIs Billie does not have (Customer Bill Management came with Fergie, Appointment with Dolly)
    const notBillie = new Set([
      'findBills',
      'retrieveBill',
      'retrieveBillItem',
      'searchTimeSlots',
      'createAppointment',
      'retrieveAppointment',
      'cancelAppointment',
    ]);
    expect([...billie.operations.keys()].sort()).toEqual([...grace.operations.keys()].filter((k) => !notBillie.has(k)).sort());
    const quote = billie.operations.get('createQuote')!;
    expect([quote.version, quote.release]).toEqual(['v7', 'billie']);
    expect(quote.request?.file).toBe(grace.operations.get('createQuote')!.request?.file);
    const cancel = billie.operations.get('cancelOrder')!;
    expect(cancel.prefetch).toBe('retrieveOrder');
    expect(cancel.request?.file).toMatch(/mappings\/buyer\/releases\/billie\/order-cancel\.request\.jsonata$/);
    expect(grace.operations.get('cancelOrder')!.prefetch).toBeUndefined();
  });

  it("an inheriting operation's fieldPaths are a JSON Merge Patch of the inherited table: added, replaced, null removes", () => {
    project = copyProject();
    const releases = load(project.dir).buyer.releases;
    const grace = releases.get('grace')!.operations;
    const kylie = releases.get('kylie')!.operations;
    const order = kylie.get('createOrder')!.fieldPaths;
    // Grace's entries that hold for Kylie's body too
    expect(order['/externalId']).toBe('CUST_ORDER_REF');
    expect(order['/productOrderItem/*/product/place']).toBe('LINES[*].SELLER_ADDR_ID');
    // Kylie's MEF 150 place added; Grace's flat place removed, so a flat pointer maps as before (to the place)
    expect(order['/productOrderItem/*/product/place/0/place/fieldedAddressRepresentation/0/city']).toBe('LINES[*].TOWN');
    expect(order).not.toHaveProperty('/productOrderItem/*/product/place/0/city');
    const kylieOnly = Object.keys(order).filter((k) => !(k in grace.get('createOrder')!.fieldPaths));
    expect(Object.keys(order)).toHaveLength(Object.keys(grace.get('createOrder')!.fieldPaths).length - 3 + kylieOnly.length);
    const ticket = releases.get('billie')!.operations.get('createTicket')!.fieldPaths;
    expect(ticket).toEqual(
      Object.fromEntries(Object.entries(grace.get('createTicket')!.fieldPaths).filter(([k]) => k !== '/observedImpact')),
    );
  });

  it('a fieldPaths null that removes nothing is refused at its line: in an own operation, or for an entry the inherited table lacks', () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/buyer/releases/billie/release.yaml');
    edit(file, '/observedImpact: null', '/observedImpacts: null');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('/observedImpacts: null')) + 1;
    expect(problemsOf(() => load(project!.dir))).toEqual([
      `mappings/buyer/releases/billie/release.yaml:${at}:25 operations.createTicket.fieldPaths./observedImpacts: null removes an inherited entry, and the inherited createTicket has no "/observedImpacts"`,
    ]);
    edit(file, '/observedImpacts: null', '/observedImpact: null');
    const kylie = join(project.dir, 'mappings/buyer/releases/kylie/release.yaml');
    edit(kylie, '/submittedGeographicAddress/formattedAddressRepresentation: FREE_TEXT', '/submittedGeographicAddress/addrLine1: null');
    const kylieAt =
      readFileSync(kylie, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('/addrLine1: null')) + 1;
    expect(problemsOf(() => load(project!.dir))).toEqual([
      `mappings/buyer/releases/kylie/release.yaml:${kylieAt}:46 operations.validateAddress.fieldPaths./submittedGeographicAddress/addrLine1: null removes an inherited entry, and validateAddress inherits none (inherit: true)`,
    ]);
  });

  it('problems name file:line: a missing folder, an unknown excepted operation', () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/buyer/releases/billie/release.yaml');
    edit(file, 'inherit:\n  from: ../grace', 'inherit:\n  from: ../gracie');
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mappings\/buyer\/releases\/billie\/release\.yaml:\d+:\d+ inherit\.from: no release\.yaml in \.\.\/gracie$/),
      ]),
    );
    edit(file, 'inherit:\n  from: ../gracie', 'inherit:\n  from: ../grace');
    edit(file, 'except: [', 'except: [bookAppointment, ');
    expect(problemsOf(() => load(project!.dir)).join('\n')).toMatch(/billie\/release\.yaml:\d+:\d+ inherit\.except\.0: must be one of/);
  });
});

describe("versions are stated once: the release's lock (release.lock.yaml) gives them to notifications.yaml and the buyer side", () => {
  const lineOf = (file: string, text: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1;

  it('the shipped files state none, and get the lock versions', () => {
    project = copyProject();
    const registry = load(project.dir);
    expect(registry.releases.get('kylie')!.apis.get('quoteManagement')!.version).toBe('v10');
    const kylie = registry.buyer.releases.get('kylie')!;
    expect(kylie.operations.get('createQuote')!.version).toBe('v10');
    expect(kylie.listeners.get('quoteNotification')!.version).toBe('v10');
    expect(kylie.listeners.get('quoteNotification')!.apiVersion).toBe('v10');
    expect(registry.buyer.releases.get('billie')!.operations.get('createTicket')!.version).toBe('v1');
    const billieTickets = registry.notifications.get('billie')!.apis.get('troubleTicket')!;
    expect([billieTickets.version, billieTickets.notificationApi, billieTickets.notificationVersion]).toEqual([
      'v1',
      'troubleTicket',
      'v1',
    ]);
  });

  it('a version stated beside the lock must agree with it (file:line:col); one that agrees is allowed', () => {
    project = copyProject();
    const notifications = join(project.dir, 'mappings/releases/kylie/notifications.yaml');
    const buyer = join(project.dir, 'mappings/buyer/releases/kylie/release.yaml');
    edit(
      notifications,
      '    notificationApi: quoteNotification\n',
      '    notificationApi: quoteNotification\n    notificationVersion: v9\n',
    );
    edit(notifications, '    notificationApi: troubleTicketNotification\n', '    notificationApi: troubleTicketNotifications\n');
    edit(buyer, 'release: kylie\n', 'release: kylie\napis:\n  quoteManagement: v9\n  troubleTicket: v5\n');
    edit(buyer, '  quoteNotification:\n', '  quoteNotification:\n    version: v11\n');
    expect(problemsOf(() => load(project!.dir))).toEqual([
      `mappings/buyer/releases/kylie/release.yaml:${lineOf(buyer, 'quoteManagement: v9')}:20 apis.quoteManagement: quoteManagement is v10 in kylie's official files (release.lock.yaml), not v9; the version comes from the lock: drop it here`,
      `mappings/buyer/releases/kylie/release.yaml:${lineOf(buyer, 'version: v11')}:14 listeners.quoteNotification.version: quoteNotification is v10 in kylie's official files (release.lock.yaml), not v11; the version comes from the lock: drop it here`,
      `mappings/releases/kylie/notifications.yaml:${lineOf(notifications, 'notificationVersion: v9')}:26 apis.quoteManagement.notificationVersion: quoteNotification is v10 in kylie's official files (release.lock.yaml), not v9; the version comes from the lock: drop it here`,
      expect.stringMatching(
        new RegExp(
          `^mappings/releases/kylie/notifications\\.yaml:${lineOf(notifications, 'troubleTicketNotifications')}:\\d+ apis\\.troubleTicket\\.notificationApi: troubleTicketNotifications is not a notification API of kylie's official files \\(release\\.lock\\.yaml lists .*quoteNotification`,
        ),
      ),
    ]);
  });

  it('a release without a lock states the versions: without them its files are refused', () => {
    project = copyProject();
    rmSync(join(project.dir, 'mappings/releases/kylie/release.lock.yaml'));
    const notifications = join(project.dir, 'mappings/releases/kylie/notifications.yaml');
    expect(problemsOf(() => load(project!.dir))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^mappings\/releases\/kylie\/quoteManagement\/api\.yaml:\d+:\d+ missing required property "version" \(the release has no release\.lock\.yaml to take it from\)$/,
        ),
        expect.stringMatching(
          /^mappings\/buyer\/releases\/kylie\/release\.yaml:\d+:\d+ apis: API "quoteManagement" \(operation createQuote\) is not listed under apis$/,
        ),
        expect.stringMatching(
          /^mappings\/buyer\/releases\/kylie\/release\.yaml:\d+:\d+ listeners\.quoteNotification: give the version of quoteNotification: the release has no release\.lock\.yaml to take it from$/,
        ),
        expect.stringMatching(
          new RegExp(
            `^mappings/releases/kylie/notifications\\.yaml:${lineOf(notifications, 'notificationApi: quoteNotification')}:\\d+ apis\\.quoteManagement: missing required property "version"$`,
          ),
        ),
      ]),
    );
  });
});
