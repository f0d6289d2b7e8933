import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

const GRACE = '/mefApi/sonata/quoteManagement/v8';
const KYLIE = '/mefApi/sonata/quoteManagement/v10';
const API = 'quoteManagement';
const DAY = 86_400_000;

let gw: TestGateway;
let acme: string;
let globex: string;
// simulator without automatic completion; acme is sold firm quotes only, globex is served in the UK only
let controlled: Awaited<ReturnType<typeof startControlledGateway>>;
let cAcme: string;
let cGlobex: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
  controlled = await startControlledGateway({
    'acme-telecom': { budgetaryQuotes: false },
    'globex-networks': { pilotCountries: ['GB'] },
  });
  cAcme = await controlled.gw.token('acme');
  cGlobex = await controlled.gw.token('globex');
});
afterAll(async () => {
  vi.useRealTimers();
  await gw?.close();
  await controlled?.cleanup();
});

const eline = (bandwidthMbps: number, type = 'ACCESS_E_LINE') => ({ '@type': type, bandwidthMbps });
const graceItem = (id: string, addressId: string, productConfiguration: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  action: 'add',
  product: {
    productConfiguration,
    place: [{ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id: addressId }],
  },
  ...extra,
});
const graceQuote = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  instantSyncQuote: true,
  buyerRequestedQuoteLevel: 'firm',
  relatedContactInformation: [buyerContact()],
  quoteItem: items,
  ...extra,
});
const kylieItem = (
  id: string,
  place: Record<string, unknown>,
  productConfiguration: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  id,
  action: 'add',
  product: { productConfiguration, place: [{ role: 'INSTALL_LOCATION', place }] },
  ...extra,
});
const kylieQuote = (items: unknown[], extra: Record<string, unknown> = {}) => ({
  instantSyncQuote: true,
  buyerRequestedQuoteLevel: 'firm',
  quoteItem: items,
  ...extra,
});
const item = (body: any, id: string) => (body.quoteItem as any[]).find((i) => i.id === id);
const price = (it: any, priceType: string) => it.quoteItemPrice.find((p: any) => p.priceType === priceType);
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY;
const listedState = async (g: TestGateway, base: string, token: string, id: string) =>
  (await g.call('GET', `${base}/quote?limit=100`, { token })).body.find((q: any) => q.id === id)?.state;

