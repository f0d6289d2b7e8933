// Product Order on MEF LSO Sonata Billie (productOrderingManagement v7) for Initech, against the embedded legacy
// BSS: create, retrieve, list with Billie's filters, PATCH with orderVersion, completion date change, cancel, the
// order driven to completion through the BSS's _sim controls, Billie order notifications (productOrderNotification
// v7) to a registered listener. Every answer is checked against the official Billie spec, and the gateway's own
// response check must not have logged a violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { advanceOrder, expectPaging, expectSpecValid, inDays, legacy, legacyOrderNo } from './product-order-support.js';
import { readUntil } from '../support/wait.js';

const API = 'productOrderingManagement';
const BASE = '/mefApi/sonata/productOrderingManagement/v7';
const INITECH_CUST = 'C-100099';
const specs = createSpecCatalog({ sdkDir: SDK_DIR });

let gw: TestGateway;
let token: string;
let listener: TestListener;

beforeAll(async () => {
  gw = await startTestGateway();
  token = await gw.token('initech');
  listener = await startListener();
});
afterAll(async () => {
  await listener?.close();
  await gw?.close();
});

/** Calls the Billie order API as Initech; every answer must be valid against the Billie spec for its operation. */
async function billie(operationId: string, method: string, path: string, body?: unknown) {
  const res = await gw.call(method, `${BASE}${path}`, { token, body });
  expectSpecValid('billie', API, operationId, res.status, res.body);
  return res;
}

const CONTACT = {
  role: 'productOrderContact',
  name: 'Peter Gibbons',
  number: '+31 20 555 0401',
  emailAddress: 'peter.gibbons@initech.example',
};
const CANCEL_CONTACT = { ...CONTACT, role: 'cancelProductOrderContact' };

/** A Billie order of one Access E-Line at Initech's Amsterdam office (off-net, 10 Mbit/s, 30 working days lead). */
function initechOrder(externalId: string, over: Record<string, unknown> = {}, item: Record<string, unknown> = {}) {
  return {
    externalId,
    projectId: 'INI-PRJ-1',
    description: 'Amsterdam office uplink',
    requestedCompletionDate: inDays(60),
    relatedContactInformation: [CONTACT],
    productOrderItem: [
      {
        id: 'item-1',
        action: 'add',
        product: {
          productConfiguration: { '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all', bandwidthMbps: 10 },
          place: [{ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id: 'ST-100031' }],
        },
        requestedItemTerm: { duration: { amount: 24, units: 'calendarMonths' } },
        billingAccount: { id: 'BA-9900005', agreementName: 'Initech MSA 2021' },
        ...item,
      },
    ],
    ...over,
  };
}

async function place(externalId: string, over: Record<string, unknown> = {}, item: Record<string, unknown> = {}) {
  const res = await billie('createProductOrder', 'POST', '/productOrder', initechOrder(externalId, over, item));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { order: res.body, orderNo: await legacyOrderNo(gw, INITECH_CUST, externalId) };
}

const ids = (body: Array<{ id: string }>) => body.map((o) => o.id);

/** `days` from now at 10:00 UTC: the same calendar day in the BSS's (European) local time. */
function dayAt10(days: number): string {
  const d = new Date(Date.parse(inDays(days)));
  d.setUTCHours(10, 0, 0, 0);
  return d.toISOString();
}

/** The BSS's dd.MM.yyyy of an ISO date-time at 10:00 UTC. */
const legacyDay = (iso: string) => iso.slice(0, 10).split('-').reverse().join('.');

