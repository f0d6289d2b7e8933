import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/test-gateway.js';
import { startBuyerTestbed, type BuyerTestbed } from '../buyer/support.js';
import { startBuyerListener, type BuyerListener } from '../sonata/poq-quote-support.js';

const DASHBOARD = join(REPO_ROOT, 'docs', 'grafana', 'sonata-gateway.json');

/** Every metric name a PromQL expression uses (names of ours and of Node's), without label matchers or functions. */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '');
  return [...withoutLabels.matchAll(/\b((?:sonata_gateway|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

/** Series with no sample after a healthy run: a body that violates the official spec. */
const RARE_SERIES = ['sonata_gateway_spec_violations_total'];

let bed: BuyerTestbed;
let listener: BuyerListener;

beforeAll(async () => {
  bed = await startBuyerTestbed();
  listener = await startBuyerListener();
});
afterAll(async () => {
  await listener?.close();
  await bed?.close();
});

describe('the Grafana dashboard', () => {
  it('queries only series the gateway exports after a short real run', async () => {
    const gw = bed.gw;
    const acme = await gw.token('acme');
    // a partner request (legacy call, mappings), one a mapping refuses, a buyer purchase (seller call), a
    // notification delivered through the real queue, and a reload
    expect(
      (
        await gw.call('POST', '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation', {
          token: acme,
          body: {
            provideAlternative: true,
            submittedGeographicAddress: {
              '@type': 'FieldedAddress',
              streetName: 'Hauptstrasse 12',
              city: 'Berlin',
              postcode: '10115',
              country: 'Germany',
            },
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await gw.call('POST', '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation', {
          token: acme,
          body: {
            provideAlternative: true,
            submittedGeographicAddress: {
              '@type': 'FieldedAddress',
              streetName: 'Main 1',
              city: 'X',
              postcode: '1',
              country: 'Atlantis',
            },
          },
        })
      ).status,
    ).toBe(422);
    expect(
      await bed.legacy('POST', '/address/check', {
        HOUSE_NO: '12',
        STREET: 'Hauptstrasse',
        TOWN: 'Berlin',
        COUNTRY: 'Germany',
        ALT_WANTED: 'Y',
      }),
    ).toMatchObject({ RC: 0 });
    await gw.gateway.deliveries.enqueue({
      id: randomUUID(),
      partnerId: 'acme-telecom',
      subscriptionId: 'dashboard-test',
      url: `${listener.origin}/listener/testEvent`,
      body: { event: {} },
      eventType: 'testEvent',
      eventId: randomUUID(),
    });
    await listener.next('/listener/testEvent');
    expect((await gw.gateway.registry.reload()).ok).toBe(true);

    const res = await fetch(`${gw.adminUrl ?? gw.url}/metrics`);
    const text = await res.text();
    // the buyer side's mappings are timed under their own roles, its seller call by buyer operation
    expect(text).toMatch(/^sonata_gateway_mapping_seconds_count\{role="buyer\.releaseOut",operation="validateAddress"\} [1-9]/m);
    expect(text).toMatch(
      /^sonata_gateway_seller_call_seconds_count\{partner="northwind-access",operation="validateAddress",status="20\d"\} 1$/m,
    );
    const exported = new Set(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]!),
    );
    // a series that only a fault produces (no sample in a healthy run) must at least be declared by the gateway
    for (const rare of RARE_SERIES) if (text.includes(`# TYPE ${rare} `)) exported.add(rare);

    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ query?: unknown }> };
    };
    const queries = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: p.title, expr: t.expr }))),
      ...dashboard.templating.list
        .filter((v) => typeof v.query === 'string' && v.query.includes('('))
        .map((v) => ({ where: 'variable', expr: v.query as string })),
    ];
    expect(queries.length).toBeGreaterThan(10);
    const missing = queries.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((n) => !exported.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(missing).toEqual([]);
  });
});
