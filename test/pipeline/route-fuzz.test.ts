import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/*
 * Every route, fed malformed paths, queries, headers and bodies (fast-check, seeded from committed bodies): the
 * answer is never a 5xx (501 notImplemented excepted: a Sonata answer for optional operations), never shows a
 * stack trace, and an error body stays within its size cap.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const ERROR_BODY_CAP = 16 * 1024;
const CORPUS_DIR = join(REPO_ROOT, 'test', 'pipeline', 'fuzz-corpus');
const CORPUS: unknown[] = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(CORPUS_DIR, f), 'utf8')) as unknown);
const PARTNER_OF_RELEASE = { grace: 'acme', kylie: 'globex', billie: 'initech' } as const;
const INTERNAL_KEY = 'demo-internal-key-0123456789';
const BUYER_ROUTES = [
  'POST /buyer/address/check',
  'POST /buyer/feasibility',
  'GET /buyer/feasibility/{id}',
  'POST /buyer/quotes',
  'GET /buyer/quotes/{id}',
  'POST /buyer/quotes/{id}/withdraw',
  'POST /buyer/orders',
  'GET /buyer/orders',
  'POST /buyer/orders/search',
  'GET /buyer/orders/{id}',
  'POST /buyer/orders/{id}/cancel',
  'GET /buyer/products/{id}',
  'POST /buyer/tickets',
  'GET /buyer/tickets/{id}',
  'POST /buyer/hubs/register',
];

interface Route {
  method: string;
  template: string;
  auth: 'acme' | 'globex' | 'initech' | 'internal' | 'none';
}

const segment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%', '%E0%A4%A', '%20', '%2F..%2F', '..', '%00', '%FF%FE', 'a'.repeat(3000), '%25', '{id}', '%C0%AF', ''),
  fc.uuid(),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 4 })
    .map((d) => `?${new URLSearchParams(d).toString()}`),
  fc.constantFrom(
    '?%',
    '?state=bogus',
    '?limit=-1&offset=abc',
    '?buyerId=',
    '?buyerId=x&buyerId=y',
    '?limit=99999999999999999999',
    '?&&==&',
    '?offset=1e400',
  ),
);
/** a committed body, one of its values replaced by arbitrary JSON */
const mutated = fc
  .tuple(fc.constantFrom(...CORPUS), fc.jsonValue({ maxDepth: 3 }), fc.nat())
  .map(([seed, value, n]) => mutate(seed, value, n));
const body = fc.oneof(
  fc.constant(undefined),
  mutated.map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[]',
    'null',
    '"x"',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{}}}',
    '\u0000',
    '{"a":1}{"b":2}',
  ),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json;charset=utf-8',
  'application/json;charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  undefined,
  '',
);
const authVariant = fc.constantFrom('valid', 'valid', 'valid', 'garbage', 'empty', 'basic', 'none');

function mutate(seed: unknown, value: unknown, n: number): unknown {
  const copy = structuredClone(seed) as Record<string, unknown>;
  const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v))
      v.forEach((item, i) => {
        paths.push([v, i]);
        walk(item);
      });
    else if (v && typeof v === 'object')
      for (const k of Object.keys(v)) {
        paths.push([v as Record<string, unknown>, k]);
        walk((v as Record<string, unknown>)[k]);
      }
  };
  walk(copy);
  if (paths.length === 0) return value;
  const [parent, key] = paths[n % paths.length]!;
  (parent as Record<string | number, unknown>)[key] = value;
  return copy;
}

describe('no route answers 5xx to malformed input', () => {
  let gw: TestGateway;
  const tokens: Record<string, string> = {};
  const routes: Route[] = [];
  beforeAll(async () => {
    gw = await startTestGateway({ allowSpecViolations: true });
    for (const p of ['acme', 'globex', 'initech'] as const) tokens[p] = await gw.token(p);
    for (const release of gw.gateway.registry.current().releases.values()) {
      const auth = PARTNER_OF_RELEASE[release.name as keyof typeof PARTNER_OF_RELEASE];
      if (!auth) continue;
      for (const api of release.apis.values()) {
        for (const op of api.operations)
          routes.push({ method: op.method, template: `/mefApi/sonata/${api.name}/${api.version}${op.path}`, auth });
      }
    }
    for (const r of BUYER_ROUTES) {
      const [method, path] = r.split(' ') as [string, string];
      routes.push({ method, template: `/internal${path}`, auth: 'internal' });
    }
    routes.push(
      { method: 'POST', template: '/oauth2/token', auth: 'none' },
      { method: 'GET', template: '/readyz', auth: 'none' },
      {
        method: 'POST',
        template: '/partners/{id}/mefApi/sonata/productOrderingManagement/v10/listener/productOrderStateChangeEvent',
        auth: 'none',
      },
    );
  }, 60_000);
  afterAll(() => gw.close());

  it('covers every seller operation of the three releases and the internal buyer routes', () => {
    expect(routes.filter((r) => r.template.startsWith('/mefApi/sonata/')).length).toBeGreaterThan(60);
  });

  it('answers every request with a 2xx-4xx (or 501), no stack trace and a bounded error body', async () => {
    const request = fc.record({
      route: fc.nat(),
      segments: fc.array(segment, { minLength: 1, maxLength: 3 }),
      query,
      body,
      contentType,
      authVariant,
      extraHeader: fc.option(
        fc.tuple(
          fc.constantFrom('x-request-id', 'accept', 'content-length', 'transfer-encoding', 'x-sim-fault'),
          fc.string({ maxLength: 50 }),
        ),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.route % routes.length]!;
        let i = 0;
        const path = route.template.replace(/\{[^}]+\}/g, () => r.segments[i++ % r.segments.length] ?? 'x') + r.query;
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined && r.body !== undefined) headers['content-type'] = r.contentType;
        if (route.auth === 'internal') headers['x-internal-api-key'] = r.authVariant === 'garbage' ? 'nope' : INTERNAL_KEY;
        else if (route.auth !== 'none') {
          const auth = {
            valid: `Bearer ${tokens[route.auth]}`,
            garbage: 'Bearer abc.def.ghi',
            empty: 'Bearer ',
            basic: 'Basic Og==',
            none: undefined,
          }[r.authVariant];
          if (auth !== undefined) headers.authorization = auth;
        }
        if (r.extraHeader && !['content-length', 'transfer-encoding'].includes(r.extraHeader[0]))
          headers[r.extraHeader[0]] = r.extraHeader[1].replace(/[^\x20-\x7e]/g, '');
        const res = await fetch(gw.url + path, {
          method: route.method,
          headers,
          body: route.method === 'GET' ? undefined : r.body,
        });
        const text = await res.text();
        const where = `${route.method} ${path} -> ${res.status} ${text.slice(0, 300)}`;
        expect(res.status >= 500 && res.status !== 501, where).toBe(false);
        expect(text, where).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
        if (res.status >= 400) expect(text.length, where).toBeLessThanOrEqual(ERROR_BODY_CAP);
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  }, 300_000);
});
