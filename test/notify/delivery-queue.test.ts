import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotificationAdminRouter } from '../../src/notify/admin-router.js';
import { retryDelayMs, resolveRetryPolicy } from '../../src/notify/delivery-attempts.js';
import {
  createDeliveryQueue,
  DEFAULT_RETRY_POLICY,
  type Delivery,
  type DeliveryQueue,
  type DeliveryQueueOptions,
} from '../../src/notify/delivery-queue.js';
import {
  createCapturingLogger,
  deleteRedisKeys,
  loggedLine,
  probeRedis,
  REDIS_URL,
  redisSuiteTitle,
  startListener,
  type TestListener,
} from './support.js';

import { observedArray, pollUntil, untilPushed } from '../support/wait.js';

const LISTENER_PATH = '/cb/mefApi/sonata/productOrderingNotification/v10/listener/productOrderStateChangeEvent';

function delivery(listener: TestListener, over: Partial<Delivery> = {}): Delivery {
  const eventId = randomUUID();
  return {
    id: `${eventId}/sub-1`,
    partnerId: 'acme',
    subscriptionId: 'sub-1',
    url: `${listener.origin}${LISTENER_PATH}`,
    body: {
      eventId,
      eventTime: '2026-03-01T10:00:00.000Z',
      eventType: 'productOrderStateChangeEvent',
      event: { id: 'PO-1', href: '/mefApi/sonata/productOrderingManagement/v10/productOrder/PO-1' },
    },
    eventType: 'productOrderStateChangeEvent',
    eventId,
    ...over,
  };
}

describe('retry policy', () => {
  it('defaults to 25 attempts, 5 s doubling, capped at 1 h: retries span most of a day', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ attempts: 25, baseDelayMs: 5_000, maxDelayMs: 3_600_000 });
    const delays = Array.from({ length: DEFAULT_RETRY_POLICY.attempts - 1 }, (_, i) => retryDelayMs(DEFAULT_RETRY_POLICY, i + 1));
    expect(delays.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(Math.max(...delays)).toBe(3_600_000);
    const hours = delays.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(12);
    expect(hours).toBeLessThan(30);
  });

  it('refuses nonsense policies', () => {
    expect(() => resolveRetryPolicy({ attempts: 0 })).toThrow(/attempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: 1.5 })).toThrow(/baseDelayMs/);
    expect(() => resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 50 })).toThrow(/maxDelayMs/);
  });
});

