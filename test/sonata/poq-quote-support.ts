/** Shared helpers of the POQ and Quote integration tests: spec checks, a controlled gateway, the simulator's
 * back office, and a Buyer listener for hub notifications. */
import { allowTestCallback, forgetTestCallback } from '../support/test-listeners.js';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseDocument } from 'yaml';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { copyProject, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { observedArray } from '../support/wait.js';

const specs = createSpecCatalog({ sdkDir: SDK_DIR });

/** The simulator's API key in the test environment (config/test.env). */
const LEGACY_KEY = 'demo-legacy-key-42';

/** Legacy customer numbers of the demo partners (partner.yaml legacyCustomerId). */
export const CUSTOMERS = { acme: 'C-100042', globex: 'C-100077' } as const;

/** Asserts a Sonata answer (status and body) is valid for that operation of the release's official spec. */
export function expectSpecValid(
  release: SonataRelease,
  apiName: string,
  operationId: string,
  res: { status: number; body: unknown },
): void {
  const op = specs.api(release, apiName)?.operationById(operationId);
  expect(op, `${release} ${apiName} ${operationId} exists in the SDK`).toBeDefined();
  expect(op!.validateResponseBody(res.status, res.body)).toEqual([]);
}

/** Asserts a notification body matches the named schema of the release's notification API. */
export function expectEventValid(release: SonataRelease, apiName: string, schema: string, body: unknown): void {
  expect(specs.validateSchema(release, apiName, schema, body)).toEqual([]);
}

/** Asserts a list answer carries the Sonata pagination headers with these counts. */
export function expectPage(res: { headers: Headers; body: unknown }, total: number | undefined, throttled = false): void {
  expect(Array.isArray(res.body)).toBe(true);
  const count = (res.body as unknown[]).length;
  expect(res.headers.get('x-result-count')).toBe(String(count));
  if (total !== undefined) expect(res.headers.get('x-total-count')).toBe(String(total));
  else expect(Number(res.headers.get('x-total-count'))).toBeGreaterThanOrEqual(count);
  expect(res.headers.get('x-pagination-throttled')).toBe(String(throttled));
}

/** Partner policy overrides for a controlled gateway (partners/<id>/partner.yaml `policy`). */
export type PolicyEdits = Partial<Record<'acme-telecom' | 'globex-networks', { pilotCountries?: string[]; budgetaryQuotes?: boolean }>>;

/**
 * A gateway on a temporary copy of the project whose simulator never completes deferred requests by itself
 * (tests move them with the `_sim` endpoints) and whose partners carry the given policies.
 */
export async function startControlledGateway(policies: PolicyEdits): Promise<{ gw: TestGateway; cleanup(): Promise<void> }> {
  const project = copyProject();
  const edit = (file: string, change: (doc: ReturnType<typeof parseDocument>) => void) => {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    change(doc);
    writeFileSync(file, doc.toString());
  };
  edit(join(project.dir, 'config', 'test.yaml'), (doc) => doc.setIn(['legacy', 'simulator', 'deferredDelayMs'], 3_600_000));
  for (const [partner, policy] of Object.entries(policies)) {
    edit(join(project.dir, 'partners', partner, 'partner.yaml'), (doc) => doc.set('policy', policy));
  }
  try {
    const gw = await startTestGateway({ rootDir: project.dir, env: { SONATA_SDK_DIR: SDK_DIR } });
    return {
      gw,
      async cleanup() {
        await gw.close();
        project.cleanup();
      },
    };
  } catch (err) {
    project.cleanup();
    throw err;
  }
}

/** Calls the gateway's embedded legacy BSS simulator directly (its own API, RC envelope). */
export async function callLegacy(gw: TestGateway, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${gw.gateway.legacyUrl}/bss/v2${path}`, {
    method,
    headers: { 'X-BSS-Api-Key': LEGACY_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, any>;
  expect(answer.RC, JSON.stringify(answer)).toBe(0);
  return answer;
}

/** The legacy object behind a Sonata resource: the gateway sends its id without dashes as REQ_REF. */
export async function findLegacy(
  gw: TestGateway,
  domain: 'feasibility' | 'offers',
  customer: string,
  sonataId: string,
): Promise<Record<string, any>> {
  const answer = await callLegacy(gw, 'GET', `/${domain}?CUST_NO=${customer}&REQ_REF=${sonataId.replace(/-/g, '')}`);
  const list = (domain === 'feasibility' ? answer.FEAS_LIST : answer.OFFERS) as Array<Record<string, any>>;
  expect(list).toHaveLength(1);
  return list[0]!;
}

/** Moves a legacy object along its lifecycle, as the provider's back office would (`_sim` advance). */
export async function advanceLegacy(
  gw: TestGateway,
  domain: 'feasibility' | 'offers',
  legacyId: string,
  body: Record<string, string> = {},
): Promise<Record<string, any>> {
  return callLegacy(gw, 'POST', `/_sim/${domain}/${legacyId}/advance`, body);
}

/** A Buyer's notification listener on 127.0.0.1 that records every call and answers 204. */
export interface BuyerListener {
  readonly origin: string;
  readonly calls: Array<{ url: string; body: any }>;
  /** resolves with the first call whose URL path ends with `suffix` (and that `match` accepts), waiting up to 5 s */
  next(suffix: string, match?: (body: any) => boolean): Promise<{ url: string; body: any }>;
  close(): Promise<void>;
}

export async function startBuyerListener(): Promise<BuyerListener> {
  const calls = observedArray<{ url: string; body: any }>(); // test/support/wait.ts waits wake on each call
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      calls.push({ url: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      res.statusCode = 204;
      res.end();
      server.emit('call');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  allowTestCallback(`http://127.0.0.1:${port}`);
  const find = (suffix: string, match?: (body: any) => boolean) =>
    calls.find((c) => c.url.split('?')[0]!.endsWith(suffix) && (!match || match(c.body)));
  return {
    origin: `http://127.0.0.1:${port}`,
    calls,
    async next(suffix, match) {
      const deadline = AbortSignal.timeout(5_000);
      for (let found = find(suffix, match); ; found = find(suffix, match)) {
        if (found) return found;
        await once(server, 'call', { signal: deadline }).catch(() => {
          throw new Error(`no notification ${suffix} within 5 s; received: ${calls.map((c) => c.url).join(', ') || 'none'}`);
        });
      }
    },
    close: () => {
      forgetTestCallback(`http://127.0.0.1:${port}`);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A contact as Buyers send it (E.164 number with spaces, which the gateway normalises). */
export const buyerContact = (number = '+49 30 1234567') => ({
  role: 'buyerContactInformation',
  name: 'Anna Buyer',
  emailAddress: 'anna.buyer@example.com',
  number,
});
