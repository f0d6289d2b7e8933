/**
 * Upstreams failing as a partner meets them. Seller side: the legacy BSS simulator runs in its own process; slow,
 * killed -9 and restarted, partners get the catalogue's statuses (504 timeout, 503 unreachable with Retry-After),
 * every request is answered, a create refused during the outage leaves no order behind, and the gateway recovers by
 * itself. Buyer side: a partner seller that hangs or is down is answered to the legacy BSS in its conventions
 * (RC 12), never a hang. Assertions are about what callers rely on, not about breaker or retry internals.
 */
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graceOrder, LEGACY_KEY, ORDER_BASE } from '../sonata/product-order-support.js';
import { copyProject, PARTNERS, REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { faultTestsUnavailable, freePort, startChild, until, type FaultChild } from './support.js';

const skipReason = faultTestsUnavailable();
/** legacy.timeoutMs of config/test.yaml */
const LEGACY_TIMEOUT_MS = 2000;
/** An answer later than this counts as a hang (several times every configured timeout). */
const HANG_MS = 15_000;
const INTERNAL_KEY = 'demo-internal-key-0123456789';
const addressBody = {
  provideAlternative: true,
  submittedGeographicAddress: {
    '@type': 'FieldedAddress',
    streetNr: '12',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    country: 'DE',
  },
};

/** A request that must be answered before HANG_MS (any status); a hang fails the test naming the call. */
async function answered(
  gw: TestGateway,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(gw.url + path, {
    method,
    signal: AbortSignal.timeout(HANG_MS),
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  }).catch((err: unknown) => {
    throw new Error(`${method} ${path} was not answered: ${String(err)}`);
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A TCP server that accepts connections and never answers (a hung upstream). */
async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe.skipIf(skipReason !== undefined)(
  `legacy BSS in its own process: slow, killed, restarted${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let port: number;
    let legacy: FaultChild;
    let gw: TestGateway;
    let token: string;
    const startLegacy = async () => {
      legacy = await startChild({
        role: 'legacy',
        apiKey: LEGACY_KEY,
        dataDir: join(REPO_ROOT, 'simulators', 'data', 'legacy-bss'),
        port,
        faultInjection: true,
      });
    };

    beforeAll(async () => {
      port = await freePort();
      await startLegacy();
      gw = await startTestGateway({ env: { LEGACY_BSS_URL: legacy.url } });
      token = await gw.token('acme');
    }, 40_000);
    afterAll(async () => {
      await gw?.close();
      await legacy?.kill9();
    });

    const validate = (headers: Record<string, string> = {}) =>
      answered(gw, 'POST', `${PARTNERS.acme.addressBase}/geographicAddressValidation`, {
        token,
        body: addressBody,
        headers,
      });

    it('a BSS slower than legacy.timeoutMs: 504 internalError, answered', async () => {
      expect((await validate()).status).toBe(200);
      const slow = await validate({ 'x-sim-fault': `delay=${LEGACY_TIMEOUT_MS * 2}` });
      expect([503, 504], JSON.stringify(slow.body)).toContain(slow.status);
      expect(slow.body.code).toBe('internalError');
    });

    it('a BSS killed -9: 503 with Retry-After, no order left behind; back by itself once the BSS restarts', async () => {
      await legacy.kill9();
      const down = await validate();
      expect(down.status, JSON.stringify(down.body)).toBe(503);
      expect(down.body.code).toBe('internalError');
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);

      const create = await answered(gw, 'POST', `${ORDER_BASE.grace}/productOrder`, {
        token,
        body: graceOrder({ externalId: 'ACME-BSS-DOWN-1' }),
      });
      expect(create.status, JSON.stringify(create.body)).toBe(503);
      const listed = await answered(gw, 'GET', `${ORDER_BASE.grace}/productOrder?externalId=ACME-BSS-DOWN-1`, {
        token,
      });
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([]);

      await startLegacy();
      // the partner retries, as Retry-After told it to: once the BSS is back, so is the answer
      const back = await until(
        () => validate(),
        (r) => r.status === 200,
        20_000,
        'address validation after the BSS restart',
      );
      expect(back.body.bestMatchGeographicAddress.id).toEqual(expect.any(String));
      const retried = await answered(gw, 'POST', `${ORDER_BASE.grace}/productOrder`, {
        token,
        body: graceOrder({ externalId: 'ACME-BSS-DOWN-1' }),
      });
      expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    }, 40_000);
  },
);

describe.skipIf(skipReason !== undefined)(
  `a partner seller that hangs or is down (buyer side)${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let hole: Awaited<ReturnType<typeof startBlackHole>>;
    let project: ReturnType<typeof copyProject>;
    let gw: TestGateway;
    const buy = (path: string, body: unknown) =>
      answered(gw, 'POST', `/internal/buyer${path}`, { body, headers: { 'x-internal-api-key': INTERNAL_KEY } });
    const check = { STREET: 'Baker Street', TOWN: 'London', COUNTRY: 'United Kingdom' };

    beforeAll(async () => {
      hole = await startBlackHole();
      project = copyProject();
      // Southwind (the UK seller) at the hung address, with a short timeout so the test does not wait long
      const file = join(project.dir, 'partners', 'southwind-fibre', 'partner.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .replace(/baseUrl: embedded[^\n]*/, `baseUrl: ${hole.url}`)
          .replace(/tokenUrl: embedded[^\n]*/, `tokenUrl: ${hole.url}/oauth2/token`)
          .replace('timeoutMs: 5000', 'timeoutMs: 700'),
      );
      gw = await startTestGateway({ rootDir: project.dir });
    }, 40_000);
    afterAll(async () => {
      await gw?.close();
      await hole?.close();
      project?.cleanup();
    });

    it('a hung seller: RC 12 within the seller timeout, nothing done', async () => {
      const res = await buy('/address/check', check);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ RC: 12, SELLER: 'southwind-fibre' });
      expect(String(res.body.ERR_CODE)).toMatch(/^seller\./);
    });

    it('a seller that is down: RC 12 at once, unreachable', async () => {
      await hole.close();
      const res = await buy('/address/check', check);
      expect(res.status).toBe(200);
      // its token endpoint is down too, so the first call that fails is the token request: nothing was sent either way
      expect(res.body).toMatchObject({ RC: 12, SELLER: 'southwind-fibre', OUTCOME: 'NOT_DONE' });
      expect(String(res.body.ERR_CODE)).toMatch(/^seller\.(unreachable|token)$/);
    });
  },
);
