import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import { context, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { SonataBearerStrategy, type BearerFailure, type TokenVerifier } from '../auth/bearer-strategy.js';
import {
  InternalKeyStrategy,
  internalKeysFromConfig,
  internalScopeFor,
  type InternalKey,
  type InternalPrincipal,
} from '../auth/internal-key-strategy.js';
import { createTokenEndpoint } from '../auth/token-endpoint.js';
import type { Principal, TokenService } from '../auth/token-service.js';
import type { GatewayConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors/catalogue.js';
import { renderSonataError } from '../errors/render-error.js';
import type { LegacyClient } from '../legacy/legacy-client.js';
import type { Logger } from '../observability/logger.js';
import { contextFrom, SpanKind, tracer } from '../observability/spans.js';
import type { OperationDef, PartnerDef } from '../registry/registry.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import type { StageObserver } from '../sonata/execute-operation.js';
import { executeOperation, upstreamOf } from '../sonata/kinds.js';
import type { HubOperations, OperationResult } from '../sonata/operation-context.js';
import type { ActivityCapture, CapturingActivityLog } from '../observability/activity-log.js';
import type { EventPublisher } from '../sonata/resources/resource-events.js';
import type { ResourceRepository } from '../sonata/resources/resource-repository.js';
import type { WorkQueue } from '../sonata/resources/work-queue.js';
import type { ProductSchemaRegistry } from '../sonata/products/product-schemas.js';
import type { SpecGuard } from '../conformance/spec-guard.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { resolveOperation } from '../sonata/resolve-operation.js';
import type { Store } from '../state/store.js';
import { createJsonBodyParser } from './body-guards.js';
import { parseIdempotencyKey, requestFingerprint, type Idempotency, type IdempotencyClaim, type RecordedResponse } from './idempotency.js';
import { createSonataProxies } from '../proxy/create-sonata-proxies.js';
import type { RateLimits } from './rate-limits.js';
import { createPartnerCors, keepOriginOfPartner } from './partner-cors.js';
import { errorMessage, memberOf } from '../json/unknown-values.js';

export interface AppDeps {
  config: GatewayConfig;
  registry: RegistryHolder;
  store: Store;
  legacy: LegacyClient;
  tokens: TokenService;
  logger: Logger;
  now?: () => Date;
  /** optional per-stage timing hook (benchmark) */
  observe?: StageObserver;
  /** lets /readyz report not-ready while shutting down */
  isShuttingDown?: () => boolean;
  resources: ResourceRepository;
  events: EventPublisher;
  tasks: WorkQueue;
  hubs?: HubOperations;
  products?: ProductSchemaRegistry;
  spec?: SpecGuard;
  metrics?: GatewayMetrics;
  /** routes under /internal the legacy BSS uses (status callbacks, /internal/buyer), mounted behind internal auth */
  internal?: express.Router;
  /**
   * operator routes under /internal (work queue, dead letters and their replay), behind internal auth: on the admin
   * app when `config.server.adminPort` is set, else on this one
   */
  operator?: express.Router;
  /** access tokens of external identity providers, accepted besides ours (src/auth/external-tokens.ts) */
  externalTokens?: TokenVerifier;
  /**
   * routes partner sellers post their notifications to (`/partners/:partnerId/mefApi/sonata/...`, see
   * src/buyer/listener-router.ts); they authenticate with bearer tokens through this app's passport strategy, whose
   * verdict the routes read from `res.locals.bearer`
   */
  partnerListeners?: express.Router;
  /**
   * the keys the legacy BSS and operators present on /internal routes (X-Internal-Api-Key); default: from
   * `config.internal` (src/auth/internal-key-strategy.ts)
   */
  internalKeys?: readonly InternalKey[];
  /** legacy status callbacks carry an HMAC signature (then they need no internal API key) */
  legacyCallbacksSigned?: boolean;
  /** rate limits (src/pipeline/rate-limits.ts); without them nothing is limited */
  limits?: RateLimits;
  /**
   * circuit breakers of the backends (legacy BSS, sellers), shown in /readyz detail; an open one does not make the
   * instance unready: every instance shares the backend, and a fast 503 with Retry-After beats no instance at all
   */
  breakers?: () => Record<string, unknown>;
  /** `/openapi` and `/openapi/<release>/<api>.json`: the official documents with our errata */
  contracts?: express.Router;
  /** POST creates replay by Idempotency-Key / externalId (src/pipeline/idempotency.ts); absent: every POST runs */
  idempotency?: Idempotency;
  /**
   * the activity log (src/observability/activity-log.ts): partner requests and buyer-side requests are captured with
   * their hops when it is enabled; absent or disabled, nothing is captured
   */
  activity?: CapturingActivityLog;
  /** the integrator's web console (src/console), mounted at `/console` on the admin app only */
  console?: express.Router;
}

interface RequestState {
  /** the context the request's span (ours, or the HTTP instrumentation's) is active in */
  traceContext?: Context;
  route?: string;
  op?: OperationDef;
  requestId: string;
  logger: Logger;
  partner?: PartnerDef;
  principal?: Principal;
  /** this request's activity capture (partner and buyer-side routes, when the activity log is on) */
  activity?: ActivityCapture;
}

const SONATA_JSON = 'application/json;charset=utf-8';
const SONATA_ROUTE = /^\/mefApi\/sonata\/([A-Za-z]+)\/(v[0-9]+)(\/.*)?$/;
/** the routes the activity log captures: partners' Sonata calls and the legacy BSS's purchases */
const CAPTURED_ROUTE = /^\/(mefApi\/sonata|internal\/buyer)\//;

function state(res: Response): RequestState {
  return res.locals as RequestState;
}

/**
 * The whole request pipeline, in order:
 *   request context -> (token endpoint | health) -> auth -> partner + release -> authorize -> body guards ->
 *   validate -> map in -> backend -> map out -> render; errors from any stage -> one Sonata error renderer.
 * docs/architecture.md draws the same thing with the errors each stage can raise.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // this app's own authenticator: strategies bound to this gateway's token service, partners and keys (a
  // process-wide passport.use would let the last gateway built in a process decide for all of them)
  const auth = createAuthenticator(deps);
  const adminSeparate = deps.config.server.adminPort !== undefined;

  // 1. request context: id, child logger, one log line per request
  app.use(requestContext(deps));

  // 2. operational endpoints (with an admin port, only the liveness/readiness status load balancers need)
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(deps, !adminSeparate));
  if (!adminSeparate) app.get('/metrics', metricsEndpoint(deps));
  const tokenEndpoint = createTokenEndpoint({
    registry: () => deps.registry.current(),
    tokens: deps.tokens,
    logger: deps.logger,
    store: deps.store,
    audiences: tokenEndpointAudiences(deps.config),
  });
  app.post('/oauth2/token', ...(deps.limits ? deps.limits.guardTokenEndpoint(tokenEndpoint) : tokenEndpoint));
  // the served contracts: public, no token (src/conformance/served-contracts.ts)
  if (deps.contracts) app.use('/openapi', deps.contracts);

  // 3. Sonata routes
  const parseBody = createJsonBodyParser({
    limitBytes: deps.config.server.bodyLimitBytes,
    maxDepth: deps.config.server.maxJsonDepth,
    maxArrayItems: deps.config.server.maxArrayItems,
    maxValues: deps.config.server.maxBodyValues,
  });
  const proxies = createSonataProxies(deps.config.upstreams, deps.logger);

  // CORS for partners' browser apps: preflights are answered here, without a token (src/pipeline/partner-cors.ts)
  app.use(
    '/mefApi/sonata',
    createPartnerCors(() => deps.registry.current()),
  );
  app.use('/mefApi/sonata', partnerAuth(deps, auth));
  if (deps.limits) app.use('/mefApi/sonata', deps.limits.partner);

  const runSonata = sonataHandler(deps, parseBody, proxies);
  // in the request's trace context, whatever the middleware before (passport, rate limits) resumed in
  app.use('/mefApi/sonata', (req: Request, res: Response, next: NextFunction) => inRequestTrace(res, () => runSonata(req, res, next)));

  // 4. internal endpoints (legacy BSS callbacks and purchases; operator tools unless they have the admin port)
  const internalRoutes = [deps.internal, adminSeparate ? undefined : deps.operator].filter((r): r is express.Router => !!r);
  if (internalRoutes.length)
    app.use('/internal', ...(deps.limits ? [deps.limits.internal] : []), internalAuth(deps, auth), ...internalRoutes);

  // 5. notifications from partner sellers about what the legacy BSS bought (outside /mefApi/sonata and /internal)
  if (deps.partnerListeners) {
    // the same passport bearer strategy; the listener routes decide what a failure means (404 before 401 there)
    app.use('/partners', listenerAuth(auth));
    app.use(deps.partnerListeners);
  }

  // 6. anything else
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new GatewayError('route.not-found', `No route ${req.method} ${req.path}`));
  });

  // 7. the one error renderer
  app.use(errorRenderer(deps));
  return app;
}

/** 2. partner authentication on the Sonata routes: the bearer token names the partner (passport `sonata-bearer`). */
function partnerAuth(deps: AppDeps, auth: passport.Authenticator): express.RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const authStarted = deps.observe ? performance.now() : 0;
    auth.authenticate(
      'sonata-bearer',
      { session: false },
      (err: unknown, principal: Principal | false, info: BearerFailure | undefined) => {
        deps.observe?.('auth', performance.now() - authStarted);
        if (err) return next(err);
        if (!principal) {
          const failure = info ?? { code: 'auth.missing-credentials', message: 'No credentials provided' };
          res.setHeader(
            'WWW-Authenticate',
            `Bearer realm="sonata-gateway"${failure.code === 'auth.invalid-credentials' ? ', error="invalid_token"' : ''}`,
          );
          return next(new GatewayError(failure.code, failure.message));
        }
        const partner = deps.registry.current().partners.get(principal.partnerId)!;
        const st = state(res);
        st.principal = principal;
        st.partner = partner;
        st.logger = st.logger.child({ partnerId: partner.id });
        keepOriginOfPartner(req, res, partner);
        next();
      },
    )(req, res, next);
  };
}

