import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { notificationReader, startGatewayWithTokens } from '../support/seller-tests.js';
import { SDK_DIR, SPEC_ERRATA, type TestGateway } from '../support/test-gateway.js';

/**
 * Trouble tickets and incidents, Grace v4 (acme-telecom) and Kylie v5 (globex-networks), against the embedded
 * legacy BSS: create, list, retrieve, patch, cancel/close/reopen and their refusals, status progress reported by
 * the BSS's fault desk (driven with its `_sim` endpoints, reported by its signed callbacks) with notifications to
 * a local listener, incidents, and buyer isolation. Every body is checked against the official spec.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const GRACE = '/mefApi/sonata/troubleTicket/v4';
const KYLIE = '/mefApi/sonata/troubleTicket/v5';
const LEGACY_KEY = 'demo-legacy-key-42';
/** `minutes` from now (the tests' note dates must fall before / after the fault desk's own, written at run time). */
const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

function expectSpecValid(release: SonataRelease, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, 'troubleTicket')!.operationById(operationId)!;
  expect(op, `${release} ${operationId} exists in the SDK`).toBeDefined();
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

/** A TroubleTicket_Find list against the spec, with the project's errata (no invented resolutionDate or externalId). */
function expectFindListValid(release: SonataRelease, res: { status: number; headers: Headers; body: any }, total: number): void {
  expect(res.status).toBe(200);
  expect(res.headers.get('x-total-count')).toBe(String(total));
  expect(res.headers.get('x-result-count')).toBe(String(res.body.length));
  expect(res.headers.get('x-pagination-throttled')).toBe('false');
  expect(specs.api(release, 'troubleTicket')!.operationById('listTroubleTicket')!.validateResponseBody(200, res.body)).toEqual([]);
}

function expectNotificationValid(release: SonataRelease, call: ReceivedCall): void {
  const op = specs.api(release, 'troubleTicketNotification')!.operationById('listenToTroubleTicketStatusChangeEvent')!;
  expect(op.validateRequestBody(call.body)).toEqual([]);
}

let gw: TestGateway;
let acme: string;
let globex: string;
let acmeListener: TestListener;
let globexListener: TestListener;
/** The next `n` notifications the listener receives (waits for them; event-driven, bounded by a timeout). */
const nextNotifications = notificationReader().next;

/** The fault desk of the legacy BSS (its `_sim` back-office endpoints). */
async function faultDesk(externalId: string, custNo: string, body: Record<string, unknown>): Promise<string> {
  const headers = { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' };
  const search = await fetch(`${gw.gateway.legacyUrl}/bss/v2/faults/search`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ CUST_NO: custNo, CUST_TT_REF: externalId }),
  });
  const ttNo = ((await search.json()) as { FAULTS: Array<{ TT_NO: string }> }).FAULTS[0]!.TT_NO;
  const advanced = await fetch(`${gw.gateway.legacyUrl}/bss/v2/_sim/faults/${ttNo}/advance`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  expect(((await advanced.json()) as { RC: number }).RC).toBe(0);
  return ttNo;
}

const reporter = {
  role: 'reporterContact',
  name: 'Eva Example',
  number: '+49 30 1234567',
  emailAddress: 'eva@acme.example',
};
function acmeTicket(externalId: string, over: Record<string, unknown> = {}) {
  return {
    externalId,
    description: 'E-Line to Berlin HQ down since 10:00',
    ticketType: 'maintenance',
    priority: 'high',
    severity: 'significant',
    observedImpact: 'down',
    issueStartDate: at(-120),
    relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
    relatedContactInformation: [reporter],
    ...over,
  };
}

beforeAll(async () => {
  ({ gw, acme, globex } = await startGatewayWithTokens());
  acmeListener = await startListener();
  globexListener = await startListener();
});
afterAll(async () => {
  await gw?.close();
  await acmeListener?.close();
  await globexListener?.close();
});

