/**
 * Gateway kill -9 between delivery attempts, with the legacy BSS simulator in its own process and a Redis of the
 * test's own: the notifications already queued (in BullMQ, in Redis) survive the gateway process, and a restarted
 * gateway delivers each one exactly once to the Buyer's listener; the order the BSS completed is kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graceOrder, LEGACY_KEY, ORDER_BASE } from '../sonata/product-order-support.js';
import { copyProject, REPO_ROOT, SDK_DIR } from '../support/test-gateway.js';
import {
  faultTestsUnavailable,
  startChild,
  startOwnRedis,
  startSwitchableListener,
  until,
  type FaultChild,
  type OwnRedis,
} from './support.js';

const skipReason = faultTestsUnavailable();
const PREFIX = 'sgw:fault:';
const CALLBACK_SECRET = 'demo-callback-secret-0123456789';

describe.skipIf(skipReason !== undefined)(`gateway kill -9 mid-delivery${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let redis: OwnRedis;
  let legacy: FaultChild;
  let project: ReturnType<typeof copyProject>;
  let listener: Awaited<ReturnType<typeof startSwitchableListener>>;
  const gateways: FaultChild[] = [];

  const startGateway = async () => {
    const gw = await startChild({
      role: 'gateway',
      rootDir: project.dir,
      env: 'test',
      processEnv: {
        REDIS_URL: redis.url,
        REDIS_PREFIX: PREFIX,
        LEGACY_BSS_URL: legacy.url,
        SONATA_SDK_DIR: SDK_DIR,
        LOG_LEVEL: 'error',
      },
    });
    gateways.push(gw);
    // the simulator reports status changes to whichever gateway is running
    await legacy.send({ kind: 'callback-url', url: `${gw.url}/internal/legacy/events` });
    return gw;
  };

  beforeAll(async () => {
    redis = await startOwnRedis();
    project = copyProject();
    // retries one second apart: long enough to kill the gateway while every delivery waits for its next attempt
    const testYaml = join(project.dir, 'config', 'test.yaml');
    writeFileSync(
      testYaml,
      readFileSync(testYaml, 'utf8').replace(
        /(notifications:\n\s+)retry: \{[^}]*\}/,
        '$1retry: { attempts: 25, baseDelayMs: 1000, maxDelayMs: 1000 }',
      ),
    );
    legacy = await startChild({
      role: 'legacy',
      apiKey: LEGACY_KEY,
      dataDir: join(REPO_ROOT, 'simulators', 'data', 'legacy-bss'),
      callbackSecret: CALLBACK_SECRET,
    });
    listener = await startSwitchableListener();
    // the listener's loopback port is ACME's only allowed callback besides the demo's (callbacks are checked at delivery)
    const partnerYaml = join(project.dir, 'partners', 'acme-telecom', 'partner.yaml');
    writeFileSync(
      partnerYaml,
      readFileSync(partnerYaml, 'utf8').replace(
        "allowedCallbackHosts: ['localhost:9999', ",
        `allowedCallbackHosts: ['${new URL(listener.origin).host}', 'localhost:9999', `,
      ),
    );
  }, 60_000);
  afterAll(async () => {
    for (const g of gateways) await g.kill9();
    await legacy?.kill9();
    await listener?.close();
    await redis?.stop();
    project?.cleanup();
  });

  it('queued notifications survive the kill and are delivered exactly once after a restart; nothing is lost', async () => {
    const first = await startGateway();
    const call = async (gw: FaultChild, method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(gw.url + path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const tokenFrom = async (gw: FaultChild) => {
      const res = await fetch(`${gw.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'acme-telecom',
          client_secret: 'acme-demo-secret-2026',
        }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const token = await tokenFrom(first);

    const hub = await call(first, 'POST', `${ORDER_BASE.grace}/hub`, token, {
      callback: `${listener.origin}/acme`,
      query: 'eventType=productOrderStateChangeEvent',
    });
    expect(hub.status, JSON.stringify(hub.body)).toBe(201);
    const order = await call(first, 'POST', `${ORDER_BASE.grace}/productOrder`, token, graceOrder({ externalId: 'ACME-KILL-1' }));
    expect(order.status, JSON.stringify(order.body)).toBe(201);

    // the Buyer's listener is failing: every attempt gets 503, so deliveries wait in Redis for their next attempt
    listener.answer(503);
    const bss = async (path: string, body?: unknown) =>
      (await (
        await fetch(`${legacy.url}/bss/v2${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'X-BSS-Api-Key': LEGACY_KEY, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
      ).json()) as Record<string, any>;
    const found = await bss(`/orders?CUST_NO=C-100042&CUST_ORDER_REF=ACME-KILL-1`);
    const orderNo = found.ORDERS[0].ORDER_NO as string;
    for (const to of ['VALD', 'COMP']) expect((await bss(`/_sim/orders/${orderNo}/advance`, { TO: to })).RC).toBe(0);

    // both state changes (inProgress, completed) were attempted and refused, and both now wait between attempts
    await listener.waitFor((calls) => new Set(calls.filter((c) => c.status === 503).map((c) => c.eventId)).size === 2);
    const queue = new Queue('sonata-notifications', {
      connection: { url: redis.url, maxRetriesPerRequest: 1 } as never,
      prefix: `${PREFIX}notify`,
    });
    try {
      await until(
        () => queue.getJobCounts('active', 'delayed', 'waiting'),
        (c) => c.delayed === 2 && c.active === 0 && c.waiting === 0,
        10_000,
        'both deliveries delayed',
      );
      await first.kill9();
      listener.answer(204);

      const second = await startGateway();
      await listener.waitFor((calls) => new Set(calls.filter((c) => c.status === 204).map((c) => c.eventId)).size === 2);
      await until(
        () => queue.getJobCounts('active', 'delayed', 'waiting'),
        (c) => (c.delayed ?? 0) + (c.active ?? 0) + (c.waiting ?? 0) === 0,
        10_000,
        'queue drained',
      );

      // exactly once: each event answered 2xx once, and it is the state changes the order went through
      const delivered = listener.calls.filter((c) => c.status === 204);
      expect(delivered).toHaveLength(2);
      expect(new Set(delivered.map((c) => c.eventId)).size).toBe(2);
      expect(delivered.every((c) => c.body.event.id === order.body.id)).toBe(true);
      // nothing accepted was lost: the restarted gateway serves the completed order
      const done = await call(second, 'GET', `${ORDER_BASE.grace}/productOrder/${order.body.id}`, await tokenFrom(second));
      expect(done.status).toBe(200);
      expect(done.body.state).toBe('completed');
      expect(done.body.stateChange.map((c: { state: string }) => c.state)).toEqual(['acknowledged', 'inProgress', 'completed']);
    } finally {
      await queue.close();
    }
  }, 60_000);
});
