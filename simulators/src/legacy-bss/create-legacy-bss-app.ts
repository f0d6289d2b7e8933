import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type Response } from 'express';
import { createAddressRouter } from './address.js';
import { loadAddressSeed } from './address-seed.js';
import { createApiKeyCheck } from './api-key.js';
import { createBillingDomain } from './billing.js';
import { createAssetRouter, createAssetStore, loadAssetSeed } from './asset.js';
import { createCallbackSender } from './callback-sender.js';
import { createCatalogueDomain, loadCatalogueSeed } from './catalogue.js';
import { loadCoverageSeed } from './coverage.js';
import { createCustomerRouter, loadCustomerSeed } from './customer.js';
import { createEventJournal, createEventRouter } from './event-journal.js';
import { createFaultDomain } from './fault.js';
import { createFaultInjection } from './fault-injection.js';
import { createFeasibilityDomain } from './feasibility.js';
import { createIncidentRouter, loadIncidentSeed } from './incident.js';
import { createNetworkEventDomain, loadNetworkSeed } from './network-events.js';
import { replyInputError, replyNotFound, replyOk, replySystemError } from './legacy-envelope.js';
import { formatLegacyTimestamp } from './legacy-timestamp.js';
import { createOfferDomain } from './offer.js';
import { createOrderDomain } from './order.js';
import { loadProductCatalogue } from './product-catalogue.js';
import { createSimControlRouter } from './sim-control.js';
import { createNumbering, type LegacyBssSeedData, type SimContext, type SimDomain } from './sim-context.js';
import { createSiteRouter, loadSiteSeed } from './site.js';
import { createEngineerCalendar } from './engineer-calendar.js';
import { createWorkOrderBook, createWorkOrderDomain } from './work-order.js';

export type { LegacyBssEvent, LegacyBssEventType } from './event-journal.js';
export { CALLBACK_SEQUENCE_HEADER, CALLBACK_SIGNATURE_HEADER, signLegacyCallback } from './callback-sender.js';

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
  /** Folder holding `addresses.yaml` (the shipped one is `simulators/data/legacy-bss`). */
  dataDir: string;
  /** Honour the `X-Sim-Fault` request header (see fault-injection.ts). Off by default. */
  faultInjection?: boolean;
  /** Clock for timestamps the simulator generates (health `TS`); defaults to the system clock. */
  now?: () => Date;
  /** Receives unexpected errors (answered as RC 12) and dropped callbacks. Silent when absent. */
  logger?: LegacyBssLogger;
  /**
   * Where every status change is POSTed as one {@link LegacyBssEvent} (http or https URL). Requires
   * `callbackSecret`. Delivery is best effort: a few retries, then the event is dropped.
   */
  callbackUrl?: string | (() => string | undefined);
  /** HMAC-SHA256 key of the `X-BSS-Signature` header of callbacks. */
  callbackSecret?: string;
  /** Extra headers of every callback, e.g. `{ "X-Internal-Api-Key": "..." }` for a receiver that wants a key. */
  callbackHeaders?: Readonly<Record<string, string>>;
  /** Waits before each callback retry; defaults to 500, 2000 and 5000 ms (three retries). */
  callbackRetryDelaysMs?: readonly number[];
  /**
   * Moves every open order, fault ticket and deferred request one lifecycle step every this many
   * milliseconds (the demo's "the BSS works by itself"). 0 or absent: only `_sim` calls move things.
   */
  autoAdvanceMs?: number;
  /** Deferred (`MODE: "ASYNC"`) feasibility checks and offers complete this long after creation. Absent: never by themselves. */
  deferredDelayMs?: number;
  /** Aborting stops the auto-advance timer, pending deferred completions and callback delivery. */
  signal?: AbortSignal;
}

/** Identifier the simulated system reports in its health answer. */
export const LEGACY_BSS_SYSTEM_ID = 'NETCORE-BSS-SIM';

/** Base path of every legacy BSS endpoint. */
export const LEGACY_BSS_BASE_PATH = '/bss/v2';

