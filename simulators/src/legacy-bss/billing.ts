import express, { type Request, type Response, type Router } from 'express';
import { DateTime } from 'luxon';
import type { LegacyAsset } from './asset.js';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import {
  answerLegacy,
  createLegacyJsonParser,
  LegacyNotFoundError,
  mountLegacyReads,
  pageLegacyList,
  PAGING_FIELDS,
  readLegacyFields,
  readLegacyQuery,
  type LegacyFieldReader,
} from './legacy-request.js';
import { formatLegacyDate, formatLegacyTimestamp, LEGACY_TIME_ZONE } from './legacy-timestamp.js';
import type { SimContext, SimDomain, StatusHistoryEntry } from './sim-context.js';

/**
 * Bill status codes (German, like the accounting department's screens): `ERST` erstellt (issued), `FAEL` fällig
 * (payment due, reminder sent), `BEZ` bezahlt (paid).
 */
export type LegacyBillStatus = 'ERST' | 'FAEL' | 'BEZ';
const BILL_STATUSES: readonly LegacyBillStatus[] = ['ERST', 'FAEL', 'BEZ'];

/** Bill types: `R` Rechnung (a normal bill), `P` Probe (trial bill of test services, never paid), `D` Duplikat. */
export type LegacyBillType = 'R' | 'P' | 'D';
const BILL_TYPES: readonly LegacyBillType[] = ['R', 'P', 'D'];

/** VAT (Mehrwertsteuer) percent the BSS charges by the customer's country; the US is billed without VAT. */
export const LEGACY_VAT_PERCENT: ReadonlyMap<string, number> = new Map([
  ['Germany', 19],
  ['United Kingdom', 20],
  ['France', 20],
  ['Netherlands', 21],
  ['Switzerland', 8.1],
  ['United States', 0],
]);

/** Days after the bill date the payment is due (Zahlungsziel). */
export const PAYMENT_TERM_DAYS = 14;

/** One line of a bill: a product's monthly charge (pro rata for part months) or its one-time charge. */
export interface LegacyBillLine {
  /** `<BILL_NO>-<2-digit LINE_NO>`, e.g. `RE-2026-000001-02`. */
  readonly LINE_ID: string;
  readonly LINE_NO: number;
  readonly ASSET_ID: string;
  readonly PROD_CODE: string;
  readonly PROD_NAME: string | null;
  readonly BW_MBPS: number;
  /** `MRC` monthly recurring, `NRC` one time. */
  readonly CHARGE: 'MRC' | 'NRC';
  /** Days covered (`dd.MM.yyyy`, both inclusive). */
  readonly FROM: string;
  readonly TO: string;
  /** Days of the period the product was in service (MRC lines), of `MONTH_DAYS`. */
  readonly DAYS: number;
  readonly MONTH_DAYS: number;
  /** Full monthly (or one-time) price, minor units. */
  readonly UNIT_PRICE: number;
  /** `UNIT_PRICE * DAYS / MONTH_DAYS` rounded to a minor unit (the one-time price for NRC lines). */
  readonly NET_AMT: number;
  /** VAT of this line alone, rounded (the bill's VAT is computed on its net total). */
  readonly VAT_AMT: number;
  readonly ORDER_NO: string | null;
  readonly ORDER_LINE_REF: string | null;
}

/** A bill (Rechnung) as the accounting department keeps it. */
export interface LegacyBill {
  readonly BILL_NO: string;
  readonly CUST_NO: string;
  readonly BILL_ACCT: string;
  readonly BILL_TYPE: LegacyBillType;
  BILL_STATUS: LegacyBillStatus;
  /** Billing month, `MM.yyyy`, and its first and last day (`dd.MM.yyyy`). */
  readonly PERIOD: string;
  readonly PERIOD_FROM: string;
  readonly PERIOD_TO: string;
  readonly BILL_DATE: Date;
  readonly DUE_DATE: string;
  readonly CURRENCY: string;
  readonly NET_AMT: number;
  readonly VAT_PCT: number;
  readonly VAT_AMT: number;
  readonly GROSS_AMT: number;
  PAID_AMT: number;
  PAID_DATE: Date | null;
  LAST_CHG: Date;
  readonly LINES: readonly LegacyBillLine[];
  readonly STATUS_HIST: StatusHistoryEntry<LegacyBillStatus>[];
}

