/**
 * The integrator's web console, mounted at `/console` on the admin app: the browser app (dist/console, built by
 * `npm run build`) and its JSON API (/work/CONSOLE-API.md, docs/console.md). Sign-in with local users or the
 * operator's IdP; a signed HttpOnly SameSite=Strict cookie; roles checked here on every call.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../config/config-schema.js';
import type { ContractLibrary } from '../conformance/served-contracts.js';
import { createContractsRouter } from '../conformance/served-contracts.js';
import { GatewayError } from '../errors/catalogue.js';
import { renderSonataError } from '../errors/render-error.js';
import { redactUrl } from '../notify/delivery-attempts.js';
import type { DeliveryQueue } from '../notify/delivery-queue.js';
import type { ActivityLog } from '../observability/activity.js';
import type { Logger } from '../observability/logger.js';
import type { PartnerDef, Registry } from '../registry/registry.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import type { ConsoleConformance } from './console-conformance.js';
import type { DeliveryOutcomes } from './delivery-outcomes.js';
import { evaluatePlayground, listMappings, mappingSource, saveFixture } from './console-mappings.js';
import { createConsoleAuthenticator, isHttps, OAUTH2_STRATEGY } from './console-oauth2.js';
import {
  COOKIE_PATH,
  createCookieSigner,
  parseCookies,
  readSession,
  serializeCookie,
  SESSION_COOKIE,
  type ConsoleSessionUser,
  type SignInSource,
} from './console-session.js';
import { asRecord, isRecord, isStringArray, stringMember } from '../json/unknown-values.js';
import { UNKNOWN_USER_HASH, verifyConsolePassword, type ConsoleUser } from './console-users.js';

/** The Content-Security-Policy of every console answer (style-src inline: CodeMirror injects style elements). */
export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

/** What the console reads and drives. */
export interface ConsoleDeps {
  config: GatewayConfig;
  registry: RegistryHolder;
  deliveries: DeliveryQueue;
  logger: Logger;
  /** the package version shown on the overview */
  version: string;
  /** local users (config `console.usersFile`); none: no local sign-in */
  users?: readonly ConsoleUser[];
  /** the activity log; absent: the Activity page says capture is off */
  activity?: ActivityLog;
  /** the served OpenAPI documents (the main app's `/openapi`) */
  contracts?: ContractLibrary;
  /** the last delivery outcome per callback URL (this instance) */
  deliveryOutcomes?: DeliveryOutcomes;
  /** runs the conformance cases against this gateway's main port */
  conformance?: ConsoleConformance;
  now?: () => Date;
}

/** The signed-in user the session check put on the response (`res.locals.consoleUser`), if any. */
function consoleUser(res: Response): ConsoleSessionUser | undefined {
  const user: unknown = res.locals.consoleUser;
  if (!isRecord(user) || typeof user.name !== 'string' || (user.role !== 'viewer' && user.role !== 'editor')) return undefined;
  return { name: user.name, role: user.role };
}

/** The sign-in limiters: failed sign-ins per address and per user name. */
interface SignInLimiters {
  byAddress: RateLimiterMemory;
  byUser: RateLimiterMemory;
  points: number;
}

type SetSession = (req: Request, res: Response, user: ConsoleSessionUser, source: SignInSource) => void;

