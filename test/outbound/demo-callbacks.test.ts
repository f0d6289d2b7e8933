/**
 * The shipped demo partners, as production loads them: a hub callback at Redis (127.0.0.1:6379), at the gateway's
 * own port (its /internal routes) or at any loopback port but the walkthrough listener's is refused with 422/400 on
 * /callback; the listener's host:port is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const KYLIE_HUB = '/mefApi/sonata/productOrderingManagement/v11/hub';
const GRACE_HUB = '/mefApi/sonata/productOrderingManagement/v10/hub';

describe("demo partners allow their listener's host:port only", () => {
  let gw: TestGateway;
  let globex: string;
  let acme: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    globex = await gw.token('globex');
    acme = await gw.token('acme');
  });
  afterAll(() => gw.close());

  const own = () => new URL(gw.url).port;
  it.each([
    ['Redis', () => 'http://127.0.0.1:6379/'],
    ['Redis by name', () => 'http://localhost:6379/'],
    ['the gateway itself', () => `http://127.0.0.1:${own()}/internal/legacy/events`],
    ['the gateway by name', () => `http://localhost:${own()}/internal/tasks`],
    ['IPv6 loopback', () => 'http://[::1]:9999/'],
    ['the metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('refuses %s', async (_what, callback) => {
    const kylie = await gw.call('POST', KYLIE_HUB, { token: globex, body: { callback: callback() } });
    expect(kylie.status).toBe(422);
    expect(kylie.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/callback' })]);
    // Grace declares no 422 on POST /hub: the same refusal as 400 naming /callback
    const grace = await gw.call('POST', GRACE_HUB, { token: acme, body: { callback: callback() } });
    expect(grace.status).toBe(400);
    expect(grace.body.message).toContain('/callback');
  });

  it('accepts the walkthrough listener (localhost:9999, 127.0.0.1:9999)', async () => {
    for (const callback of ['http://localhost:9999', 'http://127.0.0.1:9999/acme']) {
      const res = await gw.call('POST', KYLIE_HUB, { token: globex, body: { callback } });
      expect(res.status).toBe(201);
      await gw.call('DELETE', `${KYLIE_HUB}/${res.body.id}`, { token: globex });
    }
  });
});
