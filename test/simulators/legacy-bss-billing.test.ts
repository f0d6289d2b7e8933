import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_VAT_PERCENT } from '../../simulators/src/legacy-bss/billing.js';
import { createLegacyBssApp } from '../../simulators/src/legacy-bss/create-legacy-bss-app.js';

/**
 * The legacy BSS's billing run on services that start and end within the month: a service ended on the 10th is
 * charged 10 days, one started on the 10th 21 days and its one-time charge, test services go on a trial bill;
 * paying, and what the back office refuses. Prices come from the BSS's own asset records.
 */
const KEY = 'billing-test-key';
// 10.11.2026 10:00 in Berlin
let clock = new Date('2026-11-10T09:00:00Z');
let server: Server;
let base: string;

async function bss(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}/bss/v2${path}`, {
    method,
    headers: { 'x-bss-api-key': KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function completeOrder(body: Record<string, unknown>): Promise<void> {
  const created = await bss('POST', '/orders', { CUST_NO: 'C-100042', ...body });
  expect(created.RC, JSON.stringify(created)).toBe(0);
  const done = await bss('POST', `/_sim/orders/${created.ORDER.ORDER_NO}/advance`, { TO: 'COMP' });
  expect(done.ORDER.ORDER_STATUS, JSON.stringify(done)).toBe('COMP');
}

beforeAll(async () => {
  const app = createLegacyBssApp({
    apiKey: KEY,
    dataDir: resolve(import.meta.dirname, '..', '..', 'simulators', 'data', 'legacy-bss'),
    now: () => clock,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('legacy BSS billing run', () => {
  let billNo: string;
  let trialNo: string;

  it('bills a service ended and a service started mid-month pro rata, the new one with its NRC; test services on a trial bill', async () => {
    await completeOrder({ LINES: [{ LINE_REF: '1', ACTION: 'DEL', ASSET_ID: 'AS-5000006' }] });
    await completeOrder({
      TEST_FLAG: 'Y',
      LINES: [{ LINE_REF: '1', ACTION: 'NEW', PROD_CODE: 'ELINE', BW_MBPS: 100, SITE_ID: 'ST-100001', TERM_MONTHS: 12 }],
    });
    const assets = (await bss('GET', '/assets?CUST_NO=C-100042&LIMIT=200')).ASSETS as Array<Record<string, any>>;
    const ended = assets.find((a) => a.ASSET_ID === 'AS-5000006')!;
    const started = assets.find((a) => a.TEST_FLAG === 'Y')!;
    expect([ended.ASSET_STATUS, ended.END_DATE, started.ASSET_STATUS, started.START_DATE]).toEqual([
      'TERM',
      '10.11.2026 10:00',
      'ACTV',
      '10.11.2026 10:00',
    ]);

    clock = new Date('2026-11-30T20:00:00Z');
    const run = await bss('POST', '/_sim/bills/run', { PERIOD: '11.2026' });
    expect(run.RC).toBe(0);
    const own = (run.BILLS as Array<Record<string, any>>).filter((b) => b.CUST_NO === 'C-100042');
    expect(own.map((b) => b.BILL_TYPE).sort()).toEqual(['P', 'R']);
    billNo = own.find((b) => b.BILL_TYPE === 'R')!.BILL_NO;
    trialNo = own.find((b) => b.BILL_TYPE === 'P')!.BILL_NO;

    const bill = (await bss('GET', `/bills/${billNo}?CUST_NO=C-100042`)).BILL;
    const endedLine = bill.LINES.find((l: { ASSET_ID: string }) => l.ASSET_ID === 'AS-5000006');
    expect(endedLine).toMatchObject({
      CHARGE: 'MRC',
      FROM: '01.11.2026',
      TO: '10.11.2026',
      DAYS: 10,
      MONTH_DAYS: 30,
      UNIT_PRICE: ended.MRC,
      NET_AMT: Math.round((ended.MRC * 10) / 30),
    });
    expect(bill.LINES.every((l: { CHARGE: string }) => l.CHARGE === 'MRC')).toBe(true);
    const vat = LEGACY_VAT_PERCENT.get('Germany')!;
    const net = bill.LINES.reduce((s: number, l: { NET_AMT: number }) => s + l.NET_AMT, 0);
    expect([bill.NET_AMT, bill.VAT_PCT, bill.VAT_AMT, bill.GROSS_AMT]).toEqual([
      net,
      vat,
      Math.round((net * vat) / 100),
      net + Math.round((net * vat) / 100),
    ]);
    expect([bill.BILL_STATUS, bill.PERIOD_FROM, bill.PERIOD_TO, bill.BILL_DATE, bill.DUE_DATE]).toEqual([
      'ERST',
      '01.11.2026',
      '30.11.2026',
      '30.11.2026 21:00',
      '14.12.2026',
    ]);

    const trial = (await bss('GET', `/bills/${trialNo}?CUST_NO=C-100042`)).BILL;
    expect(trial.LINES).toEqual([
      expect.objectContaining({
        ASSET_ID: started.ASSET_ID,
        CHARGE: 'MRC',
        FROM: '10.11.2026',
        TO: '30.11.2026',
        DAYS: 21,
        NET_AMT: Math.round((started.MRC * 21) / 30),
      }),
      expect.objectContaining({
        ASSET_ID: started.ASSET_ID,
        CHARGE: 'NRC',
        NET_AMT: started.NRC,
        UNIT_PRICE: started.NRC,
      }),
    ]);
  });

  it('the next month: the ended service is gone, the new one is charged the full month and no NRC again', async () => {
    clock = new Date('2026-12-01T09:00:00Z');
    await bss('POST', '/_sim/bills/run', { PERIOD: '12.2026' });
    const trials = (await bss('GET', '/bills?CUST_NO=C-100042&BILL_TYPE=P')).BILLS as Array<{
      BILL_NO: string;
      PERIOD: string;
    }>;
    const december = trials.find((b) => b.PERIOD === '12.2026')!;
    const lines = (await bss('GET', `/bills/${december.BILL_NO}?CUST_NO=C-100042`)).BILL.LINES;
    expect(lines).toEqual([expect.objectContaining({ CHARGE: 'MRC', DAYS: 31, MONTH_DAYS: 31 })]);
    const normal = (await bss('GET', '/bills?CUST_NO=C-100042&BILL_TYPE=R&FROM_AFTER=30.11.2026%2023:59')).BILLS as Array<{
      BILL_NO: string;
    }>;
    const decLines = (await bss('GET', `/bills/${normal[0]!.BILL_NO}?CUST_NO=C-100042`)).BILL.LINES as Array<{
      ASSET_ID: string;
    }>;
    expect(decLines.some((l) => l.ASSET_ID === 'AS-5000006')).toBe(false);
  });

  it('marks a bill paid (BILL_STATUS events), refuses to pay it twice or to pay a trial bill', async () => {
    const paid = await bss('POST', `/_sim/bills/${billNo}/advance`, {});
    expect(paid.BILL).toMatchObject({ BILL_STATUS: 'BEZ', PAID_DATE: '01.12.2026 10:00' });
    expect(paid.BILL.PAID_AMT).toBe(paid.BILL.GROSS_AMT);
    expect((await bss('POST', `/_sim/bills/${billNo}/advance`, {})).RC).toBe(8);
    expect((await bss('POST', `/_sim/bills/${trialNo}/advance`, {})).RC).toBe(8);
    const events = (await bss('GET', '/events?CUST_NO=C-100042')).EVENTS.filter(
      (e: { EVT_TYPE: string; OBJ_ID: string }) => e.EVT_TYPE === 'BILL_STATUS' && e.OBJ_ID === billNo,
    );
    expect(events.map((e: { OLD_STATUS: string | null; NEW_STATUS: string }) => [e.OLD_STATUS, e.NEW_STATUS])).toEqual([
      [null, 'ERST'],
      ['ERST', 'BEZ'],
    ]);
  });

  it("refuses a month not begun or malformed, and keeps one customer's bills and lines from another", async () => {
    for (const period of ['01.2027', '13.2026', '2026-11'])
      expect((await bss('POST', '/_sim/bills/run', { PERIOD: period })).RC, period).toBe(8);
    expect((await bss('GET', `/bills/${billNo}?CUST_NO=C-100077`)).RC).toBe(4);
    expect((await bss('GET', `/bills/lines/${billNo}-01?CUST_NO=C-100077`)).RC).toBe(4);
    expect((await bss('GET', `/bills?CUST_NO=C-100077`)).BILLS.every((b: { CUST_NO: string }) => b.CUST_NO === 'C-100077')).toBe(true);
  });
});
