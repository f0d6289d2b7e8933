import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListener, type TestListener } from '../notify/support.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import {
  advanceOrder,
  expectPaging,
  expectSpecValid,
  graceOrder,
  kylieOrder,
  legacy,
  legacyOrderNo,
  ORDER_BASE,
} from './product-order-support.js';
import { readUntil } from '../support/wait.js';

const API = 'productOrderingManagement';
const CUST = { grace: 'C-100042', kylie: 'C-100077' } as const;
type Release = 'grace' | 'kylie';

let gw: TestGateway;
let tokens: Record<Release, string>;
let listener: TestListener;

beforeAll(async () => {
  gw = await startTestGateway();
  tokens = { grace: await gw.token('acme'), kylie: await gw.token('globex') };
  listener = await startListener();
  for (const release of ['grace', 'kylie'] as const) {
    const hub = await sonata(release, 'POST', '/hub', {
      callback: `${listener.origin}/${release}`,
      query: 'eventType=chargeCreateEvent,chargeStateChangeEvent,chargeTimeoutEvent',
    });
    expect(hub.status).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await listener?.close();
  await gw?.close();
});

function sonata(release: Release, method: string, path: string, body?: unknown) {
  return gw.call(method, `${ORDER_BASE[release]}${path}`, { token: tokens[release], body });
}

/** An order the BSS validated (inProgress at the gateway), its legacy number. */
async function placeValidated(release: Release, externalId: string): Promise<{ id: string; orderNo: string }> {
  const body = release === 'grace' ? graceOrder({ externalId }) : kylieOrder({ externalId });
  const res = await sonata(release, 'POST', '/productOrder', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const orderNo = await legacyOrderNo(gw, CUST[release], externalId);
  await advanceOrder(gw, orderNo, 'VALD');
  await readUntil(
    gw,
    () => sonata(release, 'GET', `/productOrder/${res.body.id}`),
    (b) => b.state === 'inProgress',
  );
  return { id: res.body.id as string, orderNo };
}

/** The back office raises a charge on line 1 (the BSS's own fields: minor units, Berlin time); the gateway's charge. */
async function raise(release: Release, order: { id: string; orderNo: string }, fields: Record<string, unknown> = {}) {
  const answer = await legacy(gw, `/_sim/orders/${order.orderNo}/charge`, {
    LINE_REF: '1',
    CHARGE_TYPE: 'SURVEY',
    CHARGE_DESC: 'extra site survey',
    AMOUNT: 35000,
    BLOCKING: 'Y',
    ...fields,
  });
  expect(answer.RC, JSON.stringify(answer)).toBe(0);
  const held = await readUntil(
    gw,
    () => sonata(release, 'GET', `/productOrder/${order.id}`),
    (b) => b.state === 'held.assessingCharge',
  );
  expectSpecValid(release, API, 'retrieveProductOrder', 200, held.body);
  const list = await readUntil(
    gw,
    () => sonata(release, 'GET', `/charge?productOrderId=${order.id}`),
    (b) => b.length === 1,
  );
  expectSpecValid(release, API, 'listCharge', 200, list.body);
  expectPaging(list.headers, 1, 1);
  return {
    chargeNo: answer.CHARGE.CHARGE_ID as string,
    charge: list.body[0] as { id: string; responseDueDate: string },
  };
}

async function eventsFor(release: Release, chargeId: string, count: number) {
  const mine = () =>
    listener.calls.filter((c) => c.url.startsWith(`/${release}/`) && (c.body as { event: { id: string } }).event.id === chargeId);
  for (let total = listener.calls.length; mine().length < count; total++) await listener.waitForCalls(total + 1);
  return mine().map((c) => ({
    type: (c.body as { eventType: string }).eventType,
    event: (c.body as { event: Record<string, unknown> }).event,
  }));
}

describe.each(['grace', 'kylie'] as const)('%s charges', (release) => {
  it('raised by the BSS: the order is held, the Buyer is told and reads it; accepted, the BSS hears it and the order goes on', async () => {
    const order = await placeValidated(release, `${release}-CHG-ACCEPT`);
    const { chargeNo, charge } = await raise(release, order);
    expect(charge).toMatchObject({
      state: 'awaitingResponse',
      productOrderItem: { productOrderId: order.id, productOrderItemId: 'item-1' },
    });
    const one = await sonata(release, 'GET', `/charge/${charge.id}`);
    expect(one.status).toBe(200);
    expectSpecValid(release, API, 'retrieveCharge', 200, one.body);
    expect(one.body.chargeItem).toEqual([
      {
        id: '1',
        state: 'awaitingResponse',
        activityType: 'new',
        blocking: true,
        priceType: 'nonRecurring',
        priceCategory: 'other',
        price: { dutyFreeAmount: { unit: release === 'grace' ? 'EUR' : 'GBP', value: 350 } },
      },
    ]);
    expect(Date.parse(one.body.responseDueDate)).toBeGreaterThan(Date.now());
    expect((await eventsFor(release, charge.id, 1))[0]!.type).toBe('chargeCreateEvent');
    // the order item lists its charge
    const held = await sonata(release, 'GET', `/productOrder/${order.id}`);
    expectSpecValid(release, API, 'retrieveProductOrder', 200, held.body);
    expect(held.body.productOrderItem[0].charge).toEqual([{ id: charge.id, href: `${ORDER_BASE[release]}/charge/${charge.id}` }]);

    const patched = await sonata(release, 'PATCH', `/charge/${charge.id}`, {
      chargeItem: [{ id: '1', acceptanceIndicator: 'accepted' }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expectSpecValid(release, API, 'patchCharge', 200, patched.body);
    expect(patched.body).toMatchObject({
      state: 'completed',
      chargeItem: [{ id: '1', state: 'acceptedByBuyer', acceptanceIndicator: 'accepted' }],
    });
    const bss = await legacy(gw, `/orders/${order.orderNo}?CUST_NO=${CUST[release]}`);
    expect(bss.ORDER.CHARGES.find((c: { CHARGE_ID: string }) => c.CHARGE_ID === chargeNo).CHARGE_STATUS).toBe('ACPT');
    expect(bss.ORDER.ORDER_STATUS).toBe('PROV');
    await readUntil(
      gw,
      () => sonata(release, 'GET', `/productOrder/${order.id}`),
      (b) => b.state === 'inProgress',
    );
    const events = await eventsFor(release, charge.id, 2);
    expect(events.map((e) => e.type)).toEqual(['chargeCreateEvent', 'chargeStateChangeEvent']);
    if (release === 'kylie') expect(events[1]!.event).toMatchObject({ id: charge.id, state: 'completed' });

    // answered: a second answer is a conflict, and nothing changes
    const again = await sonata(release, 'PATCH', `/charge/${charge.id}`, {
      chargeItem: [{ id: '1', acceptanceIndicator: 'rejected' }],
    });
    expect(again.status).toBe(409);
    expectSpecValid(release, API, 'patchCharge', 409, again.body);
    expect(again.body.code).toBe('conflict');
  });

  it('declined: a blocking charge cancels its item, and with it the one-item order', async () => {
    const order = await placeValidated(release, `${release}-CHG-DECLINE`);
    const { chargeNo, charge } = await raise(release, order);
    const patched = await sonata(release, 'PATCH', `/charge/${charge.id}`, {
      chargeItem: [{ id: '1', acceptanceIndicator: 'rejected' }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      state: 'completed',
      chargeItem: [{ state: 'declinedByBuyer', acceptanceIndicator: 'rejected' }],
    });
    const bss = await legacy(gw, `/orders/${order.orderNo}?CUST_NO=${CUST[release]}`);
    expect(bss.ORDER.CHARGES.find((c: { CHARGE_ID: string }) => c.CHARGE_ID === chargeNo).CHARGE_STATUS).toBe('DECL');
    const cancelled = await readUntil(
      gw,
      () => sonata(release, 'GET', `/productOrder/${order.id}`),
      (b) => b.state === 'cancelled',
    );
    expectSpecValid(release, API, 'retrieveProductOrder', 200, cancelled.body);
    expect(cancelled.body.productOrderItem[0].state).toBe('cancelled');
  });

  it('unanswered: at responseDueDate the charge times out, counts as declined, and the BSS hears it', async () => {
    const order = await placeValidated(release, `${release}-CHG-TIMEOUT`);
    // a non-blocking charge: declined by default, the order goes on without it
    const { chargeNo, charge } = await raise(release, order, { BLOCKING: 'N', CHARGE_TYPE: 'CONSTR' });
    const due = Date.parse(charge.responseDueDate);
    // (other tests' charges may fall due in the same sweeps: only this one is looked at)
    await gw.gateway.sweepDeadlines(new Date(due - 1000));
    expect((await sonata(release, 'GET', `/charge/${charge.id}`)).body.state).toBe('awaitingResponse');

    expect(await gw.gateway.sweepDeadlines(new Date(due + 1000))).toBeGreaterThanOrEqual(1);
    const timedOut = await sonata(release, 'GET', `/charge/${charge.id}`);
    expectSpecValid(release, API, 'retrieveCharge', 200, timedOut.body);
    expect(timedOut.body).toMatchObject({
      state: 'timeout',
      chargeItem: [{ state: 'declinedByBuyer', priceCategory: 'construction', blocking: false }],
    });
    const events = await eventsFor(release, charge.id, 3);
    expect(events.map((e) => e.type).sort()).toEqual(['chargeCreateEvent', 'chargeStateChangeEvent', 'chargeTimeoutEvent']);
    const bss = await legacy(gw, `/orders/${order.orderNo}?CUST_NO=${CUST[release]}`);
    expect(bss.ORDER.CHARGES.find((c: { CHARGE_ID: string }) => c.CHARGE_ID === chargeNo).CHARGE_STATUS).toBe('DECL');
    await readUntil(
      gw,
      () => sonata(release, 'GET', `/productOrder/${order.id}`),
      (b) => b.state === 'inProgress',
    );
    // swept once: a second sweep sends nothing more; a late answer is a conflict
    await gw.gateway.sweepDeadlines(new Date(due + 2000));
    const late = await sonata(release, 'PATCH', `/charge/${charge.id}`, {
      chargeItem: [{ id: '1', acceptanceIndicator: 'accepted' }],
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('conflict');
    expect(await eventsFor(release, charge.id, 3)).toHaveLength(3);
  });
});

describe('refusals', () => {
  it('Billie does not offer charges (its MEFCharge wire is not kept): 501 notImplemented', async () => {
    const initech = await gw.token('initech');
    for (const [method, path] of [
      ['GET', '/charge'],
      ['GET', '/charge/CH-1'],
      ['PATCH', '/charge/CH-1'],
    ] as const) {
      const res = await gw.call(method, `/mefApi/sonata/productOrderingManagement/v7${path}`, {
        token: initech,
        body: method === 'PATCH' ? { chargeItem: [{ id: '1', acceptanceIndicator: 'accepted' }] } : undefined,
      });
      expect(res.status).toBe(501);
      expect(res.body.code).toBe('notImplemented');
    }
  });

  it("another partner's charge is 404; a bad answer is 400 (Grace) / 422 (Kylie)", async () => {
    const order = await placeValidated('grace', 'grace-CHG-OTHER');
    const { charge } = await raise('grace', order);
    const other = await sonata('kylie', 'GET', `/charge/${charge.id}`);
    expect(other.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveCharge', 404, other.body);
    expect(
      (
        await sonata('kylie', 'PATCH', `/charge/${charge.id}`, {
          chargeItem: [{ id: '1', acceptanceIndicator: 'accepted' }],
        })
      ).status,
    ).toBe(404);
    expect((await sonata('kylie', 'GET', `/charge?productOrderId=${order.id}`)).body).toEqual([]);

    const noItems = await sonata('grace', 'PATCH', `/charge/${charge.id}`, { chargeItem: [] });
    expect(noItems.status).toBe(400);
    expectSpecValid('grace', API, 'patchCharge', 400, noItems.body);
    const unknownItem = await sonata('grace', 'PATCH', `/charge/${charge.id}`, {
      chargeItem: [{ id: '9', acceptanceIndicator: 'accepted' }],
    });
    expect(unknownItem.status).toBe(400);
    expect((await sonata('grace', 'GET', `/charge/${charge.id}`)).body.state).toBe('awaitingResponse');
  });
});
