import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, GLOBEX, INITECH, inputError, startDomainSim, type DomainSim, type LegacyJson } from './legacy-bss-domain-client.js';

let sim: DomainSim;
beforeAll(async () => {
  sim = await startDomainSim();
});
afterAll(async () => {
  await sim?.close();
});

const siteIds = (answer: LegacyJson): string[] => (answer['SITES'] as LegacyJson[]).map((site) => site['SITE_ID'] as string);

describe('customers', () => {
  it('shows a seeded customer with its currency and account manager', async () => {
    const answer = await sim.call(`/customers/${GLOBEX}`);
    expect(answer).toStrictEqual({
      RC: 0,
      MSG: 'OK',
      CUSTOMER: {
        CUST_NO: GLOBEX,
        CUST_NAME: 'Globex Networks Ltd',
        COUNTRY: 'United Kingdom',
        CURRENCY: 'GBP',
        CUST_STATUS: 'A',
        BILL_ACCT: 'BA-7700031',
        ACCT_MGR_NAME: 'James Whitfield',
        ACCT_MGR_PHONE: '+44 20 7946 0321',
        ACCT_MGR_EMAIL: 'james.whitfield@netcore.example',
      },
    });
    expect((await sim.call('/customers/inquiry', { CUST_NO: INITECH }))['CUSTOMER']['CUST_NAME']).toBe('Initech');
  });

  it('answers RC 4 for an unknown customer and RC 8 for a malformed number', async () => {
    expect(await sim.call('/customers/C-999999')).toStrictEqual({ RC: 4, MSG: 'customer unknown' });
    expect(await sim.call(`/customers/${ACME}?CUST_NO=${GLOBEX}`)).toStrictEqual({ RC: 4, MSG: 'customer unknown' });
    expect(await sim.call('/customers/inquiry', { CUST_NO: '100042' })).toMatchObject(inputError('CUST_NO', /C-100042/));
    expect(await sim.call('/customers/inquiry', {})).toMatchObject(inputError('CUST_NO', /missing/));
  });

  it('requires CUST_NO on every customer-facing domain', async () => {
    for (const path of ['/sites', '/assets', '/orders', '/offers', '/feasibility', '/faults', '/incidents', '/events']) {
      expect(await sim.call(path), path).toMatchObject(inputError('CUST_NO', /missing/));
    }
  });
});

describe('sites', () => {
  it("finds a customer's private sites and every public site by town, diacritics and case folded", async () => {
    expect(siteIds(await sim.ok(`/sites?CUST_NO=${ACME}&TOWN=berlin`))).toEqual(['ST-100011', 'ST-100012']);
    expect(siteIds(await sim.ok(`/sites?CUST_NO=${ACME}&TOWN=Muenchen`))).toEqual(['ST-100013']);
    expect(siteIds(await sim.ok(`/sites?CUST_NO=${GLOBEX}&TOWN=Frankfurt%20am%20Main`))).toEqual(['ST-100001', 'ST-100002']);
  });

  it('shows a site with its address embedded and absent values as null', async () => {
    const answer = await sim.ok(`/sites/ST-100012?CUST_NO=${ACME}`);
    expect(answer['SITE']).toStrictEqual({
      SITE_ID: 'ST-100012',
      ADDR_KEY: 'NC-DE-000101',
      SITE_NAME: 'Spree Versicherung Friedrichstrasse',
      SITE_DESC: null,
      SITE_TYPE: 'PRV',
      NET_TYPE: 'ON',
      OPERATOR: 'Spree Versicherung AG',
      CUST_NAME: 'Spree Versicherung AG',
      OWNER_CUST_NO: ACME,
      CONTACT_NAME: 'Anna Schmidt',
      CONTACT_PHONE: '+49 30 5550 4301',
      CONTACT_EMAIL: null,
      LAST_UPD: '02.09.2025 09:05',
      ADDRESS: expect.objectContaining({
        ADDR_KEY: 'NC-DE-000101',
        STREET: 'Friedrichstrasse',
        HOUSE_NO: '43',
        TOWN: 'Berlin',
        COUNTRY: 'Germany',
      }),
    });
  });

  it.each([
    ['ADDR_KEY', 'ADDR_KEY=NC-DE-000123', ['ST-100011']],
    ['post code', 'POST_CODE=10117', ['ST-100012']],
    ['country', 'COUNTRY=Netherlands', ['ST-100005']],
    ['site name', 'SITE_NAME=fra', ['ST-100001', 'ST-100002']],
    ['end customer name', 'CUST_NAME=m%C3%BCller', ['ST-100011']],
    ['operator', 'OPERATOR=NetCore%20Carrier%20Services%20Ltd', ['ST-100003']],
    ['street and house number', 'STREET=Mönckebergstr&HOUSE_NO=7', ['ST-100014']],
    ['site type and network type', 'SITE_TYPE=PRV&NET_TYPE=OFF', ['ST-100014']],
  ])('searches by %s', async (_case, query, expected) => {
    expect(siteIds(await sim.ok(`/sites?CUST_NO=${ACME}&${query}`))).toEqual(expected);
  });

  it('answers the same through POST /sites/search and POST /sites/inquiry', async () => {
    const viaGet = await sim.ok(`/sites?CUST_NO=${ACME}&TOWN=Berlin`);
    expect(await sim.ok('/sites/search', { CUST_NO: ACME, TOWN: 'Berlin', POST_CODE: null })).toStrictEqual(viaGet);
    expect(await sim.ok('/sites/inquiry', { CUST_NO: ACME, SITE_ID: 'ST-100011' })).toStrictEqual(
      await sim.ok(`/sites/ST-100011?CUST_NO=${ACME}`),
    );
  });

  it('pages with OFFSET and LIMIT and reports the total', async () => {
    const first = await sim.ok(`/sites?CUST_NO=${ACME}&LIMIT=3`);
    const second = await sim.ok(`/sites?CUST_NO=${ACME}&LIMIT=3&OFFSET=3`);
    expect(first['TOTAL']).toBe(9); // 5 public data centres + 4 ACME premises
    expect(siteIds(first)).toHaveLength(3);
    expect(new Set([...siteIds(first), ...siteIds(second)]).size).toBe(6);
  });

  it("hides another customer's private site as if it did not exist", async () => {
    expect(await sim.call(`/sites/ST-100021?CUST_NO=${ACME}`)).toStrictEqual({ RC: 4, MSG: 'site unknown' });
    expect(siteIds(await sim.ok(`/sites?CUST_NO=${ACME}&TOWN=London`))).toEqual(['ST-100003']);
    expect((await sim.ok(`/sites/ST-100021?CUST_NO=${GLOBEX}`))['SITE']['SITE_NAME']).toBe('Canary Capital Tower Floor 30');
  });

  it.each([
    ['a country code', 'COUNTRY=DE', 'COUNTRY', /full English country name/],
    ['an unknown field', 'COLOUR=blue', 'COLOUR', /unknown field COLOUR/],
    ['a bad network type', 'NET_TYPE=onNet', 'NET_TYPE', /ON, OFF/],
    ['a limit above the maximum', 'LIMIT=1000', 'LIMIT', /between 1 and 200/],
    ['a non-numeric offset', 'OFFSET=abc', 'OFFSET', /whole number/],
  ])('refuses %s with RC 8 naming the field', async (_case, query, field, message) => {
    expect(await sim.call(`/sites?CUST_NO=${ACME}&${query}`)).toMatchObject(inputError(field, message));
  });
});