/** Asset statuses that are charged (a suspended service keeps its monthly charge). */
const CHARGED_STATUSES = new Set(['ACTV', 'ACHG', 'PTRM', 'SUSP', 'TERM']);

/** A billing month in Berlin time. */
interface BillingMonth {
  readonly text: string;
  readonly start: DateTime;
  /** start of the next month */
  readonly end: DateTime;
  readonly days: number;
}

function parseBillingMonth(reader: LegacyFieldReader, now: Date): BillingMonth {
  const text = reader.text('PERIOD', 7) ?? DateTime.fromJSDate(now, { zone: LEGACY_TIME_ZONE }).toFormat('MM.yyyy');
  const start = DateTime.fromFormat(text, 'MM.yyyy', { zone: LEGACY_TIME_ZONE });
  if (!start.isValid || start.toFormat('MM.yyyy') !== text) return reader.fail('PERIOD', `PERIOD must be a month MM.yyyy, got ${text}`);
  if (start.toJSDate() > now) reader.fail('PERIOD', `PERIOD ${text} has not started yet`);
  return { text, start, end: start.plus({ months: 1 }), days: start.daysInMonth ?? 30 };
}

/** The days of `month` the asset was in service (at any time of the day), or null when none. */
function serviceDays(asset: LegacyAsset, month: BillingMonth): { from: DateTime; to: DateTime; days: number } | null {
  if (!asset.START_DATE || !CHARGED_STATUSES.has(asset.ASSET_STATUS)) return null;
  const start = DateTime.fromJSDate(asset.START_DATE, { zone: LEGACY_TIME_ZONE }).startOf('day');
  const from = start > month.start ? start : month.start;
  // the day the service ended is charged: it was in service on it
  const endDay = asset.END_DATE
    ? DateTime.fromJSDate(asset.END_DATE, { zone: LEGACY_TIME_ZONE }).startOf('day').plus({ days: 1 })
    : month.end;
  const until = endDay < month.end ? endDay : month.end;
  const days = Math.round(until.diff(from, 'days').days);
  return days > 0 ? { from, to: until.minus({ days: 1 }), days } : null;
}

/** The bill lines of one asset for a month, before numbering. */
function chargeAsset(
  asset: LegacyAsset,
  month: BillingMonth,
  vatPct: number,
  prodName: string | null,
): Array<Omit<LegacyBillLine, 'LINE_ID' | 'LINE_NO'>> {
  const covered = serviceDays(asset, month);
  if (!covered) return [];
  const order = asset.ORDERS[0];
  const common = {
    ASSET_ID: asset.ASSET_ID,
    PROD_CODE: asset.PROD_CODE,
    PROD_NAME: prodName,
    BW_MBPS: asset.BW_MBPS,
    MONTH_DAYS: month.days,
    ORDER_NO: order?.ORDER_NO ?? null,
    ORDER_LINE_REF: order?.LINE_REF ?? null,
  };
  const net = Math.round((asset.MRC * covered.days) / month.days);
  const lines: Array<Omit<LegacyBillLine, 'LINE_ID' | 'LINE_NO'>> = [
    {
      ...common,
      CHARGE: 'MRC',
      FROM: covered.from.toFormat('dd.MM.yyyy'),
      TO: covered.to.toFormat('dd.MM.yyyy'),
      DAYS: covered.days,
      UNIT_PRICE: asset.MRC,
      NET_AMT: net,
      VAT_AMT: Math.round((net * vatPct) / 100),
    },
  ];
  // the one-time charge goes on the bill of the month the service started in (earlier starts were billed before)
  const started = DateTime.fromJSDate(asset.START_DATE as Date, { zone: LEGACY_TIME_ZONE });
  if (asset.NRC > 0 && started >= month.start && started < month.end) {
    const day = started.toFormat('dd.MM.yyyy');
    lines.push({
      ...common,
      CHARGE: 'NRC',
      FROM: day,
      TO: day,
      DAYS: 1,
      UNIT_PRICE: asset.NRC,
      NET_AMT: asset.NRC,
      VAT_AMT: Math.round((asset.NRC * vatPct) / 100),
    });
  }
  return lines;
}

