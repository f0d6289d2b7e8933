import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { createSpecGuard } from '../../src/conformance/spec-guard.js';
import { createDeliveryQueue, type DeliveryQueue } from '../../src/notify/delivery-queue.js';
import { createHubService, type HubService } from '../../src/notify/hub-service.js';
import type { NotificationCatalog } from '../../src/registry/notification-catalog.js';
import { createNotifier, type Notifier } from '../../src/notify/notifier.js';
import type { SonataEvent } from '../../src/notify/render-notification.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import type { Store } from '../../src/state/store.js';
import {
  createCapturingLogger,
  RELEASES,
  SDK_DIR,
  shippedCatalog,
  startListener,
  type LogLine,
  type ReceivedCall,
  type TestListener,
} from './support.js';

const spec = createSpecCatalog({ sdkDir: SDK_DIR });
const catalogs = new Map<string, NotificationCatalog>(RELEASES.map((r) => [r, shippedCatalog(r)]));
// Haley speaks Grace's notifications
catalogs.set('haley', catalogs.get('grace')!);
const ORDERS = 'productOrderingManagement';

const PARTIES: Record<string, { buyerId?: string; sellerId?: string }> = {
  acme: { buyerId: 'ACME-B', sellerId: 'US' },
};

function event(over: Partial<SonataEvent> = {}): SonataEvent {
  return {
    eventType: 'productOrderStateChangeEvent',
    apiName: ORDERS,
    resourceId: 'PO-9',
    resourcePath: '/productOrder/PO-9',
    state: 'inProgress',
    partnerId: 'acme',
    occurredAt: '2026-03-02T08:00:00.000Z',
    ...over,
  };
}

function validBody(release: 'billie' | 'grace' | 'kylie', notificationApi: string, call: ReceivedCall): boolean {
  const eventType = call.url.split('?')[0]!.split('/listener/')[1]!;
  return spec.api(release, notificationApi)?.operation('POST', `/listener/${eventType}`)?.validateRequestBody(call.body).length === 0;
}

