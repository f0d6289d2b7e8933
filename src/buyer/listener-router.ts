/**
 * Where partner sellers deliver their notifications about what we bought:
 * `POST /partners/:partnerId/mefApi/sonata/:notificationApi/:version/listener/:eventType` (the callback we register
 * is `<base>/partners/<partnerId>`; the seller appends the Sonata listener path of its release).
 *
 * Checks, in order: the partner is a seller (404), a bearer token (checked by the app's passport strategy) (401), issued to this
 * very partner (403 forbiddenRequester), the listener exists in the partner's release (404), the token carries
 * `listenTo<EventType>` (403 accessDenied), the body is JSON (400) and valid against the release's notification
 * spec (400 invalidBody). Then the event goes to the buyer service; 204. Errors render as Sonata errors.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BearerFailure } from '../auth/bearer-strategy.js';
import type { Principal } from '../auth/token-service.js';
import type { SpecCatalog } from '../conformance/openapi-validator.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Logger } from '../observability/logger.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import { listenerScope } from '../registry/buyer-mappings.js';
import type { BuyerService } from './buyer-service.js';
import { BuyerError } from './buyer-errors.js';

/** Options of {@link createListenerRouter}. */
export interface ListenerRouterOptions {
  registry: RegistryHolder;
  service: BuyerService;
  logger: Logger;
  /** the official OpenAPI files; without them only the event envelope is checked */
  specs?: SpecCatalog;
  /** body guard of the app (JSON media type, size, depth) */
  parseBody: express.RequestHandler;
}

/**
 * The listener routes of seller partners (mounted at the app root by createApp's `partnerListeners`, behind the
 * app's passport bearer strategy, which leaves the principal or the failure in `res.locals.bearer`).
 */
export function createListenerRouter(opts: ListenerRouterOptions): express.Router {
  const router = express.Router();
  router.post(
    '/partners/:partnerId/mefApi/sonata/:notificationApi/:version/listener/:eventType',
    async (req: Request, res: Response, next: NextFunction) => {
      res.locals.route = 'listener.sellerNotification'; // the request metrics' route label (never the path's values)
      try {
        const { partnerId, notificationApi, version, eventType } = req.params as Record<string, string>;
        const registry = opts.registry.current();
        const partner = registry.partners.get(partnerId!);
        if (!partner || !partner.seller || partner.role === 'buyer')
          throw new GatewayError('route.not-found', `No listener for ${partnerId}`);

        // authenticated by the app's passport bearer strategy (createApp), which leaves its verdict here
        const bearer = (res.locals as { bearer?: Principal | BearerFailure }).bearer ?? {
          code: 'auth.missing-credentials',
          message: 'No credentials provided',
        };
        if ('code' in bearer) {
          res.setHeader(
            'WWW-Authenticate',
            `Bearer realm="sonata-gateway"${bearer.code === 'auth.invalid-credentials' ? ', error="invalid_token"' : ''}`,
          );
          throw new GatewayError(bearer.code, bearer.message);
        }
        const principal = bearer;
        if (principal.partnerId !== partner.id) {
          throw new GatewayError(
            'auth.forbidden-requester',
            `This listener belongs to partner ${partner.id}; the token was issued to ${principal.partnerId}`,
          );
        }
        const listener = opts.service.listenerFor(partner, notificationApi!, version!, eventType!);
        if (!listener)
          throw new GatewayError(
            'route.not-found',
            `Partner ${partner.id} has no listener ${notificationApi}/${version}/listener/${eventType}`,
          );
        const scope = listenerScope(eventType!);
        if (!principal.scopes.has(scope)) throw new GatewayError('auth.scope-missing', `The token lacks scope ${scope}`);

        await new Promise<void>((resolve, reject) => opts.parseBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
        const body = req.body as unknown;
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw new GatewayError('request.body-not-object', 'The event must be a JSON object');
        const issues = validateEvent(
          opts.specs,
          registry.releases.get(partner.release)?.name ?? partner.release,
          notificationApi!,
          eventType!,
          body as Record<string, unknown>,
          opts.logger,
        );
        if (issues.length) {
          throw new GatewayError(
            'request.body-not-object',
            `The event does not match ${notificationApi}/${version}: ${issues.slice(0, 5).join('; ')}`,
            { reason: 'The event does not match the notification API of this release' },
          );
        }
        const logger = ((res.locals as { logger?: Logger }).logger ?? opts.logger).child({ seller: partner.id });
        try {
          await opts.service.receiveNotification(
            {
              partner,
              notificationApi: notificationApi!,
              eventType: eventType!,
              body: body as Record<string, unknown>,
            },
            { requestId: String(res.getHeader('X-Request-Id') ?? ''), logger },
          );
        } catch (err) {
          if (!(err instanceof BuyerError)) throw err;
          // reading the object back failed: answer an error so the seller tries again later
          throw new GatewayError('upstream.unavailable', `The event could not be processed: ${err.message}`, {
            cause: err,
            headers: { 'Retry-After': '5' },
          });
        }
        res.status(204).end();
      } catch (err) {
        next(err);
      }
    },
  );
  return router;
}

/** Problems of an event body: the release's spec when the SDK is at hand, else the envelope every release shares. */
function validateEvent(
  specs: SpecCatalog | undefined,
  release: string,
  notificationApi: string,
  eventType: string,
  body: Record<string, unknown>,
  logger: Logger,
): string[] {
  const problems: string[] = [];
  if (body.eventType !== eventType) problems.push(`/eventType: must be ${eventType} (the listener it was posted to)`);
  const op = specs?.releases().includes(release)
    ? safe(() => specs.api(release, notificationApi)?.operation('POST', `/listener/${eventType}`), logger)
    : undefined;
  if (op?.hasRequestBody) {
    problems.push(...op.validateRequestBody(body).map((i) => `${i.path || '/'}: ${i.message}`));
  } else {
    const event = body.event as Record<string, unknown> | undefined;
    if (typeof body.eventId !== 'string') problems.push('/eventId: is required');
    if (typeof body.eventTime !== 'string') problems.push('/eventTime: is required');
    if (!event || typeof event !== 'object' || typeof event.id !== 'string') problems.push('/event/id: is required');
  }
  return problems;
}

function safe<T>(fn: () => T, logger: Logger): T | undefined {
  try {
    return fn();
  } catch (err) {
    logger.warn('notification spec not available; checking the envelope only', { error: (err as Error).message });
    return undefined;
  }
}
