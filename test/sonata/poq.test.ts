import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import {
  advanceLegacy,
  buyerContact,
  CUSTOMERS,
  expectEventValid,
  expectPage,
  expectSpecValid,
  findLegacy,
  startBuyerListener,
  startControlledGateway,
} from './poq-quote-support.js';

const GRACE = '/mefApi/sonata/productOfferingQualification/v7';
const KYLIE = '/mefApi/sonata/productOfferingQualification/v8';
const API = 'productOfferingQualification';

let gw: TestGateway;
let acme: string;
let globex: string;
// simulator without automatic completion; acme may only be served in Germany, globex only in the UK
let controlled: Awaited<ReturnType<typeof startControlledGateway>>;
let cAcme: string;
let cGlobex: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
  controlled = await startControlledGateway({
    'acme-telecom': { pilotCountries: ['DE'] },
    'globex-networks': { pilotCountries: ['GB'] },
  });
  cAcme = await controlled.gw.token('acme');
  cGlobex = await controlled.gw.token('globex');
});
afterAll(async () => {
  await gw?.close();
  await controlled?.cleanup();
});

const eline = (bandwidthMbps: number, type = 'ACCESS_E_LINE') => ({ '@type': type, bandwidthMbps });
const graceAt = (id: string, addressId: string, productConfiguration: Record<string, unknown>, placeType = 'GeographicAddressRef') => ({
  id,
  action: 'add',
  product: { productConfiguration, place: [{ '@type': placeType, role: 'INSTALL_LOCATION', id: addressId }] },
});
const gracePoq = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  instantSyncQualification: true,
  provideAlternative: true,
  relatedContactInformation: [buyerContact()],
  productOfferingQualificationItem: items,
  ...extra,
});
const kylieAt = (id: string, place: Record<string, unknown>, productConfiguration: Record<string, unknown>) => ({
  id,
  action: 'add',
  product: { productConfiguration, place: [{ role: 'INSTALL_LOCATION', place }] },
});
const kyliePoq = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  instantSyncQualification: true,
  provideAlternative: false,
  relatedContactInformation: [buyerContact('+44 20 7946 0000')],
  productOfferingQualificationItem: items,
  ...extra,
});
const item = (body: any, id: string) => (body.productOfferingQualificationItem as any[]).find((i) => i.id === id);

