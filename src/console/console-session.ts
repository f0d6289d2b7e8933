/**
 * The console's sign-in cookie: `sgw_console=<payload>.<mac>`, the payload base64url JSON `{ n, r, exp }` (user,
 * role, expiry in epoch seconds), the MAC HMAC-SHA256 of the payload with `console.sessionSecret`. Stateless: no
 * server-side session store; a changed secret signs everyone out.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ConsoleRole } from './console-users.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sgw_console';
/** Path every console cookie is scoped to. */
export const COOKIE_PATH = '/console';

/** A signed-in console user. */
export interface ConsoleSessionUser {
  readonly name: string;
  readonly role: ConsoleRole;
}

/** How a session was opened: with a local user's password, or at the IdP. */
export type SignInSource = 'local' | 'oauth2';

/** Signs and reads values carried in cookies (the session, and the OAuth2 state in flight). */
export interface CookieSigner {
  /** `<payload>.<mac>` for `value`, valid until `expiresAt` */
  sign(value: Record<string, unknown>, expiresAt: Date): string;
  /** the value when the MAC is right and it has not expired; undefined otherwise */
  verify(token: string | undefined, now?: Date): Record<string, unknown> | undefined;
}

/** Creates a signer with `secret` (>= 32 bytes; `purpose` keeps tokens of one use from being accepted for another). */
export function createCookieSigner(secret: string, purpose: string): CookieSigner {
  const mac = (payload: string): Buffer => createHmac('sha256', secret).update(`${purpose}.${payload}`).digest();
  return {
    sign(value, expiresAt) {
      const payload = Buffer.from(JSON.stringify({ ...value, exp: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    verify(token, now = new Date()) {
      if (!token) return undefined;
      const dot = token.indexOf('.');
      if (dot <= 0) return undefined;
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      if (!value || typeof value !== 'object') return undefined;
      const exp = (value as { exp?: unknown }).exp;
      if (typeof exp !== 'number' || exp * 1000 <= now.getTime()) return undefined;
      return value as Record<string, unknown>;
    },
  };
}

/** The session user a cookie value holds (and how it signed in), if it is valid. */
export function readSession(
  signer: CookieSigner,
  token: string | undefined,
  now?: Date,
): (ConsoleSessionUser & { source: SignInSource }) | undefined {
  const v = signer.verify(token, now);
  if (!v || typeof v.n !== 'string' || (v.r !== 'viewer' && v.r !== 'editor') || (v.s !== 'local' && v.s !== 'oauth2')) return undefined;
  return { name: v.n, role: v.r, source: v.s };
}

/** The cookies of a request header, by name (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * A `Set-Cookie` value: HttpOnly, Path=/console, the SameSite given (Strict for the session; Lax for the OAuth2
 * state, which must come back on the IdP's cross-site redirect), Secure when the console is reached over HTTPS.
 */
export function serializeCookie(
  name: string,
  value: string,
  opts: { maxAgeSeconds: number; sameSite: 'Strict' | 'Lax'; secure: boolean },
): string {
  const parts = [
    `${name}=${value}`,
    `Path=${COOKIE_PATH}`,
    'HttpOnly',
    `SameSite=${opts.sameSite}`,
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
  ];
  if (opts.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  else parts.push(`Expires=${new Date(Date.now() + opts.maxAgeSeconds * 1000).toUTCString()}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