/** The bearer strategy on partner sellers' listener routes: they decide what a failure means (404 before 401 there). */
function listenerAuth(auth: passport.Authenticator): express.RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    auth.authenticate(
      'sonata-bearer',
      { session: false },
      (err: unknown, principal: Principal | false, info: BearerFailure | undefined) => {
        if (err) return next(err);
        res.locals.bearer = principal || (info ?? { code: 'auth.missing-credentials', message: 'No credentials provided' });
        inRequestTrace(res, next);
      },
    )(req, res, next);
  };
}

type BodyParser = ReturnType<typeof createJsonBodyParser>;
type Proxies = ReturnType<typeof createSonataProxies>;

/**
 * 3-10. a Sonata request after authentication: partner + release, authorize, then either the pass-through proxy or
 * body guards, the operation (once per idempotency claim) and its answer.
 */
function sonataHandler(deps: AppDeps, parseBody: BodyParser, proxies: Proxies) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const st = state(res);
      const m = SONATA_ROUTE.exec(req.originalUrl.split('?')[0]!);
      if (!m) throw new GatewayError('route.not-found', `No Sonata route ${req.path}`);
      const registry = deps.registry.current(); // one snapshot for the whole request
      const partner = registry.partners.get(st.partner!.id)!;
      const { op, params } = resolveOperation(registry, partner, m[1]!, m[2]!, req.method, m[3] ?? '/');
      st.route = op.operationId;
      st.op = op;
      authorize(st, partner, op, req.query);

      const upstream = upstreamOf(op);
      if (upstream !== undefined) {
        const proxy = proxies.get(upstream);
        if (!proxy)
          throw new GatewayError('operation.not-implemented', `${op.apiName} is not offered here (upstream ${upstream} is not configured)`);
        Object.assign(req, { sonataPartnerId: partner.id });
        req.url = req.originalUrl; // forward the full Sonata path, not the part below the mount point
        proxy(req, res, next);
        return;
      }

      const bodyStarted = deps.observe ? performance.now() : 0;
      await new Promise<void>((resolve, reject) => parseBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      deps.observe?.('body', performance.now() - bodyStarted);
      // a body is required where the operation defines one (cancel/close/reopen of a ticket have none)
      if ((op.method === 'POST' || op.method === 'PATCH') && op.requestSchema && req.body === undefined) {
        throw new GatewayError('request.body-not-object', 'This operation needs a JSON body');
      }
      st.activity?.request({ method: req.method, url: req.originalUrl, body: req.body });
      const run = (): Promise<RecordedResponse> => runOperation(deps, req, st, { registry, partner, op, params });
      // a POST that keeps something (create, request, hub registration) runs once per Idempotency-Key; a create
      // without a key once per externalId (within its window)
      const keeps = op.method === 'POST' && (op.kind === 'create' || op.kind === 'action' || op.kind === 'hubRegister');
      const byExternalId = op.kind === 'create' && deps.config.idempotency.externalIdOperations.includes(op.operationId);
      const claim = keeps
        ? idempotencyClaim(req, op.operationId, byExternalId ? deps.config.idempotency.externalIdWindowMs : 0)
        : undefined;
      const outcome =
        claim && deps.idempotency
          ? await deps.idempotency.run(partner.id, claim, requestFingerprint(op.operationId, req.body), run)
          : { response: await run(), replayed: false };
      if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
      sendRecorded(res, st, outcome.response);
    } catch (err) {
      next(asDeclared(err, state(res).op));
    }
  };
}