/** Creates the `/console` router (the caller mounts it only when `console.sessionSecret` is set). */
export function createConsoleRouter(deps: ConsoleDeps): express.Router {
  const cfg = deps.config.console;
  const now = deps.now ?? (() => new Date());
  const signer = createCookieSigner(cfg.sessionSecret, 'console-session');
  const users = new Map((deps.users ?? []).map((u) => [u.name, u]));
  const signIn = { local: users.size > 0, oauth2: cfg.oauth2 !== undefined };
  const auth = cfg.oauth2 ? createConsoleAuthenticator(cfg.oauth2, cfg.sessionSecret) : undefined;
  const failedByAddress = new RateLimiterMemory({
    keyPrefix: 'console-ip',
    points: cfg.signInLimit.points,
    duration: cfg.signInLimit.durationSeconds,
  });
  const failedByUser = new RateLimiterMemory({
    keyPrefix: 'console-user',
    points: cfg.signInLimit.points,
    duration: cfg.signInLimit.durationSeconds,
  });
  const ttlSeconds = cfg.sessionTtlMinutes * 60;
  const router = express.Router();

  const setSession = (req: Request, res: Response, user: ConsoleSessionUser, source: SignInSource): void => {
    const token = signer.sign({ n: user.name, r: user.role, s: source }, new Date(now().getTime() + ttlSeconds * 1000));
    res.append(
      'Set-Cookie',
      serializeCookie(SESSION_COOKIE, token, { maxAgeSeconds: ttlSeconds, sameSite: 'Strict', secure: isHttps(req) }),
    );
  };

  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  // ---- the API: same-origin changes, a session, roles
  const api = express.Router();
  api.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use((req: Request, _res: Response, next: NextFunction) => {
    // a cross-site form or image can neither set this header nor pass CORS preflight to set it
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.headers['x-console'] !== '1') {
      return next(new GatewayError('console.cross-site', `${req.method} ${req.originalUrl.split('?')[0]} needs the X-Console: 1 header`));
    }
    next();
  });
  api.use(express.json({ limit: '1mb' }));
  api.use((req: Request, res: Response, next: NextFunction) => {
    const session = readSession(signer, parseCookies(req.headers.cookie).get(SESSION_COOKIE), now());
    // a local user removed from the users file (and the gateway restarted) is signed out; a changed role applies at once
    const local = session?.source === 'local' ? users.get(session.name) : undefined;
    if (session?.source === 'oauth2') res.locals.consoleUser = { name: session.name, role: session.role };
    else if (local) res.locals.consoleUser = { name: local.name, role: local.role };
    next();
  });

  api.get('/session', (_req: Request, res: Response) => {
    const user = consoleUser(res);
    if (!user) throw new GatewayError('console.signed-out');
    res.json({ user, signIn });
  });

  api.post(
    '/session',
    signInHandler(deps, users, { byAddress: failedByAddress, byUser: failedByUser, points: cfg.signInLimit.points }, setSession),
  );

  api.delete('/session', (req: Request, res: Response) => {
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, sameSite: 'Strict', secure: isHttps(req) }));
    res.status(204).end();
  });

  // everything below needs a session
  api.use((_req: Request, res: Response, next: NextFunction) => {
    if (!consoleUser(res)) return next(new GatewayError('console.signed-out'));
    next();
  });
  const editor = (req: Request, res: Response, next: NextFunction): void => {
    const user = consoleUser(res)!;
    if (user.role !== 'editor')
      return next(
        new GatewayError(
          'console.forbidden',
          `${user.name} is a viewer; ${req.method} ${req.originalUrl.split('?')[0]} needs the editor role`,
        ),
      );
    next();
  };

  addDataRoutes(api, deps, editor, now);
  api.use((req: Request, _res: Response, next: NextFunction) =>
    next(new GatewayError('route.not-found', `No console API ${req.method} ${req.path}`)),
  );
  router.use('/api', api);

  // ---- sign-in at the IdP
  addOAuth2Routes(router, deps, auth, setSession);

  addAppRoutes(router, cfg.staticDir);

  router.use(consoleErrorRenderer(deps, signIn));
  return router;
}

