/**
 * The deadline sweep (a charge unanswered by its responseDueDate times out): the due time lives in the store, so a
 * sweeper built after a restart finds it, and with two gateway instances on one Redis exactly one of them acts on
 * it (one legacy call, one set of notifications). The clock is injected: no waiting.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, readEnvFile } from '../../src/config/load-config.js';
import type { LegacyClient } from '../../src/legacy/legacy-client.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { RegistryHolder } from '../../src/registry/registry-holder.js';
import type { Registry } from '../../src/registry/registry.js';
import { createResourceDoc } from '../../src/sonata/resources/apply-update.js';
import { createDeadlineSweeper } from '../../src/sonata/resources/deadline-sweeper.js';
import type { SonataEvent } from '../../src/sonata/resources/resource-events.js';
import { createResourceRepository } from '../../src/sonata/resources/resource-repository.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import type { Store } from '../../src/state/store.js';
import { createCapturingLogger, deleteRedisKeys, probeRedis, REDIS_URL, redisSuiteTitle } from '../notify/support.js';
import { REPO_ROOT } from '../support/test-gateway.js';

const DUE = '2026-03-05T16:00:00.000Z';
let registry: Registry;

beforeAll(() => {
  const config = loadConfig({ rootDir: REPO_ROOT, env: 'test', processEnv: {} });
  const engine = createMappingEngine({ deadlineMs: config.mapping.deadlineMs, maxDepth: config.mapping.maxDepth });
  registry = loadRegistry({
    partnersDir: config.paths.partners,
    mappingsDir: config.paths.mappings,
    engine,
    secrets: readEnvFile(join(REPO_ROOT, 'config', 'test.env')),
  });
}, 60_000);

/** One gateway instance's sweeper over `store`, with a legacy BSS and a notifier that record what they get. */
function instance(store: Store, legacyCalls: unknown[], published: SonataEvent[]) {
  const legacy = {
    call: async (op: { path: string }, o: { pathParams?: Record<string, string>; body?: unknown }) => {
      legacyCalls.push({ path: op.path, params: o.pathParams, body: o.body });
      await new Promise((resolve) => setImmediate(resolve)); // the other instance runs meanwhile
      return { RC: 0 };
    },
  } as unknown as LegacyClient;
  const holder = { current: () => registry } as unknown as RegistryHolder;
  const resources = createResourceRepository(store);
  const sweeper = createDeadlineSweeper({
    registry: holder,
    store,
    resources,
    legacy,
    logger: createCapturingLogger(),
    now: () => new Date(DUE),
    events: { publish: async (e) => published.push(e) },
  });
  return { sweeper, resources };
}

async function storeCharge(store: Store, id: string): Promise<void> {
  const def = registry.resources.get('charge')!;
  const doc = createResourceDoc(
    {
      legacyRef: `CH-${id}`,
      responseDueDate: DUE,
      parent: { resource: 'productOrder', id: 'order-1', legacyRef: 'ORD-2026-000007', itemId: 'item-1' },
      items: [{ id: '1', state: 'awaitingResponse', blocking: true }],
    },
    {
      id,
      partnerId: 'acme-telecom',
      resource: 'charge',
      now: '2026-03-02T09:00:00.000Z',
      initialState: 'awaitingResponse',
    },
  );
  await createResourceRepository(store).insert(def, doc);
}

describe('deadline sweep, in process', () => {
  it('nothing before the due time; after it, a sweeper built later (a restart) times the charge out and tells the BSS', async () => {
    const store = createMemoryStore();
    await storeCharge(store, 'ch-1');
    const calls: unknown[] = [];
    const published: SonataEvent[] = [];
    expect(await instance(store, calls, published).sweeper.sweepOnce(new Date(Date.parse(DUE) - 1))).toBe(0);
    expect(calls).toEqual([]);

    const restarted = instance(store, calls, published);
    expect(await restarted.sweeper.sweepOnce(new Date(Date.parse(DUE) + 1))).toBe(1);
    const doc = await restarted.resources.get(registry.resources.get('charge')!, 'acme-telecom', 'ch-1');
    expect(doc).toMatchObject({
      state: 'timeout',
      items: [{ id: '1', state: 'declinedByBuyer', acceptance: 'rejected' }],
    });
    expect(calls).toEqual([
      {
        path: '/bss/v2/orders/{parentLegacyRef}/charges/{legacyRef}',
        params: { legacyRef: 'CH-ch-1', parentLegacyRef: 'ORD-2026-000007' },
        body: { CUST_NO: 'C-100042', DECISION: 'DECL' },
      },
    ]);
    expect(published.map((e) => e.eventType)).toEqual(['chargeStateChangeEvent', 'chargeTimeoutEvent']);
    expect(published[0]).toMatchObject({
      resourceId: 'ch-1',
      resourcePath: '/charge/ch-1',
      partnerId: 'acme-telecom',
      state: 'timeout',
    });
    // handled: the due entry is gone
    expect(await restarted.sweeper.sweepOnce(new Date(Date.parse(DUE) + 60_000))).toBe(0);
    expect(calls).toHaveLength(1);
  });
});

const redisUp = await probeRedis();
describe.skipIf(!redisUp)(redisSuiteTitle('deadline sweep, two instances on Redis', redisUp), () => {
  const prefix = `sgw:test:deadline:${randomUUID().slice(0, 8)}:`;
  const stores: Store[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await deleteRedisKeys(prefix);
  });

  it('both sweep at once: exactly one tells the BSS and notifies, for every due charge', async () => {
    const a = createRedisStore({ url: REDIS_URL, prefix });
    const b = createRedisStore({ url: REDIS_URL, prefix });
    stores.push(a, b);
    const ids = ['ch-a', 'ch-b', 'ch-c'];
    for (const id of ids) await storeCharge(a, id);
    const calls: unknown[] = [];
    const published: SonataEvent[] = [];
    const after = new Date(Date.parse(DUE) + 1);
    const [na, nb] = await Promise.all([
      instance(a, calls, published).sweeper.sweepOnce(after),
      instance(b, calls, published).sweeper.sweepOnce(after),
    ]);
    expect(na + nb).toBe(3);
    expect(calls).toHaveLength(3);
    expect(
      published
        .filter((e) => e.eventType === 'chargeTimeoutEvent')
        .map((e) => e.resourceId)
        .sort(),
    ).toEqual(ids);
    const repo = createResourceRepository(b);
    for (const id of ids) expect((await repo.get(registry.resources.get('charge')!, 'acme-telecom', id))?.state).toBe('timeout');
  });
});
