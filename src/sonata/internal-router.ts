import { createHmac } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { secretsEqual } from '../auth/token-service.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Logger } from '../observability/logger.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import type { LegacyAnnouncer } from './resources/legacy-announcements.js';
import { applyLegacyStatus, applyResourceUpdate } from './resources/legacy-status.js';
import type { EventPublisher } from './resources/resource-events.js';
import type { ResourceRepository } from './resources/resource-repository.js';
import type { WorkQueue } from './resources/work-queue.js';

export interface InternalRouterDeps {
  registry: RegistryHolder;
  resources: ResourceRepository;
  events: EventPublisher;
  tasks: WorkQueue;
  logger: Logger;
  now: () => Date;
  /** HMAC-SHA256 secret the legacy BSS signs its callbacks with (X-BSS-Signature: hex digest of the body) */
  callbackSecret?: string;
  /** more internal routes (e.g. notification dead letters) */
  extra?: express.Router[];
  /** tells partners of legacy reports about objects the gateway reads through (CIM incidents) */
  announce?: LegacyAnnouncer;
  /**
   * which of its own routes this router serves (default both): the legacy BSS's callbacks stay on the main port,
   * the work queue goes with the operator tools to the admin port when there is one
   */
  parts?: { legacyEvents?: boolean; tasks?: boolean };
}

/**
 * `/internal` routes, used by the legacy BSS and by staff, never by partners:
 * - `POST /legacy/events`: the legacy BSS reports status changes (signed); applied to kept resources
 * - `GET /tasks`, `POST /tasks/:id/complete`: the work queue of requests taken in `manual` mode
 */
export function createInternalRouter(deps: InternalRouterDeps): express.Router {
  const router = express.Router();
  const ctx = () => ({
    registry: deps.registry.current(),
    resources: deps.resources,
    events: deps.events,
    logger: deps.logger,
    now: deps.now,
    announce: deps.announce,
  });

  if (deps.parts?.legacyEvents !== false)
    router.post(
      '/legacy/events',
      express.raw({ type: () => true, limit: '1mb' }),
      async (req: Request, res: Response, next: NextFunction) => {
        res.locals.route = 'internal.legacyEvents'; // the request metrics' route label
        try {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          if (deps.callbackSecret) {
            const given = String(req.headers['x-bss-signature'] ?? '').replace(/^sha256=/, '');
            const expected = createHmac('sha256', deps.callbackSecret).update(raw).digest('hex');
            if (!given || !secretsEqual(given, expected))
              throw new GatewayError('auth.invalid-credentials', 'legacy callback signature does not match');
          }
          let event: unknown;
          try {
            event = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new GatewayError('request.invalid-json', 'legacy callback body is not JSON');
          }
          const events = Array.isArray(event) ? event : [event];
          const totals = { applied: 0, unknown: 0, events: 0 };
          for (const e of events) {
            const r = await applyLegacyStatus(ctx(), e);
            totals.applied += r.applied;
            totals.unknown += r.unknown;
            totals.events += r.events;
          }
          deps.logger.info('legacy status report applied', totals);
          res.status(200).json(totals);
        } catch (err) {
          next(err);
        }
      },
    );

  if (deps.parts?.tasks !== false)
    router.get('/tasks', express.json(), async (_req, res, next) => {
      res.locals.route = 'internal.listTasks';
      try {
        res.json(await deps.tasks.open());
      } catch (err) {
        next(err);
      }
    });

  if (deps.parts?.tasks !== false)
    router.post('/tasks/:id/complete', express.json({ limit: '256kb' }), async (req: Request, res: Response, next: NextFunction) => {
      res.locals.route = 'internal.completeTask';
      try {
        const task = await deps.tasks.get(String(req.params.id));
        if (!task) throw new GatewayError('resource.not-found', `no task ${String(req.params.id)}`);
        const body = (req.body ?? {}) as {
          state?: unknown;
          fields?: unknown;
          items?: unknown;
          changeReason?: unknown;
        };
        if (typeof body.state !== 'string') {
          throw new GatewayError('request.validation-failed', 'state is required', {
            issues: [{ code: 'missingProperty', propertyPath: '/state', reason: 'the state the request moves to' }],
          });
        }
        if (!(await deps.tasks.complete(task.id, deps.now())))
          throw new GatewayError('request.validation-failed', 'task already completed', {
            issues: [{ code: 'invalidValue', propertyPath: '/', reason: 'this task is already completed' }],
          });
        const events = await applyResourceUpdate(ctx(), {
          resource: task.resource,
          partnerId: task.partnerId,
          id: task.resourceId,
          state: body.state,
          fields: body.fields as Record<string, unknown> | undefined,
          items: body.items as never,
          changeReason: body.changeReason as string | undefined,
        });
        res.json({ task: task.id, resourceId: task.resourceId, events: events ?? 0 });
      } catch (err) {
        next(err);
      }
    });
  for (const r of deps.extra ?? []) router.use(r);
  return router;
}