describe('Grace quote v8 (acme-telecom)', () => {
  it('answers an immediate firm quote: approved.orderable, prices in EUR major units, terms, 30 days validity', async () => {
    const res = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote(
        [
          graceItem('on-net', 'NC-DE-000123', eline(100), {
            requestedQuoteItemTerm: {
              name: 'Two years',
              duration: { amount: 24, units: 'calendarMonths' },
              endOfTermAction: 'roll',
            },
          }),
          graceItem('build', 'NC-DE-000124', eline(1000)),
        ],
        { externalId: 'ACME-Q-1' },
      ),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createQuote', res);
    expect(res.body).toMatchObject({
      state: 'approved.orderable',
      quoteLevel: 'firm',
      buyerRequestedQuoteLevel: 'firm',
      instantSyncQuote: true,
      externalId: 'ACME-Q-1',
    });
    expect(res.body.href).toBe(`${GRACE}/quote/${res.body.id}`);
    expect(days(res.body.validFor.startDateTime, res.body.validFor.endDateTime)).toBeGreaterThan(29);
    expect(days(res.body.validFor.startDateTime, res.body.validFor.endDateTime)).toBeLessThan(32);

    const onNet = item(res.body, 'on-net');
    expect(onNet).toMatchObject({
      state: 'approved.orderable',
      subjectToFeasibilityCheck: false,
      quoteItemInstallationInterval: { amount: 10, units: 'businessDays' },
    });
    // list price 390.00 EUR a month, 0.9 for 24 months; 500.00 EUR once
    expect(price(onNet, 'recurring')).toEqual({
      name: 'Monthly recurring charge',
      priceType: 'recurring',
      recurringChargePeriod: 'month',
      price: { dutyFreeAmount: { unit: 'EUR', value: 351 } },
    });
    expect(price(onNet, 'nonRecurring').price.dutyFreeAmount).toEqual({ unit: 'EUR', value: 500 });
    expect(onNet.quoteItemTerm).toEqual([
      {
        name: 'Two years',
        duration: { amount: 24, units: 'calendarMonths' },
        endOfTermAction: 'roll',
        rollInterval: { amount: 1, units: 'calendarMonths' },
      },
    ]);

    const build = item(res.body, 'build');
    // a build adds 2500.00 EUR to the one-off charge; the Seller says why in a note
    expect(price(build, 'recurring').price.dutyFreeAmount).toEqual({ unit: 'EUR', value: 990 });
    expect(price(build, 'nonRecurring').price.dutyFreeAmount).toEqual({ unit: 'EUR', value: 3250 });
    expect(build.quoteItemTerm[0]).toMatchObject({
      name: '12 months',
      duration: { amount: 12, units: 'calendarMonths' },
    });
    expect(build.note).toEqual([
      expect.objectContaining({ source: 'seller', author: 'NETCORE', text: expect.stringMatching(/construction/) }),
    ]);
  });

  it('answers a budgetary quote at once even when deferred was asked for (MEF 115 R14): answered, 90 days', async () => {
    const res = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))], {
        instantSyncQuote: false,
        buyerRequestedQuoteLevel: 'budgetary',
      }),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createQuote', res);
    expect(res.body).toMatchObject({
      state: 'answered',
      quoteLevel: 'budgetary',
      instantSyncQuote: false,
      quoteItem: [{ state: 'answered' }],
    });
    expect(days(res.body.validFor.startDateTime, res.body.validFor.endDateTime)).toBeGreaterThan(89);
  });

  it('prices what it can and answers the rest unableToProvide with the reason', async () => {
    const res = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('berlin', 'NC-DE-000123', eline(100)), graceItem('zurich', 'NC-CH-000501', eline(100))]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createQuote', res);
    expect(res.body.state).toBe('approved.orderable');
    expect(item(res.body, 'zurich')).toMatchObject({
      state: 'unableToProvide',
      note: [{ source: 'seller', text: 'country not served: Switzerland' }],
    });
    expect(item(res.body, 'zurich').quoteItemPrice).toBeUndefined();

    const none = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('zurich', 'NC-CH-000501', eline(100))]),
    });
    expect(none.body.state).toBe('unableToProvide');
    expectSpecValid('grace', API, 'createQuote', none);
  });

  it('retrieves its quote, lists with filters and pagination headers; other partners see nothing', async () => {
    const project = `Q-${Date.now()}`;
    const since = new Date().toISOString();
    const ids: string[] = [];
    for (const level of ['firm', 'budgetary', 'firm']) {
      const res = await gw.call('POST', `${GRACE}/quote`, {
        token: acme,
        body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))], {
          buyerRequestedQuoteLevel: level,
          projectId: project,
        }),
      });
      ids.push(res.body.id);
    }
    const got = await gw.call('GET', `${GRACE}/quote/${ids[0]}`, { token: acme });
    expect(got.status).toBe(200);
    expectSpecValid('grace', API, 'retrieveQuote', got);
    expect(got.body).toMatchObject({
      id: ids[0],
      state: 'approved.orderable',
      quoteItem: [{ quoteItemPrice: expect.any(Array) }],
    });

    const all = await gw.call('GET', `${GRACE}/quote?projectId=${project}`, { token: acme });
    expectSpecValid('grace', API, 'listQuote', all);
    expectPage(all, 3);
    expect(all.body.map((q: any) => q.id)).toEqual([...ids].reverse());
    expect(all.body[0]).toEqual({
      id: ids[2],
      state: 'approved.orderable',
      quoteLevel: 'firm',
      projectId: project,
      quoteDate: expect.any(String),
      effectiveQuoteCompletionDate: expect.any(String),
    });
    const firm = await gw.call('GET', `${GRACE}/quote?projectId=${project}&quoteLevel=firm&quoteDate.gt=${since}&limit=1&offset=1`, {
      token: acme,
    });
    expectSpecValid('grace', API, 'listQuote', firm);
    expectPage(firm, 2);
    expect(firm.body.map((q: any) => q.id)).toEqual([ids[0]]);
    const answered = await gw.call('GET', `${GRACE}/quote?projectId=${project}&state=answered`, { token: acme });
    expect(answered.body.map((q: any) => q.id)).toEqual([ids[1]]);
    const bad = await gw.call('GET', `${GRACE}/quote?price=cheap`, { token: acme });
    expect(bad.status).toBe(400);
    expectSpecValid('grace', API, 'listQuote', bad);

    const theirs = await gw.call('GET', `${KYLIE}/quote/${ids[0]}`, { token: globex });
    expect(theirs.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveQuote', theirs);
    const theirList = await gw.call('GET', `${KYLIE}/quote?projectId=${project}`, { token: globex });
    expectPage(theirList, 0);
    const theirCancel = await gw.call('POST', `${KYLIE}/cancelQuote`, { token: globex, body: { quoteId: ids[0] } });
    expect(theirCancel.status).toBe(422);
    expectSpecValid('kylie', API, 'cancelQuote', theirCancel);
    expect(theirCancel.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/quoteId' })]);
  });

  it('rejects (declines) an answered quote, then refuses reject and cancel in that final state', async () => {
    const created = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))]),
    });
    const res = await gw.call('POST', `${GRACE}/rejectQuote`, {
      token: acme,
      body: { quoteId: created.body.id, reason: 'too expensive' },
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'rejectQuote', res);
    expect(res.body).toEqual({ quoteId: created.body.id, reason: 'too expensive' });

    const got = await gw.call('GET', `${GRACE}/quote/${created.body.id}`, { token: acme });
    expectSpecValid('grace', API, 'retrieveQuote', got);
    expect(got.body.state).toBe('declined');
    expect(got.body.stateChange.at(-1)).toMatchObject({ state: 'declined', changeReason: 'too expensive' });
    const offer = await findLegacy(gw, 'offers', CUSTOMERS.acme, created.body.id);
    expect(offer).toMatchObject({ OFFER_STATUS: 'DECL', RESV_STATUS: 'RLSD' });

    for (const op of ['rejectQuote', 'cancelQuote']) {
      const again = await gw.call('POST', `${GRACE}/${op}`, { token: acme, body: { quoteId: created.body.id } });
      expect(again.status).toBe(422);
      expectSpecValid('grace', API, op, again);
      expect(again.body).toEqual([
        expect.objectContaining({
          code: 'invalidValue',
          propertyPath: '/quoteId',
          reason: expect.stringMatching(/declined/),
        }),
      ]);
    }
  });

  it('cancels an answered quote: cancelled, items abandoned, the reservation released', async () => {
    const created = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))]),
    });
    const res = await gw.call('POST', `${GRACE}/cancelQuote`, {
      token: acme,
      body: { quoteId: created.body.id, reason: 'project stopped' },
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'cancelQuote', res);
    const got = await gw.call('GET', `${GRACE}/quote/${created.body.id}`, { token: acme });
    expectSpecValid('grace', API, 'retrieveQuote', got);
    expect(got.body).toMatchObject({ state: 'cancelled', quoteItem: [{ state: 'abandoned' }] });
    expect(await findLegacy(gw, 'offers', CUSTOMERS.acme, created.body.id)).toMatchObject({
      OFFER_STATUS: 'WDRN',
      RESV_STATUS: 'RLSD',
    });

    const unknown = await gw.call('POST', `${GRACE}/cancelQuote`, { token: acme, body: { quoteId: 'no-such-quote' } });
    expect(unknown.status).toBe(422);
    expectSpecValid('grace', API, 'cancelQuote', unknown);
    expect(unknown.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/quoteId' })]);
  });

  it('prices an item on the POQ item it was qualified by; an unknown or mismatching POQ item is refused', async () => {
    const poq = await gw.call('POST', '/mefApi/sonata/productOfferingQualification/v7/productOfferingQualification', {
      token: acme,
      body: {
        instantSyncQualification: true,
        relatedContactInformation: [buyerContact()],
        productOfferingQualificationItem: [graceItem('p1', 'NC-DE-000123', eline(1000))],
      },
    });
    expect(poq.status).toBe(201);
    const ref = { id: 'p1', productOfferingQualificationId: poq.body.id };
    const res = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('q1', 'NC-DE-000123', eline(1000), { productOfferingQualificationItem: ref })]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createQuote', res);
    expect(item(res.body, 'q1')).toMatchObject({ state: 'approved.orderable', productOfferingQualificationItem: ref });
    const check = await findLegacy(gw, 'feasibility', CUSTOMERS.acme, poq.body.id);
    const offer = await findLegacy(gw, 'offers', CUSTOMERS.acme, res.body.id);
    expect(offer.LINES[0]).toMatchObject({ FEAS_ID: check.FEAS_ID, FEAS_LINE_REF: '1' });

    const unknown = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([
        graceItem('q1', 'NC-DE-000123', eline(1000), {
          productOfferingQualificationItem: { id: 'p9', productOfferingQualificationId: poq.body.id },
        }),
      ]),
    });
    expect(unknown.status).toBe(422);
    expectSpecValid('grace', API, 'createQuote', unknown);
    expect(unknown.body).toEqual([
      expect.objectContaining({
        code: 'referenceNotFound',
        propertyPath: '/quoteItem/0/productOfferingQualificationItem',
      }),
    ]);

    const elsewhere = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('q1', 'NC-DE-000122', eline(1000), { productOfferingQualificationItem: ref })]),
    });
    expect(elsewhere.status).toBe(422);
    expectSpecValid('grace', API, 'createQuote', elsewhere);
    expect(elsewhere.body).toEqual([
      expect.objectContaining({ code: 'invalidValue', propertyPath: '/quoteItem/0/productOfferingQualificationItem' }),
    ]);
  });

  it.each([
    [
      'a term the Seller does not sell',
      [
        graceItem('1', 'NC-DE-000123', eline(100), {
          requestedQuoteItemTerm: {
            name: '18',
            duration: { amount: 18, units: 'calendarMonths' },
            endOfTermAction: 'roll',
          },
        }),
      ],
      'invalidValue',
      '/quoteItem/0/requestedQuoteItemTerm/duration',
    ],
    [
      'a term in days',
      [
        graceItem('1', 'NC-DE-000123', eline(100), {
          requestedQuoteItemTerm: {
            name: 'a year',
            duration: { amount: 365, units: 'calendarDays' },
            endOfTermAction: 'roll',
          },
        }),
      ],
      'invalidValue',
      '/quoteItem/0/requestedQuoteItemTerm/duration/units',
    ],
    [
      'a product type nobody sells',
      [graceItem('1', 'NC-DE-000123', { '@type': 'MPLS', bandwidthMbps: 100 })],
      'invalidValue',
      '/quoteItem/0/product/productConfiguration/@type',
    ],
    // refused by the BSS (RC 8, ERR_FIELD LINES[i].X): legacyFieldPaths' LINES[*] patterns name item i
    [
      'a term the Seller does not sell, on the third item',
      [
        graceItem('1', 'NC-DE-000123', eline(100)),
        graceItem('2', 'NC-DE-000123', eline(100)),
        graceItem('3', 'NC-DE-000123', eline(100), {
          requestedQuoteItemTerm: {
            name: '18',
            duration: { amount: 18, units: 'calendarMonths' },
            endOfTermAction: 'roll',
          },
        }),
      ],
      'invalidValue',
      '/quoteItem/2/requestedQuoteItemTerm/duration',
    ],
    ['an item without product', [{ id: '1', action: 'add' }], 'missingProperty', '/quoteItem/0/product'],
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
                '@type': 'FormattedAddress',
                role: 'INSTALL_LOCATION',
                addrLine1: 'Hauptstrasse 12',
                city: 'Berlin',
                country: 'DE',
              },
            ],
          },
        },
      ],
      'invalidValue',
      '/quoteItem/0/product/place/0',
    ],
  ])('refuses %s with 422 naming the property', async (_case, items, code, propertyPath) => {
    const res = await gw.call('POST', `${GRACE}/quote`, { token: acme, body: graceQuote(items) });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expectSpecValid('grace', API, 'createQuote', res);
    expect(res.body, JSON.stringify(res.body)).toContainEqual(expect.objectContaining({ code, propertyPath }));
  });

  it('refuses a budgetary quote for a Buyer sold firm quotes only, naming /buyerRequestedQuoteLevel', async () => {
    const res = await controlled.gw.call('POST', `${GRACE}/quote`, {
      token: cAcme,
      body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))], { buyerRequestedQuoteLevel: 'budgetary' }),
    });
    expect(res.status).toBe(422);
    expectSpecValid('grace', API, 'createQuote', res);
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/buyerRequestedQuoteLevel' })]);
    const firm = await controlled.gw.call('POST', `${GRACE}/quote`, {
      token: cAcme,
      body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))]),
    });
    expect(firm.status).toBe(201);
    expect(firm.body.state).toBe('approved.orderable');
  });

  it('cancels a deferred firm quote while the BSS is still working on it, and notifies the Grace listener', async () => {
    const listener = await startBuyerListener();
    try {
      const hub = await controlled.gw.call('POST', `${GRACE}/hub`, {
        token: cAcme,
        body: { callback: listener.origin, query: 'eventType=quoteStateChangeEvent' },
      });
      expect(hub.status).toBe(201);
      expectSpecValid('grace', API, 'registerListener', hub);
      const created = await controlled.gw.call('POST', `${GRACE}/quote`, {
        token: cAcme,
        body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))], {
          instantSyncQuote: false,
          requestedQuoteCompletionDate: '2030-01-01T00:00:00Z',
        }),
      });
      expect(created.status).toBe(201);
      expectSpecValid('grace', API, 'createQuote', created);
      expect(created.body).toMatchObject({ state: 'acknowledged', quoteItem: [{ state: 'acknowledged' }] });
      expect(created.body.quoteItem[0].quoteItemPrice).toBeUndefined();
      expect(await findLegacy(controlled.gw, 'offers', CUSTOMERS.acme, created.body.id)).toMatchObject({
        MODE: 'ASYNC',
        OFFER_STATUS: 'INPR',
      });

      const res = await controlled.gw.call('POST', `${GRACE}/cancelQuote`, {
        token: cAcme,
        body: { quoteId: created.body.id, reason: 'found another way' },
      });
      expect(res.status).toBe(200);
      expectSpecValid('grace', API, 'cancelQuote', res);
      const event = await listener.next('/quoteStateChangeEvent', (b) => b.event.id === created.body.id);
      expect(event.url).toBe('/mefApi/sonata/quoteNotification/v8/listener/quoteStateChangeEvent');
      expectEventValid('grace', 'quoteNotification', 'Event', event.body);

      const got = await controlled.gw.call('GET', `${GRACE}/quote/${created.body.id}`, { token: cAcme });
      expectSpecValid('grace', API, 'retrieveQuote', got);
      expect(got.body).toMatchObject({ state: 'cancelled', quoteItem: [{ state: 'abandoned' }] });
      const removed = await controlled.gw.call('DELETE', `${GRACE}/hub/${hub.body.id}`, { token: cAcme });
      expect(removed.status).toBe(204);
      expectSpecValid('grace', API, 'unregisterListener', removed);
    } finally {
      await listener.close();
    }
  });
});

