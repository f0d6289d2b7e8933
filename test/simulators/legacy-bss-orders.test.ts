import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACME,
  GLOBEX,
  inputError,
  MONDAY_10_00,
  newLine,
  startDomainSim,
  type DomainSim,
  type LegacyJson,
} from './legacy-bss-domain-client.js';

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

const createOrder = (lines: LegacyJson[] = [newLine()], extra: LegacyJson = {}, custNo = ACME): Promise<LegacyJson> =>
  sim.call('/orders', { CUST_NO: custNo, LINES: lines, ...extra });
const orderNoOf = async (lines?: LegacyJson[], extra?: LegacyJson): Promise<string> => {
  const answer = await createOrder(lines, extra);
  if (answer['RC'] !== 0) throw new Error(JSON.stringify(answer));
  return answer['ORDER']['ORDER_NO'] as string;
};
const advance = (orderNo: string, body: LegacyJson = {}): Promise<LegacyJson> => sim.call(`/_sim/orders/${orderNo}/advance`, body);
const getOrder = async (orderNo: string): Promise<LegacyJson> => (await sim.ok(`/orders/${orderNo}?CUST_NO=${ACME}`))['ORDER'];
const getAsset = async (assetId: string, custNo = ACME): Promise<LegacyJson> =>
  (await sim.ok(`/assets/${assetId}?CUST_NO=${custNo}`))['ASSET'];