/**
 * Builds the simulated legacy BSS as an Express app (not listening). Loads and validates all seed
 * files synchronously, so a broken seed throws here with `file:line: problem`; throws an `Error`
 * for invalid options. All run-time state (orders, offers, tickets, journal) lives in the returned
 * app: a new app starts from the seeds again.
 *
 * Endpoints (all under `/bss/v2`, see README.md): `GET /health` (no key), `address`, `customers`,
 * `sites`, `feasibility`, `offers`, `orders`, `assets`, `faults`, `incidents`, `bills`, `events`, `_sim`.
 * Every answer is HTTP 200 with `RC`/`MSG` in the body, except a rejected API key (HTTP 401, RC 16)
 * and injected faults.
 */
export function createLegacyBssApp(opts: LegacyBssSimOptions): Express {
  checkSimOptions(opts);
  const addressList = loadAddressSeed(opts.dataDir);
  const seed = loadSeedData(opts.dataDir, new Map(addressList.map((address) => [address.ADDR_KEY, address])));
  const now = opts.now ?? (() => new Date());
  const signal = opts.signal;

  const sender =
    opts.callbackUrl === undefined
      ? undefined
      : createCallbackSender({
          url: opts.callbackUrl,
          secret: opts.callbackSecret ?? '',
          headers: opts.callbackHeaders,
          retryDelaysMs: opts.callbackRetryDelaysMs,
          logger: opts.logger,
          signal,
        });
  const journal = createEventJournal({ now, onEvent: sender ? (event) => sender.enqueue(event) : undefined });
  const assets = createAssetStore({ now, journal }, loadAssetSeed(opts.dataDir, seed));
  const incidents = loadIncidentSeed(opts.dataDir, new Set(assets.list().map((asset) => asset.ASSET_ID)));
  const context: SimContext = {
    seed,
    now,
    journal,
    assets,
    nextNumber: createNumbering(now),
    schedule: createScheduler(signal, opts.logger),
    deferredDelayMs: opts.deferredDelayMs,
  };
  const network = createNetworkEventDomain(context, assets, loadNetworkSeed(opts.dataDir, new Set(seed.addresses.keys())));
  const workOrders = createWorkOrderBook(context);
  context.workOrders = workOrders;
  const feasibility = createFeasibilityDomain(context);
  const offers = createOfferDomain(context, feasibility);
  const billing = createBillingDomain(context);
  const catalogue = createCatalogueDomain({
    seed: loadCatalogueSeed(opts.dataDir, seed.catalogue),
    products: seed.catalogue,
    journal,
    now,
  });
  const domains: SimDomain[] = [
    feasibility,
    offers,
    createOrderDomain(context, offers),
    createFaultDomain(context, incidents),
    billing,
    createWorkOrderDomain(context, workOrders),
  ];
  const sweep = (): void => {
    for (const domain of domains) domain.sweep();
  };
  const tick = (): void => {
    sweep();
    for (const domain of domains) domain.tick();
  };
  if (opts.autoAdvanceMs !== undefined && opts.autoAdvanceMs > 0) startAutoAdvance(opts.autoAdvanceMs, tick, signal, opts.logger);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  if (opts.faultInjection === true) app.use(createFaultInjection());
  // like a BSS behind a tracing proxy: the W3C trace context of recent calls, for tests (GET /_sim/traces)
  const traces = createTraceRecorder();
  app.use(traces.record);

  const api = express.Router();
  api.get('/health', (_req: Request, res: Response) => {
    replyOk(res, { SYSTEM: LEGACY_BSS_SYSTEM_ID, TS: formatLegacyTimestamp(now()) });
  });
  api.use(createApiKeyCheck(opts.apiKey));
  // Time-based changes (offer expiry) are applied lazily, so an injected clock takes effect at once.
  api.use((_req: Request, _res: Response, next: NextFunction) => {
    sweep();
    next();
  });
  // One router per legacy domain.
  api.use('/address', createAddressRouter({ addresses: addressList }));
  api.use('/customers', createCustomerRouter({ customers: seed.customers }));
  api.use('/sites', createSiteRouter({ customers: seed.customers, sites: seed.sites, addresses: seed.addresses }));
  for (const domain of domains) api.use(`/${domain.path}`, domain.router);
  api.use('/assets', createAssetRouter({ seed, assets }));
  api.use('/appointments', createEngineerCalendar(context, workOrders));
  api.use('/incidents', createIncidentRouter({ customers: seed.customers, incidents, assets }));
  api.use('/network-events', network.router);
  api.use('/_sim/network-events', network.control);
  api.use('/events', createEventRouter({ journal, customers: seed.customers }));
  api.use('/catalogue', catalogue.router);
  api.use('/_sim/catalogue', catalogue.simRouter);
  api.get('/_sim/traces', (_req: Request, res: Response) => replyOk(res, { CALLS: traces.calls() }));
  api.use('/_sim/bills', billing.simRouter);
  api.use('/_sim', createSimControlRouter({ domains, tick, now }));
  api.use((_req: Request, res: Response) => replyNotFound(res, 'function unknown'));
  app.use(LEGACY_BSS_BASE_PATH, api);

  app.use(createLegacyErrorRenderer(opts.logger));
  return app;
}

