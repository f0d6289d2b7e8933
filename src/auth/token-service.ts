import { createHash, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/** Who is calling: always taken from the verified token, never from the request body or query. */
export interface Principal {
  readonly partnerId: string;
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
  readonly tokenId: string;
  readonly expiresAt: number;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
}

export type VerifyFailure = 'expired' | 'invalid';

export interface TokenService {
  issue(subject: { partnerId: string; clientId: string; scopes: readonly string[] }): Promise<IssuedToken>;
  /** resolves to the principal, or to the failure kind; never throws for a bad token */
  verify(token: string): Promise<Principal | VerifyFailure>;
}

export interface TokenServiceOptions {
  issuer: string;
  /** HMAC secret, at least 32 characters */
  secret: string;
  ttlSeconds: number;
  now?: () => number;
}

/** How many verified tokens are remembered (a partner reuses its token for every call until it expires). */
const VERIFIED_CACHE_SIZE = 10_000;

/** Short-lived HS256 JWTs carrying the partner id (sub), client id and granted scopes. */
export function createTokenService(opts: TokenServiceOptions): TokenService {
  // one KeyObject for every sign/verify: jose would otherwise import the raw secret again on each call
  const key = createSecretKey(Buffer.from(opts.secret, 'utf8'));
  const now = opts.now ?? Date.now;
  const audience = 'sonata';
  // verified tokens until they expire: checking the signature again on every request is the largest cost of auth
  const verified = new Map<string, Principal>();
  const remember = (token: string, p: Principal) => {
    const oldest = verified.size >= VERIFIED_CACHE_SIZE ? verified.keys().next() : undefined;
    if (oldest && !oldest.done) verified.delete(oldest.value);
    verified.set(token, p);
  };
  return {
    async issue(subject) {
      const iat = Math.floor(now() / 1000);
      const scope = subject.scopes.join(' ');
      const accessToken = await new SignJWT({ scope, client_id: subject.clientId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject.partnerId)
        .setIssuer(opts.issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + opts.ttlSeconds)
        .setJti(randomUUID())
        .sign(key);
      return { accessToken, expiresIn: opts.ttlSeconds, scope };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > now()) return known;
        verified.delete(token);
        return 'expired';
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: opts.issuer,
          audience,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        if (typeof payload.sub !== 'string' || typeof payload.scope !== 'string' || typeof payload.client_id !== 'string') return 'invalid';
        const principal: Principal = {
          partnerId: payload.sub,
          clientId: payload.client_id,
          scopes: new Set(payload.scope.split(' ').filter(Boolean)),
          tokenId: String(payload.jti ?? ''),
          expiresAt: (payload.exp ?? 0) * 1000,
        };
        remember(token, principal);
        return principal;
      } catch (err) {
        return err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid';
      }
    },
  };
}

/** Compares secrets without leaking their length or content through timing. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
