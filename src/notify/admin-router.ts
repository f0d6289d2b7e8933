/**
 * Operator endpoints for notifications that could not be delivered. Mounted by the composition root under an
 * operator-only prefix (e.g. `/internal`); it does no authentication of its own.
 */
import express from 'express';
import { GatewayError } from '../errors/catalogue.js';
import { renderSonataError } from '../errors/render-error.js';
import { redactUrl } from './delivery-attempts.js';
import type { DeliveryQueue } from './delivery-queue.js';

/** Options of {@link createNotificationAdminRouter}. */
export interface NotificationAdminRouterOptions {
  queue: DeliveryQueue;
}

/**
 * `GET /notifications/dead-letters`: the dead letters, newest first (listener URLs with query secrets hidden).
 * `POST /notifications/dead-letters/:id/replay`: queues one again with fresh attempts; 202, or 404 when unknown.
 * Failures are passed to the app's error middleware.
 */
export function createNotificationAdminRouter(opts: NotificationAdminRouterOptions): express.Router {
  const router = express.Router();

  router.get('/notifications/dead-letters', async (_req, res) => {
    res.locals.route = 'internal.listDeadLetters'; // the request metrics' route label
    const letters = await opts.queue.deadLetters();
    res.status(200).json(letters.map((dl) => ({ ...dl, url: redactUrl(dl.url) })));
  });

  router.post('/notifications/dead-letters/:id/replay', async (req, res) => {
    res.locals.route = 'internal.replayDeadLetter';
    const { id } = req.params;
    if (await opts.queue.replay(id)) {
      res.status(202).json({ id, replayed: true });
      return;
    }
    const rendered = renderSonataError(new GatewayError('resource.not-found', `No dead letter with id ${id}`));
    res.status(rendered.status).set(rendered.headers).json(rendered.body);
  });

  return router;
}
