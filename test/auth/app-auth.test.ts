import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTNERS, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const ADDRESS_LIST = `${PARTNERS.acme.addressBase}/geographicAddressValidation`;

describe('each gateway authenticates with its own passport instance', () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    // two gateways in one process, each with its own signing secret
    a = await startTestGateway({ env: { GATEWAY_JWT_SECRET: 'gateway-a-signing-secret-0123456789abcdef' } });
    b = await startTestGateway({ env: { GATEWAY_JWT_SECRET: 'gateway-b-signing-secret-0123456789abcdef' } });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("accepts its own token and answers 401 invalidCredentials for the other gateway's", async () => {
    const tokenA = await a.token('acme');
    const tokenB = await b.token('acme');
    // any status but 401/403 shows the token was accepted (the list itself is the address API's business)
    const ownA = await a.call('GET', `${PARTNERS.acme.addressBase}/geographicAddress/NC-XX-999999`, { token: tokenA });
    const ownB = await b.call('GET', `${PARTNERS.acme.addressBase}/geographicAddress/NC-XX-999999`, { token: tokenB });
    expect(ownA.status).toBe(404);
    expect(ownB.status).toBe(404);
    const crossA = await a.call('GET', `${PARTNERS.acme.addressBase}/geographicAddress/NC-XX-999999`, {
      token: tokenB,
    });
    const crossB = await b.call('GET', `${PARTNERS.acme.addressBase}/geographicAddress/NC-XX-999999`, {
      token: tokenA,
    });
    expect(crossA.status).toBe(401);
    expect(crossA.body.code).toBe('invalidCredentials');
    expect(crossB.status).toBe(401);
    expect(crossB.body.code).toBe('invalidCredentials');
  });

  it("keeps each gateway's internal key to itself too", async () => {
    // same key in both (test.env); a wrong one is refused by each
    const wrong = await a.call('GET', '/internal/tasks', {
      headers: { 'x-internal-api-key': 'not-the-internal-key-at-all' },
    });
    expect(wrong.status).toBe(401);
    const right = await b.call('GET', '/internal/tasks', {
      headers: { 'x-internal-api-key': 'demo-internal-key-0123456789' },
    });
    expect(right.status).toBe(200);
  });

  describe('the token endpoint answers unreadable requests 400 with RFC 6749 errors', () => {
    const post = async (headers: Record<string, string>, body: string) => {
      const res = await fetch(`${a.url}/oauth2/token`, { method: 'POST', headers, body });
      return {
        status: res.status,
        body: (await res.json()) as Record<string, unknown>,
        cacheControl: res.headers.get('cache-control'),
      };
    };
    const form = `grant_type=client_credentials&client_id=${PARTNERS.acme.clientId}&client_secret=${PARTNERS.acme.secret}`;
    const formType = { 'content-type': 'application/x-www-form-urlencoded' };
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

    it.each([
      ['a Basic header that is not base64', { ...formType, authorization: 'Basic !!not-base64!!' }, 'grant_type=client_credentials'],
      ['a Basic header without a colon', { ...formType, authorization: basic('acme-telecom') }, 'grant_type=client_credentials'],
      [
        'a Basic header with bad percent-encoding',
        { ...formType, authorization: basic('acme%zz:secret%') },
        'grant_type=client_credentials',
      ],
      ['an empty Basic header', { ...formType, authorization: 'Basic' }, 'grant_type=client_credentials'],
      ['invalid JSON', { 'content-type': 'application/json' }, '{"grant_type": "client_credentials",'],
      ['a JSON array', { 'content-type': 'application/json' }, '["client_credentials"]'],
      ['an unsupported content type', { 'content-type': 'text/plain' }, form],
      ['a form over 8 KB', formType, `${form}&pad=${'x'.repeat(9000)}`],
      ['a repeated parameter', formType, `${form}&grant_type=client_credentials`],
      [
        'a JSON parameter that is not text',
        { 'content-type': 'application/json' },
        JSON.stringify({ grant_type: 'client_credentials', client_id: ['acme-telecom'] }),
      ],
      [
        'two client authentication methods',
        { ...formType, authorization: basic(`${PARTNERS.acme.clientId}:${PARTNERS.acme.secret}`) },
        form,
      ],
      [
        'a client_assertion of another type',
        formType,
        'grant_type=client_credentials&client_assertion_type=urn:example:saml&client_assertion=x',
      ],
    ])('%s', async (_name, headers, body) => {
      const res = await post(headers, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
      expect(typeof res.body.error_description).toBe('string');
      expect(Object.keys(res.body).sort()).toEqual(['error', 'error_description']);
      expect(res.cacheControl).toBe('no-store');
    });

    it('still issues tokens for well-formed requests: form, Basic (url-encoded parts) and JSON', async () => {
      const viaForm = await post(formType, form);
      const viaBasic = await post(
        {
          ...formType,
          authorization: basic(`${encodeURIComponent(PARTNERS.acme.clientId)}:${encodeURIComponent(PARTNERS.acme.secret)}`),
        },
        'grant_type=client_credentials',
      );
      const viaJson = await post(
        { 'content-type': 'application/json' },
        JSON.stringify({
          grant_type: 'client_credentials',
          client_id: PARTNERS.acme.clientId,
          client_secret: PARTNERS.acme.secret,
        }),
      );
      for (const r of [viaForm, viaBasic, viaJson]) {
        expect(r.status).toBe(200);
        expect(r.body.token_type).toBe('Bearer');
      }
      const listed = await a.call('GET', ADDRESS_LIST.replace('geographicAddressValidation', 'geographicAddress/NC-XX-999999'), {
        token: String(viaBasic.body.access_token),
      });
      expect(listed.status).toBe(404);
    });

    it('still answers 401 invalid_client for a wrong secret', async () => {
      const res = await post(formType, form.replace(PARTNERS.acme.secret, 'wrong-secret-0123456789'));
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });
  });
});
