import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createClientAssertionVerifier, JWT_BEARER_ASSERTION } from '../../src/auth/client-assertion.js';
import { createTokenEndpoint } from '../../src/auth/token-endpoint.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import type { Registry } from '../../src/registry/registry.js';
import { copyProject, PARTNERS, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const ISSUER = 'https://idp.test/realms/partners';
const DOWN_ISSUER = 'https://down.test/realms/partners';
const AUDIENCE = 'sonata-gateway-api';
const TOKEN_URL = 'https://sonata.test/oauth2/token';
const RETRIEVE = `${PARTNERS.acme.addressBase}/geographicAddress/NC-XX-999999`;
const GLOBEX_RETRIEVE = `${PARTNERS.globex.addressBase}/geographicAddress/NC-XX-999999`;

interface KeyPair {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}
async function keyPair(alg: 'RS256' | 'ES256', kid: string): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A local JWKS host: the IdP's keys (rotatable) and a partner's published keys; counts fetches. */
async function startJwksServer(sets: Record<string, JWK[]>): Promise<{ url: string; fetches: Record<string, number>; server: Server }> {
  const fetches: Record<string, number> = {};
  const server = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    fetches[name] = (fetches[name] ?? 0) + 1;
    const keys = sets[name];
    if (!keys) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fetches, server };
}

function editYaml(file: string, edit: (doc: Record<string, any>) => void): void {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  edit(doc);
  writeFileSync(file, stringify(doc));
}

