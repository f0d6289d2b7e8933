/**
 * A simulated partner seller speaking MEF LSO Sonata (Billie, Grace or Kylie), standalone like any external system: its
 * own OAuth token endpoint, address validation, firm quotes, product orders with a lifecycle it advances, hub
 * registration and notifications to the registered callbacks. In strict mode every request is validated against
 * the official OpenAPI file of its release and refused in Sonata shape when invalid, and every answer it gives is
 * checked too, so a flow that succeeds against it proves the buyer's requests are what the standard accepts.
 */
import { errorMessage } from '../../../src/json/unknown-values.js';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { createSpecCatalog, type SpecCatalog, type SpecIssue } from '../../../src/conformance/openapi-validator.js';
import { DEFAULT_ADDRESSES, DEFAULT_PRODUCTS, type SellerAddress, type SellerProduct } from './seller-catalogue.js';
import { createSellerDomain, SellerRefusal, type SellerDomain } from './seller-domain.js';
import {
  createSellerNotifier,
  type DeliveryRecord,
  type HubSubscription,
  type NotificationAuth,
  type SellerNotifier,
} from './seller-notifier.js';
import { createSellerOAuth, type SellerOAuth } from './seller-oauth.js';
import { SELLER_PROFILES, type SellerProfile, type SellerRelease } from './seller-profile.js';
import { billingFeature, type SellerBillingControl } from './seller-billing.js';
import { appointmentFeature, type SellerAppointmentControl } from './seller-appointments.js';
import type { SellerFeature } from './seller-feature.js';

/** Logger shape the simulator writes to (winston fits). */
export interface SonataSellerLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** Options of the simulated seller. */
export interface SonataSellerOptions {
  release: SellerRelease;
  /** buyers that may get tokens from `POST /oauth2/token` */
  clients: ReadonlyArray<{ clientId: string; clientSecret: string }>;
  /**
   * validate every request and answer against the release's OpenAPI files in this SDK folder (holding billie/,
   * grace/, kylie/); `specs` shares already compiled validators between simulators of one process
   */
  strict?: { sdkDir: string; specs?: SpecCatalog };
  /** countries served (alpha-2); default every country of the address book */
  countries?: readonly string[];
  /** price currency (default EUR) */
  currency?: string;
  /** id prefix of quotes, orders and products (default `SIM`) */
  idPrefix?: string;
  addresses?: readonly SellerAddress[];
  products?: Readonly<Record<string, SellerProduct>>;
  /** lifetime of issued tokens (default 3600 s) */
  tokenTtlSeconds?: number;
  /** how the seller authenticates to buyers' listeners (can be set later through the control) */
  notificationAuth?: NotificationAuth;
  /** moves every open order one step and prices every deferred quote this often; 0/absent: only the control does */
  autoAdvanceMs?: number;
  now?: () => Date;
  logger?: SonataSellerLogger;
}

/** One request as the seller received it (tests check what a buyer sent). */
export interface ReceivedRequest {
  method: string;
  path: string;
  operationId?: string;
  query: Record<string, unknown>;
  body: unknown;
  /** the buyer's Idempotency-Key header, when it sent one */
  idempotencyKey?: string;
  /** spec problems of the request (strict mode); refused requests have some */
  issues: SpecIssue[];
  /** spec problems of the seller's own answer (strict mode): a simulator bug */
  responseIssues: SpecIssue[];
  status?: number;
}

/** A fault the next matching requests get, after authentication and validation. */
export interface SellerFault {
  /** operationId it applies to (e.g. `createProductOrder`); absent = every operation */
  operationId?: string;
  /** wait this long before handling (the request still takes effect) */
  delayMs?: number;
  /** answer this status instead of handling (body: a Sonata error, or `body`) */
  status?: number;
  body?: unknown;
  /** how many requests it applies to (default 1) */
  times?: number;
}

/** Test and demo controls (also under `/_sim`). */
export interface SonataSellerControl {
  readonly release: SellerRelease;
  received(): readonly ReceivedRequest[];
  clearReceived(): void;
  tokenRequests(): number;
  /** invalidates every live token: the next call with one gets 401 */
  revokeTokens(): void;
  injectFault(fault: SellerFault): void;
  /** one lifecycle step of an order (or straight to `to`); notifications are queued */
  advanceOrder(id: string, to?: 'inProgress' | 'completed' | 'failed'): string;
  /** prices a deferred quote now */
  priceQuote(id: string): void;
  hubs(): HubSubscription[];
  deliveries(): readonly DeliveryRecord[];
  setNotificationAuth(auth: NotificationAuth | undefined): void;
  /** resolves when every queued notification has been attempted */
  idle(): Promise<void>;
  /** strict mode: compiles the validators of every served operation now, so the first requests are not slowed */
  warmUp(): void;
  /** stops timers and deliveries */
  stop(): void;
  /** customer bills (Grace, Kylie; seller-billing.ts) */
  bills?: SellerBillingControl;
  /** work orders, time slots and appointments (Grace, Kylie; seller-appointments.ts) */
  appointments?: SellerAppointmentControl;
}

