import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRateLimits } from '../../src/pipeline/rate-limits.js';
import { copyProject, PARTNERS, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

// Small quotas and hour-long windows: no request here comes near a window's end, so nothing depends on timing.
const LIMITS = `
limits:
  partner: { points: 4, durationSeconds: 3600 }
  token: { points: 5, durationSeconds: 3600, failureCost: 3 }
  internal: { points: 5, durationSeconds: 3600, failureCost: 3 }
`;
const GLOBEX_LIMITS = `
limits:
  default: { points: 3, durationSeconds: 3600 }
  perApi:
    geographicAddressManagement: { points: 2, durationSeconds: 3600 }
`;
const INTERNAL_KEY = readFileSync(join(import.meta.dirname, '..', '..', 'config', 'test.env'), 'utf8')
  .match(/^INTERNAL_API_KEY=(.*)$/m)![1]!
  .trim();
const kylieAddress = createSpecCatalog({ sdkDir: SDK_DIR }).api('kylie', 'geographicAddressManagement')!;

/** A copy of the project whose test config and Globex profile carry the small limits above. */
function limitedProject(): { dir: string; cleanup(): void } {
  const project = copyProject();
  const testYaml = join(project.dir, 'config', 'test.yaml');
  writeFileSync(testYaml, readFileSync(testYaml, 'utf8').replace(/^limits:\n(?: .*\n)*/m, '') + LIMITS);
  const globex = join(project.dir, 'partners', 'globex-networks', 'partner.yaml');
  writeFileSync(globex, readFileSync(globex, 'utf8') + GLOBEX_LIMITS);
  return project;
}

async function tokenRequest(base: string, clientId: string, secret: string): Promise<Response> {
  return fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
}

describe('rate limits', () => {
  let project: { dir: string; cleanup(): void };
  beforeAll(() => {
    project = limitedProject();
  });
  afterAll(() => project.cleanup());

  describe('per partner and API (partner.yaml limits:)', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ rootDir: project.dir });
    });
    afterAll(async () => gw.close());

    it('announces the quota on every answer and refuses the request past it with 429, Retry-After and a Sonata body', async () => {
      const globex = await gw.token('globex');
      const hubItem = `${PARTNERS.globex.addressBase}/hub/${randomUUID()}`;
      const first = await gw.call('GET', hubItem, { token: globex });
      expect(first.status).toBe(404); // counted like any other answer
      expect(first.headers.get('ratelimit-policy')).toBe('"partner";q=2;w=3600');
      expect(first.headers.get('ratelimit')).toMatch(/^"partner";r=1;t=(3600|359\d)$/);
      expect((await gw.call('GET', hubItem, { token: globex })).headers.get('ratelimit')).toMatch(/^"partner";r=0;t=\d+$/);

      const refused = await gw.call('GET', hubItem, { token: globex });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
      expect(refused.headers.get('ratelimit')).toMatch(/^"partner";r=0;t=\d+$/);
      expect(refused.body).toMatchObject({
        code: 'tooManyRequests',
        reason: expect.any(String),
        message: expect.stringContaining('globex-networks may send 2 requests per 3600 s'),
      });
      // no release declares a 429: the body must still be a valid Sonata Error (the base schema)
      expect(kylieAddress.operationById('retrieveHub')!.validateResponseBody(500, { ...refused.body, code: 'internalError' })).toEqual([]);
    });

    it("counts each API separately (the partner's default for the others) and each partner separately (the gateway default)", async () => {
      const globex = await gw.token('globex');
      const orders = '/mefApi/sonata/productOrderingManagement/v11/productOrder';
      for (let i = 0; i < 3; i++) {
        const res = await gw.call('GET', orders, { token: globex });
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-policy')).toBe('"partner";q=3;w=3600');
      }
      expect((await gw.call('GET', orders, { token: globex })).status).toBe(429);

      const acme = await gw.token('acme');
      const acmeOrders = '/mefApi/sonata/productOrderingManagement/v10/productOrder';
      const res = await gw.call('GET', acmeOrders, { token: acme });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"partner";q=4;w=3600');
    });
  });

  describe('token endpoint', () => {
    let gw: TestGateway;
    let v6: Server;
    let v6Url: string;
    beforeAll(async () => {
      gw = await startTestGateway({ rootDir: project.dir });
      // the same gateway on the IPv6 loopback: requests from another source address
      v6 = createServer(gw.gateway.app);
      await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
      v6Url = `http://[::1]:${(v6.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => v6.close(resolve));
      await gw.close();
    });

    it('charges wrong secrets harder: the third guess from an address gets 429 with RFC 6749 JSON; that client stays blocked from elsewhere', async () => {
      const wrong1 = await tokenRequest(gw.url, PARTNERS.acme.clientId, 'not-the-secret-1');
      expect(wrong1.status).toBe(401);
      expect((await tokenRequest(gw.url, PARTNERS.acme.clientId, 'not-the-secret-2')).status).toBe(401);
      const blocked = await tokenRequest(gw.url, PARTNERS.acme.clientId, PARTNERS.acme.secret);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(3000);
      expect(blocked.headers.get('ratelimit-policy')).toBe('"token";q=5;w=3600');
      expect(blocked.headers.get('cache-control')).toBe('no-store');
      expect(await blocked.json()).toEqual({
        error: 'slow_down',
        error_description: expect.stringContaining('retry after'),
      });
      // this address is blocked for every client ...
      expect((await tokenRequest(gw.url, PARTNERS.globex.clientId, PARTNERS.globex.secret)).status).toBe(429);
      // ... and the guessed client from every address (credentials in HTTP Basic count the same as in the form)
      const basic = await fetch(`${v6Url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${PARTNERS.acme.clientId}:${PARTNERS.acme.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(basic.status).toBe(429);
      // while another client from another address is served
      expect((await tokenRequest(v6Url, PARTNERS.globex.clientId, PARTNERS.globex.secret)).status).toBe(200);
    });
  });

  describe('internal API key', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ rootDir: project.dir });
    });
    afterAll(async () => gw.close());

    it('charges wrong keys harder per source address: after two, even the right key gets 429 (Sonata body)', async () => {
      expect((await gw.call('GET', '/internal/tasks', { headers: { 'x-internal-api-key': INTERNAL_KEY } })).status).toBe(200);
      expect((await gw.call('GET', '/internal/tasks', { headers: { 'x-internal-api-key': 'wrong-key-wrong-key-1' } })).status).toBe(401);
      expect((await gw.call('GET', '/internal/tasks', {})).status).toBe(401);
      const refused = await gw.call('GET', '/internal/tasks', { headers: { 'x-internal-api-key': INTERNAL_KEY } });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      expect(refused.headers.get('ratelimit-policy')).toBe('"internal";q=5;w=3600');
      expect(refused.body).toMatchObject({ code: 'tooManyRequests' });
    });
  });

  describe.skipIf(!process.env.REDIS_URL)('shared across instances (Redis)', () => {
    let a: TestGateway;
    let b: TestGateway;
    beforeAll(async () => {
      const prefix = `sgw:test:rl-${randomUUID().slice(0, 8)}:`;
      a = await startTestGateway({ rootDir: project.dir, env: { REDIS_PREFIX: prefix } });
      b = await startTestGateway({ rootDir: project.dir, env: { REDIS_PREFIX: prefix } });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
    });

    it("the second instance sees the first one's consumption", async () => {
      const globex = await a.token('globex');
      const hubItem = `${PARTNERS.globex.addressBase}/hub/${randomUUID()}`;
      expect((await a.call('GET', hubItem, { token: globex })).headers.get('ratelimit')).toMatch(/^"partner";r=1;/);
      expect((await b.call('GET', hubItem, { token: globex })).headers.get('ratelimit')).toMatch(/^"partner";r=0;/);
      expect((await a.call('GET', hubItem, { token: globex })).status).toBe(429);
      expect((await b.call('GET', hubItem, { token: globex })).status).toBe(429);
    });
  });
});

describe('rate limits while Redis is unreachable', () => {
  it('count in process (insurance limiter) instead of refusing or waving every request through', async () => {
    const limits = createRateLimits({
      limits: {
        partner: { points: 1, durationSeconds: 3600 },
        token: { points: 1, durationSeconds: 3600, failureCost: 1 },
        internal: { points: 2, durationSeconds: 3600, failureCost: 1 },
      },
      redisUrl: 'redis://127.0.0.1:1', // nothing listens there
      prefix: `sgw:test:rl-down-${randomUUID().slice(0, 8)}:`,
      logger: createLogger({ level: 'error' }),
    });
    const app = express();
    app.use('/internal', limits.internal, (_req, res) => {
      res.status(204).end();
    });
    app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).end();
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/internal/x`)).status);
      expect(statuses).toEqual([204, 204, 429]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await limits.close();
    }
  });
});
