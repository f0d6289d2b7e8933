import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Product Catalog served from the legacy BSS's own sales catalogue (simulators/data/legacy-bss/catalogue.yaml): Grace v2
 * for ACME (no catalogue policy: the whole catalogue), Kylie v4 for Globex (policy.catalog: the Ethernet-Zugang
 * category only). Every answer is checked against the official spec here, and
 * the test gateway's spec guard fails the suite on any violation besides.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR });
const GRACE = '/mefApi/sonata/productCatalog/v2';
const KYLIE = '/mefApi/sonata/productCatalog/v4';

function expectSpecValid(release: SonataRelease, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, 'productCatalog')!.operationById(operationId)!;
  expect(op, `${release} ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

/** A list answer: 200, spec-valid, with the pagination headers; returns the ids in order. */
function expectList(
  release: SonataRelease,
  operationId: string,
  res: { status: number; headers: Headers; body: any },
  total: number,
): string[] {
  expect(res.status).toBe(200);
  expectSpecValid(release, operationId, 200, res.body);
  expect(res.headers.get('x-total-count')).toBe(String(total));
  expect(res.headers.get('x-result-count')).toBe(String(res.body.length));
  return (res.body as Array<{ id: string }>).map((o) => o.id);
}

let gw: TestGateway;
let acme: string;
let globex: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
}, 60_000); // the whole gateway starts: slow on a loaded machine
afterAll(async () => {
  await gw.close();
});

describe('Grace productOffering from the legacy catalogue', () => {
  it('lists every offering in code order, paged, with the pagination headers', async () => {
    const all = expectList('grace', 'listProductOffering', await gw.call('GET', `${GRACE}/productOffering`, { token: acme }), 5);
    expect(all).toEqual(['DIA-BUSINESS', 'DIA-LEGACY', 'ELINE-STD', 'ELINE-UK', 'UNI-PORT']);
    const page = expectList(
      'grace',
      'listProductOffering',
      await gw.call('GET', `${GRACE}/productOffering?offset=2&limit=2`, { token: acme }),
      5,
    );
    expect(page).toEqual(['ELINE-STD', 'ELINE-UK']);
  });

  it('filters on status, country, category, specification, name and last update', async () => {
    const ids = async (query: string, total: number) =>
      expectList('grace', 'listProductOffering', await gw.call('GET', `${GRACE}/productOffering?${query}`, { token: acme }), total);
    expect(await ids('lifecycleStatus=endOfSale', 1)).toEqual(['DIA-LEGACY']);
    // the parameter's own `pilotBeta` is the schema's `inTest`
    expect(await ids('lifecycleStatus=pilotBeta', 1)).toEqual(['ELINE-UK']);
    expect(await ids('region.country=GB', 2)).toEqual(['ELINE-UK', 'UNI-PORT']);
    expect(await ids('category.id=IP&limit=1', 2)).toEqual(['DIA-BUSINESS']);
    expect(await ids('productSpecification.id=SP_ELINE', 2)).toEqual(['ELINE-STD', 'ELINE-UK']);
    expect(await ids('name=zugangsleitung', 2)).toEqual(['ELINE-STD', 'ELINE-UK']);
    expect(await ids('marketSegment=enterprise', 1)).toEqual(['DIA-BUSINESS']);
    expect(await ids('lastUpdate.gt=2026-02-01T00:00:00Z', 3)).toEqual(['DIA-BUSINESS', 'DIA-LEGACY', 'ELINE-UK']);
    expect(await ids('region.country=JP', 0)).toEqual([]);
  });

  it('retrieves one offering with the BSS data in Sonata terms', async () => {
    const res = await gw.call('GET', `${GRACE}/productOffering/ELINE-UK`, { token: acme });
    expect(res.status).toBe(200);
    expectSpecValid('grace', 'retrieveProductOffering', 200, res.body);
    expect(res.body).toMatchObject({
      id: 'ELINE-UK',
      name: 'Ethernet-Zugangsleitung Vereinigtes Königreich',
      lifecycleStatus: 'inTest',
      statusReason: 'Pilotbetrieb mit ausgewählten Carriern bis Ende Q2/2026',
      region: [{ country: 'GB' }],
      category: [{ id: 'ETH_ZUG' }],
      productSpecification: { id: 'SP_ELINE' },
      lastUpdate: '2026-03-02T10:15:00.000Z',
      // valid from 01.03.2026 to 30.06.2026, Berlin days
      statusTransition: [
        { transitionDate: '2026-02-28T23:00:00.000Z', transitionLifecycleStatus: 'inTest' },
        { transitionDate: '2026-06-29T22:00:00.000Z', transitionLifecycleStatus: 'endOfSale' },
      ],
    });
    expect(res.body.productOfferingTerm.map((t: { duration: { amount: number } }) => t.duration.amount)).toEqual([12, 36]);
    expect(JSON.parse(res.body.productOfferingSpecification.schema).properties.bandwidthMbps.enum).toEqual([100, 200, 500, 1000]);
  });

  it('answers 404 for an unknown offering, and for an id longer than any BSS code', async () => {
    for (const id of ['NOPE', 'X'.repeat(40)]) {
      const res = await gw.call('GET', `${GRACE}/productOffering/${id}`, { token: acme });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('notFound');
      expectSpecValid('grace', 'retrieveProductOffering', 404, res.body);
    }
  });

  it('refuses a bad query with 400 invalidQuery', async () => {
    for (const query of ['lifecycleStatus=launched', 'region.country=Germany', 'lastUpdate.gt=yesterday', 'color=blue']) {
      const res = await gw.call('GET', `${GRACE}/productOffering?${query}`, { token: acme });
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe('invalidQuery');
    }
  });
});

describe('Grace categories and product specifications', () => {
  it('lists categories (parent filter, paging) and retrieves one with its sub-categories and offerings', async () => {
    expect(expectList('grace', 'listCategory', await gw.call('GET', `${GRACE}/category`, { token: acme }), 3)).toEqual([
      'ETH',
      'ETH_ZUG',
      'IP',
    ]);
    expect(
      expectList('grace', 'listCategory', await gw.call('GET', `${GRACE}/category?parentCategory.id=ETH`, { token: acme }), 1),
    ).toEqual(['ETH_ZUG']);
    const res = await gw.call('GET', `${GRACE}/category/ETH`, { token: acme });
    expect(res.status).toBe(200);
    expectSpecValid('grace', 'retrieveCategory', 200, res.body);
    expect(res.body).toMatchObject({
      name: 'Ethernet-Dienste',
      subCategory: [{ id: 'ETH_ZUG' }],
      productOffering: [{ id: 'UNI-PORT' }],
    });
    expect((await gw.call('GET', `${GRACE}/category/NOPE`, { token: acme })).status).toBe(404);
  });

  it('lists specifications by status and retrieves one naming its MEF schema', async () => {
    expect(
      expectList(
        'grace',
        'listProductSpecification',
        await gw.call('GET', `${GRACE}/productSpecification?lifecycleStatus=published&limit=1`, { token: acme }),
        3,
      ),
    ).toEqual(['SP_DIA']);
    expect(
      expectList(
        'grace',
        'listProductSpecification',
        await gw.call('GET', `${GRACE}/productSpecification?lifecycleStatus=obsolete`, { token: acme }),
        0,
      ),
    ).toEqual([]);
    const res = await gw.call('GET', `${GRACE}/productSpecification/SP_ELINE`, { token: acme });
    expect(res.status).toBe(200);
    expectSpecValid('grace', 'retrieveProductSpecification', 200, res.body);
    expect(res.body.sourceSchema).toEqual({ schemaLocation: 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all' });
    expect((await gw.call('GET', `${GRACE}/productSpecification/SP_NONE`, { token: acme })).status).toBe(404);
  });
});

describe("Kylie v4 wire, with the partner's catalogue policy", () => {
  it('lists only the offerings the policy allows, in Kylie terms', async () => {
    const res = await gw.call('GET', `${KYLIE}/productOffering`, { token: globex });
    expect(expectList('kylie', 'listProductOffering', res, 3)).toEqual(['ELINE-STD', 'ELINE-UK', 'UNI-PORT']);
    expect(res.body[0]).toMatchObject({
      lifecycleStatus: 'launched',
      isBundle: false,
      isSellable: true,
      region: [{ countryCode: 'DE' }, { countryCode: 'CH' }, { countryCode: 'FR' }, { countryCode: 'NL' }],
    });
    expect(
      expectList(
        'kylie',
        'listProductOffering',
        await gw.call('GET', `${KYLIE}/productOffering?lifecycleStatus=launched&region.countryCode=GB`, {
          token: globex,
        }),
        1,
      ),
    ).toEqual(['UNI-PORT']);
    expect(
      expectList('kylie', 'listProductOffering', await gw.call('GET', `${KYLIE}/productOffering?isBundle=true`, { token: globex }), 0),
    ).toEqual([]);
    // a category the policy hides from Globex lists none of its offerings
    const ip = await gw.call('GET', `${KYLIE}/category/IP`, { token: globex });
    expectSpecValid('kylie', 'retrieveCategory', 200, ip.body);
    expect(ip.body.productOffering).toEqual([]);
  });

  it('retrieves an allowed offering; a policy-hidden one is 404 for that partner only', async () => {
    const res = await gw.call('GET', `${KYLIE}/productOffering/ELINE-STD`, { token: globex });
    expect(res.status).toBe(200);
    expectSpecValid('kylie', 'retrieveProductOffering', 200, res.body);
    expect(res.body).toMatchObject({
      lifecycleStatus: 'launched',
      productOfferingTerm: [{ duration: { amount: 12, units: 'months' } }, {}, {}],
    });
    expect(res.body.productOfferingSpecificationSchema.schema).toContain('"bandwidthMbps"');
    const hidden = await gw.call('GET', `${KYLIE}/productOffering/DIA-BUSINESS`, { token: globex });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ code: 'notFound' });
    expectSpecValid('kylie', 'retrieveProductOffering', 404, hidden.body);
    expect((await gw.call('GET', `${GRACE}/productOffering/DIA-BUSINESS`, { token: acme })).status).toBe(200);
  });

  it("refuses Grace spellings on the Kylie wire with 400, and accepts Kylie's own filters", async () => {
    for (const query of ['lifecycleStatus=orderable', 'region.country=DE', 'isSellable=yes']) {
      const res = await gw.call('GET', `${KYLIE}/productOffering?${query}`, { token: globex });
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe('invalidQuery');
    }
    expect(
      expectList(
        'kylie',
        'listProductSpecification',
        await gw.call('GET', `${KYLIE}/productSpecification?agreement=Rahmenvertrag%20Wholesale%202025`, {
          token: globex,
        }),
        3,
      ),
    ).toHaveLength(3);
  });
});
