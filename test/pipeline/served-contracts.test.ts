import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractLibrary } from '../../src/conformance/served-contracts.js';
import { SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const haveSdk = existsSync(join(SDK_DIR, 'grace'));
let gw: TestGateway;
let acme: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
});
afterAll(async () => {
  await gw?.close();
});

describe.skipIf(!haveSdk && !process.env.CI)('served OpenAPI documents', () => {
  it('lists every release and API at /openapi, without a token', async () => {
    const res = await fetch(`${gw.url}/openapi`);
    expect(res.status).toBe(200);
    const index = (await res.json()) as {
      available: boolean;
      documents: Array<{ release: string; api: string; version: string; href: string }>;
    };
    expect(index.available).toBe(true);
    expect(new Set(index.documents.map((d) => d.release))).toEqual(new Set(['billie', 'grace', 'kylie']));
    const quote = index.documents.find((d) => d.release === 'grace' && d.api === 'quoteManagement');
    expect(quote).toMatchObject({ href: '/openapi/grace/quoteManagement.json' });
    expect(quote!.version).toMatch(/^\d+\.\d+/);
  });

  it('serves a document as JSON with our errata applied and named', async () => {
    const erratum = SPEC_ERRATA[0]!;
    const release = erratum.releases[0]!;
    const res = await fetch(`${gw.url}/openapi/${release}/${erratum.api}.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\.0/);
    const required: string[] = doc.components.schemas[erratum.schema].required ?? [];
    for (const p of erratum.notRequired) expect(required).not.toContain(p);
    expect(doc['x-sonata-gateway-errata'].map((e: { id: string }) => e.id)).toContain(erratum.id);
  });

  it('answers 404 for an unknown release or API', async () => {
    expect((await fetch(`${gw.url}/openapi/grace/noSuchApi.json`)).status).toBe(404);
    expect((await fetch(`${gw.url}/openapi/zelda/quoteManagement.json`)).status).toBe(404);
  });
});

describe('without the SDK folder', () => {
  it('says so at /openapi and has no documents', () => {
    const library = createContractLibrary({ sdkDir: '/nonexistent/sonata-sdk', errata: [] });
    const index = library.index();
    expect(index.available).toBe(false);
    expect(!index.available && index.reason).toContain('/nonexistent/sonata-sdk');
    expect(library.document('grace', 'quoteManagement')).toBeUndefined();
  });
});

describe('CORS per partner', () => {
  const SONATA = '/mefApi/sonata/quoteManagement/v8/quote';
  const preflight = (origin: string) =>
    fetch(`${gw.url}${SONATA}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });

  it('answers a preflight from an allowed origin 204 with the CORS headers, without a token', async () => {
    const res = await preflight('https://portal.acme.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://portal.acme.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('answers a preflight from any other origin 204 without CORS headers (no 401)', async () => {
    const res = await preflight('https://evil.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives an actual request from an allowed origin Access-Control-Allow-Origin, a 401 included', async () => {
    const ok = await fetch(`${gw.url}${SONATA}?limit=1`, {
      headers: { Origin: 'https://portal.acme.example', Authorization: `Bearer ${acme}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://portal.acme.example');
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const refused = await fetch(`${gw.url}${SONATA}`, { headers: { Origin: 'https://portal.acme.example' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://portal.acme.example');
  });

  it('takes the header off for a partner that does not allow the origin', async () => {
    const globex = await gw.token('globex');
    const res = await fetch(`${gw.url}/mefApi/sonata/quoteManagement/v10/quote?limit=1`, {
      headers: { Origin: 'https://portal.acme.example', Authorization: `Bearer ${globex}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
