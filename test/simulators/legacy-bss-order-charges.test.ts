// The back office raises charges on order lines (`POST /_sim/orders/{ORDER_NO}/charge`); the customer's decision
// moves the order on: back where it was held, or (a declined blocking charge) its line cancelled.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACME, MONDAY_10_00, newLine, startDomainSim, type DomainSim, type LegacyJson } from './legacy-bss-domain-client.js';

let sim: DomainSim;
beforeAll(async () => {
  sim = await startDomainSim();
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.clock = MONDAY_10_00;
});

async function orderAt(status: 'VALD' | 'PROV', lines: LegacyJson[] = [newLine()]): Promise<string> {
  const created = await sim.call('/orders', { CUST_NO: ACME, LINES: lines });
  const orderNo = created['ORDER']['ORDER_NO'] as string;
  expect((await sim.call(`/_sim/orders/${orderNo}/advance`, { TO: status }))['ORDER']['ORDER_STATUS']).toBe(status);
  return orderNo;
}
const raise = (orderNo: string, body: LegacyJson): Promise<LegacyJson> =>
  sim.call(`/_sim/orders/${orderNo}/charge`, { CHARGE_DESC: 'extra site survey', AMOUNT: 35000, ...body });
const decide = (orderNo: string, chargeId: string, decision: string): Promise<LegacyJson> =>
  sim.call(`/orders/${orderNo}/charges/${chargeId}`, { CUST_NO: ACME, DECISION: decision });
const chargeEvents = async (orderNo: string): Promise<LegacyJson[]> =>
  ((await sim.ok(`/events?CUST_NO=${ACME}`))['EVENTS'] as LegacyJson[]).filter(
    (e) => e['OBJ_ID'] === orderNo && e['EVT_TYPE'] === 'CHARGE_STATUS',
  );

describe('charges raised by the back office', () => {
  it('holds the order; the raise is reported with the whole charge (minor units, local times, blocking)', async () => {
    const orderNo = await orderAt('VALD');
    const answer = await raise(orderNo, { LINE_REF: '1', CHARGE_TYPE: 'SURVEY', RESP_BY: '04.03.2026 17:00' });
    expect(answer['RC']).toBe(0);
    expect(answer['CHARGE']).toMatchObject({
      LINE_REF: '1',
      CHARGE_TYPE: 'SURVEY',
      AMOUNT: 35000,
      CURRENCY: 'EUR',
      BLOCKING: 'Y',
      CHARGE_STATUS: 'OPEN',
      RAISED: '02.03.2026 10:00',
      RESP_BY: '04.03.2026 17:00',
    });
    expect(answer['ORDER']).toMatchObject({ ORDER_STATUS: 'HOLD', LINES: [{ LINE_STATUS: 'HOLD' }] });
    const [event] = await chargeEvents(orderNo);
    expect(event).toMatchObject({
      OLD_STATUS: null,
      NEW_STATUS: 'OPEN',
      CHARGE_ID: answer['CHARGE']['CHARGE_ID'],
      CHARGE: answer['CHARGE'],
    });
  });

  it('refuses a charge on a final order, on an unknown line or with a response time in the past', async () => {
    const orderNo = await orderAt('PROV');
    expect(await raise(orderNo, { LINE_REF: '9' })).toMatchObject({ RC: 8, ERR_FIELD: 'LINE_REF' });
    expect(await raise(orderNo, { RESP_BY: '01.03.2026 10:00' })).toMatchObject({ RC: 8, ERR_FIELD: 'RESP_BY' });
    await sim.call(`/_sim/orders/${orderNo}/advance`, { TO: 'COMP' });
    expect(await raise(orderNo, {})).toMatchObject({ RC: 8, ERR_FIELD: 'ORDER_NO' });
  });

  it('held during provisioning and accepted: back to PROV, the asset under way is not created twice', async () => {
    const orderNo = await orderAt('PROV');
    const asset = (await sim.ok(`/orders/${orderNo}?CUST_NO=${ACME}`))['ORDER']['LINES'][0]['ASSET_ID'];
    const chargeId = (await raise(orderNo, { BLOCKING: 'N' }))['CHARGE']['CHARGE_ID'] as string;
    const order = (await decide(orderNo, chargeId, 'ACPT'))['ORDER'];
    expect(order).toMatchObject({ ORDER_STATUS: 'PROV', LINES: [{ LINE_STATUS: 'PROV', ASSET_ID: asset }] });
    expect(order['CHARGES'][0]).toMatchObject({ CHARGE_STATUS: 'ACPT', DECIDED: '02.03.2026 10:00' });
  });

  it('a declined blocking charge cancels its line; the other line goes on', async () => {
    const orderNo = await orderAt('VALD', [newLine(), newLine({ LINE_REF: '2' })]);
    const chargeId = (await raise(orderNo, { LINE_REF: '2', BLOCKING: 'Y' }))['CHARGE']['CHARGE_ID'] as string;
    const order = (await decide(orderNo, chargeId, 'DECL'))['ORDER'];
    expect(order['ORDER_STATUS']).toBe('PROV');
    expect(order['LINES'].map((l: LegacyJson) => l['LINE_STATUS'])).toEqual(['PROV', 'CANC']);
    expect(order['LINES'][1]['STATUS_RSN']).toBe(`charge ${chargeId} declined`);
    expect(await decide(orderNo, chargeId, 'ACPT')).toMatchObject({ RC: 8, ERR_FIELD: 'CHARGE_ID' });
  });

  it('declining the blocking charge of the only line cancels the order', async () => {
    const orderNo = await orderAt('VALD');
    const chargeId = (await raise(orderNo, {}))['CHARGE']['CHARGE_ID'] as string;
    expect((await decide(orderNo, chargeId, 'DECL'))['ORDER']).toMatchObject({
      ORDER_STATUS: 'CANC',
      LINES: [{ LINE_STATUS: 'CANC' }],
    });
  });
});
