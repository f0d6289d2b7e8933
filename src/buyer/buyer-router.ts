/**
 * `/internal/buyer/...`: the legacy BSS buys from partner sellers in its own protocol (mappings/buyer/README.md):
 * JSON bodies (a missing body counts as `{}`, the content type is ignored), answers are HTTP 200 with `RC`/`MSG`
 * first, reads come as `GET` with query fields or as `POST .../inquiry|search` with the same fields in the body.
 * Mounted under `/internal` (X-Internal-Api-Key is checked there).
 */
import express, { type Request, type Response } from 'express';
import type { Logger } from '../observability/logger.js';
import type { ActivityCapture } from '../observability/activity-log.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import type { BuyerLegacyOperation, BuyerMappings, BuyerOperationName } from '../registry/buyer-mappings.js';
import type { BuyerService } from './buyer-service.js';
import { BuyerError, buyerError, renderBuyerError, type BuyerErrorKey } from './buyer-errors.js';
import { GatewayError } from '../errors/catalogue.js';
import { parseIdempotencyKey, requestFingerprint, type Idempotency } from '../pipeline/idempotency.js';

/** the one caller of /internal/buyer: its keys live in their own space, apart from every partner's */
const LEGACY_CALLER = '_legacy-bss';

/** Options of {@link createBuyerRouter}. */
export interface BuyerRouterOptions {
  service: BuyerService;
  /** the live registry: the operation catalogue (routes) is read from its snapshot per request */
  registry: RegistryHolder;
  logger: Logger;
  /** largest body accepted (default 256 KiB) */
  limitBytes?: number;
  /** replays of creates by the BSS's Idempotency-Key (src/pipeline/idempotency.ts) */
  idempotency?: Idempotency;
}

type Input = { body: Record<string, unknown>; params: Record<string, string>; seller?: string };

