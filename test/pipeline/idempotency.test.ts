import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdempotency, parseIdempotencyKey, requestFingerprint } from '../../src/pipeline/idempotency.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { StoreUnavailableError } from '../../src/state/store.js';
import { startLegacyBss } from '../../simulators/src/legacy-bss/start-legacy-bss.js';
import { PARTNERS, REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { probeRedis, redisSuiteTitle, REDIS_URL } from '../notify/support.js';
import { graceOrder, kylieOrder, legacy, LEGACY_KEY, ORDER_BASE } from '../sonata/product-order-support.js';

const ORDERS = `${ORDER_BASE.grace}/productOrder`;
const ACME_CUSTOMER = 'C-100042';

async function legacyOrderCount(gw: TestGateway): Promise<number> {
  const answer = await legacy(gw, `/orders?CUST_NO=${ACME_CUSTOMER}`);
  expect(answer.RC).toBe(0);
  return answer.TOTAL as number;
}

describe('idempotency core (memory store)', () => {
  const settings = { keyTtlMs: 60_000, externalIdWindowMs: 60_000, leaseMs: 5_000 };

  it('a duplicate arriving while the first is in flight gets 409; afterwards the answer replays', async () => {
    const idem = createIdempotency({ store: createMemoryStore({ prefix: 't:' }), settings });
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    let runs = 0;
    const exec = async () => {
      runs++;
      await gate;
      return { status: 201, headers: { Location: '/x/1' }, body: { id: '1' } };
    };
    const first = idem.run('acme', { kind: 'key', value: 'k1' }, 'fp', exec);
    await expect(idem.run('acme', { kind: 'key', value: 'k1' }, 'fp', exec)).rejects.toMatchObject({
      code: 'idempotency.in-flight',
      status: 409,
    });
    finish();
    expect(await first).toEqual({
      response: { status: 201, headers: { Location: '/x/1' }, body: { id: '1' } },
      replayed: false,
    });
    expect(await idem.run('acme', { kind: 'key', value: 'k1' }, 'fp', exec)).toMatchObject({
      replayed: true,
      response: { body: { id: '1' } },
    });
    expect(runs).toBe(1);
  });

  it('a crash between create and record (reservation left behind) never runs the create again', async () => {
    let t = 1_000_000;
    const store = createMemoryStore({ prefix: 't:' });
    const idem = createIdempotency({ store, settings, now: () => t });
    // the first attempt reserved the key and then the process died: simulate by never settling its exec
    void idem.run('acme', { kind: 'key', value: 'k2' }, 'fp', () => new Promise(() => {}));
    await new Promise((r) => setImmediate(r));
    t += settings.leaseMs + 1;
    let ran = false;
    const err = await idem
      .run('acme', { kind: 'key', value: 'k2' }, 'fp', async () => {
        ran = true;
        return { status: 201, headers: {} };
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('idempotency.in-flight');
    expect((err as GatewayError).message).toMatch(/interrupted/);
    expect(ran).toBe(false);
  });

  it('a failed first run (thrown, or status >= 400) releases the key', async () => {
    const idem = createIdempotency({ store: createMemoryStore({ prefix: 't:' }), settings });
    await expect(
      idem.run('acme', { kind: 'key', value: 'k3' }, 'fp', async () => {
        throw new GatewayError('upstream.unavailable');
      }),
    ).rejects.toMatchObject({ code: 'upstream.unavailable' });
    expect((await idem.run('acme', { kind: 'key', value: 'k3' }, 'fp', async () => ({ status: 503, headers: {} }))).replayed).toBe(false);
    expect(
      (
        await idem.run('acme', { kind: 'key', value: 'k3' }, 'fp', async () => ({
          status: 201,
          headers: {},
          body: { id: '7' },
        }))
      ).response.body,
    ).toEqual({ id: '7' });
  });

  it('a store outage before the create is 503 store.unavailable (nothing run); after it the answer still goes out', async () => {
    const memory = createMemoryStore({ prefix: 't:' });
    let failWrites = true;
    const flaky = {
      ...memory,
      setJson: (...a: Parameters<typeof memory.setJson>) =>
        failWrites ? Promise.reject(new StoreUnavailableError('down')) : memory.setJson(...a),
    };
    const idem = createIdempotency({ store: flaky, settings });
    let runs = 0;
    const exec = async () => {
      runs++;
      failWrites = true; // the store goes away between the create and the record
      return { status: 201, headers: {}, body: { id: '9' } };
    };
    await expect(idem.run('acme', { kind: 'key', value: 'k4' }, 'fp', exec)).rejects.toMatchObject({
      code: 'store.unavailable',
      status: 503,
    });
    expect(runs).toBe(0);
    failWrites = false;
    expect((await idem.run('acme', { kind: 'key', value: 'k4' }, 'fp', exec)).response.body).toEqual({ id: '9' });
    // the reservation stayed (the record failed): a retry is refused, never run twice
    failWrites = false;
    await expect(idem.run('acme', { kind: 'key', value: 'k4' }, 'fp', exec)).rejects.toMatchObject({
      code: 'idempotency.in-flight',
    });
    expect(runs).toBe(1);
  });

  it('parses the header as a Structured Field string or bare, and refuses malformed keys with 400', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('abc-1')).toBe('abc-1');
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    for (const bad of ['', '""', 'a b', 'x'.repeat(256), ['a', 'b']])
      expect(() => parseIdempotencyKey(bad)).toThrow(expect.objectContaining({ code: 'idempotency.invalid-key', status: 400 }));
    expect(requestFingerprint('op', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(requestFingerprint('op', { b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(requestFingerprint('op', { a: 1 })).not.toBe(requestFingerprint('other', { a: 1 }));
  });
});

describe('idempotent creates through the gateway (in process)', () => {
  let sim: Awaited<ReturnType<typeof startLegacyBss>>;
  let gw: TestGateway;
  let acme: string;
  beforeAll(async () => {
    // a legacy BSS honouring X-Sim-Fault (config/test.yaml forwards it), to hold a create in flight or fail it
    sim = await startLegacyBss({
      apiKey: LEGACY_KEY,
      dataDir: `${REPO_ROOT}/simulators/data/legacy-bss`,
      faultInjection: true,
    });
    gw = await startTestGateway({ env: { LEGACY_BSS_URL: sim.url } });
    acme = await gw.token('acme');
  });
  afterAll(async () => {
    await gw?.close();
    await sim?.close();
  });

  it('same key and body: the first answer again (status, body, Location), marked replayed, one order in the BSS', async () => {
    const before = await legacyOrderCount(gw);
    const body = graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` });
    const headers = { 'idempotency-key': `"${randomUUID()}"` };
    const first = await gw.call('POST', ORDERS, { token: acme, body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await gw.call('POST', ORDERS, { token: acme, body, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await legacyOrderCount(gw)).toBe(before + 1);
  });

  it('same key, another body: 422 invalidValue, nothing created', async () => {
    const key = randomUUID();
    const first = await gw.call('POST', ORDERS, {
      token: acme,
      body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    const before = await legacyOrderCount(gw);
    const other = await gw.call('POST', ORDERS, {
      token: acme,
      body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
    expect(other.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/', message: 'header Idempotency-Key' })]);
    expect(await legacyOrderCount(gw)).toBe(before);
  });

  it('keys are per partner: the same key of another partner creates its own order', async () => {
    const key = randomUUID();
    const a = await gw.call('POST', ORDERS, {
      token: acme,
      body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
      headers: { 'idempotency-key': key },
    });
    const g = await gw.call('POST', `${ORDER_BASE.kylie}/productOrder`, {
      token: await gw.token('globex'),
      body: kylieOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
      headers: { 'idempotency-key': key },
    });
    expect(a.status).toBe(201);
    expect(g.status).toBe(201);
    expect(g.headers.get('idempotent-replayed')).toBeNull();
    expect(g.body.id).not.toBe(a.body.id);
  });

  it('a refused first request does not pin the key: the corrected retry with the same key runs', async () => {
    const key = randomUUID();
    const bad = await gw.call('POST', ORDERS, {
      token: acme,
      body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}`, productOrderItem: [] }),
      headers: { 'idempotency-key': key },
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const good = await gw.call('POST', ORDERS, {
      token: acme,
      body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
      headers: { 'idempotency-key': key },
    });
    expect(good.status).toBe(201);
  });

  it('a duplicate while the first is still at the BSS gets 409 with Retry-After; then the first answer replays', async () => {
    const key = randomUUID();
    const body = graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` });
    const before = await legacyOrderCount(gw);
    const slow = gw.call('POST', ORDERS, {
      token: acme,
      body,
      headers: { 'idempotency-key': key, 'x-sim-fault': 'delay=800' },
    });
    // wait until the first request holds its reservation (the store is the event that says so)
    const reservation = `idem:k:acme-telecom:${createHash('sha256').update(key).digest('base64url')}`;
    while (!(await gw.gateway.store.get(reservation))) await new Promise((r) => setTimeout(r, 5));
    const dup = await gw.call('POST', ORDERS, { token: acme, body, headers: { 'idempotency-key': key } });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('conflict');
    expect(dup.headers.get('retry-after')).toBe('1');
    const first = await slow;
    expect(first.status).toBe(201);
    const replay = await gw.call('POST', ORDERS, { token: acme, body, headers: { 'idempotency-key': key } });
    expect(replay.body.id).toBe(first.body.id);
    expect(await legacyOrderCount(gw)).toBe(before + 1);
  });

  it('a 5xx first attempt releases the key: the retry with the same key creates the order', async () => {
    const key = randomUUID();
    const body = graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` });
    const failed = await gw.call('POST', ORDERS, {
      token: acme,
      body,
      headers: { 'idempotency-key': key, 'x-sim-fault': 'http500' },
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const retry = await gw.call('POST', ORDERS, { token: acme, body, headers: { 'idempotency-key': key } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a hub registration retried with its key registers one listener', async () => {
    const globex = await gw.token('globex');
    const hub = `${PARTNERS.globex.addressBase}/hub`;
    const body = {
      callback: 'http://127.0.0.1:9999/cb-idem',
      query: 'eventType=geographicAddressValidationStateChangeEvent',
    };
    const headers = { 'idempotency-key': randomUUID() };
    const first = await gw.call('POST', hub, { token: globex, body, headers });
    expect(first.status).toBe(201);
    const again = await gw.call('POST', hub, { token: globex, body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a malformed key is 400', async () => {
    const res = await gw.call('POST', ORDERS, {
      token: acme,
      body: graceOrder(),
      headers: { 'idempotency-key': 'has space' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalidBody');
  });

  it('without a key, a repeated externalId replays the first create; another body with it is 422 at /externalId', async () => {
    const externalId = `IDEM-X-${randomUUID().slice(0, 8)}`;
    const before = await legacyOrderCount(gw);
    const body = graceOrder({ externalId });
    const first = await gw.call('POST', ORDERS, { token: acme, body });
    expect(first.status).toBe(201);
    const again = await gw.call('POST', ORDERS, { token: acme, body });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await gw.call('POST', ORDERS, { token: acme, body: { ...body, projectId: 'ANOTHER' } });
    expect(other.status).toBe(422);
    expect(other.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/externalId' })]);
    expect(await legacyOrderCount(gw)).toBe(before + 1);
  });
});

const redisUp = await probeRedis();
describe.skipIf(!redisUp)(redisSuiteTitle('idempotent creates across two instances sharing Redis', redisUp), () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const prefix = `sgw:test:idem:${randomUUID().slice(0, 8)}:`;
    a = await startTestGateway({ env: { REDIS_URL, REDIS_PREFIX: prefix } });
    // the second instance uses the first one's legacy BSS, as two replicas share one back office
    b = await startTestGateway({ env: { REDIS_URL, REDIS_PREFIX: prefix, LEGACY_BSS_URL: a.gateway.legacyUrl } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('50 creates each retried on the other instance with the same key: exactly 50 orders in the BSS', async () => {
    const [ta, tb] = [await a.token('acme'), await b.token('acme')];
    const before = await legacyOrderCount(a);
    // five at a time: the point is the retry on the other instance, not load (a loaded CI box times Redis out)
    const created: unknown[] = [];
    for (let batch = 0; batch < 10; batch++)
      created.push(
        ...(await Promise.all(
          Array.from({ length: 5 }, async (_, j) => {
            const i = batch * 5 + j;
            const body = graceOrder({ externalId: `IDEM-R-${i}-${randomUUID().slice(0, 6)}` });
            const headers = { 'idempotency-key': randomUUID() };
            const first = await a.call('POST', ORDERS, { token: ta, body, headers });
            const retry = await b.call('POST', ORDERS, { token: tb, body, headers });
            expect(first.status, JSON.stringify(first.body)).toBe(201);
            expect(retry.status, JSON.stringify(retry.body)).toBe(201);
            expect(retry.headers.get('idempotent-replayed')).toBe('true');
            expect(retry.body.id).toBe(first.body.id);
            return first.body.id as string;
          }),
        )),
      );
    expect(new Set(created).size).toBe(50);
    expect(await legacyOrderCount(a)).toBe(before + 50);
  });

  it('same key, another body on the other instance: 422', async () => {
    const key = randomUUID();
    expect(
      (
        await a.call('POST', ORDERS, {
          token: await a.token('acme'),
          body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
          headers: { 'idempotency-key': key },
        })
      ).status,
    ).toBe(201);
    const other = await b.call('POST', ORDERS, {
      token: await b.token('acme'),
      body: graceOrder({ externalId: `IDEM-${randomUUID().slice(0, 8)}` }),
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
  });

  it('externalId without a key replays across instances', async () => {
    const body = graceOrder({ externalId: `IDEM-XR-${randomUUID().slice(0, 8)}` });
    const first = await a.call('POST', ORDERS, { token: await a.token('acme'), body });
    const again = await b.call('POST', ORDERS, { token: await b.token('acme'), body });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
  });
});
