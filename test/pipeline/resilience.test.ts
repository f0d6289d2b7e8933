import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLegacyBss } from '../../simulators/src/legacy-bss/start-legacy-bss.js';
import { PARTNERS, REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { nextPushed } from '../support/wait.js';

const API_KEY = 'demo-legacy-key-42';
const body = {
  provideAlternative: true,
  submittedGeographicAddress: {
    '@type': 'FieldedAddress',
    streetNr: '12',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    country: 'DE',
  },
};
const path = `${PARTNERS.acme.addressBase}/geographicAddressValidation`;

describe('legacy BSS failures become clear answers (simulator with fault injection)', () => {
  let sim: Awaited<ReturnType<typeof startLegacyBss>>;
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    sim = await startLegacyBss({
      apiKey: API_KEY,
      dataDir: `${REPO_ROOT}/simulators/data/legacy-bss`,
      faultInjection: true,
    });
    gw = await startTestGateway({ env: { LEGACY_BSS_URL: sim.url } });
    token = await gw.token('acme');
  });
  afterAll(async () => {
    await gw.close();
    await sim.close();
  });

  // config/test.yaml forwards X-Sim-Fault to the legacy BSS, so each test picks the simulator's failure mode
  it.each([
    ['rc12', 503, 'internalError'],
    ['http500', 503, 'internalError'],
    ['garbage', 502, 'internalError'],
    ['reset', 503, 'internalError'],
    ['delay=4000', 504, 'internalError'],
  ])('fault %s -> %i', async (fault, status, code) => {
    const res = await gw.call('POST', path, { token, body, headers: { 'x-sim-fault': fault } });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    if (status === 503) expect(res.headers.get('retry-after')).toBe('5');
  });

  it('a legacy BSS that is down answers 503 at once', async () => {
    const down = await startTestGateway({ env: { LEGACY_BSS_URL: 'http://127.0.0.1:1' } });
    try {
      const t = await down.token('acme');
      const res = await down.call('POST', path, { token: t, body });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'internalError', reason: expect.stringContaining('not reachable') });
    } finally {
      await down.close();
    }
  });
});

describe('store outage', () => {
  it('/readyz says not ready and store-backed reads answer 503 quickly when Redis is unreachable', async () => {
    const gw = await startTestGateway({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const ready = await gw.call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.store).toMatch(/^unavailable/);
      const t = await gw.token('globex');
      const res = await gw.call('GET', `${PARTNERS.globex.addressBase}/geographicAddressValidation/00000000-0000-4000-8000-000000000000`, {
        token: t,
      });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('internalError');
    } finally {
      await gw.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const sim = await startLegacyBss({
      apiKey: API_KEY,
      dataDir: `${REPO_ROOT}/simulators/data/legacy-bss`,
      faultInjection: true,
    });
    const gw = await startTestGateway({ env: { LEGACY_BSS_URL: sim.url } });
    try {
      const token = await gw.token('acme');
      const inflight = gw.call('POST', path, { token, body, headers: { 'x-sim-fault': 'delay=300' } });
      // wait until the gateway is actually working on it (its legacy call is pending)
      await nextPushed(
        gw.logs,
        (l) => l.message === 'legacy call started',
        () => "no 'legacy call started' log line",
        { timeoutMs: 2000 },
      );
      const closing = gw.close();
      const res = await inflight;
      expect(res.status).toBe(200);
      await closing;
      await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });
});
