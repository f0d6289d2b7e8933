/**
 * One trace from the partner's request to the legacy BSS and on to the notification: an in-memory tracer provider in
 * this process (as tracing.ts would register the SDK's), the real gateway with its embedded legacy BSS simulator, and
 * a loopback listener. Spans are read from the exporter; nothing here depends on how long anything took.
 */
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { buyerContact } from '../sonata/poq-quote-support.js';
import { startListener, type TestListener } from '../notify/support.js';
import { observedArray, untilPushed } from '../support/wait.js';

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

/** The in-memory exporter, announcing each export so waits wake on finished spans (test/support/wait.ts). */
const exported = observedArray<ReadableSpan>();
const exporter = new (class extends InMemorySpanExporter {
  override export(spans: ReadableSpan[], done: Parameters<InMemorySpanExporter['export']>[1]): void {
    super.export(spans, done);
    exported.push(...spans);
  }
})();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let gw: TestGateway;
let acme: string;

beforeAll(async () => {
  provider.register();
  gw = await startTestGateway();
  acme = await gw.token('acme');
}, 60_000); // the whole gateway with its embedded BSS and sellers: slow on a loaded machine
afterAll(async () => {
  await gw?.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const traceOf = (s: ReadableSpan) => s.spanContext().traceId;

/** The finished spans of one trace, and helpers to walk it. */
function traceTree(traceId: string) {
  const spans = exporter.getFinishedSpans().filter((s) => traceOf(s) === traceId);
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  const parentOf = (s: ReadableSpan) => (s.parentSpanContext ? byId.get(s.parentSpanContext.spanId) : undefined);
  const roots = spans.filter((s) => !s.parentSpanContext);
  const named = (name: string) => spans.filter((s) => s.name === name);
  const one = (name: string) => {
    const hits = named(name);
    expect(
      hits.map((s) => s.name),
      `one span ${name} in\n${render()}`,
    ).toEqual([name]);
    return hits[0]!;
  };
  const ancestors = (s: ReadableSpan): string[] => {
    const out: string[] = [];
    for (let p = parentOf(s); p; p = parentOf(p)) out.push(p.name);
    return out;
  };
  /** names indented by depth, children in start order: the tree as a person reads it */
  function render(): string {
    const lines: string[] = [];
    const walk = (s: ReadableSpan, depth: number) => {
      lines.push(`${'  '.repeat(depth)}${s.name} [${SpanKind[s.kind]}]`);
      spans
        .filter((c) => c.parentSpanContext?.spanId === idOf(s))
        .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
        .forEach((c) => walk(c, depth + 1));
    };
    roots.forEach((r) => walk(r, 0));
    return lines.join('\n');
  }
  return { spans, roots, named, one, parentOf, ancestors, render };
}

/** The trace of the request whose root span has this name and answered with this X-Request-Id... found by name. */
function rootSpan(name: string): ReadableSpan {
  const hits = exporter.getFinishedSpans().filter((s) => s.name === name && s.kind === SpanKind.SERVER);
  expect(hits, `a server span ${name}`).toHaveLength(1);
  return hits[0]!;
}

describe('tracing a Grace quote create', () => {
  it('makes one trace: the partner request, its stages and mappings, and the legacy call, whose traceparent reaches the BSS', async () => {
    exporter.reset();
    const res = await gw.call('POST', `${GRACE}/quote`, { token: acme, body: QUOTE });
    expect(res.status).toBe(201);

    const root = rootSpan('POST createQuote');
    const t = traceTree(traceOf(root));
    // one root, the partner request, with bounded attributes (no ids in names)
    expect(t.roots.map((s) => s.name)).toEqual(['POST createQuote']);
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 201,
      'sonata.partner': 'acme-telecom',
      'sonata.release': 'grace',
      'sonata.api': 'quoteManagement',
      'sonata.operation': 'createQuote',
    });
    // the stages of a create, each under the request
    for (const stage of [
      'map.partner-in',
      'validate',
      'map.release-in',
      'map.legacy-out',
      'backend',
      'map.legacy-in',
      'store',
      'map.release-out',
    ]) {
      const spans = t.named(`stage ${stage}`);
      expect(spans.length, `stage ${stage} in\n${t.render()}`).toBeGreaterThan(0);
      for (const s of spans) expect(t.ancestors(s).at(-1)).toBe('POST createQuote');
    }
    // each mapping evaluation, under its stage, says which file ran and how
    const releaseIn = t
      .named('mapping evaluate')
      .find((s) => String(s.attributes['sonata.mapping.file']).endsWith('quote-create.request.jsonata'));
    expect(releaseIn, t.render()).toBeDefined();
    expect(releaseIn!.attributes['sonata.mapping.engine']).toBe('compiled');
    expect(t.parentOf(releaseIn!)?.name).toBe('stage map.release-in');
    // the legacy call: a CLIENT span in the backend stage
    const legacy = t.one('legacy offer.create');
    expect(legacy.kind).toBe(SpanKind.CLIENT);
    expect(t.parentOf(legacy)?.name).toBe('stage backend');
    expect(legacy.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'sonata.legacy.rc': 0,
    });
    // no span name carries an id or a path
    for (const s of t.spans) expect(s.name).not.toMatch(/NC-DE-|\/|[0-9a-f]{8}-[0-9a-f]{4}-/);

    // the BSS received the trace: same trace id, the legacy client span as its parent
    const sim = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/traces`, {
      headers: { 'x-bss-api-key': gw.gateway.config.legacy.apiKey },
    });
    const calls = ((await sim.json()) as { CALLS: Array<{ METHOD: string; PATH: string; TRACEPARENT: string }> }).CALLS;
    const offerCall = calls.find((c) => c.TRACEPARENT.includes(traceOf(root)));
    expect(offerCall, JSON.stringify(calls)).toMatchObject({
      METHOD: 'POST',
      TRACEPARENT: `00-${traceOf(root)}-${idOf(legacy)}-01`,
    });
  });

  it('carries the trace into the notification job: the delivery and its listener POST belong to the request that caused them', async () => {
    const listener: TestListener = await startListener();
    try {
      const hub = await gw.call('POST', `${GRACE}/hub`, {
        token: acme,
        body: { callback: listener.origin, query: 'eventType=quoteStateChangeEvent' },
      });
      expect(hub.status).toBe(201);
      const created = await gw.call('POST', `${GRACE}/quote`, { token: acme, body: QUOTE });
      expect(created.status).toBe(201);
      exporter.reset();

      const cancelled = await gw.call('POST', `${GRACE}/cancelQuote`, {
        token: acme,
        body: { quoteId: created.body.id, reason: 'project stopped' },
      });
      expect(cancelled.status).toBe(200);
      const [call] = await listener.waitForCalls(1);
      const root = rootSpan('POST cancelQuote');
      // the delivery span ends after the listener answered: wait for it (in process or BullMQ), not for a time
      await untilPushed(
        exported,
        () => traceTree(traceOf(root)).named('notification delivery').length === 1,
        () =>
          `one 'notification delivery' span expected in the trace, got ${traceTree(traceOf(root)).named('notification delivery').length}`,
      );

      const t = traceTree(traceOf(root));
      expect(t.roots.map((s) => s.name)).toEqual(['POST cancelQuote']);
      const enqueue = t.one('notification enqueue');
      expect(enqueue.kind).toBe(SpanKind.PRODUCER);
      expect(t.ancestors(enqueue).at(-1)).toBe('POST cancelQuote');
      const delivery = t.one('notification delivery');
      expect(delivery.kind).toBe(SpanKind.CONSUMER);
      expect(t.parentOf(delivery)).toBe(enqueue);
      expect(delivery.attributes).toMatchObject({
        'sonata.event_type': 'quoteStateChangeEvent',
        'sonata.delivery.attempt': 1,
        'sonata.delivery.outcome': 'delivered',
      });
      const post = t.one('notification POST quoteStateChangeEvent');
      expect(post.kind).toBe(SpanKind.CLIENT);
      expect(t.parentOf(post)).toBe(delivery);
      // the listener saw the same trace, with the POST as parent
      expect(call!.headers.traceparent).toBe(`00-${traceOf(root)}-${idOf(post)}-01`);
      // the withdrawal at the BSS is in the same trace
      expect(t.one('legacy offer.withdraw').kind).toBe(SpanKind.CLIENT);
    } finally {
      await listener.close();
    }
  });

  it('traces the buyer side too: the legacy BSS request to /internal/buyer and the seller call under it', async () => {
    exporter.reset();
    const res = await gw.call('POST', '/internal/buyer/address/check', {
      headers: { 'x-internal-api-key': 'demo-internal-key-0123456789' },
      body: { HOUSE_NO: '12', STREET: 'Hauptstrasse', TOWN: 'Berlin', COUNTRY: 'Germany' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ RC: 0, SELLER: 'northwind-access' });
    // the request's trace: its root is our server span (the gateway's own hub registrations at start-up are traces
    // of their own)
    const roots = exporter
      .getFinishedSpans()
      .filter((s) => s.kind === SpanKind.SERVER && !s.parentSpanContext && s.name.startsWith('POST '));
    expect(roots.map((s) => s.name)).toHaveLength(1);
    const t = traceTree(traceOf(roots[0]!));
    expect(t.roots).toEqual(roots);
    expect(roots[0]!.name).toMatch(/^POST \S+$/);
    const seller = t.spans.filter((s) => s.name.startsWith('seller ') && s.kind === SpanKind.CLIENT);
    expect(
      seller.map((s) => s.attributes['sonata.seller']),
      t.render(),
    ).toEqual(['northwind-access']);
    expect(seller[0]!.attributes['http.response.status_code']).toBe(200);
    // the buyer mappings are evaluated in the same trace, each in its stage
    expect(t.named('mapping evaluate').length, t.render()).toBeGreaterThan(0);
    for (const m of t.named('mapping evaluate')) expect(t.parentOf(m)?.name, t.render()).toMatch(/^stage buyer\./);
    expect(t.named('stage buyer.legacyIn')).toHaveLength(1);
  });

  it("continues a partner's own traceparent: the request span is the child of the partner's span", async () => {
    exporter.reset();
    const partnerTrace = '0af7651916cd43dd8448eb211c80319c';
    const res = await gw.call('GET', `${GRACE}/quote?state=cancelled`, {
      token: acme,
      headers: { traceparent: `00-${partnerTrace}-b7ad6b7169203331-01` },
    });
    expect(res.status).toBe(200);
    const root = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && traceOf(s) === partnerTrace);
    expect(root?.name).toBe('GET listQuote');
    expect(root!.parentSpanContext).toMatchObject({ spanId: 'b7ad6b7169203331', isRemote: true });
  });

  it('records a failing request on its span: a refused body is a 4xx answer, an OK span; the stage that refused it has the error', async () => {
    exporter.reset();
    const res = await gw.call('POST', `${GRACE}/quote`, { token: acme, body: { ...QUOTE, quoteItem: [] } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const root = rootSpan('POST createQuote');
    expect(root.status.code).not.toBe(2); // SpanStatusCode.ERROR: a partner's mistake is not the server's failure
    const t = traceTree(traceOf(root));
    const failed = t.spans.filter((s) => s.status.code === 2);
    expect(failed.length, t.render()).toBeGreaterThan(0);
    expect(failed.every((s) => s.name.startsWith('stage ') || s.name === 'mapping evaluate')).toBe(true);
    expect(failed[0]!.events.some((e) => e.name === 'exception')).toBe(true);
  });
});
