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

describe('hub subscriptions: one per callback, at most notifications.maxSubscriptions (10) per partner and API', () => {
  it('registers an identical callback and query once: the second POST answers the first subscription', async () => {
    const body = {
      callback: 'http://127.0.0.1:9999/same',
      query: 'eventType=geographicAddressValidationStateChangeEvent',
    };
    const first = await gw.call('POST', hub, { token: globex, body });
    const second = await gw.call('POST', hub, { token: globex, body });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(spec.operationById('registerListener')!.validateResponseBody(201, second.body)).toEqual([]);
    // another query is another subscription
    const other = await gw.call('POST', hub, { token: globex, body: { callback: body.callback } });
    expect(other.body.id).not.toBe(first.body.id);
    // once deleted, the same callback registers anew
    for (const id of [first.body.id, other.body.id]) expect((await gw.call('DELETE', `${hub}/${id}`, { token: globex })).status).toBe(204);
    const again = await gw.call('POST', hub, { token: globex, body });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
    expect((await gw.call('DELETE', `${hub}/${again.body.id}`, { token: globex })).status).toBe(204);
  });

  it('refuses the 11th subscription like a barred host (422 invalidValue at /callback); deleting one makes room', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await gw.call('POST', hub, { token: globex, body: { callback: `http://127.0.0.1:9999/cb${i}` } });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const refused = await gw.call('POST', hub, {
      token: globex,
      body: { callback: 'http://127.0.0.1:9999/one-too-many' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual([
      expect.objectContaining({
        code: 'invalidValue',
        propertyPath: '/callback',
        reason: expect.stringContaining('10 subscriptions'),
      }),
    ]);
    expect(spec.operationById('registerListener')!.validateResponseBody(422, refused.body)).toEqual([]);
    // an identical registration is not a new one: still answered at the cap
    const same = await gw.call('POST', hub, { token: globex, body: { callback: 'http://127.0.0.1:9999/cb3' } });
    expect(same.status).toBe(201);
    expect(same.body.id).toBe(ids[3]);

    expect((await gw.call('DELETE', `${hub}/${ids[0]}`, { token: globex })).status).toBe(204);
    expect((await gw.call('POST', hub, { token: globex, body: { callback: 'http://127.0.0.1:9999/one-too-many' } })).status).toBe(201);
  });
});
