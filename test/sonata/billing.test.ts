import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { LEGACY_VAT_PERCENT } from '../../simulators/src/legacy-bss/billing.js';
import { startListener, type ReceivedCall, type TestListener } from '../notify/support.js';
import { copyProject, SDK_DIR, SPEC_ERRATA, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Bills, Grace v2 (acme-telecom) and Kylie v3 (globex-networks), against the embedded legacy BSS: its billing run
 * (driven with `_sim`) issues the month's bills from each customer's assets; the partner lists and reads them and
 * their items, gets customerBillCreateEvent and, once a bill is paid, customerBillStateChangeEvent. Expected
 * amounts are worked out here from the BSS's own asset and customer records (its seed), never written in.
 */
const specs = createSpecCatalog({ sdkDir: SDK_DIR, errata: SPEC_ERRATA });
const GRACE = '/mefApi/sonata/customerBillManagement/v2';
const KYLIE = '/mefApi/sonata/customerBillManagement/v3';
const LEGACY_KEY = 'demo-legacy-key-42';
const PERIOD = '03.2025';

let gw: TestGateway;
let acme: string;
let globex: string;
let listener: TestListener;

interface LegacyAsset {
  ASSET_ID: string;
  MRC: number;
  NRC: number;
  CURRENCY: string;
  START_DATE: string;
  END_DATE: string | null;
  ASSET_STATUS: string;
}

async function legacy(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${gw.gateway.legacyUrl}/bss/v2${path}`, {
    method,
    headers: { 'x-bss-api-key': LEGACY_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as { RC: number };
  expect(answer.RC).toBe(0);
  return answer;
}

function expectValid(release: SonataRelease, operationId: string, status: number, body: unknown): void {
  const op = specs.api(release, 'customerBillManagement')!.operationById(operationId)!;
  expect(op.validateResponseBody(status, body)).toEqual([]);
}

function expectNotificationValid(release: SonataRelease, eventType: string, call: ReceivedCall): void {
  const op = specs.api(release, 'customerBillNotification')!.operation('POST', `/listener/${eventType}`)!;
  expect(op.validateRequestBody(call.body)).toEqual([]);
}

/** Berlin day of a legacy `dd.MM.yyyy HH:mm` as [day, month, year]. */
const dayOf = (ts: string) => ts.slice(0, 10).split('.').map(Number) as [number, number, number];

/** What the BSS's rules give for one asset in March 2025 (31 days): days in service, MRC share, NRC if it started then. */
function expectedCharges(asset: LegacyAsset): { days: number; mrc: number; nrc: number } | null {
  const [d, m, y] = dayOf(asset.START_DATE);
  if (y > 2025 || (y === 2025 && m > 3)) return null;
  const startedInMarch = y === 2025 && m === 3;
  const days = startedInMarch ? 31 - d + 1 : 31;
  return { days, mrc: Math.round((asset.MRC * days) / 31), nrc: startedInMarch ? asset.NRC : 0 };
}

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await gw.token('acme');
  globex = await gw.token('globex');
  listener = await startListener();
}, 60_000);
afterAll(async () => {
  await gw?.close();
  await listener?.close();
});

describe('billing: the BSS billing run, Grace (acme-telecom)', () => {
  let billId: string;
  let assets: LegacyAsset[];

  it('registers for bill notifications, and the billing run tells it of its new bill (customerBillCreateEvent)', async () => {
    const hub = await gw.call('POST', `${GRACE}/hub`, { token: acme, body: { callback: `${listener.origin}/acme` } });
    expect(hub.status).toBe(201);
    expectValid('grace', 'registerListener', 201, hub.body);
    const got = await gw.call('GET', `${GRACE}/hub/${hub.body.id}`, { token: acme });
    expectValid('grace', 'retrieveHub', 200, got.body);

    const run = await legacy('POST', '/_sim/bills/run', { PERIOD });
    const own = run.BILLS.filter((b: { CUST_NO: string }) => b.CUST_NO === 'C-100042');
    expect(own).toHaveLength(1);
    billId = own[0].BILL_NO;
    expect(billId).toMatch(/^RE-\d{4}-\d{6}$/);

    const [call] = await listener.waitForCalls(1, 10_000);
    expect(call!.url).toBe('/acme/mefApi/sonata/customerBillNotification/v2/listener/customerBillCreateEvent');
    expectNotificationValid('grace', 'customerBillCreateEvent', call!);
    expect(call!.body).toMatchObject({
      eventType: 'customerBillCreateEvent',
      event: { id: billId, href: `${GRACE}/customerBill/${billId}` },
    });
    // a second run of the same month bills nobody twice
    expect((await legacy('POST', '/_sim/bills/run', { PERIOD })).BILLS).toEqual([]);
  });

  it('retrieves the bill: pro rata MRC, the NRC of the service started that month, VAT of the customer country', async () => {
    assets = (await legacy('GET', '/assets?CUST_NO=C-100042')).ASSETS;
    const customer = (await legacy('GET', '/customers/C-100042')).CUSTOMER;
    const vat = LEGACY_VAT_PERCENT.get(customer.COUNTRY)!;
    const charged = assets.map((a) => ({ asset: a, c: expectedCharges(a) })).filter((x) => x.c);
    // the seed has one asset started in the month (pro rata + NRC) and some running all month
    expect(charged.some((x) => x.c!.days < 31 && x.c!.nrc > 0)).toBe(true);
    const netMinor = charged.reduce((s, x) => s + x.c!.mrc + x.c!.nrc, 0);
    const vatMinor = Math.round((netMinor * vat) / 100);

    const res = await gw.call('GET', `${GRACE}/customerBill/${billId}`, { token: acme });
    expect(res.status).toBe(200);
    expectValid('grace', 'retrieveCustomerBill', 200, res.body);
    const bill = res.body[0];
    expect(bill).toMatchObject({
      id: billId,
      billNo: billId,
      state: 'generated',
      category: 'normal',
      runType: 'onCycle',
      billCycle: '2025-03',
      billingAccount: { id: customer.BILL_ACCT },
      billingPeriod: { startDateTime: '2025-02-28T23:00:00.000Z', endDateTime: '2025-03-31T22:00:00.000Z' },
      taxExcludedAmount: { unit: 'EUR', value: netMinor / 100 },
      taxItem: [{ taxCategory: 'VAT', taxRate: vat, taxAmount: { unit: 'EUR', value: vatMinor / 100 } }],
      taxIncludedAmount: { unit: 'EUR', value: (netMinor + vatMinor) / 100 },
      amountDue: { unit: 'EUR', value: (netMinor + vatMinor) / 100 },
      remainingAmount: { unit: 'EUR', value: (netMinor + vatMinor) / 100 },
      appliedPayment: [],
    });
    // one MRC line per charged asset, one NRC line for the asset started in March
    expect(bill.customerBillItem).toHaveLength(charged.length + charged.filter((x) => x.c!.nrc > 0).length);
  });

  it('retrieves bill items: the pro rata monthly charge and the one-time charge of the new service', async () => {
    const started = assets.find((a) => (expectedCharges(a)?.nrc ?? 0) > 0)!;
    const c = expectedCharges(started)!;
    const bill = (await gw.call('GET', `${GRACE}/customerBill/${billId}`, { token: acme })).body[0];
    const items = await Promise.all(
      bill.customerBillItem.map((ref: { id: string }) => gw.call('GET', `${GRACE}/customerBillItem/${ref.id}`, { token: acme })),
    );
    for (const item of items) {
      expect(item.status).toBe(200);
      expectValid('grace', 'retrieveCustomerBillItem', 200, item.body);
    }
    const own = items.map((i) => i.body[0]).filter((i) => i.product.id === started.ASSET_ID);
    const [d, m, y] = dayOf(started.START_DATE);
    expect(own.find((i) => i.customerBillItemType === 'recurring')).toMatchObject({
      unitRate: { unit: 'EUR', value: started.MRC / 100 },
      unitQuantity: Math.round((c.days / 31) * 10_000) / 10_000,
      taxExcludedAmount: { unit: 'EUR', value: c.mrc / 100 },
      unit: 'month',
      state: 'generated',
      periodCoverage: { endDateTime: '2025-03-31T22:00:00.000Z' },
    });
    expect(own.find((i) => i.customerBillItemType === 'recurring').periodCoverage.startDateTime.slice(0, 10)).toBe(
      new Date(Date.UTC(y, m - 1, d) - 3_600_000).toISOString().slice(0, 10),
    );
    expect(own.filter((i) => i.customerBillItemType === 'nonRecurring')).toEqual([
      expect.objectContaining({ taxExcludedAmount: { unit: 'EUR', value: c.nrc / 100 }, unitQuantity: 1 }),
    ]);
    // every other asset is charged its full month, never its NRC again
    const others = items.map((i) => i.body[0]).filter((i) => i.product.id !== started.ASSET_ID);
    expect(others.every((i) => i.customerBillItemType === 'recurring' && i.unitQuantity === 1)).toBe(true);
  });

  it('lists bills with the spec filters and pagination headers; a bad filter is 400', async () => {
    await legacy('POST', '/_sim/bills/run', { PERIOD: '04.2025' });
    await listener.waitForCalls(2, 10_000);
    const all = await gw.call('GET', `${GRACE}/customerBill`, { token: acme });
    expect(all.status).toBe(200);
    expectValid('grace', 'listCustomerBill', 200, all.body);
    expect(all.headers.get('x-total-count')).toBe('2');
    expect(all.body.map((b: { billingPeriod: { startDateTime: string } }) => b.billingPeriod.startDateTime)).toEqual([
      '2025-03-31T22:00:00.000Z',
      '2025-02-28T23:00:00.000Z',
    ]);
    const page = await gw.call('GET', `${GRACE}/customerBill?offset=1&limit=1`, { token: acme });
    expect(page.body.map((b: { id: string }) => b.id)).toEqual([billId]);
    expect([page.headers.get('x-total-count'), page.headers.get('x-result-count')]).toEqual(['2', '1']);
    const march = await gw.call(
      'GET',
      `${GRACE}/customerBill?billingPeriod.startDateTime.lt=2025-03-15T00:00:00Z&billingPeriod.endDateTime.gt=2025-03-31T21:59:59Z`,
      { token: acme },
    );
    expect(march.body.map((b: { id: string }) => b.id)).toEqual([billId]);
    // the ISO bound is exact: the March period ends at 22:00:00Z, a bound a second later keeps it, the same instant not
    expect(
      (await gw.call('GET', `${GRACE}/customerBill?billingPeriod.endDateTime.lt=2025-03-31T22:00:01Z`, { token: acme })).body.map(
        (b: { id: string }) => b.id,
      ),
    ).toEqual([billId]);
    expect((await gw.call('GET', `${GRACE}/customerBill?billingPeriod.endDateTime.lt=2025-03-31T22:00:00Z`, { token: acme })).body).toEqual(
      [],
    );
    const account = (await legacy('GET', '/customers/C-100042')).CUSTOMER.BILL_ACCT;
    expect(
      (
        await gw.call('GET', `${GRACE}/customerBill?billingAccount.id=${account}&state=generated&category=normal`, {
          token: acme,
        })
      ).body,
    ).toHaveLength(2);
    expect((await gw.call('GET', `${GRACE}/customerBill?billingAccount.id=BA-0000000`, { token: acme })).body).toEqual([]);
    // longer than any account the BSS keeps: no bill, not a refusal
    const longAccount = await gw.call('GET', `${GRACE}/customerBill?billingAccount.id=${'B'.repeat(40)}`, {
      token: acme,
    });
    expect([longAccount.status, longAccount.body]).toEqual([200, []]);
    expect((await gw.call('GET', `${GRACE}/customerBill?category=trial`, { token: acme })).body).toEqual([]);
    for (const query of ['?state=paid', '?category=monthly', '?billingPeriod.startDateTime.gt=yesterday', '?billNo=1', '?limit=-1']) {
      const bad = await gw.call('GET', `${GRACE}/customerBill${query}`, { token: acme });
      expect(bad.status, query).toBe(400);
      expect(bad.body.code, query).toBe('invalidQuery');
    }
  });

  it('hears of the payment: customerBillStateChangeEvent, the bill settled with the payment applied', async () => {
    await legacy('POST', `/_sim/bills/${billId}/advance`, {});
    const calls = await listener.waitForCalls(3, 10_000);
    const call = calls[2]!;
    expect(call.url).toBe('/acme/mefApi/sonata/customerBillNotification/v2/listener/customerBillStateChangeEvent');
    expectNotificationValid('grace', 'customerBillStateChangeEvent', call);
    expect(call.body).toMatchObject({ event: { id: billId } });
    const bill = (await gw.call('GET', `${GRACE}/customerBill/${billId}`, { token: acme })).body[0];
    expectValid('grace', 'retrieveCustomerBill', 200, [bill]);
    expect(bill.state).toBe('settled');
    expect(bill.remainingAmount.value).toBe(0);
    expect(bill.appliedPayment[0].appliedAmount).toEqual(bill.amountDue);
    const settled = await gw.call('GET', `${GRACE}/customerBill?state=settled`, { token: acme });
    expect(settled.body.map((b: { id: string }) => b.id)).toEqual([billId]);
  });

  it("answers 404 for another partner's bill and bill item, and refuses a partner without billing", async () => {
    const globexBills = await legacy('GET', '/bills?CUST_NO=C-100077');
    const foreign = globexBills.BILLS[0].BILL_NO;
    const bill = await gw.call('GET', `${GRACE}/customerBill/${foreign}`, { token: acme });
    expect(bill.status).toBe(404);
    const item = await gw.call('GET', `${GRACE}/customerBillItem/${foreign}-01`, { token: acme });
    expect(item.status).toBe(404);
    // ids the BSS could not hold (too long, blank) are not found either, never an input error
    for (const path of [
      `/customerBillItem/${'x'.repeat(40)}`,
      '/customerBillItem/%20',
      '/customerBill/%20%20',
      `/customerBill/${'R'.repeat(21)}`,
    ]) {
      expect((await gw.call('GET', `${GRACE}${path}`, { token: acme })).status, path).toBe(404);
    }
  });

  it('refuses a partner whose profile does not enable billing, like any function it does not enable (501)', async () => {
    const project = copyProject();
    const file = join(project.dir, 'partners', 'acme-telecom', 'partner.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}billing: .*\n/m, ''));
    const other = await startTestGateway({ rootDir: project.dir });
    try {
      const token = await other.token('acme');
      for (const path of ['/customerBill', '/customerBill/RE-2026-000001', '/customerBillItem/RE-2026-000001-01']) {
        const refused = await other.call('GET', `${GRACE}${path}`, { token });
        expect(refused.status, path).toBe(501);
        expect(refused.body.code).toBe('notImplemented');
      }
    } finally {
      await other.close();
      project.cleanup();
    }
  }, 60_000);
});

describe('billing: Kylie (globex-networks)', () => {
  it('lists and retrieves its bill in GBP with UK VAT, and gets the create and the typed state change events', async () => {
    const hub = await gw.call('POST', `${KYLIE}/hub`, {
      token: globex,
      body: { callback: `${listener.origin}/globex` },
    });
    expect(hub.status).toBe(201);
    const list = await gw.call('GET', `${KYLIE}/customerBill`, { token: globex });
    expect(list.status).toBe(200);
    expectValid('kylie', 'listCustomerBill', 200, list.body);
    // Globex's services started in April and August 2025: its one bill so far is April's
    expect(list.body).toHaveLength(1);
    const april = list.body[0];
    const one = await gw.call('GET', `${KYLIE}/customerBill/${april.id}`, { token: globex });
    expectValid('kylie', 'retrieveCustomerBill', 200, one.body);
    expect(one.body[0].taxItem[0]).toMatchObject({
      taxRate: LEGACY_VAT_PERCENT.get('United Kingdom'),
      taxAmount: { unit: 'GBP' },
    });
    const item = await gw.call('GET', `${KYLIE}/customerBillItem/${one.body[0].customerBillItem[0].id}`, {
      token: globex,
    });
    expectValid('kylie', 'retrieveCustomerBillItem', 200, item.body);

    // a new bill (May's): Kylie's create event, valid against the Kylie notification file
    const before = listener.calls.length;
    const may = (await legacy('POST', '/_sim/bills/run', { PERIOD: '05.2025' })).BILLS.find(
      (b: { CUST_NO: string }) => b.CUST_NO === 'C-100077',
    );
    const created = (await listener.waitForCalls(before + 2, 10_000)).slice(before).find((c) => c.url.startsWith('/globex/'))!;
    expect(created.url).toBe(
      '/globex/mefApi/sonata/customerBillNotification/v3/listener/customerBillCreateEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE',
    );
    expectNotificationValid('kylie', 'customerBillCreateEvent', created);
    expect(created.body).toMatchObject({
      eventType: 'customerBillCreateEvent',
      event: { id: may.BILL_NO, href: `${KYLIE}/customerBill/${may.BILL_NO}` },
    });

    const next = listener.calls.length;
    await legacy('POST', `/_sim/bills/${april.id}/advance`, { BILL_STATUS: 'FAEL' });
    const calls = await listener.waitForCalls(next + 1, 10_000);
    const call = calls[next]!;
    // Kylie names the parties in the listener URL's query
    expect(call.url).toBe(
      '/globex/mefApi/sonata/customerBillNotification/v3/listener/customerBillStateChangeEvent?buyerId=GLOBEX-UK-7&sellerId=NETCORE',
    );
    expectNotificationValid('kylie', 'customerBillStateChangeEvent', call);
    expect(call.body).toMatchObject({ event: { id: april.id, state: 'paymentDue' } });
  });
});