/** 4. authorize: the partner is a buyer, the function is enabled for it, the token has the scope, the party ids match. */
function authorize(st: RequestState, partner: PartnerDef, op: OperationDef, query: Request['query']): void {
  // a partner we buy from calls our listeners, never the APIs we sell on
  if (partner.role === 'seller')
    throw new GatewayError('auth.forbidden-requester', `Partner ${partner.id} is a seller: it may call our notification listeners only`);
  const mode = partner.functions.get(op.function);
  if (!mode || mode === 'disabled')
    throw new GatewayError('operation.not-implemented', `${op.function} is not enabled for partner ${partner.id}`);
  if (!st.principal!.scopes.has(op.scope)) throw new GatewayError('auth.scope-missing', `The token lacks scope ${op.scope}`);
  checkPartyIds(query, partner);
}

interface ResolvedCall {
  registry: ReturnType<RegistryHolder['current']>;
  partner: PartnerDef;
  op: OperationDef;
  params: Readonly<Record<string, string>>;
}

/** 6-10. runs the operation (in the activity capture, if any) and checks its answer against the specification. */
async function runOperation(deps: AppDeps, req: Request, st: RequestState, call: ResolvedCall): Promise<RecordedResponse> {
  const { registry, partner, op, params } = call;
  const execute = (): Promise<OperationResult> =>
    executeOperation(
      {
        requestId: st.requestId,
        registry,
        partner,
        op,
        params,
        query: req.query,
        body: req.body,
        store: deps.store,
        legacy: deps.legacy,
        logger: st.logger,
        now: deps.now ?? (() => new Date()),
        legacyHeaders: pickHeaders(req, deps.config.legacy.forwardHeaders),
        resources: deps.resources,
        events: deps.events,
        tasks: deps.tasks,
        hubs: deps.hubs,
        products: deps.products,
        spec: deps.spec,
        metrics: deps.metrics,
      },
      deps.observe,
    );
  // the legacy BSS and notifier add their hops to the capture this runs in
  const result = await (st.activity ? st.activity.run(execute) : execute());
  if (deps.spec && deps.spec.mode !== 'off') {
    const specStarted = deps.observe ? performance.now() : 0;
    const problems = deps.spec.checkResponse(registry, op, result.status, result.body);
    deps.observe?.('spec.response', performance.now() - specStarted);
    if (problems.length) {
      deps.metrics?.specViolations.inc({ direction: 'response', release: op.release, operation: op.operationId });
      st.logger.error('response violates the Sonata specification', {
        operationId: op.operationId,
        status: result.status,
        problems: problems.slice(0, 10),
      });
    }
  }
  return { status: result.status, headers: { ...(result.headers ?? {}) }, body: result.body };
}