/** The behaviour both backends must show; `make` builds a queue on the backend under test. */
function describeQueueBehaviour(
  make: (opts: Omit<DeliveryQueueOptions, 'prefix'>) => DeliveryQueue,
  waitDelivered: (q: DeliveryQueue) => Promise<void>,
) {
  let listener: TestListener;
  const queues: DeliveryQueue[] = [];
  const open = (opts: Omit<DeliveryQueueOptions, 'prefix'>) => {
    const q = make(opts);
    queues.push(q);
    return q;
  };
  beforeEach(async () => {
    listener = await startListener();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
    await listener.close();
  });

  it('POSTs the JSON body to the listener URL; a 204 is delivered and logged', async () => {
    const logger = createCapturingLogger();
    const q = open({ logger, retry: { baseDelayMs: 20 } });
    q.start();
    const d = delivery(listener);
    await q.enqueue(d);
    const [call] = await listener.waitForCalls(1);
    expect(call).toMatchObject({ method: 'POST', url: LISTENER_PATH, body: d.body });
    expect(call?.headers['content-type']).toBe('application/json;charset=utf-8');
    await waitDelivered(q);
    const delivered = await loggedLine(logger, 'notification delivered');
    expect(delivered.meta).toMatchObject({
      eventId: d.eventId,
      attempt: 1,
      status: 204,
    });
    expect(await q.deadLetters()).toEqual([]);
  });

  it('retries with growing delays until the listener recovers, logging each attempt', async () => {
    const logger = createCapturingLogger();
    const q = open({ logger, retry: { baseDelayMs: 20, attempts: 6 }, timeoutMs: 2_000 });
    listener.script(500, 503, 'drop');
    q.start();
    const d = delivery(listener, { url: `${listener.origin}${LISTENER_PATH}?buyerId=B1&token=s3cret` });
    await q.enqueue(d);
    const calls = await listener.waitForCalls(4);
    expect(calls.map((c) => c.body)).toEqual([d.body, d.body, d.body, d.body]);
    await waitDelivered(q);

    await loggedLine(logger, 'notification delivered');
    const retries = logger.lines.filter((l) => l.level === 'warn' && l.meta.deliveryId === d.id);
    expect(retries.map((l) => [l.meta.attempt, l.meta.status, l.meta.nextDelayMs])).toEqual([
      [1, 500, 20],
      [2, 503, 40],
      [3, undefined, 80],
    ]);
    expect(String(retries[2]?.meta.error)).not.toBe('');
    // query secrets never reach the logs; the Sonata ids do
    for (const line of logger.lines) expect(JSON.stringify(line)).not.toContain('s3cret');
    expect(retries[0]?.meta.url).toBe(`${listener.origin}${LISTENER_PATH}?buyerId=B1&token=redacted`);
    expect(logger.lines.find((l) => l.message === 'notification delivered')?.meta).toMatchObject({
      attempt: 4,
      status: 204,
    });
    expect(await q.deadLetters()).toEqual([]);
  });

  it('dead-letters a delivery after its last attempt; replay delivers it with fresh attempts', async () => {
    const logger = createCapturingLogger();
    const q = open({ logger, retry: { baseDelayMs: 20, attempts: 3 } });
    listener.script(500, 500, 500);
    q.start();
    const d = delivery(listener);
    await q.enqueue(d);
    await listener.waitForCalls(3);
    await pollUntil(async () => expect(await q.deadLetters()).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const [dead] = await q.deadLetters();
    expect(dead).toMatchObject({ ...d, attempts: 3, lastError: 'listener answered 500' });
    expect(Date.parse(dead!.failedAt)).not.toBeNaN();
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.meta)).toEqual([
      expect.objectContaining({ deliveryId: d.id, attempts: 3, status: 500 }),
    ]);

    // enqueueing it again does not bypass the dead-letter list; replay is the way back
    await q.enqueue(d);
    await waitDelivered(q);
    expect(listener.calls).toHaveLength(3);
    expect(await q.deadLetters()).toHaveLength(1);

    // the listener stays healthy from now on (unscripted calls answer 204)
    expect(await q.replay('no-such-delivery')).toBe(false);
    expect(await q.replay(d.id)).toBe(true);
    const calls = await listener.waitForCalls(4);
    expect(calls[3]?.body).toEqual(d.body);
    await waitDelivered(q);
    await pollUntil(async () => expect(await q.deadLetters()).toEqual([]), { timeout: 10_000, interval: 20 });
    expect(await q.replay(d.id)).toBe(false);
  });

  it('discards a dead letter for good: gone from the list, not delivered, not replayable; unknown ids are false', async () => {
    const q = open({ logger: createCapturingLogger(), retry: { baseDelayMs: 20, attempts: 2 } });
    listener.script(500, 500);
    q.start();
    const d = delivery(listener);
    const other = delivery(listener, { id: `${d.id}-other`, eventId: `${d.eventId}-other` });
    await q.enqueue(d);
    await listener.waitForCalls(2);
    await pollUntil(async () => expect(await q.deadLetters()).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(await q.discard('no-such-delivery')).toBe(false);
    expect(await q.discard(d.id)).toBe(true);
    expect(await q.deadLetters()).toEqual([]);
    expect(await q.replay(d.id)).toBe(false);
    expect(await q.discard(d.id)).toBe(false);
    // a pending delivery is not a dead letter: discard leaves it alone and it is delivered
    await q.enqueue(other);
    expect(await q.discard(other.id)).toBe(false);
    const calls = await listener.waitForCalls(3);
    expect(calls[2]?.body).toEqual(other.body);
    await waitDelivered(q);
    expect(listener.calls).toHaveLength(3);
  });

  it('delivers nothing before start, and a delivery enqueued twice while pending once', async () => {
    const q = open({ logger: createCapturingLogger(), retry: { baseDelayMs: 20 } });
    const d = delivery(listener);
    await q.enqueue(d);
    await q.enqueue(d);
    const other = delivery(listener);
    await q.enqueue(other);
    expect(listener.calls).toHaveLength(0);
    q.start();
    await listener.waitForCalls(2);
    await waitDelivered(q);
    expect(listener.calls.map((c) => c.body)).toEqual(expect.arrayContaining([d.body, other.body]));
    expect(listener.calls).toHaveLength(2);
  });

  it('gives up on a listener that does not answer within timeoutMs and tries again', async () => {
    const logger = createCapturingLogger();
    const q = open({ logger, retry: { baseDelayMs: 20 }, timeoutMs: 200 });
    listener.script('hang');
    q.start();
    await q.enqueue(delivery(listener));
    await listener.waitForCalls(2);
    await waitDelivered(q);
    await loggedLine(logger, 'notification delivered');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.meta.attempt)).toEqual([1]);
  });

  it('uses a custom sender when given one; its rejection is retried', async () => {
    const sent = observedArray<string>();
    let failures = 1;
    const q = open({
      logger: createCapturingLogger(),
      retry: { baseDelayMs: 20 },
      send: async (d) => {
        sent.push(d.id);
        if (failures-- > 0) throw new Error('token endpoint down');
      },
    });
    q.start();
    const d = delivery(listener);
    await q.enqueue(d);
    await untilPushed(
      sent,
      () => sent.length >= 2,
      () => `two send attempts expected, got ${JSON.stringify(sent)}`,
    );
    expect(sent).toEqual([d.id, d.id]);
    await waitDelivered(q);
    expect(listener.calls).toHaveLength(0);
  });
}

