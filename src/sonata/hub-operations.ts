import { GatewayError } from '../errors/catalogue.js';
import { StoreConflictError } from '../state/store.js';
import { HubValidationError, toEventSubscription, type HubService } from '../notify/hub-service.js';
import type { HubOperation, PartnerDef } from '../registry/registry.js';
import { checkSpec, guardStore, validateRequest, type HubOperations, type OperationContext } from './operation-context.js';

/**
 * `POST /hub`, `GET /hub/{id}`, `DELETE /hub/{id}` of any Sonata management API: subscriptions belong to the
 * partner and the API they were made on; callbacks must point at a host the partner's profile allows.
 */
export function createHubOperations(opts: {
  hub: HubService;
  /** the partner's allowed callback hosts (default: its profile's `notifications.allowedCallbackHosts`) */
  allowedCallbackHosts?: (partner: PartnerDef) => readonly string[];
}): HubOperations {
  return {
    async register(ctx) {
      const { op, partner } = ctx;
      const known = knownEventTypes(ctx);
      checkSpec(ctx, ctx.body);
      validateRequest(op, ctx.body);
      const body = (ctx.body ?? {}) as { callback?: unknown; query?: unknown };
      if (body.callback === undefined) {
        throw new GatewayError('request.validation-failed', 'callback is required', {
          issues: [{ code: 'missingProperty', propertyPath: '/callback', reason: 'callback is required' }],
        });
      }
      try {
        const sub = await guardStore(() =>
          opts.hub.register({
            partnerId: partner.id,
            apiName: op.apiName,
            release: op.release,
            callback: body.callback,
            query: body.query,
            allowedCallbackHosts: opts.allowedCallbackHosts?.(partner) ?? partner.allowedCallbackHosts,
            knownEventTypes: known,
            maxSubscriptions: partner.maxSubscriptions,
          }),
        );
        ctx.logger.info('hub subscription registered', { subscriptionId: sub.id, apiName: op.apiName });
        return { status: 201, body: toEventSubscription(sub) };
      } catch (err) {
        // an identical registration on another instance won and was deleted at once: let the partner retry
        if (err instanceof StoreConflictError)
          throw new GatewayError('resource.busy', 'A concurrent registration of the same callback is in progress; retry', { cause: err });
        if (err instanceof HubValidationError) {
          throw new GatewayError('request.validation-failed', err.message, { issues: [{ ...err.issue }] });
        }
        throw err;
      }
    },
    async retrieve(ctx) {
      const { op, partner } = ctx;
      knownEventTypes(ctx);
      const sub = await guardStore(() => opts.hub.get(partner.id, op.apiName, ctx.params.id ?? ''));
      if (!sub) throw new GatewayError('resource.not-found', `No hub subscription ${ctx.params.id}`);
      return { status: 200, body: toEventSubscription(sub) };
    },
    async remove(ctx) {
      const { op, partner } = ctx;
      knownEventTypes(ctx);
      const removed = await guardStore(() => opts.hub.remove(partner.id, op.apiName, ctx.params.id ?? ''));
      if (!removed) throw new GatewayError('resource.not-found', `No hub subscription ${ctx.params.id}`);
      return { status: 204, body: undefined };
    },
  };
}

/** The event types of the operation's API in its release; none: the API has no hub here (501). */
function knownEventTypes(ctx: OperationContext<HubOperation>): readonly string[] {
  const { op } = ctx;
  // the request's registry snapshot: a reloaded notifications.yaml applies to the next registration
  const catalog = ctx.registry.notifications.get(op.release);
  const known = catalog?.eventTypes(op.apiName) ?? [];
  if (known.length === 0)
    throw new GatewayError('operation.not-implemented', `${op.apiName} has no notifications in release ${op.release}`);
  return known;
}
