/**
 * Console sign-in at the operator's identity provider: passport-oauth2, authorization code with PKCE (S256) and
 * `state`. The state and the code verifier live between the redirect and the callback in a signed, short-lived
 * HttpOnly cookie (SameSite=Lax: it must come back on the IdP's cross-site redirect), so no server-side session
 * store is needed. The user's name and roles are read from the IdP's userinfo endpoint with the access token.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import passport from 'passport';
import OAuth2Strategy from 'passport-oauth2';
import type { ConsoleOAuth2Config } from '../config/config-schema.js';
import { createCookieSigner, parseCookies, serializeCookie, type ConsoleSessionUser } from './console-session.js';

/** Name of the passport strategy on the console's own authenticator. */
export const OAUTH2_STRATEGY = 'console-oauth2';
/** Cookie holding the state handle and PKCE verifier during the sign-in redirect. */
export const OAUTH2_STATE_COOKIE = 'sgw_console_oauth2';
/** How long a started sign-in may take at the IdP. */
const STATE_TTL_SECONDS = 600;

/** Whether the request reached us over HTTPS (directly, or as a proxy in front of the admin port says). */
export function isHttps(req: Request): boolean {
  return req.secure || req.headers['x-forwarded-proto'] === 'https';
}

/** The console user the IdP's claims make: editor by name or by a role claim value, viewer otherwise. */
export function userFromClaims(claims: Record<string, unknown>, cfg: ConsoleOAuth2Config): ConsoleSessionUser | undefined {
  const rawName = claims[cfg.nameClaim] ?? claims.sub;
  if (typeof rawName !== 'string' || rawName === '') return undefined;
  const rawRoles = claims[cfg.roleClaim];
  const roles = Array.isArray(rawRoles)
    ? rawRoles.filter((r): r is string => typeof r === 'string')
    : typeof rawRoles === 'string'
      ? rawRoles.split(/[\s,]+/)
      : [];
  const editor = cfg.editors.includes(rawName) || roles.some((r) => cfg.editorRoles.includes(r));
  return { name: rawName, role: editor ? 'editor' : 'viewer' };
}

/** passport-oauth2's state store, kept in a signed cookie instead of a server session. */
function createCookieStateStore(secret: string): OAuth2Strategy.StateStore {
  const signer = createCookieSigner(secret, 'console-oauth2-state');
  const responseOf = (req: Request): Response | undefined => (req as Request & { res?: Response }).res;
  const store = {
    // arity 5: passport-oauth2 hands PKCE stores the verifier
    store(req: Request, verifier: string, _state: unknown, _meta: unknown, callback: (err: Error | null, handle?: string) => void): void {
      const handle = randomBytes(24).toString('base64url');
      const token = signer.sign({ h: handle, v: verifier }, new Date(Date.now() + STATE_TTL_SECONDS * 1000));
      responseOf(req)?.append(
        'Set-Cookie',
        serializeCookie(OAUTH2_STATE_COOKIE, token, {
          maxAgeSeconds: STATE_TTL_SECONDS,
          sameSite: 'Lax',
          secure: isHttps(req),
        }),
      );
      callback(null, handle);
    },
    // arity 4: answers the verifier for the token request, or false when the state does not match
    verify(
      req: Request,
      providedState: string,
      _meta: unknown,
      callback: (err: Error | null, verifier: string | false, info?: unknown) => void,
    ): void {
      const saved = signer.verify(parseCookies(req.headers.cookie).get(OAUTH2_STATE_COOKIE));
      // one use only
      responseOf(req)?.append(
        'Set-Cookie',
        serializeCookie(OAUTH2_STATE_COOKIE, '', { maxAgeSeconds: 0, sameSite: 'Lax', secure: isHttps(req) }),
      );
      if (!saved || typeof saved.v !== 'string' || typeof providedState !== 'string' || saved.h !== providedState) {
        callback(null, false, { message: 'The sign-in state does not match; start the sign-in again' });
        return;
      }
      callback(null, saved.v);
    },
  };
  return store as unknown as OAuth2Strategy.StateStore;
}

/** The strategy, reading the user's claims from the IdP's userinfo endpoint. */
class ConsoleOAuth2Strategy extends OAuth2Strategy {
  constructor(
    private readonly cfg: ConsoleOAuth2Config,
    sessionSecret: string,
  ) {
    super(
      {
        authorizationURL: cfg.authorizationURL,
        tokenURL: cfg.tokenURL,
        clientID: cfg.clientID,
        clientSecret: cfg.clientSecret,
        callbackURL: cfg.callbackURL,
        scope: [...cfg.scope],
        pkce: true,
        state: true,
        store: createCookieStateStore(sessionSecret),
      },
      (_accessToken: string, _refreshToken: string, profile: Record<string, unknown>, done: OAuth2Strategy.VerifyCallback) => {
        const user = userFromClaims(profile, cfg);
        if (!user) done(null, false, { message: `the identity provider named no user (claim ${cfg.nameClaim} or sub)` });
        else done(null, user as unknown as Express.User);
      },
    );
    this.name = OAUTH2_STRATEGY;
  }

  override userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void): void {
    fetch(this.cfg.userInfoURL, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        if (!res.ok) throw new Error(`userinfo answered ${res.status}`);
        const claims = (await res.json()) as unknown;
        if (!claims || typeof claims !== 'object') throw new Error('userinfo is not a JSON object');
        done(null, claims);
      })
      .catch((err: unknown) =>
        done(new Error(`cannot read the user's claims from the identity provider: ${err instanceof Error ? err.message : String(err)}`)),
      );
  }
}

/** A passport instance of the console's own (never the global one) with the IdP strategy. */
export function createConsoleAuthenticator(cfg: ConsoleOAuth2Config, sessionSecret: string): passport.Authenticator {
  const auth = new passport.Passport();
  auth.use(OAUTH2_STRATEGY, new ConsoleOAuth2Strategy(cfg, sessionSecret));
  return auth;
}
