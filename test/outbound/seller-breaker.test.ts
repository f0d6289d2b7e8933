/**
 * One breaker per seller, against real fake sellers on 127.0.0.1: a dead seller fails fast once its breaker is open
 * (nothing reaches it, not even a token request) while another seller is still called; a create is never retried.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSellerClient,
  SellerCallError,
  sellerBreakerName,
  type SellerCall,
  type SellerClient,
} from '../../src/buyer/seller-client.js';
import { classifySellerFailure } from '../../src/buyer/seller-failure.js';
import { createLogger } from '../../src/observability/logger.js';
import { createBreakerBoard, type BreakerBoard } from '../../src/outbound/circuit-breakers.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import type { Store } from '../../src/state/store.js';
import { nextBreakerEvent, startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

const logger = createLogger({ level: 'error' });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => (err as SellerCallError).failure,
  );

describe('seller client: one breaker per seller, retries only when safe', () => {
  let north: FakeUpstream;
  let south: FakeUpstream;
  let board: BreakerBoard;
  let store: Store;
  let client: SellerClient;
  const req = (seller: string, up: FakeUpstream, over: Partial<SellerCall> = {}): SellerCall => ({
    seller,
    endpoint: {
      baseUrl: up.url,
      tokenUrl: `${up.url}/oauth2/token`,
      clientId: 'gw',
      clientSecret: 's',
      timeoutMs: 150,
    },
    method: 'GET',
    path: '/mefApi/sonata/quoteManagement/v8/quote/Q1',
    safeToRetry: true,
    requestId: 'r',
    logger,
    ...over,
  });
  const create = (seller: string, up: FakeUpstream) =>
    req(seller, up, {
      method: 'POST',
      path: '/mefApi/sonata/productOrderingManagement/v10/productOrder',
      body: { a: 1 },
      safeToRetry: false,
    });

  beforeEach(async () => {
    north = await startFakeUpstream(() => ({ id: 'X' }));
    south = await startFakeUpstream(() => ({ id: 'Y' }));
    board = createBreakerBoard();
    store = createMemoryStore();
    client = createSellerClient({
      store,
      logger,
      breakers: board,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      breaker: {
        enabled: true,
        volumeThreshold: 2,
        errorThresholdPercentage: 50,
        resetTimeoutMs: 300,
        rollingWindowMs: 10_000,
      },
    });
  });
  afterEach(async () => {
    await client.close();
    board.close();
    await store.close();
    await north.close();
    await south.close();
  });

  it('a hanging seller opens its own breaker; then nothing reaches it while the other seller is still called', async () => {
    await client.call(req('north', north)); // token cached
    north.mode = 'hang';
    expect((await failure(client.call(create('north', north)))).kind).toBe('timeout');
    expect((await failure(client.call(create('north', north)))).kind).toBe('timeout');
    expect(board.snapshot()[sellerBreakerName('north')]!.state).toBe('open');
    const before = north.count();

    const refused = await failure(client.call(req('north', north)));
    expect(refused).toMatchObject({ kind: 'circuit-open', retryAfterMs: expect.any(Number) });
    expect(north.count()).toBe(before);
    // the legacy BSS hears RC 12, nothing done, with its own code
    expect(classifySellerFailure(refused, { seller: 'north', action: 'quote retrieval', safeToRetry: true })).toMatchObject({
      rc: 12,
      code: 'seller.circuit-open',
      outcome: 'NOT_DONE',
    });

    await expect(client.call(req('south', south))).resolves.toMatchObject({ status: 200, body: { id: 'Y' } });
    expect(board.snapshot()[sellerBreakerName('south')]!.state).toBe('closed');
  });

  it('closes after a successful half-open probe when the seller is back', async () => {
    north.mode = 'http503';
    await failure(client.call(create('north', north)));
    await failure(client.call(create('north', north)));
    expect(board.snapshot()[sellerBreakerName('north')]!.state).toBe('open');
    north.mode = 'ok';
    await nextBreakerEvent(board, sellerBreakerName('north'), 'half-open');
    await expect(client.call(req('north', north))).resolves.toMatchObject({ status: 200 });
    expect(board.snapshot()[sellerBreakerName('north')]!.state).toBe('closed');
  });

  it.each(['drop', 'http503'] as const)('%s: a read is tried 3 times, a create once (counted at the seller)', async (mode) => {
    const lenient = createSellerClient({ store, logger, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    try {
      await lenient.call(req('south', south)); // token
      south.mode = mode;
      await failure(lenient.call(req('south', south)));
      expect(south.count('/mefApi/sonata/quoteManagement')).toBe(1 + 3);
      await failure(lenient.call(create('south', south)));
      expect(south.count('/mefApi/sonata/productOrderingManagement')).toBe(1);
    } finally {
      await lenient.close();
    }
  });

  it('4xx answers do not open the breaker (the seller is healthy, the request was refused)', async () => {
    north.mode = 'http404';
    for (let i = 0; i < 4; i++) expect(await failure(client.call(req('north', north)))).toMatchObject({ kind: 'http', status: 404 });
    expect(north.count('/mefApi')).toBe(4);
    expect(board.snapshot()[sellerBreakerName('north')]).toMatchObject({ state: 'closed', failures: 0 });
  });
});
