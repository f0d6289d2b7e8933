import { createHash } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import type { Registry } from '../../registry/registry.js';
import type { EventPublisher } from './resource-events.js';
import type { ResourceRepository } from './resource-repository.js';

/**
 * A legacy event mapping's output about an object the gateway keeps no document of (a bill stays in the BSS): the
 * notification to send to the partner(s) the BSS customer number belongs to.
 */
export interface LegacyNotice {
  /** the gateway's event name (`customerBillCreateEvent`) */
  notify: string;
  /** management API of the object (`customerBillManagement`) */
  api: string;
  /** the object's collection path under that API (`/customerBill`) */
  path: string;
  id: string;
  customerId: string;
  state?: string;
  occurredAt?: string;
  /** the same for every delivery of one legacy report (callback and poll): sent once, and one stable event id */
  key: string;
}

/** How long a notice key is remembered: a report's callback and its polled copy arrive well within it. */
export const NOTICE_KEY_TTL_MS = 24 * 3_600_000;

export function isLegacyNotice(u: unknown): u is LegacyNotice {
  return typeof u === 'object' && u !== null && typeof (u as LegacyNotice).notify === 'string';
}

/**
 * Publishes a notice to every partner with its customer number; a notice whose key was seen (the same report
 * again) publishes nothing, claimed atomically so two gateway instances never both send it. Returns the number of
 * events published.
 */
export async function publishLegacyNotice(
  deps: {
    registry: Registry;
    resources: ResourceRepository;
    events: EventPublisher;
    logger: Logger;
    now: () => Date;
  },
  n: LegacyNotice,
): Promise<number> {
  const fields = [n.api, n.path, n.id, n.customerId, n.key];
  if (fields.some((f) => typeof f !== 'string' || f === '') || !/^\/[A-Za-z0-9]+$/.test(n.path)) {
    deps.logger.error('legacy notice without api, path, id, customerId or key; dropped', { notify: n.notify });
    return 0;
  }
  const partners = [...deps.registry.partners.values()].filter((p) => p.legacyCustomerId === n.customerId);
  if (partners.length === 0 || !(await deps.resources.claimOnce(`notice:${n.key}`, NOTICE_KEY_TTL_MS))) return 0;
  // a stable, UUID-shaped event id: the Buyer recognises a re-sent notification by it
  const hex = createHash('sha256').update(n.key).digest('hex');
  const eventId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  let published = 0;
  for (const partner of partners) {
    try {
      await deps.events.publish({
        eventType: n.notify,
        apiName: n.api,
        resourceId: n.id,
        resourcePath: `${n.path}/${n.id}`,
        state: n.state,
        partnerId: partner.id,
        occurredAt: n.occurredAt ?? deps.now().toISOString(),
        eventId: partners.length > 1 ? `${eventId}.${partner.id}` : eventId,
      });
      published++;
    } catch (err) {
      deps.logger.error('notification could not be queued', {
        eventType: n.notify,
        resourceId: n.id,
        error: String(err),
      });
    }
  }
  return published;
}
