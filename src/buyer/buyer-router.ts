/**
 * `/internal/buyer/...`: the legacy BSS buys from partner sellers in its own protocol (mappings/buyer/README.md):
 * JSON bodies (a missing body counts as `{}`, the content type is ignored), answers are HTTP 200 with `RC`/`MSG`
 * first, reads come as `GET` with query fields or as `POST .../inquiry|search` with the same fields in the body.
 * Mounted under `/internal` (X-Internal-Api-Key is checked there).
 */
import express, { type Request, type Response } from 'express';
import type { Logger } from '../observability/logger.js';
import type { BuyerOperationName } from './buyer-mappings.js';
import type { BuyerService } from './buyer-service.js';
import { BuyerError, buyerError, renderBuyerError, type BuyerErrorKey } from './buyer-errors.js';
import { GatewayError } from '../errors/catalogue.js';
import { parseIdempotencyKey, requestFingerprint, type Idempotency } from '../pipeline/idempotency.js';

/** Purchases that create or change something at the seller: an Idempotency-Key makes their retries safe. */
const CREATES: ReadonlySet<BuyerOperationName> = new Set(['createQualification', 'createQuote', 'cancelQuote', 'declineQuote', 'createOrder', 'cancelOrder', 'createTicket']);
/** the one caller of /internal/buyer: its keys live in their own space, apart from every partner's */
const LEGACY_CALLER = '_legacy-bss';

/** Options of {@link createBuyerRouter}. */
export interface BuyerRouterOptions {
  service: BuyerService;
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
  const raw = express.raw({ type: () => true, limit: opts.limitBytes ?? 262_144 });

  const handle = (name: BuyerOperationName, input: (req: Request, body: Record<string, unknown>) => Input) => [raw, async (req: Request, res: Response) => {
    const requestId = String(res.getHeader('X-Request-Id') ?? '');
    const logger = (res.locals as { logger?: Logger }).logger ?? opts.logger;
    let answer: Record<string, unknown>;
    try {
      const body = parseBody(req);
      const key = CREATES.has(name) && opts.idempotency ? parseIdempotencyKey(req.headers['idempotency-key']) : undefined;
      const run = () => opts.service.execute(name, input(req, body), { requestId, logger, idempotencyKey: key });
      if (key === undefined || !opts.idempotency) answer = await run();
      else {
        // a refused or failed purchase (RC != 0, thrown) is not kept: the key is released for the BSS's retry
        const outcome = await opts.idempotency.run(LEGACY_CALLER, { kind: 'key', value: key }, requestFingerprint(name, { body, params: req.params }), async () => {
          const done = await run();
          return { status: done.RC === 0 ? 200 : 400, headers: {}, body: done };
        });
        if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
        answer = outcome.response.body as Record<string, unknown>;
      }
    } catch (err) {
      const buyerError = err instanceof BuyerError ? err : err instanceof GatewayError && (err.code.startsWith('idempotency.') || err.code === 'store.unavailable') ? idempotencyRefusal(err) : unexpected(err, logger);
      if (buyerError.rc === 12) logger.warn('buyer request failed', { operation: name, code: buyerError.code, seller: buyerError.seller, outcome: buyerError.outcome });
      else logger.info('buyer request refused', { operation: name, code: buyerError.code, field: buyerError.field });
      answer = renderBuyerError(buyerError);
    }
    // the BSS's protocol: every answer is HTTP 200; callers read RC
    res.status(200).json(answer);
  }];

  const query = (req: Request): Record<string, unknown> => ({ ...(req.query as Record<string, unknown>) });
  const withoutSeller = (o: Record<string, unknown>) => {
    const { SELLER: _seller, ...rest } = o;
    return rest;
  };
  const sellerOf = (o: Record<string, unknown>) => (typeof o.SELLER === 'string' && o.SELLER.trim() ? o.SELLER.trim() : undefined);
  const idRead = (field: string) => (req: Request, body: Record<string, unknown>): Input => {
    const fields = req.method === 'GET' ? query(req) : body;
    const id = req.params.id ?? fields[field];
    const extra = Object.keys(withoutSeller(fields)).filter((k) => k !== field);
    if (extra.length) throw buyerError('request.unknown-field', { field: extra[0]! }, { field: extra[0]! });
    if (typeof id !== 'string' || !id.trim()) throw buyerError('request.missing-field', { field }, { field });
    return { body: {}, params: { id: id.trim() }, seller: sellerOf(fields) };
  };

  router.post('/buyer/address/check', ...handle('validateAddress', (_req, body) => ({ body, params: {} })));

  router.post('/buyer/feasibility', ...handle('createQualification', (_req, body) => ({ body, params: {} })));
  router.get('/buyer/feasibility/:id', ...handle('retrieveQualification', idRead('FEAS_ID')));
  router.post('/buyer/feasibility/inquiry', ...handle('retrieveQualification', idRead('FEAS_ID')));

  router.post('/buyer/quotes', ...handle('createQuote', (_req, body) => ({ body, params: {} })));
  router.get('/buyer/quotes/:id', ...handle('retrieveQuote', idRead('QUOTE_ID')));
  router.post('/buyer/quotes/inquiry', ...handle('retrieveQuote', idRead('QUOTE_ID')));
  router.post('/buyer/quotes/:id/withdraw', ...handle('cancelQuote', (req, body) => ({ body, params: { id: String(req.params.id) } })));
  router.post('/buyer/quotes/:id/decline', ...handle('declineQuote', (req, body) => ({ body, params: { id: String(req.params.id) } })));

  router.post('/buyer/orders', ...handle('createOrder', (_req, body) => ({ body, params: {} })));
  router.get('/buyer/orders', ...handle('findOrders', (req) => ({ body: query(req), params: {} })));
  router.post('/buyer/orders/search', ...handle('findOrders', (_req, body) => ({ body, params: {} })));
  router.post('/buyer/orders/inquiry', ...handle('retrieveOrder', idRead('ORDER_ID')));
  router.get('/buyer/orders/:id', ...handle('retrieveOrder', idRead('ORDER_ID')));
  router.post('/buyer/orders/:id/cancel', ...handle('cancelOrder', (req, body) => ({ body, params: { id: String(req.params.id) } })));

  router.get('/buyer/products/:id', ...handle('retrieveProduct', idRead('SELLER_PRODUCT_ID')));
  router.post('/buyer/products/inquiry', ...handle('retrieveProduct', idRead('SELLER_PRODUCT_ID')));

  router.post('/buyer/tickets', ...handle('createTicket', (_req, body) => ({ body, params: {} })));
  router.get('/buyer/tickets/:id', ...handle('retrieveTicket', idRead('TT_ID')));
  router.post('/buyer/tickets/inquiry', ...handle('retrieveTicket', idRead('TT_ID')));

  router.post('/buyer/hubs/register', async (_req: Request, res: Response) => {
    // operators: register our listeners with every seller now (normally done at start and before each purchase)
    await opts.service.registerAllHubs(opts.logger);
    res.status(200).json({ RC: 0, MSG: 'OK' });
  });

  router.use('/buyer', (req: Request, res: Response) => {
    res.status(200).json(renderBuyerError(buyerError('request.unknown-function', { method: req.method, path: req.path })));
  });
  return router;
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
