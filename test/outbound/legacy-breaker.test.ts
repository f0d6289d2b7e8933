/**
 * The legacy client against a real fake BSS (refusing, hanging, recovering): the breaker opens after the configured
 * failures and then answers 503 upstream.unavailable with Retry-After without touching the BSS, a half-open probe
 * closes it once the BSS answers again, and only operations marked safeToRetry are ever sent twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/catalogue.js';
import { createLegacyClient, LEGACY_BREAKER, type LegacyClient } from '../../src/legacy/legacy-client.js';
import { createLogger } from '../../src/observability/logger.js';
import { createBreakerBoard, type BreakerBoard } from '../../src/outbound/circuit-breakers.js';
import type { LegacyOperationDef } from '../../src/registry/registry.js';
import { nextBreakerEvent, startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

const logger = createLogger({ level: 'error' });
const lookup: LegacyOperationDef = { name: 'lookupAddress', method: 'POST', path: '/addr/lookup', safeToRetry: true };
const placeOrder: LegacyOperationDef = { name: 'placeOrder', method: 'POST', path: '/orders', safeToRetry: false };
const call = (client: LegacyClient, op: LegacyOperationDef) => client.call(op, { requestId: 'r1', logger, body: {} });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as GatewayError,
  );

describe('legacy client breaker and retries (fake BSS on 127.0.0.1)', () => {
  let bss: FakeUpstream;
  let board: BreakerBoard;
  let client: LegacyClient;
  beforeEach(async () => {
    bss = await startFakeUpstream();
    board = createBreakerBoard();
    client = createLegacyClient({
      baseUrl: bss.url,
      apiKey: 'k',
      timeoutMs: 100,
      breakers: board,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      breaker: {
        enabled: true,
        volumeThreshold: 3,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 300,
        rollingWindowMs: 10_000,
      },
    });
  });
  afterEach(async () => {
    await client.close();
    board.close();
    await bss.close();
  });

  it('opens after 3 timeouts against a hanging BSS, then answers 503 + Retry-After without calling it', async () => {
    bss.mode = 'hang';
    for (let i = 0; i < 3; i++) expect((await failure(call(client, placeOrder))).code).toBe('upstream.timeout');
    expect(bss.count()).toBe(3);
    expect(board.snapshot()[LEGACY_BREAKER]).toMatchObject({ state: 'open', failures: 3 });

    const refused = await failure(call(client, lookup));
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused.code).toBe('upstream.unavailable');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(bss.count()).toBe(3); // the BSS never saw it, and a safe operation was not retried into an open breaker
    expect(board.snapshot()[LEGACY_BREAKER]).toMatchObject({ state: 'open', rejected: 1 });
  });

  it('a half-open probe closes it again once the BSS answers', async () => {
    bss.mode = 'http500';
    const opened = nextBreakerEvent(board, LEGACY_BREAKER, 'open');
    for (let i = 0; i < 3; i++) await failure(call(client, placeOrder));
    await opened;
    bss.mode = 'ok';
    await nextBreakerEvent(board, LEGACY_BREAKER, 'half-open');
    expect(board.snapshot()[LEGACY_BREAKER]!.state).toBe('half-open');
    await expect(call(client, lookup)).resolves.toMatchObject({ RC: 0 });
    expect(board.snapshot()[LEGACY_BREAKER]!.state).toBe('closed');
    expect(bss.count()).toBe(4);
  });

  it('a probe that fails again opens it again', async () => {
    bss.mode = 'drop';
    for (let i = 0; i < 3; i++) await failure(call(client, placeOrder));
    await nextBreakerEvent(board, LEGACY_BREAKER, 'half-open');
    const reopened = nextBreakerEvent(board, LEGACY_BREAKER, 'open');
    expect((await failure(call(client, lookup))).code).toBe('upstream.unavailable');
    await reopened;
    expect(bss.count()).toBe(4); // one probe only, not retried
  });

  it('refusals of the request (RC 4, RC 8) do not count against the BSS', async () => {
    const refusing = await startFakeUpstream(() => ({ RC: 4, MSG: 'unknown key' }));
    const c = createLegacyClient({
      baseUrl: refusing.url,
      apiKey: 'k',
      timeoutMs: 100,
      breakers: board,
      breaker: {
        enabled: true,
        volumeThreshold: 2,
        errorThresholdPercentage: 1,
        resetTimeoutMs: 300,
        rollingWindowMs: 10_000,
      },
    });
    try {
      for (let i = 0; i < 5; i++) expect((await failure(call(c, lookup))).code).toBe('upstream.not-found');
      expect(refusing.count()).toBe(5);
      expect(board.snapshot()[LEGACY_BREAKER]!.state).toBe('closed');
    } finally {
      await c.close();
      await refusing.close();
    }
  });
});

describe('legacy client retries only what is safe to repeat', () => {
  let bss: FakeUpstream;
  let client: LegacyClient;
  beforeEach(async () => {
    bss = await startFakeUpstream();
    client = createLegacyClient({
      baseUrl: bss.url,
      apiKey: 'k',
      timeoutMs: 200,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await client.close();
    await bss.close();
  });

  it.each(['drop', 'http503'] as const)('%s: a safeToRetry lookup is sent 3 times, an order once', async (mode) => {
    bss.mode = mode;
    expect((await failure(call(client, lookup))).status).toBe(503);
    expect(bss.count('/addr/lookup')).toBe(3);
    expect((await failure(call(client, placeOrder))).status).toBe(503);
    expect(bss.count('/orders')).toBe(1);
  });

  it('a GET is safe by definition, even when its operation does not say so', async () => {
    bss.mode = 'http503';
    const read: LegacyOperationDef = { name: 'readOrder', method: 'GET', path: '/orders/1', safeToRetry: false };
    expect((await failure(call(client, read))).status).toBe(503);
    expect(bss.count('/orders/1')).toBe(3);
  });

  it("a timeout is not retried even when safe (a second wait would double the partner's)", async () => {
    bss.mode = 'hang';
    expect((await failure(call(client, lookup))).code).toBe('upstream.timeout');
    expect(bss.count()).toBe(1);
  });

  it('a retry that succeeds answers normally', async () => {
    bss.script = ['http503', 'drop'];
    await expect(call(client, lookup)).resolves.toMatchObject({ RC: 0 });
    expect(bss.count()).toBe(3);
  });
});
