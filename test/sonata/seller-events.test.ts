/**
 * Notifications a partner subscribes to by name and must receive: `troubleTicketResolvedEvent` when the fault desk
 * resolves a ticket (every release), and the expected-completion-date event when an order item's
 * expectedCompletionDate is set or changed after the order was answered (Grace `productOrderItemExpectedCompletionDateSet`,
 * Kylie `productOrderItemExpectedCompletionDateSetEvent`). Each subscription asks for that one event only; every
 * notification is checked against the listener operation of the release's official notification API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { findListenerOperation } from '../../src/conformance/spec-guard.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { graceOrder, inDays, kylieOrder, LEGACY_KEY, legacyOrderNo, ORDER_BASE } from './product-order-support.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });

let gw: TestGateway;
let listener: TestListener;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  for (const p of ['acme', 'globex', 'initech'] as const) tokens[p] = await gw.token(p);
  listener = await startListener();
});
afterAll(async () => {
  await gw?.close();
  await listener?.close();
});

/** The calls under `prefix` the listener has received, once there are `n` of them (event-driven, bounded). */
async function callsUnder(prefix: string, n: number): Promise<ReceivedCall[]> {
  for (let total = Math.max(listener.calls.length, 1); ; total++) {
    const mine = listener.calls.filter((c) => c.url.startsWith(prefix));
    if (mine.length >= n) return mine;
    await listener.waitForCalls(total, 10_000);
  }
}

function expectListenerValid(
  release: SonataRelease,
  api: { notificationApi: string; notificationVersion: string },
  eventType: string,
  call: ReceivedCall,
): void {
  const op = findListenerOperation(specs, release, api, eventType);
  expect(op, `${release} ${api.notificationApi}/${api.notificationVersion} listener/${eventType}`).toBeDefined();
  expect(op!.validateRequestBody(call.body)).toEqual([]);
}

const TICKET_FLOWS = [
  {
    release: 'grace' as const,
    partner: 'acme',
    cust: 'C-100042',
    base: '/mefApi/sonata/troubleTicket/v4',
    notif: { notificationApi: 'troubleTicketNotification', notificationVersion: 'v4' },
    ticket: {
      ticketType: 'maintenance',
      observedImpact: 'down',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
    },
    phone: '+49 30 1234567',
  },
  {
    release: 'kylie' as const,
    partner: 'globex',
    cust: 'C-100077',
    base: '/mefApi/sonata/troubleTicket/v5',
    notif: { notificationApi: 'troubleTicketNotification', notificationVersion: 'v5' },
    ticket: {
      ticketType: 'maintenance',
      observedImpact: 'down',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000011', role: 'affectedProduct' }],
    },
    phone: '+44 20 7946 0000',
  },
  {
    release: 'billie' as const,
    partner: 'initech',
    cust: 'C-100099',
    base: '/mefApi/sonata/troubleTicket/v1',
    notif: { notificationApi: 'troubleTicket', notificationVersion: 'v1' },
    ticket: {
      ticketType: 'down',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000021', role: 'affectedProduct' }],
    },
    phone: '+1 512 555 0142',
  },
];

