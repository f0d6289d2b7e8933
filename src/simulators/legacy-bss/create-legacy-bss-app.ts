import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { createAddressRouter } from './address.js';
import { loadAddressSeed } from './address-seed.js';
import { createApiKeyCheck } from './api-key.js';
import { createFaultInjection } from './fault-injection.js';
import { replyInputError, replyNotFound, replyOk, replySystemError } from './legacy-envelope.js';
import { formatLegacyTimestamp } from './legacy-timestamp.js';

/** Logger shape the simulator writes to; winston and pino loggers fit. */
export interface LegacyBssLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** Options of the simulated legacy BSS. */
export interface LegacyBssSimOptions {
  /** Value every request must carry in `X-BSS-Api-Key` (health excepted). Must not be empty. */
  apiKey: string;
  /** Folder holding `addresses.yaml` (the shipped one is `config/legacy-bss-sim`). */
  dataDir: string;
  /** Honour the `X-Sim-Fault` request header (see fault-injection.ts). Off by default. */
  faultInjection?: boolean;
  /** Clock for timestamps the simulator generates (health `TS`); defaults to the system clock. */
  now?: () => Date;
  /** Receives unexpected errors (answered as RC 12). Silent when absent. */
  logger?: LegacyBssLogger;
}

/** Identifier the simulated system reports in its health answer. */
export const LEGACY_BSS_SYSTEM_ID = 'NETCORE-BSS-SIM';

/** Base path of every legacy BSS endpoint. */
export const LEGACY_BSS_BASE_PATH = '/bss/v2';

/**
 * Builds the simulated legacy BSS as an Express app (not listening). Loads and validates the seed
 * data synchronously, so a broken `addresses.yaml` throws here with `file:line: problem`.
 *
 * Endpoints (all under `/bss/v2`): `GET /health` (no key), `POST /address/check`,
 * `GET /address/{ADDR_KEY}`. Every answer is HTTP 200 with `RC`/`MSG` in the body, except a
 * rejected API key (HTTP 401, RC 16) and injected faults.
 */
export function createLegacyBssApp(opts: LegacyBssSimOptions): Express {
  const addresses = loadAddressSeed(opts.dataDir);
  const now = opts.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  if (opts.faultInjection === true) app.use(createFaultInjection());

  const api = express.Router();
  api.get('/health', (_req: Request, res: Response) => {
    replyOk(res, { SYSTEM: LEGACY_BSS_SYSTEM_ID, TS: formatLegacyTimestamp(now()) });
  });
  api.use(createApiKeyCheck(opts.apiKey));
  // One router per legacy domain; later domains (orders, products, ...) are mounted beside it.
  api.use('/address', createAddressRouter({ addresses }));
  api.use((_req: Request, res: Response) => replyNotFound(res, 'function unknown'));
  app.use(LEGACY_BSS_BASE_PATH, api);

  app.use(createLegacyErrorRenderer(opts.logger));
  return app;
}

function createLegacyErrorRenderer(logger: LegacyBssLogger | undefined): ErrorRequestHandler {
  return function renderLegacyError(err: unknown, req: Request, res: Response, next: (err?: unknown) => void): void {
    if (res.headersSent) return next(err);
    // body-parser marks client-side problems (bad JSON, too large, bad charset) with a 4xx status.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (err as { type?: unknown }).type;
      return replyInputError(res, null, type === 'entity.too.large' ? 'request too large' : 'malformed request');
    }
    logger?.error('legacy BSS simulator: unexpected error', { path: req.path, error: String(err) });
    replySystemError(res, 'system error');
  };
}
