import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors/catalogue.js';
import type { LegacyClient } from '../../legacy/legacy-client.js';
import type { Logger } from '../../observability/logger.js';
import type { PartnerDef, Registry } from '../../registry/registry.js';
import type { Store } from '../../state/store.js';
import { executeOperation } from '../kinds.js';
import type { EventPublisher } from './resource-events.js';
import type { ResourceRepository } from './resource-repository.js';
import type { WorkQueue } from './work-queue.js';
import type { LegacyAnnouncement, LegacyAnnouncer } from './legacy-announcement-types.js';

export type { LegacyAnnouncement, LegacyAnnouncer } from './legacy-announcement-types.js';

/** How long a report id is remembered against a second delivery of the same report. */
const REPORT_MEMORY_MS = 7 * 24 * 3600_000;

/** Options of {@link createLegacyAnnouncer}: what running the retrieve operation for a partner needs. */
export interface LegacyAnnouncerDeps {
  store: Store;
  legacy: LegacyClient;
  resources: ResourceRepository;
  events: EventPublisher;
  tasks: WorkQueue;
  logger: Logger;
  now: () => Date;
  /**
   * Whether the partner has a subscriber for the event (the hub): a partner nobody listens for costs no BSS read.
   * Absent: every partner of the customer is read.
   */
  listening?: (partnerId: string, apiName: string, eventType: string) => Promise<boolean>;
}

/**
 * Creates the announcer. For each partner of the customer whose release has the API and that has its function
 * enabled, the object is read as that partner would retrieve it (so it names only that partner's products, in its
 * release's wire) and each event type is published with it. A partner whose read answers 404 (the object no longer
 * touches its products) is skipped; so is one whose read fails, with an error logged (the others still hear of it).
 */
export function createLegacyAnnouncer(deps: LegacyAnnouncerDeps): LegacyAnnouncer {
  const logger = deps.logger.child({ component: 'legacy-announcer' });
  return async (registry, a) => {
    let published = 0;
    for (const partner of registry.partners.values()) {
      if (partner.legacyCustomerId !== a.customerId) continue;
      const op = registry
        .releaseFor(partner, a.api)
        ?.apis.get(a.api)
        ?.operations.find((o) => o.operationId === a.retrieve);
      const mode = op ? partner.functions.get(op.function) : undefined;
      if (!op || !mode || mode === 'disabled') continue;
      if (deps.listening && !(await anyListening(deps.listening, partner.id, a))) continue;
      const key = `legacy:announced:${a.reportId}:${partner.id}`;
      if (!(await deps.store.set(key, '1', { ifAbsent: true, ttlMs: REPORT_MEMORY_MS }))) continue;
      try {
        const resource = await readFor(deps, registry, partner, op, a.id);
        if (resource === undefined) continue;
        for (const eventType of a.eventTypes) {
          await deps.events.publish({
            eventType,
            apiName: a.api,
            resourceId: a.id,
            resourcePath: op.path.replace('{id}', encodeURIComponent(a.id)),
            state: typeof resource.status === 'string' ? resource.status : undefined,
            partnerId: partner.id,
            occurredAt: a.occurredAt,
            resource,
          });
          published++;
        }
      } catch (err) {
        await deps.store.del(key).catch(() => false);
        logger.error('legacy report not announced to a partner', {
          partnerId: partner.id,
          api: a.api,
          id: a.id,
          error: String(err),
        });
      }
    }
    return published;
  };
}

async function anyListening(
  listening: NonNullable<LegacyAnnouncerDeps['listening']>,
  partnerId: string,
  a: LegacyAnnouncement,
): Promise<boolean> {
  for (const eventType of a.eventTypes) if (await listening(partnerId, a.api, eventType)) return true;
  return false;
}

/** The object as the partner's retrieve operation answers it; undefined when it is not found for that partner. */
async function readFor(
  deps: LegacyAnnouncerDeps,
  registry: Registry,
  partner: PartnerDef,
  op: Parameters<typeof executeOperation>[0]['op'],
  id: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    const result = await executeOperation({
      requestId: `legacy-report-${randomUUID()}`,
      registry,
      partner,
      op,
      params: { id },
      query: {},
      body: undefined,
      store: deps.store,
      legacy: deps.legacy,
      resources: deps.resources,
      events: deps.events,
      tasks: deps.tasks,
      logger: deps.logger,
      now: deps.now,
    });
    const body = result.body;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch (err) {
    if (err instanceof GatewayError && err.status === 404) return undefined;
    throw err;
  }
}
