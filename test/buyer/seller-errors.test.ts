import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, SDK_DIR } from '../support/test-gateway.js';
import { legacyDate, startBuyerTestbed, type BuyerTestbed } from './support.js';

const ORDER = (ref: string, seller = 'northwind-access') => ({
  SELLER: seller,
  CUST_ORDER_REF: ref,
  CONTACT_NAME: 'Anna Berg',
  CONTACT_PHONE: '+49 30 1234567',
  CONTACT_EMAIL: 'anna.berg@netcore.example',
  LINES: [
    {
      LINE_REF: '1',
      ACTION: 'NEW',
      PROD_CODE: 'ELINE',
      BW_MBPS: 100,
      SELLER_ADDR_ID: 'ADR-DE-1001',
      COUNTRY: 'Germany',
      REQ_DATE: legacyDate(60),
    },
  ],
});

describe('seller failures and refusals, as the legacy BSS sees them', () => {
  let bed: BuyerTestbed;
  beforeAll(async () => {
    bed = await startBuyerTestbed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('one token for many calls; a 401 makes exactly one refresh, and a second 401 is an RC 12 without another', async () => {
    for (let i = 0; i < 4; i++) {
      expect(
        (
          await bed.legacy('POST', '/address/check', {
            STREET: 'Hauptstrasse',
            HOUSE_NO: '12',
            TOWN: 'Berlin',
            COUNTRY: 'Germany',
          })
        ).RC,
      ).toBe(0);
    }
    // the hub registrations at start and every call since used one token, cached in the store
    expect(bed.grace.control.tokenRequests()).toBe(1);
    expect(await bed.gw.gateway.store.getJson('buyer:token:northwind-access:netcore-buyer')).toMatchObject({
      accessToken: expect.any(String),
    });

    const quote = await bed.legacy('POST', '/quotes', {
      REQ_REF: 'T-1',
      LINES: [
        {
          LINE_REF: '1',
          ACTION: 'NEW',
          PROD_CODE: 'UNI',
          BW_MBPS: 1000,
          SELLER_ADDR_ID: 'ADR-DE-1003',
          COUNTRY: 'Germany',
        },
      ],
    });
    expect(quote.RC).toBe(0);
    // the quote's notification makes the gateway read it back (Grace): let that finish first
    await bed.grace.control.idle();
    bed.grace.control.revokeTokens();
    bed.grace.control.clearReceived();
    const read = await bed.legacy('GET', `/quotes/${quote.QUOTE.QUOTE_ID}`);
    expect(read).toMatchObject({ RC: 0, QUOTE: { QUOTE_ID: quote.QUOTE.QUOTE_ID } });
    expect(bed.grace.control.tokenRequests()).toBe(2);
    expect(bed.grace.control.received().map((r) => r.status)).toEqual([401, 200]);

    bed.grace.control.injectFault({
      operationId: 'retrieveQuote',
      status: 401,
      body: { code: 'invalidCredentials', reason: 'token revoked' },
      times: 2,
    });
    const refused = await bed.legacy('GET', `/quotes/${quote.QUOTE.QUOTE_ID}`);
    expect(refused).toMatchObject({
      RC: 12,
      SELLER: 'northwind-access',
      ERR_CODE: 'seller.credentials',
      OUTCOME: 'NOT_DONE',
    });
    expect(refused.MSG).toMatch(/northwind-access refused the gateway's credentials/);
    expect(bed.grace.control.tokenRequests()).toBe(3);
  });

  it("a seller's 422 comes back as RC 8 naming the legacy field its propertyPath came from", async () => {
    const bandwidth = await bed.legacy('POST', '/quotes', {
      REQ_REF: 'T-2',
      LINES: [
        {
          LINE_REF: 'A',
          ACTION: 'NEW',
          PROD_CODE: 'ELINE',
          BW_MBPS: 100,
          SELLER_ADDR_ID: 'ADR-DE-1001',
          COUNTRY: 'Germany',
        },
        {
          LINE_REF: 'B',
          ACTION: 'NEW',
          PROD_CODE: 'ELINE',
          BW_MBPS: 123,
          SELLER_ADDR_ID: 'ADR-DE-1001',
          COUNTRY: 'Germany',
        },
      ],
    });
    expect(bandwidth).toMatchObject({
      RC: 8,
      ERR_FIELD: 'LINES[1].BW_MBPS',
      SELLER: 'northwind-access',
      ERR_CODE: 'seller.rejected-input',
      OUTCOME: 'NOT_DONE',
    });
    expect(bandwidth.MSG).toMatch(
      /seller northwind-access refused the quote request: \/quoteItem\/1\/product\/productConfiguration\/bandwidthMbps: Access E-Line is sold at/,
    );

    // Kylie nests the place one level deeper; the same legacy field comes back
    const place = await bed.legacy('POST', '/quotes', {
      SELLER: 'southwind-fibre',
      REQ_REF: 'T-3',
      LINES: [{ LINE_REF: '1', ACTION: 'NEW', PROD_CODE: 'DIA', BW_MBPS: 100, SELLER_ADDR_ID: 'ADR-GB-9999' }],
    });
    expect(place).toMatchObject({ RC: 8, ERR_FIELD: 'LINES[0].SELLER_ADDR_ID', SELLER: 'southwind-fibre' });
    expect(place.MSG).toMatch(/\/quoteItem\/0\/product\/place\/0\/place\/id: no address ADR-GB-9999/);
  });

  it("the legacy BSS's own input errors are RC 8 in its conventions, before any seller is called", async () => {
    const before = bed.grace.control.received().length;
    expect(await bed.legacy('POST', '/address/check', { STREET: 'Hauptstrasse', TOWN: 'Berlin', COUNTRY: 'DE' })).toMatchObject({
      RC: 8,
      ERR_FIELD: 'COUNTRY',
      ERR_CODE: 'request.rejected',
    });
    expect(await bed.legacy('POST', '/quotes', { REQ_REF: 'T-4', COLOUR: 'red', LINES: [] })).toMatchObject({
      RC: 8,
      ERR_FIELD: 'COLOUR',
    });
    expect(
      await bed.legacy('POST', '/orders', {
        ...ORDER('T-5'),
        LINES: [{ ...ORDER('T-5').LINES[0], REQ_DATE: undefined }],
      }),
    ).toMatchObject({ RC: 8, ERR_FIELD: 'LINES[0].REQ_DATE' });
    const malformed = await bed.gw.call('POST', '/internal/buyer/quotes', {
      rawBody: '{"REQ_REF": ',
      headers: { 'x-internal-api-key': 'demo-internal-key-0123456789' },
    });
    expect(malformed.body).toMatchObject({ RC: 8, MSG: 'malformed request', ERR_FIELD: null });
    expect(bed.grace.control.received().length).toBe(before);
  });

  it("a release mapping can refuse what the seller's release cannot express, naming the legacy line", async () => {
    const before = bed.kylie.control.received().length;
    const del = await bed.legacy('POST', '/feasibility', {
      SELLER: 'southwind-fibre',
      REQ_REF: 'F-DEL',
      CONTACT_NAME: 'A',
      CONTACT_PHONE: '1',
      CONTACT_EMAIL: 'a@b.example',
      LINES: [
        { LINE_REF: '1', ACTION: 'NEW', PROD_CODE: 'UNI', BW_MBPS: 100, SELLER_ADDR_ID: 'ADR-GB-2001' },
        { LINE_REF: '2', ACTION: 'DEL', SELLER_PRODUCT_ID: 'PRD-1' },
      ],
    });
    expect(del).toMatchObject({
      RC: 8,
      ERR_FIELD: 'LINES[1].ACTION',
      SELLER: 'southwind-fibre',
      MSG: 'Kylie sellers do not qualify terminations (DEL)',
    });
    expect(bed.kylie.control.received().length).toBe(before);
  });

  it("routes by the sellers' countries and products, and says so when none or several fit", async () => {
    const none = await bed.legacy('POST', '/address/check', {
      STREET: 'Bahnhofstrasse',
      TOWN: 'Zurich',
      COUNTRY: 'Switzerland',
    });
    expect(none).toMatchObject({ RC: 8, ERR_FIELD: 'SELLER', ERR_CODE: 'route.no-seller' });
    expect(none.MSG).toBe('no seller partner serves CH; name one with SELLER');
    // Northwind serves Germany but not Internet access; Southwind serves every product but only the UK
    const product = await bed.legacy('POST', '/quotes', {
      REQ_REF: 'T-6',
      LINES: [
        {
          LINE_REF: '1',
          ACTION: 'NEW',
          PROD_CODE: 'DIA',
          BW_MBPS: 100,
          STREET: 'Hauptstrasse',
          TOWN: 'Berlin',
          COUNTRY: 'Germany',
        },
      ],
    });
    expect(product).toMatchObject({
      RC: 8,
      ERR_FIELD: 'SELLER',
      MSG: 'no seller partner serves DE, DIA; name one with SELLER',
    });
    // an order by reference only, with no place, fits every seller
    const several = await bed.legacy('POST', '/orders', {
      ...ORDER('T-7'),
      SELLER: undefined,
      LINES: [{ LINE_REF: '1', ACTION: 'DEL', SELLER_PRODUCT_ID: 'PRD-1', REQ_DATE: legacyDate(30) }],
    });
    expect(several).toMatchObject({ RC: 8, ERR_FIELD: 'SELLER', ERR_CODE: 'route.several-sellers' });
    expect(several.MSG).toMatch(/\(northwind-access, southwind-fibre, westwind-carrier\)/);
    expect(await bed.legacy('GET', '/quotes/Q-NOBODY-1')).toMatchObject({
      RC: 4,
      MSG: 'no seller is known to hold quote Q-NOBODY-1; name it with SELLER',
    });
    expect(await bed.legacy('GET', '/quotes/Q-NOBODY-1?SELLER=northwind-access')).toMatchObject({
      RC: 4,
      ERR_CODE: 'seller.not-found',
      SELLER: 'northwind-access',
    });
  });

  it('withdraws and declines quotes and cancels orders; a refused cancellation is RC 8 on ORDER_ID', async () => {
    const line = {
      LINE_REF: '1',
      ACTION: 'NEW',
      PROD_CODE: 'ELINE',
      BW_MBPS: 50,
      SELLER_ADDR_ID: 'ADR-GB-2002',
      COUNTRY: 'United Kingdom',
    };
    const created = await bed.legacy('POST', '/quotes', { REQ_REF: 'W-1', LINES: [line] });
    expect(created.RC, JSON.stringify(created)).toBe(0);
    const a = created.QUOTE;
    const b = (await bed.legacy('POST', '/quotes', { REQ_REF: 'W-2', LINES: [line] })).QUOTE;
    expect(await bed.legacy('POST', `/quotes/${a.QUOTE_ID}/withdraw`, { REASON: 'project stopped' })).toMatchObject({
      RC: 0,
      QUOTE: {
        QUOTE_STATUS: 'WDRN',
        STATUS_HIST: expect.arrayContaining([expect.objectContaining({ STATUS: 'WDRN', RSN: 'project stopped' })]),
      },
    });
    expect(await bed.legacy('POST', `/quotes/${b.QUOTE_ID}/decline`, {})).toMatchObject({
      RC: 0,
      QUOTE: { QUOTE_STATUS: 'DECL' },
    });
    expect(await bed.legacy('POST', `/quotes/${b.QUOTE_ID}/decline`, {})).toMatchObject({
      RC: 8,
      ERR_FIELD: 'QUOTE_ID',
      SELLER: 'southwind-fibre',
    });

    const order = (await bed.legacy('POST', '/orders', ORDER('C-1'))).ORDER;
    const contact = {
      CONTACT_NAME: 'Anna Berg',
      CONTACT_PHONE: '+49 30 1234567',
      CONTACT_EMAIL: 'anna.berg@netcore.example',
    };
    expect(await bed.legacy('POST', `/orders/${order.ORDER_ID}/cancel`, { ...contact, REASON: 'site closed' })).toMatchObject({
      RC: 0,
      ORDER: { ORDER_STATUS: 'CANC', CANC_DATE: expect.any(String) },
    });
    const again = await bed.legacy('POST', `/orders/${order.ORDER_ID}/cancel`, contact);
    expect(again).toMatchObject({
      RC: 8,
      ERR_FIELD: 'ORDER_ID',
      MSG: 'seller northwind-access refused the order cancellation: the order is cancelled',
    });
  });

  it('a notification the legacy webhook refuses at first is delivered again (at least once)', async () => {
    const order = (await bed.legacy('POST', '/orders', ORDER('R-1'))).ORDER;
    bed.webhook.failNext(2);
    bed.grace.control.advanceOrder(order.ORDER_ID, 'inProgress');
    const got = await bed.webhook.waitFor(
      (w) => w.body.OBJ_ID === order.ORDER_ID && w.body.EVT_TYPE === 'PURCHASE_ORDER_STATUS' && w.body.NEW_STATUS === 'PROV',
    );
    expect(got.headers['x-gateway-event-id']).toBeTruthy();
  });

  it('the listener refuses tokens of other partners, missing scopes and invalid events; the right one is accepted', async () => {
    const path = '/partners/northwind-access/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent';
    const tokenFor = async (clientId: string, secret: string) => {
      const res = await fetch(`${bed.gw.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
      });
      return (await res.json()) as { access_token: string; scope: string };
    };
    const northwind = await tokenFor('northwind-access', 'northwind-demo-secret-2026');
    // a seller partner's token carries listener scopes only
    expect(northwind.scope.split(' ')).toEqual([
      'listenToAppointmentAttributeValueChangeEvent',
      'listenToAppointmentStatusChangeEvent',
      'listenToCustomerBillCreateEvent',
      'listenToCustomerBillStateChangeEvent',
      'listenToProductOrderItemStateChangeEvent',
      'listenToProductOrderStateChangeEvent',
      'listenToQuoteItemStateChangeEvent',
      'listenToQuoteStateChangeEvent',
    ]);
    const southwind = await tokenFor('southwind-fibre', 'southwind-demo-secret-2026');
    const acme = await bed.gw.token('acme');
    const order = (await bed.legacy('POST', '/orders', ORDER('L-1'))).ORDER;
    const event = {
      eventId: 'e-1',
      eventTime: new Date().toISOString(),
      eventType: 'productOrderStateChangeEvent',
      event: { id: order.ORDER_ID, href: `/x/${order.ORDER_ID}` },
    };

    expect((await bed.gw.call('POST', path, { body: event })).status).toBe(401);
    const other = await bed.gw.call('POST', path, { body: event, token: southwind.access_token });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'forbiddenRequester' });
    expect((await bed.gw.call('POST', path, { body: event, token: acme })).status).toBe(403);
    const narrow = await tokenFor('northwind-access', 'northwind-demo-secret-2026')
      .then(() =>
        fetch(`${bed.gw.url}/oauth2/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: 'northwind-access',
            client_secret: 'northwind-demo-secret-2026',
            scope: 'listenToQuoteStateChangeEvent',
          }),
        }),
      )
      .then((r) => r.json() as Promise<{ access_token: string }>);
    expect((await bed.gw.call('POST', path, { body: event, token: narrow.access_token })).body).toMatchObject({
      code: 'accessDenied',
    });

    const invalid = await bed.gw.call('POST', path, {
      body: { eventType: 'productOrderStateChangeEvent', event: { href: 'x' } },
      token: northwind.access_token,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: 'invalidBody' });
    expect(invalid.body.message).toMatch(/eventId/);
    // a seller token is no key to our seller APIs
    expect(
      (
        await bed.gw.call('POST', '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation', {
          body: {},
          token: northwind.access_token,
        })
      ).status,
    ).toBeGreaterThanOrEqual(403);

    const ok = await bed.gw.call('POST', path, { body: event, token: northwind.access_token });
    expect(ok.status).toBe(204);
    const forwarded = await bed.webhook.waitFor((w) => w.body.EVT_ID === 'northwind-access:e-1');
    expect(forwarded.body).toMatchObject({ OBJ_ID: order.ORDER_ID, NEW_STATUS: 'RCVD', REF: 'L-1' });
  });

  it('a seller that is down is an RC 12 at once: unreachable, nothing sent, not a timeout', async () => {
    await bed.kylie.close();
    const down = await bed.legacy('POST', '/address/check', {
      STREET: 'Baker Street',
      TOWN: 'London',
      COUNTRY: 'United Kingdom',
    });
    expect(down).toMatchObject({
      RC: 12,
      SELLER: 'southwind-fibre',
      ERR_CODE: 'seller.unreachable',
      OUTCOME: 'NOT_DONE',
    });
    expect(down.MSG).toMatch(/^seller southwind-fibre is not reachable \(ECONNREFUSED\); nothing was sent, try again later$/);
  });
});