/** 11. render: the recorded (or replayed) answer with its headers, as Sonata JSON. */
function sendRecorded(res: Response, st: RequestState, result: RecordedResponse): void {
  for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
  if (result.body === undefined) {
    res.status(result.status).end();
    return;
  }
  st.activity?.answer(result.body);
  res.status(result.status).setHeader('Content-Type', SONATA_JSON);
  res.send(Buffer.from(JSON.stringify(result.body)));
}

/**
 * The operator listener (`server.adminPort`): `/healthz`, `/readyz` with every check, `/metrics`, the operator
 * parts of `/internal` (work queue, dead letters, replay) behind the internal keys, and the console (`/console`,
 * its own sign-in). Never exposed to partners.
 */
export function createAdminApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const auth = createAuthenticator(deps);
  app.use(requestContext(deps));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(deps, true));
  app.get('/metrics', metricsEndpoint(deps));
  if (deps.operator) app.use('/internal', internalAuth(deps, auth), deps.operator);
  // the console authenticates its users itself (signed session cookie) and renders its own errors
  if (deps.console) app.use('/console', deps.console);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new GatewayError('route.not-found', `No route ${req.method} ${req.path}`));
  });
  app.use(errorRenderer(deps));
  return app;
}

/** One passport instance per app with the bearer strategy (our tokens, external IdPs) and the internal key strategy. */
function createAuthenticator(deps: AppDeps): passport.Authenticator {
  const auth = new passport.Passport();
  auth.use(
    new SonataBearerStrategy(
      deps.tokens,
      (p) => deps.registry.current().partners.get(p.partnerId)?.clientId === p.clientId,
      deps.externalTokens,
    ),
  );
  auth.use(new InternalKeyStrategy(deps.internalKeys ?? internalKeysFromConfig(deps.config.internal)));
  return auth;
}

