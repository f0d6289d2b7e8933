import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACME,
  GLOBEX,
  INITECH,
  inputError,
  MONDAY_10_00,
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

const ids = (list: LegacyJson[], field: string): string[] => list.map((item) => item[field] as string);

describe('assets', () => {
  it("lists the customer's seeded installed base with a total, in id order", async () => {
    const answer = await sim.ok(`/assets?CUST_NO=${ACME}`);
    expect(answer).toMatchObject({ TOTAL: 6, OFFSET: 0, LIMIT: 50 });
    expect(ids(answer['ASSETS'], 'ASSET_ID')).toEqual(['AS-5000001', 'AS-5000002', 'AS-5000003', 'AS-5000004', 'AS-5000005', 'AS-5000006']);
  });

  it('shows one asset with prices from the price list and its history', async () => {
    const asset = (await sim.ok(`/assets/AS-5000011?CUST_NO=${GLOBEX}`))['ASSET'];
    expect(asset).toStrictEqual({
      ASSET_ID: 'AS-5000011',
      CUST_NO: GLOBEX,
      PROD_CODE: 'ELINE',
      PROD_NAME: expect.stringMatching(/^Access E-Line/),
      BW_MBPS: 1000,
      CONFIG: '{"vlanId":2001}',
      ADDR_KEY: 'NC-GB-000202',
      SITE_ID: 'ST-100021',
      ASSET_STATUS: 'ACTV',
      TERM_MONTHS: 24,
      MRC: 76626, // 99000 x 0.9 (24 months) x 0.86 GBP
      NRC: 64500,
      CURRENCY: 'GBP',
      TEST_FLAG: 'N',
      BILLABLE: 'Y',
      START_DATE: '01.08.2025 09:00',
      END_DATE: null,
      LAST_CHG: '01.08.2025 09:00',
      ORDER_NO: 'ORD-2025-000233',
      ORDERS: [{ ORDER_NO: 'ORD-2025-000233', LINE_REF: '1', ACTION: 'NEW' }],
      STATUS_HIST: [{ STATUS: 'ACTV', TS: '01.08.2025 09:00', RSN: null }],
    });
  });

  it.each([
    ['status', 'ASSET_STATUS=SUSP', ['AS-5000004']],
    ['product', 'PROD_CODE=DIA', ['AS-5000003']],
    ['site', 'SITE_ID=ST-100011', ['AS-5000001', 'AS-5000002']],
    ['address', 'ADDR_KEY=NC-DE-000112', ['AS-5000006']],
    ['order number', 'ORDER_NO=ORD-2024-000311', ['AS-5000001', 'AS-5000002']],
    ['change time', `CHANGED_SINCE=${encodeURIComponent('01.01.2026 00:00')}`, ['AS-5000004']],
  ])('filters by %s', async (_case, query, expected) => {
    expect(ids((await sim.ok(`/assets?CUST_NO=${ACME}&${query}`))['ASSETS'], 'ASSET_ID')).toEqual(expected);
  });

  it('pages with OFFSET and LIMIT, the same through POST /assets/search', async () => {
    const page = await sim.ok(`/assets?CUST_NO=${ACME}&OFFSET=2&LIMIT=2`);
    expect(page).toMatchObject({ TOTAL: 6, OFFSET: 2, LIMIT: 2 });
    expect(ids(page['ASSETS'], 'ASSET_ID')).toEqual(['AS-5000003', 'AS-5000004']);
    expect(await sim.ok('/assets/search', { CUST_NO: ACME, OFFSET: 2, LIMIT: 2 })).toStrictEqual(page);
    expect(await sim.call('/assets/search', { CUST_NO: ACME, LIMIT: '2' })).toMatchObject(inputError('LIMIT', /whole number/));
  });

  it("never shows another customer's assets", async () => {
    expect(await sim.call(`/assets/AS-5000001?CUST_NO=${GLOBEX}`)).toStrictEqual({ RC: 4, MSG: 'asset unknown' });
    expect(ids((await sim.ok(`/assets?CUST_NO=${INITECH}`))['ASSETS'], 'ASSET_ID')).toEqual(['AS-5000021']);
  });
});