describe('external identity providers and private_key_jwt', () => {
  let project: ReturnType<typeof copyProject>;
  let gw: TestGateway;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let idpKey1: KeyPair;
  let idpKey2: KeyPair;
  let acmeKey: KeyPair;
  let initechKey: KeyPair;
  const sets: Record<string, JWK[]> = {};
  let acmeScopes: string[];

  beforeAll(async () => {
    [idpKey1, idpKey2, acmeKey, initechKey] = await Promise.all([
      keyPair('RS256', 'idp-2026-1'),
      keyPair('RS256', 'idp-2026-2'),
      keyPair('ES256', 'acme-1'),
      keyPair('RS256', 'initech-1'),
    ]);
    sets['idp'] = [idpKey1.jwk];
    sets['initech'] = [initechKey.jwk];
    jwks = await startJwksServer(sets);
    // a port nobody listens on: an IdP (or a partner's key host) that is down
    const gone = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => gone.once('listening', resolve));
    const deadUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/jwks`;
    await new Promise((resolve) => gone.close(resolve));
    project = copyProject();
    editYaml(join(project.dir, 'config', 'test.yaml'), (doc) => {
      doc.auth = {
        tokenEndpointUrl: TOKEN_URL,
        externalIssuers: [
          {
            issuer: ISSUER,
            jwksUri: `${jwks.url}/idp`,
            audience: [AUDIENCE],
            partnerClaim: 'azp',
            partners: { 'acme-m2m': 'acme-telecom' },
            jwksCooldownMs: 0,
          },
          {
            issuer: DOWN_ISSUER,
            jwksUri: deadUrl,
            audience: [AUDIENCE],
            partners: { 'acme-m2m': 'acme-telecom' },
          },
        ],
      };
    });
    editYaml(join(project.dir, 'partners', 'acme-telecom', 'partner.yaml'), (doc) => {
      doc.credentials.jwks = { keys: [acmeKey.jwk] };
    });
    editYaml(join(project.dir, 'partners', 'globex-networks', 'partner.yaml'), (doc) => {
      doc.credentials.externalSubject = 'globex-at-idp';
    });
    editYaml(join(project.dir, 'partners', 'initech', 'partner.yaml'), (doc) => {
      // a key-only client: no secret at all
      delete doc.credentials.clientSecretEnv;
      doc.credentials.jwksUri = `${jwks.url}/initech`;
    });
    editYaml(join(project.dir, 'partners', 'southwind-fibre', 'partner.yaml'), (doc) => {
      doc.credentials.jwksUri = deadUrl;
    });
    gw = await startTestGateway({ rootDir: project.dir, env: { SONATA_SDK_DIR: SDK_DIR } });
    const res = await fetch(`${gw.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: PARTNERS.acme.clientId,
        client_secret: PARTNERS.acme.secret,
      }),
    });
    acmeScopes = String(((await res.json()) as { scope: string }).scope).split(' ');
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
    jwks?.server.close();
    project?.cleanup();
  });

  const idpToken = (key: KeyPair, claims: Record<string, unknown>, o: { iss?: string; aud?: string; exp?: number | string } = {}) =>
    new SignJWT({ scope: acmeScopes.join(' '), ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(o.iss ?? ISSUER)
      .setAudience(o.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '5m')
      .setJti(randomUUID())
      .sign(key.privateKey);

  describe('access tokens of an external IdP (auth.externalIssuers)', () => {
    it('are accepted for the partner their client claim maps to, like our own tokens', async () => {
      const res = await gw.call('GET', RETRIEVE, { token: await idpToken(idpKey1, { azp: 'acme-m2m' }) });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('notFound');
    });

    it("map a client through a partner's credentials.externalSubject", async () => {
      const token = await idpToken(idpKey1, { azp: 'globex-at-idp', scope: 'retrieveGeographicAddress' });
      expect((await gw.call('GET', GLOBEX_RETRIEVE, { token })).status).toBe(404);
      // the partner comes from the token: acme's API versions are not globex's
      expect((await gw.call('GET', RETRIEVE, { token })).status).not.toBe(200);
    });

    it('carry only the scopes of their scope claim that the partner may use', async () => {
      const token = await idpToken(idpKey1, {
        azp: 'acme-m2m',
        scope: 'createGeographicAddressValidation someoneElsesScope',
      });
      const res = await gw.call('GET', RETRIEVE, { token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('accessDenied');
    });

    it('are verified with a rotated key once the IdP publishes it (new kid picked up)', async () => {
      const before = jwks.fetches['idp'] ?? 0;
      sets['idp'] = [idpKey2.jwk, idpKey1.jwk];
      const res = await gw.call('GET', RETRIEVE, { token: await idpToken(idpKey2, { azp: 'acme-m2m' }) });
      expect(res.status).toBe(404);
      expect(jwks.fetches['idp']).toBeGreaterThan(before);
    });

    it.each([
      ['another issuer', () => idpToken(idpKey1, { azp: 'acme-m2m' }, { iss: 'https://evil.test/' })],
      ['another audience', () => idpToken(idpKey1, { azp: 'acme-m2m' }, { aud: 'someone-else' })],
      ['an expired token', () => idpToken(idpKey1, { azp: 'acme-m2m' }, { exp: Math.floor(Date.now() / 1000) - 600 })],
      ['a client claim mapped to no partner', () => idpToken(idpKey1, { azp: 'stranger' })],
      ['no client claim', () => idpToken(idpKey1, {})],
      ['a key the IdP never published', async () => idpToken({ ...(await keyPair('RS256', 'idp-2026-1')) }, { azp: 'acme-m2m' })],
    ])('are refused 401 with %s', async (_name, make) => {
      const res = await gw.call('GET', RETRIEVE, { token: await make() });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalidCredentials');
    });

    it("get 503 with Retry-After, not 401, while the IdP's key set cannot be fetched", async () => {
      const res = await gw.call('GET', RETRIEVE, {
        token: await idpToken(idpKey1, { azp: 'acme-m2m' }, { iss: DOWN_ISSUER }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1/);
    });
  });

  describe('private_key_jwt client authentication at /oauth2/token (RFC 7523)', () => {
    const assertion = (
      key: KeyPair,
      clientId: string,
      o: { aud?: string; exp?: number | string; sub?: string; iss?: string; jti?: string } = {},
    ) =>
      new SignJWT({})
        .setProtectedHeader({ alg: key.alg, kid: key.kid })
        .setIssuer(o.iss ?? clientId)
        .setSubject(o.sub ?? clientId)
        .setAudience(o.aud ?? TOKEN_URL)
        .setIssuedAt()
        .setExpirationTime(o.exp ?? '60s')
        .setJti(o.jti ?? randomUUID())
        .sign(key.privateKey);
    const requestToken = async (clientAssertion: string, extra: Record<string, string> = {}) => {
      const res = await fetch(`${gw.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER_ASSERTION,
          client_assertion: clientAssertion,
          ...extra,
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };

    it("issues a token for an assertion signed with the partner's key (inline JWKS), good on the APIs", async () => {
      const res = await requestToken(await assertion(acmeKey, 'acme-telecom'), { client_id: 'acme-telecom' });
      expect(res.status).toBe(200);
      expect((await gw.call('GET', RETRIEVE, { token: res.body.access_token })).status).toBe(404);
    });

    it('issues a token for a key-only client whose keys are published at its jwksUri; its secret login does not exist', async () => {
      const res = await requestToken(await assertion(initechKey, 'initech'));
      expect(res.status).toBe(200);
      const bySecret = await fetch(`${gw.url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'initech',
          client_secret: PARTNERS.initech.secret,
        }),
      });
      expect(bySecret.status).toBe(401);
    });

    it('refuses a replayed assertion (same jti)', async () => {
      const once = await assertion(acmeKey, 'acme-telecom');
      expect((await requestToken(once)).status).toBe(200);
      const replay = await requestToken(once);
      expect(replay.status).toBe(401);
      expect(replay.body.error).toBe('invalid_client');
      expect(replay.body.error_description).toMatch(/already used/);
    });

    it.each([
      ['another audience', () => assertion(acmeKey, 'acme-telecom', { aud: 'https://elsewhere.test/token' })],
      ['an expired assertion', () => assertion(acmeKey, 'acme-telecom', { exp: Math.floor(Date.now() / 1000) - 600 })],
      ['an assertion valid for an hour', () => assertion(acmeKey, 'acme-telecom', { exp: '1h' })],
      ['sub other than iss', () => assertion(acmeKey, 'acme-telecom', { sub: 'globex-networks' })],
      ["another partner's key", () => assertion(initechKey, 'acme-telecom')],
      ['a client without keys', () => assertion(acmeKey, 'globex-networks')],
      ['an unknown client', () => assertion(acmeKey, 'nobody-at-all')],
      ['not a JWT', async () => 'not-a-jwt'],
    ])('refuses 401 invalid_client: %s', async (_name, make) => {
      const res = await requestToken(await make());
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });

    it("answers 503 temporarily_unavailable while the client's jwksUri cannot be fetched", async () => {
      const res = await requestToken(await assertion(acmeKey, 'southwind-fibre'));
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('temporarily_unavailable');
    });

    it("refuses a client_id that differs from the assertion's iss", async () => {
      const res = await requestToken(await assertion(acmeKey, 'acme-telecom'), { client_id: 'globex-networks' });
      expect(res.status).toBe(401);
    });

    it("answers 503 temporarily_unavailable (RFC 6749 shape) when the replay cache's store is down", async () => {
      const store = createMemoryStore();
      await store.close();
      const app = express();
      app.post(
        '/oauth2/token',
        ...createTokenEndpoint({
          registry: () => gw.gateway.registry.current(),
          tokens: gw.gateway.tokens,
          logger: gw.gateway.logger,
          store,
          audiences: [TOKEN_URL],
        }),
      );
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_assertion_type: JWT_BEARER_ASSERTION,
            client_assertion: await assertion(acmeKey, 'acme-telecom'),
          }),
        });
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'try again later' });
      } finally {
        server.close();
      }
    });

    it('keeps the jti replay cache in the store, so a second instance on the same store refuses the replay', async () => {
      const store = createMemoryStore();
      const registry = (): Registry => gw.gateway.registry.current();
      const one = createClientAssertionVerifier({ registry, store, audiences: [TOKEN_URL] });
      const two = createClientAssertionVerifier({ registry, store, audiences: [TOKEN_URL] });
      const jwt = await assertion(acmeKey, 'acme-telecom');
      expect((await one.verify(jwt)).ok).toBe(true);
      expect(await two.verify(jwt)).toEqual({ ok: false, reason: 'client_assertion was already used (jti replay)' });
      await store.close();
    });
  });
});
