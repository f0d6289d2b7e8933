import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { PARTNERS, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR });

/** Every Sonata body these tests see is checked against the official OpenAPI file of the partner's release. */
function expectSpecValid(release: SonataRelease, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, 'geographicAddressManagement')!.operationById(operationId)!;
  expect(op, `${release} ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
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

const graceFielded = (over: Record<string, unknown> = {}) => ({
  provideAlternative: true,
  submittedGeographicAddress: {
    '@type': 'FieldedAddress',
    streetNr: '12',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    postcode: '10115',
    country: 'Germany',
    ...over,
  },
});

describe('Grace partner (acme-telecom): POST geographicAddressValidation v7', () => {
  it('validates an exact address: success, best match with alpha-2 country, answer valid against the Grace spec', async () => {
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(res.body.validationResult).toBe('success');
    expect(res.body.bestMatchGeographicAddress).toMatchObject({
      '@type': 'FieldedAddress',
      streetName: 'Hauptstrasse',
      streetNr: '12',
      city: 'Berlin',
      country: 'DE',
    });
    expect(res.body.bestMatchGeographicAddress.id).toMatch(/^NC-DE-/);
    expect(res.body.submittedGeographicAddress.country).toBe('Germany');
    expectSpecValid('grace', 'createGeographicAddressValidation', 200, res.body);
  });

  it("applies ACME's dialect: house number inside streetName still matches", async () => {
    const body = graceFielded({ streetNr: undefined, streetName: 'Hauptstrasse 12' });
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body.validationResult).toBe('success');
    expect(res.body.bestMatchGeographicAddress.streetNr).toBe('12');
    expectSpecValid('grace', 'createGeographicAddressValidation', 200, res.body);
  });

  it('answers partial with alternates for an unknown house number', async () => {
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded({ streetNr: '13' }),
    });
    expect(res.status).toBe(200);
    expect(res.body.validationResult).toBe('partial');
    expect(res.body.bestMatchGeographicAddress).toBeUndefined();
    expect(res.body.alternateGeographicAddress.length).toBeGreaterThan(0);
    expectSpecValid('grace', 'createGeographicAddressValidation', 200, res.body);
  });

  it('answers fail for an address nobody knows', async () => {
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded({ streetName: 'Nirgendwoweg', city: 'Atlantis', postcode: '00000' }),
    });
    expect(res.status).toBe(200);
    expect(res.body.validationResult).toBe('fail');
    expect(res.body.alternateGeographicAddress).toEqual([]);
    expectSpecValid('grace', 'createGeographicAddressValidation', 200, res.body);
  });

  it('retrieves a validated address by id (GET geographicAddress/{id})', async () => {
    const v = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded(),
    });
    const id = v.body.bestMatchGeographicAddress.id as string;
    const res = await gw.call('GET', `${PARTNERS.acme.addressBase}/geographicAddress/${id}`, { token: acme });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, '@type': 'FieldedAddress', country: 'DE', city: 'Berlin' });
    expectSpecValid('grace', 'retrieveGeographicAddress', 200, res.body);
  });

  it('answers 404 notFound for an unknown address id', async () => {
    const res = await gw.call('GET', `${PARTNERS.acme.addressBase}/geographicAddress/NC-XX-999999`, { token: acme });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('notFound');
    expectSpecValid('grace', 'retrieveGeographicAddress', 404, res.body);
  });

  it('refuses a seller address id in the submitted address with 422 unexpectedProperty (MEF 92.1 TC2)', async () => {
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded({ id: 'NC-DE-000101' }),
    });
    expect(res.status).toBe(422);
    expect(res.body).toContainEqual(
      expect.objectContaining({ code: 'unexpectedProperty', propertyPath: '/submittedGeographicAddress/id' }),
    );
    expectSpecValid('grace', 'createGeographicAddressValidation', 422, res.body);
  });

  it('names every missing property in one 422', async () => {
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: { submittedGeographicAddress: { '@type': 'FieldedAddress', streetName: 'Hauptstrasse' } },
    });
    expect(res.status).toBe(422);
    const paths = (res.body as Array<{ propertyPath: string; code: string }>).map((i) => `${i.code} ${i.propertyPath}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'missingProperty /provideAlternative',
        'missingProperty /submittedGeographicAddress/city',
        'missingProperty /submittedGeographicAddress/country',
      ]),
    );
    expectSpecValid('grace', 'createGeographicAddressValidation', 422, res.body);
  });

  it('refuses an unknown country name with 422 pointing at it', async () => {
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded({ country: 'Freedonia' }),
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/submittedGeographicAddress/country' })]);
  });

  it('answers 404 naming its release when a Grace partner calls the Kylie version', async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: acme,
      body: graceFielded(),
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('notFound');
    expect(res.body.message).toMatch(/grace.*v7/);
  });
});

