/**
 * The seller-side walk-through (issue "Seller side", Done when): one partner each on Grace, Kylie and Billie go from
 * address validation through POQ, firm quote, order, completion, inventory and a trouble ticket, with a hub
 * listener receiving a notification for each state change. Every Sonata response is validated against the
 * official OpenAPI file of the partner's release. docs/walkthrough.md is the same flow by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { buyerContact, startBuyerListener, type BuyerListener } from './poq-quote-support.js';
import { advanceOrder, inDays, legacyOrderNo, waitFor } from './product-order-support.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR });

interface Flow {
  partner: 'acme' | 'globex' | 'initech';
  /** the partner's buyerId (partners/<id>/partner.yaml), carried by reference events */
  buyerId: string;
  release: SonataRelease;
  customer: string;
  v: Record<string, string>;
  /** a place as this release writes it */
  place: (addressId: string) => Record<string, unknown>;
  productType: string;
  addressBody: Record<string, unknown>;
  ticketBody: (productId: string) => Record<string, unknown>;
}

const FLOWS: Flow[] = [
  {
    partner: 'acme', buyerId: 'ACME-DE-0042', release: 'grace', customer: 'C-100042', productType: 'ACCESS_E_LINE',
    v: { address: 'v7', poq: 'v7', quote: 'v8', order: 'v10', inventory: 'v7', ticket: 'v4', orderNotif: 'productOrderingNotification/v10' },
    place: (id) => ({ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id }),
    addressBody: { provideAlternative: true, submittedGeographicAddress: { '@type': 'FieldedAddress', streetName: 'Hauptstrasse 12', city: 'Berlin', postcode: '10115', country: 'Germany' } },
    ticketBody: (productId) => ({
      description: 'No light on the NNI since 10:00', severity: 'extensive', priority: 'high', ticketType: 'assistance', observedImpact: 'down',
      relatedEntity: [{ id: productId, role: 'affectedProduct', '@referredType': 'Product' }],
      relatedContactInformation: [{ role: 'reporterContact', name: 'Anna Buyer', number: '+49 30 1234567', emailAddress: 'anna.buyer@example.com' }],
      externalId: 'ACME-TT-1',
    }),
  },
  {
    partner: 'globex', buyerId: 'GLOBEX-UK-7', release: 'kylie', customer: 'C-100077', productType: 'GLX-ELINE',
    v: { address: 'v8', poq: 'v8', quote: 'v10', order: 'v11', inventory: 'v8', ticket: 'v5', orderNotif: 'productOrderingNotification/v11' },
    place: (id) => ({ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicAddressRef', id } }),
    addressBody: { instantSyncValidation: true, submittedGeographicAddress: { '@type': 'GeographicAddress_Query', fieldedAddressRepresentation: [{ streetNr: '12', streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', countryCode: 'DEU' }] } },
    ticketBody: (productId) => ({
      description: 'No light on the NNI since 10:00', severity: 'extensive', priority: 'high', ticketType: 'assistance', observedImpact: 'down',
      relatedEntity: [{ id: productId, role: 'affectedProduct', '@referredType': 'Product' }],
      relatedContactInformation: [{ role: 'reporterContact', name: 'Anna Buyer', number: '+44 20 7946 0000', emailAddress: 'anna.buyer@example.com' }],
      externalId: 'GLX-TT-1',
    }),
  },
  {
    // Billie: the 2021 wire (every core API v7, Trouble Ticket v1), Grace-style places, no observedImpact
    partner: 'initech', buyerId: 'INITECH-US-5', release: 'billie', customer: 'C-100099', productType: 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all',
    v: { address: 'v7', poq: 'v7', quote: 'v7', order: 'v7', inventory: 'v7', ticket: 'v1', orderNotif: 'productOrderNotification/v7' },
    place: (id) => ({ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id }),
    addressBody: { provideAlternative: true, submittedGeographicAddress: { '@type': 'FieldedAddress', streetNr: '12', streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', country: 'DE' } },
    ticketBody: (productId) => ({
      description: 'No light on the NNI since 10:00', severity: 'extensive', priority: 'high', ticketType: 'down',
      relatedEntity: [{ id: productId, role: 'affectedProduct', '@referredType': 'Product' }],
      relatedContactInformation: [{ role: 'reporterContact', name: 'Peter Gibbons', number: '+1 512 555 0100', emailAddress: 'peter.gibbons@initech.example' }],
      externalId: 'INITECH-TT-1',
    }),
  },
];

/** Every Sonata link in an answer: `href` and `*Href` properties holding a `/mefApi/sonata/...` path. */
function collectLinks(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) collectLinks(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'href' || k.endsWith('Href')) && typeof v === 'string' && v.startsWith('/mefApi/sonata/')) out.push(v);
      else collectLinks(v, out);
    }
  }
  return out;
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
});

describe.each(FLOWS)('walk-through as $partner on $release', (flow) => {
  let token: string;
  let listener: BuyerListener;
  const base = (api: string, version: string) => `/mefApi/sonata/${api}/${version}`;
  const check = (api: string, operationId: string, res: { status: number; body: unknown }) => {
    const op = specs.api(flow.release, api)?.operationById(operationId);
    expect(op, `${flow.release} ${api} ${operationId}`).toBeDefined();
    expect(op!.validateResponseBody(res.status, res.body), `${operationId} ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toEqual([]);
  };

  beforeAll(async () => {
    token = await gw.token(flow.partner);
    listener = await startBuyerListener();
  });
  afterAll(async () => {
    await listener.close();
  });

  it('validates the address, qualifies, quotes firm, orders, completes, shows the product and opens a ticket', async () => {
    // 0. subscribe to order notifications
    const orderApi = base('productOrderingManagement', flow.v.order!);
    const hub = await gw.call('POST', `${orderApi}/hub`, { token, body: { callback: listener.origin } });
    expect(hub.status).toBe(201);
    check('productOrderingManagement', 'registerListener', hub);

    // 1. address validation
    const av = await gw.call('POST', `${base('geographicAddressManagement', flow.v.address!)}/geographicAddressValidation`, { token, body: flow.addressBody });
    expect(av.status).toBe(200);
    check('geographicAddressManagement', 'createGeographicAddressValidation', av);
    const addressId = av.body.bestMatchGeographicAddress.id as string;
    expect(addressId).toBe('NC-DE-000123');

    // 2. POQ, immediate
    const eline = { '@type': flow.productType, bandwidthMbps: 100 };
    const poq = await gw.call('POST', `${base('productOfferingQualification', flow.v.poq!)}/productOfferingQualification`, {
      token,
      body: {
        instantSyncQualification: true, provideAlternative: false, relatedContactInformation: [buyerContact()],
        productOfferingQualificationItem: [{ id: 'p1', action: 'add', product: { productConfiguration: eline, place: [flow.place(addressId)] } }],
      },
    });
    expect(poq.status).toBe(201);
    check('productOfferingQualification', 'createProductOfferingQualification', poq);
    expect(poq.body.productOfferingQualificationItem[0].serviceabilityConfidence).toMatch(/^(green|yellow)$/);

    // 3. firm quote, immediate, for the term the order will ask for (an order must match its quote)
    const term = flow.release !== 'kylie'
      ? { name: '36 months', duration: { amount: 36, units: 'calendarMonths' }, endOfTermAction: 'autoRenew' }
      : { name: '36 months', duration: { amount: 36, units: 'months' }, endOfTermAction: 'roll' };
    const quote = await gw.call('POST', `${base('quoteManagement', flow.v.quote!)}/quote`, {
      token,
      body: {
        instantSyncQuote: true, buyerRequestedQuoteLevel: 'firm', relatedContactInformation: [buyerContact()],
        quoteItem: [{ id: 'q1', action: 'add', requestedQuoteItemTerm: term, product: { productConfiguration: eline, place: [flow.place(addressId)] } }],
      },
    });
    expect(quote.status).toBe(201);
    check('quoteManagement', 'createQuote', quote);
    expect(quote.body.state).toBe('approved.orderable');

    // 4. order against the quote item
    const externalId = `${flow.partner.toUpperCase()}-WALK-1`;
    const order = await gw.call('POST', `${orderApi}/productOrder`, {
      token,
      body: {
        externalId,
        relatedContactInformation: [{ role: 'productOrderContact', name: 'Anna Buyer', number: '+49 30 1234567', emailAddress: 'anna.buyer@example.com' }],
        productOrderItem: [{
          id: 'o1', action: 'add', requestedCompletionDate: inDays(30),
          quoteItem: { quoteId: quote.body.id, id: 'q1' },
          product: { productConfiguration: eline, place: [flow.place(addressId)] },
          requestedItemTerm: term,
        }],
      },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    check('productOrderingManagement', 'createProductOrder', order);
    expect(order.body.state).toBe('acknowledged');
    const orderId = order.body.id as string;

    // 5. the back office provisions and completes it; the BSS reports each step by signed callback
    const orderNo = await legacyOrderNo(gw, flow.customer, externalId);
    for (const to of ['VALD', 'PROV', 'COMP']) await advanceOrder(gw, orderNo, to);
    const done = await waitFor(() => gw.call('GET', `${orderApi}/productOrder/${orderId}`, { token }), (b) => b.state === 'completed');
    check('productOrderingManagement', 'retrieveProductOrder', done);
    expect(done.body.state).toBe('completed');
    const states = (done.body.stateChange as Array<{ state: string }>).map((c) => c.state);
    expect(states[0]).toBe('acknowledged');
    expect(states).toContain('inProgress');
    expect(states.at(-1)).toBe('completed');

    // every order state change reached the listener, rendered for this release
    const stateEvents = () => listener.calls.filter((c) => c.url.includes(`/${flow.v.orderNotif}/listener/productOrderStateChangeEvent`));
    await waitFor(async () => ({ status: 200, body: stateEvents() }), (calls) => calls.length >= states.length - 1);
    for (const c of stateEvents()) {
      expect(c.body.event.id).toBe(orderId);
      const notifApi = flow.v.orderNotif!.split('/')[0]!;
      const spec = specs.api(flow.release, notifApi)?.operation('POST', '/listener/productOrderStateChangeEvent');
      expect(spec!.validateRequestBody(c.body)).toEqual([]);
    }
    if (flow.release === 'kylie') expect(stateEvents().map((c) => c.body.event.state)).toContain('completed');
    else expect(stateEvents()[0]!.body.event.buyerId).toBe(flow.buyerId);

    // 6. inventory shows the product with the gateway's order id
    const inv = await waitFor(() => gw.call('GET', `${base('productInventory', flow.v.inventory!)}/product`, { token }), (b) => Array.isArray(b) && b.length > 0);
    check('productInventory', 'listProduct', inv);
    const product = (inv.body as any[]).find((p) => JSON.stringify(p).includes(orderId));
    expect(product, JSON.stringify(inv.body).slice(0, 500)).toBeDefined();
    expect(JSON.stringify(product)).not.toContain(orderNo);

    // 7. a trouble ticket on that product
    const ticketApi = base('troubleTicket', flow.v.ticket!);
    const ticket = await gw.call('POST', `${ticketApi}/troubleTicket`, { token, body: flow.ticketBody(product.id) });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    check('troubleTicket', 'createTroubleTicket', ticket);
    const got = await gw.call('GET', `${ticketApi}/troubleTicket/${ticket.body.id}`, { token });
    expect(got.status).toBe(200);
    check('troubleTicket', 'retrieveTroubleTicket', got);

    // 8. a partner follows every link it was given (href, productOrderHref, quoteHref...): each one answers 200
    const productById = await gw.call('GET', `${base('productInventory', flow.v.inventory!)}/product/${product.id}`, { token });
    expect(productById.status).toBe(200);
    const links = new Set(collectLinks([av.body, poq.body, quote.body, order.body, done.body, inv.body, productById.body, ticket.body, got.body]));
    expect([...links].some((l) => l.includes('/productOrder/')), 'inventory links to its order').toBe(true);
    expect([...links].some((l) => l.includes('/product/')), 'order links to its product').toBe(true);
    for (const link of links) {
      const followed = await gw.call('GET', link, { token });
      expect(followed.status, `${flow.release}: GET ${link} -> ${followed.status} ${JSON.stringify(followed.body).slice(0, 200)}`).toBe(200);
    }
  });
});
