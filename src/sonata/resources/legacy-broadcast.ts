import type { BusinessFunction } from '../../registry/registry-schemas.js';
import type { LegacyEventHandler, Registry } from '../../registry/registry.js';
import type { Logger } from '../../observability/logger.js';
import { evaluateMapping, partnerBindings } from '../operation-context.js';
import type { EventPublisher } from './resource-events.js';

/**
 * A legacy status report about something the gateway does not keep per partner but every partner with a business
 * function may see (a catalogue offering): the event mapping returns `{broadcast: {...}}` instead of a resource
 * update, and each partner the handler's `audience` admits is notified.
 */
export interface LegacyBroadcast {
  /** business function a partner must have to be told (`productCatalog`) */
  function: BusinessFunction;
  /** management API of the notification (`productCatalog`) */
  api: string;
  /** the gateway's event name (`productOfferingCreateEvent`) */
  eventType: string;
  resourceId: string;
  /** path relative to the API base, e.g. `/productOffering/ELINE-STD` */
  resourcePath: string;
  /** new state, for the typed state-change events of releases that carry it */
  state?: string;
  /** ISO 8601 time of the change */
  occurredAt: string;
  /** stable id of the report (the BSS's journal number): a re-applied report keeps its notification ids */
  eventId?: string;
  /** what the handler's `audience` mapping decides on (an offering's id, categories, specification...) */
  subject?: unknown;
}

/** Is this update a broadcast rather than a resource update? */
export function isBroadcast(u: unknown): u is { broadcast: LegacyBroadcast } {
  return typeof u === 'object' && u !== null && 'broadcast' in u;
}

/**
 * Publishes a broadcast to every partner with its business function that the handler's `audience` admits (evaluated
 * with the partner's bindings, so its profile's policy decides); resolves with the number of partners told. A
 * failure for one partner is logged and costs the others nothing.
 */
export async function publishBroadcast(
  deps: { registry: Registry; events: EventPublisher; logger: Logger },
  handler: LegacyEventHandler,
  b: LegacyBroadcast,
): Promise<number> {
  let told = 0;
  for (const partner of deps.registry.partners.values()) {
    if (!partner.functions.has(b.function)) continue;
    try {
      if (handler.audience && (await evaluateMapping(handler.audience, b.subject ?? {}, partnerBindings(partner), partner)) !== true)
        continue;
      await deps.events.publish({
        eventType: b.eventType,
        apiName: b.api,
        resourceId: b.resourceId,
        resourcePath: b.resourcePath,
        state: b.state,
        partnerId: partner.id,
        occurredAt: b.occurredAt,
        ...(b.eventId !== undefined && { eventId: `${b.eventId}.${partner.id}` }),
      });
      told++;
    } catch (err) {
      deps.logger.error('broadcast notification could not be queued', {
        eventType: b.eventType,
        resourceId: b.resourceId,
        partnerId: partner.id,
        error: String(err),
      });
    }
  }
  return told;
}