describe('Kylie partner (globex-networks): POST geographicAddressValidation v8', () => {
  const kylieBody = (instant: boolean, countryCode = 'DE') => ({
    instantSyncValidation: instant,
    submittedGeographicAddress: {
      '@type': 'GeographicAddress_Query',
      fieldedAddressRepresentation: [{ streetNr: '12', streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', countryCode }],
    },
  });

  it('answers an immediate validation with 200, no id, state ready, MEF 150 representations', async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: kylieBody(true),
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBeUndefined();
    expect(res.body.state).toBe('ready');
    expect(res.body.bestMatchGeographicAddress).toMatchObject({
      '@type': 'GeographicAddress',
      hasPublicSite: expect.stringMatching(/^(true|false|unknown)$/),
    });
    expect(res.body.bestMatchGeographicAddress.fieldedAddressRepresentation[0].countryCode).toBe('DE');
    expectSpecValid('kylie', 'createGeographicAddressValidation', 200, res.body);
  });

  it("applies Globex's dialect: alpha-3 country codes are accepted and answered as alpha-2", async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: kylieBody(true, 'DEU'),
    });
    expect(res.status).toBe(200);
    expect(res.body.bestMatchGeographicAddress.fieldedAddressRepresentation[0].countryCode).toBe('DE');
    expectSpecValid('kylie', 'createGeographicAddressValidation', 200, res.body);
  });

  it('answers a deferred validation with 201 and an id that GET serves to this partner only', async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: kylieBody(false),
    });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expectSpecValid('kylie', 'createGeographicAddressValidation', 201, res.body);

    const again = await gw.call('GET', `${PARTNERS.globex.addressBase}/geographicAddressValidation/${res.body.id}`, {
      token: globex,
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expectSpecValid('kylie', 'retrieveGeographicAddressValidation', 200, again.body);

    const unknown = await gw.call(
      'GET',
      `${PARTNERS.globex.addressBase}/geographicAddressValidation/00000000-0000-4000-8000-000000000000`,
      { token: globex },
    );
    expect(unknown.status).toBe(404);
    expectSpecValid('kylie', 'retrieveGeographicAddressValidation', 404, unknown.body);
  });

  it('retrieves an address with Kylie representations', async () => {
    const v = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: kylieBody(true),
    });
    const id = v.body.bestMatchGeographicAddress.id as string;
    const res = await gw.call('GET', `${PARTNERS.globex.addressBase}/geographicAddress/${id}`, { token: globex });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ '@type': 'GeographicAddress', id });
    expectSpecValid('kylie', 'retrieveGeographicAddress', 200, res.body);
  });

  it('validates a formatted (free text) address with the country as a full name', async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: {
        instantSyncValidation: true,
        submittedGeographicAddress: {
          '@type': 'GeographicAddress_Query',
          formattedAddressRepresentation: [{ formattedAddress: 'Hauptstrasse 12, 10115 Berlin, Germany' }],
        },
      },
    });
    expect(res.status).toBe(200);
    expect(
      res.body.bestMatchGeographicAddress?.fieldedAddressRepresentation?.[0]?.streetName ??
        res.body.alternateGeographicAddress[0]?.fieldedAddressRepresentation?.[0]?.streetName,
    ).toBe('Hauptstrasse');
    expectSpecValid('kylie', 'createGeographicAddressValidation', 200, res.body);
  });

  it('refuses a Grace-shaped body with 422 naming what Kylie needs', async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: graceFielded(),
    });
    expect(res.status).toBe(422);
    const paths = (res.body as Array<{ propertyPath: string }>).map((i) => i.propertyPath);
    expect(paths).toContain('/instantSyncValidation');
    expectSpecValid('kylie', 'createGeographicAddressValidation', 422, res.body);
  });

  it("keeps one partner's deferred validations invisible to another (404)", async () => {
    const res = await gw.call('POST', `${PARTNERS.globex.addressBase}/geographicAddressValidation`, {
      token: globex,
      body: kylieBody(false),
    });
    // acme speaks Grace, which has no such route: it cannot even address the resource
    const other = await gw.call('GET', `${PARTNERS.globex.addressBase}/geographicAddressValidation/${res.body.id}`, {
      token: acme,
    });
    expect(other.status).toBe(404);
  });
});