const lastSeq = async (): Promise<number> => (await sim.ok(`/events?CUST_NO=${ACME}`))['LAST_SEQ'] as number;
const orderEvents = async (since: number, orderNo: string): Promise<string[]> =>
  ((await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=${since}`))['EVENTS'] as LegacyJson[])
    .filter((event) => event['OBJ_ID'] === orderNo)
    .map(
      (event) =>
        `${event['EVT_TYPE']}${event['LINE_REF'] === null ? '' : `:${event['LINE_REF']}`} ${event['OLD_STATUS']}>${event['NEW_STATUS']}`,
    );

describe('order creation', () => {
  it('answers RCVD with an order number, the standard dates and list prices', async () => {
    const answer = await createOrder([newLine({ CONFIG: { vlanId: 300, cos: 'GOLD' }, TERM_MONTHS: 24 })], {
      CUST_ORDER_REF: 'PO-4711',
      PROJECT_REF: 'PRJ-9',
      CONTACT_NAME: 'Eva Ops',
      CONTACT_PHONE: '+49 30 1',
      CONTACT_EMAIL: 'eva@acme.example',
    });
    expect(answer['RC']).toBe(0);
    const order = answer['ORDER'];
    expect(order['ORDER_NO']).toMatch(/^ORD-2026-\d{6}$/);
    expect(order).toMatchObject({
      CUST_NO: ACME,
      CUST_ORDER_REF: 'PO-4711',
      PROJECT_REF: 'PRJ-9',
      TEST_FLAG: 'N',
      ORDER_STATUS: 'RCVD',
      STATUS_RSN: null,
      ORDER_DATE: '02.03.2026 10:00',
      EXP_DATE: '16.03.2026',
      COMP_DATE: null,
      CANC_DATE: null,
      CHARGES: [],
      CONTACT_NAME: 'Eva Ops',
      CONTACT_PHONE: '+49 30 1',
      CONTACT_EMAIL: 'eva@acme.example',
      REMARKS: null,
    });
    expect(order['LINES'][0]).toMatchObject({
      LINE_REF: '1',
      ACTION: 'NEW',
      PROD_CODE: 'ELINE',
      BW_MBPS: 100,
      CONFIG: '{"vlanId":300,"cos":"GOLD"}',
      ADDR_KEY: 'NC-DE-000123',
      SITE_ID: null,
      ASSET_ID: null,
      OFFER_NO: null,
      TERM_MONTHS: 24,
      REQ_DATE: null,
      EXPEDITE: 'N',
      STD_DATE: '16.03.2026',
      EXP_DATE: '16.03.2026',
      LINE_STATUS: 'RCVD',
      MRC: 35100,
      NRC: 50000,
      CURRENCY: 'EUR',
      BILLABLE: 'Y',
    });
  });

  it('keeps a configuration given as text exactly as sent', async () => {
    const order = (await createOrder([newLine({ CONFIG: '<cfg vlan="7"/>' })]))['ORDER'];
    expect(order['LINES'][0]['CONFIG']).toBe('<cfg vlan="7"/>');
  });

  it('echoes TEST_FLAG Y on the order, its events and the asset, which is never billable', async () => {
    const since = await lastSeq();
    const orderNo = await orderNoOf([newLine()], { TEST_FLAG: 'Y' });
    const order = (await advance(orderNo, { TO: 'COMP' }))['ORDER'];
    expect(order).toMatchObject({ TEST_FLAG: 'Y', ORDER_STATUS: 'COMP' });
    expect(order['LINES'][0]['BILLABLE']).toBe('N');
    const events = (await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=${since}`))['EVENTS'] as LegacyJson[];
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((event) => event['TEST_FLAG'] === 'Y')).toBe(true);
    expect(await getAsset(order['LINES'][0]['ASSET_ID'])).toMatchObject({
      TEST_FLAG: 'Y',
      BILLABLE: 'N',
      ASSET_STATUS: 'ACTV',
    });
  });

  it.each([
    ['a bad TEST_FLAG', { TEST_FLAG: 'yes' }, [newLine()], 'TEST_FLAG', /Y, N/],
    ['a requested date in the past', {}, [newLine({ REQ_DATE: '27.02.2026' })], 'LINES[0].REQ_DATE', /in the past/],
    [
      'a requested date before the earliest date',
      {},
      [newLine({ REQ_DATE: '05.03.2026' })],
      'LINES[0].REQ_DATE',
      /earliest date 16\.03\.2026/,
    ],
    ['a malformed requested date', {}, [newLine({ REQ_DATE: '2026-04-01' })], 'LINES[0].REQ_DATE', /dd\.MM\.yyyy/],
    ['an impossible requested date', {}, [newLine({ REQ_DATE: '31.04.2026' })], 'LINES[0].REQ_DATE', /dd\.MM\.yyyy/],
    ['a configuration that is a number', {}, [newLine({ CONFIG: 42 })], 'LINES[0].CONFIG', /string or an object/],
    ['an unknown line field', {}, [newLine({ QTY: 1 })], 'LINES[0].QTY', /unknown field/],
    ['an offer line reference without offer', {}, [newLine({ OFFER_LINE_REF: '1' })], 'LINES[0].OFFER_LINE_REF', /needs OFFER_NO/],
    [
      'the same asset on two lines',
      {},
      [
        { LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000003' },
        { LINE_REF: '2', ACTION: 'CHG', ASSET_ID: 'AS-5000003', BW_MBPS: 1000 },
      ],
      'LINES[1].ASSET_ID',
      /already used by line 1/,
    ],
  ])('refuses %s with RC 8 naming the field', async (_case, extra, lines, field, message) => {
    expect(await createOrder(lines, extra)).toMatchObject(inputError(field, message));
  });

  it('is invisible to other customers', async () => {
    const orderNo = await orderNoOf();
    expect(await sim.call(`/orders/${orderNo}?CUST_NO=${GLOBEX}`)).toStrictEqual({ RC: 4, MSG: 'order unknown' });
    expect(await sim.call(`/orders/${orderNo}/cancel`, { CUST_NO: GLOBEX })).toStrictEqual({
      RC: 4,
      MSG: 'order unknown',
    });
    expect((await sim.ok(`/orders?CUST_NO=${GLOBEX}`))['ORDERS']).toEqual([]);
    expect((await sim.ok('/orders/inquiry', { CUST_NO: ACME, ORDER_NO: orderNo }))['ORDER']['ORDER_NO']).toBe(orderNo);
  });
});