/** `/internal` authentication (passport `internal-key`) and authorisation (the key's scopes against the path). */
function internalAuth(deps: AppDeps, auth: passport.Authenticator): express.RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // the legacy BSS's status callbacks prove their origin with an HMAC signature instead (checked by the route)
    if (req.path === '/legacy/events' && deps.legacyCallbacksSigned) return next();
    auth.authenticate(
      'internal-key',
      { session: false },
      (err: unknown, principal: InternalPrincipal | false, info: BearerFailure | undefined) => {
        if (err) return next(err);
        if (!principal) {
          const failure = info ?? { code: 'auth.missing-credentials', message: 'Send X-Internal-Api-Key' };
          return next(new GatewayError(failure.code, failure.message));
        }
        const scope = internalScopeFor(req.path);
        if (scope && !principal.scopes.has(scope))
          return next(new GatewayError('auth.key-scope-missing', `Internal key ${principal.keyId} lacks scope ${scope}`));
        state(res).logger = state(res).logger.child({ internalKey: principal.keyId });
        inRequestTrace(res, next);
      },
    )(req, res, next);
  };
}

/** The request id, a child logger, the request's span and one log line (and metrics) per request. */
function requestContext(deps: AppDeps): express.RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const st = state(res);
    st.requestId = requestId;
    st.logger = deps.logger.child({ requestId });
    const started = performance.now();
    if (deps.activity?.enabled && CAPTURED_ROUTE.test(req.path)) {
      st.activity = deps.activity.begin(requestId);
      st.activity?.request({ method: req.method, url: req.originalUrl });
    }
    const endSpan = startRequestSpan(req, res, st);
    res.on('close', endSpan);
    res.on('finish', () => {
      endSpan();
      const ms = performance.now() - started;
      // the whole path as received (a router mounted at /internal sees /legacy/events); no query string (it may carry
      // search values)
      const line = {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        partnerId: st.partner?.id,
      };
      const route = st.route ?? 'other';
      if (deps.metrics) {
        deps.metrics.requests.inc({
          method: req.method,
          route,
          status: String(res.statusCode),
          partner: st.partner?.id ?? '',
        });
        deps.metrics.duration.observe({ route }, ms / 1000);
        if (st.op && st.partner) {
          deps.metrics.partnerRequests.inc({
            partner: st.partner.id,
            release: st.op.release,
            api: st.op.apiName,
            operation: st.op.operationId,
            status: String(res.statusCode),
          });
          deps.metrics.partnerRequestSeconds.observe(
            { partner: st.partner.id, release: st.op.release, operation: st.op.operationId },
            ms / 1000,
          );
        }
      }
      if (res.statusCode >= 500) st.logger.error('request', line);
      else st.logger.info('request', line);
      if (st.activity) finishCapture(deps.activity!, st, res);
    });
    context.with(st.traceContext!, next);
  };
}