/** `POST /console/api/session`: local sign-in (scrypt), with failed attempts limited per address and per user. */
function signInHandler(deps: ConsoleDeps, users: ReadonlyMap<string, ConsoleUser>, limits: SignInLimiters, setSession: SetSession) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = asRecord(req.body);
    if (
      typeof body.username !== 'string' ||
      typeof body.password !== 'string' ||
      body.username.length > 200 ||
      body.password.length > 1024
    ) {
      throw new GatewayError('console.invalid-request', 'username and password (text) are required');
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const [byAddress, byUser] = await Promise.all([limits.byAddress.get(address), limits.byUser.get(body.username)]);
    const blocked = [byAddress, byUser].filter(
      (r): r is RateLimiterRes => !!r && r.remainingPoints <= 0 && r.consumedPoints >= limits.points,
    );
    if (blocked.length) {
      const seconds = Math.max(1, Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000));
      throw new GatewayError('rate.limited', `Too many failed sign-ins; try again in ${seconds} s`, {
        headers: { 'Retry-After': String(seconds) },
      });
    }
    const user = users.get(body.username);
    // an unknown name costs the same scrypt run as a wrong password
    const ok = await verifyConsolePassword(body.password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    if (!user || !ok) {
      await Promise.all([limits.byAddress.penalty(address, 1), limits.byUser.penalty(body.username, 1)]);
      deps.logger.warn('console sign-in refused', { user: body.username.slice(0, 64), address });
      throw new GatewayError('console.bad-credentials');
    }
    await limits.byUser.delete(body.username);
    const sessionUser = { name: user.name, role: user.role };
    setSession(req, res, sessionUser, 'local');
    deps.logger.info('console sign-in', { user: user.name, role: user.role, via: 'local' });
    res.json({ user: sessionUser });
  };
}

/** Sign-in at the operator's IdP (passport-oauth2 with PKCE): the redirect there and the callback that sets the session. */
function addOAuth2Routes(
  router: express.Router,
  deps: ConsoleDeps,
  auth: ReturnType<typeof createConsoleAuthenticator> | undefined,
  setSession: SetSession,
): void {
  router.get('/auth/oauth2', (req: Request, res: Response, next: NextFunction) => {
    if (!auth) return next(new GatewayError('route.not-found', 'Sign-in with an identity provider is not configured (console.oauth2)'));
    auth.authenticate(OAUTH2_STRATEGY, { session: false })(req, res, next);
  });
  router.get('/auth/oauth2/callback', (req: Request, res: Response, next: NextFunction) => {
    if (!auth) return next(new GatewayError('route.not-found', 'Sign-in with an identity provider is not configured (console.oauth2)'));
    auth.authenticate(
      OAUTH2_STRATEGY,
      { session: false },
      (err: unknown, user: ConsoleSessionUser | false, info: { message?: string } | undefined) => {
        if (err) {
          deps.logger.warn('console sign-in at the identity provider failed', {
            error: err instanceof Error ? err.message : String(err),
          });
          return next(new GatewayError('console.bad-credentials', 'The identity provider did not sign you in; start the sign-in again'));
        }
        if (!user) return next(new GatewayError('console.bad-credentials', info?.message ?? 'The identity provider did not sign you in'));
        setSession(req, res, user, 'oauth2');
        deps.logger.info('console sign-in', { user: user.name, role: user.role, via: 'oauth2' });
        res.redirect(302, `${COOKIE_PATH}/`);
      },
    )(req, res, next);
  });
}

/** The console's errors: Sonata error bodies; a 401 also says how one can sign in. */
function consoleErrorRenderer(deps: ConsoleDeps, signIn: { local: boolean; oauth2: boolean }): express.ErrorRequestHandler {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const gw = bodyParserError(err) ?? err;
    const requestId = res.getHeader('X-Request-Id');
    const rendered = renderSonataError(gw, { requestId: typeof requestId === 'string' ? requestId : undefined });
    if (rendered.status >= 500) deps.logger.error('console request failed', { error: err instanceof Error ? err.message : String(err) });
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(rendered.headers)) res.setHeader(k, v);
    const body =
      rendered.status === 401 && rendered.body && typeof rendered.body === 'object' ? { ...rendered.body, signIn } : rendered.body;
    res.status(rendered.status).json(body);
  };
}

