import type { Logger } from '../../observability/logger.js';
import type { ResourceDef } from '../../registry/registry.js';
import type { SonataEvent } from '../../notify/render-notification.js';
import type { StateEvent } from './apply-update.js';

export type { SonataEvent };

export interface EventPublisher {
  publish(event: SonataEvent): Promise<unknown>;
}

/** Publishes the notifications of state events; a failure is logged, never undoes the stored state. */
export async function publishStateEvents(
  publisher: EventPublisher,
  def: ResourceDef,
  partnerId: string,
  events: readonly StateEvent[],
  logger: Logger,
): Promise<void> {
  for (const e of events) {
    for (const eventType of eventTypesOf(def, e)) {
      try {
        await publisher.publish({
          eventType,
          apiName: def.api,
          resourceId: e.resourceId,
          resourcePath: `${def.path}/${e.resourceId}`,
          itemId: e.itemId,
          state: e.state,
          partnerId,
          occurredAt: e.at,
        });
      } catch (err) {
        logger.error('notification could not be queued', { eventType, resourceId: e.resourceId, error: String(err) });
      }
    }
  }
}

/** The notifications one change causes: the state change itself, plus the event of the state entered or field set. */
function eventTypesOf(def: ResourceDef, e: StateEvent): string[] {
  if (e.kind === 'itemField') return e.field && def.events.itemFieldSet?.[e.field] ? [def.events.itemFieldSet[e.field]!] : [];
  if (e.kind === 'created') return [def.events.created, def.events.stateEntered?.[e.state]].filter((t): t is string => !!t);
  if (e.kind === 'latestItemField')
    return e.field && def.events.latestItemFieldSet?.[e.field] ? [def.events.latestItemFieldSet[e.field]!] : [];
  const change = e.kind === 'state' ? def.events.stateChange : def.events.itemStateChange;
  const entered = e.kind === 'state' ? def.events.stateEntered?.[e.state] : undefined;
  return [change, entered].filter((t): t is string => !!t);
}

/** The item fields of a resource whose setting or change has its own notification (`events.itemFieldSet`). */
export function watchedFields(def: ResourceDef): { watchItemFields: readonly string[] } {
  return {
    watchItemFields: [...new Set([...Object.keys(def.events.itemFieldSet ?? {}), ...Object.keys(def.events.latestItemFieldSet ?? {})])],
  };
}