describe('troubleTicketResolvedEvent', () => {
  it.each(TICKET_FLOWS)('$release: the fault desk resolves the ticket -> the subscriber gets troubleTicketResolvedEvent', async (flow) => {
    const token = tokens[flow.partner]!;
    const prefix = `/resolved-${flow.release}`;
    const hub = await gw.call('POST', `${flow.base}/hub`, {
      token,
      body: { callback: `${listener.origin}${prefix}`, query: 'eventType=troubleTicketResolvedEvent' },
    });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    const externalId = `${flow.partner.toUpperCase()}-RSLV-1`;
    const created = await gw.call('POST', `${flow.base}/troubleTicket`, {
      token,
      body: {
        externalId,
        description: 'E-Line down since 10:00',
        priority: 'high',
        severity: 'significant',
        ...flow.ticket,
        relatedContactInformation: [{ role: 'reporterContact', name: 'Eva Example', number: flow.phone, emailAddress: 'eva@example.com' }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const headers = { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' };
    const search = await fetch(`${gw.gateway.legacyUrl}/bss/v2/faults/search`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ CUST_NO: flow.cust, CUST_TT_REF: externalId }),
    });
    const ttNo = ((await search.json()) as { FAULTS: Array<{ TT_NO: string }> }).FAULTS[0]!.TT_NO;
    for (const to of ['WIP', 'RSLVD']) {
      const advanced = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/faults/${ttNo}/advance`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ TO: to, REASON: 'line card replaced' }),
      });
      expect(((await advanced.json()) as { RC: number }).RC).toBe(0);
    }

    const [call] = await callsUnder(prefix, 1);
    expect(call!.url.split('?')[0]).toBe(
      `${prefix}/mefApi/sonata/${flow.notif.notificationApi}/${flow.notif.notificationVersion}/listener/troubleTicketResolvedEvent`,
    );
    expect(call!.body).toMatchObject({
      eventType: 'troubleTicketResolvedEvent',
      event: { id: created.body.id, href: `${flow.base}/troubleTicket/${created.body.id}` },
    });
    expectListenerValid(flow.release, flow.notif, 'troubleTicketResolvedEvent', call!);
    // the partner follows the event to the resolved ticket
    const got = await gw.call('GET', `${flow.base}/troubleTicket/${created.body.id}`, { token });
    expect(got.body.status).toBe('resolved');
    // only the subscribed event: the status changes went to nobody here
    expect(listener.calls.filter((c) => c.url.startsWith(prefix))).toHaveLength(1);
  });
});

const ORDER_FLOWS = [
  {
    release: 'grace' as const,
    partner: 'acme',
    cust: 'C-100042',
    eventType: 'productOrderItemExpectedCompletionDateSet',
    notifVersion: 'v10',
    order: graceOrder,
  },
  {
    release: 'kylie' as const,
    partner: 'globex',
    cust: 'C-100077',
    eventType: 'productOrderItemExpectedCompletionDateSetEvent',
    notifVersion: 'v11',
    order: kylieOrder,
  },
];

describe('expected completion date set or changed', () => {
  it.each(ORDER_FLOWS)('$release: a reschedule moves the item expectedCompletionDate -> $eventType naming the item', async (flow) => {
    const token = tokens[flow.partner]!;
    const base = ORDER_BASE[flow.release];
    const prefix = `/ecd-${flow.release}`;
    const hub = await gw.call('POST', `${base}/hub`, {
      token,
      body: { callback: `${listener.origin}${prefix}`, query: `eventType=${flow.eventType}` },
    });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    const externalId = `${flow.partner.toUpperCase()}-ECD-1`;
    const created = await gw.call('POST', `${base}/productOrder`, { token, body: flow.order({ externalId }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await legacyOrderNo(gw, flow.cust, externalId);
    const before = created.body.productOrderItem[0].expectedCompletionDate as string;

    const when = new Date(Date.parse(inDays(55)));
    when.setUTCHours(10, 0, 0, 0);
    const modify = await gw.call('POST', `${base}/modifyProductOrderItemRequestedDeliveryDate`, {
      token,
      body: {
        productOrderItem: { productOrderId: created.body.id, productOrderItemId: 'item-1' },
        requestedCompletionDate: when.toISOString(),
      },
    });
    expect(modify.status, JSON.stringify(modify.body)).toBe(201);

    const [call] = await callsUnder(prefix, 1);
    expect(call!.url.split('?')[0]).toBe(
      `${prefix}/mefApi/sonata/productOrderingNotification/${flow.notifVersion}/listener/${flow.eventType}`,
    );
    expect(call!.body).toMatchObject({
      eventType: flow.eventType,
      event: { id: created.body.id, orderItemId: 'item-1', href: `${base}/productOrder/${created.body.id}` },
    });
    expectListenerValid(
      flow.release,
      { notificationApi: 'productOrderingNotification', notificationVersion: flow.notifVersion },
      flow.eventType,
      call!,
    );
    // following the event, the partner sees the new date
    const got = await gw.call('GET', `${base}/productOrder/${created.body.id}`, { token });
    expect(got.body.productOrderItem[0].expectedCompletionDate).not.toBe(before);
    expect(got.body.productOrderItem[0].expectedCompletionDate).toBe(got.body.productOrderItem[0].requestedCompletionDate);
  });
});

describe('Billie: the order-level expected completion date has its own event', () => {
  it('a reschedule -> productOrderItemExpectedCompletionDateSet and productOrderExpectedCompletionDateSet, each once', async () => {
    const token = tokens.initech!;
    const base = '/mefApi/sonata/productOrderingManagement/v7';
    const prefix = '/ecd-billie';
    const hub = await gw.call('POST', `${base}/hub`, {
      token,
      body: {
        callback: `${listener.origin}${prefix}`,
        query: 'eventType=productOrderExpectedCompletionDateSet,productOrderItemExpectedCompletionDateSet',
      },
    });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    const created = await gw.call('POST', `${base}/productOrder`, {
      token,
      body: {
        externalId: 'INITECH-ECD-1',
        requestedCompletionDate: inDays(60),
        relatedContactInformation: [
          {
            role: 'productOrderContact',
            name: 'Peter Gibbons',
            number: '+31 20 555 0401',
            emailAddress: 'peter.gibbons@initech.example',
          },
        ],
        productOrderItem: [
          {
            id: 'item-1',
            action: 'add',
            product: {
              productConfiguration: {
                '@type': 'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all',
                bandwidthMbps: 10,
              },
              place: [{ '@type': 'GeographicSiteRef', role: 'INSTALL_LOCATION', id: 'ST-100031' }],
            },
            requestedItemTerm: { duration: { amount: 24, units: 'calendarMonths' } },
            billingAccount: { id: 'BA-9900005' },
          },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await legacyOrderNo(gw, 'C-100099', 'INITECH-ECD-1');
    const when = new Date(Date.parse(inDays(80)));
    when.setUTCHours(10, 0, 0, 0);
    const modify = await gw.call('POST', `${base}/modifyProductOrderItemCompletionDate`, {
      token,
      body: {
        orderVersion: created.body.orderVersion,
        productOrderItem: { productOrderId: created.body.id, productOrderItemId: 'item-1' },
        requestedCompletionDate: when.toISOString(),
      },
    });
    expect(modify.status, JSON.stringify(modify.body)).toBe(201);

    const calls = await callsUnder(prefix, 2);
    const notif = { notificationApi: 'productOrderNotification', notificationVersion: 'v7' };
    expect(calls).toHaveLength(2);
    const byType = new Map(calls.map((c) => [(c.body as { eventType: string }).eventType, c]));
    expect([...byType.keys()].sort()).toEqual(['productOrderExpectedCompletionDateSet', 'productOrderItemExpectedCompletionDateSet']);
    expect(byType.get('productOrderItemExpectedCompletionDateSet')!.body).toMatchObject({
      event: { id: created.body.id, orderItemId: 'item-1' },
    });
    expect(byType.get('productOrderExpectedCompletionDateSet')!.body).toMatchObject({
      event: { id: created.body.id, href: `${base}/productOrder/${created.body.id}` },
    });
    for (const [type, c] of byType) expectListenerValid('billie', notif, type, c);
    const got = await gw.call('GET', `${base}/productOrder/${created.body.id}`, { token });
    expect(got.body.expectedCompletionDate).toBe(got.body.productOrderItem[0].expectedCompletionDate);
  });
});
