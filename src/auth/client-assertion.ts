import { createHash } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import type { PartnerDef, Registry } from '../registry/registry.js';
import type { Store } from '../state/store.js';
import { isKeySetUnavailable } from './jwks.js';

/** `client_assertion_type` of RFC 7523 §2.2 (private_key_jwt client authentication). */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Signature algorithms a client assertion may use: asymmetric only (the partner holds the private key). */
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Assertions must expire within this long (bounds how long their `jti` is remembered). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/** Clock skew tolerated on `exp`/`nbf`/`iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;

export interface ClientAssertionOptions {
  registry: () => Registry;
  /** the `jti` replay cache lives here so every instance behind one Redis refuses a replay */
  store: Store;
  /** accepted `aud` values: our token endpoint URL, our issuer */
  audiences: readonly string[];
  now?: () => number;
}

/** `unavailable`: the partner's published keys (jwksUri) could not be fetched; try again later. */
export type AssertionResult = { ok: true; partner: PartnerDef } | { ok: false; reason: string; unavailable?: boolean };

/**
 * Verifies RFC 7523 client assertions: signed with a key of the partner's `credentials.jwks`/`jwksUri`,
 * iss = sub = the client id, `aud` one of ours, `exp` within {@link MAX_ASSERTION_LIFETIME_SECONDS}, and a `jti`
 * not seen before (kept in the store until the assertion expires).
 */
export function createClientAssertionVerifier(opts: ClientAssertionOptions): {
  verify(assertion: string, clientId?: string): Promise<AssertionResult>;
} {
  const now = opts.now ?? Date.now;
  // key sets by partner snapshot: a reload that changes the keys builds new ones; remote sets keep their cache
  const keySets = new WeakMap<PartnerDef, JWTVerifyGetKey>();
  const remote = new Map<string, JWTVerifyGetKey>();
  const keysOf = (partner: PartnerDef): JWTVerifyGetKey | undefined => {
    let set = keySets.get(partner);
    if (set) return set;
    const keys = partner.clientKeys;
    if (keys?.jwks) set = createLocalJWKSet(keys.jwks as unknown as JSONWebKeySet);
    else if (keys?.jwksUri) {
      set = remote.get(keys.jwksUri);
      if (!set) {
        set = createRemoteJWKSet(new URL(keys.jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
        remote.set(keys.jwksUri, set);
      }
    }
    if (set) keySets.set(partner, set);
    return set;
  };

  return {
    async verify(assertion, clientId) {
      let claimed: string | undefined;
      try {
        const iss = decodeJwt(assertion).iss;
        claimed = typeof iss === 'string' ? iss : undefined;
      } catch {
        return { ok: false, reason: 'client_assertion is not a JWT' };
      }
      if (!claimed) return { ok: false, reason: 'client_assertion has no iss' };
      if (clientId !== undefined && clientId !== claimed) return { ok: false, reason: 'client_id differs from the assertion iss' };
      const partner = opts.registry().partnerByClientId(claimed);
      const keys = partner && keysOf(partner);
      if (!partner || !keys) return { ok: false, reason: 'unknown client or no key registered for it' };
      let exp: number;
      let jti: string;
      try {
        const { payload } = await jwtVerify(assertion, keys, {
          issuer: partner.clientId,
          subject: partner.clientId,
          audience: [...opts.audiences],
          algorithms: ASSERTION_ALGORITHMS,
          requiredClaims: ['exp', 'jti'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(now()),
        });
        exp = payload.exp!;
        jti = String(payload.jti);
      } catch (err) {
        if (isKeySetUnavailable(err))
          return {
            ok: false,
            reason: "the client's published keys (jwksUri) cannot be fetched; try again later",
            unavailable: true,
          };
        if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'client_assertion has expired' };
        if (err instanceof joseErrors.JWTClaimValidationFailed)
          return { ok: false, reason: `client_assertion claim ${err.claim} is not accepted` };
        return { ok: false, reason: "client_assertion signature does not verify with the client's keys" };
      }
      const remainingMs = exp * 1000 - now();
      if (remainingMs > MAX_ASSERTION_LIFETIME_SECONDS * 1000)
        return { ok: false, reason: `client_assertion must expire within ${MAX_ASSERTION_LIFETIME_SECONDS} s` };
      // one use per jti (RFC 7523 §3 item 7), remembered until the assertion could no longer be accepted anyway
      const key = `oauth:assertion-jti:${createHash('sha256').update(`${partner.clientId}\u0000${jti}`).digest('hex')}`;
      const first = await opts.store.set(key, '1', {
        ifAbsent: true,
        ttlMs: Math.max(1000, remainingMs + CLOCK_TOLERANCE_SECONDS * 1000),
      });
      if (!first) return { ok: false, reason: 'client_assertion was already used (jti replay)' };
      return { ok: true, partner };
    },
  };
}