/** The bills of one simulator instance, and the monthly billing run. */
export interface BillStore {
  get(billNo: string): LegacyBill | undefined;
  list(): readonly LegacyBill[];
  /** Bills every customer for `month` from its assets (once per customer, month and type); returns the new bills. */
  run(month: BillingMonth): LegacyBill[];
  /** Moves a bill to a status (`BEZ` records the payment); emits `BILL_STATUS`. */
  setStatus(bill: LegacyBill, status: LegacyBillStatus): void;
}

function createBillStore(context: SimContext): BillStore {
  const bills = new Map<string, LegacyBill>();
  const emit = (bill: LegacyBill, old: LegacyBillStatus | null, info: string): void => {
    context.journal.record({
      EVT_TYPE: 'BILL_STATUS',
      CUST_NO: bill.CUST_NO,
      OBJ_ID: bill.BILL_NO,
      OLD_STATUS: old,
      NEW_STATUS: bill.BILL_STATUS,
      INFO: info,
    });
  };
  const issue = (
    customer: LegacyCustomerRecord,
    month: BillingMonth,
    type: LegacyBillType,
    assets: readonly LegacyAsset[],
  ): LegacyBill | undefined => {
    const exists = [...bills.values()].some((b) => b.CUST_NO === customer.CUST_NO && b.PERIOD === month.text && b.BILL_TYPE === type);
    const vatPct = LEGACY_VAT_PERCENT.get(customer.COUNTRY) ?? 0;
    const charged = assets.flatMap((a) =>
      chargeAsset(a, month, vatPct, context.seed.catalogue.products.get(a.PROD_CODE)?.PROD_NAME ?? null),
    );
    if (exists || charged.length === 0) return undefined;
    const billNo = context.nextNumber('RE');
    const now = context.now();
    const net = charged.reduce((sum, line) => sum + line.NET_AMT, 0);
    const vat = Math.round((net * vatPct) / 100);
    const bill: LegacyBill = {
      BILL_NO: billNo,
      CUST_NO: customer.CUST_NO,
      BILL_ACCT: customer.BILL_ACCT,
      BILL_TYPE: type,
      BILL_STATUS: 'ERST',
      PERIOD: month.text,
      PERIOD_FROM: month.start.toFormat('dd.MM.yyyy'),
      PERIOD_TO: month.end.minus({ days: 1 }).toFormat('dd.MM.yyyy'),
      BILL_DATE: now,
      DUE_DATE: formatLegacyDate(DateTime.fromJSDate(now).plus({ days: PAYMENT_TERM_DAYS }).toJSDate()),
      CURRENCY: customer.CURRENCY,
      NET_AMT: net,
      VAT_PCT: vatPct,
      VAT_AMT: vat,
      GROSS_AMT: net + vat,
      PAID_AMT: 0,
      PAID_DATE: null,
      LAST_CHG: now,
      LINES: charged.map((line, i) => ({
        LINE_ID: `${billNo}-${String(i + 1).padStart(2, '0')}`,
        LINE_NO: i + 1,
        ...line,
      })),
      STATUS_HIST: [{ STATUS: 'ERST', TS: now, RSN: null }],
    };
    bills.set(billNo, bill);
    emit(bill, null, `Rechnung ${month.text}`);
    return bill;
  };
  return {
    get: (billNo) => bills.get(billNo),
    list: () => [...bills.values()],
    run(month) {
      const issued: LegacyBill[] = [];
      for (const customer of context.seed.customers.values()) {
        const own = context.assets.list().filter((a) => a.CUST_NO === customer.CUST_NO);
        for (const [type, flag] of [
          ['R', 'N'],
          ['P', 'Y'],
        ] as const) {
          const bill = issue(
            customer,
            month,
            type,
            own.filter((a) => a.TEST_FLAG === flag),
          );
          if (bill) issued.push(bill);
        }
      }
      return issued;
    },
    setStatus(bill, status) {
      if (bill.BILL_STATUS === status) return;
      const old = bill.BILL_STATUS;
      const now = context.now();
      bill.BILL_STATUS = status;
      bill.LAST_CHG = now;
      if (status === 'BEZ') {
        bill.PAID_AMT = bill.GROSS_AMT;
        bill.PAID_DATE = now;
      }
      bill.STATUS_HIST.push({ STATUS: status, TS: now, RSN: null });
      emit(bill, old, status === 'BEZ' ? 'Zahlungseingang' : 'Zahlung fällig');
    },
  };
}

