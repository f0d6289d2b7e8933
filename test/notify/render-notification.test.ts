import { describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease, type SpecOperation } from '../../src/conformance/openapi-validator.js';
import type { HubSubscription } from '../../src/notify/hub-service.js';
import type { NotificationCatalog, NotificationEventDef } from '../../src/registry/notification-catalog.js';
import { NotificationRenderError, renderNotification, type SonataEvent } from '../../src/notify/render-notification.js';
import { SPEC_ERRATA } from '../support/test-gateway.js';
import { RELEASES, SDK_DIR, shippedCatalog } from './support.js';

// with the project's errata, as the gateway's spec guard applies them (Kylie's catalogue event types)
const spec = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const catalogs = new Map(RELEASES.map((r) => [r, shippedCatalog(r)] as const));
const PARTY = { buyerId: 'BUYER-7', sellerId: 'SELLER-1' };

function sub(release: string, apiName: string, callback = 'https://buyer.example.com/cb'): HubSubscription {
  return {
    id: 'sub-1',
    partnerId: 'acme',
    apiName,
    release,
    callback,
    eventTypes: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function listenerOperation(release: SonataRelease, catalog: NotificationCatalog, apiName: string, eventType: string): SpecOperation {
  const api = catalog.apis.get(apiName)!;
  const specApi = [api.notificationApi, `${api.notificationApi}Notification`]
    .map((name) => spec.api(release, name))
    .find((a) => a !== undefined && /Notification\.api\.ya?ml$/.test(a.file) && a.major === api.notificationVersion);
  const op = specApi?.operation('POST', `/listener/${eventType}`);
  if (!op) throw new Error(`no listener ${eventType} in ${release} ${api.notificationApi}`);
  return op;
}

/** A state value the spec accepts for each typed state-change event. */
function sampleState(def: NotificationEventDef): string {
  if (def.eventType.startsWith('charge')) return 'awaitingResponse';
  if (def.eventType.startsWith('incident')) return 'inProgress';
  if (def.eventType.startsWith('customerBill')) return 'settled';
  if (def.eventType.startsWith('productOffering')) return 'orderable';
  if (def.eventType.startsWith('productSpecification')) return 'published';
  if (def.eventType.startsWith('workOrder')) return 'planned';
  if (def.eventType.startsWith('appointment')) return 'confirmed';
  return 'acknowledged';
}

/** The whole resource an event of a `resourceBody` API carries (CIM: a CimIncident as the partner retrieves it). */
function sampleResource(apiName: string, version: string): Record<string, unknown> {
  const at = '2026-03-01T09:15:00.000Z';
  return {
    '@type': 'CimMaintenanceIncident',
    id: 'R-42',
    href: `/mefApi/sonata/${apiName}/${version}/resource/R-42`,
    description: 'Planned maintenance',
    incidentType: 'plannedMaintenance',
    status: 'created',
    impact: 'down',
    severity: 'minor',
    priority: 'low',
    creationDate: at,
    situationStartDate: at,
    expectedClosedDate: at,
    relatedEntity: [{ '@referredType': 'Product', id: 'P-1', role: 'impactedProduct' }],
    relatedContactInformation: [{ role: 'incidentContact', name: 'NOC', number: '+4969000', emailAddress: 'noc@example.com' }],
    statusChange: [{ status: 'created', changeDate: at }],
  };
}

function sampleEvent(apiName: string, def: NotificationEventDef, version = ''): SonataEvent {
  return {
    ...(def.resourceBody && { resource: sampleResource(apiName, version) }),
    eventType: def.internalType,
    apiName,
    resourceId: 'R-42',
    resourcePath: '/resource/R-42',
    itemId: '1',
    state: sampleState(def),
    milestoneName: 'siteSurveyDone',
    partnerId: 'acme',
    occurredAt: '2026-03-01T10:15:00+01:00',
    eventId: 'evt-1',
  };
}

describe('every event of every shipped catalogue renders a body the official listener accepts', () => {
  for (const release of RELEASES) {
    const catalog = catalogs.get(release)!;
    for (const api of catalog.apis.values()) {
      for (const def of api.events.values()) {
        it(`${release} ${api.apiName} ${def.eventType}`, () => {
          const rendered = renderNotification(sampleEvent(api.apiName, def, api.version), sub(release, api.apiName), catalog, PARTY);
          // the listener path is the event type unless the release's file names it otherwise (def.listener)
          const op = listenerOperation(release, catalog, api.apiName, def.listener ?? def.eventType);
          expect(op.validateRequestBody(rendered.body)).toEqual([]);

          const url = new URL(rendered.url);
          expect(url.pathname).toBe(
            `/cb/mefApi/sonata/${api.notificationApi}/${api.notificationVersion}/listener/${def.listener ?? def.eventType}`,
          );
          const body = rendered.body as { eventType: string; eventTime: string; event: Record<string, unknown> };
          expect(body.eventType).toBe(def.eventType);
          expect(body.eventTime).toBe('2026-03-01T09:15:00.000Z');
          expect(body.event.href).toBe(`/mefApi/sonata/${api.apiName}/${api.version}${def.resourcePath ?? '/resource'}/R-42`);

          if (catalog.partyIds === 'query') {
            // from Irene on, buyerId/sellerId are listener query parameters and no longer part of the body
            expect(Object.fromEntries(url.searchParams)).toEqual(PARTY);
            expect(op.validateQuery(Object.fromEntries(url.searchParams))).toEqual([]);
            expect(body.event).not.toHaveProperty('buyerId');
            expect(body.event).not.toHaveProperty('sellerId');
          } else {
            expect(url.search).toBe('');
            expect(body.event).toMatchObject(PARTY);
          }

          // each field the catalogue adds is one the spec requires (typed releases) or defines (reference releases)
          const added = [def.itemIdField, def.stateField, def.milestone ? 'milestoneName' : undefined].filter(
            (f): f is string => f !== undefined,
          );
          for (const field of added) {
            expect(body.event).toHaveProperty(field);
            // an erratum that corrects this payload's required list (Kylie's work order state change requires an
            // undefined "status"; the state it defines is "state") leaves the field defined but not required
            const corrected = SPEC_ERRATA.some(
              (e) => e.releases.includes(release) && e.api === api.notificationApi && e.notRequired.length > 0,
            );
            if (catalog.partyIds === 'query' && !corrected) {
              const { [field]: _dropped, ...rest } = body.event;
              expect(op.validateRequestBody({ ...body, event: rest }), `${field} should be required by the spec`).not.toEqual([]);
            }
          }
          // reference-style releases carry no state: the Buyer retrieves the resource
          if (catalog.partyIds === 'body') expect(body.event).not.toHaveProperty('state');
        });
      }
    }
  }

  it('an event that carries the whole resource is not rendered without it, nor with another resource', () => {
    const kylie = catalogs.get('kylie')!;
    const def = kylie.findEvent('cimIncident', 'cimIncidentCreateEvent')!;
    expect(def.resourceBody).toBe(true);
    const { resource, ...bare } = sampleEvent('cimIncident', def, 'v1');
    expect(() => renderNotification(bare, sub('kylie', 'cimIncident'), kylie, PARTY)).toThrow(/needs the resource/);
    expect(() => renderNotification({ ...bare, resource: { ...resource, id: 'R-43' } }, sub('kylie', 'cimIncident'), kylie, PARTY)).toThrow(
      /not R-42/,
    );
  });

  it('the validator used above does reject a wrong body (an invalid Kylie order state)', () => {
    const kylie = catalogs.get('kylie')!;
    const def = kylie.findEvent('productOrderingManagement', 'productOrderStateChangeEvent')!;
    const rendered = renderNotification(
      { ...sampleEvent('productOrderingManagement', def), state: 'halfDone' },
      sub('kylie', 'productOrderingManagement'),
      kylie,
      PARTY,
    );
    expect(listenerOperation('kylie', kylie, 'productOrderingManagement', def.eventType).validateRequestBody(rendered.body)).not.toEqual(
      [],
    );
  });
});

describe('renderNotification', () => {
  const orderItemEvent: SonataEvent = {
    eventType: 'productOrderItemStateChangeEvent',
    apiName: 'productOrderingManagement',
    resourceId: 'PO-123',
    resourcePath: '/productOrder/PO-123',
    itemId: '2',
    state: 'completed',
    partnerId: 'acme',
    occurredAt: '2026-03-01T10:00:00.000Z',
    eventId: 'e-1',
  };

  it('Grace: a reference event with the ids in the payload, under the v10 ordering notification path', () => {
    const rendered = renderNotification(
      orderItemEvent,
      sub('grace', 'productOrderingManagement', 'https://buyer.example.com/listenerEndpoint'),
      catalogs.get('grace')!,
      PARTY,
    );
    expect(rendered.url).toBe(
      'https://buyer.example.com/listenerEndpoint/mefApi/sonata/productOrderingNotification/v10/listener/productOrderItemStateChangeEvent',
    );
    expect(rendered.eventId).toBe('e-1');
    expect(rendered.body).toEqual({
      eventId: 'e-1',
      eventTime: '2026-03-01T10:00:00.000Z',
      eventType: 'productOrderItemStateChangeEvent',
      event: {
        id: 'PO-123',
        href: '/mefApi/sonata/productOrderingManagement/v10/productOrder/PO-123',
        orderItemId: '2',
        buyerId: 'BUYER-7',
        sellerId: 'SELLER-1',
      },
    });
  });

  it('Kylie: a typed event with the state, ids as query parameters, href into v11', () => {
    const rendered = renderNotification(
      orderItemEvent,
      sub('kylie', 'productOrderingManagement', 'https://buyer.example.com/hooks/'),
      catalogs.get('kylie')!,
      PARTY,
    );
    expect(rendered.url).toBe(
      'https://buyer.example.com/hooks/mefApi/sonata/productOrderingNotification/v11/listener/productOrderItemStateChangeEvent?buyerId=BUYER-7&sellerId=SELLER-1',
    );
    expect(rendered.body).toEqual({
      eventId: 'e-1',
      eventTime: '2026-03-01T10:00:00.000Z',
      eventType: 'productOrderItemStateChangeEvent',
      event: {
        id: 'PO-123',
        href: '/mefApi/sonata/productOrderingManagement/v11/productOrder/PO-123',
        orderItemId: '2',
        state: 'completed',
      },
    });
  });

  it('Kylie: leaves out ids the partner does not use, and keeps a query the callback already has', () => {
    const rendered = renderNotification(
      orderItemEvent,
      sub('kylie', 'productOrderingManagement', 'https://buyer.example.com/cb?tenant=t1'),
      catalogs.get('kylie')!,
      {},
    );
    expect(rendered.url).toBe(
      'https://buyer.example.com/cb/mefApi/sonata/productOrderingNotification/v11/listener/productOrderItemStateChangeEvent?tenant=t1',
    );
  });

  it('Billie: order events go to productOrderNotification/v7, trouble tickets under troubleTicket/v1', () => {
    const billie = catalogs.get('billie')!;
    expect(renderNotification(orderItemEvent, sub('billie', 'productOrderingManagement'), billie, PARTY).url).toBe(
      'https://buyer.example.com/cb/mefApi/sonata/productOrderNotification/v7/listener/productOrderItemStateChangeEvent',
    );
    const ticket: SonataEvent = {
      ...orderItemEvent,
      eventType: 'troubleTicketStatusChangeEvent',
      apiName: 'troubleTicket',
      resourceId: 'TT-1',
      resourcePath: '/troubleTicket/TT-1',
    };
    const rendered = renderNotification(ticket, sub('billie', 'troubleTicket'), billie, PARTY);
    expect(rendered.url).toBe('https://buyer.example.com/cb/mefApi/sonata/troubleTicket/v1/listener/troubleTicketStatusChangeEvent');
    expect((rendered.body as { event: unknown }).event).toEqual({
      id: 'TT-1',
      href: '/mefApi/sonata/troubleTicket/v1/troubleTicket/TT-1',
      buyerId: 'BUYER-7',
      sellerId: 'SELLER-1',
    });
  });

  it("Billie: a completion date change is rendered under Billie's names, its href in Billie's collection", () => {
    const event: SonataEvent = {
      ...orderItemEvent,
      eventType: 'modifyProductOrderItemRequestedDeliveryDateStateChangeEvent',
      resourceId: 'MD-1',
      resourcePath: '/modifyProductOrderItemRequestedDeliveryDate/MD-1',
    };
    const billie = renderNotification(event, sub('billie', 'productOrderingManagement'), catalogs.get('billie')!, PARTY);
    expect(billie.url).toBe(
      'https://buyer.example.com/cb/mefApi/sonata/productOrderNotification/v7/listener/modifyProductOrderItemCompletionDateStateChangeEvent',
    );
    expect((billie.body as { event: { href: string } }).event.href).toBe(
      '/mefApi/sonata/productOrderingManagement/v7/modifyProductOrderItemCompletionDate/MD-1',
    );
    // Grace keeps the gateway's own collection
    const grace = renderNotification(event, sub('grace', 'productOrderingManagement'), catalogs.get('grace')!, PARTY);
    expect((grace.body as { event: { href: string } }).event.href).toBe(
      '/mefApi/sonata/productOrderingManagement/v10/modifyProductOrderItemRequestedDeliveryDate/MD-1',
    );
  });

  it('renders a renamed event under the release name (Kylie ...DateSetEvent)', () => {
    const event = { ...orderItemEvent, eventType: 'productOrderItemExpectedCompletionDateSet' };
    const rendered = renderNotification(event, sub('kylie', 'productOrderingManagement'), catalogs.get('kylie')!, {});
    expect(rendered.url).toMatch(/\/listener\/productOrderItemExpectedCompletionDateSetEvent$/);
    expect((rendered.body as { eventType: string }).eventType).toBe('productOrderItemExpectedCompletionDateSetEvent');
  });

  it('generates an event id when the event has none', () => {
    const { eventId: _none, ...event } = orderItemEvent;
    const a = renderNotification(event, sub('grace', 'productOrderingManagement'), catalogs.get('grace')!, {});
    const b = renderNotification(event, sub('grace', 'productOrderingManagement'), catalogs.get('grace')!, {});
    expect(a.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.eventId).not.toBe(b.eventId);
    expect((a.body as { eventId: string }).eventId).toBe(a.eventId);
  });

  it('refuses events the release cannot express', () => {
    const kylie = catalogs.get('kylie')!;
    const grace = catalogs.get('grace')!;
    const kylieSub = sub('kylie', 'productOrderingManagement');
    expect(() => renderNotification({ ...orderItemEvent, itemId: undefined }, kylieSub, kylie, {})).toThrow(/needs itemId/);
    expect(() => renderNotification({ ...orderItemEvent, state: undefined }, kylieSub, kylie, {})).toThrow(/needs state/);
    // Grace carries no state, so the same event without one is fine there
    expect(() =>
      renderNotification({ ...orderItemEvent, state: undefined }, sub('grace', 'productOrderingManagement'), grace, {}),
    ).not.toThrow();
    expect(() =>
      renderNotification({ ...orderItemEvent, eventType: 'productSpecificProductOrderItemMilestoneEvent' }, kylieSub, kylie, {}),
    ).toThrow(/needs milestoneName/);
    expect(() =>
      renderNotification(
        { ...orderItemEvent, eventType: 'poqCreateEvent', apiName: 'productOfferingQualification' },
        sub('kylie', 'productOfferingQualification'),
        kylie,
        {},
      ),
    ).toThrow(NotificationRenderError);
    expect(() => renderNotification({ ...orderItemEvent, apiName: 'productInventory' }, kylieSub, kylie, {})).toThrow(
      /has no notifications/,
    );
    expect(() => renderNotification({ ...orderItemEvent, resourcePath: 'productOrder/1' }, kylieSub, kylie, {})).toThrow(/resourcePath/);
    expect(() => renderNotification({ ...orderItemEvent, resourcePath: '/a/../b' }, kylieSub, kylie, {})).toThrow(/resourcePath/);
    expect(() => renderNotification({ ...orderItemEvent, occurredAt: 'yesterday' }, kylieSub, kylie, {})).toThrow(/occurredAt/);
  });
});
