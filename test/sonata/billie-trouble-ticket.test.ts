import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { notificationReader } from '../support/seller-tests.js';
import { SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Trouble tickets for a Billie partner (initech, troubleTicket v1) against the embedded legacy BSS: create on its
 * product AS-5000021 and its Paris site, retrieve, list with Billie's filters, patch, the refusals (close before
 * the fault is resolved, Grace-only fields, a closed ticket), cancel, and the fault desk's progress (driven with the
 * BSS's `_sim` endpoints, reported by its signed callbacks) with Billie notifications to a local listener. Billie's
 * ticket types that say how the product is affected (down, degraded, failure) must reach the fault desk as a repair
 * job with that impact and come back as the Buyer gave them. Every answer is checked against Billie's official
 * spec (with the project's errata: mappings/spec-errata.yaml), and the gateway's own response check must have logged
 * nothing.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const BILLIE = '/mefApi/sonata/troubleTicket/v1';
const GRACE = '/mefApi/sonata/troubleTicket/v4';
const LEGACY_KEY = 'demo-legacy-key-42';
/** `minutes` from now (the tests' note dates must fall before / after the fault desk's own, written at run time). */
const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const CUST = 'C-100099';

function expectSpecValid(operationId: string, status: number, body: unknown): void {
  const op = specs.api('billie', 'troubleTicket')!.operationById(operationId)!;
  expect(op, `billie ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

function expectFindListValid(res: { status: number; headers: Headers; body: any }, total: number): void {
  expect(res.status).toBe(200);
  expect(res.headers.get('x-total-count')).toBe(String(total));
  expect(res.headers.get('x-result-count')).toBe(String(res.body.length));
  expect(res.headers.get('x-pagination-throttled')).toBe('false');
  expect(specs.api('billie', 'troubleTicket')!.operationById('listTroubleTicket')!.validateResponseBody(200, res.body)).toEqual([]);
}

function expectNotificationValid(call: ReceivedCall): void {
  const op = specs.api('billie', 'troubleTicketNotification')!.operationById('listenToTroubleTicketStatusChangeEvent')!;
  expect(op, 'Billie TT status change listener in the SDK').toBeDefined();
  expect(op.validateRequestBody(call.body)).toEqual([]);
}

let gw: TestGateway;
let initech: string;
let listener: TestListener;
const notifications = notificationReader();

/** The next `n` notifications the listener receives (waits for them; event-driven, bounded by a timeout). */
const nextNotifications = (n: number): Promise<ReceivedCall[]> => notifications.next(listener, n);

const legacyHeaders = { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' };
/** The legacy BSS's fault of a ticket, found by the Buyer's external id. */
async function legacyFault(externalId: string): Promise<Record<string, any>> {
  const search = await fetch(`${gw.gateway.legacyUrl}/bss/v2/faults/search`, {
    method: 'POST',
    headers: legacyHeaders,
    body: JSON.stringify({ CUST_NO: CUST, CUST_TT_REF: externalId }),
  });
  const faults = ((await search.json()) as { FAULTS: Array<Record<string, any>> }).FAULTS;
  expect(faults).toHaveLength(1);
  return faults[0]!;
}
/** The fault desk of the legacy BSS moves the ticket's fault on (its `_sim` back-office endpoint). */
async function faultDesk(externalId: string, body: Record<string, unknown>): Promise<void> {
  const { TT_NO } = await legacyFault(externalId);
  const advanced = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/faults/${TT_NO}/advance`, {
    method: 'POST',
    headers: legacyHeaders,
    body: JSON.stringify(body),
  });
  expect(((await advanced.json()) as { RC: number }).RC).toBe(0);
}

const reporter = {
  role: 'reporterContact',
  name: 'Peter Gibbons',
  number: '+1 512 555 0142',
  emailAddress: 'peter@initech.example',
};
function initechTicket(externalId: string, over: Record<string, unknown> = {}) {
  return {
    externalId,
    description: 'E-Line Amsterdam down since 10:00',
    ticketType: 'down',
    priority: 'high',
    severity: 'significant',
    issueStartDate: at(-120),
    relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000021', role: 'affectedProduct' }],
    relatedContactInformation: [reporter],
    ...over,
  };
}

beforeAll(async () => {
  gw = await startTestGateway();
  initech = await gw.token('initech');
  listener = await startListener();
});
afterAll(async () => {
  await gw?.close();
  await listener?.close();
});

describe('Billie (initech): troubleTicket v1', () => {
  let hubId: string;
  let ticketId: string;
  let failureId: string;

  it('registers a hub subscription for ticket status changes under the management base; Billie has no GET /hub/{id}', async () => {
    const res = await gw.call('POST', `${BILLIE}/hub`, {
      token: initech,
      body: { callback: `${listener.origin}/initech`, query: 'eventType=troubleTicketStatusChangeEvent' },
    });
    expect(res.status).toBe(201);
    expectSpecValid('registerListener', 201, res.body);
    expect(res.body).toMatchObject({ id: expect.any(String), callback: `${listener.origin}/initech` });
    hubId = res.body.id;
    // the path is known (DELETE), the method not: the gateway's answer for an operation the release does not have
    const get = await gw.call('GET', `${BILLIE}/hub/${hubId}`, { token: initech });
    expect(get.status).toBe(501);
    expect(get.body.code).toBe('notImplemented');
  });

  it('creates a ticket of type down on its product: acknowledged, the Seller evaluation and restore target, Billie fields only', async () => {
    const res = await gw.call('POST', `${BILLIE}/troubleTicket`, {
      token: initech,
      body: initechTicket('INITECH-TT-1', {
        note: [{ id: 'n1', author: 'Peter', date: at(-115), source: 'buyer', text: 'no light on the port' }],
        troubleTicketRelationship: [{ id: 'TT-OLD-7', relationshipType: 'isRecurrenceOf', description: 'same outage last week' }],
      }),
    });
    expect(res.status).toBe(201);
    expectSpecValid('createTroubleTicket', 201, res.body);
    ticketId = res.body.id;
    expect(res.body).toMatchObject({
      href: `${BILLIE}/troubleTicket/${ticketId}`,
      externalId: 'INITECH-TT-1',
      ticketType: 'down',
      status: 'acknowledged',
      statusChange: [{ status: 'acknowledged', changeDate: res.body.creationDate }],
      priority: 'high',
      sellerPriority: 'high',
      sellerSeverity: 'significant',
      lastUpdate: expect.any(String),
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000021', role: 'affectedProduct' }],
      relatedContactInformation: [
        {
          role: 'reporterContact',
          name: 'Peter Gibbons',
          number: '+15125550142',
          emailAddress: 'peter@initech.example',
        },
      ],
      note: [{ id: 'n1', author: 'Peter', source: 'buyer', text: 'no light on the port' }],
    });
    // only the Buyer's related ticket: Billie has no incidents, so the one the BSS linked is not a ticket relationship
    expect(res.body.troubleTicketRelationship).toEqual([
      { id: 'TT-OLD-7', relationshipType: 'isRecurrenceOf', description: 'same outage last week', source: 'buyer' },
    ]);
    for (const grace of ['observedImpact', 'relatedIssue', 'workOrder']) expect(res.body).not.toHaveProperty(grace);
    // priority high: the BSS promises restoration within 8 hours of opening
    expect(Date.parse(res.body.expectedResolutionDate) - Date.parse(res.body.creationDate)).toBeGreaterThan(7 * 3600_000);
    expect(res.body.resolutionDate).toBeUndefined();

    // the fault desk sees a repair job on the asset with the product down
    const fault = await legacyFault('INITECH-TT-1');
    expect(fault).toMatchObject({
      ASSET_ID: 'AS-5000021',
      FAULT_TYPE: 'RP',
      IMPACT: 'DOWN',
      PRIORITY: 2,
      SEVERITY: 2,
      TT_STATUS: 'OPEN',
      CONTACT_PHONE: '+15125550142',
    });
    expect(fault.INCIDENT_NO).toEqual(expect.any(String));
  });

  it('creates tickets of type failure on its Paris site and degraded on its product, each reaching the BSS as a repair job', async () => {
    const failure = await gw.call('POST', `${BILLIE}/troubleTicket`, {
      token: initech,
      body: initechTicket('INITECH-TT-2', {
        description: 'Backup path of the Paris office not working',
        ticketType: 'failure',
        priority: 'low',
        severity: 'minor',
        relatedEntity: [{ '@referredType': 'GeographicSite', id: 'ST-100032', role: 'site' }],
        attachment: [{ name: 'trace.pcap', url: 'https://files.initech.example/trace.pcap' }],
      }),
    });
    expect(failure.status).toBe(201);
    expectSpecValid('createTroubleTicket', 201, failure.body);
    failureId = failure.body.id;
    expect(failure.body).toMatchObject({
      ticketType: 'failure',
      relatedEntity: [{ '@referredType': 'GeographicSite', id: 'ST-100032' }],
      attachment: [{ name: 'trace.pcap', url: 'https://files.initech.example/trace.pcap', source: 'buyer' }],
    });
    // a failure says nothing about how the service is affected: no impact for the desk
    expect(await legacyFault('INITECH-TT-2')).toMatchObject({
      SITE_ID: 'ST-100032',
      ASSET_ID: null,
      FAULT_TYPE: 'RP',
      IMPACT: null,
    });

    const degraded = await gw.call('POST', `${BILLIE}/troubleTicket`, {
      token: initech,
      body: initechTicket('INITECH-TT-3', { ticketType: 'degraded', priority: 'medium', severity: 'moderate' }),
    });
    expect(degraded.status).toBe(201);
    expectSpecValid('createTroubleTicket', 201, degraded.body);
    expect(degraded.body.ticketType).toBe('degraded');
    expect(await legacyFault('INITECH-TT-3')).toMatchObject({ FAULT_TYPE: 'RP', IMPACT: 'DEGR' });
  });

  it('retrieves the ticket; the same id is unknown to another partner', async () => {
    const res = await gw.call('GET', `${BILLIE}/troubleTicket/${ticketId}`, { token: initech });
    expect(res.status).toBe(200);
    expectSpecValid('retrieveTroubleTicket', 200, res.body);
    expect(res.body).toMatchObject({ id: ticketId, ticketType: 'down', status: 'acknowledged' });
    const acme = await gw.token('acme');
    const foreign = await gw.call('GET', `${GRACE}/troubleTicket/${ticketId}`, { token: acme });
    expect(foreign.status).toBe(404);
    const unknown = await gw.call('GET', `${BILLIE}/troubleTicket/no-such-ticket`, { token: initech });
    expect(unknown.status).toBe(404);
    expectSpecValid('retrieveTroubleTicket', 404, unknown.body);
  });

  it("lists tickets with Billie's filters (the type as given) and pagination headers; Grace's observedImpact is no filter here", async () => {
    const all = await gw.call('GET', `${BILLIE}/troubleTicket`, { token: initech });
    expectFindListValid(all, 3);
    expect(all.body.map((t: { externalId: string }) => t.externalId)).toEqual(['INITECH-TT-3', 'INITECH-TT-2', 'INITECH-TT-1']);
    expect(all.body.map((t: { ticketType: string }) => t.ticketType)).toEqual(['degraded', 'failure', 'down']);
    for (const item of all.body) expect(item).not.toHaveProperty('observedImpact');

    const down = await gw.call('GET', `${BILLIE}/troubleTicket?ticketType=down`, { token: initech });
    expectFindListValid(down, 1);
    expect(down.body[0]).toMatchObject({
      id: ticketId,
      externalId: 'INITECH-TT-1',
      status: 'acknowledged',
      expectedResolutionDate: expect.any(String),
    });
    const failure = await gw.call('GET', `${BILLIE}/troubleTicket?ticketType=failure&relatedEntityType=GeographicSite`, { token: initech });
    expectFindListValid(failure, 1);
    expect(failure.body[0].id).toBe(failureId);
    // the unified type of all three is maintenance, which is not what the Buyer filed
    expectFindListValid(await gw.call('GET', `${BILLIE}/troubleTicket?ticketType=maintenance`, { token: initech }), 0);

    const product = await gw.call('GET', `${BILLIE}/troubleTicket?relatedEntityId=AS-5000021&priority=high`, {
      token: initech,
    });
    expectFindListValid(product, 1);
    expect(product.body[0].id).toBe(ticketId);
    const page = await gw.call('GET', `${BILLIE}/troubleTicket?offset=1&limit=1`, { token: initech });
    expectFindListValid(page, 3);
    expect(page.body.map((t: { id: string }) => t.id)).toEqual([failureId]);
    expectFindListValid(await gw.call('GET', `${BILLIE}/troubleTicket?creationDate.gt=2099-01-01T00:00:00Z`, { token: initech }), 0);

    const bad = await gw.call('GET', `${BILLIE}/troubleTicket?observedImpact=down`, { token: initech });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalidQuery');
    expectSpecValid('listTroubleTicket', 400, bad.body);
  });

  it('patches priority, notes, an attachment and the related tickets; the BSS re-evaluates its priority', async () => {
    const res = await gw.call('PATCH', `${BILLIE}/troubleTicket/${ticketId}`, {
      token: initech,
      body: {
        priority: 'critical',
        note: [{ id: 'n2', author: 'Peter', date: at(1), source: 'buyer', text: 'whole floor offline now' }],
        attachment: [{ name: 'photo.jpg', url: 'https://files.initech.example/photo.jpg', author: 'Peter' }],
        troubleTicketRelationship: [{ id: 'TT-OLD-8', relationshipType: 'relatedTo' }],
      },
    });
    expect(res.status).toBe(200);
    expectSpecValid('patchTroubleTicket', 200, res.body);
    expect(res.body).toMatchObject({
      priority: 'critical',
      sellerPriority: 'critical',
      ticketType: 'down',
      status: 'acknowledged',
    });
    expect(res.body.note.map((n: { id: string }) => n.id)).toEqual(['n1', 'n2']);
    expect(res.body.attachment).toEqual([
      { name: 'photo.jpg', url: 'https://files.initech.example/photo.jpg', author: 'Peter', source: 'buyer' },
    ]);
    expect(res.body.troubleTicketRelationship).toEqual([{ id: 'TT-OLD-8', relationshipType: 'relatedTo', source: 'buyer' }]);
    expect(Date.parse(res.body.lastUpdate)).toBeGreaterThanOrEqual(Date.parse(res.body.creationDate));
    const fault = await legacyFault('INITECH-TT-1');
    expect(fault.PRIORITY).toBe(1);
    expect(fault.NOTES.map((n: { TEXT: string }) => n.TEXT).join('\n')).toContain('whole floor offline now');
  });

  it('refuses in a patch what Billie cannot change or does not have, naming the property', async () => {
    for (const [body, path] of [
      [{ ticketType: 'degraded' }, '/ticketType'],
      [{ observedImpact: 'degraded' }, '/observedImpact'],
      [{ description: 'else' }, '/description'],
    ] as const) {
      const res = await gw.call('PATCH', `${BILLIE}/troubleTicket/${ticketId}`, { token: initech, body });
      expect(res.status, path).toBe(422);
      expect(res.body).toEqual([expect.objectContaining({ code: 'unexpectedProperty', propertyPath: path })]);
      expectSpecValid('patchTroubleTicket', 422, res.body);
    }
  });

  it('refuses to close a ticket the fault desk has not resolved', async () => {
    const res = await gw.call('POST', `${BILLIE}/troubleTicket/${ticketId}/close`, { token: initech, body: {} });
    expect(res.status).toBe(422);
    expect(res.body[0]).toMatchObject({ code: 'invalidValue', reason: expect.stringContaining('acknowledged') });
    expectSpecValid('closeTroubleTicket', 422, res.body);
    expect((await legacyFault('INITECH-TT-1')).TT_STATUS).toBe('OPEN');
  });

  it('moves with the fault desk: in progress, then resolved with the resolution, each change notified on the Billie listener', async () => {
    await faultDesk('INITECH-TT-1', { TO: 'WIP' });
    const [wip] = await nextNotifications(1);
    expect(wip!.url).toBe('/initech/mefApi/sonata/troubleTicket/v1/listener/troubleTicketStatusChangeEvent');
    expect(wip!.body).toMatchObject({
      eventType: 'troubleTicketStatusChangeEvent',
      event: {
        id: ticketId,
        href: `${BILLIE}/troubleTicket/${ticketId}`,
        buyerId: 'INITECH-US-5',
        sellerId: 'NETCORE',
      },
    });
    expectNotificationValid(wip!);
    expect((await gw.call('GET', `${BILLIE}/troubleTicket/${ticketId}`, { token: initech })).body.status).toBe('inProgress');

    await faultDesk('INITECH-TT-1', { TO: 'RSLVD', REASON: 'SFP replaced at Amsterdam POP' });
    const [resolved] = await nextNotifications(1);
    expectNotificationValid(resolved!);
    const res = await gw.call('GET', `${BILLIE}/troubleTicket/${ticketId}`, { token: initech });
    expectSpecValid('retrieveTroubleTicket', 200, res.body);
    expect(res.body.status).toBe('resolved');
    expect(res.body.statusChange.map((c: { status: string }) => c.status)).toEqual(['acknowledged', 'inProgress', 'resolved']);
    expect(res.body.statusChange[2].changeReason).toBe('SFP replaced at Amsterdam POP');
    expect(res.body.resolutionDate).toEqual(expect.any(String));

    const list = await gw.call('GET', `${BILLIE}/troubleTicket?status=resolved`, { token: initech });
    expectFindListValid(list, 1);
    expect(list.body[0]).toMatchObject({ id: ticketId, resolutionDate: res.body.resolutionDate });
  });

  it('closes the resolved ticket (the Buyer confirms): 204, closed and notified; a closed ticket takes no patch', async () => {
    const res = await gw.call('POST', `${BILLIE}/troubleTicket/${ticketId}/close`, { token: initech, body: {} });
    expect(res.status).toBe(204);
    const [closed] = await nextNotifications(1);
    expect(closed!.body).toMatchObject({ event: { id: ticketId } });
    expectNotificationValid(closed!);
    const got = await gw.call('GET', `${BILLIE}/troubleTicket/${ticketId}`, { token: initech });
    expectSpecValid('retrieveTroubleTicket', 200, got.body);
    expect(got.body.status).toBe('closed');
    const patch = await gw.call('PATCH', `${BILLIE}/troubleTicket/${ticketId}`, {
      token: initech,
      body: { priority: 'low' },
    });
    expect(patch.status).toBe(422);
    expectSpecValid('patchTroubleTicket', 422, patch.body);
  });

  it('cancels an open ticket: 204, cancelled at the BSS and notified; a second cancel is refused', async () => {
    const res = await gw.call('POST', `${BILLIE}/troubleTicket/${failureId}/cancel`, { token: initech, body: {} });
    expect(res.status).toBe(204);
    const [cancelled] = await nextNotifications(1);
    expect(cancelled!.body).toMatchObject({ event: { id: failureId } });
    expectNotificationValid(cancelled!);
    const got = await gw.call('GET', `${BILLIE}/troubleTicket/${failureId}`, { token: initech });
    expectSpecValid('retrieveTroubleTicket', 200, got.body);
    expect(got.body.status).toBe('cancelled');
    expect(got.body.statusChange.map((c: { status: string }) => c.status)).toEqual(['acknowledged', 'cancelled']);
    expect((await legacyFault('INITECH-TT-2')).TT_STATUS).toBe('CANC');
    const again = await gw.call('POST', `${BILLIE}/troubleTicket/${failureId}/cancel`, { token: initech, body: {} });
    expect(again.status).toBe(422);
    expectSpecValid('cancelTroubleTicket', 422, again.body);
  });

  it('refuses bad tickets with 422 naming the property: missing entity, Grace-only fields and types, foreign asset, phone, embedded attachment', async () => {
    const cases: Array<[unknown, string, string]> = [
      [
        {
          description: 'x',
          ticketType: 'down',
          priority: 'low',
          severity: 'minor',
          relatedContactInformation: [reporter],
        },
        'missingProperty',
        '/relatedEntity',
      ],
      [initechTicket('E1', { observedImpact: 'down' }), 'unexpectedProperty', '/observedImpact'],
      [initechTicket('E2', { ticketType: 'information' }), 'invalidValue', '/ticketType'],
      // AS-5000001 is ACME's asset: for Initech it does not exist
      [
        initechTicket('E3', {
          relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
        }),
        'invalidValue',
        '/relatedEntity/0/id',
      ],
      [
        initechTicket('E4', { relatedContactInformation: [{ ...reporter, number: '512 555 0142' }] }),
        'invalidFormat',
        '/relatedContactInformation/0/number',
      ],
      [
        initechTicket('E5', { attachment: [{ name: 'a.png', content: 'aGVsbG8=', url: 'https://x.example/a.png' }] }),
        'unexpectedProperty',
        '/attachment/0/content',
      ],
    ];
    for (const [body, code, path] of cases) {
      const res = await gw.call('POST', `${BILLIE}/troubleTicket`, { token: initech, body });
      expect(res.status, path).toBe(422);
      expect(res.body, path).toContainEqual(expect.objectContaining({ code, propertyPath: path }));
      expectSpecValid('createTroubleTicket', 422, res.body);
    }
  });

  it('offers no incidents (Billie has none)', async () => {
    expect((await gw.call('GET', `${BILLIE}/incident`, { token: initech })).status).toBe(404);
  });

  it('unregisters the hub subscription', async () => {
    const res = await gw.call('DELETE', `${BILLIE}/hub/${hubId}`, { token: initech });
    expect(res.status).toBe(204);
    const again = await gw.call('DELETE', `${BILLIE}/hub/${hubId}`, { token: initech });
    expect(again.status).toBe(404);
    expectSpecValid('unregisterListener', 404, again.body);
  });

  it("logged no answer that violates Billie's spec (as corrected by the project's errata)", () => {
    expect(gw.logs.filter((l) => l.message === 'response violates the Sonata specification')).toEqual([]);
  });
});
