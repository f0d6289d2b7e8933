/**
 * Tracing is off by default: no provider is registered (this file runs in its own process, without the in-memory one
 * of tracing.test.ts), the gateway's spans are the API's no-op ones, nothing carries a traceparent, and every request
 * and notification works as before. Plus which `OTEL_*` settings turn it on.
 */
import { propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideTracing, startTracing } from '../../src/observability/tracing.js';
import { tracer } from '../../src/observability/spans.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { buyerContact } from '../sonata/poq-quote-support.js';
import { startListener } from '../notify/support.js';

const GRACE = '/mefApi/sonata/quoteManagement/v8';
const QUOTE = {
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
};

describe('which OTEL_* settings turn tracing on', () => {
  it('is off without an exporter or endpoint, with OTEL_TRACES_EXPORTER=none and whenever OTEL_SDK_DISABLED=true', () => {
    expect(decideTracing({}).enabled).toBe(false);
    expect(decideTracing({ OTEL_SERVICE_NAME: 'gw', OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }).enabled).toBe(false);
    expect(decideTracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).enabled).toBe(false);
    expect(decideTracing({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({
      enabled: false,
      reason: 'OTEL_SDK_DISABLED=true',
    });
  });

  it('is on with an exporter named, or an OTLP endpoint (all traces or traces only)', () => {
    expect(decideTracing({ OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(true);
    expect(decideTracing({ OTEL_TRACES_EXPORTER: 'console,otlp' }).enabled).toBe(true);
    expect(decideTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).enabled).toBe(true);
    expect(
      decideTracing({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
        OTEL_SDK_DISABLED: 'false',
      }).enabled,
    ).toBe(true);
  });

  it('starts nothing when off: no provider, no propagator, the no-op tracer', async () => {
    expect(await startTracing({})).toBeUndefined();
    expect(tracer.startSpan('probe').isRecording()).toBe(false);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(propagation.fields()).toEqual([]);
  });
});

describe('the gateway with tracing off', () => {
  let gw: TestGateway;
  let acme: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await gw.token('acme');
  }, 60_000); // the whole gateway with its embedded BSS and sellers: slow on a loaded machine
  afterAll(async () => {
    await gw?.close();
  });

  it('creates and cancels a quote and notifies, with no traceparent to the BSS or the listener', async () => {
    const listener = await startListener();
    try {
      const hub = await gw.call('POST', `${GRACE}/hub`, {
        token: acme,
        body: { callback: listener.origin, query: 'eventType=quoteStateChangeEvent' },
      });
      expect(hub.status).toBe(201);
      // a partner's own traceparent is not passed on either: nothing here speaks W3C trace context
      const created = await gw.call('POST', `${GRACE}/quote`, {
        token: acme,
        body: QUOTE,
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      });
      expect(created.status).toBe(201);
      const cancelled = await gw.call('POST', `${GRACE}/cancelQuote`, {
        token: acme,
        body: { quoteId: created.body.id, reason: 'project stopped' },
      });
      expect(cancelled.status).toBe(200);
      const [call] = await listener.waitForCalls(1);
      expect(call!.url).toContain('/listener/quoteStateChangeEvent');
      expect(call!.headers.traceparent).toBeUndefined();

      const sim = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/traces`, {
        headers: { 'x-bss-api-key': gw.gateway.config.legacy.apiKey },
      });
      expect(await sim.json()).toEqual({ RC: 0, MSG: 'OK', CALLS: [] });
    } finally {
      await listener.close();
    }
  });
});