const SONATA_JSON = 'application/json;charset=utf-8';
const MAX_RECORDS = 1000;

type Handler = (ctx: { body: Record<string, unknown>; params: Record<string, string>; query: Record<string, string>; client: string }) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** APIs served from their own files (seller-feature.ts), where the release has them */
const FEATURES = { bills: billingFeature, appointments: appointmentFeature } as const;

/** What the parts of the simulator share: its options and profile, the Express app, the domain, the record of requests. */
interface SellerApp {
  readonly opts: SonataSellerOptions;
  readonly profile: SellerProfile;
  readonly app: Express;
  readonly now: () => Date;
  readonly addresses: readonly SellerAddress[];
  readonly oauth: SellerOAuth;
  readonly notifier: SellerNotifier;
  readonly domain: SellerDomain;
  readonly specs: SpecCatalog | undefined;
  readonly features: Array<[keyof typeof FEATURES, SellerFeature<unknown>]>;
  /** compiles the validators of one served operation (warmUp) */
  readonly served: Array<() => void>;
  readonly received: ReceivedRequest[];
  readonly faults: SellerFault[];
}

/**
 * `version`: the API's major when it is not one of the profile's; `bodyless`: a POST without a body in the spec;
 * `lazy`: its validators compile on first use rather than in warmUp (the features' APIs, so a buyer that never
 * uses them does not wait for them at start)
 */
interface RouteExtra {
  version?: string;
  bodyless?: boolean;
  lazy?: boolean;
}
type Method = 'get' | 'post' | 'delete';

/** Builds the simulator; nothing listens and no timer runs until the app is served (see startSonataSeller). */
export function createSonataSellerApp(opts: SonataSellerOptions): { app: Express; control: SonataSellerControl } {
  const sim = createSellerApp(opts);
  registerDomainRoutes(sim);
  registerHubRoutes(sim);
  const featureControls = installFeatures(sim);
  let timer: NodeJS.Timeout | undefined;
  const { domain, notifier, oauth, received, faults, served } = sim;
  const control: SonataSellerControl = {
    ...featureControls,
    release: opts.release,
    received: () => received,
    clearReceived: () => {
      received.length = 0;
    },
    tokenRequests: () => oauth.tokenRequests(),
    revokeTokens: () => oauth.revokeAll(),
    injectFault: (f) => {
      faults.push({ ...f, times: f.times ?? 1 });
    },
    advanceOrder: (id, to) => domain.advanceOrder(id, to),
    priceQuote: (id) => domain.priceQuote(id),
    hubs: () => notifier.list(),
    deliveries: () => notifier.deliveries(),
    setNotificationAuth: (auth) => notifier.setAuth(auth),
    idle: () => notifier.idle(),
    warmUp: () => {
      for (const compile of served) compile();
    },
    stop: () => {
      if (timer) clearInterval(timer);
      notifier.stop();
    },
  };
  mountSimControl(sim, control);
  mountFallbacks(sim.app);
  if (opts.autoAdvanceMs && opts.autoAdvanceMs > 0) timer = startAutoAdvance(domain, opts.autoAdvanceMs);
  return { app: sim.app, control };
}

