import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { PARTNERS, startTestGateway, type TestGateway } from '../support/test-gateway.js';

let gw: TestGateway;
let acme: string;
const validation = `${PARTNERS.acme.addressBase}/geographicAddressValidation`;
const body = {
  provideAlternative: true,
  submittedGeographicAddress: {
    '@type': 'FieldedAddress',
    streetName: 'Hauptstrasse',
    streetNr: '12',
    city: 'Berlin',
    country: 'DE',
  },
};

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
});
afterAll(async () => {
  await gw.close();
});

describe('bad requests get Sonata errors, never a 500 or a hang', () => {
  it('401 missingCredentials without a token, with a Bearer challenge', async () => {
    const res = await gw.call('POST', validation, { body });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'missingCredentials', reason: expect.any(String) });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('401 invalidCredentials for a forged, a malformed and an expired token', async () => {
    const forged = await new SignJWT({ scope: 'createGeographicAddressValidation', client_id: 'acme-telecom' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('acme-telecom')
      .setIssuer('sonata-gateway')
      .setAudience('sonata')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('not-the-gateway-secret-not-the-gateway-secret'));
    const expired = await new SignJWT({ scope: 'createGeographicAddressValidation', client_id: 'acme-telecom' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('acme-telecom')
      .setIssuer('sonata-gateway')
      .setAudience('sonata')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
      .sign(new TextEncoder().encode(gw.gateway.config.auth.signingSecret));
    for (const token of [forged, 'not.a.jwt', expired]) {
      const res = await gw.call('POST', validation, { token, body });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalidCredentials');
    }
    const res = await gw.call('POST', validation, { headers: { authorization: 'Basic YWNtZTpzZWNyZXQ=' }, body });
    expect(res.body.code).toBe('invalidCredentials');
  });

  it('400 invalidBody for malformed JSON', async () => {
    const res = await gw.call('POST', validation, {
      token: acme,
      rawBody: '{"provideAlternative": tru',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalidBody');
  });

  it('400 invalidBody for a wrong content type', async () => {
    const res = await gw.call('POST', validation, {
      token: acme,
      rawBody: 'provideAlternative=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalidBody', message: expect.stringContaining('application/json') });
  });

  it('400 invalidBody for an oversized body', async () => {
    const big = { ...body, padding: 'x'.repeat(gw.gateway.config.server.bodyLimitBytes + 10) };
    const res = await gw.call('POST', validation, { token: acme, body: big });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalidBody', message: expect.stringContaining('exceeds') });
  });

  it('400 invalidBody for a too deeply nested body', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const res = await gw.call('POST', validation, { token: acme, body: { ...body, deep } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalidBody', message: expect.stringContaining('nested') });
  });

  it('400 invalidBody for a JSON array or scalar body', async () => {
    for (const raw of ['[1,2]', '"text"', 'null']) {
      const res = await gw.call('POST', validation, {
        token: acme,
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, raw).toBe(400);
      expect(res.body.code).toBe('invalidBody');
    }
  });

  it('400 invalidBody when a POST has no body at all', async () => {
    const res = await gw.call('POST', validation, { token: acme });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalidBody');
  });

  it('404 notFound for unknown routes, APIs and versions', async () => {
    for (const path of [
      '/nope',
      '/mefApi/sonata/noSuchApi/v1/x',
      '/mefApi/sonata/geographicAddressManagement/v99/geographicAddressValidation',
      `${PARTNERS.acme.addressBase}/nothingHere`,
    ]) {
      const res = await gw.call('GET', path, { token: acme });
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe('notFound');
    }
  });

  it('501 notImplemented for a known resource with an unsupported method', async () => {
    const res = await gw.call('DELETE', validation, { token: acme });
    expect(res.status).toBe(501);
    expect(res.body.code).toBe('notImplemented');
  });

  it('403 accessDenied when the token was issued without the operation scope', async () => {
    const narrow = await gw.token('acme', 'retrieveGeographicAddress');
    const res = await gw.call('POST', validation, { token: narrow, body });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('accessDenied');
  });

  it("403 forbiddenRequester when buyerId names someone else; the partner's own buyerId is fine", async () => {
    const bad = await gw.call('POST', `${validation}?buyerId=SOMEONE-ELSE`, { token: acme, body });
    expect(bad.status).toBe(403);
    expect(bad.body.code).toBe('forbiddenRequester');
    const good = await gw.call('POST', `${validation}?buyerId=ACME-DE-0042`, { token: acme, body });
    expect(good.status).toBe(200);
  });

  it('echoes a sane X-Request-Id and invents one otherwise', async () => {
    const res = await gw.call('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const res2 = await gw.call('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(res2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never logs tokens or secrets', async () => {
    await gw.call('POST', validation, { token: acme, body });
    const all = JSON.stringify(gw.logs);
    expect(all).not.toContain(acme);
    expect(all).not.toContain(PARTNERS.acme.secret);
    expect(gw.logs.some((l) => l.message === 'request' && l.partnerId === 'acme-telecom' && typeof l.requestId === 'string')).toBe(true);
  });
});

describe('OAuth 2.0 client credentials: POST /oauth2/token', () => {
  const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: new URLSearchParams(form), headers });

  it('issues a short-lived bearer token with the partner scopes (form credentials)', async () => {
    const res = await post({
      grant_type: 'client_credentials',
      client_id: 'acme-telecom',
      client_secret: PARTNERS.acme.secret,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(String(body.scope).split(' ')).toEqual(
      expect.arrayContaining(['createGeographicAddressValidation', 'retrieveGeographicAddress']),
    );
  });

  it('accepts HTTP Basic client authentication', async () => {
    const basic = Buffer.from(`globex-networks:${PARTNERS.globex.secret}`).toString('base64');
    const res = await post({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scope: string };
    expect(body.scope).toContain('retrieveGeographicAddressValidation');
  });

  it('refuses a wrong secret, an unknown client, a wrong grant and a scope the partner lacks (RFC 6749 errors)', async () => {
    const wrong = await post({
      grant_type: 'client_credentials',
      client_id: 'acme-telecom',
      client_secret: 'nope-nope-nope-nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const unknown = await post({
      grant_type: 'client_credentials',
      client_id: 'ghost',
      client_secret: 'whatever-whatever',
    });
    expect(unknown.status).toBe(401);
    const grant = await post({
      grant_type: 'password',
      client_id: 'acme-telecom',
      client_secret: PARTNERS.acme.secret,
    });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const scope = await post({
      grant_type: 'client_credentials',
      client_id: 'acme-telecom',
      client_secret: PARTNERS.acme.secret,
      scope: 'listCimIncident',
    }); // CIM is Kylie's: no scope of a Grace partner
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('takes the partner from the token: a body claiming another buyer changes nothing', async () => {
    const res = await gw.call('POST', validation, {
      token: acme,
      body: { ...body, buyerId: 'GLOBEX-UK-7', partnerId: 'globex-networks' },
      headers: { 'x-request-id': 'claims-other-buyer' },
    });
    expect(res.status).toBe(200);
    const line = gw.logs.find((l) => l.message === 'request' && l.requestId === 'claims-other-buyer');
    expect(line?.partnerId).toBe('acme-telecom');
  });
});

describe('health', () => {
  it('/healthz is up and /readyz reports the store', async () => {
    expect((await gw.call('GET', '/healthz')).status).toBe(200);
    const ready = await gw.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.store).toMatch(/^ok/);
  });
});
