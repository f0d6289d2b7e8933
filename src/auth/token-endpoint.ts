import express, { type Request, type RequestHandler, type Response } from 'express';
import { listenerScopes } from '../buyer/buyer-mappings.js';
import type { Logger } from '../observability/logger.js';
import type { PartnerDef, Registry } from '../registry/registry.js';
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

/**
 * `POST /oauth2/token`, OAuth 2.0 client credentials (RFC 6749 §4.4). Credentials in the form body or HTTP
 * Basic. Errors use the RFC 6749 shape ({error, error_description}) because OAuth clients expect it.
 */
export function createTokenEndpoint(opts: { registry: () => Registry; tokens: TokenService; logger: Logger }): RequestHandler[] {
  const oauthError = (res: Response, status: number, error: string, description: string) => {
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="sonata-gateway"');
    res.status(status).setHeader('Cache-Control', 'no-store').json({ error, error_description: description });
  };
  const handler: RequestHandler = async (req: Request, res: Response) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') {
      oauthError(res, 400, body.grant_type ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials');
      return;
    }
    let clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
    let clientSecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    if (!clientId || !clientSecret) {
      oauthError(res, 401, 'invalid_client', 'client credentials missing (form fields client_id/client_secret or HTTP Basic)');
      return;
    }
    const registry = opts.registry();
    const partner = registry.partnerByClientId(clientId);
    // compare even for unknown clients so timing does not reveal which client ids exist
    const ok = secretsEqual(clientSecret, partner?.clientSecret ?? '\u0000unknown-client\u0000') && !!partner;
    if (!ok || !partner) {
      opts.logger.warn('token request refused', { clientId });
      oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
      return;
    }
    // a seller-only partner gets listener scopes only: it may notify us, never call our seller APIs
    const allowed = allowedScopesForPartner(registry, partner);
    let granted = allowed;
    if (typeof body.scope === 'string' && body.scope.trim()) {
      const requested = body.scope.split(/\s+/).filter(Boolean);
      const unknown = requested.filter((s) => !allowed.includes(s));
      if (unknown.length) {
        oauthError(res, 400, 'invalid_scope', `not allowed for this client: ${unknown.join(' ')}`);
        return;
      }
      granted = requested;
    }
    const token = await opts.tokens.issue({ partnerId: partner.id, clientId, scopes: granted });
    opts.logger.info('token issued', { partnerId: partner.id, scopes: granted.length });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.json({ access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, scope: token.scope });
  };
  return [express.urlencoded({ extended: false, limit: '8kb' }), express.json({ limit: '8kb' }), handler];
}
