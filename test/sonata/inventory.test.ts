import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import {
  advanceOrder,
  expectPaging,
  expectSpecValid,
  graceOrder,
  INVENTORY_BASE,
  kylieOrder,
  legacy,
  legacyOrderNo,
  ORDER_BASE,
} from './product-order-support.js';
import { readUntil } from '../support/wait.js';

const API = 'productInventory';
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

const call = (release: 'grace' | 'kylie', method: string, path: string, body?: unknown) =>
  gw.call(method, path, { token: release === 'grace' ? acme : globex, body });

/** Places an order, completes it in the BSS and waits until the gateway shows it completed. */
async function completeOrder(release: 'grace' | 'kylie', body: Record<string, unknown>, custNo: string) {
  const res = await call(release, 'POST', `${ORDER_BASE[release]}/productOrder`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const orderNo = await legacyOrderNo(gw, custNo, body.externalId as string);
  await advanceOrder(gw, orderNo, 'COMP');
  await readUntil(
    gw,
    () => call(release, 'GET', `${ORDER_BASE[release]}/productOrder/${res.body.id}`),
    (b) => b.state === 'completed',
  );
  return { orderId: res.body.id as string, orderNo };
}

describe('Grace inventory (productInventory v7)', () => {
  let orderId: string;
  let orderNo: string;
  let productId: string;

  beforeAll(async () => {
    ({ orderId, orderNo } = await completeOrder('grace', graceOrder({ externalId: 'INV-ACME-1' }), 'C-100042'));
  });

  it("shows the completed order's product under the hub's order id, never the BSS's order number", async () => {
    const listed = await readUntil(
      gw,
      () => call('grace', 'GET', `${INVENTORY_BASE.grace}/product?productOrderId=${orderId}`),
      (b) => b.length === 1,
    );
    expectSpecValid('grace', API, 'listProduct', 200, listed.body);
    expectPaging(listed.headers, 1, 1);
    const entry = listed.body[0];
    productId = entry.id;
    const bss = await legacy(gw, `/orders/${orderNo}?CUST_NO=C-100042`);
    expect(productId).toBe(bss.ORDER.LINES[0].ASSET_ID);
    expect(entry).toMatchObject({
      status: 'active',
      externalId: 'INV-ACME-1',
      relatedSite: [{ id: 'ST-100001', role: 'INSTALL_LOCATION' }],
    });
    expect(entry.productOrderItem).toEqual([
      {
        productOrderId: orderId,
        productOrderItemId: 'item-1',
        productOrderHref: `${ORDER_BASE.grace}/productOrder/${orderId}`,
      },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(orderNo);

    const got = await call('grace', 'GET', `${INVENTORY_BASE.grace}/product/${productId}`);
    expect(got.status).toBe(200);
    expectSpecValid('grace', API, 'retrieveProduct', 200, got.body);
    expect(got.body).toMatchObject({
      id: productId,
      status: 'active',
      productSpecification: { id: 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all' },
      productConfiguration: {
        '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all',
        bandwidthMbps: 100,
        classOfService: 'gold',
      },
      productTerm: [{ name: '36 months', duration: { amount: 36, units: 'calendarMonths' } }],
    });
    expect(got.body.productPrice).toContainEqual(
      expect.objectContaining({
        priceType: 'recurring',
        recurringChargePeriod: 'month',
        price: { dutyFreeAmount: { unit: 'EUR', value: expect.any(Number) } },
      }),
    );
    expect(got.body.statusChange.map((s: { status: string }) => s.status)).toEqual(['active']);
    expect(Date.parse(got.body.startDate)).not.toBeNaN();
  });

  it('filters by status, specification, site and start date, with pagination headers', async () => {
    const q = async (query: string) => {
      const res = await call('grace', 'GET', `${INVENTORY_BASE.grace}/product?${query}`);
      expectSpecValid('grace', API, 'listProduct', res.status, res.body);
      return res;
    };
    expect((await q(`status=active&productOrderId=${orderId}`)).body.map((p: { id: string }) => p.id)).toEqual([productId]);
    expect((await q(`status=terminated&productOrderId=${orderId}`)).body).toEqual([]);
    expect(
      (await q('productSpecificationId=urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all&geographicalSiteId=ST-100001')).body.map(
        (p: { id: string }) => p.id,
      ),
    ).toContain(productId);
    expect((await q(`geographicalSiteId=ST-999999`)).body).toEqual([]);
    expect((await q(`startDate.gt=${new Date(Date.now() + 86_400_000).toISOString()}`)).body).toEqual([]);
    const bad = await q('geographicSiteId=ST-100001'); // the Kylie name is not a Grace filter
    expect(bad.status).toBe(400);
  });

  it("another partner's product is not found", async () => {
    const res = await call('kylie', 'GET', `${INVENTORY_BASE.kylie}/product/${productId}`);
    expect(res.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveProduct', 404, res.body);
  });

  it('a modify order changes the product; a delete order terminates it', async () => {
    await completeOrder(
      'grace',
      graceOrder(
        { externalId: 'INV-ACME-MOD' },
        {
          action: 'modify',
          product: { id: productId, productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 1000 } },
        },
      ),
      'C-100042',
    );
    const changed = await readUntil(
      gw,
      () => call('grace', 'GET', `${INVENTORY_BASE.grace}/product/${productId}`),
      (b) => b.productConfiguration.bandwidthMbps === 1000,
    );
    expectSpecValid('grace', API, 'retrieveProduct', 200, changed.body);
    expect(changed.body.productOrderItem).toHaveLength(2);
    expect(changed.body.statusChange.map((s: { status: string }) => s.status)).toEqual(['active', 'active.pendingChange', 'active']);

    await completeOrder('grace', graceOrder({ externalId: 'INV-ACME-DEL' }, { action: 'delete', product: { id: productId } }), 'C-100042');
    const gone = await readUntil(
      gw,
      () => call('grace', 'GET', `${INVENTORY_BASE.grace}/product/${productId}`),
      (b) => b.status === 'terminated',
    );
    expectSpecValid('grace', API, 'retrieveProduct', 200, gone.body);
    expect(Date.parse(gone.body.terminationDate)).not.toBeNaN();
    // and a terminated product cannot be ordered against any more
    const again = await call(
      'grace',
      'POST',
      `${ORDER_BASE.grace}/productOrder`,
      graceOrder({ externalId: 'INV-ACME-DEL2' }, { action: 'delete', product: { id: productId } }),
    );
    expect(again.status).toBe(422);
    expect(again.body[0]).toMatchObject({ code: 'invalidValue', propertyPath: '/productOrderItem/0/product/id' });
  });
});

describe('Kylie inventory (productInventory v8)', () => {
  it('shows the product with its place and the hub order id; geographicSiteId filters', async () => {
    const { orderId } = await completeOrder('kylie', kylieOrder({ externalId: 'INV-GLX-1' }), 'C-100077');
    const listed = await readUntil(
      gw,
      () => call('kylie', 'GET', `${INVENTORY_BASE.kylie}/product?geographicSiteId=ST-100003&productOrderId=${orderId}`),
      (b) => b.length === 1,
    );
    expectSpecValid('kylie', API, 'listProduct', 200, listed.body);
    expectPaging(listed.headers, 1, 1);
    expect(listed.body[0]).toMatchObject({
      status: 'active',
      place: [{ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicSiteRef', id: 'ST-100003' } }],
      productOrderItem: [{ productOrderId: orderId, productOrderItemId: 'item-1' }],
    });
    const got = await call('kylie', 'GET', `${INVENTORY_BASE.kylie}/product/${listed.body[0].id}`);
    expectSpecValid('kylie', API, 'retrieveProduct', 200, got.body);
    expect(got.body.productPrice).toContainEqual(
      expect.objectContaining({
        recurringChargePeriod: { amount: 1, units: 'months' },
        price: { dutyFreeAmount: { unit: 'GBP', value: expect.any(Number) } },
      }),
    );
    expect(got.body.statusChange).toEqual([expect.objectContaining({ status: 'active' })]);
    const page = await call('kylie', 'GET', `${INVENTORY_BASE.kylie}/product?limit=1`);
    expect(page.body).toHaveLength(1);
    expect(Number(page.headers.get('x-total-count'))).toBeGreaterThanOrEqual(1);
    expect(page.headers.get('x-result-count')).toBe('1');
  });
});
