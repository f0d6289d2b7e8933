import express, { type Request, type Response, type Router } from 'express';
import { answerLegacy, createLegacyJsonParser, LegacyNotFoundError, readLegacyFields } from './legacy-request.js';
import { formatLegacyTimestamp } from './legacy-timestamp.js';
import type { SimDomain } from './sim-context.js';

/**
 * The simulation control endpoints, mounted under `/bss/v2/_sim` (API key required, no CUST_NO:
 * they act as the provider's back office): `POST /:domain/:id/advance` moves one object along its
 * lifecycle, `POST /tick` advances every open object by one step, like one auto-advance tick.
 */
export function createSimControlRouter(options: {
  readonly domains: readonly SimDomain[];
  /** Runs one tick over all domains. */
  readonly tick: () => void;
  readonly now: () => Date;
}): Router {
  const router = express.Router();
  const byPath = new Map(options.domains.map((domain) => [domain.path, domain]));
  router.post('/tick', (_req: Request, res: Response) => {
    answerLegacy(res, () => {
      options.tick();
      return { TS: formatLegacyTimestamp(options.now()) };
    });
  });
  router.post('/:domain/:id/advance', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const domain = byPath.get(String(req.params['domain']));
      if (!domain) throw new LegacyNotFoundError('function unknown');
      const reader = readLegacyFields(req.body, { source: 'body', allowed: domain.advanceFields });
      return domain.advance(String(req.params['id']), reader);
    });
  });
  router.post('/:domain/:id/:action', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const actions = byPath.get(String(req.params['domain']))?.actions ?? {};
      const name = String(req.params['action']);
      const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!action) throw new LegacyNotFoundError('function unknown');
      return action.run(String(req.params['id']), readLegacyFields(req.body, { source: 'body', allowed: action.fields }));
    });
  });
  return router;
}
