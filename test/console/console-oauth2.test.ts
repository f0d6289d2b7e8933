import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityLog, ActivityRecord } from '../../src/observability/activity.js';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { consoleClient, sessionCookieOf } from './support.js';

const CALLBACK = 'http://127.0.0.1/console/auth/oauth2/callback';
const CLIENT_SECRET = 'idp-client-secret-for-the-console-test';

/** A loopback authorization server: authorization code + PKCE (S256), token and userinfo endpoints, real HTTP. */
async function startIdp(): Promise<{
  url: string;
  user: Record<string, unknown>;
  seen: { authorize: URLSearchParams[]; tokens: URLSearchParams[] };
  close(): Promise<void>;
}> {
  const codes = new Map<string, { challenge: string; redirectUri: string; claims: Record<string, unknown> }>();
  const tokens = new Map<string, Record<string, unknown>>();
  const seen = { authorize: [] as URLSearchParams[], tokens: [] as URLSearchParams[] };
  const state = { user: {} as Record<string, unknown> };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      seen.authorize.push(q);
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== 'sonata-console' ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge') ||
        !q.get('state')
      ) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
        claims: { ...state.user },
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(text);
        seen.tokens.push(form);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (
          form.get('client_secret') !== CLIENT_SECRET ||
          !grant ||
          grant.redirectUri !== form.get('redirect_uri') ||
          challenge !== grant.challenge
        ) {
          return json(400, { error: 'invalid_grant' });
        }
        const token = randomBytes(16).toString('hex');
        tokens.set(token, grant.claims);
        json(200, { access_token: token, token_type: 'Bearer', expires_in: 300 });
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/userinfo') {
      const claims = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      return claims ? json(200, claims) : json(401, { error: 'invalid_token' });
    }
    json(404, { error: 'not_found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get user() {
      return state.user;
    },
    set user(u: Record<string, unknown>) {
      state.user = u;
    },
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An activity log holding two records (the capture itself is another module's). */
function fakeActivity(): ActivityLog {
  const record = (correlationId: string, partnerId: string, startedAt: string): ActivityRecord => ({
    correlationId,
    partnerId,
    method: 'POST',
    path: '/mefApi/sonata/quoteManagement/v8/quote',
    status: 201,
    startedAt,
    ms: 12,
    hops: [{ kind: 'partner-request', at: startedAt, method: 'POST', url: '/mefApi/sonata/quoteManagement/v8/quote' }],
  });
  const records = [
    record('req-2', 'globex-networks', '2026-12-05T10:00:02.000Z'),
    record('req-1', 'acme-telecom', '2026-12-05T10:00:01.000Z'),
  ];
  return {
    enabled: true,
    async record() {},
    async appendHop() {},
    async get(id) {
      return records.find((r) => r.correlationId === id);
    },
    async list(q = {}) {
      return records.filter((r) => !q.partnerId || r.partnerId === q.partnerId).slice(0, q.limit ?? 50);
    },
  };
}

describe('console sign-in at the IdP (authorization code + PKCE), and the activity log', () => {
  let project: ReturnType<typeof copyProject>;
  let idp: Awaited<ReturnType<typeof startIdp>>;
  let gw: TestGateway;
  let admin: string;

  beforeAll(async () => {
    idp = await startIdp();
    project = copyProject();
    const file = join(project.dir, 'config', 'test.yaml');
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}  oauth2:
    authorizationURL: \${TEST_IDP_URL}/authorize
    tokenURL: \${TEST_IDP_URL}/token
    userInfoURL: \${TEST_IDP_URL}/userinfo
    clientID: sonata-console
    clientSecret: \${TEST_IDP_CLIENT_SECRET}
    callbackURL: ${CALLBACK}
    roleClaim: groups
    editorRoles: [sonata-editors]
`,
    );
    gw = await startTestGateway({
      rootDir: project.dir,
      env: { ADMIN_PORT: '0', TEST_IDP_URL: idp.url, TEST_IDP_CLIENT_SECRET: CLIENT_SECRET },
      activity: fakeActivity(),
    });
    admin = gw.adminUrl!;
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await idp?.close();
    project?.cleanup();
  });

  /** The browser's part: start at the console, follow the IdP, come back to the callback with the state cookie. */
  async function signInAtIdp(): Promise<{ callback: Response; stateCookie: string; callbackUrl: URL }> {
    const start = await fetch(`${admin}/console/auth/oauth2`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const stateSet = start.headers.getSetCookie().find((c) => c.startsWith('sgw_console_oauth2='))!;
    expect(stateSet).toMatch(/HttpOnly/);
    expect(stateSet).toMatch(/SameSite=Lax/);
    const stateCookie = stateSet.split(';')[0]!;
    const atIdp = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    expect(atIdp.status).toBe(302);
    const back = new URL(atIdp.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    const callbackUrl = new URL(`${admin}${back.pathname}${back.search}`);
    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: stateCookie } });
    return { callback, stateCookie, callbackUrl };
  }

  it('the login page learns both ways to sign in', async () => {
    const res = await consoleClient(admin).call('GET', '/api/session');
    expect(res.status).toBe(401);
    expect(res.body.signIn).toEqual({ local: true, oauth2: true });
  });

  it('an IdP user in the editors group signs in as editor; the IdP saw S256 PKCE and a verifier that matches', async () => {
    idp.user = { sub: 'u-1', preferred_username: 'olga', groups: ['staff', 'sonata-editors'] };
    const { callback } = await signInAtIdp();
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/console/');
    const cookie = sessionCookieOf(callback.headers);
    expect(callback.headers.getSetCookie().find((c) => c.startsWith('sgw_console='))).toMatch(/HttpOnly; SameSite=Strict/);
    const session = await consoleClient(admin).call('GET', '/api/session', { cookie });
    expect(session.body.user).toEqual({ name: 'olga', role: 'editor' });
    const authorize = idp.seen.authorize.at(-1)!;
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(createHash('sha256').update(idp.seen.tokens.at(-1)!.get('code_verifier')!).digest('base64url')).toBe(
      authorize.get('code_challenge'),
    );
  });

  it('an IdP user outside the editors group is a viewer', async () => {
    idp.user = { sub: 'u-2', preferred_username: 'vic', groups: ['staff'] };
    const { callback } = await signInAtIdp();
    const session = await consoleClient(admin).call('GET', '/api/session', {
      cookie: sessionCookieOf(callback.headers),
    });
    expect(session.body.user).toEqual({ name: 'vic', role: 'viewer' });
  });

  it('a callback without the state cookie, or with the cookie of another sign-in, is refused without a session', async () => {
    idp.user = { sub: 'u-3', preferred_username: 'mallory', groups: ['sonata-editors'] };
    const start = await fetch(`${admin}/console/auth/oauth2`, { redirect: 'manual' });
    const atIdp = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(atIdp.headers.get('location')!);
    const noCookie = await fetch(`${admin}${back.pathname}${back.search}`, { redirect: 'manual' });
    expect(noCookie.status).toBe(401);
    expect(noCookie.headers.getSetCookie().some((c) => c.startsWith('sgw_console='))).toBe(false);
    const other = await fetch(`${admin}/console/auth/oauth2`, { redirect: 'manual' });
    const otherCookie = other.headers
      .getSetCookie()
      .find((c) => c.startsWith('sgw_console_oauth2='))!
      .split(';')[0]!;
    const mixed = await fetch(`${admin}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: otherCookie },
    });
    expect(mixed.status).toBe(401);
    expect(mixed.headers.getSetCookie().some((c) => c.startsWith('sgw_console='))).toBe(false);
  });

  it('local sign-in: after signInLimit.points failures from one address, even the right password waits (429, Retry-After)', async () => {
    const c = consoleClient(admin);
    for (let i = 0; i < 5; i++)
      expect((await c.call('POST', '/api/session', { body: { username: 'editor', password: `guess-${i}` } })).status).toBe(401);
    const blocked = await c.call('POST', '/api/session', {
      body: { username: 'editor', password: 'editor-demo-2026' },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.getSetCookie().some((s) => s.startsWith('sgw_console='))).toBe(false);
  });

  it('activity: listed newest first, by partner, limited, by correlation id; one record or 404; a bad limit 400', async () => {
    const c = consoleClient(admin);
    idp.user = { sub: 'u-4', preferred_username: 'ada' };
    const { callback } = await signInAtIdp();
    const cookie = sessionCookieOf(callback.headers);
    const all = await c.call('GET', '/api/activity', { cookie });
    expect(all.body.enabled).toBe(true);
    expect(all.body.records.map((r: ActivityRecord) => r.correlationId)).toEqual(['req-2', 'req-1']);
    expect(
      (await c.call('GET', '/api/activity?partner=acme-telecom', { cookie })).body.records.map((r: ActivityRecord) => r.correlationId),
    ).toEqual(['req-1']);
    expect((await c.call('GET', '/api/activity?limit=1', { cookie })).body.records).toHaveLength(1);
    expect(
      (await c.call('GET', '/api/activity?correlationId=req-1', { cookie })).body.records.map((r: ActivityRecord) => r.correlationId),
    ).toEqual(['req-1']);
    expect((await c.call('GET', '/api/activity?limit=0', { cookie })).status).toBe(400);
    expect((await c.call('GET', '/api/activity/req-2', { cookie })).body).toMatchObject({
      correlationId: 'req-2',
      hops: [{ kind: 'partner-request' }],
    });
    expect((await c.call('GET', '/api/activity/nope', { cookie })).status).toBe(404);
    expect((await c.call('GET', '/api/overview', { cookie })).body.activity).toEqual({ enabled: true });
  });
});