describe('notifier', () => {
  let listener: TestListener;
  let store: Store;
  let hub: HubService;
  let queue: DeliveryQueue;
  let notifier: Notifier;
  let lines: LogLine[];

  const subscribe = (partnerId: string, release: string, query?: string, apiName = ORDERS) =>
    hub.register({
      partnerId,
      apiName,
      release,
      callback: `${listener.origin}/${partnerId}/${release}`,
      ...(query !== undefined && { query }),
      allowedCallbackHosts: [`127.0.0.1:${listener.port}`],
      knownEventTypes: catalogs.get(release)?.eventTypes(apiName) ?? [],
    });
  const byPath = (calls: ReceivedCall[]) => calls.map((c) => c.url).sort();

  beforeEach(async () => {
    listener = await startListener();
    store = createMemoryStore();
    hub = createHubService({ store });
    const logger = createCapturingLogger();
    lines = logger.lines;
    queue = createDeliveryQueue({ prefix: 'test', logger, retry: { baseDelayMs: 20 } });
    queue.start();
    notifier = createNotifier({ hub, queue, catalogs: () => catalogs, party: (id) => PARTIES[id], logger });
  });
  afterEach(async () => {
    await queue.close();
    await store.close();
    await listener.close();
  });

  it("delivers to each of the partner's subscribers in its own release's shape, honouring filters", async () => {
    await subscribe('acme', 'grace');
    await subscribe('acme', 'kylie', 'eventType=productOrderItemExpectedCompletionDateSetEvent');
    await subscribe('acme', 'billie', 'eventType=productOrderStateChangeEvent');
    await subscribe('globex', 'grace');

    expect(await notifier.publish(event({ eventType: 'productOrderItemExpectedCompletionDateSet', itemId: '3' }))).toBe(2);
    await queue.idle!();
    expect(byPath(listener.calls)).toEqual([
      '/acme/grace/mefApi/sonata/productOrderingNotification/v10/listener/productOrderItemExpectedCompletionDateSet',
      '/acme/kylie/mefApi/sonata/productOrderingNotification/v11/listener/productOrderItemExpectedCompletionDateSetEvent?buyerId=ACME-B&sellerId=US',
    ]);
    const grace = listener.calls.find((c) => c.url.startsWith('/acme/grace'))!;
    const kylie = listener.calls.find((c) => c.url.startsWith('/acme/kylie'))!;
    expect(validBody('grace', 'productOrderingNotification', grace)).toBe(true);
    expect(validBody('kylie', 'productOrderingNotification', kylie)).toBe(true);
    expect(grace.body).toMatchObject({
      eventType: 'productOrderItemExpectedCompletionDateSet',
      event: { id: 'PO-9', orderItemId: '3', buyerId: 'ACME-B', sellerId: 'US' },
    });
    expect(kylie.body).toMatchObject({
      eventType: 'productOrderItemExpectedCompletionDateSetEvent',
      event: { id: 'PO-9', orderItemId: '3' },
    });
    // one event, one id, whatever the release
    expect((grace.body as { eventId: string }).eventId).toBe((kylie.body as { eventId: string }).eventId);

    expect(await notifier.publish(event())).toBe(2);
    await listener.waitForCalls(4);
    await queue.idle!();
    expect(byPath(listener.calls.slice(2))).toEqual([
      '/acme/billie/mefApi/sonata/productOrderNotification/v7/listener/productOrderStateChangeEvent',
      '/acme/grace/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent',
    ]);
    const billie = listener.calls.find((c) => c.url.startsWith('/acme/billie'))!;
    expect(validBody('billie', 'productOrderNotification', billie)).toBe(true);
    expect(listener.calls.some((c) => c.url.startsWith('/globex'))).toBe(false);
  });

  it('skips subscribers whose release lacks the event or cannot render it, and still serves the others', async () => {
    await subscribe('acme', 'grace', undefined, 'productOfferingQualification');
    await subscribe('acme', 'kylie', undefined, 'productOfferingQualification');
    // Kylie has no poqCreateEvent
    expect(
      await notifier.publish(
        event({
          eventType: 'poqCreateEvent',
          apiName: 'productOfferingQualification',
          resourcePath: '/productOfferingQualification/Q1',
        }),
      ),
    ).toBe(1);
    await queue.idle!();
    expect(byPath(listener.calls)).toEqual([
      '/acme/grace/mefApi/sonata/productOfferingQualificationNotification/v7/listener/poqCreateEvent',
    ]);

    // Kylie needs the new state, which this event lacks: Grace (a reference event) is still served
    const { state: _none, ...stateless } = event({
      apiName: 'productOfferingQualification',
      eventType: 'poqStateChangeEvent',
      resourcePath: '/productOfferingQualification/Q1',
    });
    expect(await notifier.publish(stateless)).toBe(1);
    await listener.waitForCalls(2);
    await queue.idle!();
    expect(listener.calls[1]?.url).toBe(
      '/acme/grace/mefApi/sonata/productOfferingQualificationNotification/v7/listener/poqStateChangeEvent',
    );
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['cannot render the event for a subscriber; skipped']);
  });

  it('serves release aliases through the catalogue they map to, and skips releases without a catalogue', async () => {
    await subscribe('acme', 'haley');
    await hub.register({
      partnerId: 'acme',
      apiName: ORDERS,
      release: 'irene',
      callback: `${listener.origin}/acme/irene`,
      allowedCallbackHosts: [`127.0.0.1:${listener.port}`],
      knownEventTypes: [],
    });
    expect(await notifier.publish(event())).toBe(1);
    await queue.idle!();
    expect(byPath(listener.calls)).toEqual([
      '/acme/haley/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent',
    ]);
    expect(lines.some((l) => l.level === 'error' && l.meta.release === 'irene')).toBe(true);
  });

  it('a publish retried with the same eventId while deliveries are pending is not delivered twice', async () => {
    await queue.close();
    queue = createDeliveryQueue({ prefix: 'test', logger: createCapturingLogger(), retry: { baseDelayMs: 20 } });
    notifier = createNotifier({
      hub,
      queue,
      catalogs: () => catalogs,
      party: (id) => PARTIES[id],
      logger: createCapturingLogger(),
    });
    await subscribe('acme', 'grace');
    await subscribe('acme', 'kylie');
    const e = event({ eventId: 'evt-fixed' });
    expect(await notifier.publish(e)).toBe(2);
    expect(await notifier.publish(e)).toBe(2);
    queue.start();
    await listener.waitForCalls(2);
    await queue.idle!();
    expect(listener.calls).toHaveLength(2);
    expect(listener.calls.map((c) => (c.body as { eventId: string }).eventId)).toEqual(['evt-fixed', 'evt-fixed']);
  });

  it("checks what it sends against the release's notification file: a violation is logged and counted, and still delivered", async () => {
    const guard = createSpecGuard({ catalog: spec, mode: 'enforce' });
    const counted: string[] = [];
    // a Kylie catalogue that names the state field wrongly, as a mistaken notifications.yaml would
    const kylie = catalogs.get('kylie')!;
    const orders = kylie.apis.get(ORDERS)!;
    const wrongEvents = new Map([...orders.events].map(([k, d]) => [k, d.stateField ? { ...d, stateField: 'orderState' } : d]));
    const broken: NotificationCatalog = {
      ...kylie,
      apis: new Map([...kylie.apis, [ORDERS, { ...orders, events: wrongEvents }]]),
      findEvent: (api, type) =>
        api === ORDERS ? [...wrongEvents.values()].find((d) => d.internalType === type) : kylie.findEvent(api, type),
    };
    const logs = createCapturingLogger();
    notifier = createNotifier({
      hub,
      queue,
      catalogs: () =>
        new Map([
          ['grace', catalogs.get('grace')!],
          ['kylie', broken],
        ]),
      party: (id) => PARTIES[id],
      logger: logs,
      check: (release, api, eventType, url, body) => guard.checkNotification(release as 'grace' | 'kylie', api, eventType, url, body),
      onViolation: (release, eventType) => counted.push(`${release} ${eventType}`),
    });
    await subscribe('acme', 'grace');
    await subscribe('acme', 'kylie');
    expect(await notifier.publish(event())).toBe(2);
    await listener.waitForCalls(2);
    await queue.idle!();
    // the Grace rendering is right, the broken Kylie one is caught, naming the missing field
    expect(counted).toEqual(['kylie productOrderStateChangeEvent']);
    const logged = logs.lines.filter((l) => l.message === 'notification violates the Sonata specification');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0]!.meta.problems)).toContain('/event/state');
    // never lost: the Kylie subscriber got the (faulty) notification too
    expect(byPath(listener.calls)).toEqual([
      '/acme/grace/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent',
      '/acme/kylie/mefApi/sonata/productOrderingNotification/v11/listener/productOrderStateChangeEvent?buyerId=ACME-B&sellerId=US',
    ]);
  });

  it('publishes nothing for an event no release knows, or a partner without subscribers', async () => {
    await subscribe('acme', 'grace');
    expect(await notifier.publish(event({ eventType: 'productOrderExploded' }))).toBe(0);
    expect(lines.some((l) => l.level === 'warn' && l.message.startsWith('no release knows this event'))).toBe(true);
    expect(await notifier.publish(event({ partnerId: 'globex' }))).toBe(0);
    await queue.idle!();
    expect(listener.calls).toHaveLength(0);
  });
});
