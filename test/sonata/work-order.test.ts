import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayWithTokens } from '../support/seller-tests.js';
import type { TestGateway } from '../support/test-gateway.js';
import { expectPaging, legacy } from './product-order-support.js';
import { CUSTOMER, expectSpecValid, orderWithWorkOrder, WORK_ORDER_BASE } from './workforce-support.js';

/**
 * Work orders (Grace v2 acme-telecom, Kylie v3 globex-networks): the legacy BSS's field service opens one when an
 * order goes into provisioning (installation) and when a fault is opened (repair); partners list and retrieve
 * theirs, with the spec's filters and paging, and never see another partner's. Every body is checked against the
 * official spec.
 */
const API = 'workOrderManagement';
let gw: TestGateway;
let acme: string;
let globex: string;

beforeAll(async () => {
  ({ gw, acme, globex } = await startGatewayWithTokens());
}, 120_000);
afterAll(async () => {
  await gw?.close();
});

describe('Grace (acme-telecom): workOrderManagement v2', () => {
  let orderId: string;
  let workOrderId: string;

  it('an order in provisioning opens an installation work order the partner retrieves, naming its order', async () => {
    ({ orderId, workOrderId } = await orderWithWorkOrder(gw, acme, 'grace', 'ACME-WO-1'));
    const res = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder/${workOrderId}`, { token: acme });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectSpecValid('grace', API, 'retrieveWorkOrder', 200, res.body);
    expect(res.body).toMatchObject({
      id: workOrderId,
      href: `${WORK_ORDER_BASE.grace}/workorder/${workOrderId}`,
      state: 'open',
      appointmentRequired: true,
      duration: { timeDurationValue: 240, timeDurationUnits: 'MIN' },
      place: [{ '@type': 'GeographicSiteRef', id: 'ST-100001', role: 'workPlace' }],
      relatedContactInformation: [{ role: 'fieldServiceContact', name: 'NetCore Field Service Dispatch' }],
    });
    expect(res.body.relatedEntity).toContainEqual({
      '@referredType': 'ProductOrder',
      id: orderId,
      role: 'productOrder',
    });
    expect(res.body.task.length).toBeGreaterThan(0);
    expect(res.body.plannedExecutionDate).toBeUndefined();
  });

  it('a fault opens a repair work order on the affected product', async () => {
    const ticket = await gw.call('POST', '/mefApi/sonata/troubleTicket/v4/troubleTicket', {
      token: acme,
      body: {
        description: 'E-Line down',
        ticketType: 'maintenance',
        priority: 'high',
        severity: 'significant',
        observedImpact: 'down',
        relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
        relatedContactInformation: [
          { role: 'reporterContact', name: 'Eva Example', number: '+49 30 1234567', emailAddress: 'eva@acme.example' },
        ],
      },
    });
    expect(ticket.status).toBe(201);
    const res = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder?relatedEntityId=AS-5000001`, { token: acme });
    expect(res.status).toBe(200);
    expectSpecValid('grace', API, 'listWorkOrder', 200, res.body);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
      state: 'open',
    });
    const full = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder/${res.body[0].id}`, { token: acme });
    expect(full.body.duration).toEqual({ timeDurationValue: 120, timeDurationUnits: 'MIN' });
  });

  it('lists with filters (state, related entity, appointmentRequired, site) and paging', async () => {
    const all = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder`, { token: acme });
    expect(all.status).toBe(200);
    expectSpecValid('grace', API, 'listWorkOrder', 200, all.body);
    expectPaging(all.headers, 2, 2);
    const byOrder = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder?relatedEntityId=${orderId}&relatedEntityType=ProductOrder`, {
      token: acme,
    });
    expect(byOrder.body.map((w: { id: string }) => w.id)).toEqual([workOrderId]);
    expectPaging(byOrder.headers, 1, 1);
    const open = await gw.call(
      'GET',
      `${WORK_ORDER_BASE.grace}/workorder?state=open&appointmentRequired=true&geographicalSiteId=ST-100001`,
      { token: acme },
    );
    expect(open.body.map((w: { id: string }) => w.id)).toEqual([workOrderId]);
    const planned = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder?state=planned`, { token: acme });
    expect(planned.body).toEqual([]);
    expectPaging(planned.headers, 0, 0);
    const page = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder?limit=1&offset=1`, { token: acme });
    expect(page.body).toHaveLength(1);
    expectPaging(page.headers, 2, 1);
  });

  it('refuses unknown filters and values outside the spec with 400 invalidQuery', async () => {
    for (const q of ['colour=red', 'state=done', 'appointmentRequired=yes']) {
      const res = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder?${q}`, { token: acme });
      expect(res.status, q).toBe(400);
      expect(res.body.code).toBe('invalidQuery');
      expectSpecValid('grace', API, 'listWorkOrder', 400, res.body);
    }
  });

  it("another partner's work order is not found, and not listed", async () => {
    const foreign = await gw.call('GET', `${WORK_ORDER_BASE.kylie}/workorder/${workOrderId}`, { token: globex });
    expect(foreign.status).toBe(404);
    expectSpecValid('kylie', API, 'retrieveWorkOrder', 404, foreign.body);
    const list = await gw.call('GET', `${WORK_ORDER_BASE.kylie}/workorder?relatedEntityId=${orderId}`, {
      token: globex,
    });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    const unknown = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder/AA-2026-999999`, { token: acme });
    expect(unknown.status).toBe(404);
    // the BSS holds it for ACME's customer number only
    expect((await legacy(gw, `/workorders/${workOrderId}?CUST_NO=${CUSTOMER.kylie}`)).RC).toBe(4);
  });
});

describe('Kylie (globex-networks): workOrderManagement v3', () => {
  it('an order in provisioning opens a work order; its place is a RelatedPlaceRefOrQuery', async () => {
    const { orderId, workOrderId } = await orderWithWorkOrder(gw, globex, 'kylie', 'GLX-WO-1');
    const res = await gw.call('GET', `${WORK_ORDER_BASE.kylie}/workorder/${workOrderId}`, { token: globex });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectSpecValid('kylie', API, 'retrieveWorkOrder', 200, res.body);
    expect(res.body).toMatchObject({
      id: workOrderId,
      state: 'open',
      place: [{ role: 'workPlace', place: { '@type': 'GeographicSiteRef', id: 'ST-100003' } }],
    });
    expect(res.body.relatedEntity).toContainEqual({
      '@referredType': 'ProductOrder',
      id: orderId,
      role: 'productOrder',
    });
    const list = await gw.call('GET', `${WORK_ORDER_BASE.kylie}/workorder?relatedEntityId=${orderId}`, {
      token: globex,
    });
    expect(list.status).toBe(200);
    expectSpecValid('kylie', API, 'listWorkOrder', 200, list.body);
    expect(list.body.map((w: { id: string }) => w.id)).toEqual([workOrderId]);
    const foreign = await gw.call('GET', `${WORK_ORDER_BASE.grace}/workorder/${workOrderId}`, { token: acme });
    expect(foreign.status).toBe(404);
  });
});
