/**
 * Turns one gateway event into the listener call one subscriber expects: the URL under the subscriber's callback
 * (notification API base path of its release + `/listener/<eventType>`) and the event body of its release.
 * Pure: no I/O, so every shape can be checked against the official specs in tests.
 */
import { randomUUID } from 'node:crypto';
import type { HubSubscription } from './hub-service.js';
import type { NotificationApiDef, NotificationCatalog, NotificationEventDef } from '../registry/notification-catalog.js';

/** A change to a Sonata resource the gateway tells subscribers about, independent of any release. */
export interface SonataEvent {
  /** The gateway's name for the event (Grace's names, e.g. `productOrderItemStateChangeEvent`). */
  eventType: string;
  /** Management API the resource belongs to (`productOrderingManagement`). */
  apiName: string;
  /** Id of the resource the event is about (order, quote, POQ, ticket, bill, validation, charge...). */
  resourceId: string;
  /** Path of the resource relative to the management API base, e.g. `/productOrder/123`. */
  resourcePath: string;
  /** Item id, required by item events. */
  itemId?: string;
  /** New state (or status), required by state-change events of typed releases (Kylie). */
  state?: string;
  /** Required by milestone events. */
  milestoneName?: string;
  /** The partner (Buyer) whose subscriptions receive the event. */
  partnerId: string;
  /** When it happened, ISO 8601 with a zone. */
  occurredAt: string;
  /** Stable id, so a re-published event is recognisable (by the queue and by the Buyer); generated when absent. */
  eventId?: string;
  /**
   * The whole resource in the partner's release wire, for events that carry it (`resourceBody` in the catalogue:
   * CIM incidents, rendered per partner so it names only that partner's products).
   */
  resource?: Record<string, unknown>;
}

/** Buyer and Seller ids to echo in notifications (only when the partner uses them in requests). */
export interface NotificationParty {
  buyerId?: string;
  sellerId?: string;
}

/** The event cannot be rendered for this subscriber's release (unknown event, missing item id, state...). */
export class NotificationRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotificationRenderError';
  }
}

/**
 * Renders `event` for `sub`, whose release is described by `catalog`. Throws {@link NotificationRenderError} when the
 * release has no such event on the API or the event lacks a field the release requires.
 */
export function renderNotification(
  event: SonataEvent,
  sub: HubSubscription,
  catalog: NotificationCatalog,
  party: NotificationParty,
): { url: string; body: unknown; eventId: string } {
  const fail = (why: string) => new NotificationRenderError(`cannot render ${event.eventType} for release ${catalog.release}: ${why}`);
  const api = catalog.apis.get(event.apiName);
  if (!api) throw fail(`API ${event.apiName} has no notifications`);
  const def = catalog.findEvent(event.apiName, event.eventType);
  if (!def) throw fail(`API ${event.apiName} has no such event`);
  if (!/^\/[^?#]*$/.test(event.resourcePath) || event.resourcePath.split('/').includes('..')) {
    throw fail(`resourcePath must be a path starting with "/" (got ${JSON.stringify(event.resourcePath)})`);
  }
  const occurred = new Date(event.occurredAt);
  if (Number.isNaN(occurred.getTime())) throw fail(`occurredAt is not a date (got ${JSON.stringify(event.occurredAt)})`);

  if (def.resourceBody) return renderResourceEvent(event, sub, api, def, party, catalog.partyIds, fail);
  const payload: Record<string, string> = {
    id: event.resourceId,
    // a release that names the collection differently gets its own path: `<its collection>/<id>`
    href: `/mefApi/sonata/${api.apiName}/${api.version}${def.resourcePath ? `${def.resourcePath}/${event.resourceId}` : event.resourcePath}`,
  };
  if (def.itemIdField !== undefined) {
    if (!event.itemId) throw fail('the event needs itemId');
    payload[def.itemIdField] = event.itemId;
  }
  if (def.milestone) {
    if (!event.milestoneName) throw fail('the event needs milestoneName');
    payload.milestoneName = event.milestoneName;
  }
  if (def.stateField !== undefined) {
    if (!event.state) throw fail('the event needs state');
    payload[def.stateField] = def.stateValues?.[event.state] ?? event.state;
  }
  if (catalog.partyIds === 'body') {
    if (party.buyerId !== undefined) payload.buyerId = party.buyerId;
    if (party.sellerId !== undefined) payload.sellerId = party.sellerId;
  }

  return envelope(event, sub, api, def, party, catalog.partyIds, payload);
}

/** An event carrying the whole resource the publisher rendered for the partner (`resourceBody`). */
function renderResourceEvent(
  event: SonataEvent,
  sub: HubSubscription,
  api: NotificationApiDef,
  def: NotificationEventDef,
  party: NotificationParty,
  partyIds: NotificationCatalog['partyIds'],
  fail: (why: string) => NotificationRenderError,
): { url: string; body: unknown; eventId: string } {
  const resource = event.resource;
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) throw fail('the event needs the resource it carries');
  if (resource.id !== event.resourceId) throw fail(`the resource carried is not ${event.resourceId}`);
  return envelope(event, sub, api, def, party, partyIds, resource);
}

/** The listener URL under the subscriber's callback and the event envelope around `payload`. */
function envelope(
  event: SonataEvent,
  sub: HubSubscription,
  api: NotificationApiDef,
  def: NotificationEventDef,
  party: NotificationParty,
  partyIds: NotificationCatalog['partyIds'],
  payload: Record<string, unknown>,
): { url: string; body: unknown; eventId: string } {
  const url = new URL(sub.callback);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/mefApi/sonata/${api.notificationApi}/${api.notificationVersion}/listener/${def.listener ?? def.eventType}`;
  if (partyIds === 'query') {
    if (party.buyerId !== undefined) url.searchParams.set('buyerId', party.buyerId);
    if (party.sellerId !== undefined) url.searchParams.set('sellerId', party.sellerId);
  }

  const eventId = event.eventId ?? randomUUID();
  return {
    url: url.toString(),
    body: { eventId, eventTime: new Date(event.occurredAt).toISOString(), eventType: def.eventType, event: payload },
    eventId,
  };
}
