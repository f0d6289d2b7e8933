import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { PARTNERS, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const spec = createSpecCatalog({ sdkDir: SDK_DIR }).api('kylie', 'geographicAddressManagement')!;
const hub = `${PARTNERS.globex.addressBase}/hub`;
let gw: TestGateway;
let globex: string;

beforeAll(async () => {
  gw = await startTestGateway();
  globex = await gw.token('globex');
});
afterAll(async () => {
  await gw.close();
});

describe('hub subscriptions (Kylie geographicAddressManagement v8)', () => {
  it('registers, retrieves and deletes a subscription; bodies valid against the spec', async () => {
    const created = await gw.call('POST', hub, {
      token: globex,
      body: { callback: 'http://127.0.0.1:9999/cb', query: 'eventType=geographicAddressValidationStateChangeEvent' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      callback: 'http://127.0.0.1:9999/cb',
      query: 'eventType=geographicAddressValidationStateChangeEvent',
    });
    expect(spec.operationById('registerListener')!.validateResponseBody(201, created.body)).toEqual([]);

    const got = await gw.call('GET', `${hub}/${created.body.id}`, { token: globex });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(spec.operationById('retrieveHub')!.validateResponseBody(200, got.body)).toEqual([]);

    const deleted = await gw.call('DELETE', `${hub}/${created.body.id}`, { token: globex });
    expect(deleted.status).toBe(204);
    expect((await gw.call('GET', `${hub}/${created.body.id}`, { token: globex })).status).toBe(404);
    expect((await gw.call('DELETE', `${hub}/${created.body.id}`, { token: globex })).status).toBe(404);
  });

  it('refuses a callback host the partner profile does not allow, naming /callback', async () => {
    const res = await gw.call('POST', hub, { token: globex, body: { callback: 'https://evil.example.net/cb' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/callback' })]);
    expect(spec.operationById('registerListener')!.validateResponseBody(422, res.body)).toEqual([]);
  });

  it('refuses an unknown event type in the query filter and a missing callback', async () => {
    const res = await gw.call('POST', hub, {
      token: globex,
      body: { callback: 'http://localhost:9999/cb', query: 'eventType=noSuchEvent' },
    });
    expect(res.status).toBe(422);
    expect(res.body[0].propertyPath).toBe('/query');
    const missing = await gw.call('POST', hub, { token: globex, body: { query: '' } });
    expect(missing.status).toBe(422);
    expect(missing.body[0]).toMatchObject({ code: 'missingProperty', propertyPath: '/callback' });
  });

  it("a Grace partner has no hub on Grace's address API (the spec has none there)", async () => {
    const acme = await gw.token('acme');
    const res = await gw.call('POST', `${PARTNERS.acme.addressBase}/hub`, {
      token: acme,
      body: { callback: 'http://localhost:9/cb' },
    });
    expect(res.status).toBe(404);
  });
});
