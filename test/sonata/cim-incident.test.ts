import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { notificationReader } from '../support/seller-tests.js';
import { copyProject, SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Kylie Circuit Impairment and Maintenance (cimIncident v1) against the embedded legacy BSS's network events:
 * list with filters and paging, retrieve, the three incident subtypes, partner isolation (globex-networks, customer
 * C-100077, against a second Kylie buyer "fabrikam" on customer C-100042), and the NOC's publishing reaching exactly
 * the partners whose products an event touches. Every answer and notification is checked against the official files.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const CIM = '/mefApi/sonata/cimIncident/v1';
const LEGACY_KEY = 'demo-legacy-key-42';
const FABRIKAM_SECRET = 'fabrikam-test-secret-2026';

function expectSpecValid(operationId: string, status: number, body: unknown): void {
  const op = specs.api('kylie', 'cimIncident')!.operationById(operationId)!;
  expect(op, `kylie ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

function expectNotificationValid(call: ReceivedCall): void {
  const eventType = (call.body as { eventType: string }).eventType;
  const operationId = `listenTo${eventType[0]!.toUpperCase()}${eventType.slice(1)}`;
  const op = specs.api('kylie', 'cimIncidentNotification')!.operationById(operationId)!;
  expect(op, `kylie ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateRequestBody(call.body)).toEqual([]);
}

/** A second Kylie buyer on the customer number of acme-telecom's assets (C-100042). */
function addFabrikam(dir: string): void {
  const p = join(dir, 'partners', 'fabrikam');
  mkdirSync(p, { recursive: true });
  writeFileSync(
    join(p, 'partner.yaml'),
    [
      'id: fabrikam',
      'name: Fabrikam (test)',
      'role: buyer',
      'release: kylie',
      'buyerId: FABRIKAM',
      'sellerId: NETCORE',
      'legacyCustomerId: C-100042',
      'credentials: { clientId: fabrikam, clientSecretEnv: PARTNER_FABRIKAM_CLIENT_SECRET }',
      "notifications: { allowedCallbackHosts: ['localhost:9999'] }",
      'functions: { circuitImpairment: { mode: automated }, productInventory: { mode: automated } }',
      '',
    ].join('\n'),
  );
  // a Grace partner enabling the function: its profile loads, but Grace has no CIM API (docs/unified-model.md)
  const acme = join(dir, 'partners', 'acme-telecom', 'partner.yaml');
  writeFileSync(acme, readFileSync(acme, 'utf8').replace('functions:\n', 'functions:\n  circuitImpairment: { mode: automated }\n'));
}

let gw: TestGateway;
let project: { dir: string; cleanup(): void };
let globex: string;
let fabrikam: string;
let acme: string;
let globexListener: TestListener;
let fabrikamListener: TestListener;
const notifications = notificationReader();
/** The next `n` notifications the listener receives (waits for them; event-driven, bounded by a timeout). */
const nextNotifications = notifications.next;

async function fabrikamToken(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'fabrikam',
    client_secret: FABRIKAM_SECRET,
  });
  const res = await fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The NOC's publishing desk of the legacy BSS (`_sim/network-events`). */
