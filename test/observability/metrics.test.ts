import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { buyerContact } from '../sonata/poq-quote-support.js';
import { MappingError } from '../../src/mapping/errors.js';
import { createMappingTimer, createMetrics } from '../../src/observability/metrics.js';

const GRACE = '/mefApi/sonata/quoteManagement/v8';

let gw: TestGateway;
let acme: string;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
});
afterAll(async () => {
  await gw?.close();
});

async function scrape(): Promise<string[]> {
  const res = await fetch(`${gw.adminUrl ?? gw.url}/metrics`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n');
}

/** The value of the one sample line that starts with `series{` and holds every given label. */
function sample(lines: string[], series: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const hits = lines.filter((l) => l.startsWith(`${series}{`) && wanted.every((w) => l.includes(w)));
  if (hits.length === 0) return undefined;
  expect(hits, `one ${series} line for ${wanted.join(',')}`).toHaveLength(1);
  return Number(hits[0]!.slice(hits[0]!.lastIndexOf(' ') + 1));
}

describe('metrics of one Grace quote create', () => {
  it('counts the partner request, the legacy call and each mapping stage, labelled by partner, release and operation', async () => {
    const before = await scrape();
    const count = (lines: string[], series: string, labels: Record<string, string>) => sample(lines, series, labels) ?? 0;
    const res = await gw.call('POST', `${GRACE}/quote`, {
      token: acme,
      body: {
        instantSyncQuote: true,
        buyerRequestedQuoteLevel: 'firm',
        relatedContactInformation: [buyerContact()],
        quoteItem: [
          {
            id: 'a',
            action: 'add',
            product: {
              productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100 },
              place: [{ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id: 'NC-DE-000123' }],
            },
          },
        ],
      },
    });
    expect(res.status).toBe(201);
    const after = await scrape();
    const added = (series: string, labels: Record<string, string>) => count(after, series, labels) - count(before, series, labels);

    const partner = { partner: 'acme-telecom', release: 'grace', operation: 'createQuote' };
    expect(added('sonata_gateway_partner_requests_total', { ...partner, api: 'quoteManagement', status: '201' })).toBe(1);
    expect(added('sonata_gateway_partner_request_seconds_count', partner)).toBe(1);
    expect(added('sonata_gateway_requests_total', { route: 'createQuote', status: '201', partner: 'acme-telecom' })).toBe(1);
    // one legacy call, answered; the legacy operation's name, never its path or ids
    const legacyLines = after.filter((l) => l.startsWith('sonata_gateway_legacy_call_seconds_count{') && l.includes('outcome="ok"'));
    expect(legacyLines.length).toBeGreaterThan(0);
    const legacyAdded = legacyLines.reduce((n, l) => {
      const labels = l.slice(l.indexOf('{'), l.indexOf('}') + 1);
      const prior = before.find((b) => b.startsWith(`sonata_gateway_legacy_call_seconds_count${labels}`));
      return n + Number(l.split(' ').pop()) - (prior ? Number(prior.split(' ').pop()) : 0);
    }, 0);
    expect(legacyAdded).toBe(1);
    // each mapping the create runs is timed under its role
    for (const role of ['releaseIn', 'legacyOut', 'legacyIn', 'releaseOut']) {
      expect(added('sonata_gateway_mapping_seconds_count', { role, operation: 'createQuote' }), role).toBe(1);
    }
    expect(after.some((l) => l.startsWith('sonata_gateway_mapping_errors_total{') && l.includes('operation="createQuote"'))).toBe(false);
    // no label carries an id or a URL
    for (const l of after.filter((x) => x.startsWith('sonata_gateway_'))) {
      expect(l).not.toMatch(/NC-DE-|\/mefApi|[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
  });

  it('labels /internal routes by operation and logs the whole path', async () => {
    const res = await gw.call('POST', '/internal/legacy/events', { rawBody: '{}' });
    const lines = await scrape();
    expect(
      sample(lines, 'sonata_gateway_requests_total', { route: 'internal.legacyEvents', status: String(res.status) }) ?? 0,
    ).toBeGreaterThan(0);
    expect(gw.logs.some((l) => l.message === 'request' && l.path === '/internal/legacy/events')).toBe(true);
  });
});

describe('mapping timer', () => {
  it('counts a failed evaluation under its role and kind, and still times it', async () => {
    const metrics = createMetrics();
    const time = createMappingTimer(metrics);
    await expect(
      time('legacyIn', 'createQuote', async () => {
        throw new MappingError({
          kind: 'rejected',
          file: 'x.jsonata',
          detail: 'refused',
          rejection: { code: 'invalidValue', propertyPath: '/a', reason: 'no' },
        });
      }),
    ).rejects.toBeInstanceOf(MappingError);
    await time('legacyIn', 'createQuote', async () => 1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sonata_gateway_mapping_errors_total{role="legacyIn",operation="createQuote",kind="rejected"} 1');
    expect(text).toContain('sonata_gateway_mapping_seconds_count{role="legacyIn",operation="createQuote"} 2');
  });
});

describe('notification queue metrics', () => {
  it('reads depth and the oldest age from the queue when scraped, and counts outcomes', async () => {
    const { createDeliveryQueue } = await import('../../src/notify/delivery-queue.js');
    const { observeNotificationQueue } = await import('../../src/observability/metrics.js');
    const { createLogger } = await import('../../src/observability/logger.js');
    const metrics = createMetrics();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const queue = createDeliveryQueue({
      prefix: 'test',
      logger: createLogger({ level: 'error' }),
      retry: { attempts: 1 },
      send: () => held,
      onOutcome: (outcome) => metrics.notificationDeliveries.inc({ outcome }),
    });
    const queuedAt = Date.now();
    observeNotificationQueue(
      metrics,
      () => queue.backlog(),
      () => queuedAt + 30_000,
    );
    await queue.enqueue({
      id: 'd1',
      partnerId: 'p',
      subscriptionId: 's',
      url: 'http://127.0.0.1:1/x',
      body: {},
      eventType: 'e',
      eventId: 'e1',
    });
    queue.start();
    let text = await metrics.registry.metrics();
    expect(text).toContain('sonata_gateway_notification_queue_depth 1');
    const age = Number(/^sonata_gateway_notification_oldest_age_seconds (\S+)$/m.exec(text)![1]);
    expect(age).toBeGreaterThan(25);
    expect(age).toBeLessThanOrEqual(30);
    release();
    await queue.idle!();
    text = await metrics.registry.metrics();
    expect(text).toContain('sonata_gateway_notification_queue_depth 0');
    expect(text).toContain('sonata_gateway_notification_oldest_age_seconds 0');
    expect(text).toContain('sonata_gateway_notification_deliveries_total{outcome="delivered"} 1');
    await queue.close();
  });
});