/** The seller's parts (OAuth, notifier, domain, spec catalogue) and its Express app with the token endpoint. */
function createSellerApp(opts: SonataSellerOptions): SellerApp {
  const profile = SELLER_PROFILES[opts.release];
  if (!profile) throw new Error(`unknown release ${String(opts.release)} (billie, grace or kylie)`);
  const now = opts.now ?? (() => new Date());
  const addresses = opts.addresses ?? DEFAULT_ADDRESSES;
  const oauth = createSellerOAuth({ clients: opts.clients, tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600, now });
  const features = Object.entries(FEATURES).filter(([, f]) => f.releases[opts.release]) as Array<
    [keyof typeof FEATURES, SellerFeature<unknown>]
  >;
  const notifier = createSellerNotifier({
    targets: {
      ...profile.notifications,
      ...Object.fromEntries(features.map(([, f]) => [f.api, f.releases[opts.release]!.notifications])),
    },
    now,
    auth: opts.notificationAuth,
    onError: (message, meta) => opts.logger?.warn(message, meta),
  });
  const domain = createSellerDomain({
    profile,
    addresses,
    products: opts.products ?? DEFAULT_PRODUCTS,
    countries: opts.countries ?? [...new Set(addresses.map((a) => a.countryCode))],
    currency: opts.currency ?? 'EUR',
    prefix: opts.idPrefix ?? 'SIM',
    now,
    publish: (e) => notifier.publish(e),
  });
  const specs: SpecCatalog | undefined = opts.strict ? (opts.strict.specs ?? createSpecCatalog({ sdkDir: opts.strict.sdkDir })) : undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.post('/oauth2/token', ...oauth.tokenEndpoint);
  return { opts, profile, app, now, addresses, oauth, notifier, domain, specs, features, served: [], received: [], faults: [] };
}

/** Serves one Sonata operation: recorded, authenticated, validated against the spec (strict), answered by `handler`. */
function route(sim: SellerApp, method: Method, api: string, specPath: string, handler: Handler, extra: RouteExtra = {}): void {
  const { opts, profile, specs } = sim;
  const { version = profile.versions[api as keyof typeof profile.versions], bodyless = false } = extra;
  const expressPath = `/mefApi/sonata/${api}/${version}${specPath.replace(/\{([A-Za-z]+)\}/g, ':$1')}`;
  if (!extra.lazy)
    sim.served.push(() => {
      const op = specs?.api(opts.release, api)?.operation(method, specPath);
      if (!op) return;
      // the first validation of each kind compiles and caches the validator
      op.validateQuery({});
      if (op.hasRequestBody) op.validateRequestBody(null);
      for (const status of op.responseStatuses) if (/^\d{3}$/.test(status)) op.validateResponseBody(Number(status), null);
    });
  sim.app[method](expressPath, express.text({ type: () => true, limit: '1mb' }), (req: Request, res: Response) =>
    serveOperation(sim, { method, api, specPath, handler, bodyless }, req, res),
  );
}

type Served = { method: Method; api: string; specPath: string; handler: Handler; bodyless: boolean };
type Send = (status: number, body?: unknown, headers?: Record<string, string>) => void;

function serveOperation(sim: SellerApp, served: Served, req: Request, res: Response): void {
  const { method, api, specPath, bodyless } = served;
  const { received } = sim;
  const specOp = sim.specs?.api(sim.opts.release, api)?.operation(method, specPath);
  const record: ReceivedRequest = {
    method: method.toUpperCase(),
    path: req.path,
    operationId: specOp?.operationId,
    query: { ...(req.query as Record<string, unknown>) },
    body: undefined,
    issues: [],
    responseIssues: [],
    ...(typeof req.headers['idempotency-key'] === 'string' && { idempotencyKey: req.headers['idempotency-key'] }),
  };
  received.push(record);
  // a demo seller runs for days: keep the recent requests only
  if (received.length > MAX_RECORDS) received.splice(0, received.length - MAX_RECORDS);
  const send: Send = (status, body, headers = {}) => {
    record.status = status;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (body === undefined) return void res.status(status).end();
    res.status(status).setHeader('Content-Type', SONATA_JSON).send(JSON.stringify(body));
  };
  const auth = sim.oauth.authenticate(req.headers.authorization);
  if ('error' in auth) return send(401, { ...auth.error, message: 'authenticate at POST /oauth2/token' });

  const raw = typeof req.body === 'string' ? req.body : '';
  let body: unknown;
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      return send(400, { code: 'invalidBody', reason: 'The body is not valid JSON' });
    }
  }
  record.body = body;
  if (method === 'post' && specOp?.hasRequestBody && !/^application\/json/i.test(req.headers['content-type'] ?? '')) {
    record.issues.push({ path: '', message: 'content type must be application/json', keyword: 'body' });
    return send(400, { code: 'invalidBody', reason: 'Send application/json;charset=utf-8' });
  }
  if (specOp && refuseInvalidRequest(specOp, req, body, record, send)) return;
  if (method === 'post' && !bodyless && (!body || typeof body !== 'object' || Array.isArray(body)))
    return send(400, { code: 'invalidBody', reason: 'The body must be a JSON object' });

  const fault = takeFault(sim.faults, specOp?.operationId);
  const finish = () => {
    if (fault?.status)
      return send(
        fault.status,
        fault.body ?? {
          code: fault.status >= 500 ? 'internalError' : 'invalidBody',
          reason: `injected fault ${fault.status}`,
        },
      );
    answer(sim, served.handler, specOp, { body, req, client: auth.clientId }, record, send);
  };
  if (fault?.delayMs) setTimeout(finish, fault.delayMs);
  else finish();
}