async function noc(path: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/network-events${path}`, {
    method: 'POST',
    headers: { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, any>;
  expect(answer.RC, JSON.stringify(answer)).toBe(0);
  return answer.NETWORK_EVENT;
}

beforeAll(async () => {
  project = copyProject();
  addFabrikam(project.dir);
  gw = await startTestGateway({ rootDir: project.dir, env: { PARTNER_FABRIKAM_CLIENT_SECRET: FABRIKAM_SECRET } });
  globex = await gw.token('globex');
  acme = await gw.token('acme');
  fabrikam = await fabrikamToken();
  globexListener = await startListener();
  fabrikamListener = await startListener();
});
afterAll(async () => {
  await gw?.close();
  await globexListener?.close();
  await fabrikamListener?.close();
  project?.cleanup();
});

describe('listCimIncident and retrieveCimIncident (globex-networks)', () => {
  it('lists the incidents touching its products, newest first, each a typed CimIncident naming only its products', async () => {
    const res = await gw.call('GET', `${CIM}/cimIncident`, { token: globex });
    expect(res.status).toBe(200);
    expectSpecValid('listCimIncident', 200, res.body);
    expect(res.headers.get('x-total-count')).toBe('3');
    expect(res.headers.get('x-result-count')).toBe('3');
    expect(res.body.map((i: any) => [i.id, i['@type'], i.incidentType, i.status])).toEqual([
      ['NWE-2026-000101', 'CimMaintenanceIncident', 'plannedMaintenance', 'created'],
      ['NWE-2026-000103', 'CimServiceImpairmentIncident', 'congestion', 'inProgress'],
      ['NWE-2026-000104', 'CimFailureIncident', 'failure', 'closed'],
    ]);
    // FRA-CORE-1 also carries acme's (C-100042) Berlin site: globex sees only its own London product
    expect(res.body[1].relatedEntity).toEqual([{ '@referredType': 'Product', id: 'AS-5000012', role: 'impactedProduct' }]);
  });

  it('retrieves the maintenance window touching its circuit, in UTC with the NOC contact, its text and history', async () => {
    const res = await gw.call('GET', `${CIM}/cimIncident/NWE-2026-000101`, { token: globex });
    expect(res.status).toBe(200);
    expectSpecValid('retrieveCimIncident', 200, res.body);
    expect(res.body).toMatchObject({
      '@type': 'CimMaintenanceIncident',
      id: 'NWE-2026-000101',
      href: `${CIM}/cimIncident/NWE-2026-000101`,
      description: 'Planned maintenance on Access switch London Canary Wharf (LON-ACC-0202)',
      impact: 'down',
      severity: 'moderate',
      priority: 'medium',
      situationStartDate: '2026-12-06T00:00:00.000Z',
      expectedClosedDate: '2026-12-06T04:00:00.000Z',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000011', role: 'impactedProduct' }],
      relatedContactInformation: [{ role: 'incidentContact', emailAddress: 'noc@netcore.example' }],
      statusChange: [{ status: 'created', changeDate: '2026-12-01T08:00:00.000Z' }],
    });
    expect(res.body.note[0]).toMatchObject({ source: 'seller', text: expect.stringContaining('Wartungsfenster') });
  });

  it('filters by type, status, product and dates, and pages with the totals of the whole match', async () => {
    const maintenance = await gw.call('GET', `${CIM}/cimIncident?incidentType=plannedMaintenance`, { token: globex });
    expect(maintenance.body.map((i: any) => i.id)).toEqual(['NWE-2026-000101']);
    const congestion = await gw.call('GET', `${CIM}/cimIncident?incidentType=congestion`, { token: globex });
    expect(congestion.body.map((i: any) => i.id)).toEqual(['NWE-2026-000103']);
    const closed = await gw.call('GET', `${CIM}/cimIncident?status=closed`, { token: globex });
    expect(closed.body.map((i: any) => i.id)).toEqual(['NWE-2026-000104']);
    const onProduct = await gw.call('GET', `${CIM}/cimIncident?relatedEntityId=AS-5000011`, { token: globex });
    expect(onProduct.body.map((i: any) => i.id)).toEqual(['NWE-2026-000101', 'NWE-2026-000104']);
    const tomorrow = await gw.call(
      'GET',
      `${CIM}/cimIncident?situationStartDate.gt=2026-12-05T23:00:00Z&expectedClosedDate.lt=2026-12-07T00:00:00Z`,
      { token: globex },
    );
    expect(tomorrow.body.map((i: any) => i.id)).toEqual(['NWE-2026-000101']);
    const page = await gw.call('GET', `${CIM}/cimIncident?impact=down&offset=1&limit=1`, { token: globex });
    expect(page.status).toBe(200);
    expectSpecValid('listCimIncident', 200, page.body);
    expect(page.body.map((i: any) => i.id)).toEqual(['NWE-2026-000104']);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect(page.headers.get('x-result-count')).toBe('1');
  });

  it('refuses a bad filter value, an unknown filter and a bad page with 400', async () => {
    for (const q of ['incidentType=maintenance', 'colour=red', 'creationDate.gt=yesterday', 'offset=-1']) {
      const res = await gw.call('GET', `${CIM}/cimIncident?${q}`, { token: globex });
      expect(res.status, q).toBe(400);
      expect(res.body.code, q).toBe('invalidQuery');
      expectSpecValid('listCimIncident', 400, res.body);
    }
  });
});

describe('partner isolation', () => {
  it("a maintenance on globex's circuit is globex's only: fabrikam does not list it and gets 404", async () => {
    const list = await gw.call('GET', `${CIM}/cimIncident`, { token: fabrikam });
    expect(list.status).toBe(200);
    expectSpecValid('listCimIncident', 200, list.body);
    expect(list.body.map((i: any) => i.id)).toEqual(['NWE-2026-000102', 'NWE-2026-000103', 'NWE-2026-000105']);
    expect(list.body[1].relatedEntity.map((e: any) => e.id)).toEqual(['AS-5000001', 'AS-5000002', 'AS-5000006']);
    const other = await gw.call('GET', `${CIM}/cimIncident/NWE-2026-000101`, { token: fabrikam });
    expect(other.status).toBe(404);
    expectSpecValid('retrieveCimIncident', 404, other.body);
    const back = await gw.call('GET', `${CIM}/cimIncident/NWE-2026-000102`, { token: globex });
    expect(back.status).toBe(404);
    const unknown = await gw.call('GET', `${CIM}/cimIncident/NWE-2099-000001-TOO-LONG-ID`, { token: globex });
    expect(unknown.status).toBe(404);
  });

  it('a Grace partner that enables circuitImpairment loads, but has no CIM API (Grace has none): 404', async () => {
    const res = await gw.call('GET', `${CIM}/cimIncident`, { token: acme });
    expect(res.status).toBe(404);
  });
});

describe('notifications: the NOC publishes, changes and closes network events', () => {
  let globexHub: string;
  let maintenance: string;

  it('each partner registers a CIM hub subscription; retrieve and the spec agree', async () => {
    const g = await gw.call('POST', `${CIM}/hub`, {
      token: globex,
      body: { callback: `${globexListener.origin}/globex` },
    });
    expect(g.status).toBe(201);
    expectSpecValid('registerListener', 201, g.body);
    globexHub = g.body.id;
    const got = await gw.call('GET', `${CIM}/hub/${globexHub}`, { token: globex });
    expect(got.status).toBe(200);
    expectSpecValid('retrieveHub', 200, got.body);
    expect((await gw.call('GET', `${CIM}/hub/${globexHub}`, { token: fabrikam })).status).toBe(404);
    const f = await gw.call('POST', `${CIM}/hub`, {
      token: fabrikam,
      body: { callback: `${fabrikamListener.origin}/fabrikam`, query: 'eventType=cimIncidentCreateEvent' },
    });
    expect(f.status).toBe(201);
    const bad = await gw.call('POST', `${CIM}/hub`, {
      token: globex,
      body: { callback: `${globexListener.origin}/x`, query: 'eventType=incidentCreateEvent' },
    });
    expect(bad.status).toBe(422);
    expectSpecValid('registerListener', 422, bad.body);
  });

  it("a maintenance on globex's access switch reaches globex only, as the whole CimMaintenanceIncident", async () => {
    maintenance = (
      await noc('', {
        NWE_TYPE: 'WART',
        EFFECT: 'AUSF',
        SEVERITY: 3,
        ELEMENTS: ['LON-ACC-0202'],
        TEXT: 'Tausch des Netzteils',
        START_TS: '10.12.2026 01:00',
        PLANNED_END: '10.12.2026 03:00',
      })
    ).NWE_NO;
    const [created] = await nextNotifications(globexListener, 1);
    expectNotificationValid(created!);
    expect(created!.url).toBe(
      '/globex/mefApi/sonata/cimIncidentNotification/v1/listener/cimIncidentCreateEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE',
    );
    expect((created!.body as any).event).toMatchObject({
      '@type': 'CimMaintenanceIncident',
      id: maintenance,
      status: 'created',
      incidentType: 'plannedMaintenance',
      situationStartDate: '2026-12-10T00:00:00.000Z',
      expectedClosedDate: '2026-12-10T02:00:00.000Z',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000011', role: 'impactedProduct' }],
    });
    // what the partner then retrieves is what it was sent
    const read = await gw.call('GET', `${CIM}/cimIncident/${maintenance}`, { token: globex });
    expect(read.body).toEqual((created!.body as any).event);
  });

  it('an outage on the Frankfurt core node reaches both partners, each told of its own products only', async () => {
    const outage = (await noc('', { NWE_TYPE: 'STOE', SEVERITY: 1, ELEMENTS: ['FRA-CORE-1'], TEXT: 'Kernknoten FRA1 ausgefallen' })).NWE_NO;
    const [toGlobex] = await nextNotifications(globexListener, 1);
    const [toFabrikam] = await nextNotifications(fabrikamListener, 1);
    for (const call of [toGlobex!, toFabrikam!]) {
      expectNotificationValid(call);
      expect((call.body as any).event).toMatchObject({
        '@type': 'CimFailureIncident',
        id: outage,
        impact: 'down',
        status: 'inProgress',
      });
    }
    expect((toGlobex!.body as any).event.relatedEntity.map((e: any) => e.id)).toEqual(['AS-5000012']);
    expect((toFabrikam!.body as any).event.relatedEntity.map((e: any) => e.id)).toEqual(['AS-5000001', 'AS-5000002', 'AS-5000006']);
    // fabrikam's first notification is this one: it never heard of globex's maintenance
    expect(fabrikamListener.calls).toHaveLength(1);
  });

  it("moving the window is an attribute value change, closing a status change; fabrikam's filter keeps them from it", async () => {
    await noc(`/${maintenance}/update`, { PLANNED_END: '10.12.2026 04:00' });
    const [changed] = await nextNotifications(globexListener, 1);
    expectNotificationValid(changed!);
    expect((changed!.body as any).eventType).toBe('cimIncidentAttributeValueChangeEvent');
    expect((changed!.body as any).event.expectedClosedDate).toBe('2026-12-10T03:00:00.000Z');
    await noc(`/${maintenance}/close`, { END_TS: '10.12.2026 03:40' });
    const [closed] = await nextNotifications(globexListener, 1);
    expectNotificationValid(closed!);
    expect((closed!.body as any).eventType).toBe('cimIncidentStatusChangeEvent');
    expect((closed!.body as any).event).toMatchObject({ status: 'closed', closedDate: '2026-12-10T02:40:00.000Z' });
    expect((closed!.body as any).event.statusChange.map((c: any) => c.status)).toEqual(['created', 'closed']);
  });

  it('a report delivered twice (callback, then the journal poll) notifies once', async () => {
    expect(await gw.gateway.pollLegacyEvents()).toBeGreaterThan(0);
    const sentinel = (
      await noc('', {
        NWE_TYPE: 'WART',
        ELEMENTS: ['LON-ACC-0202'],
        TEXT: 'Kontrolle',
        PLANNED_END: '11.12.2026 02:00',
      })
    ).NWE_NO;
    const [next] = await nextNotifications(globexListener, 1);
    expect((next!.body as any).event.id).toBe(sentinel);
  });

  it('after unregistering, globex hears of nothing more', async () => {
    expect((await gw.call('DELETE', `${CIM}/hub/${globexHub}`, { token: globex })).status).toBe(204);
    expect((await gw.call('GET', `${CIM}/hub/${globexHub}`, { token: globex })).status).toBe(404);
    await noc('', {
      NWE_TYPE: 'BEEI',
      CAUSE: 'DROS',
      EFFECT: 'SPOR',
      ELEMENTS: ['FRA-CORE-1'],
      TEXT: 'Policing-Fehler',
    });
    await noc('', { NWE_TYPE: 'STOE', ELEMENTS: ['FRA-CORE-1'], TEXT: 'Erneuter Ausfall' });
    // the BSS reports in journal order, one at a time: by fabrikam's second notification both reports to globex's
    // customer number have been applied
    const [impairment, outage] = await nextNotifications(fabrikamListener, 2);
    expect((impairment!.body as any).event['@type']).toBe('CimServiceImpairmentIncident');
    expect((outage!.body as any).event['@type']).toBe('CimFailureIncident');
    expect(globexListener.calls).toHaveLength(notifications.seen(globexListener));
  });
});