/** The data endpoints (everything but the session), behind the session check; `editor` guards editor actions. */
function addDataRoutes(api: express.Router, deps: ConsoleDeps, editor: express.RequestHandler, now: () => Date): void {
  api.get('/overview', (_req: Request, res: Response) => {
    const r = deps.registry.current();
    const last = deps.registry.lastReload();
    res.json({
      version: deps.version,
      snapshotHash: r.hash,
      reloadedAt: r.loadedAt.toISOString(),
      lastReload: last
        ? {
            result: last.result,
            at: last.at,
            problems: last.problems.map((p) => ({
              file: p.file,
              line: p.line ?? null,
              column: p.column ?? null,
              message: p.message,
            })),
          }
        : null,
      activity: { enabled: !!deps.activity?.enabled },
    });
  });

  api.get('/partners', (_req: Request, res: Response) => {
    const r = deps.registry.current();
    res.json([...r.partners.values()].map((p) => describePartner(r, p, deps)));
  });
  api.get('/partners/:id', (req: Request, res: Response) => {
    const r = deps.registry.current();
    const p = r.partners.get(String(req.params.id));
    if (!p) throw new GatewayError('resource.not-found', `No partner ${String(req.params.id)}`);
    res.json(describePartner(r, p, deps));
  });

  api.get('/mappings', async (req: Request, res: Response) => {
    const partner = typeof req.query.partner === 'string' && req.query.partner !== '' ? req.query.partner : undefined;
    res.json(await listMappings(deps.registry.current(), deps.config, partner));
  });
  api.get('/mappings/source', (req: Request, res: Response) => {
    res.json(mappingSource(deps.registry.current(), deps.config, req.query.file));
  });
  api.post('/playground/evaluate', async (req: Request, res: Response) => {
    res.json(await evaluatePlayground(deps.registry.current(), deps.config, objectBody(req), now()));
  });
  api.post('/fixtures', editor, async (req: Request, res: Response) => {
    const saved = await saveFixture(deps.registry.current(), deps.config, objectBody(req));
    deps.logger.info('console fixture saved', {
      user: consoleUser(res)?.name,
      fixture: saved.fixture,
    });
    res.status(201).json(saved);
  });

  api.get('/activity', async (req: Request, res: Response) => {
    if (!deps.activity) {
      res.json({ enabled: false, records: [] });
      return;
    }
    const limitText = req.query.limit;
    const limit = limitText === undefined || limitText === '' ? undefined : Number(limitText);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
      throw new GatewayError('console.invalid-request', 'limit: an integer from 1 to 1000');
    const correlationId =
      typeof req.query.correlationId === 'string' && req.query.correlationId !== '' ? req.query.correlationId : undefined;
    const partnerId = typeof req.query.partner === 'string' && req.query.partner !== '' ? req.query.partner : undefined;
    if (correlationId) {
      const one = await deps.activity.get(correlationId);
      res.json({
        enabled: deps.activity.enabled,
        records: one && (!partnerId || one.partnerId === partnerId) ? [one] : [],
      });
      return;
    }
    res.json({
      enabled: deps.activity.enabled,
      records: await deps.activity.list({ ...(partnerId && { partnerId }), ...(limit !== undefined && { limit }) }),
    });
  });
  api.get('/activity/:correlationId', async (req: Request, res: Response) => {
    const record = await deps.activity?.get(String(req.params.correlationId));
    if (!record) throw new GatewayError('resource.not-found', `No activity record ${String(req.params.correlationId)}`);
    res.json(record);
  });

  api.get('/notifications', async (_req: Request, res: Response) => {
    const [backlog, dead] = await Promise.all([deps.deliveries.backlog(), deps.deliveries.deadLetters()]);
    res.json({
      backlog: {
        depth: backlog.depth,
        ...(backlog.oldestQueuedAt !== undefined && { oldestQueuedAt: new Date(backlog.oldestQueuedAt).toISOString() }),
      },
      deadLetters: dead.map((d) => ({ ...d, url: redactUrl(d.url) })),
    });
  });
  api.post('/notifications/dead-letters/:id/replay', editor, async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!(await deps.deliveries.replay(id))) throw new GatewayError('resource.not-found', `No dead letter ${id}`);
    deps.logger.info('console replayed a dead letter', {
      user: consoleUser(res)?.name,
      deliveryId: id,
    });
    res.status(202).json({ id, replayed: true });
  });
  api.delete('/notifications/dead-letters/:id', editor, async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!(await deps.deliveries.discard(id))) throw new GatewayError('resource.not-found', `No dead letter ${id}`);
    deps.logger.info('console discarded a dead letter', {
      user: consoleUser(res)?.name,
      deliveryId: id,
    });
    res.status(204).end();
  });

  api.post('/conformance/runs', editor, async (req: Request, res: Response) => {
    if (!deps.conformance) throw new GatewayError('console.invalid-request', 'conformance runs are not available on this gateway');
    const body = objectBody(req);
    if (typeof body.partnerId !== 'string' || body.partnerId === '')
      throw new GatewayError('console.invalid-request', 'partnerId is required');
    if (body.release !== undefined && typeof body.release !== 'string') throw new GatewayError('console.invalid-request', 'release: text');
    const functions = body.functions;
    if (functions !== undefined && !isStringArray(functions))
      throw new GatewayError('console.invalid-request', 'functions: a list of business function names');
    deps.logger.info('console conformance run', {
      user: consoleUser(res)?.name,
      partner: body.partnerId,
      release: body.release,
    });
    res.json(
      await deps.conformance.run({
        partnerId: body.partnerId,
        ...(typeof body.release === 'string' && body.release !== '' && { release: body.release }),
        ...(isStringArray(functions) && { functions }),
      }),
    );
  });

  if (deps.contracts) {
    const library = deps.contracts;
    api.get('/openapi', (_req: Request, res: Response) => {
      const index = library.index();
      if (!index.available) {
        res.json({ available: false, reason: index.reason, documents: [] });
        return;
      }
      res.json({
        available: true,
        documents: index.documents.map((d) => ({ ...d, href: `/console/api/openapi/${d.release}/${d.api}.json` })),
      });
    });
    api.use('/openapi', createContractsRouter(library));
  }
}