describe('Grace (acme-telecom): troubleTicket v4', () => {
  let hubId: string;
  let ticketId: string;

  it('registers a hub subscription for ticket status changes', async () => {
    const res = await gw.call('POST', `${GRACE}/hub`, {
      token: acme,
      body: { callback: `${acmeListener.origin}/acme`, query: 'eventType=troubleTicketStatusChangeEvent' },
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', 'registerListener', 201, res.body);
    hubId = res.body.id;
    const got = await gw.call('GET', `${GRACE}/hub/${hubId}`, { token: acme });
    expect(got.status).toBe(200);
    expectSpecValid('grace', 'retrieveHub', 200, got.body);
  });

  it('creates a ticket on a product: acknowledged, with the Seller evaluation, restore target and the incident the BSS linked', async () => {
    const res = await gw.call('POST', `${GRACE}/troubleTicket`, {
      token: acme,
      body: acmeTicket('ACME-TT-1', {
        note: [{ id: 'n1', author: 'Eva', date: at(-115), source: 'buyer', text: 'CPE LEDs red' }],
      }),
    });
    expect(res.status).toBe(201);
    expectSpecValid('grace', 'createTroubleTicket', 201, res.body);
    ticketId = res.body.id;
    expect(res.body).toMatchObject({
      href: `${GRACE}/troubleTicket/${ticketId}`,
      externalId: 'ACME-TT-1',
      status: 'acknowledged',
      statusChange: [{ status: 'acknowledged', changeDate: res.body.creationDate }],
      priority: 'high',
      sellerPriority: 'high',
      sellerSeverity: 'significant',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000001', role: 'affectedProduct' }],
      relatedContactInformation: [
        { role: 'reporterContact', name: 'Eva Example', number: '+49301234567', emailAddress: 'eva@acme.example' },
      ],
      note: [{ id: 'n1', author: 'Eva', source: 'buyer', text: 'CPE LEDs red' }],
      relatedIssue: [{ '@referredType': 'Incident', id: 'INC-2026-000017', source: 'seller' }],
    });
    // priority high: the BSS promises restoration within 8 hours of opening
    expect(Date.parse(res.body.expectedResolutionDate) - Date.parse(res.body.creationDate)).toBeGreaterThan(7 * 3600_000);
    expect(res.body.resolutionDate).toBeUndefined();
  });

  it('retrieves the ticket; the same id is unknown to another partner', async () => {
    const res = await gw.call('GET', `${GRACE}/troubleTicket/${ticketId}`, { token: acme });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ticketId);
    expectSpecValid('grace', 'retrieveTroubleTicket', 200, res.body);
    const foreign = await gw.call('GET', `${KYLIE}/troubleTicket/${ticketId}`, { token: globex });
    expect(foreign.status).toBe(404);
    expectSpecValid('kylie', 'retrieveTroubleTicket', 404, foreign.body);
  });

  it('moves with the fault desk: in progress, then resolved with the resolution, each change notified', async () => {
    await faultDesk('ACME-TT-1', 'C-100042', { TO: 'WIP' });
    const [wip] = await nextNotifications(acmeListener, 1);
    expect(wip!.url).toBe('/acme/mefApi/sonata/troubleTicketNotification/v4/listener/troubleTicketStatusChangeEvent');
    expect(wip!.body).toMatchObject({
      eventType: 'troubleTicketStatusChangeEvent',
      event: { id: ticketId, href: `${GRACE}/troubleTicket/${ticketId}`, buyerId: 'ACME-DE-0042', sellerId: 'NETCORE' },
    });
    expectNotificationValid('grace', wip!);
    expect((await gw.call('GET', `${GRACE}/troubleTicket/${ticketId}`, { token: acme })).body.status).toBe('inProgress');

    await faultDesk('ACME-TT-1', 'C-100042', { TO: 'RSLVD', REASON: 'line card replaced at Berlin Mitte' });
    const [resolved] = await nextNotifications(acmeListener, 1);
    expectNotificationValid('grace', resolved!);
    const res = await gw.call('GET', `${GRACE}/troubleTicket/${ticketId}`, { token: acme });
    expectSpecValid('grace', 'retrieveTroubleTicket', 200, res.body);
    expect(res.body.status).toBe('resolved');
    expect(res.body.statusChange.map((c: { status: string }) => c.status)).toEqual(['acknowledged', 'inProgress', 'resolved']);
    expect(res.body.statusChange[2].changeReason).toBe('line card replaced at Berlin Mitte');
    expect(res.body.resolutionDate).toEqual(expect.any(String));
  });

  it('lists tickets with filters and pagination headers', async () => {
    await gw.call('POST', `${GRACE}/troubleTicket`, {
      token: acme,
      body: acmeTicket('ACME-TT-2', {
        ticketType: 'assistance',
        priority: 'low',
        severity: 'minor',
        observedImpact: 'degraded',
        relatedEntity: [{ '@referredType': 'GeographicSite', id: 'ST-100012', role: 'site' }],
      }),
    });
    const all = await gw.call('GET', `${GRACE}/troubleTicket`, { token: acme });
    expectFindListValid('grace', all, 2);
    expect(all.body.map((t: { externalId: string }) => t.externalId)).toEqual(['ACME-TT-2', 'ACME-TT-1']);
    expect(all.body[1]).toMatchObject({
      id: ticketId,
      status: 'resolved',
      sellerPriority: 'high',
      resolutionDate: expect.any(String),
    });

    const resolved = await gw.call('GET', `${GRACE}/troubleTicket?status=resolved`, { token: acme });
    expectFindListValid('grace', resolved, 1);
    expect(resolved.body[0].id).toBe(ticketId);
    const site = await gw.call('GET', `${GRACE}/troubleTicket?relatedEntityId=ST-100012&ticketType=assistance`, {
      token: acme,
    });
    expectFindListValid('grace', site, 1);
    expect(site.body[0]).toMatchObject({
      externalId: 'ACME-TT-2',
      relatedEntity: [{ '@referredType': 'GeographicSite', id: 'ST-100012' }],
    });
    const page = await gw.call('GET', `${GRACE}/troubleTicket?offset=1&limit=1`, { token: acme });
    expectFindListValid('grace', page, 2);
    expect(page.body.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    const later = await gw.call('GET', `${GRACE}/troubleTicket?creationDate.gt=2099-01-01T00:00:00Z`, { token: acme });
    expectFindListValid('grace', later, 0);

    const bad = await gw.call('GET', `${GRACE}/troubleTicket?state=resolved`, { token: acme });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalidQuery');
    expectSpecValid('grace', 'listTroubleTicket', 400, bad.body);
  });

  it('patches priority, notes and the external id; the BSS re-evaluates its priority', async () => {
    const res = await gw.call('PATCH', `${GRACE}/troubleTicket/${ticketId}`, {
      token: acme,
      body: {
        priority: 'critical',
        externalId: 'ACME-TT-1b',
        note: [{ id: 'n2', author: 'Eva', date: at(1), source: 'buyer', text: 'still flapping after the fix' }],
      },
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', 'patchTroubleTicket', 200, res.body);
    expect(res.body).toMatchObject({
      priority: 'critical',
      sellerPriority: 'critical',
      externalId: 'ACME-TT-1b',
      status: 'resolved',
    });
    // the partner's notes as written, plus the fault desk's resolution note (written when it resolved), oldest first
    expect(res.body.note.map((n: { id: string; source: string }) => `${n.source}:${n.id}`)).toEqual([
      'buyer:n1',
      'seller:seller-1',
      'buyer:n2',
    ]);
  });

  it('refuses what a patch cannot change, naming the property', async () => {
    const res = await gw.call('PATCH', `${GRACE}/troubleTicket/${ticketId}`, {
      token: acme,
      body: { description: 'something else' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual([expect.objectContaining({ code: 'unexpectedProperty', propertyPath: '/description' })]);
    expectSpecValid('grace', 'patchTroubleTicket', 422, res.body);
    // a property the update type does not know would change nothing: refused by name too, never an empty change
    const unknown = await gw.call('PATCH', `${GRACE}/troubleTicket/${ticketId}`, {
      token: acme,
      body: { orderVersion: '5' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toEqual([expect.objectContaining({ code: 'unexpectedProperty', propertyPath: '/orderVersion' })]);
    expectSpecValid('grace', 'patchTroubleTicket', 422, unknown.body);
  });

  it('closes a resolved ticket (Buyer confirms): 204, closed and notified', async () => {
    const res = await gw.call('POST', `${GRACE}/troubleTicket/${ticketId}/close`, { token: acme, body: {} });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const [closed] = await nextNotifications(acmeListener, 1);
    expect(closed!.body).toMatchObject({ event: { id: ticketId } });
    const got = await gw.call('GET', `${GRACE}/troubleTicket/${ticketId}`, { token: acme });
    expect(got.body.status).toBe('closed');
    expect(got.body.statusChange.map((c: { status: string }) => c.status)).toEqual(['acknowledged', 'inProgress', 'resolved', 'closed']);
  });

  it('refuses close, reopen, cancel and patch of a closed ticket with 422 naming its status', async () => {
    const attempts: Array<[string, string, unknown, string]> = [
      ['POST', 'close', {}, 'closeTroubleTicket'],
      ['POST', 'reopen', { reason: 'not fixed' }, 'reopenTroubleTicket'],
      ['POST', 'cancel', {}, 'cancelTroubleTicket'],
      ['PATCH', '', { priority: 'low' }, 'patchTroubleTicket'],
    ];
    for (const [method, action, body, operationId] of attempts) {
      const res = await gw.call(method, `${GRACE}/troubleTicket/${ticketId}${action ? `/${action}` : ''}`, {
        token: acme,
        body,
      });
      expect(res.status, operationId).toBe(422);
      expect(res.body[0]).toMatchObject({ code: 'invalidValue', reason: expect.stringContaining('closed') });
      expectSpecValid('grace', operationId, 422, res.body);
    }
  });

  it('reopens a resolved ticket with a reason, refuses a reopen without one and a close while reopened', async () => {
    await faultDesk('ACME-TT-2', 'C-100042', { TO: 'RSLVD', REASON: 'port re-enabled' });
    await nextNotifications(acmeListener, 2); // inProgress, resolved
    const list = await gw.call('GET', `${GRACE}/troubleTicket?externalId=ACME-TT-2`, { token: acme });
    const id = list.body[0].id as string;

    const missing = await gw.call('POST', `${GRACE}/troubleTicket/${id}/reopen`, { token: acme, body: {} });
    expect(missing.status).toBe(422);
    expect(missing.body).toContainEqual(expect.objectContaining({ code: 'missingProperty', propertyPath: '/reason' }));
    expectSpecValid('grace', 'reopenTroubleTicket', 422, missing.body);

    const res = await gw.call('POST', `${GRACE}/troubleTicket/${id}/reopen`, {
      token: acme,
      body: { reason: 'still slow in the evenings' },
    });
    expect(res.status).toBe(204);
    await nextNotifications(acmeListener, 1);
    const got = await gw.call('GET', `${GRACE}/troubleTicket/${id}`, { token: acme });
    expectSpecValid('grace', 'retrieveTroubleTicket', 200, got.body);
    expect(got.body.status).toBe('reopened');
    expect(got.body.statusChange.at(-1)).toMatchObject({
      status: 'reopened',
      changeReason: 'still slow in the evenings',
    });
    expect(got.body.resolutionDate).toBeUndefined();

    const close = await gw.call('POST', `${GRACE}/troubleTicket/${id}/close`, { token: acme, body: {} });
    expect(close.status).toBe(422);
    expectSpecValid('grace', 'closeTroubleTicket', 422, close.body);

    // the desk works it again
    await faultDesk('ACME-TT-2', 'C-100042', {});
    await nextNotifications(acmeListener, 1);
    expect((await gw.call('GET', `${GRACE}/troubleTicket/${id}`, { token: acme })).body.status).toBe('inProgress');
  });

  it("a desk waiting for information makes the ticket pending; the Buyer's patch answers it and work resumes", async () => {
    const created = await gw.call('POST', `${GRACE}/troubleTicket`, { token: acme, body: acmeTicket('ACME-TT-3') });
    await faultDesk('ACME-TT-3', 'C-100042', { TO: 'WCUST', REASON: 'please confirm access to the site' });
    await nextNotifications(acmeListener, 1);
    const pending = await gw.call('GET', `${GRACE}/troubleTicket/${created.body.id}`, { token: acme });
    expect(pending.body.status).toBe('pending');
    expect(pending.body.statusChange.at(-1).changeReason).toBe('please confirm access to the site');

    const res = await gw.call('PATCH', `${GRACE}/troubleTicket/${created.body.id}`, {
      token: acme,
      body: {
        note: [
          {
            id: 'n9',
            author: 'Eva',
            date: at(2),
            source: 'buyer',
            text: 'access confirmed, ask for Jens at reception',
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    expectSpecValid('grace', 'patchTroubleTicket', 200, res.body);
    expect(res.body.status).toBe('inProgress');
    await nextNotifications(acmeListener, 1);
  });

  it('cancels an open ticket: 204, cancelled and notified; a second cancel is refused', async () => {
    const created = await gw.call('POST', `${GRACE}/troubleTicket`, { token: acme, body: acmeTicket('ACME-TT-4') });
    const id = created.body.id as string;
    const res = await gw.call('POST', `${GRACE}/troubleTicket/${id}/cancel`, { token: acme, body: {} });
    expect(res.status).toBe(204);
    const [cancelled] = await nextNotifications(acmeListener, 1);
    expect(cancelled!.body).toMatchObject({ event: { id } });
    const got = await gw.call('GET', `${GRACE}/troubleTicket/${id}`, { token: acme });
    expect(got.body.status).toBe('cancelled');
    expect(got.body.statusChange.map((c: { status: string }) => c.status)).toEqual(['acknowledged', 'cancelled']);
    const again = await gw.call('POST', `${GRACE}/troubleTicket/${id}/cancel`, { token: acme, body: {} });
    expect(again.status).toBe(422);
    expectSpecValid('grace', 'cancelTroubleTicket', 422, again.body);
  });

  it('answers 404 for actions on unknown tickets', async () => {
    const res = await gw.call('POST', `${GRACE}/troubleTicket/no-such-ticket/cancel`, { token: acme, body: {} });
    expect(res.status).toBe(404);
    expectSpecValid('grace', 'cancelTroubleTicket', 404, res.body);
  });

  it('refuses bad tickets with 422 naming the property: missing fields, entity, phone, reporter, embedded attachments', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ description: 'x' }, 'missingProperty', '/relatedEntity'],
      [
        acmeTicket('E1', {
          relatedEntity: [{ '@referredType': 'Product', id: 'AS-9999999', role: 'affectedProduct' }],
        }),
        'invalidValue',
        '/relatedEntity/0/id',
      ],
      [
        acmeTicket('E2', {
          relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000011', role: 'affectedProduct' }],
        }),
        'invalidValue',
        '/relatedEntity/0/id',
      ],
      [
        acmeTicket('E3', {
          relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000005', role: 'affectedProduct' }],
        }),
        'invalidValue',
        '/relatedEntity/0/id',
      ],
      [
        acmeTicket('E4', { relatedEntity: [{ '@referredType': 'ProductOrder', id: 'O-1', role: 'order' }] }),
        'invalidValue',
        '/relatedEntity/0/@referredType',
      ],
      [
        acmeTicket('E5', { relatedContactInformation: [{ ...reporter, number: '030 1234567' }] }),
        'invalidFormat',
        '/relatedContactInformation/0/number',
      ],
      [
        acmeTicket('E6', { relatedContactInformation: [{ ...reporter, role: 'buyerTechnicalContact' }] }),
        'missingProperty',
        '/relatedContactInformation',
      ],
      [
        acmeTicket('E7', {
          attachment: [
            {
              name: 'a.png',
              author: 'Eva',
              creationDate: at(-120),
              source: 'buyer',
              content: 'aGVsbG8=',
              mimeType: 'image/png',
              url: 'https://x.example/a.png',
            },
          ],
        }),
        'unexpectedProperty',
        '/attachment/0/content',
      ],
    ];
    for (const [body, code, path] of cases) {
      const res = await gw.call('POST', `${GRACE}/troubleTicket`, { token: acme, body });
      expect(res.status, path).toBe(422);
      expect(res.body, path).toContainEqual(expect.objectContaining({ code, propertyPath: path }));
      expectSpecValid('grace', 'createTroubleTicket', 422, res.body);
    }
  });

  it('lists and retrieves incidents affecting its products, with filters and pagination headers', async () => {
    const all = await gw.call('GET', `${GRACE}/incident`, { token: acme });
    expect(all.status).toBe(200);
    expectSpecValid('grace', 'listIncident', 200, all.body);
    expect(all.headers.get('x-total-count')).toBe('2');
    expect(all.headers.get('x-result-count')).toBe('2');
    expect(all.body.map((i: { id: string }) => i.id)).toEqual(['INC-2026-000017', 'INC-2025-000093']);
    expect(all.body[0]).toMatchObject({
      incidentType: 'maintenance',
      status: 'created',
      impact: 'intermittent',
      severity: 'moderate',
      priority: 'medium',
    });

    const closed = await gw.call('GET', `${GRACE}/incident?status=closed`, { token: acme });
    expectSpecValid('grace', 'listIncident', 200, closed.body);
    expect(closed.body.map((i: { id: string }) => i.id)).toEqual(['INC-2025-000093']);
    const product = await gw.call('GET', `${GRACE}/incident?relatedEntityId=AS-5000006&limit=1`, { token: acme });
    expect(product.body.map((i: { id: string }) => i.id)).toEqual(['INC-2025-000093']);
    expect(product.headers.get('x-total-count')).toBe('1');
    const upcoming = await gw.call('GET', `${GRACE}/incident?situationStartDate.gt=2026-12-01T00:00:00Z`, {
      token: acme,
    });
    expect(upcoming.body.map((i: { id: string }) => i.id)).toEqual(['INC-2026-000017']);
    const paged = await gw.call('GET', `${GRACE}/incident?offset=1&limit=1`, { token: acme });
    expect(paged.body.map((i: { id: string }) => i.id)).toEqual(['INC-2025-000093']);
    expect(paged.headers.get('x-total-count')).toBe('2');

    for (const query of ['?status=open', '?colour=red', '?closedDate.lt=yesterday']) {
      const bad = await gw.call('GET', `${GRACE}/incident${query}`, { token: acme });
      expect(bad.status, query).toBe(400);
      expect(bad.body.code).toBe('invalidQuery');
      expectSpecValid('grace', 'listIncident', 400, bad.body);
    }

    const one = await gw.call('GET', `${GRACE}/incident/INC-2025-000093`, { token: acme });
    expect(one.status).toBe(200);
    expectSpecValid('grace', 'retrieveIncident', 200, one.body);
    expect(one.body).toMatchObject({
      status: 'closed',
      relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000006' }],
      relatedContactInformation: [{ role: 'incidentContact' }],
      statusChange: [{ status: 'created' }, { status: 'inProgress' }, { status: 'closed' }],
    });
    // an incident affecting only another customer's products does not exist for this partner
    const foreign = await gw.call('GET', `${GRACE}/incident/INC-2026-000018`, { token: acme });
    expect(foreign.status).toBe(404);
    expectSpecValid('grace', 'retrieveIncident', 404, foreign.body);
  });

  it('unregisters the hub subscription', async () => {
    const res = await gw.call('DELETE', `${GRACE}/hub/${hubId}`, { token: acme });
    expect(res.status).toBe(204);
    expect((await gw.call('GET', `${GRACE}/hub/${hubId}`, { token: acme })).status).toBe(404);
  });
});

describe('Kylie (globex-networks): troubleTicket v5', () => {
  let ticketId: string;
  const globexTicket = {
    externalId: 'GLX-TT-1',
    description: 'Canary Wharf E-Line down',
    ticketType: 'maintenance',
    priority: 'critical',
    severity: 'extensive',
    observedImpact: 'down',
    relatedEntity: [{ '@referredType': 'Product', id: 'AS-5000011', role: 'affectedProduct' }],
    relatedContactInformation: [
      {
        role: 'reporterContact',
        name: 'Oliver Bennett',
        number: '+44 20 7946 3030',
        emailAddress: 'noc@globex.example',
        postalAddress: { streetName: 'Canada Square', streetNr: '1', city: 'London', countryCode: 'GB' },
      },
    ],
    attachment: [
      {
        name: 'otdr.pdf',
        url: 'https://files.globex.example/otdr.pdf',
        author: 'Oliver',
        creationDate: '2026-11-25T08:00:00Z',
        source: 'buyer',
        size: { amount: 2, units: 'MBYTES' },
      },
    ],
  };

  it('creates a ticket; the answer is valid against Kylie (status history, representation address, URL attachments)', async () => {
    const hub = await gw.call('POST', `${KYLIE}/hub`, {
      token: globex,
      body: { callback: `${globexListener.origin}/globex` },
    });
    expect(hub.status).toBe(201);
    expectSpecValid('kylie', 'registerListener', 201, hub.body);

    const res = await gw.call('POST', `${KYLIE}/troubleTicket`, { token: globex, body: globexTicket });
    expect(res.status).toBe(201);
    expectSpecValid('kylie', 'createTroubleTicket', 201, res.body);
    ticketId = res.body.id;
    expect(res.body).toMatchObject({
      href: `${KYLIE}/troubleTicket/${ticketId}`,
      status: 'acknowledged',
      sellerPriority: 'critical',
      relatedContactInformation: [
        { number: '+442079463030', postalAddress: { streetName: 'Canada Square', city: 'London', countryCode: 'GB' } },
      ],
      attachment: [{ name: 'otdr.pdf', url: 'https://files.globex.example/otdr.pdf', size: { amount: 2, units: 'MBYTES' } }],
      relatedIssue: [{ '@referredType': 'Incident', id: 'INC-2026-000018' }],
    });
  });

  it('notifies the status the fault desk reports, typed as Kylie events with buyerId/sellerId in the query', async () => {
    await faultDesk('GLX-TT-1', 'C-100077', { TO: 'WIP', REASON: 'splicing team on site' });
    const [wip] = await nextNotifications(globexListener, 1);
    expect(wip!.url).toBe(
      '/globex/mefApi/sonata/troubleTicketNotification/v5/listener/troubleTicketStatusChangeEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE',
    );
    expect(wip!.body).toMatchObject({
      eventType: 'troubleTicketStatusChangeEvent',
      event: { id: ticketId, href: `${KYLIE}/troubleTicket/${ticketId}`, status: 'inProgress' },
    });
    expectNotificationValid('kylie', wip!);
    const got = await gw.call('GET', `${KYLIE}/troubleTicket/${ticketId}`, { token: globex });
    expectSpecValid('kylie', 'retrieveTroubleTicket', 200, got.body);
    expect(got.body.statusChange.at(-1)).toMatchObject({ status: 'inProgress', changeReason: 'splicing team on site' });
  });

  it('lists its tickets only, and patches one', async () => {
    const list = await gw.call('GET', `${KYLIE}/troubleTicket`, { token: globex });
    expectFindListValid('kylie', list, 1);
    expect(list.body[0]).toMatchObject({ id: ticketId, status: 'inProgress', externalId: 'GLX-TT-1' });

    const res = await gw.call('PATCH', `${KYLIE}/troubleTicket/${ticketId}`, {
      token: globex,
      body: { severity: 'significant', observedImpact: 'intermittent' },
    });
    expect(res.status).toBe(200);
    expectSpecValid('kylie', 'patchTroubleTicket', 200, res.body);
    expect(res.body).toMatchObject({
      severity: 'significant',
      sellerSeverity: 'significant',
      observedImpact: 'intermittent',
    });
  });

  it("cannot see or act on the Grace partner's tickets", async () => {
    const acmeList = await gw.call('GET', `${GRACE}/troubleTicket?limit=1`, { token: acme });
    const acmeId = acmeList.body[0].id as string;
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { priority: 'low' }],
      ['POST', '/cancel', {}],
    ] as const) {
      const res = await gw.call(method, `${KYLIE}/troubleTicket/${acmeId}${path}`, { token: globex, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });

  it('cancels its ticket: 204, notified with the new status', async () => {
    const res = await gw.call('POST', `${KYLIE}/troubleTicket/${ticketId}/cancel`, { token: globex, body: {} });
    expect(res.status).toBe(204);
    const [cancelled] = await nextNotifications(globexListener, 1);
    expect(cancelled!.body).toMatchObject({ event: { id: ticketId, status: 'cancelled' } });
    expectNotificationValid('kylie', cancelled!);
  });

  it('refuses a postal address with a country name instead of an alpha-2 code', async () => {
    const body = {
      ...globexTicket,
      externalId: 'GLX-TT-2',
      relatedContactInformation: [
        {
          ...globexTicket.relatedContactInformation[0],
          postalAddress: { city: 'London', countryCode: 'United Kingdom' },
        },
      ],
    };
    const res = await gw.call('POST', `${KYLIE}/troubleTicket`, { token: globex, body });
    expect(res.status).toBe(422);
    expect(res.body.map((i: { propertyPath: string }) => i.propertyPath)).toContain(
      '/relatedContactInformation/0/postalAddress/countryCode',
    );
    expectSpecValid('kylie', 'createTroubleTicket', 422, res.body);
  });

  it('lists and retrieves the incidents affecting its products', async () => {
    const all = await gw.call('GET', `${KYLIE}/incident`, { token: globex });
    expect(all.status).toBe(200);
    expectSpecValid('kylie', 'listIncident', 200, all.body);
    expect(all.headers.get('x-total-count')).toBe('1');
    expect(all.headers.get('x-pagination-throttled')).toBe('false');
    expect(all.body[0]).toMatchObject({
      id: 'INC-2026-000018',
      incidentType: 'repair',
      status: 'inProgress',
      impact: 'down',
      severity: 'extensive',
      priority: 'critical',
    });
    const one = await gw.call('GET', `${KYLIE}/incident/INC-2026-000018`, { token: globex });
    expect(one.status).toBe(200);
    expectSpecValid('kylie', 'retrieveIncident', 200, one.body);
    expect(one.body.relatedEntity.map((e: { id: string }) => e.id)).toEqual(['AS-5000011', 'AS-5000012']);
    const foreign = await gw.call('GET', `${KYLIE}/incident/INC-2026-000017`, { token: globex });
    expect(foreign.status).toBe(404);
  });
});