type SpecOperation = NonNullable<ReturnType<NonNullable<ReturnType<SpecCatalog['api']>>['operation']>>;

/** Strict mode: a query or body the spec refuses is answered 400 or 422 (true when it was). */
function refuseInvalidRequest(specOp: SpecOperation, req: Request, body: unknown, record: ReceivedRequest, send: Send): boolean {
  const queryIssues = specOp.validateQuery(req.query as Record<string, string>);
  if (queryIssues.length) {
    record.issues.push(...queryIssues);
    send(400, {
      code: 'invalidQuery',
      reason: 'The query does not match the API',
      message: queryIssues
        .map((i) => `${i.path} ${i.message}`)
        .join('; ')
        .slice(0, 2000),
    });
    return true;
  }
  if (specOp.hasRequestBody) {
    const bodyIssues = specOp.validateRequestBody(body);
    if (bodyIssues.length) {
      record.issues.push(...bodyIssues);
      send(
        422,
        bodyIssues.map((i) => ({ code: issueCode(i), propertyPath: i.path, reason: i.message.slice(0, 255) })),
      );
      return true;
    }
  }
  return false;
}

/** Runs the handler; a refusal is answered 404 or 422, a failure 500, and (strict) an answer the spec refuses 500. */
function answer(
  sim: SellerApp,
  handler: Handler,
  specOp: SpecOperation | undefined,
  input: { body: unknown; req: Request; client: string },
  record: ReceivedRequest,
  send: Send,
): void {
  const { opts } = sim;
  let result: ReturnType<Handler>;
  try {
    result = handler({
      body: (input.body ?? {}) as Record<string, unknown>,
      params: input.req.params as Record<string, string>,
      query: input.req.query as Record<string, string>,
      client: input.client,
    });
  } catch (err) {
    if (err instanceof SellerRefusal) {
      return err.status === 404 ? send(404, { code: 'notFound', reason: err.message.slice(0, 255) }) : send(422, err.issues);
    }
    opts.logger?.error('seller simulator failed', { error: errorMessage(err) });
    return send(500, { code: 'internalError', reason: 'simulator failure', message: errorMessage(err) });
  }
  if (specOp) {
    const issues = specOp.validateResponseBody(result.status, result.body);
    if (issues.length) {
      // the simulator's own answer is wrong: fail loudly so tests notice instead of trusting a bad example
      record.responseIssues.push(...issues);
      opts.logger?.error('seller simulator answer violates the spec', {
        operationId: specOp.operationId,
        issues,
      });
      return send(500, {
        code: 'internalError',
        reason: 'simulator answer violates the spec',
        message: JSON.stringify(issues).slice(0, 2000),
      });
    }
  }
  send(result.status, result.body, result.headers);
}

