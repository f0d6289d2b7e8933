import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHubService, HubValidationError, toEventSubscription, type HubRegistration } from '../../src/notify/hub-service.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import type { Store } from '../../src/state/store.js';
import { deleteRedisKeys, probeRedis, REDIS_URL, redisSuiteTitle, shippedCatalog } from './support.js';

const ORDER_EVENTS = shippedCatalog('grace').eventTypes('productOrderingManagement');
const ALLOWED = ['buyer.example.com', '*.partner.example.net', '127.0.0.1:8443', '[::1]:9000'];

function registration(over: Partial<HubRegistration> = {}): HubRegistration {
  return {
    partnerId: 'acme',
    apiName: 'productOrderingManagement',
    release: 'grace',
    callback: 'https://buyer.example.com/listenerEndpoint',
    allowedCallbackHosts: ALLOWED,
    knownEventTypes: ORDER_EVENTS,
    ...over,
  };
}

async function issueOf(p: Promise<unknown>): Promise<HubValidationError['issue']> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubValidationError);
  return (err as HubValidationError).issue;
}

const redisUp = await probeRedis();
const SUITE_PREFIX = `sgw:test:notify-hub:${randomUUID()}:`;

const backends: Array<{ name: string; run: boolean; make: () => Store }> = [
  { name: 'in-process store', run: true, make: () => createMemoryStore({ prefix: 'hub:' }) },
  {
    name: redisSuiteTitle('Redis store', redisUp),
    run: redisUp,
    make: () => createRedisStore({ url: REDIS_URL, prefix: `${SUITE_PREFIX}${randomUUID()}:` }),
  },
];

afterAll(async () => {
  if (redisUp) await deleteRedisKeys(SUITE_PREFIX);
});