describe('an order create that times out', () => {
  let bed: BuyerTestbed;
  let project: ReturnType<typeof copyProject>;
  beforeAll(async () => {
    // the same project with a short seller timeout, so the test does not wait long
    project = copyProject();
    const file = join(project.dir, 'partners', 'northwind-access', 'partner.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('timeoutMs: 5000', 'timeoutMs: 700'));
    process.env.SONATA_SDK_DIR ??= SDK_DIR;
    bed = await startBuyerTestbed({ rootDir: project.dir });
  });
  afterAll(async () => {
    await bed?.close();
    project?.cleanup();
  });

  it('is sent once, never retried, answered "outcome unknown" with how to check, and logged', async () => {
    // warm: the first call of each mapping is slower
    expect((await bed.legacy('POST', '/orders', ORDER('WARM-1'))).RC).toBe(0);
    bed.grace.control.clearReceived();
    bed.grace.control.injectFault({ operationId: 'createProductOrder', delayMs: 1500 });

    const answer = await bed.legacy('POST', '/orders', ORDER('TO-1'));
    expect(answer).toMatchObject({
      RC: 12,
      SELLER: 'northwind-access',
      ERR_CODE: 'seller.timeout',
      OUTCOME: 'UNKNOWN',
      ERR_FIELD: null,
    });
    expect(answer.MSG).toContain('did not answer the product order within 700 ms: the outcome is unknown');
    expect(answer.MSG).toContain('GET /internal/buyer/orders?SELLER=northwind-access&CUST_ORDER_REF=TO-1');
    expect(bed.grace.control.received().filter((r) => r.operationId === 'createProductOrder')).toHaveLength(1);
    expect(
      bed.gw.logs.some((l) => l.message === 'seller call outcome unknown' && l.level === 'error' && l.seller === 'northwind-access'),
    ).toBe(true);

    // the seller did take it, late: the check the answer pointed to finds it (bounded polling, no sleeps)
    let found: Record<string, any> = {};
    for (let i = 0; i < 50 && found.TOTAL !== 1; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (bed.grace.control.received().some((r) => r.operationId === 'createProductOrder' && r.status === 201)) {
        found = await bed.legacy('GET', '/orders?SELLER=northwind-access&CUST_ORDER_REF=TO-1');
      } else {
        await new Promise<void>((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(found).toMatchObject({
      RC: 0,
      TOTAL: 1,
      ORDERS: [expect.objectContaining({ CUST_ORDER_REF: 'TO-1', ORDER_STATUS: 'RCVD' })],
    });
  });
});
