/**
 * The walk-through: the whole life of a product (issue #13, Done when). One partner each on Grace and Kylie
 * browses the catalog, then goes from address validation through POQ, firm quote, order, an accepted charge, the
 * installation work order and its booked appointment, completion and inventory to the first bill, a maintenance
 * notification (Kylie) and a trouble ticket; Billie (Initech) runs the order flow from the address to the ticket.
 * Each flow has its own gateway and legacy BSS (the BSS's billing run bills every customer of the month at
 * once). A hub listener receives the notifications; every Sonata answer and every notification is validated
 * against the official OpenAPI file of the partner's release (with the project's errata, as the gateway's spec
 * guard applies them). docs/walkthrough.md is the same life by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { buyerContact, startBuyerListener, type BuyerListener } from './poq-quote-support.js';
import { advanceOrder, inDays, legacy, legacyOrderNo } from './product-order-support.js';
import { readUntil, untilPushed } from '../support/wait.js';
import { workingDay } from './workforce-support.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });

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
  /** the life after the order (bills; Kylie: maintenance notifications): Grace and Kylie */
  life: boolean;
  /** the catalogue query for what can be ordered in Germany, in this release's words */
  offerings?: string;
}

const FLOWS: Flow[] = [
  {
    partner: 'acme',
    buyerId: 'ACME-DE-0042',
    release: 'grace',
    customer: 'C-100042',
    productType: 'ACCESS_E_LINE',
    v: {
      address: 'v7',
      poq: 'v7',
      quote: 'v8',
      order: 'v10',
      inventory: 'v7',
      ticket: 'v4',
      orderNotif: 'productOrderingNotification/v10',
      bill: 'v2',
      catalog: 'v2',
      workOrder: 'v2',
      appointment: 'v2',
    },
    life: true,
    offerings: 'lifecycleStatus=orderable&region.country=DE',
    place: (id) => ({ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id }),
    addressBody: {
      provideAlternative: true,
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetName: 'Hauptstrasse 12',
        city: 'Berlin',
        postcode: '10115',
        country: 'Germany',
      },
    },
    ticketBody: (productId) => ({
      description: 'No light on the NNI since 10:00',
      severity: 'extensive',
      priority: 'high',
      ticketType: 'assistance',
      observedImpact: 'down',
      relatedEntity: [{ id: productId, role: 'affectedProduct', '@referredType': 'Product' }],
      relatedContactInformation: [
        {
          role: 'reporterContact',
          name: 'Anna Buyer',
          number: '+49 30 1234567',
          emailAddress: 'anna.buyer@example.com',
        },
      ],
      externalId: 'ACME-TT-1',
    }),
  },
  {
    partner: 'globex',
    buyerId: 'GLOBEX-UK-7',
    release: 'kylie',
    customer: 'C-100077',
    productType: 'GLX-ELINE',
    v: {
      address: 'v8',
      poq: 'v8',
      quote: 'v10',
      order: 'v11',
      inventory: 'v8',
      ticket: 'v5',
      orderNotif: 'productOrderingNotification/v11',
      bill: 'v3',
      cim: 'v1',
      catalog: 'v4',
      workOrder: 'v3',
      appointment: 'v3',
    },
    life: true,
    offerings: 'lifecycleStatus=launched&region.countryCode=DE',
    place: (id) => ({ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicAddressRef', id } }),
    addressBody: {
      instantSyncValidation: true,
      submittedGeographicAddress: {
        '@type': 'GeographicAddress_Query',
        fieldedAddressRepresentation: [
          { streetNr: '12', streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', countryCode: 'DEU' },
        ],
      },
    },
    ticketBody: (productId) => ({
      description: 'No light on the NNI since 10:00',
      severity: 'extensive',
      priority: 'high',
      ticketType: 'assistance',
      observedImpact: 'down',
      relatedEntity: [{ id: productId, role: 'affectedProduct', '@referredType': 'Product' }],
      relatedContactInformation: [
        {
          role: 'reporterContact',
          name: 'Anna Buyer',
          number: '+44 20 7946 0000',
          emailAddress: 'anna.buyer@example.com',
        },
      ],
      externalId: 'GLX-TT-1',
    }),
  },
  {
    // Billie: the 2021 wire (every core API v7, Trouble Ticket v1), Grace-style places, no observedImpact
    partner: 'initech',
    buyerId: 'INITECH-US-5',
    release: 'billie',
    customer: 'C-100099',
    productType: 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all',
    v: {
      address: 'v7',
      poq: 'v7',
      quote: 'v7',
      order: 'v7',
      inventory: 'v7',
      ticket: 'v1',
      orderNotif: 'productOrderNotification/v7',
    },
    life: false,
    place: (id) => ({ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id }),
    addressBody: {
      provideAlternative: true,
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetNr: '12',
        streetName: 'Hauptstrasse',
        city: 'Berlin',
        postcode: '10115',
        country: 'DE',
      },
    },
    ticketBody: (productId) => ({
      description: 'No light on the NNI since 10:00',
      severity: 'extensive',
      priority: 'high',
      ticketType: 'down',
      relatedEntity: [{ id: productId, role: 'affectedProduct', '@referredType': 'Product' }],
      relatedContactInformation: [
        {
          role: 'reporterContact',
          name: 'Peter Gibbons',
          number: '+1 512 555 0100',
          emailAddress: 'peter.gibbons@initech.example',
        },
      ],
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

/** A Berlin wall-clock time `days` from now at `hour`:00, as the legacy BSS writes it (`dd.MM.yyyy HH:mm`). */
function berlinAt(days: number, hour: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).formatToParts(new Date(Date.now() + days * 86_400_000));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('day')}.${part('month')}.${part('year')} ${String(hour).padStart(2, '0')}:00`;
}

/** `/mefApi/sonata/<notification api>/<version>/listener/<event>` of a notification's URL. */
function listenerOf(url: string): { api: string; path: string } {
  const m = /\/mefApi\/sonata\/([^/]+)\/v\d+(\/listener\/[^/?]+)/.exec(url);
  expect(m, `a Sonata listener URL: ${url}`).not.toBeNull();
  return { api: m![1]!, path: m![2]! };
}

describe.each(FLOWS)('walk-through as $partner on $release', (flow) => {
  let gw: TestGateway;
  let token: string;
  let listener: BuyerListener;
  const answers: unknown[] = [];
  const base = (api: string, version: string) => `/mefApi/sonata/${api}/${version}`;
  /** checks an answer against the official file and keeps it (its links are followed at the end) */
  const check = (api: string, operationId: string, res: { status: number; body: unknown }) => {
    const op = specs.api(flow.release, api)?.operationById(operationId);
    expect(op, `${flow.release} ${api} ${operationId}`).toBeDefined();
    expect(
      op!.validateResponseBody(res.status, res.body),
      `${operationId} ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
    ).toEqual([]);
    answers.push(res.body);
  };
  /** a notification the listener received, checked against the release's notification file */
  const checkNotification = (call: { url: string; body: unknown }) => {
    const { api, path } = listenerOf(call.url);
    const op = specs.api(flow.release, api)?.operation('POST', path);
    expect(op, `${flow.release} ${api} POST ${path}`).toBeDefined();
    expect(op!.validateRequestBody(call.body), `${call.url} ${JSON.stringify(call.body).slice(0, 300)}`).toEqual([]);
  };
  const orderApi = base('productOrderingManagement', flow.v.order!);
  // what the steps hand on to the next ones
  const life = { addressId: '', quoteId: '', orderId: '', orderNo: '', productId: '', workOrderId: '' };
  const eline = { '@type': flow.productType, bandwidthMbps: 100 };
  const term =
    flow.release !== 'kylie'
      ? { name: '36 months', duration: { amount: 36, units: 'calendarMonths' }, endOfTermAction: 'autoRenew' }
      : { name: '36 months', duration: { amount: 36, units: 'months' }, endOfTermAction: 'roll' };

  beforeAll(async () => {
    gw = await startTestGateway();
    token = await gw.token(flow.partner);
    listener = await startBuyerListener();
  });
  afterAll(async () => {
    await listener?.close();
    await gw?.close();
  });

  it('subscribes to notifications', async () => {
    const hubs: Array<[string, string]> = [['productOrderingManagement', flow.v.order!]];
    if (flow.v.bill) hubs.push(['customerBillManagement', flow.v.bill]);
    if (flow.v.cim) hubs.push(['cimIncident', flow.v.cim]);
    if (flow.v.workOrder) hubs.push(['workOrderManagement', flow.v.workOrder], ['appointment', flow.v.appointment!]);
    for (const [api, version] of hubs) {
      const hub = await gw.call('POST', `${base(api, version)}/hub`, { token, body: { callback: listener.origin } });
      expect(hub.status, `${api} ${JSON.stringify(hub.body)}`).toBe(201);
      check(api, 'registerListener', hub);
    }
  });

  it.skipIf(!flow.v.catalog)('browses the catalog: what can be ordered in Germany, and the offering it will order', async () => {
    const catalogApi = base('productCatalog', flow.v.catalog!);
    const list = await gw.call('GET', `${catalogApi}/productOffering?${flow.offerings!}`, { token });
    expect(list.status).toBe(200);
    check('productCatalog', 'listProductOffering', list);
    expect(list.headers.get('x-total-count')).toBe(String(list.body.length));
    expect((list.body as Array<{ id: string }>).map((o) => o.id)).toContain('ELINE-STD');
    // the Access E-Line it is about to qualify, quote and order: sold for 36 months among others
    const offering = await gw.call('GET', `${catalogApi}/productOffering/ELINE-STD`, { token });
    expect(offering.status).toBe(200);
    check('productCatalog', 'retrieveProductOffering', offering);
    expect(offering.body.productSpecification).toMatchObject({ id: 'SP_ELINE' });
    expect((offering.body.productOfferingTerm as Array<{ duration: { amount: number } }>).map((t) => t.duration.amount)).toContain(36);
  });

  it('validates the address, qualifies and quotes firm', async () => {
    const av = await gw.call('POST', `${base('geographicAddressManagement', flow.v.address!)}/geographicAddressValidation`, {
      token,
      body: flow.addressBody,
    });
    expect(av.status).toBe(200);
    check('geographicAddressManagement', 'createGeographicAddressValidation', av);
    life.addressId = av.body.bestMatchGeographicAddress.id as string;
    expect(life.addressId).toBe('NC-DE-000123');

    // POQ, immediate
    const poq = await gw.call('POST', `${base('productOfferingQualification', flow.v.poq!)}/productOfferingQualification`, {
      token,
      body: {
        instantSyncQualification: true,
        provideAlternative: false,
        relatedContactInformation: [buyerContact()],
        productOfferingQualificationItem: [
          { id: 'p1', action: 'add', product: { productConfiguration: eline, place: [flow.place(life.addressId)] } },
        ],
      },
    });
    expect(poq.status).toBe(201);
    check('productOfferingQualification', 'createProductOfferingQualification', poq);
    expect(poq.body.productOfferingQualificationItem[0].serviceabilityConfidence).toMatch(/^(green|yellow)$/);

    // firm quote, immediate, for the term the order will ask for (an order must match its quote)
    const quote = await gw.call('POST', `${base('quoteManagement', flow.v.quote!)}/quote`, {
      token,
      body: {
        instantSyncQuote: true,
        buyerRequestedQuoteLevel: 'firm',
        relatedContactInformation: [buyerContact()],
        quoteItem: [
          {
            id: 'q1',
            action: 'add',
            requestedQuoteItemTerm: term,
            product: { productConfiguration: eline, place: [flow.place(life.addressId)] },
          },
        ],
      },
    });
    expect(quote.status).toBe(201);
    check('quoteManagement', 'createQuote', quote);
    expect(quote.body.state).toBe('approved.orderable');
    life.quoteId = quote.body.id as string;
  });

  it('orders against the quote item', async () => {
    const externalId = `${flow.partner.toUpperCase()}-WALK-1`;
    const order = await gw.call('POST', `${orderApi}/productOrder`, {
      token,
      body: {
        externalId,
        relatedContactInformation: [
          {
            role: 'productOrderContact',
            name: 'Anna Buyer',
            number: '+49 30 1234567',
            emailAddress: 'anna.buyer@example.com',
          },
        ],
        productOrderItem: [
          {
            id: 'o1',
            action: 'add',
            requestedCompletionDate: inDays(30),
            quoteItem: { quoteId: life.quoteId, id: 'q1' },
            product: { productConfiguration: eline, place: [flow.place(life.addressId)] },
            requestedItemTerm: term,
          },
        ],
      },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    check('productOrderingManagement', 'createProductOrder', order);
    expect(order.body.state).toBe('acknowledged');
    life.orderId = order.body.id as string;
    life.orderNo = await legacyOrderNo(gw, flow.customer, externalId);
  });

  it.skipIf(!flow.life)('accepts the charge the BSS raises on the order: the order is held, then goes on', async () => {
    // the BSS validates the order, then asks 350.00 more for a site survey (its own fields: minor units)
    await advanceOrder(gw, life.orderNo, 'VALD');
    await readUntil(
      gw,
      () => gw.call('GET', `${orderApi}/productOrder/${life.orderId}`, { token }),
      (b) => b.state === 'inProgress',
    );
    const raised = await legacy(gw, `/_sim/orders/${life.orderNo}/charge`, {
      LINE_REF: '1',
      CHARGE_TYPE: 'SURVEY',
      CHARGE_DESC: 'extra site survey',
      AMOUNT: 35000,
      BLOCKING: 'Y',
    });
    expect(raised.RC, JSON.stringify(raised)).toBe(0);
    const held = await readUntil(
      gw,
      () => gw.call('GET', `${orderApi}/productOrder/${life.orderId}`, { token }),
      (b) => b.state === 'held.assessingCharge',
    );
    check('productOrderingManagement', 'retrieveProductOrder', held);
    const list = await readUntil(
      gw,
      () => gw.call('GET', `${orderApi}/charge?productOrderId=${life.orderId}`, { token }),
      (b) => b.length === 1,
    );
    check('productOrderingManagement', 'listCharge', list);
    const chargeId = list.body[0].id as string;
    await listener.next('/listener/chargeCreateEvent', (b) => b.event.id === chargeId);
    const charge = await gw.call('GET', `${orderApi}/charge/${chargeId}`, { token });
    expect(charge.status).toBe(200);
    check('productOrderingManagement', 'retrieveCharge', charge);
    expect(charge.body).toMatchObject({
      state: 'awaitingResponse',
      chargeItem: [{ id: '1', blocking: true, price: { dutyFreeAmount: { value: 350 } } }],
    });

    const accepted = await gw.call('PATCH', `${orderApi}/charge/${chargeId}`, {
      token,
      body: { chargeItem: [{ id: '1', acceptanceIndicator: 'accepted' }] },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    check('productOrderingManagement', 'patchCharge', accepted);
    expect(accepted.body).toMatchObject({ state: 'completed', chargeItem: [{ id: '1', state: 'acceptedByBuyer' }] });
    await listener.next('/listener/chargeStateChangeEvent', (b) => b.event.id === chargeId);
    // the BSS heard the answer and provisions the order; the order leaves held.assessingCharge
    const bss = await legacy(gw, `/orders/${life.orderNo}?CUST_NO=${flow.customer}`);
    expect(bss.ORDER.ORDER_STATUS).toBe('PROV');
    await readUntil(
      gw,
      () => gw.call('GET', `${orderApi}/productOrder/${life.orderId}`, { token }),
      (b) => b.state === 'inProgress',
    );
  });

  it.skipIf(!flow.v.workOrder)('sees the installation work order the BSS opened for its order', async () => {
    const workOrderApi = base('workOrderManagement', flow.v.workOrder!);
    const list = await readUntil(
      gw,
      () =>
        gw.call('GET', `${workOrderApi}/workorder?relatedEntityId=${life.orderId}&relatedEntityType=ProductOrder`, {
          token,
        }),
      (b) => Array.isArray(b) && b.length === 1,
    );
    check('workOrderManagement', 'listWorkOrder', list);
    life.workOrderId = list.body[0].id as string;
    const workOrder = await gw.call('GET', `${workOrderApi}/workorder/${life.workOrderId}`, { token });
    expect(workOrder.status).toBe(200);
    check('workOrderManagement', 'retrieveWorkOrder', workOrder);
    expect(workOrder.body).toMatchObject({ state: 'open', appointmentRequired: true });
    expect(workOrder.body.relatedEntity).toContainEqual({
      '@referredType': 'ProductOrder',
      id: life.orderId,
      role: 'productOrder',
    });
    await listener.next('/listener/workOrderCreateEvent', (b) => b.event.id === life.workOrderId);
  });

  it.skipIf(!flow.v.appointment)("searches the engineer's free visits and books the installation; the work order is planned", async () => {
    const appointmentApi = base('appointment', flow.v.appointment!);
    const day = workingDay(9);
    const search = await gw.call('POST', `${appointmentApi}/searchTimeSlot`, {
      token,
      body: {
        workOrder: { id: life.workOrderId },
        requestedTimeSlot: [{ validFor: { startDateTime: `${day}T00:00:00Z`, endDateTime: `${day}T23:59:00Z` } }],
      },
    });
    expect(search.status, JSON.stringify(search.body)).toBe(201);
    check('appointment', 'createSearchTimeSlot', search);
    const slot = search.body.availableTimeSlot[0] as { validFor: { startDateTime: string; endDateTime: string } };
    expect(slot).toBeDefined();
    const booked = await gw.call('POST', `${appointmentApi}/appointment`, {
      token,
      body: {
        workOrder: { id: life.workOrderId },
        validFor: slot.validFor,
        relatedContactInformation: [
          {
            role: 'siteContact',
            name: 'Anna Buyer',
            number: '+49 30 1234567',
            emailAddress: 'anna.buyer@example.com',
          },
        ],
      },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    check('appointment', 'createAppointment', booked);
    expect(booked.body).toMatchObject({ status: 'confirmed', workOrder: { id: life.workOrderId } });
    const read = await gw.call('GET', `${appointmentApi}/appointment/${booked.body.id}`, { token });
    expect(read.status).toBe(200);
    check('appointment', 'retrieveAppointment', read);
    const workOrder = await gw.call('GET', `${base('workOrderManagement', flow.v.workOrder!)}/workorder/${life.workOrderId}`, { token });
    check('workOrderManagement', 'retrieveWorkOrder', workOrder);
    expect(workOrder.body).toMatchObject({ state: 'planned', appointment: [{ id: booked.body.id }] });
    await listener.next('/listener/workOrderStateChangeEvent', (b) => b.event.id === life.workOrderId);
  });

  it('is provisioned and completed by the back office, each step notified', async () => {
    // the BSS reports each step by signed callback (with a charge accepted, it is provisioning already)
    for (const to of flow.life ? ['COMP'] : ['VALD', 'PROV', 'COMP']) await advanceOrder(gw, life.orderNo, to);
    const done = await readUntil(
      gw,
      () => gw.call('GET', `${orderApi}/productOrder/${life.orderId}`, { token }),
      (b) => b.state === 'completed',
    );
    check('productOrderingManagement', 'retrieveProductOrder', done);
    const states = (done.body.stateChange as Array<{ state: string }>).map((c) => c.state);
    expect(states[0]).toBe('acknowledged');
    expect(states).toContain('inProgress');
    expect(states.at(-1)).toBe('completed');
    if (flow.life) expect(states).toContain('held.assessingCharge');

    // every order state change reached the listener, rendered for this release
    const stateEvents = () => listener.calls.filter((c) => c.url.includes(`/${flow.v.orderNotif}/listener/productOrderStateChangeEvent`));
    await untilPushed(
      listener.calls,
      () => stateEvents().length >= states.length - 1,
      () => `${states.length - 1} productOrderStateChangeEvent notifications expected, got ${stateEvents().length}`,
    );
    for (const c of stateEvents()) expect(c.body.event.id).toBe(life.orderId);
    if (flow.release === 'kylie') expect(stateEvents().map((c) => c.body.event.state)).toContain('completed');
    else expect(stateEvents()[0]!.body.event.buyerId).toBe(flow.buyerId);
  });

  it("shows the product in the inventory with the gateway's order id", async () => {
    const inventoryApi = base('productInventory', flow.v.inventory!);
    const inv = await readUntil(
      gw,
      () => gw.call('GET', `${inventoryApi}/product`, { token }),
      (b) => Array.isArray(b) && b.length > 0,
    );
    check('productInventory', 'listProduct', inv);
    const product = (inv.body as any[]).find((p) => JSON.stringify(p).includes(life.orderId));
    expect(product, JSON.stringify(inv.body).slice(0, 500)).toBeDefined();
    expect(JSON.stringify(product)).not.toContain(life.orderNo);
    life.productId = product.id as string;
    const byId = await gw.call('GET', `${inventoryApi}/product/${life.productId}`, { token });
    expect(byId.status).toBe(200);
    check('productInventory', 'retrieveProduct', byId);
  });

  it.skipIf(!flow.life)("receives the first bill: the BSS's billing run of the month charges the new product", async () => {
    const billApi = base('customerBillManagement', flow.v.bill!);
    const run = await legacy(gw, '/_sim/bills/run', {});
    expect(run.RC, JSON.stringify(run)).toBe(0);
    const own = (run.BILLS as Array<{ BILL_NO: string; CUST_NO: string }>).filter((b) => b.CUST_NO === flow.customer);
    expect(own).toHaveLength(1);
    const billId = own[0]!.BILL_NO;

    const created = await listener.next('/listener/customerBillCreateEvent', (b) => b.event.id === billId);
    expect(created.body.event.href).toBe(`${billApi}/customerBill/${billId}`);
    const list = await gw.call('GET', `${billApi}/customerBill?state=generated`, { token });
    expect(list.status).toBe(200);
    check('customerBillManagement', 'listCustomerBill', list);
    expect((list.body as Array<{ id: string }>).map((b) => b.id)).toContain(billId);
    const bill = await gw.call('GET', `${billApi}/customerBill/${billId}`, { token });
    expect(bill.status).toBe(200);
    check('customerBillManagement', 'retrieveCustomerBill', bill);
    // the bill's items for the new product: its monthly charge from the day it went into service
    const items = [];
    for (const ref of bill.body[0].customerBillItem as Array<{ id: string }>) {
      const item = await gw.call('GET', `${billApi}/customerBillItem/${ref.id}`, { token });
      expect(item.status).toBe(200);
      check('customerBillManagement', 'retrieveCustomerBillItem', item);
      items.push(item.body[0]);
    }
    const mine = items.filter((i) => i.product?.id === life.productId);
    expect(
      mine.map((i) => i.customerBillItemType),
      JSON.stringify(items).slice(0, 500),
    ).toContain('recurring');
  });

  it.skipIf(!flow.v.cim)('sees a maintenance notification touching the new circuit (Kylie)', async () => {
    const cimApi = base('cimIncident', flow.v.cim!);
    // the NOC announces works next week on the Berlin aggregation router, which carries the new circuit's address
    const published = await legacy(gw, '/_sim/network-events', {
      NWE_TYPE: 'WART',
      EFFECT: 'AUSF',
      SEVERITY: 3,
      ELEMENTS: ['BER-AGG-03'],
      TEXT: 'Tausch einer Linecard',
      START_TS: berlinAt(7, 1),
      PLANNED_END: berlinAt(7, 5),
    });
    expect(published.RC, JSON.stringify(published)).toBe(0);
    const incidentId = published.NETWORK_EVENT.NWE_NO as string;
    const created = await listener.next('/listener/cimIncidentCreateEvent', (b) => b.event.id === incidentId);
    expect(created.body.event).toMatchObject({
      '@type': 'CimMaintenanceIncident',
      incidentType: 'plannedMaintenance',
      status: 'created',
    });
    // globex has nothing else in Berlin: the new circuit is the one product it names
    expect(created.body.event.relatedEntity).toEqual([{ '@referredType': 'Product', id: life.productId, role: 'impactedProduct' }]);
    const list = await gw.call('GET', `${cimApi}/cimIncident?incidentType=plannedMaintenance`, { token });
    expect(list.status).toBe(200);
    check('cimIncident', 'listCimIncident', list);
    const listed = (list.body as Array<{ id: string; relatedEntity: Array<{ id: string }> }>).find((i) => i.id === incidentId);
    expect(listed?.relatedEntity.map((e) => e.id)).toEqual([life.productId]);
  });

  it('raises a trouble ticket on the product', async () => {
    const ticketApi = base('troubleTicket', flow.v.ticket!);
    const ticket = await gw.call('POST', `${ticketApi}/troubleTicket`, {
      token,
      body: flow.ticketBody(life.productId),
    });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    check('troubleTicket', 'createTroubleTicket', ticket);
    const got = await gw.call('GET', `${ticketApi}/troubleTicket/${ticket.body.id}`, { token });
    expect(got.status).toBe(200);
    check('troubleTicket', 'retrieveTroubleTicket', got);
  });

  it('follows every link it was given (href, productOrderHref, quoteHref...): each one answers 200', async () => {
    const links = new Set(collectLinks(answers));
    expect(
      [...links].some((l) => l.includes('/productOrder/')),
      'inventory links to its order',
    ).toBe(true);
    expect(
      [...links].some((l) => l.includes('/product/')),
      'order links to its product',
    ).toBe(true);
    for (const link of links) {
      const followed = await gw.call('GET', link, { token });
      expect(followed.status, `${flow.release}: GET ${link} -> ${followed.status} ${JSON.stringify(followed.body).slice(0, 200)}`).toBe(
        200,
      );
    }
  });

  it('received only notifications valid against the official files', () => {
    expect(listener.calls.length).toBeGreaterThan(0);
    for (const call of listener.calls) checkNotification(call);
  });
});
