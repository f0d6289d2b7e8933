import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { listenerScopes } from '../registry/buyer-mappings.js';
import type { Logger } from '../observability/logger.js';
import type { PartnerDef, Registry } from '../registry/registry.js';
import { StoreUnavailableError, type Store } from '../state/store.js';
import { isRecord, stringMember } from '../json/unknown-values.js';
import { createClientAssertionVerifier, JWT_BEARER_ASSERTION } from './client-assertion.js';
import { secretsEqual, type TokenService } from './token-service.js';

/** Every operationId (= OAuth scope, as in MEF's security profile) the partner's profile lets it call. */
export function scopesForPartner(registry: Registry, partner: PartnerDef): string[] {
  const scopes = new Set<string>();
  for (const release of new Set([partner.release, ...Object.values(partner.apiReleases)])) {
    const def = registry.releases.get(release);
    for (const [apiName, api] of def?.apis ?? []) {
      if (registry.releaseFor(partner, apiName) !== def) continue;
      for (const op of api.operations) if (partner.functions.has(op.function)) scopes.add(op.scope);
    }
  }
  return [...scopes].sort();
}

/**
 * Every scope the partner's token may carry: our seller API operations for buyers, the `listenTo<EventType>`
 * scopes of the buyer side's listeners (src/buyer) for sellers that notify us about what we bought; both for `both`.
 */
export function allowedScopesForPartner(registry: Registry, partner: PartnerDef): string[] {
  const scopes = new Set(partner.role === 'seller' ? [] : scopesForPartner(registry, partner));
  if (partner.role !== 'buyer') {
    const release = registry.releases.get(partner.release)?.name ?? partner.release;
    for (const s of listenerScopes(registry.buyer.releases.get(release))) scopes.add(s);
  }
  return [...scopes].sort();
}

/** The largest token request body (form or JSON) the endpoint reads. */
export const TOKEN_REQUEST_LIMIT_BYTES = 8 * 1024;

export interface TokenEndpointOptions {
  registry: () => Registry;
  tokens: TokenService;
  logger: Logger;
  /** holds the `jti` replay cache of private_key_jwt assertions */
  store: Store;
  /** accepted `aud` of client assertions: our issuer and the token endpoint's URL */
  audiences: readonly string[];
  now?: () => number;
}

/**
 * `POST /oauth2/token`, OAuth 2.0 client credentials (RFC 6749 §4.4). The client authenticates with its secret (form
 * body or HTTP Basic) or with a private_key_jwt assertion (RFC 7523). Every error, including an unreadable request
 * (malformed Basic header, invalid JSON, a form over 8 KB, another content type), uses the RFC 6749 shape
 * ({error, error_description}) because OAuth clients expect it; bad input is never a 5xx (503
 * `temporarily_unavailable` when a client's published keys or the store of the replay cache cannot be reached).
 */
export function createTokenEndpoint(opts: TokenEndpointOptions): RequestHandler[] {
  const assertions = createClientAssertionVerifier({
    registry: opts.registry,
    store: opts.store,
    audiences: opts.audiences,
    now: opts.now,
  });
  const parseBody = tokenBodyParser();

  const handler: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
    try {
      await issueToken(opts, assertions, req, res);
    } catch (err) {
      if (res.headersSent) return next(err);
      // OAuth clients read RFC 6749 errors here too: the replay cache's store down is "retry later", the rest ours
      const unavailable = err instanceof StoreUnavailableError;
      opts.logger.error('token request failed', {
        error: err instanceof Error ? err.message : String(err),
        unavailable,
      });
      if (unavailable) res.setHeader('Retry-After', '5');
      oauthError(
        res,
        unavailable ? 503 : 500,
        unavailable ? 'temporarily_unavailable' : 'server_error',
        unavailable ? 'try again later' : 'the token could not be issued',
      );
    }
  };
  return [parseBody, handler];
}

/** The body parsers (form, JSON); their errors (too large, bad JSON, bad charset) become RFC 6749 errors, not the Sonata renderer's. */
function tokenBodyParser(): RequestHandler {
  const parsers = [
    express.urlencoded({ extended: false, limit: TOKEN_REQUEST_LIMIT_BYTES, parameterLimit: 32 }),
    express.json({ limit: TOKEN_REQUEST_LIMIT_BYTES }),
  ];
  return (req, res, next) => {
    // req.is: null without a body, false for a body of another type
    if (req.is(['application/x-www-form-urlencoded', 'application/json']) === false) {
      oauthError(res, 400, 'invalid_request', 'send the token request as application/x-www-form-urlencoded (or application/json)');
      return;
    }
    const run = (i: number): void => {
      if (i === parsers.length) return next();
      parsers[i]!(req, res, (err?: unknown) => {
        if (err) {
          const type = stringMember(err, 'type');
          const description =
            type === 'entity.too.large'
              ? `the token request is larger than ${TOKEN_REQUEST_LIMIT_BYTES} bytes`
              : type === 'entity.parse.failed'
                ? 'the token request body is not valid JSON'
                : type === 'parameters.too.many'
                  ? 'the token request has too many parameters'
                  : 'the token request body cannot be read';
          oauthError(res, 400, 'invalid_request', description);
          return;
        }
        run(i + 1);
      });
    };
    run(0);
  };
}