describe('incidents', () => {
  it('lists incidents affecting the customer, with only its own assets named', async () => {
    const answer = await sim.ok(`/incidents?CUST_NO=${INITECH}`);
    expect(ids(answer['INCIDENTS'], 'INC_NO')).toEqual(['INC-2025-000093', 'INC-2026-000021']);
    expect(answer['INCIDENTS'][0]).toMatchObject({
      INC_TYPE: 'NF',
      INC_STATUS: 'END',
      AFFECTED: ['AS-5000021'],
      END_TS: '07.10.2025 07:48',
    });
    const fra = (await sim.ok(`/incidents/INC-2025-000093?CUST_NO=${ACME}`))['INCIDENT'];
    expect(fra['AFFECTED']).toEqual(['AS-5000006']);
  });

  it('filters by status and asset, and hides incidents that do not concern the customer', async () => {
    expect(ids((await sim.ok(`/incidents?CUST_NO=${ACME}&INC_STATUS=NEW`))['INCIDENTS'], 'INC_NO')).toEqual(['INC-2026-000017']);
    expect(ids((await sim.ok(`/incidents?CUST_NO=${ACME}&ASSET_ID=AS-5000006`))['INCIDENTS'], 'INC_NO')).toEqual(['INC-2025-000093']);
    expect(await sim.call(`/incidents/INC-2026-000018?CUST_NO=${ACME}`)).toStrictEqual({
      RC: 4,
      MSG: 'incident unknown',
    });
    expect((await sim.ok('/incidents/inquiry', { CUST_NO: GLOBEX, INC_NO: 'INC-2026-000018' }))['INCIDENT']).toMatchObject({
      IMPACT: 'DOWN',
      SEVERITY: 1,
    });
  });
});

