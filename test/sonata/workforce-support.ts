// Helpers of the work order and appointment tests: a work order opened by a real order (or fault) in the
// embedded legacy BSS, and the Sonata bases of both releases.
import { expect } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { SDK_DIR, SPEC_ERRATA, type TestGateway } from '../support/test-gateway.js';
import { advanceOrder, graceOrder, kylieOrder, legacy, legacyOrderNo, ORDER_BASE } from './product-order-support.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });

/** A body against the official file of the release, with the project's errata (the work order list is an array). */
export function expectSpecValid(release: SonataRelease, api: string, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, api)?.operationById(operationId);
  expect(op, `${release} ${api} ${operationId} exists in the SDK`).toBeDefined();
  expect(op!.validateResponseBody(status, body)).toEqual([]);
}

/** A notification body against the release's notification file (`listenTo<Event>`). */
export function expectNotificationValid(release: SonataRelease, api: string, eventType: string, body: unknown): void {
  const op = specs.api(release, api)?.operationById(`listenTo${eventType[0]!.toUpperCase()}${eventType.slice(1)}`);
  expect(op, `${release} ${api} ${eventType} exists in the SDK`).toBeDefined();
  expect(op!.validateRequestBody(body)).toEqual([]);
}

export const WORK_ORDER_BASE = {
  grace: '/mefApi/sonata/workOrderManagement/v2',
  kylie: '/mefApi/sonata/workOrderManagement/v3',
} as const;
export const APPOINTMENT_BASE = {
  grace: '/mefApi/sonata/appointment/v2',
  kylie: '/mefApi/sonata/appointment/v3',
} as const;
export const CUSTOMER = { grace: 'C-100042', kylie: 'C-100077' } as const;
export const PARTNER_OF = { grace: 'acme', kylie: 'globex' } as const;

/**
 * Places an order through the gateway and moves it into provisioning in the BSS, which opens an installation work
 * order; returns the Sonata order id and the work order number (the Sonata work order id).
 */
export async function orderWithWorkOrder(
  gw: TestGateway,
  token: string,
  release: 'grace' | 'kylie',
  externalId: string,
): Promise<{ orderId: string; workOrderId: string }> {
  const body = release === 'grace' ? graceOrder({ externalId }) : kylieOrder({ externalId });
  const created = await gw.call('POST', `${ORDER_BASE[release]}/productOrder`, { token, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const orderNo = await legacyOrderNo(gw, CUSTOMER[release], externalId);
  await advanceOrder(gw, orderNo, 'PROV');
  const found = await legacy(gw, '/workorders/search', { CUST_NO: CUSTOMER[release], BEZUG_NR: orderNo });
  expect(found.RC, JSON.stringify(found)).toBe(0);
  expect(found.WORK_ORDERS).toHaveLength(1);
  return { orderId: created.body.id as string, workOrderId: found.WORK_ORDERS[0].WO_NO as string };
}

/** The next working day (Berlin) at least `days` ahead, as `YYYY-MM-DD`. */
export function workingDay(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