describe('order lifecycle through _sim advance', () => {
  it('steps RCVD > VALD > PROV > COMP, reporting order and line changes, and creates the asset', async () => {
    const since = await lastSeq();
    const orderNo = await orderNoOf([newLine({ SITE_ID: 'ST-100011' })]);
    expect((await advance(orderNo))['ORDER']['ORDER_STATUS']).toBe('VALD');
    const provisioning = (await advance(orderNo))['ORDER'];
    expect(provisioning['ORDER_STATUS']).toBe('PROV');
    const assetId = provisioning['LINES'][0]['ASSET_ID'] as string;
    expect(assetId).toMatch(/^AS-\d{7}$/);
    expect(await getAsset(assetId)).toMatchObject({ ASSET_STATUS: 'PEND', START_DATE: null, ORDER_NO: orderNo });

    sim.clock = new Date('2026-03-13T15:30:00Z');
    const done = (await advance(orderNo))['ORDER'];
    expect(done).toMatchObject({ ORDER_STATUS: 'COMP', COMP_DATE: '13.03.2026 16:30' });
    expect(done['LINES'][0]).toMatchObject({ LINE_STATUS: 'COMP', COMP_DATE: '13.03.2026 16:30' });
    expect(done['STATUS_HIST'].map((entry: LegacyJson) => entry['STATUS'])).toEqual(['RCVD', 'VALD', 'PROV', 'COMP']);
    expect(await orderEvents(since, orderNo)).toEqual([
      'ORDER_STATUS null>RCVD',
      'ORDER_LINE_STATUS:1 RCVD>VALD',
      'ORDER_STATUS RCVD>VALD',
      'ORDER_LINE_STATUS:1 VALD>PROV',
      'ORDER_STATUS VALD>PROV',
      'ORDER_LINE_STATUS:1 PROV>COMP',
      'ORDER_STATUS PROV>COMP',
    ]);
    expect(await getAsset(assetId)).toMatchObject({
      ASSET_STATUS: 'ACTV',
      PROD_CODE: 'ELINE',
      BW_MBPS: 100,
      SITE_ID: 'ST-100011',
      ADDR_KEY: 'NC-DE-000123',
      START_DATE: '13.03.2026 16:30',
      MRC: 39000,
      CURRENCY: 'EUR',
      ORDERS: [{ ORDER_NO: orderNo, LINE_REF: '1', ACTION: 'NEW' }],
    });
    expect(await advance(orderNo)).toMatchObject(inputError('ORDER_NO', /final status COMP/));
  });

  it('goes straight to a target status, one reported step at a time', async () => {
    const orderNo = await orderNoOf();
    expect((await advance(orderNo, { TO: 'PROV' }))['ORDER']['ORDER_STATUS']).toBe('PROV');
    expect(await advance(orderNo, { TO: 'VALD' })).toMatchObject(inputError('TO', /already PROV/));
    expect(await advance(orderNo, { TO: 'REJD' })).toMatchObject(inputError('TO', /only RCVD, VALD or HOLD/));
  });

  it('rejects an order whose line is not feasible when validating it', async () => {
    const orderNo = await orderNoOf([newLine({ ADDR_KEY: 'NC-CH-000501' })]);
    const rejected = (await advance(orderNo))['ORDER'];
    expect(rejected).toMatchObject({ ORDER_STATUS: 'REJD', STATUS_RSN: 'line 1: country not served: Switzerland' });
    expect(rejected['LINES'][0]['LINE_STATUS']).toBe('REJD');
    expect(rejected['EXP_DATE']).toBeNull();
  });

  it('rejects or fails on demand, undoing asset work', async () => {
    const rejectedNo = await orderNoOf();
    expect((await advance(rejectedNo, { TO: 'REJD', REASON: 'credit check' }))['ORDER']).toMatchObject({
      ORDER_STATUS: 'REJD',
      STATUS_RSN: 'credit check',
    });

    const failedNo = await orderNoOf([{ LINE_REF: '1', ACTION: 'CHG', ASSET_ID: 'AS-5000006', BW_MBPS: 10000 }]);
    await advance(failedNo, { TO: 'PROV' });
    expect((await getAsset('AS-5000006'))['ASSET_STATUS']).toBe('ACHG');
    const failed = (await advance(failedNo, { TO: 'FAIL', REASON: 'card fault' }))['ORDER'];
    expect(failed).toMatchObject({ ORDER_STATUS: 'FAIL', STATUS_RSN: 'card fault' });
    expect(await getAsset('AS-5000006')).toMatchObject({ ASSET_STATUS: 'ACTV', BW_MBPS: 1000 });
  });

  it('ends partly completed when one line fails and another completes', async () => {
    const orderNo = await orderNoOf([newLine(), newLine({ LINE_REF: '2', PROD_CODE: 'UNI', BW_MBPS: 1000 })]);
    await advance(orderNo, { TO: 'PROV' });
    const afterFail = (await advance(orderNo, { TO: 'FAIL', LINE_REF: '2' }))['ORDER'];
    expect(afterFail['ORDER_STATUS']).toBe('PROV');
    const settled = (await advance(orderNo, { TO: 'COMP', LINE_REF: '1' }))['ORDER'];
    expect(settled['ORDER_STATUS']).toBe('PCMP');
    expect(settled['LINES'].map((line: LegacyJson) => line['LINE_STATUS'])).toEqual(['COMP', 'FAIL']);
    expect((await getAsset(settled['LINES'][1]['ASSET_ID']))['ASSET_STATUS']).toBe('CANC');
  });

  it('changes and terminates existing assets when CHG and DEL lines complete', async () => {
    const orderNo = await orderNoOf([
      { LINE_REF: 'up', ACTION: 'CHG', ASSET_ID: 'AS-5000003', BW_MBPS: 1000, CONFIG: '{"ipv6":true}' },
      { LINE_REF: 'off', ACTION: 'DEL', ASSET_ID: 'AS-5000004' },
    ]);
    await advance(orderNo, { TO: 'PROV' });
    expect((await getAsset('AS-5000004'))['ASSET_STATUS']).toBe('PTRM');
    await advance(orderNo, { TO: 'COMP' });
    expect(await getAsset('AS-5000003')).toMatchObject({
      ASSET_STATUS: 'ACTV',
      BW_MBPS: 1000,
      CONFIG: '{"ipv6":true}',
      MRC: 89000,
      ORDER_NO: orderNo,
    });
    expect(await getAsset('AS-5000004')).toMatchObject({
      ASSET_STATUS: 'TERM',
      END_DATE: '02.03.2026 10:00',
      ORDER_NO: orderNo,
    });
    expect(await createOrder([{ LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000004' }])).toMatchObject(
      inputError('LINES[0].ASSET_ID', /is TERM/),
    );
  });

  it('refuses a second order on an asset that has an open order', async () => {
    const first = await orderNoOf([{ LINE_REF: '1', ACTION: 'CHG', ASSET_ID: 'AS-5000002', BW_MBPS: 10000 }]);
    expect(await createOrder([{ LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000002' }])).toMatchObject(
      inputError('LINES[0].ASSET_ID', new RegExp(`open order ${first}`)),
    );
    await sim.ok(`/orders/${first}/cancel`, { CUST_NO: ACME });
    expect((await createOrder([{ LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000002' }]))['RC']).toBe(0);
  });
});

describe('cancel and reschedule', () => {
  it('cancels until provisioning completes, then refuses', async () => {
    const orderNo = await orderNoOf();
    await advance(orderNo, { TO: 'PROV' });
    const assetId = (await getOrder(orderNo))['LINES'][0]['ASSET_ID'] as string;
    const cancelled = (await sim.ok(`/orders/${orderNo}/cancel`, { CUST_NO: ACME, REASON: 'site closed' }))['ORDER'];
    expect(cancelled).toMatchObject({ ORDER_STATUS: 'CANC', STATUS_RSN: 'site closed', CANC_DATE: '02.03.2026 10:00' });
    expect(cancelled['LINES'][0]['LINE_STATUS']).toBe('CANC');
    expect((await getAsset(assetId))['ASSET_STATUS']).toBe('CANC');

    const completed = await orderNoOf();
    await advance(completed, { TO: 'COMP' });
    expect(await sim.call(`/orders/${completed}/cancel`, { CUST_NO: ACME })).toMatchObject(
      inputError('ORDER_NO', /COMP: too late to cancel/),
    );
  });

  it('moves the requested date, no earlier than the standard date, and reports the change', async () => {
    const orderNo = await orderNoOf();
    const since = await lastSeq();
    sim.clock = new Date('2026-03-02T11:00:00Z');
    const moved = (await sim.ok(`/orders/${orderNo}/reschedule`, { CUST_NO: ACME, REQ_DATE: '20.04.2026' }))['ORDER'];
    expect(moved).toMatchObject({ EXP_DATE: '20.04.2026', LAST_CHG: '02.03.2026 12:00' });
    expect(moved['LINES'][0]).toMatchObject({ REQ_DATE: '20.04.2026', EXP_DATE: '20.04.2026', STD_DATE: '16.03.2026' });
    expect(await orderEvents(since, orderNo)).toEqual(['ORDER_CHANGE:1 null>RCVD']);
    expect(await sim.call(`/orders/${orderNo}/reschedule`, { CUST_NO: ACME, REQ_DATE: '10.03.2026' })).toMatchObject(
      inputError('REQ_DATE', /earliest date 16\.03\.2026/),
    );
    expect(await sim.call(`/orders/${orderNo}/reschedule`, { CUST_NO: ACME, LINE_REF: '9', REQ_DATE: '20.04.2026' })).toMatchObject(
      inputError('LINE_REF', /no line 9/),
    );
  });
});

describe('expedite charges', () => {
  it("holds the order for the customer's decision; accepting buys the earlier date", async () => {
    const since = await lastSeq();
    const orderNo = await orderNoOf([newLine({ EXPEDITE: 'Y', REQ_DATE: '09.03.2026' })]);
    const held = (await advance(orderNo, { TO: 'COMP' }))['ORDER'];
    expect(held['ORDER_STATUS']).toBe('HOLD');
    expect(held['LINES'][0]).toMatchObject({ LINE_STATUS: 'HOLD', EXP_DATE: '16.03.2026', REQ_DATE: '09.03.2026' });
    const charge = held['CHARGES'][0];
    expect(charge).toMatchObject({
      LINE_REF: '1',
      CHARGE_TYPE: 'EXPEDITE',
      AMOUNT: 50000,
      CURRENCY: 'EUR',
      CHARGE_STATUS: 'OPEN',
      DECIDED: null,
    });
    expect(await advance(orderNo)).toMatchObject(inputError('ORDER_NO', /HOLD: waiting for the customer's charge decision/));

    const accepted = (await sim.ok(`/orders/${orderNo}/charges/${charge['CHARGE_ID']}`, { CUST_NO: ACME, DECISION: 'ACPT' }))['ORDER'];
    expect(accepted).toMatchObject({ ORDER_STATUS: 'PROV', EXP_DATE: '09.03.2026' });
    expect(accepted['CHARGES'][0]['CHARGE_STATUS']).toBe('ACPT');
    expect(await sim.call(`/orders/${orderNo}/charges/${charge['CHARGE_ID']}`, { CUST_NO: ACME, DECISION: 'DECL' })).toMatchObject(
      inputError('CHARGE_ID', /ACPT, not OPEN/),
    );
    const events = await orderEvents(since, orderNo);
    expect(events).toContain('CHARGE_STATUS:1 null>OPEN');
    expect(events).toContain('CHARGE_STATUS:1 OPEN>ACPT');
    expect(events.at(-1)).toBe('ORDER_STATUS HOLD>PROV');
  });

  it("keeps the standard date when the customer declines, in the customer's currency", async () => {
    const answer = await createOrder([newLine({ ADDR_KEY: 'NC-GB-000202', EXPEDITE: 'Y' })], {}, GLOBEX);
    const orderNo = answer['ORDER']['ORDER_NO'] as string;
    const held = (await sim.ok(`/_sim/orders/${orderNo}/advance`, { TO: 'PROV' }))['ORDER'];
    const charge = held['CHARGES'][0];
    expect(charge).toMatchObject({ AMOUNT: 43000, CURRENCY: 'GBP' });
    const declined = (await sim.ok(`/orders/${orderNo}/charges/${charge['CHARGE_ID']}`, { CUST_NO: GLOBEX, DECISION: 'DECL' }))['ORDER'];
    expect(declined).toMatchObject({ ORDER_STATUS: 'PROV', EXP_DATE: held['LINES'][0]['STD_DATE'] });
  });
});

describe('ordering offers', () => {
  const offer = async (extra: LegacyJson = {}): Promise<string> =>
    (
      await sim.ok('/offers', {
        CUST_NO: ACME,
        OFFER_TYPE: 'FIRM',
        LINES: [newLine({ BW_MBPS: 500, TERM_MONTHS: 36 })],
        ...extra,
      })
    )['OFFER']['OFFER_NO'] as string;

  it('takes a firm offer: the line inherits product, place and price, the offer becomes TAKN', async () => {
    const offerNo = await offer();
    const order = (await createOrder([{ LINE_REF: 'a', OFFER_NO: offerNo, OFFER_LINE_REF: '1' }]))['ORDER'];
    expect(order['LINES'][0]).toMatchObject({
      ACTION: 'NEW',
      PROD_CODE: 'ELINE',
      BW_MBPS: 500,
      ADDR_KEY: 'NC-DE-000123',
      TERM_MONTHS: 36,
      OFFER_NO: offerNo,
      OFFER_LINE_REF: '1',
      MRC: 63200,
      NRC: 75000,
    });
    expect((await sim.ok(`/offers/${offerNo}?CUST_NO=${ACME}`))['OFFER']).toMatchObject({
      OFFER_STATUS: 'TAKN',
      ORDER_NO: order['ORDER_NO'],
      RESV_STATUS: 'USED',
    });
    expect(await createOrder([newLine({ OFFER_NO: offerNo })])).toMatchObject(inputError('LINES[0].OFFER_NO', /is TAKN; only OFFR/));
  });

  it('refuses withdrawn, declined, expired and budgetary offers, naming the field', async () => {
    const withdrawn = await offer();
    await sim.ok(`/offers/${withdrawn}/withdraw`, { CUST_NO: ACME });
    expect(await createOrder([newLine({ OFFER_NO: withdrawn })])).toMatchObject(inputError('LINES[0].OFFER_NO', /is WDRN/));

    const budgetary = await offer({ OFFER_TYPE: 'BUD' });
    expect(await createOrder([newLine({ OFFER_NO: budgetary })])).toMatchObject(inputError('LINES[0].OFFER_NO', /budgetary/));

    const expiring = await offer();
    sim.clock = new Date('2026-04-02T08:00:00Z');
    expect(await createOrder([newLine({ OFFER_NO: expiring })])).toMatchObject(inputError('LINES[0].OFFER_NO', /is EXPD/));
  });

  it('refuses a line that contradicts the offer, or an offer of another customer', async () => {
    const offerNo = await offer();
    expect(await createOrder([newLine({ OFFER_NO: offerNo, BW_MBPS: 1000 })])).toMatchObject(
      inputError('LINES[0].BW_MBPS', /differs from offer/),
    );
    expect(await createOrder([newLine({ OFFER_NO: offerNo, OFFER_LINE_REF: '7' })])).toMatchObject(
      inputError('LINES[0].OFFER_LINE_REF', /no line 7/),
    );
    expect(await createOrder([newLine({ ADDR_KEY: 'NC-GB-000202', OFFER_NO: offerNo })], {}, GLOBEX)).toMatchObject(
      inputError('LINES[0].OFFER_NO', /unknown/),
    );
    expect((await sim.ok(`/offers/${offerNo}?CUST_NO=${ACME}`))['OFFER']['OFFER_STATUS']).toBe('OFFR');
  });
});

describe('polling', () => {
  it('lists orders changed since a local timestamp', async () => {
    const quiet = await orderNoOf();
    sim.clock = new Date('2026-03-05T08:00:00Z');
    const busy = await orderNoOf();
    sim.clock = new Date('2026-03-06T08:00:00Z');
    await advance(busy);
    const changed = await sim.ok(`/orders?CUST_NO=${ACME}&CHANGED_SINCE=${encodeURIComponent('06.03.2026 09:00')}`);
    const numbers = changed['ORDERS'].map((order: LegacyJson) => order['ORDER_NO']);
    expect(numbers).toContain(busy);
    expect(numbers).not.toContain(quiet);
    expect(await sim.call(`/orders?CUST_NO=${ACME}&CHANGED_SINCE=2026-03-06`)).toMatchObject(
      inputError('CHANGED_SINCE', /dd\.MM\.yyyy HH:mm/),
    );
    expect(
      (await sim.ok('/orders/search', { CUST_NO: ACME, CHANGED_SINCE: '06.03.2026 09:00', ORDER_STATUS: 'VALD' }))['ORDERS'].map(
        (order: LegacyJson) => order['ORDER_NO'],
      ),
    ).toEqual([busy]);
  });

  it('moves orders by itself with autoAdvanceMs', async () => {
    const auto = await startDomainSim({ autoAdvanceMs: 5 });
    try {
      const orderNo = (await auto.ok('/orders', { CUST_NO: ACME, LINES: [newLine()] }))['ORDER']['ORDER_NO'] as string;
      await expect
        .poll(async () => (await auto.ok(`/orders/${orderNo}?CUST_NO=${ACME}`))['ORDER']['ORDER_STATUS'], {
          timeout: 5_000,
        })
        .toBe('COMP');
      const history = (await auto.ok(`/orders/${orderNo}?CUST_NO=${ACME}`))['ORDER']['STATUS_HIST'].map(
        (entry: LegacyJson) => entry['STATUS'],
      );
      expect(history).toEqual(['RCVD', 'VALD', 'PROV', 'COMP']);
    } finally {
      await auto.close();
    }
  });
});
