import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { copyProject, SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Kylie Circuit Impairment and Maintenance (cimIncident v1) against the embedded legacy BSS's network events:
 * list with filters and paging, retrieve, the three incident subtypes, partner isolation (globex-networks, customer
 * C-100077, against a second Kylie buyer "fabrikam" on customer C-100042), and the NOC's publishing reaching exactly
 * the partners whose products an event touches. Every answer and notification is checked against the official files.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const CIM = '/mefApi/sonata/cimIncident/v1';
const FABRIKAM_SECRET = 'fabrikam-test-secret-2026';

function expectSpecValid(operationId: string, status: number, body: unknown): void {
  const op = specs.api('kylie', 'cimIncident')!.operationById(operationId)!;
  expect(op, `kylie ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

/** A second Kylie buyer on the customer number of acme-telecom's assets (C-100042). */
function addFabrikam(dir: string): void {
  const p = join(dir, 'partners', 'fabrikam');
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'partner.yaml'), [
    'id: fabrikam', 'name: Fabrikam (test)', 'role: buyer', 'release: kylie', 'buyerId: FABRIKAM', 'sellerId: NETCORE',
    'legacyCustomerId: C-100042',
    'credentials: { clientId: fabrikam, clientSecretEnv: PARTNER_FABRIKAM_CLIENT_SECRET }',
    "notifications: { allowedCallbackHosts: ['localhost:9999'] }",
    'functions: { circuitImpairment: { mode: automated }, productInventory: { mode: automated } }', '',
  ].join('\n'));
}

let gw: TestGateway;
let project: { dir: string; cleanup(): void };
let globex: string;
let fabrikam: string;
let acme: string;

async function fabrikamToken(): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'fabrikam', client_secret: FABRIKAM_SECRET });
  const res = await fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  project = copyProject();
  addFabrikam(project.dir);
  gw = await startTestGateway({ rootDir: project.dir, env: { PARTNER_FABRIKAM_CLIENT_SECRET: FABRIKAM_SECRET } });
  globex = await gw.token('globex');
  acme = await gw.token('acme');
  fabrikam = await fabrikamToken();
});
afterAll(async () => {
  await gw?.close();
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
    const tomorrow = await gw.call('GET', `${CIM}/cimIncident?situationStartDate.gt=2026-12-05T23:00:00Z&expectedClosedDate.lt=2026-12-07T00:00:00Z`, { token: globex });
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
  it('a maintenance on globex\'s circuit is globex\'s only: fabrikam does not list it and gets 404', async () => {
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

  it('a Grace partner has no CIM API (Grace has none): 404', async () => {
    const res = await gw.call('GET', `${CIM}/cimIncident`, { token: acme });
    expect(res.status).toBe(404);
  });
});
