import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * The shipped Grace catalogue maps the legacy BSS's own catalogue; a provider whose catalogue service already speaks
 * Sonata declares the API as `kind: proxy` instead (test/support/catalog-proxy/api.yaml), in a copy of the project.
 */
const project = copyProject();
const apiDir = join(project.dir, 'mappings', 'releases', 'grace', 'productCatalog');
rmSync(apiDir, { recursive: true, force: true });
mkdirSync(apiDir);
copyFileSync(join(REPO_ROOT, 'test', 'support', 'catalog-proxy', 'api.yaml'), join(apiDir, 'api.yaml'));
// Kylie's catalogue inherits Grace's mappings: in this copy Kylie does not serve one
rmSync(join(project.dir, 'mappings', 'releases', 'kylie', 'productCatalog'), { recursive: true, force: true });
const kylieRelease = join(project.dir, 'mappings', 'releases', 'kylie', 'release.yaml');
writeFileSync(kylieRelease, `${readFileSync(kylieRelease, 'utf8')}notServed:\n  productCatalog: passed through elsewhere (test copy)\n`);

/** A backend that already speaks Sonata productCatalog: records what reached it. */
let backend: Server;
let seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let gw: TestGateway;

beforeAll(async () => {
  backend = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'x-total-count': '1' });
    res.end(JSON.stringify([{ id: 'PO-1', name: 'Access E-Line' }]));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  gw = await startTestGateway({
    rootDir: project.dir,
    env: { CATALOG_URL: `http://127.0.0.1:${(backend.address() as AddressInfo).port}` },
  });
});
afterAll(async () => {
  await gw.close();
  await new Promise((r) => backend.close(r));
  project.cleanup();
});

describe('pass-through Sonata routes (kind: proxy)', () => {
  it('forwards the full path and query after auth, without the partner token, with the partner id', async () => {
    seen = [];
    const token = await gw.token('acme');
    const res = await gw.call('GET', '/mefApi/sonata/productCatalog/v2/productOffering?limit=5', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: 'PO-1', name: 'Access E-Line' }]);
    expect(res.headers.get('x-total-count')).toBe('1');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/mefApi/sonata/productCatalog/v2/productOffering?limit=5');
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['x-sonata-partner']).toBe('acme-telecom');
  });

  it('still authenticates and authorizes: no token 401; a partner without the function 501', async () => {
    seen = [];
    expect((await gw.call('GET', '/mefApi/sonata/productCatalog/v2/productOffering')).status).toBe(401);
    const globex = await gw.token('globex');
    const res = await gw.call('GET', '/mefApi/sonata/productCatalog/v2/productOffering', { token: globex });
    expect(res.status).toBe(404); // Kylie partners have no productCatalog v2 in their release
    expect(seen).toHaveLength(0);
  });

  it('reuses connections to the upstream (keep-alive)', async () => {
    const token = await gw.token('acme');
    const ports = new Set<number>();
    backend.on('connection', (s) => ports.add(s.remotePort ?? 0));
    for (let i = 0; i < 5; i++) expect((await gw.call('GET', '/mefApi/sonata/productCatalog/v2/category', { token })).status).toBe(200);
    expect(ports.size).toBeLessThanOrEqual(1);
  });

  it('answers 503 with Retry-After when the upstream is down', async () => {
    const down = await startTestGateway({ rootDir: project.dir, env: { CATALOG_URL: 'http://127.0.0.1:1' } });
    try {
      const token = await down.token('acme');
      const res = await down.call('GET', '/mefApi/sonata/productCatalog/v2/productOffering', { token });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('internalError');
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await down.close();
    }
  });

  it('answers 501 when no upstream is configured', async () => {
    const none = await startTestGateway({ rootDir: project.dir, env: { CATALOG_URL: '' } });
    try {
      const token = await none.token('acme');
      const res = await none.call('GET', '/mefApi/sonata/productCatalog/v2/productOffering', { token });
      expect(res.status).toBe(501);
      expect(res.body.code).toBe('notImplemented');
    } finally {
      await none.close();
    }
  });
});
