import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisStore } from '../../src/state/redis-store.js';
import { StoreUnavailableError, type Store } from '../../src/state/store.js';
import { describeStoreContract } from './store-contract.js';
import { pollUntil } from '../support/wait.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// With REDIS_URL set (CI) Redis is required: the suite runs and fails loudly if it cannot connect.
const redisRequired = process.env.REDIS_URL !== undefined;
const SUITE_PREFIX = `sgw:test:${randomUUID()}:`;
const GUARD_MS = 3_000;

async function probeRedis(url: string): Promise<boolean> {
  const probe = createRedisStore({ url, prefix: SUITE_PREFIX });
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

const redisUp = redisRequired || (await probeRedis(REDIS_URL));
const suiteTitle = redisUp
  ? `redis store (${redisRequired ? 'REDIS_URL' : 'local Redis at 127.0.0.1:6379'})`
  : 'redis store [skipped: REDIS_URL is not set and nothing answers at 127.0.0.1:6379]';

/** Rejects with a clear message if `p` has not settled within the guard; it must never hang. */
async function settlesWithin<T>(p: Promise<T>, ms = GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function expectUnavailableFast(p: Promise<unknown>): Promise<void> {
  await expect(settlesWithin(p)).rejects.toBeInstanceOf(StoreUnavailableError);
}

const stores: Store[] = [];
function track(store: Store): Store {
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe.skipIf(!redisUp)(suiteTitle, () => {
  const raw = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });

  afterAll(async () => {
    // Remove every key this run created (all of them live under SUITE_PREFIX).
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${SUITE_PREFIX}*`, 'COUNT', 500);
      if (keys.length > 0) await raw.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await raw.quit();
  });

  it('connects to the configured Redis', async () => {
    const store = track(createRedisStore({ url: REDIS_URL, prefix: SUITE_PREFIX }));
    await expect(store.ping()).resolves.toBeUndefined();
    expect(store.kind).toBe('redis');
  });

  describeStoreContract('redis store', (prefix) => ({
    store: createRedisStore({ url: REDIS_URL, prefix: `${SUITE_PREFIX}${prefix}` }),
  }));

  it('stores keys under its prefix, so deployments and test runs can share one Redis', async () => {
    const prefix = `${SUITE_PREFIX}raw:`;
    const store = track(createRedisStore({ url: REDIS_URL, prefix }));
    await store.set('order:1', 'v');
    await store.indexAdd('orders', 'order:1', 5);
    expect(await raw.get(`${prefix}order:1`)).toBe('v');
    expect(await raw.zscore(`${prefix}orders`, 'order:1')).toBe('5');
    expect(await raw.exists('order:1')).toBe(0);
  });

  it('keeps updateJson and compareAndSet atomic across gateway instances', async () => {
    const prefix = `${SUITE_PREFIX}shared:`;
    const a = track(createRedisStore({ url: REDIS_URL, prefix }));
    const b = track(createRedisStore({ url: REDIS_URL, prefix }));
    const bump = (s: Store): Promise<{ n: number } | null> => s.updateJson<{ n: number }>('counter', (cur) => ({ n: (cur?.n ?? 0) + 1 }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? a : b)));
    expect(await a.getJson('counter')).toEqual({ n: 20 });
    expect(await b.getJson('counter')).toEqual({ n: 20 });

    const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).compareAndSet('claim', null, `i${i}`)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  describe('during a Redis outage', () => {
    const target = new URL(REDIS_URL);
    const upstreamPort = Number(target.port || 6379);
    const upstreamHost = target.hostname;

    /** A TCP proxy in front of Redis that the test can take down and bring back on the same port. */
    async function startProxy(port = 0): Promise<{ port: number; stop: () => Promise<void> }> {
      const sockets = new Set<net.Socket>();
      const server = net.createServer((client) => {
        const upstream = net.connect(upstreamPort, upstreamHost);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      return {
        port: (server.address() as net.AddressInfo).port,
        stop: async () => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          for (const s of sockets) s.destroy();
          await closed;
        },
      };
    }

    it('fails fast while Redis is gone and recovers in the background when it is back', async () => {
      const proxy = await startProxy();
      const viaProxy = new URL(REDIS_URL);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const store = track(createRedisStore({ url: viaProxy.toString(), prefix: `${SUITE_PREFIX}outage:` }));

      await store.set('k', 'before');
      await proxy.stop();
      await expectUnavailableFast(store.get('k'));
      await expectUnavailableFast(store.set('k', 'during'));
      await expectUnavailableFast(store.updateJson('doc', () => ({ v: 1 })));

      const restarted = await startProxy(proxy.port);
      try {
        await pollUntil(() => store.ping(), { timeout: 10_000, interval: 50 });
        expect(await store.get('k')).toBe('before');
      } finally {
        await restarted.stop();
      }
    });
  });
});

describe('redis store fail-fast (no Redis needed)', () => {
  it('rejects ping and get with StoreUnavailableError when nothing listens', async () => {
    const store = track(createRedisStore({ url: 'redis://127.0.0.1:1', prefix: SUITE_PREFIX }));
    await expectUnavailableFast(store.ping());
    await expectUnavailableFast(store.get('k'));
    await expectUnavailableFast(store.incr('k'));
  });

  it('rejects with StoreUnavailableError when the server accepts connections but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const store = track(createRedisStore({ url: `redis://127.0.0.1:${port}`, prefix: SUITE_PREFIX }));
      await expectUnavailableFast(store.ping());
      await expectUnavailableFast(store.get('k'));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('logs the connection loss without the URL, which may carry a password', async () => {
    const warn = vi.fn();
    const logger = { warn, error: vi.fn(), info: vi.fn(), debug: vi.fn() };
    const url = 'redis://gateway:s3cret-pw@127.0.0.1:1';
    const store = track(createRedisStore({ url, prefix: SUITE_PREFIX, logger }));
    await expectUnavailableFast(store.ping());
    expect(warn).toHaveBeenCalled();
    expect(JSON.stringify(warn.mock.calls)).not.toContain('s3cret-pw');
  });
});
