/**
 * Activity capture through the real gateway (test environment: capture on, embedded legacy BSS, in-process or Redis
 * store as REDIS_URL says): the hops a partner request leaves, redaction and the body cap, notification hops, the
 * operator routes, and a gateway with capture off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityLog } from '../../src/observability/activity-log.js';
import type { ActivityRecord } from '../../src/observability/activity.js';
import { startListener, type TestListener } from '../notify/support.js';
import { buyerContact } from '../sonata/poq-quote-support.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const QUOTE = '/mefApi/sonata/quoteManagement/v8/quote';
const VALIDATE = '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation';
const TICKETS = '/mefApi/sonata/troubleTicket/v4';
const KEY = { 'x-internal-api-key': 'demo-internal-key-0123456789' };

let gw: TestGateway;
let acme: string;
let listener: TestListener;

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  listener = await startListener();
});
afterAll(async () => {
  await gw?.close();
  await listener?.close();
});

/** The record is written when the response has finished: read the store until it is there (bounded). */
async function recordOf(
  g: TestGateway,
  correlationId: string,
  until: (r: ActivityRecord) => boolean = () => true,
): Promise<ActivityRecord> {
  for (let i = 0; i < 200; i++) {
    const r = await g.gateway.activity.get(correlationId);
    if (r && until(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no (complete) activity record for ${correlationId}: ${JSON.stringify(await g.gateway.activity.get(correlationId))}`);
}

const quote = () => ({
  instantSyncQuote: true,
  buyerRequestedQuoteLevel: 'firm',
  relatedContactInformation: [buyerContact()],
  quoteItem: [
    {
      id: '1',
      action: 'add',
      product: {
        productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100 },
        place: [{ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id: 'NC-DE-000123' }],
      },
    },
  ],
});

describe('activity capture (test gateway, capture on)', { timeout: 60_000 }, () => {
  it('records a Grace quote create: partner request, mapped legacy call and answer, the answer; contact details redacted', async () => {
    const res = await gw.call('POST', QUOTE, { token: acme, body: quote() });
    expect(res.status).toBe(201);
    const id = res.headers.get('x-request-id')!;
    const record = await recordOf(gw, id);
    expect(record).toMatchObject({
      correlationId: id,
      partnerId: 'acme-telecom',
      release: 'grace',
      api: 'quoteManagement',
      operationId: 'createQuote',
      method: 'POST',
      path: QUOTE,
      status: 201,
    });
    expect(record.hops.map((h) => h.kind)).toEqual(['partner-request', 'legacy-request', 'legacy-response', 'partner-response']);
    const [request, legacyRequest, legacyResponse, answer] = record.hops;
    expect(request).toMatchObject({ method: 'POST', url: QUOTE });
    // the partner's contact: name, e-mail and phone number hidden, the role kept
    expect((request!.body as any).relatedContactInformation).toEqual([
      { role: 'buyerContactInformation', name: '[redacted]', emailAddress: '[redacted]', number: '[redacted]' },
    ]);
    expect(JSON.stringify(record)).not.toContain('anna.buyer@example.com');
    expect(JSON.stringify(record)).not.toContain('Anna Buyer');
    expect(legacyRequest).toMatchObject({
      method: 'POST',
      url: expect.stringMatching(/\/bss\/v2\/offers$/),
      mapping: 'mappings/legacy/offers/create.request.jsonata',
      body: { OFFER_TYPE: 'FIRM', LINES: [{ ADDR_KEY: 'NC-DE-000123', BW_MBPS: 100 }] },
    });
    expect(legacyResponse).toMatchObject({
      status: 200,
      mapping: 'mappings/legacy/offers/offer.response.jsonata',
      body: { RC: 0, OFFER: { OFFER_STATUS: 'OFFR' } },
    });
    expect(legacyResponse!.ms).toBeGreaterThanOrEqual(0);
    expect(answer).toMatchObject({ status: 201, body: { id: res.body.id, state: 'approved.orderable' } });
    expect((answer!.body as any).relatedContactInformation[0].emailAddress).toBe('[redacted]');
  });

  it('keeps an oversize body as {truncated, bytes}', async () => {
    const big = {
      provideAlternative: false,
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetName: 'Hauptstrasse',
        city: 'Berlin',
        country: 'DE',
      },
      junk: 'x'.repeat(70_000),
    };
    const res = await gw.call('POST', VALIDATE, { token: acme, body: big });
    const record = await recordOf(gw, res.headers.get('x-request-id')!);
    const request = record.hops.find((h) => h.kind === 'partner-request')!;
    expect(request.body).toEqual({ truncated: true, bytes: Buffer.byteLength(JSON.stringify(big)) });
    // the small bodies of the same request are kept whole
    expect(record.hops.at(-1)).toMatchObject({ kind: 'partner-response', status: res.status, body: res.body });
  });

  it('adds the notification a request caused: queued during the request, then delivered', async () => {
    const hub = await gw.call('POST', `${TICKETS}/hub`, {
      token: acme,
      body: { callback: `${listener.origin}/acme`, query: 'eventType=troubleTicketStatusChangeEvent' },
    });
    expect(hub.status).toBe(201);
    const created = await gw.call('POST', `${TICKETS}/troubleTicket`, {
      token: acme,
      body: {
        externalId: 'ACT-TT-1',
        description: 'E-Line down',
        ticketType: 'maintenance',
        priority: 'high',
        severity: 'significant',
        observedImpact: 'down',
        issueStartDate: new Date(Date.now() - 3_600_000).toISOString(),
        relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
        relatedContactInformation: [
          { role: 'reporterContact', name: 'Eva Example', number: '+49 30 1234567', emailAddress: 'eva@acme.example' },
        ],
      },
    });
    expect(created.status).toBe(201);
    const cancel = await gw.call('POST', `${TICKETS}/troubleTicket/${created.body.id}/cancel`, {
      token: acme,
      body: {},
    });
    expect(cancel.status).toBe(204);
    await listener.waitForCalls(1, 10_000);
    const id = cancel.headers.get('x-request-id')!;
    const record = await recordOf(gw, id, (r) => r.hops.filter((h) => h.kind === 'notification').length >= 2);
    const notifications = record.hops.filter((h) => h.kind === 'notification');
    expect(notifications[0]).toMatchObject({
      method: 'POST',
      url: expect.stringContaining('/listener/troubleTicketStatusChangeEvent'),
      note: expect.stringMatching(/^queued troubleTicketStatusChangeEvent/),
    });
    expect(notifications[0]!.body).toMatchObject({ eventType: 'troubleTicketStatusChangeEvent' });
    expect(notifications[1]).toMatchObject({
      status: 204,
      note: expect.stringMatching(/^delivered troubleTicketStatusChangeEvent \(attempt 1\)/),
    });
    await gw.call('DELETE', `${TICKETS}/hub/${hub.body.id}`, { token: acme });
  });

  it('records a buyer-side purchase under the seller: the BSS request, the seller call and answer, the BSS answer', async () => {
    const res = await gw.call('POST', '/internal/buyer/address/check', {
      headers: KEY,
      body: { HOUSE_NO: '12', STREET: 'Hauptstrasse', TOWN: 'Berlin', COUNTRY: 'Germany' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ RC: 0, SELLER: 'northwind-access' });
    const record = await recordOf(gw, res.headers.get('x-request-id')!);
    expect(record).toMatchObject({
      partnerId: 'northwind-access',
      method: 'POST',
      path: '/internal/buyer/address/check',
      status: 200,
    });
    const kinds = record.hops.map((h) => h.kind);
    expect(kinds[0]).toBe('partner-request');
    expect(kinds.at(-1)).toBe('partner-response');
    expect(kinds).toContain('seller-request');
    const call = record.hops.find((h) => h.kind === 'seller-request')!;
    expect(call).toMatchObject({
      method: 'POST',
      url: expect.stringContaining('/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation'),
    });
    expect(record.hops[record.hops.indexOf(call) + 1]).toMatchObject({
      kind: 'seller-response',
      status: expect.any(Number),
    });
    expect(record.hops.at(-1)).toMatchObject({ body: { RC: 0 } });
  });

  it('serves records on /internal/activity behind the internal key: list newest first, one by id, 404 when unknown', async () => {
    const first = await gw.call('POST', VALIDATE, {
      token: acme,
      body: {
        provideAlternative: false,
        submittedGeographicAddress: {
          '@type': 'FieldedAddress',
          streetName: 'Hauptstrasse 12',
          city: 'Berlin',
          postcode: '10115',
          country: 'Germany',
        },
      },
    });
    expect(first.status).toBe(200);
    const id = first.headers.get('x-request-id')!;
    await recordOf(gw, id);
    const one = await gw.call('GET', `/internal/activity/${id}`, { headers: KEY });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ correlationId: id, operationId: 'createGeographicAddressValidation' });
    const list = await gw.call('GET', '/internal/activity?partner=acme-telecom&limit=2', { headers: KEY });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    expect(list.body[0].correlationId).toBe(id);
    expect(Date.parse(list.body[0].startedAt)).toBeGreaterThanOrEqual(Date.parse(list.body[1].startedAt));
    expect((await gw.call('GET', '/internal/activity/no-such-request', { headers: KEY })).body).toMatchObject({
      code: 'notFound',
    });
    expect((await gw.call('GET', '/internal/activity/no-such-request', { headers: KEY })).status).toBe(404);
    expect((await gw.call('GET', '/internal/activity?limit=0', { headers: KEY })).status).toBe(400);
    expect((await gw.call('GET', `/internal/activity/${id}`)).status).toBe(401);
  });

  it('records nothing with capture off', async () => {
    const off = await startTestGateway({ env: { ACTIVITY_ENABLED: 'false' } });
    try {
      expect(off.gateway.activity.enabled).toBe(false);
      const token = await off.token('acme');
      const res = await off.call('POST', QUOTE, { token, body: quote() });
      expect(res.status).toBe(201);
      const id = res.headers.get('x-request-id')!;
      // another request after it has finished and been logged, so a record would have been written by now
      await off.call('GET', '/healthz');
      const reader = createActivityLog({
        store: off.gateway.store,
        logger: off.gateway.logger,
        settings: { ...gw.gateway.config.activity, enabled: true },
      });
      expect(await reader.get(id)).toBeUndefined();
      expect(await reader.list()).toEqual([]);
      expect((await off.call('GET', `/internal/activity/${id}`, { headers: KEY })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