describe('Billie product order lifecycle', () => {
  let order: any;
  let orderNo: string;
  let hubId: string;

  it('registers a listener on the Billie hub', async () => {
    const hub = await billie('registerListener', 'POST', '/hub', {
      callback: `${listener.origin}/initech`,
      query: 'eventType=productOrderStateChangeEvent,productOrderItemStateChangeEvent',
    });
    expect(hub.status).toBe(201);
    hubId = hub.body.id;
    expect((await billie('retrieveHub', 'GET', `/hub/${hubId}`)).body).toMatchObject({
      id: hubId,
      callback: `${listener.origin}/initech`,
    });
  });

  it('creates an order: acknowledged at orderVersion 1, Billie fields answered, the BSS line takes the order date', async () => {
    const requested = dayAt10(60);
    ({ order, orderNo } = await place('INI-LIFE-1', { requestedCompletionDate: requested }));
    expect(order).toMatchObject({
      state: 'acknowledged',
      orderVersion: '1',
      externalId: 'INI-LIFE-1',
      projectId: 'INI-PRJ-1',
      description: 'Amsterdam office uplink',
      requestedCompletionDate: requested,
    });
    const item = order.productOrderItem[0];
    expect(item).toMatchObject({
      id: 'item-1',
      action: 'add',
      state: 'acknowledged',
      sellerItemIdentifier: '1',
      requestedCompletionDate: requested,
      billingAccount: { id: 'BA-9900005', agreementName: 'Initech MSA 2021' },
    });
    expect(item.agreementName).toBeUndefined(); // Grace's place for it, not Billie's
    expect(item.milestone).toBeUndefined();
    expect(item.itemTerm[0].duration).toEqual({ amount: 24, units: 'calendarMonths' });
    expect(order.expectedCompletionDate).toBe(item.expectedCompletionDate);
    // the BSS plans the line for the requested day (its lead time is shorter): that local midnight, in UTC
    expect(Math.abs(Date.parse(item.expectedCompletionDate) - Date.parse(requested))).toBeLessThan(86_400_000);

    const bss = await legacy(gw, `/orders/${orderNo}?CUST_NO=${INITECH_CUST}`);
    expect(bss.ORDER).toMatchObject({ CUST_ORDER_REF: 'INI-LIFE-1', PROJECT_REF: 'INI-PRJ-1' });
    expect(bss.ORDER.LINES[0]).toMatchObject({
      ACTION: 'NEW',
      PROD_CODE: 'ELINE',
      BW_MBPS: 10,
      SITE_ID: 'ST-100031',
      TERM_MONTHS: 24,
    });
    expect(bss.ORDER.LINES[0].REQ_DATE).toBe(legacyDay(requested));
  });

  it('retrieves it as created', async () => {
    const res = await billie('retrieveProductOrder', 'GET', `/productOrder/${order.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(order);
  });

  it("lists it with Billie's filters (requested/expected completion date); Grace's filter names are unknown here", async () => {
    const found = await billie(
      'listProductOrder',
      'GET',
      `/productOrder?externalId=INI-LIFE-1&requestedCompletionDate.gt=${inDays(45)}&expectedCompletionDate.gt=${inDays(30)}`,
    );
    expect(found.status).toBe(200);
    expect(found.body).toEqual([
      expect.objectContaining({ id: order.id, orderVersion: '1', state: 'acknowledged', externalId: 'INI-LIFE-1' }),
    ]);
    expect(found.body[0].productOrderItem).toBeUndefined();
    expectPaging(found.headers, 1, 1);
    expect(
      (await billie('listProductOrder', 'GET', `/productOrder?externalId=INI-LIFE-1&requestedCompletionDate.lt=${inDays(45)}`)).body,
    ).toEqual([]);
    expect(
      (await billie('listProductOrder', 'GET', `/productOrder?externalId=INI-LIFE-1&orderCancellationDate.gt=${inDays(-1)}`)).body,
    ).toEqual([]);
    const grace = await billie('listProductOrder', 'GET', `/productOrder?itemRequestedCompletionDate.gt=${inDays(1)}`);
    expect(grace.status).toBe(400);
    expect(grace.body.code).toBe('invalidQuery');
  });

  it('PATCH with the current orderVersion changes the order and makes version 2; a stale version is 409 conflict', async () => {
    const note = {
      id: 'n1',
      author: 'Peter Gibbons',
      date: new Date().toISOString(),
      source: 'buyer',
      text: 'ring the bell twice',
    };
    const res = await billie('patchProductOrder', 'PATCH', `/productOrder/${order.id}`, {
      orderVersion: '1',
      description: 'Amsterdam uplink (moved floor)',
      note: [note],
      productOrderItem: [{ id: 'item-1', relatedBuyerPON: 'PON-42' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ orderVersion: '2', description: 'Amsterdam uplink (moved floor)', note: [note] });
    expect(res.body.productOrderItem[0].relatedBuyerPON).toBe('PON-42');

    const stale = await billie('patchProductOrder', 'PATCH', `/productOrder/${order.id}`, {
      orderVersion: '1',
      externalId: 'INI-LIFE-1b',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('conflict');
    expect(stale.body.reason).toContain('orderVersion 2');
    const unchanged = await billie('retrieveProductOrder', 'GET', `/productOrder/${order.id}`);
    expect(unchanged.body).toMatchObject({ orderVersion: '2', externalId: 'INI-LIFE-1' });

    const noVersion = await billie('patchProductOrder', 'PATCH', `/productOrder/${order.id}`, {
      externalId: 'INI-LIFE-1c',
    });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.code).toBe('invalidBody');
  });

  it('PATCHes at once naming the same orderVersion: exactly one is applied, the others are 409 (changes to one order run in turn)', async () => {
    const { order: other } = await place('INI-RACE-1');
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        billie('patchProductOrder', 'PATCH', `/productOrder/${other.id}`, {
          orderVersion: '1',
          externalId: `INI-RACE-1-${i}`,
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    expect(winner.body.orderVersion).toBe('2');
    const after = await billie('retrieveProductOrder', 'GET', `/productOrder/${other.id}`);
    expect(after.body).toMatchObject({ orderVersion: '2', externalId: winner.body.externalId });
  });

  it('modifies the completion date against the current orderVersion; a stale one is 422 at /orderVersion', async () => {
    const when = new Date(dayAt10(80));
    const stale = await billie('createModifyProductOrderItemCompletionDate', 'POST', '/modifyProductOrderItemCompletionDate', {
      orderVersion: '1',
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
      requestedCompletionDate: when.toISOString(),
    });
    expect(stale.status).toBe(422);
    expect(stale.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/orderVersion' })]);

    const res = await billie('createModifyProductOrderItemCompletionDate', 'POST', '/modifyProductOrderItemCompletionDate', {
      orderVersion: '2',
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
      requestedCompletionDate: when.toISOString(),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      state: 'done',
      orderVersion: '2',
      expediteIndicator: false,
      requestedCompletionDate: when.toISOString(),
      href: `${BASE}/modifyProductOrderItemCompletionDate/${res.body.id}`,
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
    });
    const bss = await legacy(gw, `/orders/${orderNo}?CUST_NO=${INITECH_CUST}`);
    expect(bss.ORDER.LINES[0].REQ_DATE).toBe(legacyDay(when.toISOString()));

    // the BSS reports the new date (its local day); the item and the order show it
    const before = order.productOrderItem[0].requestedCompletionDate;
    const moved = await readUntil(
      gw,
      () => billie('retrieveProductOrder', 'GET', `/productOrder/${order.id}`),
      (b) => b.productOrderItem[0].requestedCompletionDate !== before,
    );
    const movedItem = moved.body.productOrderItem[0];
    expect(Math.abs(Date.parse(movedItem.requestedCompletionDate) - when.getTime())).toBeLessThan(86_400_000);
    expect(movedItem.expectedCompletionDate).toBe(movedItem.requestedCompletionDate);
    expect(moved.body.expectedCompletionDate).toBe(movedItem.expectedCompletionDate);

    const got = await billie('retrieveModifyProductOrderItemCompletionDate', 'GET', `/modifyProductOrderItemCompletionDate/${res.body.id}`);
    expect(got.body).toEqual(res.body);
    const listed = await billie(
      'listModifyProductOrderItemCompletionDate',
      'GET',
      `/modifyProductOrderItemCompletionDate?productOrderId=${order.id}&state=done&requestedCompletionDate.gt=${inDays(70)}`,
    );
    expect(ids(listed.body)).toEqual([res.body.id]);
    expectPaging(listed.headers, 1, 1);
    // Grace's path is not Billie's
    expect((await gw.call('POST', `${BASE}/modifyProductOrderItemRequestedDeliveryDate`, { token, body: {} })).status).toBe(404);
  });

  it('runs to completion through the BSS; the listener gets Billie order notifications', async () => {
    await advanceOrder(gw, orderNo, 'VALD');
    await readUntil(
      gw,
      () => billie('retrieveProductOrder', 'GET', `/productOrder/${order.id}`),
      (b) => b.state === 'inProgress',
    );
    await advanceOrder(gw, orderNo, 'COMP');
    const done = await readUntil(
      gw,
      () => billie('retrieveProductOrder', 'GET', `/productOrder/${order.id}`),
      (b) => b.state === 'completed',
    );
    expect(done.body.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress', 'completed']);
    expect(done.body.productOrderItem[0].state).toBe('completed');
    expect(done.body.orderVersion).toBe('2');
    expect(Date.parse(done.body.completionDate)).not.toBeNaN();
    expect(done.body.productOrderItem[0].product.id).toMatch(/^AS-/);
    const completed = await billie('listProductOrder', 'GET', `/productOrder?state=completed&completionDate.gt=${inDays(-1)}`);
    expect(ids(completed.body)).toContain(order.id);

    // two order and two item state changes, on Billie's notification API, each valid against its spec
    const calls = (await listener.waitForCalls(4, 10_000)).filter((c) => (c.body as { event: { id: string } }).event.id === order.id);
    expect(calls.map((c) => c.url.split('?')[0]).sort()).toEqual([
      '/initech/mefApi/sonata/productOrderNotification/v7/listener/productOrderItemStateChangeEvent',
      '/initech/mefApi/sonata/productOrderNotification/v7/listener/productOrderItemStateChangeEvent',
      '/initech/mefApi/sonata/productOrderNotification/v7/listener/productOrderStateChangeEvent',
      '/initech/mefApi/sonata/productOrderNotification/v7/listener/productOrderStateChangeEvent',
    ]);
    for (const call of calls) expectNotificationValid(call);
    const itemEvent = calls.find((c) => c.url.includes('Item'))!.body as {
      eventType: string;
      event: Record<string, string>;
    };
    expect(itemEvent.eventType).toBe('productOrderItemStateChangeEvent');
    expect(itemEvent.event).toEqual({
      id: order.id,
      href: `${BASE}/productOrder/${order.id}`,
      orderItemId: 'item-1',
      buyerId: 'INITECH-US-5',
      sellerId: 'NETCORE',
    });

    expect((await billie('unregisterListener', 'DELETE', `/hub/${hubId}`)).status).toBe(204);
  });
});

describe('Billie cancellation', () => {
  it('cancels an open order against its orderVersion; request done, order cancelled; listed by order id and externalId', async () => {
    const { order, orderNo } = await place('INI-CANC-1');
    const body = {
      productOrder: { productOrderId: order.id },
      orderVersion: '1',
      cancellationReasonType: 'commercial',
      cancellationReason: 'office closes',
      note: [
        {
          id: 'c1',
          author: 'Peter Gibbons',
          date: new Date().toISOString(),
          source: 'buyer',
          text: 'sorry for the trouble',
        },
      ],
      relatedContactInformation: [CANCEL_CONTACT],
    };
    const stale = await billie('createCancelProductOrder', 'POST', '/cancelProductOrder', {
      ...body,
      orderVersion: '7',
    });
    expect(stale.status).toBe(422);
    expect(stale.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/orderVersion' })]);
    expect((await legacy(gw, `/orders/${orderNo}?CUST_NO=${INITECH_CUST}`)).ORDER.ORDER_STATUS).toBe('RCVD');

    const res = await billie('createCancelProductOrder', 'POST', '/cancelProductOrder', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      state: 'done',
      orderVersion: '1',
      cancellationReasonType: 'commercial',
      cancellationReason: 'office closes',
      note: body.note,
      productOrder: { productOrderId: order.id },
      relatedContactInformation: [{ ...CANCEL_CONTACT, number: '+31205550401' }],
    });
    expect((await legacy(gw, `/orders/${orderNo}?CUST_NO=${INITECH_CUST}`)).ORDER.ORDER_STATUS).toBe('CANC');
    const cancelled = await readUntil(
      gw,
      () => billie('retrieveProductOrder', 'GET', `/productOrder/${order.id}`),
      (b) => b.state === 'cancelled',
    );
    expect(Date.parse(cancelled.body.cancellationDate)).not.toBeNaN();

    expect((await billie('retrieveCancelProductOrder', 'GET', `/cancelProductOrder/${res.body.id}`)).body).toEqual(res.body);
    const byOrder = await billie('listCancelProductOrder', 'GET', `/cancelProductOrder?productOrderId=${order.id}`);
    expect(byOrder.body).toEqual([res.body]); // Billie lists whole CancelProductOrders
    expectPaging(byOrder.headers, 1, 1);
    const byExternalId = await billie('listCancelProductOrder', 'GET', '/cancelProductOrder?productOrderExternalId=INI-CANC-1');
    expect(ids(byExternalId.body)).toEqual([res.body.id]);
    const byDate = await billie('listProductOrder', 'GET', `/productOrder?orderCancellationDate.gt=${inDays(-1)}&externalId=INI-CANC-1`);
    expect(ids(byDate.body)).toEqual([order.id]);

    const again = await billie('createCancelProductOrder', 'POST', '/cancelProductOrder', body);
    expect(again.status).toBe(422);
    expect(again.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/productOrder/productOrderId' })]);
  });

  it('refuses a cancellation without orderVersion, and of an order it does not know', async () => {
    const missing = await billie('createCancelProductOrder', 'POST', '/cancelProductOrder', {
      productOrder: { productOrderId: 'x' },
      relatedContactInformation: [CANCEL_CONTACT],
    });
    expect(missing.status).toBe(422);
    expect(missing.body).toContainEqual(expect.objectContaining({ code: 'missingProperty', propertyPath: '/orderVersion' }));
    const unknown = await billie('createCancelProductOrder', 'POST', '/cancelProductOrder', {
      productOrder: { productOrderId: 'no-such-order' },
      orderVersion: '1',
      relatedContactInformation: [CANCEL_CONTACT],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual([expect.objectContaining({ code: 'referenceNotFound', propertyPath: '/productOrder/productOrderId' })]);
  });
});

describe('Billie refusals and what is not offered', () => {
  it('a term the BSS does not sell and an order without contact are refused naming the property', async () => {
    const term = await billie(
      'createProductOrder',
      'POST',
      '/productOrder',
      initechOrder('INI-BAD-1', {}, { requestedItemTerm: { duration: { amount: 18, units: 'calendarMonths' } } }),
    );
    expect(term.status).toBe(422);
    expect(term.body).toContainEqual(
      expect.objectContaining({ code: 'invalidValue', propertyPath: '/productOrderItem/0/requestedItemTerm/duration' }),
    );
    const noContact = await billie(
      'createProductOrder',
      'POST',
      '/productOrder',
      initechOrder('INI-BAD-2', { relatedContactInformation: undefined }),
    );
    expect(noContact.status).toBe(422);
    expect(noContact.body).toContainEqual(expect.objectContaining({ code: 'missingProperty', propertyPath: '/relatedContactInformation' }));
  });

  it('an unknown order is 404; charges answer 501 as in Grace', async () => {
    expect((await billie('retrieveProductOrder', 'GET', '/productOrder/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const charges = await billie('listCharge', 'GET', '/charge');
    expect(charges.status).toBe(501);
    expect(charges.body.code).toBe('notImplemented');
  });

  it('logged no response that violates the Billie spec', () => {
    expect(
      gw.logs.filter(
        (l) => l.msg === 'response violates the Sonata specification' || l.message === 'response violates the Sonata specification',
      ),
    ).toEqual([]);
  });
});

function expectNotificationValid(call: ReceivedCall): void {
  const path = call.url.split('?')[0]!.replace('/initech/mefApi/sonata/productOrderNotification/v7', '');
  const op = specs.api('billie', 'productOrderNotification')?.operation('POST', path);
  expect(op, `Billie notification ${path}`).toBeDefined();
  expect(op!.validateRequestBody(call.body)).toEqual([]);
}
