import { expect } from 'vitest';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSonataSeller } from '../../simulators/src/sonata-seller/start-sonata-seller.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

export const INTERNAL_KEY = 'demo-internal-key-0123456789';
export const WEBHOOK_SECRET = 'buyer-webhook-secret-for-tests';

/** What the legacy BSS's webhook received. */
export interface ReceivedWebhook {
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingHttpHeaders;
}

/** A local HTTP listener standing in for the legacy BSS's webhook; waits are event driven. */
export interface WebhookListener {
  url: string;
  received: ReceivedWebhook[];
  /** resolves with the first webhook (already received or future) that matches; rejects after timeoutMs */
  waitFor(match: (w: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  /** answer this status to the next n deliveries (to test redelivery) */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

export async function startWebhookListener(): Promise<WebhookListener> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  let failures = 0;
  let failStatus = 503;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(failStatus).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ body: JSON.parse(raw) as Record<string, unknown>, raw, headers: req.headers });
      res.writeHead(204).end();
      for (const w of [...waiters]) w();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bss/buyer-events`,
    received,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = received.find(match);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching webhook within ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => [r.body.EVT_TYPE, r.body.OBJ_ID, r.body.NEW_STATUS]))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The test gateway with the embedded strict sellers (one per release) and a webhook listener for the legacy BSS. */
export interface BuyerTestbed {
  gw: TestGateway;
  webhook: WebhookListener;
  grace: RunningSonataSeller;
  kylie: RunningSonataSeller;
  billie: RunningSonataSeller;
  /** a call to /internal/buyer/... as the legacy BSS makes it */
  legacy(method: string, path: string, body?: unknown): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export async function startBuyerTestbed(opts: { rootDir?: string } = {}): Promise<BuyerTestbed> {
  const webhook = await startWebhookListener();
  const gw = await startTestGateway({
    rootDir: opts.rootDir,
    env: { LEGACY_BUYER_WEBHOOK_URL: webhook.url, LEGACY_BUYER_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
  const grace = gw.gateway.sellers.get('northwind-access');
  const kylie = gw.gateway.sellers.get('southwind-fibre');
  const billie = gw.gateway.sellers.get('westwind-carrier');
  if (!grace || !kylie || !billie) throw new Error('the embedded sellers did not start');
  return {
    gw,
    webhook,
    grace,
    kylie,
    billie,
    async legacy(method, path, body) {
      const res = await gw.call(method, `/internal/buyer${path}`, {
        body,
        headers: { 'x-internal-api-key': INTERNAL_KEY },
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body as Record<string, any>;
    },
    async close() {
      await gw.close();
      await webhook.close();
    },
  };
}

/** A date `days` from now as the legacy BSS writes dates (dd.MM.yyyy, Berlin). */
export function legacyDate(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value;
  return `${get('day')}.${get('month')}.${get('year')}`;
}

/**
 * The strict seller simulator found an operation of the release's OpenAPI file for each request it received (those
 * whose path includes `pathIncludes`, when given; more than `moreThan` of them) and no problem in it or its answer.
 */
export function expectStrictSellerCalls(seller: RunningSonataSeller, opts: { pathIncludes?: string; moreThan?: number } = {}): void {
  const calls = seller.control.received().filter((r) => opts.pathIncludes === undefined || r.path.includes(opts.pathIncludes));
  expect(calls.length).toBeGreaterThan(opts.moreThan ?? 0);
  for (const r of calls) {
    expect(r.operationId, `${r.method} ${r.path}`).toBeTruthy();
    expect(r.issues, `${r.method} ${r.path}`).toEqual([]);
    expect(r.responseIssues, `${r.method} ${r.path}`).toEqual([]);
  }
}
