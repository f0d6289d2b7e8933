/**
 * Rate limits with rate-limiter-flexible: per partner and API on the Sonata routes, per client id and source
 * address on `/oauth2/token`, per source address on `/internal`. Counters live in Redis when the gateway has one
 * (every instance sees the others' consumption), otherwise in process. docs/operations.md "Rate limits".
 *
 * Headers follow draft-ietf-httpapi-ratelimit-headers (-10, structured fields): every answer on a partner route
 * carries `RateLimit-Policy: "partner";q=<points>;w=<seconds>` and `RateLimit: "partner";r=<remaining>;t=<seconds>`;
 * a refusal is 429 with `Retry-After` as well.
 */
import { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Logger } from '../observability/logger.js';
import type { PartnerDef, RateLimitPolicy } from '../registry/registry.js';
import { asRecord, stringMember } from '../json/unknown-values.js';

/** Options of {@link createRateLimits}. */
export interface RateLimitsOptions {
  /** `limits` of the gateway config: defaults for partners, the token endpoint and /internal. */
  limits: GatewayConfig['limits'];
  /** REDIS_URL; empty or absent counts in process (one instance only). */
  redisUrl?: string;
  /** Key namespace (the store's prefix); counters go under `<prefix>rl:`. */
  prefix: string;
  logger: Logger;
}

/** The guards createApp mounts, and the connection they own. */
export interface RateLimits {
  /** After authentication on `/mefApi/sonata`: counts one request against the partner's quota for the API in the path. */
  partner: RequestHandler;
  /**
   * The token endpoint's handlers with the limits around them: per source address before anything is read, per
   * client id once the endpoint's own body reading (every handler but the last) is done, just before the last one
   * authenticates the client; a refused client (401) is charged `failureCost`.
   */
  guardTokenEndpoint(handlers: RequestHandler[]): RequestHandler[];
  /** In front of `/internal`: counts per source address; a 401 (missing or wrong key) costs `failureCost`. */
  internal: RequestHandler;
  /** Closes the Redis connection, if any. Safe to call twice. */
  close(): Promise<void>;
}

const SONATA_API = /^\/([A-Za-z]+)\/v[0-9]+(?:\/|$)/;

/** The counters: one limiter per kind and policy, in Redis when there is one (its connection owned here), else in process. */
interface Counters {
  /** Consumes `cost` points; the answer says whether it was allowed and how the quota stands. */
  take(kind: string, policy: RateLimitPolicy, key: string, cost?: number): Promise<{ allowed: boolean; res: RateLimiterRes }>;
  /** Adds points after the fact (a refused credential); never fails the request. */
  charge(kind: string, policy: RateLimitPolicy, key: string, points: number): void;
  close(): void;
}

function createCounters(opts: RateLimitsOptions): Counters {
  const prefix = `${opts.prefix}rl`;
  let redis: Redis | undefined;
  let connecting: Promise<void> | undefined;
  if (opts.redisUrl) {
    redis = new Redis(opts.redisUrl, {
      lazyConnect: true,
      // like the store: fail fast while Redis is away; the insurance limiter counts meanwhile
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 500,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2000),
    });
    redis.on('error', () => {
      /* reconnects in the background; failures surface per command */
    });
  }
  const connected = (): Promise<void> => {
    if (!redis) return Promise.resolve();
    connecting ??= redis.connect().catch((err: unknown) => {
      opts.logger.warn('rate limits: Redis not reachable, counting in process meanwhile', {
        error: err instanceof Error ? err.message : String(err),
      });
    });
    return connecting;
  };

  const limiters = new Map<string, RateLimiterAbstract>();
  /** One limiter per kind and policy; the key prefix holds the window so a reload with other points keeps the counts. */
  const limiter = (kind: string, policy: RateLimitPolicy): RateLimiterAbstract => {
    const id = `${kind}:${policy.points}:${policy.durationSeconds}`;
    let l = limiters.get(id);
    if (!l) {
      const common = {
        keyPrefix: `${prefix}:${kind}:${policy.durationSeconds}`,
        points: policy.points,
        duration: policy.durationSeconds,
      };
      l = redis
        ? new RateLimiterRedis({
            ...common,
            storeClient: redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(common),
          })
        : new RateLimiterMemory(common);
      limiters.set(id, l);
    }
    return l;
  };

  /** Consumes `cost` points; the answer says whether it was allowed and how the quota stands. */
  const take = async (kind: string, policy: RateLimitPolicy, key: string, cost = 1): Promise<{ allowed: boolean; res: RateLimiterRes }> => {
    await connected();
    try {
      return { allowed: true, res: await limiter(kind, policy).consume(key, cost) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, res: rejection };
      // neither Redis nor the insurance limiter could count (should not happen): let the request through
      opts.logger.error('rate limits: counting failed', {
        kind,
        error: rejection instanceof Error ? rejection.message : String(rejection),
      });
      return { allowed: true, res: new RateLimiterRes(policy.points, 0, 0) };
    }
  };
  /** Adds points after the fact (a refused credential); never fails the request. */
  const charge = (kind: string, policy: RateLimitPolicy, key: string, points: number): void => {
    if (points <= 0) return;
    void connected()
      .then(() => limiter(kind, policy).penalty(key, points))
      .catch((err: unknown) => {
        opts.logger.warn('rate limits: could not charge a failure', {
          kind,
          error: err instanceof Error ? err.message : String(err),
        });
      });
  };

  return {
    take,
    charge,
    close() {
      const r = redis;
      redis = undefined;
      if (r && r.status !== 'end') r.disconnect();
    },
  };
}

