/**
 * Through the whole gateway: with the legacy BSS hanging, partners first wait legacy.timeoutMs (504), then, once the
 * breaker is open, get 503 upstream.unavailable with Retry-After at once while the BSS sees nothing more. The
 * breaker shows in /readyz detail (the instance stays ready) and in /metrics.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { LEGACY_BREAKER } from '../../src/legacy/legacy-client.js';
import { copyProject, PARTNERS, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

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

describe('legacy BSS hanging: the breaker turns waits into fast 503s', () => {
  let project: ReturnType<typeof copyProject>;
  let bss: FakeUpstream;
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    project = copyProject();
    const file = join(project.dir, 'config', 'test.yaml');
    const cfg = parse(readFileSync(file, 'utf8')) as { legacy: Record<string, unknown> };
    cfg.legacy.timeoutMs = 200;
    cfg.legacy.breaker = { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 };
    writeFileSync(file, stringify(cfg));
    bss = await startFakeUpstream();
    bss.mode = 'hang';
    gw = await startTestGateway({ rootDir: project.dir, env: { LEGACY_BSS_URL: bss.url } });
    token = await gw.token('acme');
  });
  afterAll(async () => {
    await gw.close();
    await bss.close();
    project.cleanup();
  });

  it('504 while closed, then 503 upstream.unavailable with Retry-After without calling the BSS', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await gw.call('POST', path, { token, body });
      expect(res.status).toBe(504);
    }
    const seen = bss.count();
    expect(seen).toBe(2);

    const res = await gw.call('POST', path, { token, body });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      code: 'internalError',
      reason: 'The backend system is not reachable; retry later',
    });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(bss.count()).toBe(seen);
  });

  it('/readyz shows the open breaker and stays ready; /metrics has its state', async () => {
    const ready = await gw.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.breakers[LEGACY_BREAKER]).toMatchObject({
      state: 'open',
      failures: 2,
      rejected: expect.any(Number),
      retryAfterSeconds: expect.any(Number),
    });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain(`sonata_gateway_breaker_state{breaker="${LEGACY_BREAKER}",state="open"} 1`);
    expect(metrics).toContain(`sonata_gateway_breaker_state{breaker="${LEGACY_BREAKER}",state="closed"} 0`);
    expect(metrics).toMatch(new RegExp(`sonata_gateway_breaker_rejected_total\\{breaker="${LEGACY_BREAKER}"\\} [1-9]`));
  });
});