describe('in-process delivery queue', () => {
  describeQueueBehaviour(
    (opts) => createDeliveryQueue({ ...opts, prefix: 'test' }),
    (q) => q.idle!(),
  );

  it('refuses deliveries once closed', async () => {
    const q = createDeliveryQueue({ prefix: 'test', logger: createCapturingLogger() });
    await q.close();
    await expect(
      q.enqueue({
        id: 'x',
        partnerId: 'p',
        subscriptionId: 's',
        url: 'http://127.0.0.1:1/',
        body: {},
        eventType: 't',
        eventId: 'e',
      }),
    ).rejects.toThrow(/closed/);
  });
});

describe('notification admin router', () => {
  it('lists dead letters (listener URL query secrets hidden) and replays one; unknown ids are 404', async () => {
    const listener = await startListener();
    const q = createDeliveryQueue({
      prefix: 'test',
      logger: createCapturingLogger(),
      retry: { attempts: 1, baseDelayMs: 20 },
    });
    const app = express().use('/internal', createNotificationAdminRouter({ queue: q }));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/notifications/dead-letters`;
    try {
      listener.script(500);
      q.start();
      const d = delivery(listener, { url: `${listener.origin}${LISTENER_PATH}?sellerId=S1&sig=abc` });
      await q.enqueue(d);
      await q.idle!();

      const list = await fetch(base);
      expect(list.status).toBe(200);
      const letters = (await list.json()) as Array<Record<string, unknown>>;
      expect(letters).toEqual([
        expect.objectContaining({
          id: d.id,
          eventId: d.eventId,
          attempts: 1,
          lastError: 'listener answered 500',
          url: `${listener.origin}${LISTENER_PATH}?sellerId=S1&sig=redacted`,
        }),
      ]);

      const missing = await fetch(`${base}/nope/replay`, { method: 'POST' });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 'notFound' });

      const replay = await fetch(`${base}/${encodeURIComponent(d.id)}/replay`, { method: 'POST' });
      expect(replay.status).toBe(202);
      await listener.waitForCalls(2);
      await q.idle!();
      // replayed with the original URL, secrets included
      expect(listener.calls[1]?.url).toBe(`${LISTENER_PATH}?sellerId=S1&sig=abc`);
      expect(await (await fetch(base)).json()).toEqual([]);
    } finally {
      await q.close();
      server.close();
      await listener.close();
    }
  });
});

const redisUp = await probeRedis();
const SUITE_PREFIX = `sgw:test:notify-queue:${randomUUID()}`;

describe.skipIf(!redisUp)(redisSuiteTitle('BullMQ delivery queue', redisUp), () => {
  afterAll(async () => {
    await deleteRedisKeys(SUITE_PREFIX);
  });

  // BullMQ has no idle(): a delivery is done when the listener got it and nothing is waiting, active or delayed
  describeQueueBehaviour(
    (opts) => createDeliveryQueue({ ...opts, redisUrl: REDIS_URL, prefix: `${SUITE_PREFIX}:${randomUUID()}` }),
    async () => undefined,
  );

  it('a job enqueued before a restart is delivered by the next gateway instance', async () => {
    const listener = await startListener();
    const prefix = `${SUITE_PREFIX}:${randomUUID()}`;
    const logger = createCapturingLogger();
    const before = createDeliveryQueue({ redisUrl: REDIS_URL, prefix, logger, retry: { baseDelayMs: 20 } });
    try {
      const d = delivery(listener);
      await before.enqueue(d);
      // the gateway stops before its worker delivered anything
      await before.close();
      expect(listener.calls).toHaveLength(0);

      const after = createDeliveryQueue({ redisUrl: REDIS_URL, prefix, logger, retry: { baseDelayMs: 20 } });
      try {
        after.start();
        const [call] = await listener.waitForCalls(1);
        expect(call?.body).toEqual(d.body);
        await loggedLine(logger, 'notification delivered');
      } finally {
        await after.close();
      }
    } finally {
      await before.close();
      await listener.close();
    }
  });

  it('keeps dead letters in Redis: another instance lists and replays them', async () => {
    const listener = await startListener();
    const prefix = `${SUITE_PREFIX}:${randomUUID()}`;
    const first = createDeliveryQueue({
      redisUrl: REDIS_URL,
      prefix,
      logger: createCapturingLogger(),
      retry: { baseDelayMs: 20, attempts: 2 },
    });
    const second = createDeliveryQueue({
      redisUrl: REDIS_URL,
      prefix,
      logger: createCapturingLogger(),
      retry: { baseDelayMs: 20, attempts: 2 },
    });
    try {
      listener.script(500, 500);
      first.start();
      const d = delivery(listener);
      await first.enqueue(d);
      await pollUntil(async () => expect(await first.deadLetters()).toHaveLength(1), {
        timeout: 10_000,
        interval: 20,
      });
      await first.close();

      expect(await second.deadLetters()).toEqual([expect.objectContaining({ id: d.id, attempts: 2, lastError: 'listener answered 500' })]);
      expect(await second.replay(d.id)).toBe(true);
      second.start();
      await listener.waitForCalls(3);
      await pollUntil(async () => expect(await second.deadLetters()).toEqual([]), { timeout: 10_000, interval: 20 });
    } finally {
      await first.close();
      await second.close();
      await listener.close();
    }
  });
});