async function issueToken(
  opts: TokenEndpointOptions,
  assertions: ReturnType<typeof createClientAssertionVerifier>,
  req: Request,
  res: Response,
): Promise<void> {
  const read = readParams(req.body);
  // RFC 6749 §3.2: parameters must not repeat; JSON values other than strings are no better
  if (!read.ok) {
    oauthError(res, 400, 'invalid_request', `parameter ${read.notText.slice(0, 64)} must be given once, as text`);
    return;
  }
  const body = read.params;
  if (body.grant_type !== 'client_credentials') {
    oauthError(res, 400, body.grant_type ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials');
    return;
  }
  const basic = parseBasic(req.headers.authorization);
  if (basic === 'malformed') {
    oauthError(
      res,
      400,
      'invalid_request',
      'the Authorization header is not valid HTTP Basic (base64 of url-encoded client_id:client_secret)',
    );
    return;
  }
  const assertionType = body.client_assertion_type;
  const assertion = body.client_assertion;
  const methods = [
    basic ? 'basic' : '',
    body.client_secret !== undefined ? 'secret' : '',
    assertionType !== undefined || assertion !== undefined ? 'assertion' : '',
  ].filter(Boolean);
  if (methods.length > 1) {
    oauthError(res, 400, 'invalid_request', 'use exactly one client authentication method (RFC 6749 §2.3)');
    return;
  }
  const registry = opts.registry();
  let partner: PartnerDef | undefined;
  let clientId: string | undefined;
  if (methods[0] === 'assertion') {
    if (assertionType !== JWT_BEARER_ASSERTION || !assertion) {
      oauthError(res, 400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}, with a client_assertion`);
      return;
    }
    const result = await assertions.verify(assertion, body.client_id);
    if (!result.ok) {
      opts.logger.warn('token request refused', { clientId: body.client_id, reason: result.reason });
      if (result.unavailable) {
        res.setHeader('Retry-After', '5');
        oauthError(res, 503, 'temporarily_unavailable', result.reason);
      } else oauthError(res, 401, 'invalid_client', result.reason);
      return;
    }
    partner = result.partner;
    clientId = partner.clientId;
  } else {
    clientId = basic ? basic.clientId : body.client_id;
    const clientSecret = basic ? basic.clientSecret : body.client_secret;
    if (!clientId || !clientSecret) {
      oauthError(
        res,
        401,
        'invalid_client',
        'client credentials missing (form fields client_id/client_secret, HTTP Basic, or a private_key_jwt client_assertion)',
      );
      return;
    }
    const known = registry.partnerByClientId(clientId);
    // compare even for unknown clients so timing does not reveal which client ids exist; a key-only client has no secret
    const ok = secretsEqual(clientSecret, known?.clientSecret || '\u0000unknown-client\u0000') && !!known?.clientSecret;
    if (!ok || !known) {
      opts.logger.warn('token request refused', { clientId });
      oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
      return;
    }
    partner = known;
  }
  // a seller-only partner gets listener scopes only: it may notify us, never call our seller APIs
  const allowed = allowedScopesForPartner(registry, partner);
  let granted = allowed;
  if (body.scope?.trim()) {
    const requested = body.scope.split(/\s+/).filter(Boolean);
    const unknown = requested.filter((s) => !allowed.includes(s));
    if (unknown.length) {
      oauthError(res, 400, 'invalid_scope', `not allowed for this client: ${unknown.join(' ').slice(0, 200)}`);
      return;
    }
    granted = requested;
  }
  const token = await opts.tokens.issue({ partnerId: partner.id, clientId, scopes: granted });
  opts.logger.info('token issued', { partnerId: partner.id, scopes: granted.length, method: methods[0] ?? 'secret' });
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.json({
    access_token: token.accessToken,
    token_type: 'Bearer',
    expires_in: token.expiresIn,
    scope: token.scope,
  });
}

/**
 * The token request's parameters, every one text; or the first parameter that is not (repeated in a form, or a JSON
 * value other than a string). Without a body there are no parameters.
 */
function readParams(body: unknown): { ok: true; params: Partial<Record<string, string>> } | { ok: false; notText: string } {
  const params: Partial<Record<string, string>> = {};
  if (!isRecord(body)) return { ok: true, params };
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') return { ok: false, notText: name };
    params[name] = value;
  }
  return { ok: true, params };
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="sonata-gateway"');
  res.status(status).setHeader('Cache-Control', 'no-store').json({ error, error_description: description });
}

/**
 * HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-url-encoded). undefined without a Basic header
 * (another scheme is not client authentication), 'malformed' when it cannot be read.
 */
function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | 'malformed' | undefined {
  if (!header || !/^basic(\s|$)/i.test(header)) return undefined;
  const m = /^Basic +([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) return 'malformed';
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  try {
    const decode = (s: string) => decodeURIComponent(s);
    return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}
