import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSellerClient, SellerCallError, type SellerCall } from '../../src/buyer/seller-client.js';
import { createStore } from '../../src/state/create-store.js';
import { createCapturingLogger } from '../support/test-gateway.js';

/** A tiny seller: `/token` issues numbered tokens; `/api/*` answers by script, 401 for a token it does not know. */
let server: Server;
let base = '';
let tokenCalls = 0;
let valid = new Set<string>();
let script: number[] = [];
let apiCalls: Array<{ method: string; auth: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/token') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const basic = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ''), 'base64').toString();
        if (form.get('grant_type') !== 'client_credentials' || basic !== 'gw:secret') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        const token = `t${++tokenCalls}`;
        valid.add(token);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
        return;
      }
      apiCalls.push({ method: req.method!, auth: req.headers.authorization });
      if (!valid.has(String(req.headers.authorization).replace(/^Bearer /, ''))) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"invalidCredentials","reason":"unknown token"}');
        return;
      }
      const status = script.shift() ?? 200;
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(status === 200 ? '{"ok":true}' : '{"code":"internalError","reason":"busy"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  tokenCalls = 0;
  valid = new Set();
  script = [];
  apiCalls = [];
});

const { logger } = createCapturingLogger('error');
const call = (over: Partial<SellerCall> = {}): SellerCall => ({
  seller: 'north',
  endpoint: { baseUrl: base, tokenUrl: `${base}/token`, clientId: 'gw', clientSecret: 'secret', timeoutMs: 2000 },
  method: 'GET',
  path: '/api/thing',
  safeToRetry: true,
  requestId: 'r1',
  logger,
  ...over,
});

describe('createSellerClient', () => {
  it('two gateway instances sharing a store use one token for all their calls', async () => {
    const store = createStore({ prefix: 'sc1:' });
    const a = createSellerClient({ store, logger });
    const b = createSellerClient({ store, logger });
    await Promise.all([a.call(call()), a.call(call()), a.call(call())]);
    await b.call(call());
    expect(tokenCalls).toBe(1);
    expect(new Set(apiCalls.map((c) => c.auth))).toEqual(new Set(['Bearer t1']));
    await Promise.all([a.close(), b.close(), store.close()]);
  });

  it('refreshes shortly before expiry, not after', async () => {
    const store = createStore({ prefix: 'sc2:' });
    let clock = 1_000_000;
    const client = createSellerClient({ store, logger, now: () => clock });
    await client.call(call());
    clock += 500_000; // 500 s of a 600 s token: still used
    await client.call(call());
    expect(tokenCalls).toBe(1);
    clock += 75_000; // 575 s: inside the 30 s margin before expiry, so a new one (the cached copy is still in the store)
    expect(await store.getJson('buyer:token:north:gw')).toMatchObject({ accessToken: 't1' });
    await client.call(call());
    expect(tokenCalls).toBe(2);
    await Promise.all([client.close(), store.close()]);
  });

  it('a 401 refreshes the token once, and a create refused that way is sent again (the seller did not process it)', async () => {
    const store = createStore({ prefix: 'sc3:' });
    const client = createSellerClient({ store, logger });
    await client.call(call());
    valid.clear(); // the seller forgot every token
    const answer = await client.call(call({ method: 'POST', body: { a: 1 }, safeToRetry: false }));
    expect(answer.status).toBe(200);
    expect(tokenCalls).toBe(2);
    expect(apiCalls.map((c) => `${c.method} ${c.auth}`)).toEqual(['GET Bearer t1', 'POST Bearer t1', 'POST Bearer t2']);
    await Promise.all([client.close(), store.close()]);
  });

  it('retries a safe call once on 503, never an unsafe one', async () => {
    const store = createStore({ prefix: 'sc4:' });
    const client = createSellerClient({ store, logger });
    script = [503];
    expect((await client.call(call())).status).toBe(200);
    expect(apiCalls).toHaveLength(2);
    apiCalls = [];
    script = [503];
    const err = await client.call(call({ method: 'POST', body: {}, safeToRetry: false })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SellerCallError);
    expect((err as SellerCallError).failure).toEqual({
      kind: 'http',
      status: 503,
      error: { code: 'internalError', reason: 'busy' },
    });
    expect(apiCalls).toHaveLength(1);
    await Promise.all([client.close(), store.close()]);
  });

  it('a token endpoint that refuses us is a token failure; nothing reaches the API', async () => {
    const store = createStore({ prefix: 'sc5:' });
    const client = createSellerClient({ store, logger });
    const err = await client.call(call({ endpoint: { ...call().endpoint, clientSecret: 'wrong' } })).catch((e: unknown) => e);
    expect((err as SellerCallError).failure).toEqual({
      kind: 'token',
      detail: 'token endpoint answered HTTP 401 invalid_client',
    });
    expect(apiCalls).toHaveLength(0);
    await Promise.all([client.close(), store.close()]);
  });

  it('a closed port is a connect failure', async () => {
    const store = createStore({ prefix: 'sc6:' });
    const client = createSellerClient({ store, logger });
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await client
      .call(call({ endpoint: { ...call().endpoint, tokenUrl: `http://127.0.0.1:${port}/token` } }))
      .catch((e: unknown) => e);
    expect((err as SellerCallError).failure.kind).toBe('token');
    await store.setJson('buyer:token:north:gw', { accessToken: 't9', useUntil: Date.now() + 60_000 });
    const direct = await client
      .call(call({ endpoint: { ...call().endpoint, baseUrl: `http://127.0.0.1:${port}` } }))
      .catch((e: unknown) => e);
    expect((direct as SellerCallError).failure).toEqual({ kind: 'connect', detail: 'ECONNREFUSED' });
    await Promise.all([client.close(), store.close()]);
  });
});
