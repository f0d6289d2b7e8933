import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSonataSeller } from '../../simulators/src/sonata-seller/start-sonata-seller.js';
import { expectStrictSellerCalls, startBuyerTestbed, type BuyerTestbed } from './support.js';

/**
 * The legacy BSS reconciles the invoices of its sellers: it lists a seller's bills with its own filters, reads one
 * bill with its items in its invoice layout (minor units, dd.MM.yyyy) and learns about new bills and payment state
 * changes from its webhook. The sellers are strict: every request the gateway sent matched the billing API of
 * the seller's release.
 */
describe('bills of a seller, as the legacy BSS reads them', () => {
  let bed: BuyerTestbed;
  beforeAll(async () => {
    bed = await startBuyerTestbed();
  }, 60_000);
  afterAll(async () => {
    await bed?.close();
  });

  /** dd.MM.yyyy of the first day of the month `back` months before this one, Berlin */
  const firstOfMonth = (back: number) => {
    const d = new Date();
    const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 15));
    return `01.${String(m.getUTCMonth() + 1).padStart(2, '0')}.${m.getUTCFullYear()}`;
  };
  const expectStrictlyValid = (sim: RunningSonataSeller) => expectStrictSellerCalls(sim, { pathIncludes: '/customerBill' });

  const sellers = [
    { name: 'Grace', seller: 'northwind-access', sim: () => bed.grace, version: 'v2' },
    { name: 'Kylie', seller: 'southwind-fibre', sim: () => bed.kylie, version: 'v3' },
  ] as const;
  for (const s of sellers) {
    it(`${s.name}: lists the bills with filters and reads one with its items, amounts in minor units`, async () => {
      const all = await bed.legacy('GET', `/bills?SELLER=${s.seller}`);
      expect(all, JSON.stringify(all)).toMatchObject({ RC: 0, SELLER: s.seller, TOTAL: 3 });
      expect(all.BILLS.map((b: { BILL_STATUS: string }) => b.BILL_STATUS)).toEqual(['PAID', 'DUE', 'GEN']);
      expect(all.BILLS[0]).toMatchObject({
        SELLER: s.seller,
        SELLER_STATUS: 'settled',
        CATEGORY: 'NORM',
        BILL_ACCT: 'BA-netcore-buyer',
        PERIOD_FROM: firstOfMonth(3),
      });
      expect(all.BILLS[0].PERIOD_TO).toMatch(/^(28|29|30|31)\.\d\d\.\d{4}$/);

      // the BSS's filters become the seller's: status, and the period by local days
      const due = await bed.legacy('POST', '/bills/search', { SELLER: s.seller, BILL_STATUS: 'DUE' });
      expect(due.BILLS.map((b: { BILL_ID: string }) => b.BILL_ID)).toEqual([all.BILLS[1].BILL_ID]);
      const recent = await bed.legacy('GET', `/bills?SELLER=${s.seller}&PERIOD_FROM=${firstOfMonth(2)}`);
      expect(recent.TOTAL).toBe(2);
      const old = await bed.legacy('GET', `/bills?SELLER=${s.seller}&PERIOD_TO=${all.BILLS[0].PERIOD_TO}`);
      expect(old.BILLS.map((b: { BILL_ID: string }) => b.BILL_ID)).toEqual([all.BILLS[0].BILL_ID]);
      const wire = s
        .sim()
        .control.received()
        .filter((r) => r.operationId === 'listCustomerBill')
        .map((r) => r.query);
      expect(wire).toContainEqual(expect.objectContaining({ state: 'paymentDue' }));

      // one bill with its items: 184.00 monthly + 500.00 installation, 19 % VAT, paid
      const paid = await bed.legacy('GET', `/bills/${all.BILLS[0].BILL_ID}?SELLER=${s.seller}`);
      expect(paid, JSON.stringify(paid)).toMatchObject({
        RC: 0,
        SELLER: s.seller,
        BILL: {
          BILL_ID: all.BILLS[0].BILL_ID,
          BILL_STATUS: 'PAID',
          SELLER_STATUS: 'settled',
          CURRENCY: 'EUR',
          NET_AMT: 68400,
          TAX_AMT: 12996,
          GROSS_AMT: 81396,
          AMT_DUE: 81396,
          PAID_AMT: 81396,
          OPEN_AMT: 0,
          PERIOD_FROM: firstOfMonth(3),
        },
      });
      expect(paid.BILL.BILL_DATE).toMatch(/^\d\d\.\d\d\.\d{4}$/);
      expect(paid.BILL.ITEMS).toEqual([
        expect.objectContaining({
          CHARGE_TYPE: 'MRC',
          QTY: 1,
          UNIT: 'month',
          UNIT_RATE: 18400,
          NET_AMT: 18400,
          TAX_AMT: 3496,
          ITEM_STATUS: 'PAID',
          ORDER_LINE_REF: '1',
        }),
        expect.objectContaining({
          CHARGE_TYPE: 'NRC',
          DESCRIPTION: 'Installation',
          NET_AMT: 50000,
          TAX_AMT: 9500,
          CURRENCY: 'EUR',
          PERIOD_FROM: firstOfMonth(3),
        }),
      ]);
      // usage at 0.05 a GB: 1234 GB = 61.70, a fraction of a cent per unit survives as minor units
      const usage = await bed.legacy('POST', '/bills/inquiry', { SELLER: s.seller, BILL_ID: all.BILLS[1].BILL_ID });
      expect(usage.BILL).toMatchObject({
        BILL_STATUS: 'DUE',
        NET_AMT: 24570,
        GROSS_AMT: 29238,
        OPEN_AMT: 29238,
        PAID_AMT: 0,
      });
      expect(usage.BILL.ITEMS[1]).toMatchObject({
        CHARGE_TYPE: 'USG',
        QTY: 1234,
        UNIT: 'GB',
        UNIT_RATE: 5,
        NET_AMT: 6170,
      });
      const item = await bed.legacy('GET', `/bills/items/${usage.BILL.ITEMS[1].ITEM_ID}?SELLER=${s.seller}`);
      expect(item).toMatchObject({ RC: 0, ITEM: { ITEM_ID: usage.BILL.ITEMS[1].ITEM_ID, NET_AMT: 6170 } });
      expect(
        s
          .sim()
          .control.received()
          .some((r) => r.path === `/mefApi/sonata/customerBillManagement/${s.version}/customerBillItem/${usage.BILL.ITEMS[1].ITEM_ID}`),
      ).toBe(true);
      expectStrictlyValid(s.sim());
    });
  }

  for (const s of sellers) {
    it(`${s.name}: a new bill and its payment reach the BSS's webhook with the bill, signed`, async () => {
      const issued = s.sim().control.bills!.issueBill();
      const id = issued.id as string;
      const created = await bed.webhook.waitFor((w) => w.body.OBJ_ID === id && w.body.EVT_TYPE === 'SELLER_BILL_NEW');
      expect(created.body).toMatchObject({
        SELLER: s.seller,
        NEW_STATUS: 'GEN',
        SELLER_STATUS: 'generated',
        REF: issued.billNo,
      });
      expect(created.body.EVT_TS).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
      // the bill as the BSS reads it, items included: 184.00 + 61.70 net
      expect(created.body.BILL).toMatchObject({
        BILL_ID: id,
        NET_AMT: 24570,
        OPEN_AMT: 29238,
        ITEMS: [expect.objectContaining({ CHARGE_TYPE: 'MRC' }), expect.objectContaining({ CHARGE_TYPE: 'USG' })],
      });
      expect(created.headers['x-gateway-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

      s.sim().control.bills!.setBillState(id, 'settled');
      const paid = await bed.webhook.waitFor((w) => w.body.OBJ_ID === id && w.body.EVT_TYPE === 'SELLER_BILL_STATUS');
      expect(paid.body).toMatchObject({
        NEW_STATUS: 'PAID',
        SELLER_STATUS: 'settled',
        BILL: { BILL_STATUS: 'PAID', OPEN_AMT: 0, PAID_AMT: 29238 },
      });
      // a bill the gateway was told about is read by its id alone
      expect(await bed.legacy('GET', `/bills/${id}`)).toMatchObject({
        RC: 0,
        SELLER: s.seller,
        BILL: { BILL_ID: id, BILL_STATUS: 'PAID' },
      });
      const hub = s
        .sim()
        .control.hubs()
        .find((h) => h.api === 'customerBillManagement');
      expect(hub?.callback).toBe(`${bed.gw.url}/partners/${s.seller}`);
    });
  }

  it('refuses bad input in the BSS format and names the field', async () => {
    expect(await bed.legacy('GET', '/bills?SELLER=northwind-access&PERIOD_FROM=2026-01-01')).toMatchObject({
      RC: 8,
      ERR_FIELD: 'PERIOD_FROM',
      SELLER: null,
    });
    expect(await bed.legacy('GET', '/bills?SELLER=northwind-access&BILL_STATUS=OPEN')).toMatchObject({
      RC: 8,
      ERR_FIELD: 'BILL_STATUS',
    });
    expect(await bed.legacy('GET', '/bills?SELLER=northwind-access&INVOICE=1')).toMatchObject({
      RC: 8,
      ERR_FIELD: 'INVOICE',
    });
    expect(await bed.legacy('GET', '/bills')).toMatchObject({ RC: 8, ERR_FIELD: 'SELLER' });
  });

  it('a bill of another buyer or unknown at the seller is RC 4; a failing seller RC 12 with its code', async () => {
    const missing = await bed.legacy('GET', '/bills/NA-BILL-9999?SELLER=northwind-access');
    expect(missing, JSON.stringify(missing)).toMatchObject({ RC: 4, SELLER: 'northwind-access' });
    bed.grace.control.injectFault({ operationId: 'listCustomerBill', status: 500, times: 3 });
    const failed = await bed.legacy('GET', '/bills?SELLER=northwind-access');
    expect(failed, JSON.stringify(failed)).toMatchObject({
      RC: 12,
      SELLER: 'northwind-access',
      ERR_CODE: 'seller.system-error',
      OUTCOME: 'NOT_DONE',
    });
  });
});