describe('Kylie quote v10 (globex-networks)', () => {
  it('answers an immediate firm quote in GBP with Duration charge periods and item state history', async () => {
    const res = await gw.call('POST', `${KYLIE}/quote`, {
      token: globex,
      body: kylieQuote([
        kylieItem('off-net', { '@type': 'GeographicAddressRef', id: 'NC-GB-000201' }, eline(100, 'GLX-ELINE')),
        kylieItem('dc', { '@type': 'GeographicSiteRef', id: 'ST-100003' }, eline(100, 'GLX-ELINE'), {
          requestedQuoteItemTerm: {
            name: 'Three years',
            duration: { amount: 3, units: 'years' },
            endOfTermAction: 'autoRenew',
          },
        }),
      ]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('kylie', API, 'createQuote', res);
    expect(res.body).toMatchObject({
      state: 'approved.orderable',
      quoteLevel: 'firm',
      stateChange: [{ state: 'approved.orderable' }],
    });
    const offNet = item(res.body, 'off-net');
    expect(offNet.stateChange).toEqual([{ state: 'approved.orderable', changeDate: expect.any(String) }]);
    // 390.00 EUR list x 1.25 off-net x 0.86 GBP
    expect(price(offNet, 'recurring')).toEqual({
      name: 'Monthly recurring charge',
      priceType: 'recurring',
      recurringChargePeriod: { amount: 1, units: 'months' },
      price: { dutyFreeAmount: { unit: 'GBP', value: 419.25 } },
    });
    expect(price(offNet, 'nonRecurring').price.dutyFreeAmount).toEqual({ unit: 'GBP', value: 430 });
    const dc = item(res.body, 'dc');
    expect(dc.quoteItemTerm).toEqual([{ name: 'Three years', duration: { amount: 36, units: 'months' }, endOfTermAction: 'autoRenew' }]);
    expect(price(dc, 'recurring').price.dutyFreeAmount.value).toBe(268.32);
  });

  it('declines an answered quote, then refuses decline and cancel in that final state', async () => {
    const created = await gw.call('POST', `${KYLIE}/quote`, {
      token: globex,
      body: kylieQuote([kylieItem('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' }, eline(100, 'GLX-ELINE'))], {
        buyerRequestedQuoteLevel: 'budgetary',
      }),
    });
    expect(created.body.state).toBe('answered');
    const res = await gw.call('POST', `${KYLIE}/declineQuote`, { token: globex, body: { quoteId: created.body.id } });
    expect(res.status).toBe(200);
    expectSpecValid('kylie', API, 'declineQuote', res);
    expect(res.body).toEqual({ quoteId: created.body.id });
    const got = await gw.call('GET', `${KYLIE}/quote/${created.body.id}`, { token: globex });
    expectSpecValid('kylie', API, 'retrieveQuote', got);
    expect(got.body.state).toBe('declined');
    for (const op of ['declineQuote', 'cancelQuote']) {
      const again = await gw.call('POST', `${KYLIE}/${op}`, {
        token: globex,
        body: { quoteId: created.body.id, reason: 'again' },
      });
      expect(again.status).toBe(422);
      expectSpecValid('kylie', API, op, again);
      expect(again.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/quoteId' })]);
    }
    // Grace's name for the operation does not exist in Kylie
    const grace = await gw.call('POST', `${KYLIE}/rejectQuote`, { token: globex, body: { quoteId: created.body.id } });
    expect(grace.status).toBe(404);
  });

  it('completes a deferred firm quote through the BSS status report: notification with the state, then prices on retrieve', async () => {
    const listener = await startBuyerListener();
    try {
      const hub = await controlled.gw.call('POST', `${KYLIE}/hub`, {
        token: cGlobex,
        body: { callback: listener.origin },
      });
      expect(hub.status).toBe(201);
      expectSpecValid('kylie', API, 'registerListener', hub);
      const sub = await controlled.gw.call('GET', `${KYLIE}/hub/${hub.body.id}`, { token: cGlobex });
      expectSpecValid('kylie', API, 'retrieveHub', sub);
      expect(sub.body).toEqual(hub.body);

      const created = await controlled.gw.call('POST', `${KYLIE}/quote`, {
        token: cGlobex,
        body: kylieQuote([kylieItem('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' }, eline(1000, 'GLX-ELINE'))], {
          instantSyncQuote: false,
        }),
      });
      expect(created.status).toBe(201);
      expectSpecValid('kylie', API, 'createQuote', created);
      expect(created.body).toMatchObject({ state: 'acknowledged', quoteItem: [{ state: 'acknowledged' }] });
      expect(created.body.quoteLevel).toBeUndefined();

      const offer = await findLegacy(controlled.gw, 'offers', CUSTOMERS.globex, created.body.id);
      expect(offer).toMatchObject({ MODE: 'ASYNC', OFFER_TYPE: 'FIRM', OFFER_STATUS: 'INPR' });
      await advanceLegacy(controlled.gw, 'offers', offer.OFFER_NO, { TO: 'OFFR' });

      const event = await listener.next(
        '/quoteStateChangeEvent',
        (b) => b.event.id === created.body.id && b.event.state === 'approved.orderable',
      );
      expect(event.url).toBe('/mefApi/sonata/quoteNotification/v10/listener/quoteStateChangeEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE');
      expectEventValid('kylie', 'quoteNotification', 'QuoteStateChangeEvent', event.body);
      expect(event.body.event.href).toBe(`${KYLIE}/quote/${created.body.id}`);
      expect(await listedState(controlled.gw, KYLIE, cGlobex, created.body.id)).toBe('approved.orderable');

      const got = await controlled.gw.call('GET', `${KYLIE}/quote/${created.body.id}`, { token: cGlobex });
      expectSpecValid('kylie', API, 'retrieveQuote', got);
      expect(got.body).toMatchObject({
        state: 'approved.orderable',
        quoteLevel: 'firm',
        quoteItem: [{ state: 'approved.orderable' }],
      });
      // the BSS's "in progress" report may reach the gateway before the new quote is stored, and is then not applied
      const history = got.body.stateChange.map((s: any) => s.state);
      expect([history[0], history.at(-1)]).toEqual(['acknowledged', 'approved.orderable']);
      expect(price(got.body.quoteItem[0], 'recurring').price.dutyFreeAmount).toEqual({ unit: 'GBP', value: 851.4 });
      const itemEvent = await listener.next(
        '/quoteItemStateChangeEvent',
        (b) => b.event.id === created.body.id && b.event.state === 'approved.orderable',
      );
      expectEventValid('kylie', 'quoteNotification', 'QuoteItemStateChangeEvent', itemEvent.body);
      expect(itemEvent.body.event.quoteItemId).toBe('1');
      await controlled.gw.call('DELETE', `${KYLIE}/hub/${hub.body.id}`, { token: cGlobex });
    } finally {
      await listener.close();
    }
  });

  it('shows expired when the BSS reports the offer expired, and refuses to decline it', async () => {
    const created = await controlled.gw.call('POST', `${KYLIE}/quote`, {
      token: cGlobex,
      body: kylieQuote([kylieItem('1', { '@type': 'GeographicAddressRef', id: 'NC-GB-000202' }, eline(100, 'GLX-ELINE'))]),
    });
    expect(created.body.state).toBe('approved.orderable');
    const offer = await findLegacy(controlled.gw, 'offers', CUSTOMERS.globex, created.body.id);
    await advanceLegacy(controlled.gw, 'offers', offer.OFFER_NO, { TO: 'EXPD' });
    await expect.poll(() => listedState(controlled.gw, KYLIE, cGlobex, created.body.id), { timeout: 5_000 }).toBe('expired');
    const got = await controlled.gw.call('GET', `${KYLIE}/quote/${created.body.id}`, { token: cGlobex });
    expectSpecValid('kylie', API, 'retrieveQuote', got);
    expect(got.body.state).toBe('expired');
    const declined = await controlled.gw.call('POST', `${KYLIE}/declineQuote`, {
      token: cGlobex,
      body: { quoteId: created.body.id },
    });
    expect(declined.status).toBe(422);
    expectSpecValid('kylie', API, 'declineQuote', declined);
  });

  it('answers a place outside the pilot countries unableToProvide, with the reason', async () => {
    const res = await controlled.gw.call('POST', `${KYLIE}/quote`, {
      token: cGlobex,
      body: kylieQuote([kylieItem('berlin', { '@type': 'GeographicAddressRef', id: 'NC-DE-000123' }, eline(100, 'GLX-ELINE'))]),
    });
    expect(res.status).toBe(201);
    expectSpecValid('kylie', API, 'createQuote', res);
    expect(res.body.state).toBe('unableToProvide');
    expect(item(res.body, 'berlin')).toMatchObject({
      state: 'unableToProvide',
      note: [{ source: 'seller', text: expect.stringMatching(/outside the pilot area \(GB\)/) }],
    });
    expect(item(res.body, 'berlin').quoteItemPrice).toBeUndefined();
  });
});

describe('a quote whose validity has passed', () => {
  it('is listed and retrieved as expired even before the BSS reports it', async () => {
    const created = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: graceQuote([graceItem('1', 'NC-DE-000123', eline(100))], { projectId: 'EXPIRY' }),
    });
    expect(created.body.state).toBe('approved.orderable');
    const end = Date.parse(created.body.validFor.endDateTime);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(end + 2 * 60_000);
      const token = await gw.token('acme');
      // the list reads only the stored quote: expiry is worked out from validFor
      const list = await gw.call('GET', `${GRACE}/quote?projectId=EXPIRY`, { token });
      expectSpecValid('grace', API, 'listQuote', list);
      expect(list.body).toEqual([expect.objectContaining({ id: created.body.id, state: 'expired' })]);
      const got = await gw.call('GET', `${GRACE}/quote/${created.body.id}`, { token });
      expectSpecValid('grace', API, 'retrieveQuote', got);
      expect(got.body.state).toBe('expired');
      expect(got.body.stateChange.at(-1)).toMatchObject({ state: 'expired' });
      const cancel = await gw.call('POST', `${GRACE}/cancelQuote`, { token, body: { quoteId: created.body.id } });
      expect(cancel.status).toBe(422);
      expectSpecValid('grace', API, 'cancelQuote', cancel);
    } finally {
      vi.useRealTimers();
    }
  });
});
