import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { loadProductCatalogue, priceLegacyLine, type LegacyProduct } from '../../simulators/src/legacy-bss/product-catalogue.js';
import { copyProject, REPO_ROOT, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { expectSpecValid } from './poq-quote-support.js';

/*
 * Product Offering Availability and Pricing Discovery (MEF 160): availability is an immediate feasibility check of
 * every configuration the Seller offers (mappings/lookups/productOfferingConfigurations.yaml), pricing a budgetary
 * offer per contract term. Expected prices come from the legacy BSS's own price list and pricing rule.
 */

const GRACE = '/mefApi/sonata/productOfferingAvailabilityAndPricingDiscovery/v2';
const KYLIE = '/mefApi/sonata/productOfferingAvailabilityAndPricingDiscovery/v4';
const API = 'productOfferingAvailabilityAndPricingDiscovery';
const ELINE = 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all';

const catalogue = loadProductCatalogue(join(REPO_ROOT, 'simulators', 'data', 'legacy-bss'));
const offerings = parse(readFileSync(join(REPO_ROOT, 'mappings', 'lookups', 'productOfferingConfigurations.yaml'), 'utf8')) as Record<
  string,
  {
    offering: string;
    terms: number[];
    configurations: Array<{ id: string; bandwidthMbps?: number; physicalLayer?: string }>;
  }
>;
const productCodes = parse(readFileSync(join(REPO_ROOT, 'mappings', 'lookups', 'legacyProductCode.yaml'), 'utf8')) as Record<
  string,
  string
>;
const uniSpeeds = parse(readFileSync(join(REPO_ROOT, 'mappings', 'lookups', 'legacyLineBandwidth.yaml'), 'utf8')) as Record<string, number>;
const elineProduct = catalogue.products.get('ELINE') as LegacyProduct;

/** What the BSS charges for a new line, in major units: its list price x term (x off-net), in the customer's currency. */
function listPrice(bandwidth: number, termMonths: number, netType: 'ON' | 'OFF', currency: string): { mrc: number; nrc: number } {
  const price = priceLegacyLine(catalogue, {
    action: 'NEW',
    product: elineProduct,
    bandwidth,
    termMonths,
    netType,
    buildNeeded: false,
    currency,
  });
  return { mrc: price.MRC / 100, nrc: price.NRC / 100 };
}

const graceAddress = (id: string, type = 'GeographicAddressRef') => [{ '@type': type, role: 'INSTALL_LOCATION', id }];
const kylieAddress = (id: string) => [{ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicAddressRef', id } }];
const configs = (body: any): any[] => body.availableProductOfferingConfigurations ?? body.availableProductOfferingConfiguration;

let gw: TestGateway;
let acme: string;
let globex: string;
// a copy of the project where acme's profile lacks the function and globex is served in Germany only
let restricted: { gw: TestGateway; cleanup(): Promise<void> };

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
  const project = copyProject();
  const file = join(project.dir, 'partners', 'acme-telecom', 'partner.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.deleteIn(['functions', 'productOfferingAvailabilityAndPricingDiscovery']);
  writeFileSync(file, doc.toString());
  // and globex may only be served in Germany (partner policy pilotCountries)
  const globexFile = join(project.dir, 'partners', 'globex-networks', 'partner.yaml');
  const globexDoc = parseDocument(readFileSync(globexFile, 'utf8'));
  globexDoc.set('policy', { pilotCountries: ['DE'] });
  writeFileSync(globexFile, globexDoc.toString());
  try {
    const other = await startTestGateway({ rootDir: project.dir, env: { SONATA_SDK_DIR: SDK_DIR } });
    restricted = {
      gw: other,
      async cleanup() {
        await other.close();
        project.cleanup();
      },
    };
  } catch (err) {
    project.cleanup();
    throw err;
  }
}, 90_000); // two gateways
afterAll(async () => {
  await gw?.close();
  await restricted?.cleanup();
});

describe('the offered configurations are what the legacy BSS sells', () => {
  it('every configuration and term of productOfferingConfigurations is orderable in the BSS price list', () => {
    for (const [type, offering] of Object.entries(offerings)) {
      const product = catalogue.products.get(productCodes[type]!);
      expect(product, type).toBeDefined();
      for (const c of offering.configurations) {
        const bandwidth = c.bandwidthMbps ?? uniSpeeds[c.physicalLayer!];
        expect(product!.bandwidths, `${offering.offering}:${c.id}`).toContain(bandwidth);
      }
      for (const term of offering.terms) expect(catalogue.terms.has(term), `${offering.offering} term ${term}`).toBe(true);
    }
  });
});

describe('Grace productOfferingAvailability (acme-telecom)', () => {
  const ask = (body: unknown, token = acme, on = gw) => on.call('POST', `${GRACE}/productOfferingAvailability`, { token, body });

  it("lists every E-Line configuration at an on-net address, green, with the address's lead time", async () => {
    const res = await ask({
      action: 'add',
      productSpecification: { id: 'ACCESS_E_LINE' },
      place: graceAddress('NC-DE-000123'),
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'productOfferingAvailabilityRequest', res);
    // the request is echoed
    expect(res.body).toMatchObject({
      action: 'add',
      productSpecification: { id: 'ACCESS_E_LINE' },
      place: graceAddress('NC-DE-000123'),
    });
    // NC-DE-000123 is on-net up to 10 Gbit/s (coverage.yaml): every bandwidth the BSS sells
    expect(configs(res.body).map((c) => c.productConfiguration.bandwidthMbps)).toEqual([...elineProduct.bandwidths]);
    expect(configs(res.body)[2]).toEqual({
      productOffering: { id: 'NETCORE-ACCESS-ELINE' },
      productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100 },
      productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:100M',
      installationInterval: { amount: 10, units: 'businessDays' },
    });
  });

  it('at an off-net address lists only the bandwidths the third-party access carries', async () => {
    const res = await ask({ action: 'add', productSpecification: { id: ELINE }, place: graceAddress('NC-DE-000102') });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'productOfferingAvailabilityRequest', res);
    // NC-DE-000102: off-net, at most 200 Mbit/s, 25 working days
    expect(configs(res.body).map((c) => c.productConfiguration.bandwidthMbps)).toEqual(elineProduct.bandwidths.filter((b) => b <= 200));
    expect(configs(res.body).every((c) => c.installationInterval.amount === 25)).toBe(true);
  });

  it('a UNI at a data centre site is offered by its physical layers', async () => {
    const res = await ask({
      action: 'add',
      productSpecification: { id: 'UNI' },
      place: graceAddress('ST-100001', 'GeographicSiteRef'),
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'productOfferingAvailabilityRequest', res);
    expect(configs(res.body).map((c) => c.productConfigurationIdentifier)).toEqual(
      ['1000BASE-T', '1000BASE-LX', '10GBASE-SR', '10GBASE-LR'].map((l) => `NETCORE-OPERATOR-UNI:${l}`),
    );
    expect(configs(res.body)[3].productConfiguration).toEqual({ '@type': 'UNI', physicalLayer: '10GBASE-LR' });
  });

  it('a place in a country the Seller does not serve has no available configuration', async () => {
    const res = await ask({ action: 'add', productSpecification: { id: ELINE }, place: graceAddress('NC-CH-000501') });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'productOfferingAvailabilityRequest', res);
    expect(res.body.availableProductOfferingConfigurations).toEqual([]);
  });

  it('an unknown product specification is 422 referenceNotFound at /productSpecification/id', async () => {
    const res = await ask({
      action: 'add',
      productSpecification: { id: 'DARK_FIBRE' },
      place: graceAddress('NC-DE-000123'),
    });
    expect(res.status).toBe(422);
    expectSpecValid('grace', API, 'productOfferingAvailabilityRequest', res);
    expect(res.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/productSpecification/id' })]);
  });

  it('a body that is not JSON is 400 invalidBody; a missing action and an unknown address are 422 at their property', async () => {
    const raw = await gw.call('POST', `${GRACE}/productOfferingAvailability`, {
      token: acme,
      rawBody: '{"action": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    expect(raw.body.code).toBe('invalidBody');
    const missing = await ask({ productSpecification: { id: ELINE }, place: graceAddress('NC-DE-000123') });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual([expect.objectContaining({ code: 'missingProperty', propertyPath: '/action' })]);
    const unknown = await ask({
      action: 'add',
      productSpecification: { id: ELINE },
      place: graceAddress('NC-DE-999999'),
    });
    expect(unknown.status).toBe(422);
    expectSpecValid('grace', API, 'productOfferingAvailabilityRequest', unknown);
    expect(unknown.body).toEqual([expect.objectContaining({ propertyPath: '/place/0' })]);
  });

  it('a change of an existing product is refused at /action (it is qualified with a POQ)', async () => {
    const res = await ask({ action: 'modify', productRef: { id: 'AS-5000001' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/action' })]);
  });

  it('a partner whose profile lacks the function gets the usual refusal, and no token scope for it', async () => {
    const other = restricted.gw;
    const res = await other.call('POST', `${GRACE}/productOfferingAvailability`, {
      token: await other.token('acme'),
      body: { action: 'add', productSpecification: { id: ELINE }, place: graceAddress('NC-DE-000123') },
    });
    expect(res.status).toBe(501);
    expect(res.body.code).toBe('notImplemented');
    await expect(other.token('acme', 'productOfferingAvailabilityRequest')).rejects.toThrow(/400/);
  });

  it('a new product without its place is 422 missingProperty at /place', async () => {
    const res = await ask({ action: 'add', productSpecification: { id: ELINE } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual([expect.objectContaining({ code: 'missingProperty', propertyPath: '/place' })]);
  });
});

describe('Grace pricingDiscovery (acme-telecom)', () => {
  const price = (body: unknown, token = acme) => gw.call('POST', `${GRACE}/pricingDiscovery`, { token, body });

  it('prices a configuration at an on-net address for every contract term, from the BSS price list in EUR', async () => {
    const place = graceAddress('NC-DE-000123');
    const res = await price({ action: 'add', productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:100M', place });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'pricingDiscoveryRequest', res);
    expect(res.body).toMatchObject({
      action: 'add',
      productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:100M',
      place,
    });
    const terms = [...catalogue.terms.keys()].sort((a, b) => a - b);
    expect(res.body.pricingAndTerms).toHaveLength(terms.length);
    res.body.pricingAndTerms.forEach((option: any, i: number) => {
      const { mrc, nrc } = listPrice(100, terms[i]!, 'ON', 'EUR');
      expect(option).toEqual({
        identifier: `NETCORE-ACCESS-ELINE:100M:${terms[i]}-months`,
        installationInterval: { amount: 10, units: 'businessDays' },
        term: {
          name: `${terms[i]} months`,
          duration: { amount: terms[i], units: 'calendarMonths' },
          endOfTermAction: 'roll',
          rollInterval: { amount: 1, units: 'calendarMonths' },
        },
        price: [
          {
            name: 'Monthly recurring charge',
            priceType: 'recurring',
            recurringChargePeriod: 'month',
            price: { dutyFreeAmount: { unit: 'EUR', value: mrc } },
          },
          { name: 'One-off charge', priceType: 'nonRecurring', price: { dutyFreeAmount: { unit: 'EUR', value: nrc } } },
        ],
        subjectToAdditionalNonrecurringCharges: false,
        productOffering: { id: 'NETCORE-ACCESS-ELINE' },
      });
    });
    // a longer term is cheaper per month (TERM_FACTORS)
    expect(res.body.pricingAndTerms[2].price[0].price.dutyFreeAmount.value).toBeLessThan(
      res.body.pricingAndTerms[0].price[0].price.dutyFreeAmount.value,
    );
  });

  it('an off-net address carries the off-net surcharge on the monthly charge', async () => {
    const res = await price({
      action: 'add',
      productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:200M',
      place: graceAddress('NC-DE-000102'),
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'pricingDiscoveryRequest', res);
    expect(res.body.pricingAndTerms[0].price[0].price.dutyFreeAmount.value).toBe(listPrice(200, 12, 'OFF', 'EUR').mrc);
    expect(res.body.pricingAndTerms[0].installationInterval).toEqual({ amount: 25, units: 'businessDays' });
  });

  it('a configuration the place cannot carry, or a place not served, is 422 at /place with the reason', async () => {
    const tooFast = await price({
      action: 'add',
      productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:1G',
      place: graceAddress('NC-DE-000102'),
    });
    expect(tooFast.status).toBe(422);
    expectSpecValid('grace', API, 'pricingDiscoveryRequest', tooFast);
    expect(tooFast.body).toEqual([
      expect.objectContaining({
        code: 'invalidValue',
        propertyPath: '/place',
        reason: expect.stringMatching(/above 200 Mbit\/s/),
      }),
    ]);
    const abroad = await price({
      action: 'add',
      productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:100M',
      place: graceAddress('NC-CH-000501'),
    });
    expect(abroad.status).toBe(422);
    expect(abroad.body).toEqual([
      expect.objectContaining({
        propertyPath: '/place',
        reason: expect.stringMatching(/country not served: Switzerland/),
      }),
    ]);
  });

  it('an identifier availability never answers is 422 referenceNotFound; a missing one 422 missingProperty', async () => {
    const unknown = await price({
      action: 'add',
      productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:3M',
      place: graceAddress('NC-DE-000123'),
    });
    expect(unknown.status).toBe(422);
    expectSpecValid('grace', API, 'pricingDiscoveryRequest', unknown);
    expect(unknown.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/productConfigurationIdentifier' })]);
    const missing = await price({ action: 'add', place: graceAddress('NC-DE-000123') });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual([expect.objectContaining({ code: 'missingProperty', propertyPath: '/productConfigurationIdentifier' })]);
  });

  it('the identifiers availability answers are the ones pricing takes', async () => {
    const available = await gw.call('POST', `${GRACE}/productOfferingAvailability`, {
      token: acme,
      body: { action: 'add', productSpecification: { id: 'ACCESS_E_LINE' }, place: graceAddress('NC-DE-000125') },
    });
    const last = configs(available.body).at(-1);
    const res = await price({
      action: 'add',
      productConfigurationIdentifier: last.productConfigurationIdentifier,
      place: graceAddress('NC-DE-000125'),
    });
    expect(res.status).toBe(200);
    expect(res.body.pricingAndTerms[0].installationInterval).toEqual(last.installationInterval);
  });
});

describe('Kylie productOfferingAvailability and pricingDiscovery (globex-networks)', () => {
  it("answers availability in Kylie's shape: a singular list, productOfferingConfigurationIdentifier, nested places", async () => {
    const place = kylieAddress('NC-GB-000201');
    const res = await gw.call('POST', `${KYLIE}/productOfferingAvailability`, {
      token: globex,
      body: { action: 'add', productSpecification: { id: ELINE }, place },
    });
    expect(res.status).toBe(200);
    expectSpecValid('kylie', API, 'productOfferingAvailabilityRequest', res);
    expect(res.body.place).toEqual(place);
    expect(res.body.availableProductOfferingConfigurations).toBeUndefined();
    // NC-GB-000201: off-net up to 100 Mbit/s, 30 working days
    expect(res.body.availableProductOfferingConfiguration).toEqual(
      elineProduct.bandwidths
        .filter((b) => b <= 100)
        .map((b) => ({
          productOffering: { id: 'NETCORE-ACCESS-ELINE' },
          productConfiguration: { '@type': ELINE, bandwidthMbps: b },
          productOfferingConfigurationIdentifier: `NETCORE-ACCESS-ELINE:${b}M`,
          installationInterval: { amount: 30, units: 'businessDays' },
        })),
    );
  });

  it("prices in the customer's currency (GBP) with Kylie durations", async () => {
    const res = await gw.call('POST', `${KYLIE}/pricingDiscovery`, {
      token: globex,
      body: {
        action: 'add',
        productOfferingConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:1G',
        place: kylieAddress('NC-GB-000203'),
      },
    });
    expect(res.status).toBe(200);
    expectSpecValid('kylie', API, 'pricingDiscoveryRequest', res);
    const [first] = res.body.pricingAndTerm;
    const { mrc, nrc } = listPrice(1000, 12, 'ON', 'GBP');
    expect(first).toEqual({
      identifier: 'NETCORE-ACCESS-ELINE:1G:12-months',
      installationInterval: { amount: 5, units: 'businessDays' },
      term: {
        name: '12 months',
        duration: { amount: 12, units: 'months' },
        endOfTermAction: 'roll',
        rollInterval: { amount: 1, units: 'months' },
      },
      price: [
        {
          name: 'Monthly recurring charge',
          priceType: 'recurring',
          recurringChargePeriod: { amount: 1, units: 'months' },
          price: { dutyFreeAmount: { unit: 'GBP', value: mrc } },
        },
        { name: 'One-off charge', priceType: 'nonRecurring', price: { dutyFreeAmount: { unit: 'GBP', value: nrc } } },
      ],
      subjectToAdditionalNonrecurringCharges: false,
    });
  });

  it('a Grace-shaped body is refused in Kylie (the identifier has another name there)', async () => {
    const res = await gw.call('POST', `${KYLIE}/pricingDiscovery`, {
      token: globex,
      body: {
        action: 'add',
        productConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:1G',
        place: kylieAddress('NC-GB-000203'),
      },
    });
    expect(res.status).toBe(422);
    expectSpecValid('kylie', API, 'pricingDiscoveryRequest', res);
    expect(res.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'missingProperty', propertyPath: '/productOfferingConfigurationIdentifier' }),
      ]),
    );
  });

  it("a place outside the partner's pilot countries has no configuration and no price", async () => {
    const other = restricted.gw;
    const token = await other.token('globex');
    const place = kylieAddress('NC-GB-000203');
    const available = await other.call('POST', `${KYLIE}/productOfferingAvailability`, {
      token,
      body: { action: 'add', productSpecification: { id: ELINE }, place },
    });
    expect(available.status).toBe(200);
    expectSpecValid('kylie', API, 'productOfferingAvailabilityRequest', available);
    expect(available.body.availableProductOfferingConfiguration).toEqual([]);
    const priced = await other.call('POST', `${KYLIE}/pricingDiscovery`, {
      token,
      body: { action: 'add', productOfferingConfigurationIdentifier: 'NETCORE-ACCESS-ELINE:100M', place },
    });
    expect(priced.status).toBe(422);
    expect(priced.body).toEqual([
      expect.objectContaining({
        code: 'invalidValue',
        propertyPath: '/place',
        reason: expect.stringMatching(/GB is outside the pilot area \(DE\)/),
      }),
    ]);
  });
});