/**
 * Creates the limiters. Nothing connects until the first request is counted. When Redis does not answer, each
 * instance counts in process (rate-limiter-flexible's insurance limiter) rather than refusing or waving through.
 */
export function createRateLimits(opts: RateLimitsOptions): RateLimits {
  const counters = createCounters(opts);
  const { take, charge } = counters;

  // the bearer authentication put the partner on res.locals (createApp)
  const partner: RequestHandler = (req: Request, res: Response<unknown, { partner?: PartnerDef }>, next: NextFunction) => {
    const p = res.locals.partner;
    const api = SONATA_API.exec(req.path)?.[1];
    if (!p || !api) return next();
    const policy = p.limits.perApi[api] ?? p.limits.default ?? opts.limits.partner;
    take('partner', policy, `${p.id}:${api}`).then(({ allowed, res: r }) => {
      const headers = rateLimitHeaders('partner', policy, r);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      if (allowed) return next();
      next(
        new GatewayError(
          'rate.limited',
          `${p.id} may send ${policy.points} requests per ${policy.durationSeconds} s to ${api}; retry after ${headers['Retry-After']} s`,
          { headers },
        ),
      );
    }, next);
  };

  const tokenPolicy = opts.limits.token;
  const tooManyTokenRequests = (res: Response, r: RateLimiterRes, what: string) => {
    const headers = rateLimitHeaders('token', tokenPolicy, r);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    // RFC 6749 error shape; `slow_down` is the registered OAuth error for "polling too fast" (RFC 8628 §3.5)
    res
      .status(429)
      .setHeader('Cache-Control', 'no-store')
      .json({
        error: 'slow_down',
        error_description: `too many token requests ${what}; retry after ${headers['Retry-After']} s`,
      });
  };
  const tokenByAddress: RequestHandler = (req, res, next) => {
    const address = sourceAddress(req);
    take('token-address', tokenPolicy, address).then(({ allowed, res: r }) => {
      if (!allowed) return tooManyTokenRequests(res, r, 'from this address');
      res.on('finish', () => {
        if (res.statusCode !== 401) return;
        charge('token-address', tokenPolicy, address, tokenPolicy.failureCost - 1);
        const clientId = clientIdOf(req);
        if (clientId !== undefined) charge('token-client', tokenPolicy, clientId, tokenPolicy.failureCost - 1);
      });
      next();
    }, next);
  };
  const tokenByClient: RequestHandler = (req, res, next) => {
    const clientId = clientIdOf(req);
    if (clientId === undefined) return next();
    take('token-client', tokenPolicy, clientId).then(({ allowed, res: r }) => {
      if (!allowed) return tooManyTokenRequests(res, r, 'for this client');
      next();
    }, next);
  };

  const internalPolicy = opts.limits.internal;
  const internal: RequestHandler = (req, res, next) => {
    const address = sourceAddress(req);
    take('internal', internalPolicy, address).then(({ allowed, res: r }) => {
      if (!allowed) {
        const headers = rateLimitHeaders('internal', internalPolicy, r);
        return next(
          new GatewayError('rate.limited', `too many /internal requests from this address; retry after ${headers['Retry-After']} s`, {
            headers,
          }),
        );
      }
      res.on('finish', () => {
        if (res.statusCode === 401) charge('internal', internalPolicy, address, internalPolicy.failureCost - 1);
      });
      next();
    }, next);
  };

  return {
    partner,
    guardTokenEndpoint: (handlers) => [tokenByAddress, ...handlers.slice(0, -1), tokenByClient, ...handlers.slice(-1)],
    internal,
    async close() {
      counters.close();
    },
  };
}

/**
 * `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10: structured-field lists of
 * `"<policy>";q=<quota>;w=<window s>` and `"<policy>";r=<remaining>;t=<s until reset>`), plus `Retry-After` when
 * the quota is spent.
 */
export function rateLimitHeaders(name: string, policy: RateLimitPolicy, r: RateLimiterRes): Record<string, string> {
  const remaining = Math.max(0, policy.points - r.consumedPoints);
  const reset = Math.max(0, Math.ceil(r.msBeforeNext / 1000));
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${name}";q=${policy.points};w=${policy.durationSeconds}`,
    RateLimit: `"${name}";r=${remaining};t=${reset}`,
  };
  if (r.consumedPoints > policy.points) headers['Retry-After'] = String(Math.max(1, reset));
  return headers;
}

/** The peer address (Express `trust proxy` decides whether X-Forwarded-For counts). */
function sourceAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** The client id of a token request: HTTP Basic first (as the endpoint reads it), else the form/JSON field. */
function clientIdOf(req: Request): string | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon)).slice(0, 256);
      } catch {
        return decoded.slice(0, colon).slice(0, 256);
      }
    }
  }
  const body = asRecord(req.body);
  if (typeof body.client_id === 'string' && body.client_id !== '') return body.client_id.slice(0, 256);
  // private_key_jwt without client_id: the assertion's (not yet verified) subject names the client
  if (typeof body.client_assertion === 'string') {
    try {
      const claims: unknown = JSON.parse(Buffer.from(body.client_assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
      const sub = stringMember(claims, 'sub');
      if (sub) return sub.slice(0, 256);
    } catch {
      /* unreadable: the endpoint refuses it; the address limit still counts */
    }
  }
  return undefined;
}