/** The routes of the seller's domain: addresses, quotes, orders, inventory, qualifications, tickets. */
function registerDomainRoutes(sim: SellerApp): void {
  const { domain, opts, profile } = sim;
  // ---- address validation
  route(sim, 'post', 'geographicAddressManagement', '/geographicAddressValidation', ({ body }) => domain.validateAddress(body));
  if (opts.release === 'kylie')
    route(sim, 'get', 'geographicAddressManagement', '/geographicAddressValidation/{id}', ({ params }) => ({
      status: 200,
      body: domain.retrieveValidation(params.id!),
    }));
  route(sim, 'get', 'geographicAddressManagement', '/geographicAddress/{id}', ({ params }) => ({
    status: 200,
    body: domain.retrieveAddress(params.id!),
  }));

  // ---- quotes
  route(sim, 'post', 'quoteManagement', '/quote', ({ body }) => ({ status: 201, body: domain.createQuote(body) }));
  route(sim, 'get', 'quoteManagement', '/quote/{id}', ({ params }) => ({
    status: 200,
    body: domain.retrieveQuote(params.id!),
  }));
  route(sim, 'post', 'quoteManagement', '/cancelQuote', ({ body }) => ({
    status: 200,
    body: domain.changeQuote(body, 'cancelled'),
  }));
  route(sim, 'post', 'quoteManagement', profile.declinePath, ({ body }) => ({
    status: 200,
    body: domain.changeQuote(body, 'declined'),
  }));

  // ---- product orders
  route(sim, 'post', 'productOrderingManagement', '/productOrder', ({ body }) => ({
    status: 201,
    body: domain.createOrder(body),
  }));
  route(sim, 'get', 'productOrderingManagement', '/productOrder', ({ query }) => {
    const all = domain.listOrders(query);
    const offset = Number(query.offset ?? 0) || 0;
    const limit = Number(query.limit ?? 50) || 50;
    const page = all.slice(offset, offset + limit);
    return {
      status: 200,
      body: page,
      headers: {
        'X-Total-Count': String(all.length),
        'X-Result-Count': String(page.length),
        'X-Pagination-Throttled': 'false',
      },
    };
  });
  route(sim, 'get', 'productOrderingManagement', '/productOrder/{id}', ({ params }) => ({
    status: 200,
    body: domain.retrieveOrder(params.id!),
  }));
  route(sim, 'post', 'productOrderingManagement', '/cancelProductOrder', ({ body }) => ({
    status: 201,
    body: domain.cancelOrder(body),
  }));

  // ---- inventory (products installed by completed orders)
  route(sim, 'get', 'productInventory', '/product/{id}', ({ params }) => ({
    status: 200,
    body: domain.retrieveProduct(params.id!),
  }));

  // ---- product offering qualification
  route(sim, 'post', 'productOfferingQualification', '/productOfferingQualification', ({ body }) => ({
    status: 201,
    body: domain.createQualification(body),
  }));
  route(sim, 'get', 'productOfferingQualification', '/productOfferingQualification/{id}', ({ params }) => ({
    status: 200,
    body: domain.retrieveQualification(params.id!),
  }));

  // ---- trouble tickets
  route(sim, 'post', 'troubleTicket', '/troubleTicket', ({ body }) => ({ status: 201, body: domain.createTicket(body) }));
  route(sim, 'get', 'troubleTicket', '/troubleTicket/{id}', ({ params }) => ({
    status: 200,
    body: domain.retrieveTicket(params.id!),
  }));
}

