/**
 * Redis kill -9 and restart under traffic, on a redis-server of the test's own (append-only file, fsync always):
 * while Redis is gone partners get 503 with Retry-After (never a hang, never a 500), /readyz says not ready, and
 * after the restart everything works again and every order the gateway accepted (201) is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graceOrder, ORDER_BASE } from '../sonata/product-order-support.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { faultTestsUnavailable, startOwnRedis, until, type OwnRedis } from './support.js';

const skipReason = faultTestsUnavailable();
/** A request still unanswered after this long counts as hung (the gateway's own limits are far below it). */
const HANG_MS = 15_000;

describe.skipIf(skipReason !== undefined)(`Redis kill -9 and restart under traffic${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let redis: OwnRedis;
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    redis = await startOwnRedis();
    gw = await startTestGateway({ env: { REDIS_URL: redis.url } });
    token = await gw.token('acme');
  }, 30_000);
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  /** One partner request that must be answered (any status) before HANG_MS. */
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(gw.url + path, {
      method,
      signal: AbortSignal.timeout(HANG_MS),
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: unknown) => {
      throw new Error(`${method} ${path} hung or failed without an answer: ${String(err)}`);
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const create = (n: string) => send('POST', `${ORDER_BASE.grace}/productOrder`, graceOrder({ externalId: `ACME-REDIS-${n}` }));

  it('answers 503 while Redis is gone, recovers after the restart and loses no accepted order', async () => {
    const accepted: string[] = [];
    for (const n of ['a1', 'a2', 'a3']) {
      const res = await create(n);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      accepted.push(res.body.id);
    }

    // the kill lands while creates are in flight: each is answered either 201 (then it must survive) or 503
    const inFlight = await Promise.all([create('k1'), create('k2'), create('k3'), redis.kill9().then(() => undefined)]);
    for (const res of inFlight.slice(0, 3)) {
      expect([201, 503], JSON.stringify(res!.body)).toContain(res!.status);
      if (res!.status === 201) accepted.push(res!.body.id);
    }
    // traffic during the outage: creates, reads and lists at once
    const during = await Promise.all([
      create('b1'),
      create('b2'),
      send('GET', `${ORDER_BASE.grace}/productOrder/${accepted[0]}`),
      send('GET', `${ORDER_BASE.grace}/productOrder?limit=5`),
      send('GET', '/readyz'),
    ]);
    for (const res of during) expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(during[4]!.body.checks.store).toMatch(/^unavailable/);
    for (const res of during.slice(0, 4)) {
      expect(res.body.code).toBe('internalError');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }

    await redis.restart();
    await until(
      () => send('GET', '/readyz'),
      (r) => r.status === 200,
      20_000,
      '/readyz ready after the Redis restart',
    );
    // everything works again: new orders, and every order accepted before the outage is still there
    const after = await create('c1');
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    accepted.push(after.body.id);
    for (const id of accepted) {
      const got = await send('GET', `${ORDER_BASE.grace}/productOrder/${id}`);
      expect(got.status, `order ${id} after the restart`).toBe(200);
      expect(got.body.id).toBe(id);
    }
    const listed = await send('GET', `${ORDER_BASE.grace}/productOrder?limit=100`);
    expect(listed.status).toBe(200);
    const listedIds = new Set((listed.body as Array<{ id: string }>).map((o) => o.id));
    for (const id of accepted) expect(listedIds.has(id), `order ${id} listed`).toBe(true);
  }, 60_000);
});
