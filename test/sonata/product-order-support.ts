// Helpers shared by the product order and inventory tests: spec checks, the legacy BSS's _sim controls, orders.
import { expect } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { SDK_DIR, type TestGateway } from '../support/test-gateway.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR });

export const ORDER_BASE = {
  grace: '/mefApi/sonata/productOrderingManagement/v10',
  kylie: '/mefApi/sonata/productOrderingManagement/v11',
} as const;
export const INVENTORY_BASE = {
  grace: '/mefApi/sonata/productInventory/v7',
  kylie: '/mefApi/sonata/productInventory/v8',
} as const;
export const LEGACY_KEY = 'demo-legacy-key-42';

/** Every Sonata body a test sees is checked against the official OpenAPI file of the partner's release. */
export function expectSpecValid(release: SonataRelease, api: string, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, api)?.operationById(operationId);
  expect(op, `${release} ${api} ${operationId} exists in the SDK`).toBeDefined();
  expect(op!.validateResponseBody(status, body)).toEqual([]);
}

/** The pagination headers every list answer carries. */
export function expectPaging(headers: Headers, total: number, count: number): void {
  expect(headers.get('x-total-count')).toBe(String(total));
  expect(headers.get('x-result-count')).toBe(String(count));
  expect(headers.get('x-pagination-throttled')).toBe('false');
}

/** Calls the legacy BSS directly (the provider's back office): `_sim` controls and inquiries. */
export async function legacy(gw: TestGateway, path: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${gw.gateway.legacyUrl}/bss/v2${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-BSS-Api-Key': LEGACY_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, any>;
}

/** Moves a legacy order along (`TO`: VALD, PROV, COMP, REJD, FAIL); expects RC 0. */
export async function advanceOrder(
  gw: TestGateway,
  orderNo: string,
  to: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const answer = await legacy(gw, `/_sim/orders/${orderNo}/advance`, { TO: to, ...extra });
  expect(answer.RC, JSON.stringify(answer)).toBe(0);
  return answer;
}

/** ISO date-time `days` calendar days from now (far enough for the BSS's lead times when >= 20). */
export function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

export const CONTACT = {
  role: 'productOrderContact',
  name: 'Anna Buyer',
  number: '+49 30 1234567',
  emailAddress: 'anna.buyer@example.com',
};

/** A Grace order of one Access E-Line at the NetCore FRA1 data centre (partner alias ACCESS_E_LINE). */
export function graceOrder(over: Record<string, unknown> = {}, item: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: 'ACME-PO-1',
    projectId: 'ACME-PRJ-7',
    relatedContactInformation: [CONTACT],
    productOrderItem: [
      {
        id: 'item-1',
        action: 'add',
        requestedCompletionDate: inDays(30),
        product: {
          productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100, classOfService: 'gold' },
          place: [{ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id: 'ST-100001' }],
        },
        requestedItemTerm: {
          name: '36 months',
          duration: { amount: 36, units: 'calendarMonths' },
          endOfTermAction: 'autoRenew',
        },
        ...item,
      },
    ],
    ...over,
  };
}

/** A Kylie order of one Access E-Line at the NetCore LON1 data centre (partner alias GLX-ELINE). */
export function kylieOrder(over: Record<string, unknown> = {}, item: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: 'GLX-PO-1',
    relatedContactInformation: [{ ...CONTACT, number: '+44 20 7946 0000' }],
    productOrderItem: [
      {
        id: 'item-1',
        action: 'add',
        requestedCompletionDate: inDays(30),
        product: {
          productConfiguration: { '@type': 'GLX-ELINE', bandwidthMbps: 1000 },
          place: [{ role: 'INSTALL_LOCATION', place: { '@type': 'GeographicSiteRef', id: 'ST-100003' } }],
        },
        requestedItemTerm: { name: '24 months', duration: { amount: 24, units: 'months' }, endOfTermAction: 'roll' },
        ...item,
      },
    ],
    ...over,
  };
}

/** The legacy order number behind a gateway order: the BSS search by the partner's externalId. */
export async function legacyOrderNo(gw: TestGateway, custNo: string, externalId: string): Promise<string> {
  const answer = await legacy(gw, `/orders?CUST_NO=${custNo}&CUST_ORDER_REF=${encodeURIComponent(externalId)}`);
  expect(answer.RC).toBe(0);
  expect(answer.ORDERS.length).toBe(1);
  return answer.ORDERS[0].ORDER_NO as string;
}
