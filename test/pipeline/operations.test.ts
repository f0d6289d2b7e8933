import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { copyProject, PARTNERS, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const LEGACY_KEY = 'demo-internal-key-0123456789'; // internal.apiKey of config/test.env: every scope

describe('internal keys per client and scope (internal.keys)', () => {
  let project: ReturnType<typeof copyProject>;
  let gw: TestGateway;
  const EVENTS = 'bss-events-key-current-0001';
  const EVENTS_NEXT = 'bss-events-key-next-00000002';
  const BUYER = 'bss-buyer-key-000000000001';
  beforeAll(async () => {
    project = copyProject();
    const file = join(project.dir, 'config', 'test.yaml');
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    doc.internal = {
      keys: [
        {
          id: 'bss-events',
          scopes: ['legacy-events', 'tasks', 'dead-letters'],
          secrets: ['${TEST_EVENTS_KEY}', '${TEST_EVENTS_KEY_NEXT:-}'],
        },
        // an unset second secret (empty) is no secret at all
        { id: 'bss-buyer', scopes: ['buyer'], secrets: ['${TEST_BUYER_KEY}', '${TEST_BUYER_KEY_NEXT:-}'] },
      ],
    };
    writeFileSync(file, stringify(doc));
    gw = await startTestGateway({
      rootDir: project.dir,
      env: {
        SONATA_SDK_DIR: SDK_DIR,
        TEST_EVENTS_KEY: EVENTS,
        TEST_EVENTS_KEY_NEXT: EVENTS_NEXT,
        TEST_BUYER_KEY: BUYER,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
    project?.cleanup();
  });
  const get = (path: string, key: string) => gw.call('GET', path, { headers: { 'x-internal-api-key': key } });

  it('a key without the buyer scope gets 403 accessDenied on /internal/buyer', async () => {
    const res = await get('/internal/buyer/orders', EVENTS);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('accessDenied');
    const buyerOnTasks = await get('/internal/tasks', BUYER);
    expect(buyerOnTasks.status).toBe(403);
    const buyerOnDeadLetters = await get('/internal/notifications/dead-letters', BUYER);
    expect(buyerOnDeadLetters.status).toBe(403);
  });

  it('both secrets of a key in rotation work; a key reaches the routes of its scopes', async () => {
    expect((await get('/internal/tasks', EVENTS)).status).toBe(200);
    expect((await get('/internal/tasks', EVENTS_NEXT)).status).toBe(200);
    expect((await get('/internal/notifications/dead-letters', EVENTS_NEXT)).status).toBe(200);
    const buyer = await get('/internal/buyer/orders', BUYER);
    expect([401, 403, 404]).not.toContain(buyer.status);
  });

  it('the single internal.apiKey keeps every scope; a wrong or empty key is 401', async () => {
    expect((await get('/internal/tasks', LEGACY_KEY)).status).toBe(200);
    expect([401, 403]).not.toContain((await get('/internal/buyer/orders', LEGACY_KEY)).status);
    const wrong = await get('/internal/tasks', 'bss-events-key-current-0002');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalidCredentials');
    const empty = await get('/internal/tasks', '');
    expect(empty.status).toBe(401);
    expect(empty.body.code).toBe('missingCredentials');
  });
});

describe('internal keys are checked at load', () => {
  it('refuses a key id used twice and a secret shared by two keys, naming file:line', () => {
    const project = copyProject();
    try {
      writeFileSync(
        join(project.dir, 'config', 'test.yaml'),
        readFileSync(join(project.dir, 'config', 'test.yaml'), 'utf8') +
          [
            'internal:',
            '  keys:',
            '    - { id: bss, scopes: [buyer], secrets: [shared-secret-0123456789] }',
            '    - { id: bss, scopes: [tasks], secrets: [shared-secret-0123456789] }',
            '    - { id: ops, scopes: [tasks], secrets: [demo-internal-key-0123456789] }',
            '    - { id: short, scopes: [tasks], secrets: [too-short] }',
            '',
          ].join('\n'),
      );
      let error: unknown;
      try {
        loadConfig({ rootDir: project.dir, env: 'test', processEnv: {} });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      // the schema first: a secret shorter than 16 characters
      expect((error as Error).message).toMatch(/^config\/test\.yaml:\d+:\d+ internal\.keys\.3\.secrets\.0: must match pattern/);
      expect((error as Error).message.split('\n')).toHaveLength(1);
      writeFileSync(
        join(project.dir, 'config', 'test.yaml'),
        readFileSync(join(project.dir, 'config', 'test.yaml'), 'utf8').replace(
          '    - { id: short, scopes: [tasks], secrets: [too-short] }\n',
          '',
        ),
      );
      error = undefined;
      try {
        loadConfig({ rootDir: project.dir, env: 'test', processEnv: {} });
      } catch (err) {
        error = err;
      }
      const message = (error as Error).message;
      expect(message).toMatch(/config\/test\.yaml:\d+:\d+ .*key id "bss" is used twice/);
      expect(message).toMatch(/config\/test\.yaml:\d+:\d+ .*this secret is already the secret of internal key "bss"/);
      expect(message).toMatch(/config\/test\.yaml:\d+:\d+ .*this secret is already the secret of internal\.apiKey/);
    } finally {
      project.cleanup();
    }
  });
});

describe('the admin port (server.adminPort)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { ADMIN_PORT: '0' } });
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
  });
  const headers = { 'x-internal-api-key': LEGACY_KEY };

  it('serves /metrics there and 404 on the main port', async () => {
    expect(gw.adminUrl).toBeDefined();
    expect(gw.adminUrl).not.toBe(gw.url);
    const admin = await fetch(`${gw.adminUrl}/metrics`);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('process_cpu_user_seconds_total');
    const main = await gw.call('GET', '/metrics');
    expect(main.status).toBe(404);
    expect(main.body.code).toBe('notFound');
  });

  it('keeps a bare /readyz and /healthz on the main port, the detail on the admin port', async () => {
    const main = await gw.call('GET', '/readyz');
    expect(main.status).toBe(200);
    expect(main.body).toEqual({ status: 'ready' });
    expect((await gw.call('GET', '/healthz')).status).toBe(200);
    const admin = await fetch(`${gw.adminUrl}/readyz`);
    const detail = (await admin.json()) as { status: string; checks: Record<string, string> };
    expect(detail.status).toBe('ready');
    expect(detail.checks.store).toMatch(/^ok/);
  });

  it('moves the work queue and dead letters to the admin port; the BSS routes stay on the main port', async () => {
    for (const path of ['/internal/tasks', '/internal/notifications/dead-letters']) {
      expect((await gw.call('GET', path, { headers })).status).toBe(404);
      const admin = await fetch(`${gw.adminUrl}${path}`, { headers });
      expect(admin.status).toBe(200);
      // the operator routes keep their authentication on the admin port
      expect((await fetch(`${gw.adminUrl}${path}`)).status).toBe(401);
    }
    // the legacy BSS's signed callbacks and its purchases are still served on the main port
    const callback = await gw.call('POST', '/internal/legacy/events', { body: { orderId: 'x' } });
    expect(callback.status).toBe(401);
    const purchases = await gw.call('GET', '/internal/buyer/orders', { headers });
    expect([404, 401, 403]).not.toContain(purchases.status);
    // partners' routes are not on the admin port
    expect((await fetch(`${gw.adminUrl}/oauth2/token`, { method: 'POST' })).status).toBe(404);
  });
});

describe('shutdown (gateway.close(), what main.ts does on SIGTERM)', () => {
  it('fails /readyz first, serves on during server.shutdownDelayMs, then finishes the request in flight and stops', async () => {
    let delayStarted!: (ms: number) => void;
    const delayed = new Promise<number>((resolve) => (delayStarted = resolve));
    let endDelay!: () => void;
    const gw = await startTestGateway({
      env: { SHUTDOWN_DELAY_MS: '30000' },
      shutdownDelay: (ms) => {
        delayStarted(ms);
        return new Promise<void>((resolve) => (endDelay = resolve));
      },
    });
    // a token request whose body is still arriving when the shutdown begins
    const body = `grant_type=client_credentials&client_id=${PARTNERS.acme.clientId}&client_secret=${PARTNERS.acme.secret}`;
    const inFlight = request(`${gw.url}/oauth2/token`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    });
    const answered = once(inFlight, 'response');
    const arrived = once(gw.server, 'request');
    inFlight.write(body.slice(0, 20));
    await arrived;

    const closed = gw.close();
    expect(await delayed).toBe(30000);
    // draining: load balancers see 503, but requests are still served
    const ready = await gw.call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.shutdown).toBe('draining');
    expect((await gw.call('GET', '/healthz')).status).toBe(200);
    expect((await gw.token('globex')).length).toBeGreaterThan(20);

    // after the delay: no new connections, the request in flight still completes
    endDelay();
    await until(async () =>
      fetch(`${gw.url}/healthz`).then(
        () => false,
        () => true,
      ),
    );
    inFlight.end(body.slice(20));
    const [res] = (await answered) as [import('node:http').IncomingMessage];
    let text = '';
    for await (const chunk of res) text += String(chunk);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(text).token_type).toBe('Bearer');
    await closed;
  }, 120_000);
});

/** Polls a condition on events of the event loop (no fixed sleeps): each round waits for one macrotask. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}