/** The browser app: its files, any page path (no extension) answered with index.html, 503 while it is not built. */
function addAppRoutes(router: express.Router, staticDir: string): void {
  const indexFile = join(staticDir, 'index.html');
  router.use(express.static(staticDir, { index: false, redirect: false, fallthrough: true }));
  router.get(/^\/(?:[^.]*)$/, (req: Request, res: Response, next: NextFunction) => {
    // a page of the app (no file extension): the app itself, which routes on the client
    if (req.path.startsWith('/api/') || req.path.startsWith('/auth/')) return next();
    if (!existsSync(indexFile)) return next(new GatewayError('console.not-built', `${indexFile} is missing: run npm run build`));
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  router.use((req: Request, _res: Response, next: NextFunction) =>
    next(new GatewayError('route.not-found', `No console file ${req.path}`)),
  );
}

function objectBody(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (!isRecord(b)) throw new GatewayError('console.invalid-request', 'The body must be a JSON object');
  return b;
}

/** express.json's own errors (bad JSON, too large) as catalogue errors. */
function bodyParserError(err: unknown): GatewayError | undefined {
  const type = stringMember(err, 'type');
  if (type === 'entity.parse.failed') return new GatewayError('console.invalid-request', 'The body is not valid JSON');
  if (type === 'entity.too.large') return new GatewayError('console.invalid-request', 'The body is larger than 1 MiB');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new GatewayError('console.invalid-request', stringMember(err, 'message'));
  return undefined;
}

/** One partner as the console shows it. */
function describePartner(r: Registry, p: PartnerDef, deps: ConsoleDeps): Record<string, unknown> {
  const releases: Record<string, string> = {};
  const apis = new Set([...new Set(r.releases.values())].flatMap((rel) => [...rel.apis.keys()]));
  for (const api of [...apis].sort()) {
    const rel = r.releaseFor(p, api);
    if (rel?.apis.has(api)) releases[api] = rel.name;
  }
  return {
    id: p.id,
    name: p.name,
    role: p.role,
    release: p.release,
    releases,
    functions: [...p.functions].map(([fn, mode]) => ({ function: fn, mode })),
    callbacks: (deps.deliveryOutcomes?.forPartner(p.id) ?? []).map((c) => ({
      url: redactUrl(c.url),
      lastDelivery: c.lastDelivery,
    })),
    rateLimits: { default: p.limits.default ?? deps.config.limits.partner, perApi: p.limits.perApi },
  };
}
