/**
 * The simulated seller's own OAuth 2.0 token endpoint (client credentials, RFC 6749 §4.4) and bearer check, with
 * opaque tokens kept in memory. Tests can count token requests and revoke every live token to provoke a 401.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';

export interface SellerOAuthOptions {
  /** the buyers allowed to get tokens */
  clients: ReadonlyArray<{ readonly clientId: string; readonly clientSecret: string }>;
  /** lifetime of issued tokens (default 3600 s) */
  tokenTtlSeconds: number;
  now: () => Date;
}

export interface SellerOAuth {
  /** `POST /oauth2/token` handlers (form or JSON body, client credentials in the body or HTTP Basic) */
  readonly tokenEndpoint: RequestHandler[];
  /** the client id of a live token from an `Authorization: Bearer` header, or a Sonata 401 body */
  authenticate(header: string | undefined): { clientId: string } | { error: { code: string; reason: string } };
  /** successful token requests so far */
  tokenRequests(): number;
  /** invalidates every issued token (the next call with one gets 401) */
  revokeAll(): void;
}

/** The simulated seller's token endpoint and bearer check, tokens in memory. */
export function createSellerOAuth(opts: SellerOAuthOptions): SellerOAuth {
  const tokens = new Map<string, { clientId: string; expiresAt: number }>();
  let issued = 0;
  const oauthError = (res: Response, status: number, error: string, description: string) => {
    res.status(status).setHeader('Cache-Control', 'no-store').json({ error, error_description: description });
  };
  const handler: RequestHandler = (req: Request, res: Response) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials')
      return oauthError(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    let clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
    let secret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = opts.clients.find((c) => c.clientId === clientId);
    if (!client || !secret || !sameSecret(secret, client.clientSecret))
      return oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, { clientId: client.clientId, expiresAt: opts.now().getTime() + opts.tokenTtlSeconds * 1000 });
    issued++;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ access_token: token, token_type: 'Bearer', expires_in: opts.tokenTtlSeconds });
  };
  return {
    tokenEndpoint: [express.urlencoded({ extended: false, limit: '8kb' }), express.json({ limit: '8kb' }), handler],
    authenticate(header) {
      if (!header) return { error: { code: 'missingCredentials', reason: 'Send Authorization: Bearer <token>' } };
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const entry = m ? tokens.get(m[1]!) : undefined;
      if (!entry || entry.expiresAt <= opts.now().getTime())
        return { error: { code: 'invalidCredentials', reason: 'The access token is unknown, revoked or expired' } };
      return { clientId: entry.clientId };
    },
    tokenRequests: () => issued,
    revokeAll: () => tokens.clear(),
  };
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