/**
 * Writes a captured request: a partner's (once its token named it) or the legacy BSS's on the buyer side (once its
 * internal key was accepted). Requests nobody authenticated are not recorded: anonymous traffic writes nothing.
 */
function finishCapture(activity: CapturingActivityLog, st: RequestState, res: Response): void {
  const capture = st.activity!;
  const buyerSide = typeof res.locals.route === 'string' && res.locals.route.startsWith('buyer.');
  if (!st.partner && !buyerSide) return;
  if (st.partner) capture.partnerId = st.partner.id;
  if (st.op) {
    capture.release = st.op.release;
    capture.api = st.op.apiName;
    capture.operationId = st.op.operationId;
  } else if (buyerSide) {
    capture.operationId = String(res.locals.route).slice('buyer.'.length);
  }
  void activity.finish(capture, { status: res.statusCode });
}

/**
 * The request's span: the HTTP instrumentation's SERVER span when tracing.ts started it, else our own SERVER span,
 * continuing the caller's `traceparent`. Named `<METHOD> <operationId>` (or the route group: `POST /internal`), never
 * the path, which holds ids. Returns what ends it (once) with the status and the partner, release and operation.
 */
function startRequestSpan(req: Request, res: Response, st: RequestState): () => void {
  const active = context.active();
  if (UNTRACED_PATHS.test(req.originalUrl)) {
    // probes and scrapes: no span of their own (tracing.ts tells the HTTP instrumentation the same)
    st.traceContext = active;
    return () => undefined;
  }
  const current = trace.getSpan(active);
  const parent = current ? active : contextFrom(req.headers);
  const span =
    current ?? tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
  st.traceContext = current ? active : trace.setSpan(parent, span);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (!span.isRecording()) return;
    span.setAttribute('http.response.status_code', res.statusCode);
    if (st.op)
      span.setAttributes({
        'sonata.operation': st.op.operationId,
        'sonata.api': st.op.apiName,
        'sonata.release': st.op.release,
      });
    if (st.partner) span.setAttribute('sonata.partner', st.partner.id);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: String(res.statusCode) });
    if (current) return; // the instrumentation names and ends its own span
    span.updateName(`${req.method} ${st.route ?? routeGroup(req.originalUrl)}`);
    span.end();
  };
}

const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;
const ROUTE_GROUPS = new Set(['mefApi', 'internal', 'partners', 'oauth2', 'healthz', 'readyz', 'metrics', 'openapi']);

/** The first segment of the path when it is one of ours (a bounded span name), else `other`. */
function routeGroup(url: string): string {
  const first = url.split('?')[0]!.split('/')[1] ?? '';
  return ROUTE_GROUPS.has(first) ? `/${first}` : 'other';
}

/** Runs `fn` in the request's trace context (middleware such as passport may resume outside it). */
function inRequestTrace<T>(res: Response, fn: () => T): T {
  const ctx = state(res).traceContext;
  return ctx ? context.with(ctx, fn) : fn();
}

/**
 * `/readyz`: 503 while draining (shutdown) or when the store is down. With `detail` the checks are listed; the
 * partner-facing port only says ready or not when an admin port carries the detail.
 */