/** A bill as the legacy API shows it (`withLines`: the inquiry; a search lists headers only). */
export function renderBill(bill: LegacyBill, withLines: boolean): Record<string, unknown> {
  const { LINES, STATUS_HIST, BILL_DATE, PAID_DATE, LAST_CHG, ...header } = bill;
  return {
    ...header,
    BILL_DATE: formatLegacyTimestamp(BILL_DATE),
    PAID_DATE: PAID_DATE && formatLegacyTimestamp(PAID_DATE),
    LAST_CHG: formatLegacyTimestamp(LAST_CHG),
    LINE_COUNT: LINES.length,
    ...(withLines && {
      LINES: LINES.map((line) => ({ ...line })),
      STATUS_HIST: STATUS_HIST.map((h) => ({ STATUS: h.STATUS, TS: formatLegacyTimestamp(h.TS), RSN: h.RSN })),
    }),
  };
}

const SEARCH_FIELDS = [
  'CUST_NO',
  'BILL_STATUS',
  'BILL_TYPE',
  'BILL_ACCT',
  'FROM_AFTER',
  'FROM_BEFORE',
  'TO_AFTER',
  'TO_BEFORE',
  ...PAGING_FIELDS,
];

/** Start of a bill's first day and end of its last day (the next day's start), as instants. */
function periodBounds(bill: LegacyBill): { from: number; to: number } {
  const from = DateTime.fromFormat(bill.PERIOD_FROM, 'dd.MM.yyyy', { zone: LEGACY_TIME_ZONE });
  const to = DateTime.fromFormat(bill.PERIOD_TO, 'dd.MM.yyyy', { zone: LEGACY_TIME_ZONE }).plus({ days: 1 });
  return { from: from.toMillis(), to: to.toMillis() };
}

function searchBills(
  store: BillStore,
  customers: ReadonlyMap<string, LegacyCustomerRecord>,
  reader: LegacyFieldReader,
): Record<string, unknown> {
  const customer = requireLegacyCustomer(reader, customers);
  const status = reader.code('BILL_STATUS', BILL_STATUSES);
  const type = reader.code('BILL_TYPE', BILL_TYPES);
  const account = reader.text('BILL_ACCT', 20);
  const bound = (name: string): number | undefined => reader.timestamp(name)?.getTime();
  const [fromAfter, fromBefore, toAfter, toBefore] = ['FROM_AFTER', 'FROM_BEFORE', 'TO_AFTER', 'TO_BEFORE'].map(bound);
  const matches = store
    .list()
    .filter((bill) => {
      const p = periodBounds(bill);
      return (
        bill.CUST_NO === customer.CUST_NO &&
        (status === undefined || bill.BILL_STATUS === status) &&
        (type === undefined || bill.BILL_TYPE === type) &&
        (account === undefined || bill.BILL_ACCT === account) &&
        (fromAfter === undefined || p.from > fromAfter) &&
        (fromBefore === undefined || p.from < fromBefore) &&
        (toAfter === undefined || p.to > toAfter) &&
        (toBefore === undefined || p.to < toBefore)
      );
    })
    .sort((a, b) => b.BILL_NO.localeCompare(a.BILL_NO));
  const { page, ...paging } = pageLegacyList(reader, matches);
  return { ...paging, BILLS: page.map((bill) => renderBill(bill, false)) };
}

