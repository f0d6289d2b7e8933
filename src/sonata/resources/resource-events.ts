import type { Logger } from '../../observability/logger.js';
import type { ResourceDef } from '../../registry/registry.js';
import type { SonataEvent } from '../../notify/render-notification.js';
import type { StateEvent } from './apply-update.js';

export type { SonataEvent };

export interface EventPublisher {
  publish(event: SonataEvent): Promise<unknown>;
}

/** Publishes the notifications of state events; a failure is logged, never undoes the stored state. */
export async function publishStateEvents(publisher: EventPublisher, def: ResourceDef, partnerId: string, events: readonly StateEvent[], logger: Logger): Promise<void> {
  for (const e of events) {
    const eventType = e.kind === 'state' ? def.events.stateChange : def.events.itemStateChange;
    if (!eventType) continue;
    try {
      await publisher.publish({
        eventType, apiName: def.api, resourceId: e.resourceId, resourcePath: `${def.path}/${e.resourceId}`,
        itemId: e.itemId, state: e.state, partnerId, occurredAt: e.at,
      });
    } catch (err) {
      logger.error('notification could not be queued', { eventType, resourceId: e.resourceId, error: String(err) });
    }
  }
}
