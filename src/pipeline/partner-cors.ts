/**
 * CORS for partners' browser apps (`cors.allowedOrigins` in partner.yaml), with the `cors` package.
 *
 * A preflight carries no token, so the partner is not known yet: it is decided by its Origin against every partner's
 * allowed origins together. An allowed origin gets 204 with the CORS headers; any other gets 204 without them (the
 * browser then refuses the call; no 401, which would only tell it that a token is missing, and nothing about which
 * origins are allowed). An actual request from an allowed origin gets `Access-Control-Allow-Origin` on every answer,
 * a 401 included, so the app can read the error; once the token names the partner, {@link keepOriginOfPartner}
 * takes the header off again when the origin is not one of that partner's.
 */
import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PartnerDef, Registry } from '../registry/registry.js';

/** Headers a partner's app may send and read. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Total-Count',
  'X-Result-Count',
  'Location',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Idempotent-Replayed',
];
const METHODS = ['GET', 'POST', 'PATCH', 'DELETE'];

/** Every partner's allowed origins together, recomputed once per registry snapshot. */
function originsOf(): (registry: Registry) => ReadonlySet<string> {
  const cache = new WeakMap<Registry, ReadonlySet<string>>();
  return (registry) => {
    let set = cache.get(registry);
    if (!set) {
      set = new Set([...registry.partners.values()].flatMap((p) => p.allowedOrigins));
      cache.set(registry, set);
    }
    return set;
  };
}

/** The CORS middleware in front of `/mefApi/sonata` (before authentication). */
export function createPartnerCors(registry: () => Registry): RequestHandler {
  const allowedOrigins = originsOf();
  const handler = cors({
    origin: (origin, done) => done(null, origin !== undefined && allowedOrigins(registry()).has(origin.toLowerCase())),
    methods: METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.headers.origin === undefined) return next();
    handler(req, res, () => {
      // a preflight from an origin no partner allows: answered here without CORS headers, never sent to auth
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        res.setHeader('Vary', 'Origin');
        res.status(204).end();
        return;
      }
      next();
    });
  };
}

/** After authentication: an origin some other partner allows, but not this one, loses its CORS header. */
export function keepOriginOfPartner(req: Request, res: Response, partner: PartnerDef): void {
  const origin = req.headers.origin;
  if (origin === undefined || !res.hasHeader('Access-Control-Allow-Origin')) return;
  if (!partner.allowedOrigins.includes(origin.toLowerCase())) {
    res.removeHeader('Access-Control-Allow-Origin');
    res.removeHeader('Access-Control-Expose-Headers');
  }
}