/**
 * The billing domain (Fakturierung), mounted under `/bss/v2/bills`: bill search and inquiry (`mountLegacyReads`), and
 * one bill line by `LINE_ID` (`GET /lines/:lineId`, `POST /lines/inquiry`). A customer sees only its own bills.
 * Back office (`_sim`): `POST /_sim/bills/run` (the month's billing run, `PERIOD` `MM.yyyy`, default the current
 * month) and `POST /_sim/bills/<BILL_NO>/advance` (`BILL_STATUS` `FAEL` or, by default, `BEZ`: paid).
 */
export function createBillingDomain(context: SimContext): SimDomain & { readonly simRouter: Router; readonly bills: BillStore } {
  const store = createBillStore(context);
  const customers = context.seed.customers;
  const router = express.Router();
  const inquireLine = (reader: LegacyFieldReader, lineId: string): Record<string, unknown> => {
    const customer = requireLegacyCustomer(reader, customers);
    const bill = store.get(lineId.replace(/-\d+$/, ''));
    const line = bill?.CUST_NO === customer.CUST_NO ? bill.LINES.find((l) => l.LINE_ID === lineId) : undefined;
    if (!bill || !line) throw new LegacyNotFoundError('bill line unknown');
    return { LINE: { ...line }, BILL: renderBill(bill, false) };
  };
  router.get('/lines/:lineId', (req: Request, res: Response) =>
    answerLegacy(res, () => inquireLine(readLegacyQuery(req, ['CUST_NO']), String(req.params['lineId']))),
  );
  router.post('/lines/inquiry', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'LINE_ID'] });
      return inquireLine(reader, reader.requiredText('LINE_ID', 20));
    }),
  );
  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search: (reader) => searchBills(store, customers, reader),
    idField: 'BILL_NO',
    idMaxLength: 20,
    inquire(reader, billNo) {
      const customer = requireLegacyCustomer(reader, customers);
      const bill = store.get(billNo);
      if (!bill || bill.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('bill unknown');
      return { BILL: renderBill(bill, true) };
    },
  });

  const simRouter = express.Router();
  simRouter.post('/run', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body ?? {}, { source: 'body', allowed: ['PERIOD'] });
      const issued = store.run(parseBillingMonth(reader, context.now()));
      return { BILLS: issued.map((bill) => renderBill(bill, false)) };
    }),
  );

  return {
    path: 'bills',
    router,
    simRouter,
    bills: store,
    advanceFields: ['BILL_STATUS'],
    advance(billNo, reader) {
      const bill = store.get(billNo);
      if (!bill) throw new LegacyNotFoundError('bill unknown');
      const status = reader.code('BILL_STATUS', ['FAEL', 'BEZ'] as const) ?? 'BEZ';
      if (bill.BILL_TYPE === 'P') reader.fail('BILL_STATUS', 'a trial bill (P) is never paid');
      if (bill.BILL_STATUS === 'BEZ') reader.fail('BILL_STATUS', 'the bill is paid already');
      store.setStatus(bill, status);
      return { BILL: renderBill(bill, true) };
    },
    tick: () => undefined,
    sweep: () => undefined,
  };
}