/** Routes of the buyer side (relative to the mount point, e.g. `/internal`). */
export function createBuyerRouter(opts: BuyerRouterOptions): express.Router {
  const router = express.Router();
  /** what an operation's route gives the service: an id read, a change of the object in the path, or a body */
  const inputOf = (op: BuyerLegacyOperation, pathId: string | undefined) => {
    if (op.idField) return idRead(op.idField, pathId);
    return (req: Request, body: Record<string, unknown>): Input => ({
      body: req.method === 'POST' ? body : query(req),
      params: pathId !== undefined ? { id: pathId } : {},
    });
  };
  const raw = express.raw({ type: () => true, limit: opts.limitBytes ?? 262_144 });

  const handle =
    (name: BuyerOperationName, pathId: string | undefined, input: (req: Request, body: Record<string, unknown>) => Input) =>
    async (req: Request, res: Response): Promise<void> => {
      res.locals.route = `buyer.${name}`; // the request metrics' route label
      const requestId = String(res.getHeader('X-Request-Id') ?? '');
      const logger = (res.locals as { logger?: Logger }).logger ?? opts.logger;
      // the pipeline's activity capture of this request (src/observability/activity-log.ts), when capture is on
      const activity = (res.locals as { activity?: ActivityCapture }).activity;
      let answer: Record<string, unknown>;
      try {
        const body = parseBody(req);
        activity?.request({ method: req.method, url: req.originalUrl, body });
        // purchases that create or change something at the seller (`changes` in the catalogue): the key makes retries safe
        const key =
          opts.registry.current().buyer.operations.get(name)?.changes && opts.idempotency
            ? parseIdempotencyKey(req.headers['idempotency-key'])
            : undefined;
        const execute = () => opts.service.execute(name, input(req, body), { requestId, logger, idempotencyKey: key });
        const run = () => (activity ? activity.run(execute) : execute());
        if (key === undefined || !opts.idempotency) answer = await run();
        else {
          // a refused or failed purchase (RC != 0, thrown) is not kept: the key is released for the BSS's retry
          const outcome = await opts.idempotency.run(
            LEGACY_CALLER,
            { kind: 'key', value: key },
            requestFingerprint(name, { body, params: pathId !== undefined ? { id: pathId } : {} }),
            async () => {
              const done = await run();
              return { status: done.RC === 0 ? 200 : 400, headers: {}, body: done };
            },
          );
          if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
          answer = outcome.response.body as Record<string, unknown>;
        }
      } catch (err) {
        const buyerError =
          err instanceof BuyerError
            ? err
            : err instanceof GatewayError && (err.code.startsWith('idempotency.') || err.code === 'store.unavailable')
              ? idempotencyRefusal(err)
              : unexpected(err, logger);
        if (buyerError.rc === 12)
          logger.warn('buyer request failed', {
            operation: name,
            code: buyerError.code,
            seller: buyerError.seller,
            outcome: buyerError.outcome,
          });
        else logger.info('buyer request refused', { operation: name, code: buyerError.code, field: buyerError.field });
        answer = renderBuyerError(buyerError);
      }
      activity?.answer(answer);
      // the BSS's protocol: every answer is HTTP 200; callers read RC
      res.status(200).json(answer);
    };

  const query = (req: Request): Record<string, unknown> => ({ ...(req.query as Record<string, unknown>) });
  const withoutSeller = (o: Record<string, unknown>) => {
    const { SELLER: _seller, ...rest } = o;
    return rest;
  };
  const sellerOf = (o: Record<string, unknown>) => (typeof o.SELLER === 'string' && o.SELLER.trim() ? o.SELLER.trim() : undefined);
  const idRead =
    (field: string, pathId: string | undefined) =>
    (req: Request, body: Record<string, unknown>): Input => {
      const fields = req.method === 'POST' ? body : query(req);
      const id = pathId ?? fields[field];
      const extra = Object.keys(withoutSeller(fields)).filter((k) => k !== field);
      if (extra.length) throw buyerError('request.unknown-field', { field: extra[0]! }, { field: extra[0]! });
      if (typeof id !== 'string' || !id.trim()) throw buyerError('request.missing-field', { field }, { field });
      return { body: {}, params: { id: id.trim() }, seller: sellerOf(fields) };
    };

  router.post('/buyer/hubs/register', async (_req: Request, res: Response) => {
    res.locals.route = 'buyer.registerHubs';
    // operators: register our listeners with every seller now (normally done at start and before each purchase)
    await opts.service.registerAllHubs(opts.logger);
    res.status(200).json({ RC: 0, MSG: 'OK' });
  });

  // every operation's routes come from the catalogue (mappings/buyer/buyer.yaml), read per request from the live
  // snapshot, so a reload that adds a route serves it
  router.use('/buyer', (req: Request, res: Response, next: express.NextFunction) => {
    const found = findRoute(opts.registry.current().buyer, req.method === 'HEAD' ? 'GET' : req.method, req.path);
    if (!found) {
      res.locals.route = 'buyer.unknown';
      res.status(200).json(renderBuyerError(buyerError('request.unknown-function', { method: req.method, path: req.path })));
      return;
    }
    const run = handle(found.op.name, found.id, inputOf(found.op, found.id));
    raw(req, res, (err?: unknown) => (err ? next(err) : void run(req, res)));
  });
  return router;
}

/** The catalogue route `method path` (below /internal/buyer) matches, with its operation and decoded `{id}`. */
function findRoute(buyer: BuyerMappings, method: string, path: string): { op: BuyerLegacyOperation; id?: string } | undefined {
  for (const route of buyer.routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    const op = m && buyer.operations.get(route.operation);
    if (!op) continue;
    if (m[1] === undefined) return { op };
    try {
      return { op, id: decodeURIComponent(m[1]) };
    } catch {
      return { op, id: m[1] };
    }
  }
  return undefined;
}

/** The BSS's convention: a missing body is `{}`; anything but a JSON object is RC 8 "malformed request". */
function parseBody(req: Request): Record<string, unknown> {
  const buf = Buffer.isBuffer(req.body) ? req.body : undefined;
  if (!buf || buf.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch {
    throw buyerError('request.malformed', {});
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw buyerError('request.malformed.not-object', {});
  return parsed as Record<string, unknown>;
}

/** The BSS's protocol for a refused Idempotency-Key: RC 8 for a malformed or reused key, RC 12 while in flight or
 *  when the store cannot be reached (nothing was bought). */
function idempotencyRefusal(err: GatewayError): BuyerError {
  if (err.code === 'store.unavailable') return buyerError('gateway.store', {});
  // every idempotency.* code of the gateway's catalogue has its buyer entry (the buyer catalogue's test checks it)
  return buyerError(err.code as Extract<BuyerErrorKey, `idempotency.${string}`>, { message: err.message }, { field: 'Idempotency-Key' });
}

function unexpected(err: unknown, logger: Logger): BuyerError {
  logger.error('buyer request crashed', { error: err instanceof Error ? err.message : String(err) });
  return buyerError('gateway.unexpected', {}, { cause: err });
}