function readiness(deps: AppDeps, detail: boolean): express.RequestHandler {
  return async (_req: Request, res: Response) => {
    const checks: Record<string, string> = { config: 'ok', registry: 'ok' };
    let ready = !deps.isShuttingDown?.();
    if (!ready) checks.shutdown = 'draining';
    try {
      await deps.store.ping();
      checks.store = `ok (${deps.store.kind})`;
    } catch (err) {
      ready = false;
      checks.store = `unavailable: ${errorMessage(err)}`;
    }
    const status = ready ? 'ready' : 'not-ready';
    res.status(ready ? 200 : 503).json(
      detail
        ? {
            status,
            checks,
            partners: deps.registry.current().partners.size,
            ...(deps.breakers && { breakers: deps.breakers() }),
          }
        : { status },
    );
  };
}

function metricsEndpoint(deps: AppDeps): express.RequestHandler {
  return async (_req: Request, res: Response) => {
    if (!deps.metrics) {
      res.status(404).end();
      return;
    }
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  };
}

function errorRenderer(deps: AppDeps): express.ErrorRequestHandler {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const st = state(res);
    const rendered = renderSonataError(err, { maxIssues: deps.config.validation.maxErrors, requestId: st.requestId });
    const logger = st.logger ?? deps.logger;
    if (rendered.status >= 500)
      logger.error('request failed', {
        error: err instanceof Error ? err.message : String(err),
        code: memberOf(err, 'code'),
        cause: String(memberOf(err, 'cause') ?? ''),
      });
    else
      logger.info('request refused', {
        code: memberOf(err, 'code'),
        reason: err instanceof Error ? err.message : String(err),
      });
    if (res.headersSent) return;
    st.activity?.answer(rendered.body);
    for (const [k, v] of Object.entries(rendered.headers)) res.setHeader(k, v);
    res.status(rendered.status).setHeader('Content-Type', SONATA_JSON);
    res.send(Buffer.from(JSON.stringify(rendered.body)));
  };
}

/** The `aud` values a private_key_jwt client assertion may name: our token endpoint's URL and our issuer. */
function tokenEndpointAudiences(config: GatewayConfig): string[] {
  const out = [config.auth.issuer];
  if (config.auth.tokenEndpointUrl) out.push(config.auth.tokenEndpointUrl);
  if (config.server.publicBaseUrl) out.push(`${config.server.publicBaseUrl.replace(/\/+$/, '')}/oauth2/token`);
  return out;
}

/** The Idempotency-Key header, else the body's top-level externalId (when that window is on), else none. */
function idempotencyClaim(req: Request, operation: string, externalIdWindowMs: number): IdempotencyClaim | undefined {
  const key = parseIdempotencyKey(req.headers['idempotency-key']);
  if (key !== undefined) return { kind: 'key', value: key };
  const externalId = memberOf(req.body, 'externalId');
  if (externalIdWindowMs > 0 && typeof externalId === 'string' && externalId !== '')
    return { kind: 'externalId', value: externalId, operation };
  return undefined;
}

/** Where the partner's release declares no 422 for the operation, a refused body is answered 400. */
function asDeclared(err: unknown, op: OperationDef | undefined): unknown {
  if (!(err instanceof GatewayError) || err.status !== 422 || op?.refusalStatus !== 400) return err;
  const detail = err.issues.map((i) => `${i.propertyPath}: ${i.reason}`).join('; ');
  return new GatewayError('request.refused-body', detail || err.message, { cause: err });
}

function pickHeaders(req: Request, names: readonly string[]): Record<string, string> | undefined {
  if (!names.length) return undefined;
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = req.headers[n];
    if (typeof v === 'string') out[n] = v;
  }
  return out;
}

/**
 * buyerId/sellerId query parameters (MEF 79 R2-R6): optional; when given they must be the ones of the
 * authenticated partner's profile. The partner itself is always taken from the token.
 */
function checkPartyIds(query: Request['query'], partner: PartnerDef): void {
  for (const name of ['buyerId', 'sellerId'] as const) {
    const v = query[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new GatewayError('request.invalid-query', `${name} must appear once`);
    if (v === '') throw new GatewayError('request.missing-query-value', `${name} has no value`);
    const expected = name === 'buyerId' ? partner.buyerId : partner.sellerId;
    if (expected !== undefined && v !== expected)
      throw new GatewayError('auth.buyer-id-mismatch', `${name} ${v} does not belong to this partner`);
  }
}