describe('faults', () => {
  const openFault = async (extra: LegacyJson = {}, custNo = ACME): Promise<LegacyJson> =>
    sim.call('/faults', {
      CUST_NO: custNo,
      ASSET_ID: 'AS-5000001',
      FAULT_TYPE: 'RP',
      SEVERITY: 2,
      PRIORITY: 1,
      IMPACT: 'DOWN',
      DESCRIPTION: 'No traffic since 09:40',
      CONTACT_NAME: 'Eva Ops',
      CONTACT_PHONE: '+49 30 1',
      CUST_TT_REF: 'ACME-TT-1',
      ...extra,
    });
  const ttNoOf = async (extra?: LegacyJson): Promise<string> => (await openFault(extra))['FAULT']['TT_NO'] as string;
  const advance = (ttNo: string, body: LegacyJson = {}): Promise<LegacyJson> => sim.call(`/_sim/faults/${ttNo}/advance`, body);
  const lastSeq = async (): Promise<number> => (await sim.ok(`/events?CUST_NO=${ACME}`))['LAST_SEQ'] as number;

  it('opens a ticket on an asset with site, address, restore target and linked incident', async () => {
    const fault = (await openFault({ OBSERVED: '02.03.2026 09:40' }))['FAULT'];
    expect(fault['TT_NO']).toMatch(/^TT-2026-\d{6}$/);
    expect(fault).toMatchObject({
      CUST_NO: ACME,
      CUST_TT_REF: 'ACME-TT-1',
      ASSET_ID: 'AS-5000001',
      SITE_ID: 'ST-100011',
      ADDR_KEY: 'NC-DE-000123',
      FAULT_TYPE: 'RP',
      SEVERITY: 2,
      PRIORITY: 1,
      IMPACT: 'DOWN',
      TT_STATUS: 'OPEN',
      OBSERVED: '02.03.2026 09:40',
      OPENED: '02.03.2026 10:00',
      TARGET_TS: '02.03.2026 14:00',
      RESOLVED: null,
      RESOLUTION: null,
      INFO_REQ: null,
      INCIDENT_NO: 'INC-2026-000017',
      CONTACT_EMAIL: null,
      NOTES: [],
    });
  });

  it('opens a ticket on a site only', async () => {
    const fault = (await openFault({ ASSET_ID: null, SITE_ID: 'ST-100001', FAULT_TYPE: 'AS', PRIORITY: null }))['FAULT'];
    expect(fault).toMatchObject({
      ASSET_ID: null,
      SITE_ID: 'ST-100001',
      ADDR_KEY: 'NC-DE-000112',
      PRIORITY: 3,
      TARGET_TS: '03.03.2026 10:00',
      INCIDENT_NO: null,
    });
  });

  it.each([
    ['no asset or site', { ASSET_ID: null }, 'ASSET_ID', /ASSET_ID or SITE_ID missing/],
    ["another customer's asset", { ASSET_ID: 'AS-5000011' }, 'ASSET_ID', /unknown/],
    ['a terminated asset', { ASSET_ID: 'AS-5000005' }, 'ASSET_ID', /is TERM/],
    ["a site that is not the asset's", { SITE_ID: 'ST-100012' }, 'SITE_ID', /not the asset's site/],
    ['a severity out of range', { SEVERITY: 5 }, 'SEVERITY', /between 1 and 4/],
    ['an unknown fault type', { FAULT_TYPE: 'maintenance' }, 'FAULT_TYPE', /RP, IN, IQ, AS/],
    ['no description', { DESCRIPTION: '  ' }, 'DESCRIPTION', /missing/],
    ['no way to reach the reporter', { CONTACT_PHONE: null }, 'CONTACT_PHONE', /CONTACT_PHONE or CONTACT_EMAIL missing/],
  ])('refuses %s with RC 8 naming the field', async (_case, extra, field, message) => {
    expect(await openFault(extra)).toMatchObject(inputError(field, message));
  });

  it('is worked OPEN > WIP > RSLVD by the _sim advance, then closed by the customer', async () => {
    const since = await lastSeq();
    const ttNo = await ttNoOf();
    expect((await advance(ttNo))['FAULT']['TT_STATUS']).toBe('WIP');
    sim.clock = new Date('2026-03-02T11:15:00Z');
    const resolved = (await advance(ttNo, { TO: 'RSLVD', REASON: 'SFP replaced' }))['FAULT'];
    expect(resolved).toMatchObject({ TT_STATUS: 'RSLVD', RESOLUTION: 'SFP replaced', RESOLVED: '02.03.2026 12:15' });
    expect(resolved['NOTES']).toEqual([{ TS: '02.03.2026 12:15', AUTHOR: 'BSS', TEXT: 'SFP replaced' }]);
    expect(await sim.call(`/faults/${ttNo}/cancel`, { CUST_NO: ACME })).toMatchObject(inputError('TT_NO', /is RSLVD; cancel needs/));
    const closed = (await sim.ok(`/faults/${ttNo}/close`, { CUST_NO: ACME }))['FAULT'];
    expect(closed).toMatchObject({ TT_STATUS: 'CLSD', CLOSED: '02.03.2026 12:15' });
    const events = (await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=${since}`))['EVENTS'] as LegacyJson[];
    expect(events.map((event) => `${event['EVT_TYPE']} ${event['OLD_STATUS']}>${event['NEW_STATUS']}`)).toEqual([
      'FAULT_STATUS null>OPEN',
      'WO_STATUS null>OFFEN',
      'FAULT_STATUS OPEN>WIP',
      'FAULT_STATUS WIP>RSLVD',
      'FAULT_STATUS RSLVD>CLSD',
    ]);
  });

  it('closes only resolved tickets and reopens only resolved or closed ones', async () => {
    const ttNo = await ttNoOf();
    expect(await sim.call(`/faults/${ttNo}/close`, { CUST_NO: ACME })).toMatchObject(inputError('TT_NO', /is OPEN; close needs RSLVD/));
    expect(await sim.call(`/faults/${ttNo}/reopen`, { CUST_NO: ACME })).toMatchObject(inputError('TT_NO', /reopen needs RSLVD or CLSD/));
    await advance(ttNo, { TO: 'CLSD' });
    const reopened = (await sim.ok(`/faults/${ttNo}/reopen`, { CUST_NO: ACME, REASON: 'down again' }))['FAULT'];
    expect(reopened).toMatchObject({
      TT_STATUS: 'REOP',
      STATUS_RSN: 'down again',
      RESOLVED: null,
      CLOSED: null,
      RESOLUTION: null,
    });
    expect((await advance(reopened['TT_NO']))['FAULT']['TT_STATUS']).toBe('WIP');
  });

  it('cancels open tickets, after which nothing changes them', async () => {
    const ttNo = await ttNoOf();
    expect((await sim.ok(`/faults/${ttNo}/cancel`, { CUST_NO: ACME, REASON: 'false alarm' }))['FAULT']).toMatchObject({
      TT_STATUS: 'CANC',
      STATUS_RSN: 'false alarm',
    });
    expect(await sim.call(`/faults/${ttNo}/update`, { CUST_NO: ACME, NOTE: 'hello' })).toMatchObject(
      inputError('TT_NO', /CANC: no more updates/),
    );
    expect(await advance(ttNo)).toMatchObject(inputError('TT_NO', /final status CANC/));
  });

  it("asks the customer for information; the customer's update puts it back to work", async () => {
    const ttNo = await ttNoOf();
    const waiting = (await advance(ttNo, { TO: 'WCUST', REASON: 'need access window' }))['FAULT'];
    expect(waiting).toMatchObject({ TT_STATUS: 'WCUST', INFO_REQ: 'need access window' });
    expect(await advance(ttNo)).toMatchObject(inputError('TT_NO', /waiting for the customer/));
    const since = await lastSeq();
    const updated = (
      await sim.ok(`/faults/${ttNo}/update`, {
        CUST_NO: ACME,
        PRIORITY: 2,
        CONTACT_EMAIL: 'noc@acme.example',
        NOTE: 'access Tue 08-12',
      })
    )['FAULT'];
    expect(updated).toMatchObject({
      TT_STATUS: 'WIP',
      INFO_REQ: null,
      PRIORITY: 2,
      CONTACT_EMAIL: 'noc@acme.example',
      TARGET_TS: '02.03.2026 18:00',
    });
    expect(updated['NOTES'].at(-1)).toMatchObject({ AUTHOR: 'CUST', TEXT: 'access Tue 08-12' });
    const events = (await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=${since}`))['EVENTS'] as LegacyJson[];
    expect(events.map((event) => [event['EVT_TYPE'], event['NEW_STATUS'], event['INFO']])).toEqual([
      ['FAULT_CHANGE', 'WCUST', 'updated CONTACT_EMAIL,PRIORITY,NOTE'],
      ['FAULT_STATUS', 'WIP', 'customer provided information'],
    ]);
    expect(await sim.call(`/faults/${ttNo}/update`, { CUST_NO: ACME })).toMatchObject(inputError(null, /nothing to update/));
  });

  it('lists by customer with status filter and paging; other customers see nothing', async () => {
    const ttNo = await ttNoOf({ CUST_TT_REF: 'list-me' });
    const list = await sim.ok(`/faults?CUST_NO=${ACME}&CUST_TT_REF=list-me&TT_STATUS=OPEN`);
    expect(ids(list['FAULTS'], 'TT_NO')).toEqual([ttNo]);
    expect((await sim.ok(`/faults?CUST_NO=${ACME}&LIMIT=1`))['FAULTS']).toHaveLength(1);
    expect(await sim.call(`/faults/${ttNo}?CUST_NO=${GLOBEX}`)).toStrictEqual({ RC: 4, MSG: 'fault ticket unknown' });
    expect((await sim.ok(`/faults?CUST_NO=${GLOBEX}`))['TOTAL']).toBe(0);
  });

  it('moves open tickets by one step per tick', async () => {
    const ttNo = await ttNoOf();
    await sim.ok('/_sim/tick', {});
    expect((await sim.ok(`/faults/${ttNo}?CUST_NO=${ACME}`))['FAULT']['TT_STATUS']).toBe('WIP');
    await sim.ok('/_sim/tick', {});
    expect((await sim.ok(`/faults/${ttNo}?CUST_NO=${ACME}`))['FAULT']['TT_STATUS']).toBe('RSLVD');
  });
});
