import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRedis, REDIS_URL, redisSuiteTitle } from '../notify/support.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { APPOINTMENT_BASE, expectSpecValid, orderWithWorkOrder, workingDay } from './workforce-support.js';

/**
 * No double booking across gateway instances: two gateways sharing one Redis store and one legacy BSS take the
 * same engineer slot for two work orders at the same moment; exactly one booking is confirmed, the other is
 * answered 422 invalidValue at /validFor/startDateTime, and both instances then show the same appointment.
 */
const redisUp = await probeRedis();
const G = APPOINTMENT_BASE.grace;
const CONTACT = { role: 'siteContact', name: 'Sam Site', number: '+49 69 1234567', emailAddress: 'sam@acme.example' };

describe.skipIf(!redisUp)(redisSuiteTitle('appointments on two gateway instances', redisUp), () => {
  let one: TestGateway;
  let two: TestGateway;
  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_PREFIX: `sgw:test:appt2:${randomUUID().slice(0, 8)}:` };
    one = await startTestGateway({ env });
    // the second instance has no simulator of its own: it talks to the first one's legacy BSS
    two = await startTestGateway({ env: { ...env, LEGACY_BSS_URL: one.gateway.legacyUrl } });
  }, 180_000);
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('books one slot for two work orders concurrently through both instances: one 201, one 422', async () => {
    const [tokenOne, tokenTwo] = [await one.token('acme'), await two.token('acme')];
    const first = await orderWithWorkOrder(one, tokenOne, 'grace', 'ACME-2I-1');
    const second = await orderWithWorkOrder(one, tokenOne, 'grace', 'ACME-2I-2');
    const day = workingDay(11);
    const search = await two.call('POST', `${G}/searchTimeSlot`, {
      token: tokenTwo,
      body: {
        workOrder: { id: second.workOrderId },
        requestedTimeSlot: [{ validFor: { startDateTime: `${day}T00:00:00Z`, endDateTime: `${day}T23:59:00Z` } }],
      },
    });
    expect(search.status).toBe(201);
    const slot = search.body.availableTimeSlot[0].validFor;
    const book = (gw: TestGateway, token: string, workOrderId: string) =>
      gw.call('POST', `${G}/appointment`, {
        token,
        body: { workOrder: { id: workOrderId }, validFor: slot, relatedContactInformation: [CONTACT] },
      });
    const answers = await Promise.all([book(one, tokenOne, first.workOrderId), book(two, tokenTwo, second.workOrderId)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const won = answers.find((a) => a.status === 201)!;
    const lost = answers.find((a) => a.status === 422)!;
    expectSpecValid('grace', 'appointment', 'createAppointment', 201, won.body);
    expectSpecValid('grace', 'appointment', 'createAppointment', 422, lost.body);
    expect(lost.body).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/validFor/startDateTime' })]);
    // both instances see the one booking, and the slot is gone for everybody
    for (const [gw, token] of [
      [one, tokenOne],
      [two, tokenTwo],
    ] as const) {
      const got = await gw.call('GET', `${G}/appointment/${won.body.id}`, { token });
      expect(got.status).toBe(200);
      expect(got.body.status).toBe('confirmed');
      const again = await gw.call('POST', `${G}/searchTimeSlot`, {
        token,
        body: { workOrder: { id: second.workOrderId }, requestedTimeSlot: [{ validFor: slot }] },
      });
      expect(again.body.availableTimeSlot).toEqual([]);
    }
  });
});
