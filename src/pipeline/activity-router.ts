/**
 * Operator endpoints of the activity log. Mounted by the composition root under `/internal` with the operator tools
 * (internal key with scope `activity`); it does no authentication of its own.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { GatewayError } from '../errors/catalogue.js';
import { guardStore } from '../sonata/operation-context.js';
import type { ActivityLog } from '../observability/activity.js';

/** Options of {@link createActivityRouter}. */
export interface ActivityRouterOptions {
  activity: ActivityLog;
}

/** The most records one list answer holds. */
export const MAX_ACTIVITY_LIMIT = 1000;

/**
 * `GET /activity?partner=&limit=`: recorded requests, newest first (all partners without `partner`; `limit` 1..1000,
 * default 50, never more than `activity.maxPerPartner`). `GET /activity/:correlationId`: one record with its hops; 404
 * when unknown, expired, or capture is off.
 */
export function createActivityRouter(opts: ActivityRouterOptions): express.Router {
  const router = express.Router();

  router.get('/activity', async (req: Request, res: Response, next: NextFunction) => {
    res.locals.route = 'internal.listActivity'; // the request metrics' route label
    try {
      const partner = single(req.query.partner, 'partner');
      const limitText = single(req.query.limit, 'limit');
      let limit: number | undefined;
      if (limitText !== undefined) {
        limit = Number(limitText);
        if (!/^[0-9]+$/.test(limitText) || limit < 1 || limit > MAX_ACTIVITY_LIMIT) {
          throw new GatewayError('request.invalid-query', `limit must be an integer from 1 to ${MAX_ACTIVITY_LIMIT}`);
        }
      }
      res.status(200).json(
        await guardStore(() =>
          opts.activity.list({
            ...(partner !== undefined && { partnerId: partner }),
            ...(limit !== undefined && { limit }),
          }),
        ),
      );
    } catch (err) {
      next(err);
    }
  });

  router.get('/activity/:correlationId', async (req: Request, res: Response, next: NextFunction) => {
    res.locals.route = 'internal.getActivity';
    try {
      const id = String(req.params.correlationId);
      const record = await guardStore(() => opts.activity.get(id));
      if (!record) {
        throw new GatewayError(
          'resource.not-found',
          opts.activity.enabled
            ? `No activity recorded for correlation id ${id} (unknown or expired)`
            : 'Activity capture is off (activity.enabled)',
        );
      }
      res.status(200).json(record);
    } catch (err) {
      next(err);
    }
  });

  return router;
}

/** A query parameter given at most once (a repeated one is refused). */
function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new GatewayError('request.invalid-query', `${name} must appear once`);
  if (value === '') throw new GatewayError('request.missing-query-value', `${name} has no value`);
  return value;
}
