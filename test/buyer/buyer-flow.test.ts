import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSonataSeller } from '../../simulators/src/sonata-seller/start-sonata-seller.js';
import { expectStrictSellerCalls, legacyDate, startBuyerTestbed, WEBHOOK_SECRET, type BuyerTestbed } from './support.js';

/**
 * The legacy BSS's view: it buys from the Grace seller (northwind-access, Germany) and the Kylie seller
 * (southwind-fibre, United Kingdom) through /internal/buyer/... in its own format, and learns about the orders
 * from its webhook. Both sellers are strict: every request the gateway sent was checked against the official
 * OpenAPI file of the seller's release, so a flow that succeeds proves the gateway speaks each release.
 */
describe('buying from a Grace and a Kylie seller, as the legacy BSS', () => {
  let bed: BuyerTestbed;
  beforeAll(async () => {
    bed = await startBuyerTestbed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  const expectStrictlyValid = (sim: RunningSonataSeller) => expectStrictSellerCalls(sim);

  const flows = [
    {
      name: 'Grace',
      seller: 'northwind-access',
      sim: () => bed.grace,
      country: 'Germany',
      street: 'Hauptstrasse',
      nr: '12',
      town: 'Berlin',
      addr: 'ADR-DE-1001',
      orderSeller: 'named',
    },
    {
      name: 'Kylie',
      seller: 'southwind-fibre',
      sim: () => bed.kylie,
      country: 'United Kingdom',
      street: 'Baker Street',
      nr: '221B',
      town: 'London',
      addr: 'ADR-GB-2001',
      orderSeller: 'routed',
    },
  ] as const;

  for (const f of flows) {
    it(`${f.name}: address check, feasibility, firm quote, order, completion as a legacy webhook, product and ticket`, async () => {
      const sim = f.sim();
      // 1. address check, routed by country to the one seller serving it
      const check = await bed.legacy('POST', '/address/check', {
        HOUSE_NO: f.nr,
        STREET: f.street,
        TOWN: f.town,
        COUNTRY: f.country,
        ALT_WANTED: 'Y',
      });
      expect(check, JSON.stringify(check)).toMatchObject({ RC: 0, MSG: 'OK', SELLER: f.seller, RESULT: 'MATCH' });
      expect(check.CANDIDATES[0]).toMatchObject({
        SELLER_ADDR_ID: f.addr,
        STREET: f.street,
        TOWN: f.town,
        COUNTRY: f.country,
        HOUSE_NO_SFX: null,
      });

      // 2. a feasibility check there (Sonata POQ, answered at once)
      const feas = await bed.legacy('POST', '/feasibility', {
        REQ_REF: `F-${f.name}`,
        CONTACT_NAME: 'Anna Berg',
        CONTACT_PHONE: '+49 30 1234567',
        CONTACT_EMAIL: 'anna.berg@netcore.example',
        LINES: [
          {
            LINE_REF: '1',
            ACTION: 'NEW',
            PROD_CODE: 'ELINE',
            BW_MBPS: 100,
            SELLER_ADDR_ID: f.addr,
            COUNTRY: f.country,
          },
        ],
      });
      expect(feas, JSON.stringify(feas)).toMatchObject({
        RC: 0,
        SELLER: f.seller,
        FEAS: {
          REQ_REF: `F-${f.name}`,
          FEAS_STATUS: 'DONE',
          LINES: [expect.objectContaining({ LINE_REF: '1', RESULT: 'FE', CONF: 'G', LEAD_DAYS: 20 })],
        },
      });
      expect(await bed.legacy('GET', `/feasibility/${feas.FEAS.FEAS_ID}`)).toMatchObject({
        RC: 0,
        FEAS: { FEAS_ID: feas.FEAS.FEAS_ID, FEAS_STATUS: 'DONE' },
      });

      // 3. a firm quote at the address the seller knows, for 36 months
      const quote = await bed.legacy('POST', '/quotes', {
        REQ_REF: `Q-${f.name}`,
        OFFER_TYPE: 'FIRM',
        LINES: [
          {
            LINE_REF: '1',
            ACTION: 'NEW',
            PROD_CODE: 'ELINE',
            BW_MBPS: 100,
            TERM_MONTHS: 36,
            SELLER_ADDR_ID: f.addr,
            COUNTRY: f.country,
          },
        ],
      });
      expect(quote, JSON.stringify(quote)).toMatchObject({ RC: 0, SELLER: f.seller });
      const q = quote.QUOTE;
      expect(q).toMatchObject({
        SELLER: f.seller,
        REQ_REF: `Q-${f.name}`,
        OFFER_TYPE: 'FIRM',
        QUOTE_STATUS: 'OFFR',
        SELLER_STATUS: 'approved.orderable',
        CURRENCY: 'EUR',
      });
      // 150 + 100 * 0.8 = 230.00 a month, 36-month factor 0.8 -> 184.00; installation 500.00 (minor units)
      expect(q.LINES).toEqual([
        expect.objectContaining({
          LINE_REF: '1',
          ACTION: 'NEW',
          PROD_CODE: 'ELINE',
          BW_MBPS: 100,
          TERM_MONTHS: 36,
          LINE_STATUS: 'OFFR',
          MRC: 18400,
          NRC: 50000,
          LEAD_DAYS: 20,
        }),
      ]);
      expect(q.TOTAL_MRC).toBe(18400);
      expect(q.VALID_TO).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);

      // 4. retrieve it by id alone: the gateway remembers which seller holds it
      const again = await bed.legacy('GET', `/quotes/${q.QUOTE_ID}`);
      expect(again, JSON.stringify(again)).toMatchObject({
        RC: 0,
        QUOTE: { QUOTE_ID: q.QUOTE_ID, QUOTE_STATUS: 'OFFR' },
      });

      // 5. order against the quote
      const order = await bed.legacy('POST', '/orders', {
        ...(f.orderSeller === 'named' && { SELLER: f.seller }),
        CUST_ORDER_REF: `PO-${f.name}`,
        CONTACT_NAME: 'Anna Berg',
        CONTACT_PHONE: '+49 30 1234567',
        CONTACT_EMAIL: 'anna.berg@netcore.example',
        LINES: [
          {
            LINE_REF: '1',
            ACTION: 'NEW',
            PROD_CODE: 'ELINE',
            BW_MBPS: 100,
            TERM_MONTHS: 36,
            SELLER_ADDR_ID: f.addr,
            COUNTRY: f.country,
            QUOTE_ID: q.QUOTE_ID,
            QUOTE_LINE_REF: '1',
            REQ_DATE: legacyDate(60),
          },
        ],
      });
      expect(order, JSON.stringify(order)).toMatchObject({
        RC: 0,
        SELLER: f.seller,
        ORDER: { CUST_ORDER_REF: `PO-${f.name}`, ORDER_STATUS: 'RCVD', SELLER_STATUS: 'acknowledged' },
      });
      const orderId = order.ORDER.ORDER_ID as string;
      expect(order.ORDER.LINES[0]).toMatchObject({
        LINE_REF: '1',
        QUOTE_ID: q.QUOTE_ID,
        QUOTE_LINE_REF: '1',
        LINE_STATUS: 'RCVD',
        REQ_DATE: legacyDate(60),
      });

      // the quote was taken by the order
      expect((await bed.legacy('GET', `/quotes/${q.QUOTE_ID}?SELLER=${f.seller}`)).QUOTE.QUOTE_STATUS).toBe('TAKN');

      // 6. the seller completes the order; its notifications reach our listener and become legacy webhooks
      expect(sim.control.advanceOrder(orderId, 'completed')).toBe('completed');
      const done = await bed.webhook.waitFor(
        (w) => w.body.OBJ_ID === orderId && w.body.EVT_TYPE === 'PURCHASE_ORDER_STATUS' && w.body.NEW_STATUS === 'COMP',
      );
      expect(done.body).toMatchObject({ SELLER: f.seller, SELLER_STATUS: 'completed', LINE_REF: null });
      expect(done.body.EVT_TS).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
      // signed like the BSS's own callbacks, over the exact body bytes
      expect(done.headers['x-gateway-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(done.raw).digest('hex')}`);
      const line = await bed.webhook.waitFor(
        (w) => w.body.OBJ_ID === orderId && w.body.EVT_TYPE === 'PURCHASE_ORDER_LINE_STATUS' && w.body.NEW_STATUS === 'COMP',
      );
      expect(line.body.LINE_REF).toBe('1');
      if (f.name === 'Grace') {
        // Grace events only name the order: the gateway read it back, so the webhook carries the whole order
        expect(done.body).toMatchObject({ REF: 'PO-Grace', ORDER: { ORDER_ID: orderId, ORDER_STATUS: 'COMP' } });
        expect((done.body.ORDER as { LINES: Array<{ SELLER_PRODUCT_ID: string | null }> }).LINES[0]!.SELLER_PRODUCT_ID).toMatch(/^PRD-/);
      }

      // 7. the order as the seller has it now
      const final = await bed.legacy('GET', `/orders/${orderId}`);
      expect(final.ORDER).toMatchObject({
        ORDER_STATUS: 'COMP',
        LINES: [expect.objectContaining({ LINE_STATUS: 'COMP' })],
      });
      expect(final.ORDER.COMP_DATE).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);

      // 8. the product the order installed, from the seller's inventory, by its id alone
      const productId = final.ORDER.LINES[0].SELLER_PRODUCT_ID as string;
      const product = await bed.legacy('GET', `/products/${productId}`);
      expect(product, JSON.stringify(product)).toMatchObject({
        RC: 0,
        SELLER: f.seller,
        PRODUCT: {
          SELLER_PRODUCT_ID: productId,
          PROD_CODE: 'ELINE',
          BW_MBPS: 100,
          PRODUCT_STATUS: 'ACTV',
          SELLER_STATUS: 'active',
          TERM_MONTHS: 36,
          ORDER_ID: orderId,
          LINE_REF: '1',
          END_DATE: null,
        },
      });

      // 9. a fault on that product: the ticket goes to the seller that sold it, no SELLER needed
      const ticket = await bed.legacy('POST', '/tickets', {
        CUST_TT_REF: `TT-${f.name}`,
        SELLER_PRODUCT_ID: productId,
        FAULT_TYPE: 'RP',
        SEVERITY: 2,
        IMPACT: 'DOWN',
        DESCRIPTION: 'no light on the access line',
        CONTACT_NAME: 'NOC',
        CONTACT_PHONE: '+49 30 999',
        CONTACT_EMAIL: 'noc@netcore.example',
      });
      expect(ticket, JSON.stringify(ticket)).toMatchObject({
        RC: 0,
        SELLER: f.seller,
        TICKET: {
          CUST_TT_REF: `TT-${f.name}`,
          SELLER_PRODUCT_ID: productId,
          FAULT_TYPE: 'RP',
          SEVERITY: 2,
          PRIORITY: 3,
          IMPACT: 'DOWN',
          TT_STATUS: 'OPEN',
          SELLER_STATUS: 'acknowledged',
        },
      });
      const ttId = ticket.TICKET.TT_ID as string;
      expect(await bed.legacy('GET', `/tickets/${ttId}`)).toMatchObject({
        RC: 0,
        TICKET: { TT_ID: ttId, TT_STATUS: 'OPEN' },
      });

      expectStrictlyValid(sim);
    });
  }

  it('each seller got its dialect: Northwind the framework agreement, Southwind the buyer PON on every item', () => {
    const nw = bed.grace.control.received().find((r) => r.operationId === 'createProductOrder');
    const sw = bed.kylie.control.received().find((r) => r.operationId === 'createProductOrder');
    expect((nw?.body as { productOrderItem: Array<Record<string, unknown>> }).productOrderItem[0]!.agreementName).toBe('NW-MSA-2024-017');
    expect((sw?.body as { productOrderItem: Array<Record<string, unknown>> }).productOrderItem[0]!.relatedBuyerPON).toBe('PO-Kylie');
  });

  it('registered one listener per API with each seller, with the callback of our partner route', () => {
    for (const [id, sim] of [
      ['northwind-access', bed.grace],
      ['southwind-fibre', bed.kylie],
    ] as const) {
      const hubs = sim.control.hubs();
      expect(hubs.map((h) => h.api).sort()).toEqual([
        'appointment',
        'customerBillManagement',
        'productOrderingManagement',
        'quoteManagement',
      ]);
      for (const h of hubs) expect(h.callback).toBe(`${bed.gw.url}/partners/${id}`);
    }
  });
});
