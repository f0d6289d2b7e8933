import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyDate, startBuyerTestbed, WEBHOOK_SECRET, type BuyerTestbed } from './support.js';

/**
 * The legacy BSS buys from a seller on Sonata Billie (westwind-carrier, the Netherlands) through /internal/buyer/...
 * exactly as from the Grace and Kylie sellers: the gateway speaks Billie's v7 APIs and Trouble Ticket v1, names the
 * order's orderVersion when it cancels, and takes Billie's notifications (productOrderNotification/v7,
 * quoteNotification/v7). The simulated seller is strict: every request the gateway sent was checked against the
 * official Billie OpenAPI files.
 */
describe('buying from a Billie seller, as the legacy BSS', () => {
  let bed: BuyerTestbed;
  beforeAll(async () => {
    bed = await startBuyerTestbed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  const contact = {
    CONTACT_NAME: 'Anna Berg',
    CONTACT_PHONE: '+49 30 1234567',
    CONTACT_EMAIL: 'anna.berg@netcore.example',
  };
  const line = {
    LINE_REF: '1',
    ACTION: 'NEW',
    PROD_CODE: 'ELINE',
    BW_MBPS: 100,
    TERM_MONTHS: 24,
    SELLER_ADDR_ID: 'ADR-NL-4001',
    COUNTRY: 'Netherlands',
  };

  const firmQuote = async (ref: string): Promise<Record<string, any>> => {
    const quote = await bed.legacy('POST', '/quotes', { REQ_REF: ref, OFFER_TYPE: 'FIRM', LINES: [line] });
    expect(quote, JSON.stringify(quote)).toMatchObject({
      RC: 0,
      SELLER: 'westwind-carrier',
      QUOTE: { QUOTE_STATUS: 'OFFR' },
    });
    return quote.QUOTE as Record<string, any>;
  };
  const orderAgainst = async (ref: string, quoteId: string): Promise<Record<string, any>> => {
    const order = await bed.legacy('POST', '/orders', {
      CUST_ORDER_REF: ref,
      ...contact,
      LINES: [{ ...line, QUOTE_ID: quoteId, QUOTE_LINE_REF: '1', REQ_DATE: legacyDate(60) }],
    });
    expect(order, JSON.stringify(order)).toMatchObject({
      RC: 0,
      SELLER: 'westwind-carrier',
      ORDER: { CUST_ORDER_REF: ref, ORDER_STATUS: 'RCVD' },
    });
    return order.ORDER as Record<string, any>;
  };

  it('address check, feasibility, firm quote, order, completion as a signed webhook, product and ticket', async () => {
    const sim = bed.billie;
    // 1. address check, routed by country: Westwind is the one seller serving the Netherlands
    const check = await bed.legacy('POST', '/address/check', {
      HOUSE_NO: '182',
      STREET: 'Herengracht',
      TOWN: 'Amsterdam',
      COUNTRY: 'Netherlands',
      ALT_WANTED: 'Y',
    });
    expect(check, JSON.stringify(check)).toMatchObject({ RC: 0, SELLER: 'westwind-carrier', RESULT: 'MATCH' });
    expect(check.CANDIDATES[0]).toMatchObject({
      SELLER_ADDR_ID: 'ADR-NL-4001',
      STREET: 'Herengracht',
      TOWN: 'Amsterdam',
      POST_CODE: '1016 BR',
    });

    // 2. feasibility (Billie POQ v7, answered at once)
    const feas = await bed.legacy('POST', '/feasibility', {
      REQ_REF: 'F-Billie',
      ...contact,
      LINES: [{ ...line, TERM_MONTHS: undefined }],
    });
    expect(feas, JSON.stringify(feas)).toMatchObject({
      RC: 0,
      SELLER: 'westwind-carrier',
      FEAS: {
        FEAS_STATUS: 'DONE',
        SELLER_STATUS: 'done.ready',
        LINES: [expect.objectContaining({ LINE_REF: '1', RESULT: 'FE', CONF: 'G', LEAD_DAYS: 20 })],
      },
    });

    // 3. a firm quote (Billie quoteManagement v7) for 24 months: (150 + 100 * 0.8) * 0.9 = 207.00 a month
    const q = await firmQuote('Q-Billie');
    expect(q).toMatchObject({
      SELLER: 'westwind-carrier',
      REQ_REF: 'Q-Billie',
      OFFER_TYPE: 'FIRM',
      SELLER_STATUS: 'approved.orderable',
      CURRENCY: 'EUR',
      TOTAL_MRC: 20700,
      TOTAL_NRC: 50000,
    });
    expect(q.LINES).toEqual([
      expect.objectContaining({
        LINE_REF: '1',
        TERM_MONTHS: 24,
        LINE_STATUS: 'OFFR',
        MRC: 20700,
        NRC: 50000,
        LEAD_DAYS: 20,
      }),
    ]);

    // 4. order against the quote (Billie productOrderingManagement v7), routed by country and product
    const order = await orderAgainst('PO-Billie', q.QUOTE_ID as string);
    const orderId = order.ORDER_ID as string;
    expect(order.LINES[0]).toMatchObject({
      LINE_REF: '1',
      QUOTE_ID: q.QUOTE_ID,
      QUOTE_LINE_REF: '1',
      LINE_STATUS: 'RCVD',
      REQ_DATE: legacyDate(60),
    });
    // the quote was taken; Westwind told us (quoteNotification/v7), and the gateway read the quote back for the BSS
    const taken = await bed.webhook.waitFor(
      (w) => w.body.OBJ_ID === q.QUOTE_ID && w.body.EVT_TYPE === 'PURCHASE_QUOTE_STATUS' && w.body.NEW_STATUS === 'TAKN',
    );
    expect(taken.body).toMatchObject({
      SELLER: 'westwind-carrier',
      SELLER_STATUS: 'accepted',
      REF: 'Q-Billie',
      QUOTE: { QUOTE_ID: q.QUOTE_ID, QUOTE_STATUS: 'TAKN' },
    });

    // 5. the seller completes it; its reference events (productOrderNotification/v7) become legacy webhooks
    expect(sim.control.advanceOrder(orderId, 'completed')).toBe('completed');
    const done = await bed.webhook.waitFor(
      (w) => w.body.OBJ_ID === orderId && w.body.EVT_TYPE === 'PURCHASE_ORDER_STATUS' && w.body.NEW_STATUS === 'COMP',
    );
    expect(done.body).toMatchObject({
      SELLER: 'westwind-carrier',
      SELLER_STATUS: 'completed',
      LINE_REF: null,
      REF: 'PO-Billie',
      ORDER: { ORDER_ID: orderId, ORDER_STATUS: 'COMP' },
    });
    expect(done.headers['x-gateway-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(done.raw).digest('hex')}`);
    const lineDone = await bed.webhook.waitFor(
      (w) => w.body.OBJ_ID === orderId && w.body.EVT_TYPE === 'PURCHASE_ORDER_LINE_STATUS' && w.body.NEW_STATUS === 'COMP',
    );
    expect(lineDone.body.LINE_REF).toBe('1');
    await sim.control.idle();
    const orderEvents = sim.control
      .deliveries()
      .filter((d) => d.url.includes(`/partners/westwind-carrier/mefApi/sonata/productOrderNotification/v7/listener/`));
    expect(orderEvents.length).toBeGreaterThanOrEqual(4);
    for (const d of orderEvents) expect(d.status, d.url).toBe(204);

    // 6. the order now, its product from Westwind's inventory (v7) and a fault on it (Trouble Ticket v1)
    const final = await bed.legacy('GET', `/orders/${orderId}`);
    expect(final.ORDER).toMatchObject({
      ORDER_STATUS: 'COMP',
      LINES: [expect.objectContaining({ LINE_STATUS: 'COMP' })],
    });
    const productId = final.ORDER.LINES[0].SELLER_PRODUCT_ID as string;
    expect(productId).toMatch(/^PRD-WC-/);
    const product = await bed.legacy('GET', `/products/${productId}`);
    expect(product, JSON.stringify(product)).toMatchObject({
      RC: 0,
      SELLER: 'westwind-carrier',
      PRODUCT: {
        SELLER_PRODUCT_ID: productId,
        PROD_CODE: 'ELINE',
        BW_MBPS: 100,
        PRODUCT_STATUS: 'ACTV',
        TERM_MONTHS: 24,
        ORDER_ID: orderId,
        LINE_REF: '1',
      },
    });
    const ticket = await bed.legacy('POST', '/tickets', {
      CUST_TT_REF: 'TT-Billie',
      SELLER_PRODUCT_ID: productId,
      FAULT_TYPE: 'RP',
      SEVERITY: 2,
      IMPACT: 'DEGR',
      DESCRIPTION: 'packet loss on the access line',
      CONTACT_NAME: 'NOC',
      CONTACT_PHONE: '+49 30 999',
      CONTACT_EMAIL: 'noc@netcore.example',
    });
    // Billie has no observedImpact: the impact travelled as the ticket type and came back from it
    expect(ticket, JSON.stringify(ticket)).toMatchObject({
      RC: 0,
      SELLER: 'westwind-carrier',
      TICKET: {
        CUST_TT_REF: 'TT-Billie',
        SELLER_PRODUCT_ID: productId,
        FAULT_TYPE: 'RP',
        SEVERITY: 2,
        PRIORITY: 3,
        IMPACT: 'DEGR',
        TT_STATUS: 'OPEN',
      },
    });
    const sentTicket = sim.control.received().find((r) => r.operationId === 'createTroubleTicket')?.body as Record<string, unknown>;
    expect(sentTicket).toMatchObject({ ticketType: 'degraded', severity: 'significant', priority: 'medium' });
    expect(sentTicket).not.toHaveProperty('observedImpact');
    expect(await bed.legacy('GET', `/tickets/${ticket.TICKET.TT_ID as string}`)).toMatchObject({
      RC: 0,
      TICKET: { FAULT_TYPE: 'RP', IMPACT: 'DEGR' },
    });

    // what Westwind got was Billie as published: no Grace-only fields on the order items
    const sentOrder = sim.control.received().find((r) => r.operationId === 'createProductOrder')?.body as {
      productOrderItem: Array<Record<string, unknown>>;
    };
    expect(sentOrder.productOrderItem[0]).not.toHaveProperty('agreementName');
    expect(sentOrder.productOrderItem[0]).not.toHaveProperty('milestone');
  });

  it('cancels an order that moved on: the cancellation names the orderVersion the seller has now', async () => {
    const q = await firmQuote('Q-Billie-C');
    const order = await orderAgainst('PO-Billie-C', q.QUOTE_ID as string);
    const orderId = order.ORDER_ID as string;
    // the order changes at the seller after we created it (version 1 -> 2)
    expect(bed.billie.control.advanceOrder(orderId, 'inProgress')).toBe('inProgress');

    const cancelled = await bed.legacy('POST', `/orders/${orderId}/cancel`, {
      REASON: 'the end customer withdrew',
      ...contact,
    });
    expect(cancelled, JSON.stringify(cancelled)).toMatchObject({
      RC: 0,
      SELLER: 'westwind-carrier',
      ORDER: {
        ORDER_ID: orderId,
        ORDER_STATUS: 'CANC',
        SELLER_STATUS: 'cancelled',
        STATUS_RSN: 'the end customer withdrew',
      },
    });
    expect(cancelled.ORDER.CANC_DATE).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
    const sent = bed.billie.control.received().filter((r) => r.operationId === 'createCancelProductOrder');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      productOrder: { productOrderId: orderId },
      orderVersion: '2',
      cancellationReason: 'the end customer withdrew',
      relatedContactInformation: [
        {
          role: 'cancelProductOrderContact',
          name: 'Anna Berg',
          number: '+49 30 1234567',
          emailAddress: 'anna.berg@netcore.example',
        },
      ],
    });
    expect(sent[0]!.status).toBe(201);

    const webhook = await bed.webhook.waitFor(
      (w) => w.body.OBJ_ID === orderId && w.body.EVT_TYPE === 'PURCHASE_ORDER_STATUS' && w.body.NEW_STATUS === 'CANC',
    );
    expect(webhook.body).toMatchObject({ SELLER: 'westwind-carrier', SELLER_STATUS: 'cancelled', REF: 'PO-Billie-C' });

    // a second cancellation: the seller refuses (the order is final), the BSS gets RC 8 on ORDER_ID
    const again = await bed.legacy('POST', `/orders/${orderId}/cancel`, contact);
    expect(again, JSON.stringify(again)).toMatchObject({
      RC: 8,
      ERR_FIELD: 'ORDER_ID',
      SELLER: 'westwind-carrier',
      OUTCOME: 'NOT_DONE',
    });
    expect(again.MSG).toMatch(/cancelled/);
  });

  it('an order that changes between our read and the cancellation: the seller refuses the stale orderVersion, RC 8 on ORDER_ID', async () => {
    const q = await firmQuote('Q-Billie-R');
    const orderId = (await orderAgainst('PO-Billie-R', q.QUOTE_ID as string)).ORDER_ID as string;
    const sim = bed.billie.control;
    const before = sim.received().filter((r) => r.operationId === 'createCancelProductOrder').length;
    // the seller holds the cancellation a moment; meanwhile the order moves on at the seller
    sim.injectFault({ operationId: 'createCancelProductOrder', delayMs: 400 });
    const pending = bed.legacy('POST', `/orders/${orderId}/cancel`, contact);
    const deadline = Date.now() + 5000;
    while (sim.received().filter((r) => r.operationId === 'createCancelProductOrder').length === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(sim.advanceOrder(orderId, 'inProgress')).toBe('inProgress');

    const answer = await pending;
    expect(answer, JSON.stringify(answer)).toMatchObject({
      RC: 8,
      ERR_FIELD: 'ORDER_ID',
      SELLER: 'westwind-carrier',
      ERR_CODE: 'seller.rejected-input',
      OUTCOME: 'NOT_DONE',
    });
    expect(answer.MSG).toMatch(/version 2, not 1/);
    // nothing was cancelled: reading again and cancelling again works
    expect((await bed.legacy('GET', `/orders/${orderId}`)).ORDER.ORDER_STATUS).toBe('PROV');
    expect(await bed.legacy('POST', `/orders/${orderId}/cancel`, contact)).toMatchObject({
      RC: 0,
      ORDER: { ORDER_STATUS: 'CANC' },
    });
  });

  it('registered its listeners with the Billie hubs, and every request it sent was valid Billie', () => {
    const hubs = bed.billie.control.hubs();
    expect(hubs.map((h) => h.api).sort()).toEqual(['productOrderingManagement', 'quoteManagement']);
    for (const h of hubs) expect(h.callback).toBe(`${bed.gw.url}/partners/westwind-carrier`);

    const received = bed.billie.control.received();
    expect(received.length).toBeGreaterThan(0);
    for (const r of received) {
      // strict mode found the Billie operation for every request and no problem in it or in the answer
      expect(r.path, `${r.method} ${r.path}`).toMatch(
        /^\/mefApi\/sonata\/(geographicAddressManagement|productOfferingQualification|quoteManagement|productOrderingManagement|productInventory)\/v7\/|^\/mefApi\/sonata\/troubleTicket\/v1\//,
      );
      expect(r.operationId, `${r.method} ${r.path}`).toBeTruthy();
      expect(r.issues, `${r.method} ${r.path}`).toEqual([]);
      expect(r.responseIssues, `${r.method} ${r.path}`).toEqual([]);
    }
  });
});