for (const backend of backends) {
  describe.skipIf(!backend.run)(`hub service on the ${backend.name}`, () => {
    const stores: Store[] = [];
    const hubOn = () => {
      const store = backend.make();
      stores.push(store);
      let tick = Date.parse('2026-01-01T00:00:00.000Z');
      return createHubService({ store, now: () => new Date((tick += 1000)) });
    };
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    });

    it('registers, retrieves and removes a subscription of the partner', async () => {
      const hub = hubOn();
      const sub = await hub.register(registration({ query: 'eventType=productOrderStateChangeEvent' }));
      expect(sub).toMatchObject({
        partnerId: 'acme',
        apiName: 'productOrderingManagement',
        release: 'grace',
        callback: 'https://buyer.example.com/listenerEndpoint',
        query: 'eventType=productOrderStateChangeEvent',
        eventTypes: ['productOrderStateChangeEvent'],
        createdAt: '2026-01-01T00:00:01.000Z',
      });
      expect(toEventSubscription(sub)).toEqual({ id: sub.id, callback: sub.callback, query: sub.query });
      expect(await hub.get('acme', 'productOrderingManagement', sub.id)).toEqual(sub);
      expect(await hub.remove('acme', 'productOrderingManagement', sub.id)).toBe(true);
      expect(await hub.get('acme', 'productOrderingManagement', sub.id)).toBeNull();
      expect(await hub.remove('acme', 'productOrderingManagement', sub.id)).toBe(false);
      expect(await hub.subscribersFor('acme', 'productOrderingManagement', 'productOrderStateChangeEvent')).toEqual([]);
    });

    it('concurrent registrations never pass maxSubscriptions, and concurrent identical ones make one subscription', async () => {
      const hub = hubOn();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          hub.register(registration({ callback: `https://buyer.example.com/cb${i}`, maxSubscriptions: 3 })),
        ),
      );
      const kept = await hub.subscribersFor('acme', 'productOrderingManagement', 'productOrderStateChangeEvent');
      expect(kept.length).toBeLessThanOrEqual(3);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(kept.length);
      for (const r of results)
        if (r.status === 'rejected')
          expect((r.reason as HubValidationError).issue).toMatchObject({
            code: 'invalidValue',
            propertyPath: '/callback',
          });

      const same = await Promise.all(
        Array.from({ length: 5 }, () =>
          hub.register(registration({ apiName: 'quoteManagement', callback: 'https://buyer.example.com/same' })),
        ),
      );
      expect(new Set(same.map((s) => s.id)).size).toBe(1);
      expect(await hub.subscribersFor('acme', 'quoteManagement', 'anything')).toHaveLength(1);
    });

    it("another partner's subscription, or one made on another API, is not visible", async () => {
      const hub = hubOn();
      const sub = await hub.register(registration());
      expect(await hub.get('globex', 'productOrderingManagement', sub.id)).toBeNull();
      expect(await hub.get('acme', 'quoteManagement', sub.id)).toBeNull();
      expect(await hub.remove('globex', 'productOrderingManagement', sub.id)).toBe(false);
      expect(await hub.subscribersFor('globex', 'productOrderingManagement', 'productOrderStateChangeEvent')).toEqual([]);
      // the failed removal by another partner left it in place
      expect(await hub.get('acme', 'productOrderingManagement', sub.id)).toEqual(sub);
    });

    it('subscribersFor returns the subscriptions whose filter lets the event through, oldest first', async () => {
      const hub = hubOn();
      const all = await hub.register(registration());
      const empty = await hub.register(registration({ query: '' }));
      const orders = await hub.register(
        registration({ query: 'eventType = productOrderStateChangeEvent , productOrderItemStateChangeEvent' }),
      );
      const charges = await hub.register(registration({ query: 'eventType=chargeCreateEvent&eventType=chargeTimeoutEvent' }));
      expect(empty.eventTypes).toBeNull();
      expect(orders.eventTypes).toEqual(['productOrderStateChangeEvent', 'productOrderItemStateChangeEvent']);
      expect(charges.eventTypes).toEqual(['chargeCreateEvent', 'chargeTimeoutEvent']);

      const ids = async (eventType: string) => (await hub.subscribersFor('acme', 'productOrderingManagement', eventType)).map((s) => s.id);
      expect(await ids('productOrderItemStateChangeEvent')).toEqual([all.id, empty.id, orders.id]);
      expect(await ids('chargeTimeoutEvent')).toEqual([all.id, empty.id, charges.id]);
      expect(await ids('cancelProductOrderStateChangeEvent')).toEqual([all.id, empty.id]);
    });

    it('refuses callbacks outside the partner allow-list or that are not plain http(s) URLs', async () => {
      const hub = hubOn();
      const cases: Array<[unknown, HubValidationError['issue']['code']]> = [
        [undefined, 'missingProperty'],
        [42, 'invalidFormat'],
        ['buyer.example.com/cb', 'invalidFormat'],
        ['not a url', 'invalidFormat'],
        ['ftp://buyer.example.com/cb', 'invalidValue'],
        ['https://user:pw@buyer.example.com/cb', 'invalidValue'],
        ['https://buyer.example.com/cb#frag', 'invalidValue'],
        ['https://buyer.example.com/cb#', 'invalidValue'],
        ['https://evil.example.com/cb', 'invalidValue'],
        ['https://buyer.example.com.evil.net/cb', 'invalidValue'],
        ['https://partner.example.net/cb', 'invalidValue'], // the wildcard covers subdomains only
        ['https://notpartner.example.net/cb', 'invalidValue'],
        ['https://127.0.0.1/cb', 'invalidValue'], // listed with port 8443 only
        ['https://127.0.0.1:8444/cb', 'invalidValue'],
        ['http://169.254.169.254/latest/meta-data', 'invalidValue'],
        [`https://buyer.example.com/${'a'.repeat(2100)}`, 'invalidValue'],
      ];
      for (const [callback, code] of cases) {
        const issue = await issueOf(hub.register(registration({ callback })));
        expect(issue, String(callback)).toMatchObject({ code, propertyPath: '/callback' });
        expect(issue.reason.length).toBeLessThanOrEqual(255);
      }
      expect(await hub.subscribersFor('acme', 'productOrderingManagement', 'productOrderStateChangeEvent')).toEqual([]);
    });

    it('accepts callbacks on allowed hosts: exact, wildcard subdomains, with the listed port, case-insensitively', async () => {
      const hub = hubOn();
      for (const callback of [
        'https://buyer.example.com/cb',
        'https://BUYER.example.com:8443/cb?tenant=1',
        'https://a.partner.example.net/cb',
        'http://a.b.partner.example.net/',
        'https://127.0.0.1:8443/cb',
        'http://[::1]:9000/cb',
      ]) {
        await expect(hub.register(registration({ callback }))).resolves.toMatchObject({ callback });
      }
      // nothing is allowed for a partner without an allow-list
      expect(await issueOf(hub.register(registration({ allowedCallbackHosts: [] })))).toMatchObject({
        code: 'invalidValue',
        propertyPath: '/callback',
      });
    });

    it('refuses filters other than eventType and event types the release does not have', async () => {
      const hub = hubOn();
      const cases: Array<[unknown, HubValidationError['issue']['code'], RegExp]> = [
        [7, 'invalidFormat', /string/],
        ['eventType=quoteStateChangeEvent', 'invalidValue', /unknown event type "quoteStateChangeEvent"/],
        ['eventType=productOrderStateChangeEvent,bogus', 'invalidValue', /unknown event type "bogus"/],
        ['state=completed', 'invalidValue', /only filter on eventType/],
        ['productOrderStateChangeEvent', 'invalidValue', /only filter on eventType/],
        ['eventType=productOrderStateChangeEvent,', 'invalidValue', /empty event type/],
        // a Kylie name is unknown to a Grace subscriber
        ['eventType=productOrderItemExpectedCompletionDateSetEvent', 'invalidValue', /unknown event type/],
      ];
      for (const [query, code, reason] of cases) {
        const issue = await issueOf(hub.register(registration({ query })));
        expect(issue, String(query)).toMatchObject({ code, propertyPath: '/query' });
        expect(issue.reason).toMatch(reason);
        expect(issue.reason.length).toBeLessThanOrEqual(255);
      }
    });
  });
}
