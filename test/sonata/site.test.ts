import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Geographic Site retrieval against the embedded legacy BSS: Grace v7 (GET list with query filters) and Kylie v8
 * (POST list with a GeographicSite_Query body), by id, pagination, errors and buyer isolation. Every body is
 * checked against the official spec of the partner's release, and every list carries the pagination headers.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR });
const GRACE = '/mefApi/sonata/geographicSiteManagement/v7';
const KYLIE = '/mefApi/sonata/geographicSiteManagement/v8';

function expectSpecValid(release: SonataRelease, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, 'geographicSiteManagement')!.operationById(operationId)!;
  expect(op, `${release} ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

/** A list answer: 200, spec-valid, with X-Total-Count / X-Result-Count / X-Pagination-Throttled. */
function expectList(
  release: SonataRelease,
  res: { status: number; headers: Headers; body: any },
  total: number,
  throttled = false,
): string[] {
  expect(res.status).toBe(200);
  expectSpecValid(release, 'listGeographicSite', 200, res.body);
  expect(res.headers.get('x-total-count')).toBe(String(total));
  expect(res.headers.get('x-result-count')).toBe(String(res.body.length));
  expect(res.headers.get('x-pagination-throttled')).toBe(String(throttled));
  return (res.body as Array<{ id: string }>).map((s) => s.id);
}

let gw: TestGateway;
let acme: string;
let globex: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
});
afterAll(async () => {
  await gw.close();
});

// acme-telecom (C-100042) sees the five public data centres and its four private sites, never another customer's
const ACME_SITES = ['ST-100001', 'ST-100002', 'ST-100003', 'ST-100004', 'ST-100005', 'ST-100011', 'ST-100012', 'ST-100013', 'ST-100014'];

describe('Grace (acme-telecom): GET geographicSite v7', () => {
  const list = (query = '') => gw.call('GET', `${GRACE}/geographicSite${query}`, { token: acme });

  it("lists the public sites and the partner's own private ones, with pagination headers", async () => {
    const ids = expectList('grace', await list(), 9);
    expect(ids).toEqual(ACME_SITES);
  });

  it('renders a site with its company, customer, type, fielded address (alpha-2 country), point and contact', async () => {
    const res = await list('?geographicAddress.id=NC-DE-000123');
    expectList('grace', res, 1);
    expect(res.body[0]).toEqual({
      id: 'ST-100011',
      href: `${GRACE}/geographicSite/ST-100011`,
      name: 'Mueller Logistik Berlin HQ',
      companyName: 'Hausverwaltung Mitte GmbH',
      customerName: 'Müller Logistik AG',
      siteType: 'private',
      place: [
        {
          '@type': 'FieldedAddress',
          id: 'NC-DE-000123',
          href: '/mefApi/sonata/geographicAddressManagement/v7/geographicAddress/NC-DE-000123',
          streetNr: '12',
          streetName: 'Hauptstrasse',
          streetType: 'Strasse',
          locality: 'Mitte',
          city: 'Berlin',
          stateOrProvince: 'Berlin',
          postcode: '10115',
          country: 'DE',
        },
        { '@type': 'MEFGeographicPoint', spatialRef: 'WGS84', x: '52.52', y: '13.405' },
      ],
      relatedContactInformation: [
        {
          role: 'serviceSiteContact',
          name: 'Jens Krüger',
          number: '+493055501201',
          emailAddress: 'j.krueger@mueller-logistik.example',
        },
      ],
    });
  });

  it('filters on what the legacy BSS searches: city, site type, company, street and number, postcode, country', async () => {
    expect(expectList('grace', await list('?city=Berlin&siteType=private'), 2)).toEqual(['ST-100011', 'ST-100012']);
    expect(expectList('grace', await list('?companyName=netcore&country=United%20Kingdom'), 1)).toEqual(['ST-100003']);
    expect(expectList('grace', await list('?country=DE&siteType=public'), 2)).toEqual(['ST-100001', 'ST-100002']);
    expect(expectList('grace', await list('?streetName=Hauptstrasse&streetNr=12&postcode=10115'), 1)).toEqual(['ST-100011']);
    expect(expectList('grace', await list('?name=isar'), 1)).toEqual(['ST-100013']);
    expect(expectList('grace', await list('?customerName=Spree'), 1)).toEqual(['ST-100012']);
  });

  it('filters on what the gateway applies: description, site contact name and street type, totals included', async () => {
    expect(expectList('grace', await list('?description=meet-me'), 1)).toEqual(['ST-100001']);
    expect(expectList('grace', await list('?serviceSiteContactName=site%20operations'), 4)).toEqual([
      'ST-100001',
      'ST-100002',
      'ST-100003',
      'ST-100005',
    ]);
    expect(expectList('grace', await list('?streetType=avenue'), 1)).toEqual(['ST-100003']);
    const page = await list('?serviceSiteContactName=site%20operations&offset=1&limit=2');
    expect(expectList('grace', page, 4)).toEqual(['ST-100002', 'ST-100003']);
  });

  it('pages with offset and limit; a limit above the maximum is cut and flagged', async () => {
    expect(expectList('grace', await list('?limit=2'), 9)).toEqual(['ST-100001', 'ST-100002']);
    expect(expectList('grace', await list('?offset=8&limit=2'), 9)).toEqual(['ST-100014']);
    expect(expectList('grace', await list('?offset=20'), 9)).toEqual([]);
    expect(expectList('grace', await list('?limit=500'), 9, true)).toEqual(ACME_SITES);
  });

  it('answers 400 invalidQuery for an unknown filter, a bad site type or bad paging', async () => {
    for (const query of ['?colour=red', '?siteType=shared', '?limit=many', '?offset=-1', '?city=Berlin&city=Munich']) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('invalidQuery');
      expectSpecValid('grace', 'listGeographicSite', 400, res.body);
    }
    const empty = await list('?city=');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('missingQueryValue');
  });

  it('answers 422 naming the country filter for an unknown country or one the provider does not serve', async () => {
    for (const country of ['Freedonia', 'Italy']) {
      const res = await list(`?country=${country}`);
      expect(res.status, country).toBe(422);
      expect(res.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/country' })]);
      expectSpecValid('grace', 'listGeographicSite', 422, res.body);
    }
  });

  it('retrieves a public site and an own private site by id', async () => {
    for (const id of ['ST-100001', 'ST-100014']) {
      const res = await gw.call('GET', `${GRACE}/geographicSite/${id}`, { token: acme });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(id);
      expectSpecValid('grace', 'retrieveGeographicSite', 200, res.body);
    }
  });

  it('shows a site contact only with the e-mail address Grace requires of contacts', async () => {
    const res = await gw.call('GET', `${GRACE}/geographicSite/ST-100002`, { token: acme });
    expect(res.status).toBe(200);
    expect(res.body.relatedContactInformation).toBeUndefined();
    expectSpecValid('grace', 'retrieveGeographicSite', 200, res.body);
  });

  it("answers 404 for another customer's private site, an unknown and an over-long id", async () => {
    for (const id of ['ST-100021', 'ST-999999', 'ST-10000112345']) {
      const res = await gw.call('GET', `${GRACE}/geographicSite/${id}`, { token: acme });
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe('notFound');
      expectSpecValid('grace', 'retrieveGeographicSite', 404, res.body);
    }
  });
});

describe('Kylie (globex-networks): POST geographicSite v8', () => {
  const list = (body: unknown, query = '') => gw.call('POST', `${KYLIE}/geographicSite${query}`, { token: globex, body });
  const fielded = (f: Record<string, unknown>) => ({
    '@type': 'GeographicAddress_Query',
    fieldedAddressRepresentation: [f],
  });

  it('lists the sites at a fielded address query, with pagination headers', async () => {
    const ids = expectList('kylie', await list({ place: fielded({ city: 'London', countryCode: 'GB' }) }), 3);
    expect(ids).toEqual(['ST-100003', 'ST-100021', 'ST-100022']);
  });

  it('renders a site with authority, restriction, network type, the address as representations and sub-units', async () => {
    const res = await list({ place: { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' } });
    expectList('kylie', res, 1);
    expect(res.body[0]).toEqual({
      '@type': 'GeographicSite',
      id: 'ST-100021',
      href: `${KYLIE}/geographicSite/ST-100021`,
      name: 'Canary Capital Tower Floor 30',
      administrativeAuthority: 'Canary Wharf Group',
      customerName: 'Canary Capital plc',
      siteRestrictionType: 'private',
      networkType: 'onNet',
      place: {
        '@type': 'GeographicAddress_Query',
        fieldedAddressRepresentation: [
          {
            streetNr: '1',
            streetName: 'Canada Square',
            streetType: 'Square',
            locality: 'Canary Wharf',
            city: 'London',
            stateOrProvince: 'Greater London',
            postcode: 'E14 5AB',
            countryCode: 'GB',
            buildingName: 'One Canada Square',
          },
        ],
        geographicPointRepresentation: [{ spatialRef: 'WGS84', latitude: '51.50493', longitude: '-0.01948' }],
        labelRepresentation: [{ label: 'NC-GB-000202', administrativeAuthority: 'NETCORE' }],
      },
      subUnit: [
        { subUnitType: 'FLOOR', subUnitNumber: '30' },
        { subUnitType: 'UNIT', subUnitNumber: 'Suite 3004' },
      ],
    });
  });

  it('finds sites by a NETCORE label, network type, restriction, authority and sub-unit', async () => {
    const label = {
      '@type': 'GeographicAddress_Query',
      labelRepresentation: [{ label: 'NC-GB-000201', administrativeAuthority: 'NETCORE' }],
    };
    expect(expectList('kylie', await list({ place: label }), 1)).toEqual(['ST-100022']);
    const london = fielded({ city: 'London', countryCode: 'GB' });
    expect(expectList('kylie', await list({ place: london, networkType: 'offNet' }), 1)).toEqual(['ST-100022']);
    expect(expectList('kylie', await list({ place: london, siteRestrictionType: 'public' }), 1)).toEqual(['ST-100003']);
    expect(expectList('kylie', await list({ place: london, administrativeAuthority: 'canary wharf' }), 1)).toEqual(['ST-100021']);
    expect(expectList('kylie', await list({ place: london, subUnit: [{ subUnitType: 'floor', subUnitNumber: '30' }] }), 1)).toEqual([
      'ST-100021',
    ]);
    expect(
      expectList('kylie', await list({ place: fielded({ streetNr: '221', streetNrSuffix: 'B', streetName: 'Baker Street' }) }), 1),
    ).toEqual(['ST-100022']);
  });

  it('gives a public site its operator as customer name (Kylie requires one)', async () => {
    const res = await list({ place: fielded({ city: 'London', countryCode: 'GB' }), siteRestrictionType: 'public' });
    expect(res.body[0]).toMatchObject({
      id: 'ST-100003',
      administrativeAuthority: 'NetCore Carrier Services Ltd',
      customerName: 'NetCore Carrier Services Ltd',
    });
  });

  it('pages with offset and limit query parameters', async () => {
    const london = { place: fielded({ city: 'London', countryCode: 'GB' }) };
    expect(expectList('kylie', await list(london, '?offset=1&limit=1'), 3)).toEqual(['ST-100021']);
    expect(expectList('kylie', await list(london, '?limit=101'), 3, true)).toHaveLength(3);
    const bad = await list(london, '?limit=-5');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalidQuery');
    expectSpecValid('kylie', 'listGeographicSite', 400, bad.body);
  });

  it('refuses a query without place, with only a formatted address, a foreign label or an unknown country code (422)', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x' }, '/place'],
      [
        {
          place: {
            '@type': 'GeographicAddress_Query',
            formattedAddressRepresentation: [{ formattedAddress: '1 Canada Square, London' }],
          },
        },
        '/place',
      ],
      [
        {
          place: {
            '@type': 'GeographicAddress_Query',
            labelRepresentation: [{ label: 'X1', administrativeAuthority: 'CLLI' }],
          },
        },
        '/place/labelRepresentation/0/administrativeAuthority',
      ],
      [{ place: fielded({ city: 'London', countryCode: 'XX' }) }, '/place/fieldedAddressRepresentation/0/countryCode'],
      [{ place: fielded({ city: 'Rome', countryCode: 'IT' }) }, '/place/fieldedAddressRepresentation/0/countryCode'],
    ];
    for (const [body, path] of cases) {
      const res = await list(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.map((i: { propertyPath: string }) => i.propertyPath)).toContain(path);
      expectSpecValid('kylie', 'listGeographicSite', 422, res.body);
    }
  });

  it("retrieves its own private site by id; acme's private site does not exist for it", async () => {
    const own = await gw.call('GET', `${KYLIE}/geographicSite/ST-100022`, { token: globex });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: 'ST-100022', siteRestrictionType: 'private', networkType: 'offNet' });
    expectSpecValid('kylie', 'retrieveGeographicSite', 200, own.body);
    const foreign = await gw.call('GET', `${KYLIE}/geographicSite/ST-100011`, { token: globex });
    expect(foreign.status).toBe(404);
    expectSpecValid('kylie', 'retrieveGeographicSite', 404, foreign.body);
  });

  it("never lists another customer's private sites", async () => {
    const all = await list({ place: fielded({ countryCode: 'DE' }) });
    expect(expectList('kylie', all, 2)).toEqual(['ST-100001', 'ST-100002']);
  });
});