/** One call that carried a W3C `traceparent`, as `GET /_sim/traces` lists it. */
interface TracedCall {
  METHOD: string;
  PATH: string;
  TRACEPARENT: string;
}

/** How many traced calls the simulator keeps (the newest). */
const TRACED_CALLS_KEPT = 100;

/** Keeps the `traceparent` of the latest calls that carried one (a bounded list, oldest dropped first). */
function createTraceRecorder(): {
  record(req: Request, res: Response, next: NextFunction): void;
  calls(): TracedCall[];
} {
  const kept: TracedCall[] = [];
  return {
    record(req, _res, next) {
      const traceparent = req.headers.traceparent;
      if (typeof traceparent === 'string') {
        kept.push({ METHOD: req.method, PATH: req.path, TRACEPARENT: traceparent });
        if (kept.length > TRACED_CALLS_KEPT) kept.shift();
      }
      next();
    },
    calls: () => kept.map((c) => ({ ...c })),
  };
}

function checkSimOptions(opts: LegacyBssSimOptions): void {
  if (typeof opts.callbackUrl === 'string') {
    let protocol: string;
    try {
      protocol = new URL(opts.callbackUrl).protocol;
    } catch {
      throw new Error(`legacy BSS simulator: callbackUrl is not a URL: ${String(opts.callbackUrl)}`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error('legacy BSS simulator: callbackUrl must be http or https');
    if (!opts.callbackSecret) throw new Error('legacy BSS simulator: callbackUrl needs a callbackSecret to sign callbacks');
  }
  for (const [name, value] of Object.entries(opts.callbackHeaders ?? {})) {
    if (!/^[A-Za-z0-9-]+$/.test(name) || typeof value !== 'string')
      throw new Error(`legacy BSS simulator: callbackHeaders.${name} must be a header name with a text value`);
  }
  for (const [name, value] of [
    ['autoAdvanceMs', opts.autoAdvanceMs],
    ['deferredDelayMs', opts.deferredDelayMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      throw new Error(`legacy BSS simulator: ${name} must be a whole number >= 0`);
  }
}

function loadSeedData(dataDir: string, addresses: LegacyBssSeedData['addresses']): LegacyBssSeedData {
  const catalogue = loadProductCatalogue(dataDir);
  const coverage = loadCoverageSeed(dataDir, addresses);
  const customers = loadCustomerSeed(dataDir, new Set(catalogue.currencies.keys()));
  const sites = loadSiteSeed(dataDir, { addresses, customers, coverage });
  return { addresses, catalogue, coverage, customers, sites };
}

function createScheduler(signal: AbortSignal | undefined, logger: LegacyBssLogger | undefined): SimContext['schedule'] {
  const pending = new Set<NodeJS.Timeout>();
  // One listener for all timers: an AbortSignal warns about many listeners.
  signal?.addEventListener(
    'abort',
    () => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
    { once: true },
  );
  return (ms, task) => {
    if (signal?.aborted) return;
    const timer = setTimeout(() => {
      pending.delete(timer);
      try {
        task();
      } catch (err) {
        logger?.error('legacy BSS simulator: scheduled task failed', { error: String(err) });
      }
    }, ms);
    timer.unref();
    pending.add(timer);
  };
}

function startAutoAdvance(
  intervalMs: number,
  tick: () => void,
  signal: AbortSignal | undefined,
  logger: LegacyBssLogger | undefined,
): void {
  if (signal?.aborted) return;
  const timer = setInterval(() => {
    try {
      tick();
    } catch (err) {
      logger?.error('legacy BSS simulator: auto-advance failed', { error: String(err) });
    }
  }, intervalMs);
  timer.unref();
  signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
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
