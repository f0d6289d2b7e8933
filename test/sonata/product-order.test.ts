import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceDoc } from '../../src/sonata/resources/apply-update.js';
import { createResourceRepository } from '../../src/sonata/resources/resource-repository.js';
import { startListener, type TestListener } from '../notify/support.js';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import {
  advanceOrder,
  expectPaging,
  expectSpecValid,
  graceOrder,
  inDays,
  kylieOrder,
  legacy,
  legacyOrderNo,
  ORDER_BASE,
} from './product-order-support.js';
import { readUntil } from '../support/wait.js';

const API = 'productOrderingManagement';
const ACME_CUST = 'C-100042';
const GLOBEX_CUST = 'C-100077';

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

const grace = (method: string, path: string, body?: unknown) => gw.call(method, `${ORDER_BASE.grace}${path}`, { token: acme, body });
const kylie = (method: string, path: string, body?: unknown) => gw.call(method, `${ORDER_BASE.kylie}${path}`, { token: globex, body });

/** Creates an order and returns its Sonata answer and the legacy order number behind it. */
async function place(
  release: 'grace' | 'kylie',
  externalId: string,
  item: Record<string, unknown> = {},
  over: Record<string, unknown> = {},
) {
  const body = release === 'grace' ? graceOrder({ externalId, ...over }, item) : kylieOrder({ externalId, ...over }, item);
  const res = await (release === 'grace' ? grace : kylie)('POST', '/productOrder', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expectSpecValid(release, API, 'createProductOrder', 201, res.body);
  return {
    order: res.body,
    orderNo: await legacyOrderNo(gw, release === 'grace' ? ACME_CUST : GLOBEX_CUST, externalId),
  };
}

describe('create, state machine and notifications', () => {
  let listener: TestListener;
  beforeAll(async () => {
    listener = await startListener();
  });
  afterAll(async () => {
    await listener.close();
  });

  it('Grace: acknowledged -> inProgress -> completed from the BSS status reports, with history and notifications', async () => {
    const hub = await grace('POST', '/hub', {
      callback: `${listener.origin}/acme`,
      query: 'eventType=productOrderStateChangeEvent,productOrderItemStateChangeEvent',
    });
    expect(hub.status).toBe(201);
    expectSpecValid('grace', API, 'registerListener', 201, hub.body);

    const { order, orderNo } = await place('grace', 'ACME-LIFE-1');
    expect(order).toMatchObject({ state: 'acknowledged', externalId: 'ACME-LIFE-1', projectId: 'ACME-PRJ-7' });
    expect(order.productOrderItem[0]).toMatchObject({
      id: 'item-1',
      action: 'add',
      state: 'acknowledged',
      expediteIndicator: false,
    });
    expect(order.productOrderItem[0].product.productConfiguration['@type']).toBe('urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all');
    expect(order.productOrderItem[0].expectedCompletionDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(order.relatedContactInformation[0].number).toBe('+49301234567');
    // the BSS got the order with the hub's id in its remarks, not flagged as a test
    const bss = await legacy(gw, `/orders/${orderNo}?CUST_NO=${ACME_CUST}`);
    expect(bss.ORDER).toMatchObject({ TEST_FLAG: 'N', CUST_ORDER_REF: 'ACME-LIFE-1', PROJECT_REF: 'ACME-PRJ-7' });
    expect(bss.ORDER.REMARKS).toContain(order.id);
    expect(bss.ORDER.LINES[0]).toMatchObject({
      ACTION: 'NEW',
      PROD_CODE: 'ELINE',
      BW_MBPS: 100,
      SITE_ID: 'ST-100001',
      TERM_MONTHS: 36,
      EXPEDITE: 'N',
    });

    await advanceOrder(gw, orderNo, 'VALD');
    const validated = await readUntil(
      gw,
      () => grace('GET', `/productOrder/${order.id}`),
      (b) => b.state === 'inProgress',
    );
    expectSpecValid('grace', API, 'retrieveProductOrder', 200, validated.body);
    await advanceOrder(gw, orderNo, 'COMP');
    const done = await readUntil(
      gw,
      () => grace('GET', `/productOrder/${order.id}`),
      (b) => b.state === 'completed',
    );
    expectSpecValid('grace', API, 'retrieveProductOrder', 200, done.body);
    expect(done.body.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress', 'completed']);
    const item = done.body.productOrderItem[0];
    expect(item.state).toBe('completed');
    expect(item.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress', 'completed']);
    expect(Date.parse(done.body.completionDate)).not.toBeNaN();
    expect(Date.parse(item.completionDate)).not.toBeNaN();

    // one notification per state change, reference-only Grace events with buyerId/sellerId in the payload
    const calls = await listener.waitForCalls(4);
    const mine = calls.filter((c) => (c.body as { event: { id: string } }).event.id === order.id);
    expect(mine.map((c) => c.url.split('?')[0]).sort()).toEqual([
      '/acme/mefApi/sonata/productOrderingNotification/v10/listener/productOrderItemStateChangeEvent',
      '/acme/mefApi/sonata/productOrderingNotification/v10/listener/productOrderItemStateChangeEvent',
      '/acme/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent',
      '/acme/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent',
    ]);
    const itemEvent = mine.find((c) => c.url.includes('Item'))!.body as {
      eventType: string;
      event: Record<string, string>;
    };
    expect(itemEvent.eventType).toBe('productOrderItemStateChangeEvent');
    expect(itemEvent.event).toEqual({
      id: order.id,
      href: `${ORDER_BASE.grace}/productOrder/${order.id}`,
      orderItemId: 'item-1',
      buyerId: 'ACME-DE-0042',
      sellerId: 'NETCORE',
    });
    expect((await grace('DELETE', `/hub/${hub.body.id}`)).status).toBe(204);
  });

  it('Kylie: the same lifecycle; typed events carry the new state, party ids travel in the query', async () => {
    const hub = await kylie('POST', '/hub', {
      callback: `${listener.origin}/globex`,
      query: 'eventType=productOrderStateChangeEvent',
    });
    expect(hub.status).toBe(201);
    expectSpecValid('kylie', API, 'registerListener', 201, hub.body);
    const before = listener.calls.length;
    const { order, orderNo } = await place('kylie', 'GLX-LIFE-1');
    expect(order.productOrderItem[0].product.place).toEqual([
      { role: 'INSTALL_LOCATION', place: { '@type': 'GeographicSiteRef', id: 'ST-100003' } },
    ]);
    await advanceOrder(gw, orderNo, 'COMP');
    const done = await readUntil(
      gw,
      () => kylie('GET', `/productOrder/${order.id}`),
      (b) => b.state === 'completed',
    );
    expectSpecValid('kylie', API, 'retrieveProductOrder', 200, done.body);
    expect(done.body.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress', 'completed']);
    const calls = (await listener.waitForCalls(before + 2)).slice(before).filter((c) => c.url.startsWith('/globex'));
    expect(calls.map((c) => (c.body as { event: { state: string } }).event.state)).toEqual(['inProgress', 'completed']);
    expect(calls[0]!.url).toBe(
      `/globex/mefApi/sonata/productOrderingNotification/v11/listener/productOrderStateChangeEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE`,
    );
    expect((calls[0]!.body as { event: Record<string, string> }).event).toEqual({
      id: order.id,
      href: `${ORDER_BASE.kylie}/productOrder/${order.id}`,
      state: 'inProgress',
    });
  });

  it.each(['grace', 'kylie'] as const)(
    '%s: an order completed right after creation has completionDate >= orderDate (order and items)',
    async (release) => {
      // the BSS prints its times to the minute; completed within the minute it was placed, the order must not
      // look completed before it was placed
      const { order, orderNo } = await place(release, `${release.toUpperCase()}-FAST-1`);
      for (const to of ['VALD', 'PROV', 'COMP']) await advanceOrder(gw, orderNo, to);
      const done = await readUntil(
        gw,
        () => (release === 'grace' ? grace : kylie)('GET', `/productOrder/${order.id}`),
        (b) => b.state === 'completed',
      );
      expectSpecValid(release, API, 'retrieveProductOrder', 200, done.body);
      const orderDate = Date.parse(done.body.orderDate);
      expect(orderDate).toBe(Date.parse(order.orderDate));
      expect(Date.parse(done.body.completionDate), `${done.body.completionDate} >= ${done.body.orderDate}`).toBeGreaterThanOrEqual(
        orderDate,
      );
      for (const item of done.body.productOrderItem) {
        expect(Date.parse(item.completionDate), `item ${item.completionDate} >= ${done.body.orderDate}`).toBeGreaterThanOrEqual(orderDate);
      }
      // and never in the future of the partner's read
      expect(Date.parse(done.body.completionDate)).toBeLessThanOrEqual(Date.now());
    },
  );

  it('a rejected order and its items end rejected with the BSS reason', async () => {
    const { order, orderNo } = await place('kylie', 'GLX-REJ-1');
    await advanceOrder(gw, orderNo, 'REJD', { REASON: 'credit check failed' });
    const res = await readUntil(
      gw,
      () => kylie('GET', `/productOrder/${order.id}`),
      (b) => b.state === 'rejected',
    );
    expect(res.body.stateChange.at(-1)).toMatchObject({ state: 'rejected', changeReason: 'credit check failed' });
    expect(res.body.productOrderItem[0].state).toBe('rejected');
    expectSpecValid('kylie', API, 'retrieveProductOrder', 200, res.body);
  });
});

describe('list with filters and pagination', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    ids.push((await place('grace', 'LIST-A', { requestedCompletionDate: inDays(30) }, { projectId: 'LIST-PRJ' })).order.id);
    ids.push((await place('grace', 'LIST-B', { requestedCompletionDate: inDays(60) }, { projectId: 'LIST-PRJ' })).order.id);
    const c = await place('grace', 'LIST-C', { requestedCompletionDate: inDays(90) }, { projectId: 'LIST-OTHER' });
    ids.push(c.order.id);
    await advanceOrder(gw, c.orderNo, 'VALD');
    await readUntil(
      gw,
      () => grace('GET', `/productOrder/${c.order.id}`),
      (b) => b.state === 'inProgress',
    );
  });

  const list = async (query: string) => {
    const res = await grace('GET', `/productOrder?${query}`);
    expectSpecValid('grace', API, 'listProductOrder', res.status, res.body);
    return res;
  };

  it('filters by externalId, projectId and state, in ProductOrder_Find form with pagination headers', async () => {
    const one = await list('externalId=LIST-B');
    expect(one.status).toBe(200);
    expect(one.body).toEqual([expect.objectContaining({ id: ids[1], externalId: 'LIST-B', projectId: 'LIST-PRJ', state: 'acknowledged' })]);
    expect(one.body[0].productOrderItem).toBeUndefined();
    expectPaging(one.headers, 1, 1);
    const project = await list('projectId=LIST-PRJ');
    expect(project.body.map((o: { id: string }) => o.id)).toEqual([ids[1], ids[0]]); // newest first
    const inProgress = await list('projectId=LIST-OTHER&state=inProgress');
    expect(inProgress.body.map((o: { id: string }) => o.id)).toEqual([ids[2]]);
    expect((await list('projectId=LIST-OTHER&state=completed')).body).toEqual([]);
  });

  it('filters by date ranges: item requested completion date and order date', async () => {
    const later = await list(`projectId=LIST-PRJ&itemRequestedCompletionDate.gt=${inDays(45)}`);
    expect(later.body.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
    const window = await list(`itemRequestedCompletionDate.gt=${inDays(45)}&itemRequestedCompletionDate.lt=${inDays(75)}`);
    expect(window.body.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
    const future = await list(`orderDate.gt=${inDays(1)}`);
    expect(future.body).toEqual([]);
    const past = await list(`externalId=LIST-A&orderDate.lt=${inDays(1)}&orderDate.gt=${inDays(-1)}`);
    expect(past.body.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    const expected = await list(`projectId=LIST-PRJ&itemExpectedCompletionDate.gt=${inDays(45)}`);
    expect(expected.body.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
  });

  it('pages with offset and limit; the headers count the whole filtered list', async () => {
    const page = await list('projectId=LIST-PRJ&offset=1&limit=1');
    expect(page.body.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    expectPaging(page.headers, 2, 1);
  });

  it('refuses an unknown filter and a range value that is not a date with 400 invalidQuery', async () => {
    const unknown = await list('colour=red');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('invalidQuery');
    const badDate = await list('orderDate.gt=yesterday');
    expect(badDate.status).toBe(400);
    expect(badDate.body.code).toBe('invalidQuery');
  });

  it("another partner's order is not found, and not listed", async () => {
    const res = await kylie('GET', `/productOrder/${ids[0]}`);
    expect(res.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveProductOrder', 404, res.body);
    const listed = await kylie('GET', '/productOrder?externalId=LIST-A');
    expect(listed.body).toEqual([]);
  });
});

describe('cancel', () => {
  it('Grace: cancels an open order in the BSS; the request is done, the order turns cancelled; both readable and listed', async () => {
    const { order, orderNo } = await place('grace', 'ACME-CANC-1');
    const body = {
      productOrder: { productOrderId: order.id },
      cancellationReasonType: 'commercial',
      cancellationReason: 'budget cut',
      relatedContactInformation: [
        {
          role: 'cancelProductOrderContact',
          name: 'Anna Buyer',
          number: '+49 30 1234567',
          emailAddress: 'anna.buyer@example.com',
        },
      ],
    };
    const res = await grace('POST', '/cancelProductOrder', body);
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createCancelProductOrder', 201, res.body);
    expect(res.body).toMatchObject({
      state: 'done',
      cancellationReasonType: 'commercial',
      cancellationReason: 'budget cut',
      productOrder: { productOrderId: order.id },
    });
    expect((await legacy(gw, `/orders/${orderNo}?CUST_NO=${ACME_CUST}`)).ORDER.ORDER_STATUS).toBe('CANC');

    const cancelled = await readUntil(
      gw,
      () => grace('GET', `/productOrder/${order.id}`),
      (b) => b.state === 'cancelled' && b.productOrderItem[0].state === 'cancelled',
    );
    expectSpecValid('grace', API, 'retrieveProductOrder', 200, cancelled.body);
    expect(cancelled.body.cancellationReason).toBe('commercial: budget cut');
    expect(Date.parse(cancelled.body.cancellationDate)).not.toBeNaN();

    const got = await grace('GET', `/cancelProductOrder/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    expectSpecValid('grace', API, 'retrieveCancelProductOrder', 200, got.body);
    const listed = await grace('GET', `/cancelProductOrder?productOrderId=${order.id}`);
    expectSpecValid('grace', API, 'listCancelProductOrder', 200, listed.body);
    expect(listed.body).toEqual([
      { id: res.body.id, productOrder: res.body.productOrder, cancellationReasonType: 'commercial', state: 'done' },
    ]);
    expectPaging(listed.headers, 1, 1);
    const cancelledList = await grace('GET', `/productOrder?cancellationDate.gt=${inDays(-1)}&externalId=ACME-CANC-1`);
    expect(cancelledList.body.map((o: { id: string }) => o.id)).toEqual([order.id]);

    // too late now: the order is cancelled
    const again = await grace('POST', '/cancelProductOrder', body);
    expect(again.status).toBe(422);
    expect(again.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/productOrder/productOrderId' })]);
    expectSpecValid('grace', API, 'createCancelProductOrder', 422, again.body);
  });

  it("Kylie: an unknown order and another partner's order are referenceNotFound", async () => {
    const contact = [
      {
        role: 'cancelProductOrderContact',
        name: 'Gil Buyer',
        number: '+44 20 7946 0000',
        emailAddress: 'gil@example.com',
      },
    ];
    const unknown = await kylie('POST', '/cancelProductOrder', {
      productOrder: { productOrderId: 'no-such-order' },
      cancellationReasonType: 'technical',
      relatedContactInformation: contact,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/productOrder/productOrderId' })]);
    expectSpecValid('kylie', API, 'createCancelProductOrder', 422, unknown.body);
    const acmeOrder = (await place('grace', 'ACME-CANC-2')).order;
    const foreign = await kylie('POST', '/cancelProductOrder', {
      productOrder: { productOrderId: acmeOrder.id },
      cancellationReasonType: 'technical',
      relatedContactInformation: contact,
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body[0]).toMatchObject({ code: 'referenceNotFound', propertyPath: '/productOrder/productOrderId' });
    // and it did not touch ACME's order
    expect((await grace('GET', `/productOrder/${acmeOrder.id}`)).body.state).toBe('acknowledged');

    const { order } = await place('kylie', 'GLX-CANC-1');
    const ok = await kylie('POST', '/cancelProductOrder', {
      productOrder: { productOrderId: order.id },
      cancellationReasonType: 'technical',
      relatedContactInformation: contact,
    });
    expect(ok.status).toBe(201);
    expectSpecValid('kylie', API, 'createCancelProductOrder', 201, ok.body);
    await readUntil(
      gw,
      () => kylie('GET', `/productOrder/${order.id}`),
      (b) => b.state === 'cancelled',
    );
  });
});

describe('modify the requested delivery date', () => {
  it('Kylie: moves an item to a later date in the BSS; the request is done and the item shows the new dates', async () => {
    const { order, orderNo } = await place('kylie', 'GLX-MOD-1');
    const when = new Date(Date.parse(inDays(50)));
    when.setUTCHours(10, 0, 0, 0);
    const res = await kylie('POST', '/modifyProductOrderItemRequestedDeliveryDate', {
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
      requestedCompletionDate: when.toISOString(),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectSpecValid('kylie', API, 'createModifyProductOrderItemRequestedDeliveryDate', 201, res.body);
    expect(res.body).toMatchObject({
      state: 'done',
      expediteIndicator: false,
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
    });
    const bss = await legacy(gw, `/orders/${orderNo}?CUST_NO=${GLOBEX_CUST}`);
    const day = when.toISOString().slice(0, 10).split('-').reverse().join('.');
    expect(bss.ORDER.LINES[0].REQ_DATE).toBe(day);

    const moved = await readUntil(
      gw,
      () => kylie('GET', `/productOrder/${order.id}`),
      (b) => b.productOrderItem[0].requestedCompletionDate !== order.productOrderItem[0].requestedCompletionDate,
    );
    expect(moved.body.productOrderItem[0].expectedCompletionDate).toBe(moved.body.productOrderItem[0].requestedCompletionDate);
    expectSpecValid('kylie', API, 'retrieveProductOrder', 200, moved.body);

    const got = await kylie('GET', `/modifyProductOrderItemRequestedDeliveryDate/${res.body.id}`);
    expect(got.body).toEqual(res.body);
    expectSpecValid('kylie', API, 'retrieveModifyProductOrderItemRequestedDeliveryDate', 200, got.body);
    const listed = await kylie('GET', `/modifyProductOrderItemRequestedDeliveryDate?productOrderId=${order.id}&state=done`);
    expect(listed.body.map((m: { id: string }) => m.id)).toEqual([res.body.id]);
    expectPaging(listed.headers, 1, 1);
    expectSpecValid('kylie', API, 'listModifyProductOrderItemRequestedDeliveryDate', 200, listed.body);
  });

  it('Grace: refuses an unknown item, expediting and a date before the earliest possible one, each naming the property', async () => {
    const { order } = await place('grace', 'ACME-MOD-2');
    const unknownItem = await grace('POST', '/modifyProductOrderItemRequestedDeliveryDate', {
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'nope' },
      requestedCompletionDate: inDays(40),
    });
    expect(unknownItem.status).toBe(422);
    expect(unknownItem.body[0]).toMatchObject({ code: 'referenceNotFound', propertyPath: '/productOrderItem' });
    expectSpecValid('grace', API, 'createModifyProductOrderItemRequestedDeliveryDate', 422, unknownItem.body);
    const expedite = await grace('POST', '/modifyProductOrderItemRequestedDeliveryDate', {
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
      requestedCompletionDate: inDays(40),
      expediteIndicator: true,
    });
    expect(expedite.status).toBe(422);
    expect(expedite.body[0]).toMatchObject({ code: 'invalidValue', propertyPath: '/expediteIndicator' });
    const tooEarly = await grace('POST', '/modifyProductOrderItemRequestedDeliveryDate', {
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
      requestedCompletionDate: inDays(1),
    });
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body[0]).toMatchObject({ code: 'invalidValue', propertyPath: '/requestedCompletionDate' });
    expectSpecValid('grace', API, 'createModifyProductOrderItemRequestedDeliveryDate', 422, tooEarly.body);
  });
});

describe('PATCH productOrder', () => {
  it('Kylie: changes externalId and adds notes and item fields; an unknown item is referenceNotFound', async () => {
    const { order } = await place('kylie', 'GLX-PATCH-1');
    const note = {
      id: 'n1',
      author: 'Gil',
      date: new Date().toISOString(),
      source: 'buyer',
      text: 'please call before arrival',
    };
    const res = await kylie('PATCH', `/productOrder/${order.id}`, {
      externalId: 'GLX-PATCH-1b',
      note: [note],
      productOrderItem: [{ id: 'item-1', relatedBuyerPON: 'PON-77', endCustomerName: 'Contoso' }],
    });
    expect(res.status).toBe(200);
    expectSpecValid('kylie', API, 'patchProductOrder', 200, res.body);
    expect(res.body.externalId).toBe('GLX-PATCH-1b');
    expect(res.body.note).toEqual([note]);
    expect(res.body.productOrderItem[0]).toMatchObject({
      relatedBuyerPON: 'PON-77',
      endCustomerName: 'Contoso',
      state: 'acknowledged',
    });
    expect((await kylie('GET', `/productOrder?externalId=GLX-PATCH-1b`)).body.map((o: { id: string }) => o.id)).toEqual([order.id]);

    const bad = await kylie('PATCH', `/productOrder/${order.id}`, {
      productOrderItem: [{ id: 'item-9', relatedBuyerPON: 'x' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/productOrderItem/0/id' })]);
    expectSpecValid('kylie', API, 'patchProductOrder', 422, bad.body);
  });
});

describe('quote references', () => {
  const repo = () => createResourceRepository(gw.gateway.store);
  const quoteDef = () => gw.gateway.registry.current().resources.get('quote')!;
  let offerNo: string;

  /** A firm offer in the BSS and the partner's quote document for it, as the quote API keeps it. */
  async function storeQuote(id: string, partnerId: string, over: Partial<ResourceDoc> = {}): Promise<void> {
    const now = new Date().toISOString();
    await repo().insert(quoteDef(), {
      id,
      partnerId,
      resource: 'quote',
      state: 'approved.orderable',
      stateChange: [{ state: 'approved.orderable', changeDate: now }],
      createdAt: now,
      updatedAt: now,
      legacyRef: offerNo,
      validFor: { startDateTime: now, endDateTime: inDays(30) },
      items: [{ id: 'qi-1', legacyRef: '1', state: 'approved.orderable', stateChange: [] }],
      ...over,
    });
  }

  beforeAll(async () => {
    const offer = await legacy(gw, '/offers', {
      CUST_NO: ACME_CUST,
      OFFER_TYPE: 'FIRM',
      MODE: 'SYNC',
      LINES: [{ LINE_REF: '1', ACTION: 'NEW', PROD_CODE: 'ELINE', BW_MBPS: 100, SITE_ID: 'ST-100001', TERM_MONTHS: 36 }],
    });
    expect(offer.RC, JSON.stringify(offer)).toBe(0);
    offerNo = offer.OFFER.OFFER_NO as string;
    await storeQuote('q-valid', 'acme-telecom');
    await storeQuote('q-expired', 'acme-telecom', {
      validFor: { startDateTime: inDays(-40), endDateTime: inDays(-1) },
    });
    await storeQuote('q-cancelled', 'acme-telecom', { state: 'cancelled' });
    await storeQuote('q-declined', 'acme-telecom', { state: 'declined' });
    await storeQuote('q-globex', 'globex-networks');
  });

  const orderQuote = (externalId: string, quoteId: string, quoteItemId = 'qi-1') =>
    grace('POST', '/productOrder', graceOrder({ externalId }, { quoteItem: { quoteId, id: quoteItemId } }));

  it.each([
    ['an expired quote', 'q-expired', 'qi-1', 'invalidValue'],
    ['a cancelled quote', 'q-cancelled', 'qi-1', 'invalidValue'],
    ['a declined quote', 'q-declined', 'qi-1', 'invalidValue'],
    ["another partner's quote", 'q-globex', 'qi-1', 'referenceNotFound'],
    ['a quote that does not exist', 'q-none', 'qi-1', 'referenceNotFound'],
    ['an item the quote does not have', 'q-valid', 'qi-9', 'referenceNotFound'],
  ])('refuses %s with 422 naming the quoteItem', async (_what, quoteId, itemId, code) => {
    const res = await orderQuote(`ACME-Q-${quoteId}-${itemId}`, quoteId, itemId);
    expect(res.status).toBe(422);
    expect(res.body).toEqual([expect.objectContaining({ code, propertyPath: '/productOrderItem/0/quoteItem' })]);
    expectSpecValid('grace', API, 'createProductOrder', 422, res.body);
  });

  it('orders a valid quote item: the BSS order line takes the offer', async () => {
    const res = await orderQuote('ACME-Q-OK', 'q-valid');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectSpecValid('grace', API, 'createProductOrder', 201, res.body);
    expect(res.body.productOrderItem[0].quoteItem).toMatchObject({ quoteId: 'q-valid', id: 'qi-1' });
    const orderNo = await legacyOrderNo(gw, ACME_CUST, 'ACME-Q-OK');
    const bss = await legacy(gw, `/orders/${orderNo}?CUST_NO=${ACME_CUST}`);
    expect(bss.ORDER.LINES[0]).toMatchObject({ OFFER_NO: offerNo, OFFER_LINE_REF: '1' });
  });
});

describe('bad input gets a clear Sonata error', () => {
  it.each([
    ['no contact', graceOrder({ relatedContactInformation: undefined }), 'missingProperty', '/relatedContactInformation'],
    [
      'an add item without a place',
      graceOrder({}, { product: { productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100 } } }),
      'missingProperty',
      '/productOrderItem/0/product/place',
    ],
    [
      'a product type not sold',
      graceOrder(
        {},
        {
          product: {
            productConfiguration: { '@type': 'urn:example:voice' },
            place: [{ '@type': 'GeographicSiteRef', role: 'X', id: 'ST-100001' }],
          },
        },
      ),
      'invalidValue',
      '/productOrderItem/0/product/productConfiguration/@type',
    ],
    [
      'a term not offered',
      graceOrder(
        {},
        {
          requestedItemTerm: { name: '18', duration: { amount: 18, units: 'calendarMonths' }, endOfTermAction: 'roll' },
        },
      ),
      'invalidValue',
      '/productOrderItem/0/requestedItemTerm/duration',
    ],
    [
      'a date before the earliest the BSS can deliver',
      graceOrder({}, { requestedCompletionDate: inDays(1) }),
      'invalidValue',
      '/productOrderItem/0/requestedCompletionDate',
    ],
    [
      'a modify of a product not in the inventory',
      graceOrder(
        {},
        {
          action: 'modify',
          product: { id: 'AS-5000001', productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 1000 } },
        },
      ),
      'referenceNotFound',
      '/productOrderItem/0/product/id',
    ],
    [
      'a formatted address instead of a reference',
      graceOrder(
        {},
        {
          product: {
            productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100 },
            place: [
              {
                '@type': 'FormattedAddress',
                role: 'X',
                addrLine1: 'Hauptstrasse 12',
                city: 'Berlin',
                country: 'Germany',
              },
            ],
          },
        },
      ),
      'invalidValue',
      '/productOrderItem/0/product/place/0',
    ],
  ])('%s -> 422', async (_what, body, code, propertyPath) => {
    const res = await grace('POST', '/productOrder', body);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body).toContainEqual(expect.objectContaining({ code, propertyPath }));
    expectSpecValid('grace', API, 'createProductOrder', 422, res.body);
  });

  it('an unknown order id is 404 notFound', async () => {
    const res = await grace('GET', '/productOrder/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expectSpecValid('grace', API, 'retrieveProductOrder', 404, res.body);
  });

  it.each([
    ['GET', '/charge', 'listCharge'],
    ['GET', '/charge/CH-1', 'retrieveCharge'],
    ['PATCH', '/charge/CH-1', 'patchCharge'],
  ])(
    'charges are offered (test/sonata/order-charge.test.ts): %s %s of no charge is an empty list or 404',
    async (method, path, operationId) => {
      for (const release of ['grace', 'kylie'] as const) {
        const res = await (release === 'grace' ? grace : kylie)(
          method,
          path,
          method === 'PATCH' ? { chargeItem: [{ id: '1', acceptanceIndicator: 'accepted' }] } : undefined,
        );
        const status = path === '/charge' ? 200 : 404;
        expect(res.status).toBe(status);
        expectSpecValid(release, API, operationId, status, res.body);
      }
    },
  );
});

describe('test environment partners', () => {
  let project: ReturnType<typeof copyProject>;
  let testGw: TestGateway;
  beforeAll(async () => {
    project = copyProject();
    const file = join(project.dir, 'partners', 'acme-telecom', 'partner.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('legacyCustomerId:', 'testEnvironment: true\nlegacyCustomerId:'));
    testGw = await startTestGateway({ rootDir: project.dir });
  });
  afterAll(async () => {
    await testGw.close();
    project.cleanup();
  });

  it('orders go to the BSS flagged as tests, never billed', async () => {
    const token = await testGw.token('acme');
    const res = await testGw.call('POST', `${ORDER_BASE.grace}/productOrder`, {
      token,
      body: graceOrder({ externalId: 'ACME-TEST-1' }),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', API, 'createProductOrder', 201, res.body);
    const orderNo = await legacyOrderNo(testGw, ACME_CUST, 'ACME-TEST-1');
    const bss = await legacy(testGw, `/orders/${orderNo}?CUST_NO=${ACME_CUST}`);
    expect(bss.ORDER.TEST_FLAG).toBe('Y');
    expect(bss.ORDER.LINES.map((l: { BILLABLE: string }) => l.BILLABLE)).toEqual(['N']);
  });
});
