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

const feasibility = (lines: LegacyJson[], extra: LegacyJson = {}): Promise<LegacyJson> =>
  sim.call('/feasibility', { CUST_NO: ACME, LINES: lines, ...extra });
const firmOffer = (lines: LegacyJson[] = [newLine()], extra: LegacyJson = {}): Promise<LegacyJson> =>
  sim.ok('/offers', { CUST_NO: ACME, OFFER_TYPE: 'FIRM', LINES: lines, ...extra });
const eventsAfter = async (seq: number, custNo = ACME): Promise<LegacyJson[]> =>
  (await sim.ok(`/events?CUST_NO=${custNo}&SINCE_SEQ=${seq}`))['EVENTS'] as LegacyJson[];
const lastSeq = async (): Promise<number> => (await sim.ok(`/events?CUST_NO=${ACME}`))['LAST_SEQ'] as number;

describe('feasibility (synchronous)', () => {
  it('answers every line at once, deterministically from the coverage seed', async () => {
    const answer = await feasibility(
      [
        newLine({ LINE_REF: 'on-net', BW_MBPS: 1000 }),
        newLine({ LINE_REF: 'off-net', ADDR_KEY: 'NC-DE-000125', BW_MBPS: 500 }),
        newLine({ LINE_REF: 'build', ADDR_KEY: 'NC-DE-000124' }),
        newLine({ LINE_REF: 'too-fast', ADDR_KEY: 'NC-DE-000125', BW_MBPS: 1000 }),
        newLine({ LINE_REF: 'abroad', PROD_CODE: 'DIA', ADDR_KEY: 'NC-CH-000501' }),
        newLine({ LINE_REF: 'unsurveyed', ADDR_KEY: 'NC-DE-000110' }),
      ],
      { REQ_REF: 'POQ-17' },
    );
    expect(answer['RC']).toBe(0);
    const feas = answer['FEAS'];
    expect(feas).toMatchObject({
      CUST_NO: ACME,
      REQ_REF: 'POQ-17',
      MODE: 'SYNC',
      FEAS_STATUS: 'DONE',
      CREATED: '02.03.2026 10:00',
      COMPLETED: '02.03.2026 10:00',
      VALID_UNTIL: '01.04.2026 23:59',
      ERR_TXT: null,
    });
    expect(feas['FEAS_ID']).toMatch(/^FQ-2026-\d{6}$/);
    const results = (feas['LINES'] as LegacyJson[]).map((line) => [
      line['LINE_REF'],
      line['RESULT'],
      line['CONF'],
      line['NET_TYPE'],
      line['LEAD_DAYS'],
    ]);
    expect(results).toEqual([
      ['on-net', 'FE', 'G', 'ON', 10],
      ['off-net', 'FE', 'Y', 'OFF', 25],
      ['build', 'FB', 'Y', 'ON', 30],
      ['too-fast', 'NF', 'R', 'OFF', null],
      ['abroad', 'NF', 'R', null, null],
      ['unsurveyed', 'FB', 'Y', 'OFF', 40],
    ]);
    expect(feas['LINES'][3]['REASON']).toMatch(/above 500 Mbit\/s/);
    expect(feas['LINES'][4]['REASON']).toBe('country not served: Switzerland');
    // No alternatives unless asked for.
    expect(feas['LINES'][3]['ALTERNATIVES']).toEqual([]);
  });

  it('proposes the highest feasible bandwidth as alternative when ALT_WANTED is Y', async () => {
    const answer = await feasibility([newLine({ ADDR_KEY: 'NC-DE-000102', BW_MBPS: 1000 })], { ALT_WANTED: 'Y' });
    expect(answer['FEAS']['LINES'][0]['ALTERNATIVES']).toEqual([
      { PROD_CODE: 'ELINE', BW_MBPS: 200, RESULT: 'FE', CONF: 'Y', LEAD_DAYS: 25 },
    ]);
  });

  it("checks CHG and DEL lines against the customer's existing asset", async () => {
    const answer = await feasibility([
      { LINE_REF: '1', ACTION: 'CHG', ASSET_ID: 'AS-5000001', BW_MBPS: 1000 },
      { LINE_REF: '2', ACTION: 'DEL', ASSET_ID: 'AS-5000004' },
    ]);
    expect(answer['FEAS']['LINES']).toMatchObject([
      {
        ACTION: 'CHG',
        PROD_CODE: 'ELINE',
        ADDR_KEY: 'NC-DE-000123',
        SITE_ID: 'ST-100011',
        RESULT: 'FE',
        CONF: 'G',
        LEAD_DAYS: 5,
      },
      { ACTION: 'DEL', BW_MBPS: 50, ADDR_KEY: 'NC-DE-000107', RESULT: 'FE', LEAD_DAYS: 5 },
    ]);
  });

  it.each([
    ['no lines', { CUST_NO: ACME }, 'LINES', /at least one line/],
    ['an unknown top-level field', { CUST_NO: ACME, LINES: [newLine()], PRIORITY: 1 }, 'PRIORITY', /unknown field/],
    ['a bad mode', { CUST_NO: ACME, MODE: 'LATER', LINES: [newLine()] }, 'MODE', /SYNC, ASYNC/],
    ['a bandwidth that is not orderable', { CUST_NO: ACME, LINES: [newLine({ BW_MBPS: 300 })] }, 'LINES[0].BW_MBPS', /orderable: 10, 50/],
    ['a bandwidth given as text', { CUST_NO: ACME, LINES: [newLine({ BW_MBPS: '100' })] }, 'LINES[0].BW_MBPS', /whole number/],
    ['an unknown product', { CUST_NO: ACME, LINES: [newLine({ PROD_CODE: 'MPLS' })] }, 'LINES[0].PROD_CODE', /unknown/],
    ['an unknown address', { CUST_NO: ACME, LINES: [newLine({ ADDR_KEY: 'NC-DE-999999' })] }, 'LINES[0].ADDR_KEY', /unknown/],
    ['no place', { CUST_NO: ACME, LINES: [newLine({ ADDR_KEY: null })] }, 'LINES[0].ADDR_KEY', /ADDR_KEY or SITE_ID missing/],
    [
      'a site at another address',
      { CUST_NO: ACME, LINES: [newLine({ SITE_ID: 'ST-100012' })] },
      'LINES[0].SITE_ID',
      /lies at NC-DE-000101/,
    ],
    [
      "another customer's site",
      { CUST_NO: ACME, LINES: [newLine({ ADDR_KEY: null, SITE_ID: 'ST-100021' })] },
      'LINES[0].SITE_ID',
      /unknown/,
    ],
    [
      'an asset on a NEW line',
      { CUST_NO: ACME, LINES: [newLine({ ASSET_ID: 'AS-5000001' })] },
      'LINES[0].ASSET_ID',
      /only for CHG and DEL/,
    ],
    ['a CHG line without asset', { CUST_NO: ACME, LINES: [newLine({ ACTION: 'CHG' })] }, 'LINES[0].ASSET_ID', /missing/],
    [
      "another customer's asset",
      { CUST_NO: ACME, LINES: [{ LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000011' }] },
      'LINES[0].ASSET_ID',
      /unknown/,
    ],
    [
      'a terminated asset',
      { CUST_NO: ACME, LINES: [{ LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000005' }] },
      'LINES[0].ASSET_ID',
      /is TERM/,
    ],
    ['a line reference used twice', { CUST_NO: ACME, LINES: [newLine(), newLine()] }, 'LINES[1].LINE_REF', /used twice/],
    ['a line that is not an object', { CUST_NO: ACME, LINES: ['ELINE'] }, 'LINES[0]', /must be an object/],
  ])('refuses %s with RC 8 naming the field', async (_case, body, field, message) => {
    expect(await sim.call('/feasibility', body)).toMatchObject(inputError(field, message));
  });

  it('answers malformed JSON with RC 8 and no field', async () => {
    const res = await fetch(`${sim.bss.url}/bss/v2/feasibility`, {
      method: 'POST',
      headers: { 'X-BSS-Api-Key': 'domain-test-key' },
      body: '{"CUST_NO":',
    });
    expect(await res.json()).toStrictEqual({ RC: 8, MSG: 'malformed request', ERR_FIELD: null });
  });
});

describe('feasibility (deferred)', () => {
  it('answers PEND at once, completes on the _sim advance and journals both changes', async () => {
    const since = await lastSeq();
    const created = await feasibility([newLine()], { MODE: 'ASYNC' });
    const feasId = created['FEAS']['FEAS_ID'] as string;
    expect(created['FEAS']).toMatchObject({ FEAS_STATUS: 'PEND', COMPLETED: null, VALID_UNTIL: null });
    expect(created['FEAS']['LINES'][0]).toMatchObject({ RESULT: null, CONF: null, LEAD_DAYS: null });
    expect((await sim.ok(`/feasibility/${feasId}?CUST_NO=${ACME}`))['FEAS']['FEAS_STATUS']).toBe('PEND');

    sim.clock = new Date('2026-03-02T13:30:00Z');
    const advanced = await sim.ok(`/_sim/feasibility/${feasId}/advance`, {});
    expect(advanced['FEAS']).toMatchObject({ FEAS_STATUS: 'DONE', COMPLETED: '02.03.2026 14:30' });
    expect(advanced['FEAS']['LINES'][0]).toMatchObject({ RESULT: 'FE', CONF: 'G' });
    expect(
      (await eventsAfter(since)).map((event) => [event['EVT_TYPE'], event['OBJ_ID'], event['OLD_STATUS'], event['NEW_STATUS']]),
    ).toEqual([
      ['FEAS_STATUS', feasId, null, 'PEND'],
      ['FEAS_STATUS', feasId, 'PEND', 'DONE'],
    ]);
    expect(await sim.call(`/_sim/feasibility/${feasId}/advance`, {})).toMatchObject(inputError('FEAS_ID', /is DONE/));
  });

  it('can be made to fail through the _sim advance', async () => {
    const feasId = (await feasibility([newLine()], { MODE: 'ASYNC' }))['FEAS']['FEAS_ID'] as string;
    const failed = await sim.ok(`/_sim/feasibility/${feasId}/advance`, { TO: 'ERR', REASON: 'planning system down' });
    expect(failed['FEAS']).toMatchObject({ FEAS_STATUS: 'ERR', ERR_TXT: 'planning system down', VALID_UNTIL: null });
  });

  it('completes by itself after deferredDelayMs', async () => {
    const quick = await startDomainSim({ deferredDelayMs: 5 });
    try {
      const feasId = (await quick.ok('/feasibility', { CUST_NO: ACME, MODE: 'ASYNC', LINES: [newLine()] }))['FEAS']['FEAS_ID'] as string;
      await expect
        .poll(async () => (await quick.ok(`/feasibility/${feasId}?CUST_NO=${ACME}`))['FEAS']['FEAS_STATUS'], {
          timeout: 5_000,
        })
        .toBe('DONE');
    } finally {
      await quick.close();
    }
  });

  it("lists a customer's checks and hides them from other customers", async () => {
    const feasId = (await feasibility([newLine()], { REQ_REF: 'only-acme' }))['FEAS']['FEAS_ID'] as string;
    const list = await sim.ok(`/feasibility?CUST_NO=${ACME}&REQ_REF=only-acme`);
    expect(list['FEAS_LIST'].map((feas: LegacyJson) => feas['FEAS_ID'])).toEqual([feasId]);
    expect(await sim.call(`/feasibility/${feasId}?CUST_NO=${GLOBEX}`)).toStrictEqual({
      RC: 4,
      MSG: 'feasibility check unknown',
    });
    expect((await sim.ok(`/feasibility?CUST_NO=${GLOBEX}`))['TOTAL']).toBe(0);
  });
});

describe('offers', () => {
  it('prices a firm offer from the list, valid 30 days, with a reservation', async () => {
    const answer = await firmOffer([newLine({ TERM_MONTHS: 36 }), newLine({ LINE_REF: '2', ADDR_KEY: 'NC-DE-000124', PROD_CODE: 'DIA' })], {
      REQ_REF: 'Q-1',
    });
    const offer = answer['OFFER'];
    expect(offer).toMatchObject({
      CUST_NO: ACME,
      REQ_REF: 'Q-1',
      OFFER_TYPE: 'FIRM',
      MODE: 'SYNC',
      OFFER_STATUS: 'OFFR',
      CURRENCY: 'EUR',
      OFFERED: '02.03.2026 10:00',
      VALID_TO: '01.04.2026 23:59',
      RESV_STATUS: 'HELD',
      RESV_UNTIL: '01.04.2026 23:59',
      ORDER_NO: null,
    });
    expect(offer['OFFER_NO']).toMatch(/^OF-2026-\d{6}$/);
    expect(offer['RESV_ID']).toMatch(/^RV-2026-\d{6}$/);
    // ELINE 100 on-net, 36 months: 39000 x 0.8; DIA 100 at an on-net address needing a build: list NRC + build charge.
    expect(offer['LINES']).toMatchObject([
      {
        LINE_REF: '1',
        LINE_STATUS: 'OFFR',
        RESULT: 'FE',
        MRC: 31200,
        NRC: 50000,
        CURRENCY: 'EUR',
        TERM_MONTHS: 36,
        LEAD_DAYS: 10,
      },
      {
        LINE_REF: '2',
        LINE_STATUS: 'OFFR',
        RESULT: 'FB',
        MRC: 32000,
        NRC: 290000,
        CURRENCY: 'EUR',
        TERM_MONTHS: 12,
        LEAD_DAYS: 30,
      },
    ]);
    expect(offer).toMatchObject({ TOTAL_MRC: 63200, TOTAL_NRC: 340000 });
  });

  it("quotes in the customer's currency and applies the off-net surcharge", async () => {
    const answer = await sim.ok('/offers', {
      CUST_NO: GLOBEX,
      OFFER_TYPE: 'BUD',
      LINES: [newLine({ ADDR_KEY: 'NC-GB-000201', PROD_CODE: 'DIA', BW_MBPS: 100 })],
    });
    // 32000 EUR cents x 1.25 off-net = 40000, x 0.86 = 34400 GBP pence; NRC 40000 x 0.86.
    expect(answer['OFFER']).toMatchObject({
      OFFER_TYPE: 'BUD',
      CURRENCY: 'GBP',
      VALID_TO: '31.05.2026 23:59',
      RESV_ID: null,
      RESV_STATUS: null,
    });
    expect(answer['OFFER']['LINES'][0]).toMatchObject({ NET_TYPE: 'OFF', MRC: 34400, NRC: 34400, CURRENCY: 'GBP' });
  });

  it('answers NOOF with reasons when no line is feasible, OFFR when some are', async () => {
    const none = await firmOffer([newLine({ ADDR_KEY: 'NC-US-000601' })]);
    expect(none['OFFER']).toMatchObject({ OFFER_STATUS: 'NOOF', VALID_TO: null, RESV_ID: null, TOTAL_MRC: null });
    expect(none['OFFER']['LINES'][0]).toMatchObject({
      LINE_STATUS: 'NOOF',
      MRC: null,
      REASON: 'country not served: United States',
    });
    const some = await firmOffer([newLine(), newLine({ LINE_REF: '2', BW_MBPS: 10000, ADDR_KEY: 'NC-DE-000125' })]);
    expect(some['OFFER']['OFFER_STATUS']).toBe('OFFR');
    expect(some['OFFER']['LINES'].map((line: LegacyJson) => line['LINE_STATUS'])).toEqual(['OFFR', 'NOOF']);
  });

  it('accepts a feasibility reference of the same customer only, for the same product and place', async () => {
    const feasId = (await feasibility([newLine()]))['FEAS']['FEAS_ID'] as string;
    expect((await firmOffer([newLine({ FEAS_ID: feasId })]))['OFFER']['LINES'][0]['FEAS_ID']).toBe(feasId);
    expect(
      await sim.call('/offers', {
        CUST_NO: ACME,
        OFFER_TYPE: 'FIRM',
        LINES: [newLine({ FEAS_ID: feasId, ADDR_KEY: 'NC-DE-000101' })],
      }),
    ).toMatchObject(inputError('LINES[0].FEAS_ID', /covers ELINE at NC-DE-000123/));
    expect(
      await sim.call('/offers', {
        CUST_NO: GLOBEX,
        OFFER_TYPE: 'FIRM',
        LINES: [newLine({ ADDR_KEY: 'NC-GB-000202', FEAS_ID: feasId })],
      }),
    ).toMatchObject(inputError('LINES[0].FEAS_ID', /unknown/));
    sim.clock = new Date('2026-04-02T08:00:00Z');
    expect(await sim.call('/offers', { CUST_NO: ACME, OFFER_TYPE: 'FIRM', LINES: [newLine({ FEAS_ID: feasId })] })).toMatchObject(
      inputError('LINES[0].FEAS_ID', /expired/),
    );
  });

  it.each([
    ['a missing offer type', { CUST_NO: ACME, LINES: [newLine()] }, 'OFFER_TYPE', /missing/],
    [
      'a term that is not sold',
      { CUST_NO: ACME, OFFER_TYPE: 'FIRM', LINES: [newLine({ TERM_MONTHS: 18 })] },
      'LINES[0].TERM_MONTHS',
      /12, 24, 36/,
    ],
  ])('refuses %s with RC 8 naming the field', async (_case, body, field, message) => {
    expect(await sim.call('/offers', body)).toMatchObject(inputError(field, message));
  });

  it('expires after VALID_TO (injected clock), releases the reservation and journals it', async () => {
    const offerNo = (await firmOffer())['OFFER']['OFFER_NO'] as string;
    sim.clock = new Date('2026-04-01T21:59:00Z'); // 01.04.2026 23:59 CEST: still valid
    expect((await sim.ok(`/offers/${offerNo}?CUST_NO=${ACME}`))['OFFER']['OFFER_STATUS']).toBe('OFFR');
    const since = await lastSeq();
    sim.clock = new Date('2026-04-01T22:00:00Z');
    const expired = (await sim.ok(`/offers/${offerNo}?CUST_NO=${ACME}`))['OFFER'];
    expect(expired).toMatchObject({
      OFFER_STATUS: 'EXPD',
      RESV_STATUS: 'RLSD',
      STATUS_RSN: 'valid-to 01.04.2026 23:59 passed',
    });
    expect(await eventsAfter(since)).toMatchObject([
      { EVT_TYPE: 'OFFER_STATUS', OBJ_ID: offerNo, OLD_STATUS: 'OFFR', NEW_STATUS: 'EXPD', EVT_TS: '02.04.2026 00:00' },
    ]);
  });

  it('lets the customer withdraw or decline an offer, each once', async () => {
    const withdrawn = (await firmOffer())['OFFER']['OFFER_NO'] as string;
    const answer = await sim.ok(`/offers/${withdrawn}/withdraw`, { CUST_NO: ACME, REASON: 'project stopped' });
    expect(answer['OFFER']).toMatchObject({ OFFER_STATUS: 'WDRN', STATUS_RSN: 'project stopped', RESV_STATUS: 'RLSD' });
    expect(await sim.call(`/offers/${withdrawn}/decline`, { CUST_NO: ACME })).toMatchObject(
      inputError('OFFER_NO', /is WDRN; decline needs OFFR/),
    );

    const declined = (await firmOffer())['OFFER']['OFFER_NO'] as string;
    expect((await sim.ok(`/offers/${declined}/decline`, { CUST_NO: ACME }))['OFFER']['OFFER_STATUS']).toBe('DECL');
    expect(await sim.call(`/offers/${declined}/withdraw`, { CUST_NO: ACME })).toMatchObject(inputError('OFFER_NO', /is DECL/));
    expect(await sim.call(`/offers/${declined}/withdraw`, { CUST_NO: GLOBEX })).toStrictEqual({
      RC: 4,
      MSG: 'offer unknown',
    });
  });

  it('prepares a deferred offer in INPR until the _sim advance prices it', async () => {
    const since = await lastSeq();
    const offerNo = (await firmOffer([newLine()], { MODE: 'ASYNC' }))['OFFER']['OFFER_NO'] as string;
    const pending = (await sim.ok(`/offers/${offerNo}?CUST_NO=${ACME}`))['OFFER'];
    expect(pending).toMatchObject({ OFFER_STATUS: 'INPR', VALID_TO: null, TOTAL_MRC: null });
    expect(pending['LINES'][0]).toMatchObject({ LINE_STATUS: 'INPR', MRC: null });
    expect((await sim.ok(`/_sim/offers/${offerNo}/advance`, {}))['OFFER']).toMatchObject({
      OFFER_STATUS: 'OFFR',
      RESV_STATUS: 'HELD',
    });
    expect((await eventsAfter(since)).map((event) => `${event['OLD_STATUS']}>${event['NEW_STATUS']}`)).toEqual(['null>INPR', 'INPR>OFFR']);

    const refused = (await firmOffer([newLine()], { MODE: 'ASYNC' }))['OFFER']['OFFER_NO'] as string;
    expect((await sim.ok(`/_sim/offers/${refused}/advance`, { TO: 'NOOF', REASON: 'no capacity' }))['OFFER']).toMatchObject({
      OFFER_STATUS: 'NOOF',
      STATUS_RSN: 'no capacity',
    });
  });

  it('lists by customer with status filter; other customers see nothing', async () => {
    const offerNo = (await firmOffer([newLine()], { REQ_REF: 'list-me' }))['OFFER']['OFFER_NO'] as string;
    const list = await sim.ok(`/offers?CUST_NO=${ACME}&REQ_REF=list-me&OFFER_STATUS=OFFR`);
    expect(list['OFFERS'].map((offer: LegacyJson) => offer['OFFER_NO'])).toEqual([offerNo]);
    expect((await sim.ok(`/offers?CUST_NO=${GLOBEX}&REQ_REF=list-me`))['TOTAL']).toBe(0);
    expect(await sim.call(`/offers?CUST_NO=${ACME}&OFFER_STATUS=open`)).toMatchObject(inputError('OFFER_STATUS', /INPR, OFFR/));
  });
});
