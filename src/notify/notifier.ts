/**
 * Fans a gateway event out to the partner's hub subscribers: each subscriber gets the event rendered for its own
 * release, as one queued delivery. Publishing returns once the deliveries are queued, not delivered.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { redactUrl } from './delivery-attempts.js';
import type { CapturingActivityLog } from '../observability/activity-log.js';
import type { HubService, HubSubscription } from './hub-service.js';
import type { SpecIssue } from '../conformance/openapi-validator.js';
import type { NotificationApiDef, NotificationCatalog } from '../registry/notification-catalog.js';
import { renderNotification, type NotificationParty, type SonataEvent } from './render-notification.js';

export interface Notifier {
  /**
   * Queues one delivery per subscriber of `event.partnerId` on `event.apiName` whose filter includes the event (under
   * its name in the subscriber's release); resolves with how many were queued. Give `event.eventId` to make a retried
   * publish idempotent: deliveries still pending are not queued twice. Rejects when the queue cannot accept.
   */
  publish(event: SonataEvent): Promise<number>;
}

/** Options of {@link createNotifier}. */
export interface NotifierOptions {
  hub: HubService;
  queue: DeliveryQueue;
  /**
   * Notification catalogues by release name (aliases such as `haley` may map to the Grace catalogue): the current
   * ones, read on every publish, so a reloaded notifications.yaml applies to the next event.
   */
  catalogs: () => ReadonlyMap<string, NotificationCatalog>;
  /** Buyer/Seller ids to echo in the partner's notifications; undefined = echo none. */
  party: (partnerId: string) => NotificationParty | undefined;
  logger: Logger;
  /**
   * Checks a rendered notification against the official file of the subscriber's release (the spec guard, given
   * that release's SDK folder); a violation is logged as an error and counted, and the notification still goes.
   */
  check?: (release: string, api: NotificationApiDef, eventType: string, url: string, body: unknown) => SpecIssue[];
  /** counts violations found by `check` */
  onViolation?: (release: string, eventType: string) => void;
  /** the activity log: a delivery queued during a captured request is a hop of it, and carries its correlation id */
  activity?: CapturingActivityLog;
}

/** Creates the notifier. */
export function createNotifier(opts: NotifierOptions): Notifier {
  const logger = opts.logger.child({ component: 'notifier' });

  return {
    async publish(event) {
      const catalogs = opts.catalogs();
      const stamped: SonataEvent = { ...event, eventId: event.eventId ?? randomUUID() };
      const eventId = stamped.eventId as string;
      const meta = { eventId, eventType: event.eventType, apiName: event.apiName, partnerId: event.partnerId };

      // Subscription filters hold the release's event names, which may differ from the gateway's (renamed events),
      // so ask the hub once per distinct name and keep each subscriber only under its own release's name.
      const namesByRelease = new Map<string, string>();
      for (const [release, catalog] of catalogs) {
        const def = catalog.findEvent(event.apiName, event.eventType);
        if (def) namesByRelease.set(release, def.eventType);
      }
      const names = [...new Set(namesByRelease.values())];
      if (names.length === 0) {
        logger.warn('no release knows this event; nothing published', meta);
        return 0;
      }

      const handled = new Set<string>();
      const targets: HubSubscription[] = [];
      for (const name of names) {
        for (const sub of await opts.hub.subscribersFor(event.partnerId, event.apiName, name)) {
          if (handled.has(sub.id)) continue;
          if (!catalogs.has(sub.release)) {
            handled.add(sub.id);
            logger.error('subscription names a release without a notification catalogue; skipped', {
              ...meta,
              subscriptionId: sub.id,
              release: sub.release,
            });
            continue;
          }
          const wanted = namesByRelease.get(sub.release);
          if (wanted === undefined) {
            // e.g. poqCreateEvent, which Kylie no longer has
            handled.add(sub.id);
            logger.debug('the subscriber release has no such event; skipped', {
              ...meta,
              subscriptionId: sub.id,
              release: sub.release,
            });
            continue;
          }
          if (wanted !== name) continue; // an unfiltered subscription: taken under its own release's name
          handled.add(sub.id);
          targets.push(sub);
        }
      }

      const party = opts.party(event.partnerId) ?? {};
      const capture = opts.activity?.current();
      let queued = 0;
      for (const sub of targets) {
        let rendered: ReturnType<typeof renderNotification>;
        try {
          rendered = renderNotification(stamped, sub, catalogs.get(sub.release) as NotificationCatalog, party);
        } catch (err) {
          // one subscriber's release needing a field the event lacks must not cost the others their notification
          logger.error('cannot render the event for a subscriber; skipped', {
            ...meta,
            subscriptionId: sub.id,
            release: sub.release,
            error: (err as Error).message,
          });
          continue;
        }
        const api = (catalogs.get(sub.release) as NotificationCatalog).apis.get(event.apiName)!;
        // the listener operation of the release's file (its path may name the event otherwise than the body does)
        const listener =
          catalogs.get(sub.release)!.findEvent(event.apiName, event.eventType)?.listener ?? (namesByRelease.get(sub.release) as string);
        const problems = opts.check?.(sub.release, api, listener, rendered.url, rendered.body) ?? [];
        if (problems.length) {
          opts.onViolation?.(sub.release, namesByRelease.get(sub.release) as string);
          logger.error('notification violates the Sonata specification', {
            ...meta,
            subscriptionId: sub.id,
            release: sub.release,
            problems: problems.slice(0, 10),
          });
        }
        await opts.queue.enqueue({
          id: `${eventId}.${sub.id}`,
          partnerId: event.partnerId,
          subscriptionId: sub.id,
          url: rendered.url,
          body: rendered.body,
          eventType: namesByRelease.get(sub.release) as string,
          eventId,
          ...(capture && { correlationId: capture.correlationId }),
        });
        capture?.hop({
          kind: 'notification',
          method: 'POST',
          url: redactUrl(rendered.url),
          body: rendered.body,
          note: `queued ${namesByRelease.get(sub.release) as string} (subscription ${sub.id})`,
        });
        queued++;
      }
      logger.debug('event published', { ...meta, subscribers: targets.length, queued });
      return queued;
    },
  };
}