/** The hubs of the profile's notifying APIs and of the features' APIs. */
function registerHubRoutes(sim: SellerApp): void {
  const { opts, profile, notifier, features } = sim;
  // a feature's hub names its version; like its other routes it compiles on first use
  const hubApis: Array<[string, string | undefined, boolean]> = [
    ...(['quoteManagement', 'productOrderingManagement'] as const).map(
      (api) => [api, undefined, profile.hubRetrieve.has(api)] as [string, undefined, boolean],
    ),
    ...features.map(
      ([, f]) => [f.api, f.releases[opts.release]!.version, f.releases[opts.release]!.hubRetrieve] as [string, string, boolean],
    ),
  ];
  for (const [api, version, hubRetrieve] of hubApis) {
    route(
      sim,
      'post',
      api,
      '/hub',
      ({ body }) => {
        if (typeof body.callback !== 'string' || !/^https?:\/\//.test(body.callback)) {
          throw new SellerRefusal(422, [{ code: 'invalidValue', propertyPath: '/callback', reason: 'callback must be an http(s) URL' }]);
        }
        const sub = notifier.register(api, body.callback, typeof body.query === 'string' ? body.query : undefined);
        return {
          status: 201,
          body: { id: sub.id, callback: sub.callback, ...(sub.query !== undefined && { query: sub.query }) },
        };
      },
      { version, lazy: version !== undefined },
    );
    if (hubRetrieve) {
      route(
        sim,
        'get',
        api,
        '/hub/{id}',
        ({ params }) => {
          const sub = notifier.get(api, params.id!);
          if (!sub) throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no hub ${params.id}` }]);
          return {
            status: 200,
            body: { id: sub.id, callback: sub.callback, ...(sub.query !== undefined && { query: sub.query }) },
          };
        },
        { version, lazy: version !== undefined },
      );
    }
    route(
      sim,
      'delete',
      api,
      '/hub/{id}',
      ({ params }) => {
        if (!notifier.remove(api, params.id!))
          throw new SellerRefusal(404, [{ code: 'notFound', propertyPath: '', reason: `no hub ${params.id}` }]);
        return { status: 204 };
      },
      { version, lazy: version !== undefined },
    );
  }
}

/** Installs the features the release has (seller-feature.ts); their controls by name. */
function installFeatures(sim: SellerApp): Partial<Pick<SonataSellerControl, keyof typeof FEATURES>> {
  const { opts, profile, now, app, addresses, notifier, features } = sim;
  return Object.fromEntries(
    features.map(([name, f]) => {
      const { version } = f.releases[opts.release]!;
      return [
        name,
        f.install({
          release: opts.release,
          prefix: opts.idPrefix ?? 'SIM',
          currency: opts.currency ?? 'EUR',
          shapes: profile.shapes,
          typedEvents: profile.typedEvents,
          now,
          app,
          clients: opts.clients.map((c) => c.clientId),
          addressIds: addresses.filter((a) => !opts.countries || opts.countries.includes(a.countryCode)).map((a) => a.id),
          route: (method, specPath, handler, o) =>
            route(sim, method, f.api, specPath, handler, { version, bodyless: o?.bodyless, lazy: true }),
          publish: (eventType, payload) => notifier.publish({ api: f.api, eventType, payload }),
        }),
      ];
    }),
  ) as Partial<Pick<SonataSellerControl, keyof typeof FEATURES>>;
}

/** Simulation control (demo: curl; no auth, like the legacy simulator's _sim). */
function mountSimControl(sim: SellerApp, control: SonataSellerControl): void {
  const { app, domain, received, notifier } = sim;
  app.post('/_sim/orders/:id/advance', express.json(), (req: Request, res: Response) => {
    try {
      const to = (req.body as { to?: 'inProgress' | 'completed' | 'failed' } | undefined)?.to;
      res.json({ id: req.params.id, state: domain.advanceOrder(String(req.params.id), to) });
    } catch (err) {
      res.status(404).json({ code: 'notFound', reason: errorMessage(err) });
    }
  });
  app.post('/_sim/quotes/:id/price', (req: Request, res: Response) => {
    try {
      domain.priceQuote(String(req.params.id));
      res.json(domain.retrieveQuote(String(req.params.id)));
    } catch (err) {
      res.status(404).json({ code: 'notFound', reason: errorMessage(err) });
    }
  });
  app.post('/_sim/faults', express.json(), (req: Request, res: Response) => {
    control.injectFault((req.body ?? {}) as SellerFault);
    res.status(204).end();
  });
  app.post('/_sim/revoke-tokens', (_req: Request, res: Response) => {
    control.revokeTokens();
    res.status(204).end();
  });
  app.get('/_sim/requests', (_req: Request, res: Response) => {
    res.json(received);
  });
  app.get('/_sim/hubs', (_req: Request, res: Response) => {
    res.json({ hubs: notifier.list(), deliveries: notifier.deliveries() });
  });
}

/** Unknown routes and errors of the body parsers, in Sonata shape. */
function mountFallbacks(app: Express): void {
  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .setHeader('Content-Type', SONATA_JSON)
      .send(JSON.stringify({ code: 'notFound', reason: `no route ${req.method} ${req.path}` }));
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    res
      .status(status >= 400 && status < 600 ? status : 500)
      .setHeader('Content-Type', SONATA_JSON)
      .send(
        JSON.stringify({
          code: status < 500 ? 'invalidBody' : 'internalError',
          reason: errorMessage(err)?.slice(0, 255) ?? 'error',
        }),
      );
  });
}

/** Prices pending quotes, assesses pending qualifications and moves open orders on, every `ms`. */
function startAutoAdvance(domain: SellerDomain, ms: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const id of domain.pendingQuotes()) domain.priceQuote(id);
    for (const id of domain.pendingQualifications()) domain.assessQualification(id);
    for (const id of domain.openOrders()) domain.advanceOrder(id);
  }, ms);
  timer.unref();
  return timer;
}

function takeFault(faults: SellerFault[], operationId: string | undefined): SellerFault | undefined {
  const i = faults.findIndex((f) => !f.operationId || f.operationId === operationId);
  if (i < 0) return undefined;
  const f = faults[i]!;
  f.times = (f.times ?? 1) - 1;
  if (f.times <= 0) faults.splice(i, 1);
  return f;
}

/** Sonata Error422 code for a spec issue. */
function issueCode(issue: SpecIssue): string {
  switch (issue.keyword) {
    case 'required':
      return 'missingProperty';
    case 'additionalProperties':
      return 'unexpectedProperty';
    case 'format':
    case 'pattern':
      return 'invalidFormat';
    default:
      return 'invalidValue';
  }
}
