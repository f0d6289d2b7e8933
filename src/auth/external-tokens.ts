import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { ExternalIssuerConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors/catalogue.js';
import type { PartnerDef, Registry } from '../registry/registry.js';
import type { TokenVerifier } from './bearer-strategy.js';
import { isKeySetUnavailable } from './jwks.js';
import { allowedScopesForPartner } from './token-endpoint.js';
import type { Principal } from './token-service.js';

export interface ExternalTokenOptions {
  issuers: readonly ExternalIssuerConfig[];
  registry: () => Registry;
  now?: () => number;
}

/**
 * Access tokens of external identity providers (`auth.externalIssuers`), verified against each issuer's JWKS
 * (jose `createRemoteJWKSet`: fetched on first use, fetched again when a token names an unknown `kid`, so key
 * rotation at the IdP needs nothing here). The client claim (`partnerClaim`) names the partner, through the issuer's
 * `partners` map or a partner's `credentials.externalSubject`. Scopes are the operationIds the partner may call,
 * limited to the token's `scope`/`scp` claim unless the issuer is configured with `scopes: partner`.
 */
export function createExternalTokenVerifier(opts: ExternalTokenOptions): TokenVerifier {
  const now = opts.now ?? Date.now;
  const issuers = new Map(
    opts.issuers.map((i) => [
      i.issuer,
      {
        config: i,
        keys: createRemoteJWKSet(new URL(i.jwksUri), {
          cooldownDuration: i.jwksCooldownMs,
          timeoutDuration: 5000,
        }),
      },
    ]),
  );
  return {
    async verify(token) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        return undefined;
      }
      const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined;
      if (!issuer) return undefined;
      const { config } = issuer;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, issuer.keys, {
          issuer: config.issuer,
          audience: [...config.audience],
          algorithms: [...config.algorithms],
          requiredClaims: ['exp'],
          currentDate: new Date(now()),
        }));
      } catch (err) {
        // the IdP's key set cannot be fetched: retry later, not "your token is bad" (clients would fetch new ones)
        if (isKeySetUnavailable(err))
          throw new GatewayError('upstream.unavailable', `the signing keys of ${config.issuer} cannot be fetched`, {
            cause: err,
            headers: { 'Retry-After': '5' },
          });
        return err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid';
      }
      const subject = payload[config.partnerClaim];
      if (typeof subject !== 'string') return 'invalid';
      const registry = opts.registry();
      const partner = partnerFor(registry, config, subject);
      if (!partner) return 'invalid';
      const allowed = allowedScopesForPartner(registry, partner);
      const granted = new Set(tokenScopes(payload));
      const scopes = config.scopes === 'partner' ? allowed : allowed.filter((s) => granted.has(s));
      const principal: Principal = {
        partnerId: partner.id,
        clientId: partner.clientId,
        scopes: new Set(scopes),
        tokenId: String(payload.jti ?? ''),
        expiresAt: payload.exp! * 1000,
      };
      return principal;
    },
  };
}

function partnerFor(registry: Registry, config: ExternalIssuerConfig, subject: string): PartnerDef | undefined {
  const mapped = Object.hasOwn(config.partners, subject) ? config.partners[subject] : undefined;
  if (mapped !== undefined) return registry.partners.get(mapped);
  for (const p of registry.partners.values()) if (p.externalSubject === subject) return p;
  return undefined;
}

/** OAuth `scope` (space separated, RFC 8693/9068) or `scp` (array, as some IdPs issue). */
function tokenScopes(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  if (typeof payload.scp === 'string') return payload.scp.split(' ').filter(Boolean);
  return [];
}