describe('Grace POQ v7 (acme-telecom)', () => {
  it('answers an immediate POQ in the 201 body: done.ready with confidence, interval, guarantee and an alternate', async () => {
    const res = await gw.call('POST', `${GRACE}/productOfferingQualification`, {
      token: acme,
      body: gracePoq(
        [
          graceAt('on-net', 'NC-DE-000123', eline(1000)),
          graceAt('build', 'NC-DE-000124', eline(1000)),
          graceAt('too-fast', 'NC-DE-000102', eline(1000)),
          graceAt('dc-port', 'ST-100001', { '@type': 'UNI', physicalLayer: '10GBASE-LR' }, 'GeographicSiteRef'),
          graceAt('abroad', 'NC-CH-000501', eline(100)),
        ],
        { externalId: 'ACME-POQ-1' },
      ),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createProductOfferingQualification', res);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      state: 'done.ready',
      instantSyncQualification: true,
      externalId: 'ACME-POQ-1',
    });
    expect(res.body.href).toBe(`${GRACE}/productOfferingQualification/${res.body.id}`);
    expect(res.body.relatedContactInformation[0].number).toBe('+49301234567');
    expect(item(res.body, 'on-net')).toMatchObject({
      state: 'done.ready',
      serviceabilityConfidence: 'green',
      installationInterval: { amount: 10, units: 'businessDays' },
      guaranteedUntilDate: expect.stringMatching(/Z$/),
      // the partner's own product name is answered as it was sent
      product: { productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 1000 } },
    });
    expect(item(res.body, 'build')).toMatchObject({
      serviceabilityConfidence: 'yellow',
      serviceabilityConfidenceReason: expect.stringMatching(/construction/),
    });
    expect(item(res.body, 'dc-port')).toMatchObject({
      serviceabilityConfidence: 'green',
      installationInterval: { amount: 5, units: 'businessDays' },
    });
    expect(item(res.body, 'abroad')).toMatchObject({
      serviceabilityConfidence: 'red',
      serviceabilityConfidenceReason: 'country not served: Switzerland',
    });
    expect(item(res.body, 'abroad').installationInterval).toBeUndefined();
    const tooFast = item(res.body, 'too-fast');
    expect(tooFast).toMatchObject({
      serviceabilityConfidence: 'red',
      serviceabilityConfidenceReason: expect.stringMatching(/above 200 Mbit\/s/),
    });
    expect(tooFast.alternateProductOfferingProposal).toEqual([
      {
        id: '1',
        alternateProduct: {
          productOffering: { id: 'NETCORE-ACCESS-ELINE' },
          productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 200 },
        },
        installationInterval: { amount: 25, units: 'businessDays' },
      },
    ]);
  });

  it('qualifies changes and terminations of existing products (modify / delete by product id)', async () => {
    const res = await gw.call('POST', `${GRACE}/productOfferingQualification`, {
      token: acme,
      body: gracePoq([
        { id: 'upgrade', action: 'modify', product: { id: 'AS-5000001', productConfiguration: eline(1000) } },
        { id: 'stop', action: 'delete', product: { id: 'AS-5000004' } },
      ]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createProductOfferingQualification', res);
    expect(item(res.body, 'upgrade')).toMatchObject({
      action: 'modify',
      state: 'done.ready',
      serviceabilityConfidence: 'green',
      installationInterval: { amount: 5, units: 'businessDays' },
    });
    expect(item(res.body, 'stop')).toMatchObject({
      action: 'delete',
      state: 'done.ready',
      product: { id: 'AS-5000004' },
    });
  });

  it('retrieves its POQ; another partner gets 404 for the same id', async () => {
    const created = await gw.call('POST', `${GRACE}/productOfferingQualification`, {
      token: acme,
      body: gracePoq([graceAt('1', 'NC-DE-000123', eline(100))]),
    });
    const res = await gw.call('GET', `${GRACE}/productOfferingQualification/${created.body.id}`, { token: acme });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'retrieveProductOfferingQualification', res);
    expect(res.body).toEqual(created.body);

    const other = await gw.call('GET', `${KYLIE}/productOfferingQualification/${created.body.id}`, { token: globex });
    expect(other.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveProductOfferingQualification', other);
    const unknown = await gw.call('GET', `${GRACE}/productOfferingQualification/00000000-0000-4000-8000-000000000000`, {
      token: acme,
    });
    expect(unknown.status).toBe(404);
    expectSpecValid('grace', API, 'retrieveProductOfferingQualification', unknown);
  });

  it('lists with Grace state names, filters and pagination headers', async () => {
    const project = `P-${Date.now()}`;
    for (const externalId of ['L-1', 'L-2', 'L-3']) {
      const res = await gw.call('POST', `${GRACE}/productOfferingQualification`, {
        token: acme,
        body: gracePoq([graceAt('1', 'NC-DE-000123', eline(100))], { externalId, projectId: project }),
      });
      expect(res.status).toBe(201);
    }
    const all = await gw.call('GET', `${GRACE}/productOfferingQualification?projectId=${project}`, { token: acme });
    expect(all.status).toBe(200);
    expectSpecValid('grace', API, 'listProductOfferingQualification', all);
    expectPage(all, 3);
    // newest first, in the reduced _Find shape
    expect(all.body.map((p: any) => p.externalId)).toEqual(['L-3', 'L-2', 'L-1']);
    expect(Object.keys(all.body[0]).sort()).toEqual(['externalId', 'id', 'projectId', 'state']);

    const page = await gw.call('GET', `${GRACE}/productOfferingQualification?projectId=${project}&state=done.ready&offset=1&limit=1`, {
      token: acme,
    });
    expectSpecValid('grace', API, 'listProductOfferingQualification', page);
    expectPage(page, 3);
    expect(page.body.map((p: any) => p.externalId)).toEqual(['L-2']);

    const none = await gw.call('GET', `${GRACE}/productOfferingQualification?projectId=${project}&state=inProgress`, {
      token: acme,
    });
    expectPage(none, 0);
    const byExternalId = await gw.call('GET', `${GRACE}/productOfferingQualification?externalId=L-1&projectId=${project}`, { token: acme });
    expect(byExternalId.body.map((p: any) => p.externalId)).toEqual(['L-1']);

    const bad = await gw.call('GET', `${GRACE}/productOfferingQualification?colour=red`, { token: acme });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalidQuery');
    expectSpecValid('grace', API, 'listProductOfferingQualification', bad);
  });

  it('keeps a deferred POQ acknowledged, then completes it when the BSS reports the finished check', async () => {
    const listener = await startBuyerListener();
    try {
      const hub = await controlled.gw.call('POST', `${GRACE}/hub`, {
        token: cAcme,
        body: { callback: listener.origin, query: 'eventType=poqStateChangeEvent' },
      });
      expect(hub.status).toBe(201);
      expectSpecValid('grace', API, 'registerListener', hub);

      const created = await controlled.gw.call('POST', `${GRACE}/productOfferingQualification`, {
        token: cAcme,
        body: gracePoq([graceAt('1', 'NC-DE-000123', eline(1000)), graceAt('2', 'NC-DE-000102', eline(1000))], {
          instantSyncQualification: false,
          requestedPOQCompletionDate: '2030-06-01T12:00:00Z',
        }),
      });
      expect(created.status).toBe(201);
      expectSpecValid('grace', API, 'createProductOfferingQualification', created);
      expect(created.body.state).toBe('acknowledged');
      expect(item(created.body, '1').state).toBe('acknowledged');
      expect(item(created.body, '1').serviceabilityConfidence).toBeUndefined();

      const check = await findLegacy(controlled.gw, 'feasibility', CUSTOMERS.acme, created.body.id);
      expect(check).toMatchObject({ MODE: 'ASYNC', FEAS_STATUS: 'PEND', ALT_WANTED: 'Y' });
      await advanceLegacy(controlled.gw, 'feasibility', check.FEAS_ID);

      // the list reads only what the status callback stored
      const listed = async () =>
        (await controlled.gw.call('GET', `${GRACE}/productOfferingQualification?limit=100`, { token: cAcme })).body.find(
          (p: any) => p.id === created.body.id,
        )?.state;
      await expect.poll(listed, { timeout: 5_000 }).toBe('done.ready');

      const done = await listener.next('/poqStateChangeEvent', (b) => b.event.id === created.body.id);
      expect(done.url).toBe('/mefApi/sonata/productOfferingQualificationNotification/v7/listener/poqStateChangeEvent');
      expectEventValid('grace', 'productOfferingQualificationNotification', 'Event', done.body);
      expect(done.body.event).toMatchObject({
        href: `${GRACE}/productOfferingQualification/${created.body.id}`,
        buyerId: 'ACME-DE-0042',
        sellerId: 'NETCORE',
      });

      const res = await controlled.gw.call('GET', `${GRACE}/productOfferingQualification/${created.body.id}`, {
        token: cAcme,
      });
      expectSpecValid('grace', API, 'retrieveProductOfferingQualification', res);
      expect(res.body.state).toBe('done.ready');
      // the BSS's "in progress" report may reach the gateway before the new POQ is stored, and is then not applied
      const history = res.body.stateChange.map((s: any) => s.state);
      expect([history[0], history.at(-1)]).toEqual(['acknowledged', 'done.ready']);
      expect(item(res.body, '1')).toMatchObject({
        state: 'done.ready',
        serviceabilityConfidence: 'green',
        installationInterval: { amount: 10, units: 'businessDays' },
      });
      expect(item(res.body, '2').alternateProductOfferingProposal[0].alternateProduct.productConfiguration.bandwidthMbps).toBe(200);

      const removed = await controlled.gw.call('DELETE', `${GRACE}/hub/${hub.body.id}`, { token: cAcme });
      expect(removed.status).toBe(204);
    } finally {
      await listener.close();
    }
  });

  it('answers a place outside the pilot countries as not serviceable (done.ready, red, with the reason)', async () => {
    const res = await controlled.gw.call('POST', `${GRACE}/productOfferingQualification`, {
      token: cAcme,
      body: gracePoq([graceAt('home', 'NC-DE-000123', eline(1000)), graceAt('london', 'NC-GB-000203', eline(1000))]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createProductOfferingQualification', res);
    expect(res.body.state).toBe('done.ready');
    expect(item(res.body, 'home').serviceabilityConfidence).toBe('green');
    expect(item(res.body, 'london')).toMatchObject({
      state: 'done.ready',
      serviceabilityConfidence: 'red',
      serviceabilityConfidenceReason: expect.stringMatching(/GB is outside the pilot area \(DE\)/),
    });
    expect(item(res.body, 'london').installationInterval).toBeUndefined();
  });

  it.each([
    [
      'an address value instead of a reference',
      [
        {
          id: '1',
          action: 'add',
          product: {
            productConfiguration: eline(100),
            place: [
              {
                '@type': 'FieldedAddress',
                role: 'INSTALL_LOCATION',
                streetName: 'Hauptstrasse',
                city: 'Berlin',
                country: 'DE',
              },
            ],
          },
        },
      ],
      'invalidValue',
      '/productOfferingQualificationItem/0/product/place/0',
    ],
    [
      'a product type nobody sells',
      [graceAt('1', 'NC-DE-000123', { '@type': 'urn:example:teleportation', bandwidthMbps: 100 })],
      'invalidValue',
      '/productOfferingQualificationItem/0/product/productConfiguration/@type',
    ],
    [
      'an address the BSS does not know',
      [graceAt('1', 'NC-DE-999999', eline(100))],
      'invalidValue',
      '/productOfferingQualificationItem/0/product/place',
    ],
    [
      'a product id of another customer',
      [{ id: '1', action: 'modify', product: { id: 'AS-5000011', productConfiguration: eline(1000) } }],
      'invalidValue',
      '/productOfferingQualificationItem/0/product/id',
    ],
    [
      'a modify without the product id',
      [{ id: '1', action: 'modify', product: { productConfiguration: eline(1000) } }],
      'missingProperty',
      '/productOfferingQualificationItem/0/product/id',
    ],
    [
      'the same item id twice',
      [graceAt('1', 'NC-DE-000123', eline(100)), graceAt('1', 'NC-DE-000124', eline(100))],
      'invalidValue',
      '/productOfferingQualificationItem/1/id',
    ],
  ])('refuses %s with 422 naming the property', async (_case, items, code, propertyPath) => {
    const res = await gw.call('POST', `${GRACE}/productOfferingQualification`, { token: acme, body: gracePoq(items) });
    expect(res.status).toBe(422);
    expectSpecValid('grace', API, 'createProductOfferingQualification', res);
    expect(res.body).toContainEqual(expect.objectContaining({ code, propertyPath }));
  });

  it('refuses a deferred POQ without requestedPOQCompletionDate, and one without contacts', async () => {
    const deferred = await gw.call('POST', `${GRACE}/productOfferingQualification`, {
      token: acme,
      body: gracePoq([graceAt('1', 'NC-DE-000123', eline(100))], { instantSyncQualification: false }),
    });
    expect(deferred.status).toBe(422);
    expectSpecValid('grace', API, 'createProductOfferingQualification', deferred);
    expect(deferred.body).toEqual([expect.objectContaining({ code: 'missingProperty', propertyPath: '/requestedPOQCompletionDate' })]);

    const { relatedContactInformation: _dropped, ...noContacts } = gracePoq([graceAt('1', 'NC-DE-000123', eline(100))]);
    const res = await gw.call('POST', `${GRACE}/productOfferingQualification`, { token: acme, body: noContacts });
    expect(res.status).toBe(422);
    expectSpecValid('grace', API, 'createProductOfferingQualification', res);
    expect(res.body).toContainEqual(expect.objectContaining({ code: 'missingProperty', propertyPath: '/relatedContactInformation' }));
  });
});

describe('Kylie POQ v8 (globex-networks)', () => {
  it("answers an immediate POQ: state done, deliveryType, Globex's product alias, an address label of our own", async () => {
    const res = await gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: globex,
      body: kyliePoq([
        kylieAt('off-net', { '@type': 'GeographicAddressRef', id: 'NC-GB-000201' }, eline(100, 'GLX-ELINE')),
        kylieAt(
          'labelled',
          {
            '@type': 'GeographicAddress_Query',
            labelRepresentation: [{ label: 'NC-GB-000202', administrativeAuthority: 'NETCORE' }],
          },
          {
            '@type': 'urn:mef:lso:spec:cantata-sonata:basic-internet-access:v1.0.0:all',
            bandwidthMbps: 100,
            ipv4: { prefixLength: 29, routing: 'STATIC' },
          },
        ),
      ]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('kylie', API, 'createProductOfferingQualification', res);
    expect(res.body).toMatchObject({
      state: 'done',
      creationDate: expect.any(String),
      stateChange: [{ state: 'done' }],
    });
    expect(item(res.body, 'off-net')).toMatchObject({
      state: 'done',
      serviceabilityConfidence: 'yellow',
      deliveryType: 'offNetWithoutBuild',
      installationInterval: { amount: 30, units: 'businessDays' },
      product: {
        productConfiguration: { '@type': 'GLX-ELINE' },
        place: [{ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicAddressRef', id: 'NC-GB-000201' } }],
      },
    });
    expect(item(res.body, 'labelled')).toMatchObject({
      serviceabilityConfidence: 'green',
      deliveryType: 'onNetWithoutBuild',
      product: {
        place: [
          {
            place: {
              '@type': 'GeographicAddress_Query',
              labelRepresentation: [{ label: 'NC-GB-000202', administrativeAuthority: 'NETCORE' }],
            },
          },
        ],
      },
    });
  });

  it('offers an alternate with the Kylie-only fields when provideAlternative is true', async () => {
    const res = await gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: globex,
      body: kyliePoq([kylieAt('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000201' }, eline(1000, 'GLX-ELINE'))], {
        provideAlternative: true,
      }),
    });
    expect(res.status).toBe(201);
    expectSpecValid('kylie', API, 'createProductOfferingQualification', res);
    expect(item(res.body, '1').serviceabilityConfidence).toBe('red');
    expect(item(res.body, '1').alternateProductOfferingProposal).toEqual([
      expect.objectContaining({
        serviceabilityConfidence: 'yellow',
        deliveryType: 'offNetWithoutBuild',
        installationInterval: { amount: 30, units: 'businessDays' },
        alternateProduct: expect.objectContaining({
          productConfiguration: { '@type': 'GLX-ELINE', bandwidthMbps: 100 },
        }),
      }),
    ]);
  });

  it('refuses the delete action, which Kylie POQ does not have, with 422 invalidValue', async () => {
    const res = await gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: globex,
      body: kyliePoq([{ id: '1', action: 'delete', product: { id: 'AS-5000011' } }]),
    });
    expect(res.status).toBe(422);
    expectSpecValid('kylie', API, 'createProductOfferingQualification', res);
    expect(res.body).toContainEqual(
      expect.objectContaining({ code: 'invalidValue', propertyPath: '/productOfferingQualificationItem/0/action' }),
    );
  });

  it('lists with creationDate filters and pagination; retrieves; hides other partners', async () => {
    const before = new Date().toISOString();
    const created = await gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: globex,
      body: kyliePoq([kylieAt('1', { '@type': 'GeographicSiteRef', id: 'ST-100003' }, eline(1000, 'GLX-ELINE'))], {
        projectId: 'K-LIST',
      }),
    });
    expect(created.status).toBe(201);
    const list = await gw.call('GET', `${KYLIE}/productOfferingQualification?creationDate.gt=${before}&state=done&projectId=K-LIST`, {
      token: globex,
    });
    expect(list.status).toBe(200);
    expectSpecValid('kylie', API, 'listProductOfferingQualification', list);
    expectPage(list, 1);
    expect(list.body[0]).toMatchObject({
      id: created.body.id,
      state: 'done',
      creationDate: created.body.creationDate,
      projectId: 'K-LIST',
    });
    const later = await gw.call('GET', `${KYLIE}/productOfferingQualification?creationDate.lt=${before}&projectId=K-LIST`, {
      token: globex,
    });
    expectPage(later, 0);
    const throttled = await gw.call('GET', `${KYLIE}/productOfferingQualification?limit=500&projectId=K-LIST`, {
      token: globex,
    });
    expectPage(throttled, 1, true);

    const got = await gw.call('GET', `${KYLIE}/productOfferingQualification/${created.body.id}`, { token: globex });
    expectSpecValid('kylie', API, 'retrieveProductOfferingQualification', got);
    expect(got.body).toEqual(created.body);
    const acmeList = await gw.call('GET', `${GRACE}/productOfferingQualification?projectId=K-LIST`, { token: acme });
    expectPage(acmeList, 0);
    const acmeGet = await gw.call('GET', `${GRACE}/productOfferingQualification/${created.body.id}`, { token: acme });
    expect(acmeGet.status).toBe(404);
  });

  it('completes a deferred POQ through the BSS status report and notifies the Kylie listener with the state', async () => {
    const listener = await startBuyerListener();
    try {
      const hub = await controlled.gw.call('POST', `${KYLIE}/hub`, {
        token: cGlobex,
        body: { callback: listener.origin },
      });
      expect(hub.status).toBe(201);
      expectSpecValid('kylie', API, 'registerListener', hub);
      const got = await controlled.gw.call('GET', `${KYLIE}/hub/${hub.body.id}`, { token: cGlobex });
      expectSpecValid('kylie', API, 'retrieveHub', got);

      const created = await controlled.gw.call('POST', `${KYLIE}/productOfferingQualification`, {
        token: cGlobex,
        body: kyliePoq([kylieAt('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' }, eline(1000, 'GLX-ELINE'))], {
          instantSyncQualification: false,
          requestedPOQCompletionDate: '2030-06-01T12:00:00Z',
        }),
      });
      expect(created.status).toBe(201);
      expectSpecValid('kylie', API, 'createProductOfferingQualification', created);
      expect(created.body).toMatchObject({
        state: 'acknowledged',
        productOfferingQualificationItem: [{ state: 'acknowledged' }],
      });

      const check = await findLegacy(controlled.gw, 'feasibility', CUSTOMERS.globex, created.body.id);
      await advanceLegacy(controlled.gw, 'feasibility', check.FEAS_ID);

      const done = await listener.next('/poqStateChangeEvent', (b) => b.event.id === created.body.id && b.event.state === 'done');
      expect(done.url).toBe(
        '/mefApi/sonata/productOfferingQualificationNotification/v8/listener/poqStateChangeEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE',
      );
      expectEventValid('kylie', 'productOfferingQualificationNotification', 'PoqStateChangeEvent', done.body);
      const itemDone = await listener.next('/poqItemStateChangeEvent', (b) => b.event.id === created.body.id && b.event.state === 'done');
      expectEventValid('kylie', 'productOfferingQualificationNotification', 'PoqItemStateChangeEvent', itemDone.body);
      expect(itemDone.body.event.poqItemId).toBe('1');

      const res = await controlled.gw.call('GET', `${KYLIE}/productOfferingQualification/${created.body.id}`, {
        token: cGlobex,
      });
      expectSpecValid('kylie', API, 'retrieveProductOfferingQualification', res);
      expect(res.body.state).toBe('done');
      expect(item(res.body, '1')).toMatchObject({
        serviceabilityConfidence: 'green',
        deliveryType: 'onNetWithoutBuild',
        installationInterval: { amount: 15, units: 'businessDays' },
      });
      await controlled.gw.call('DELETE', `${KYLIE}/hub/${hub.body.id}`, { token: cGlobex });
    } finally {
      await listener.close();
    }
  });

  it('reports a check the BSS could not finish as terminatedWithError with the reason', async () => {
    const created = await controlled.gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: cGlobex,
      body: kyliePoq([kylieAt('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' }, eline(1000, 'GLX-ELINE'))], {
        instantSyncQualification: false,
        requestedPOQCompletionDate: '2030-06-01T12:00:00Z',
      }),
    });
    const check = await findLegacy(controlled.gw, 'feasibility', CUSTOMERS.globex, created.body.id);
    await advanceLegacy(controlled.gw, 'feasibility', check.FEAS_ID, { TO: 'ERR', REASON: 'planning system down' });
    const state = async () =>
      (await controlled.gw.call('GET', `${KYLIE}/productOfferingQualification?limit=100`, { token: cGlobex })).body.find(
        (p: any) => p.id === created.body.id,
      )?.state;
    await expect.poll(state, { timeout: 5_000 }).toBe('terminatedWithError');
    const res = await controlled.gw.call('GET', `${KYLIE}/productOfferingQualification/${created.body.id}`, {
      token: cGlobex,
    });
    expectSpecValid('kylie', API, 'retrieveProductOfferingQualification', res);
    expect(res.body.stateChange.at(-1)).toMatchObject({
      state: 'terminatedWithError',
      changeReason: 'planning system down',
    });
    expect(item(res.body, '1')).toMatchObject({
      state: 'terminatedWithError',
      terminationError: [{ code: 'otherIssue', value: 'planning system down' }],
    });
    expect(item(res.body, '1').guaranteedUntilDate).toBeUndefined();
  });

  it('answers a place outside the pilot countries as not serviceable (done, red)', async () => {
    const res = await controlled.gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: cGlobex,
      body: kyliePoq([kylieAt('berlin', { '@type': 'GeographicAddressRef', id: 'NC-DE-000123' }, eline(1000, 'GLX-ELINE'))]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('kylie', API, 'createProductOfferingQualification', res);
    expect(res.body.state).toBe('done');
    expect(item(res.body, 'berlin')).toMatchObject({
      state: 'done',
      serviceabilityConfidence: 'red',
      serviceabilityConfidenceReason: expect.stringMatching(/DE is outside the pilot area \(GB\)/),
    });
    expect(item(res.body, 'berlin').deliveryType).toBeUndefined();
  });

  it('refuses a place the Seller cannot resolve and a body missing what Kylie requires', async () => {
    const query = await gw.call('POST', `${KYLIE}/productOfferingQualification`, {
      token: globex,
      body: kyliePoq([
        kylieAt(
          '1',
          {
            '@type': 'GeographicAddress_Query',
            formattedAddressRepresentation: [{ formattedAddress: '1 Main St, London' }],
          },
          eline(100, 'GLX-ELINE'),
        ),
      ]),
    });
    expect(query.status).toBe(422);
    expectSpecValid('kylie', API, 'createProductOfferingQualification', query);
    expect(query.body).toEqual([
      expect.objectContaining({
        code: 'invalidValue',
        propertyPath: '/productOfferingQualificationItem/0/product/place/0/place',
      }),
    ]);

    const { provideAlternative: _dropped, ...incomplete } = kyliePoq([
      kylieAt('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' }, eline(100, 'GLX-ELINE')),
    ]);
    const res = await gw.call('POST', `${KYLIE}/productOfferingQualification`, { token: globex, body: incomplete });
    expect(res.status).toBe(422);
    expectSpecValid('kylie', API, 'createProductOfferingQualification', res);
    expect(res.body).toContainEqual(expect.objectContaining({ code: 'missingProperty', propertyPath: '/provideAlternative' }));
  });
});
