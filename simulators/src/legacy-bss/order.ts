import express, { type Request, type Response } from 'express';
import { renderHistoryEntry } from './asset.js';
import { assessFeasibility } from './coverage.js';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import {
  answerLegacy,
  createLegacyJsonParser,
  LegacyInputError,
  LegacyNotFoundError,
  mountLegacyReads,
  pageLegacyList,
  searchOwnRecords,
  PAGING_FIELDS,
  readLegacyFields,
  type LegacyFieldReader,
} from './legacy-request.js';
import { addLegacyWorkingDays, formatLegacyDate, formatLegacyTimestamp, startOfLegacyDay } from './legacy-timestamp.js';
import type { OfferDomain } from './offer.js';
import { convertLegacyAmount, DEFAULT_TERM_MONTHS, priceLegacyLine } from './product-catalogue.js';
import { PRODUCT_LINE_FIELDS, readProductLine, readRequestLines } from './product-line.js';
import type { SimContext, SimDomain } from './sim-context.js';
import {
  decideCharge,
  openCharge,
  raiseCharge,
  RAISE_CHARGE_FIELDS,
  renderCharge,
  resumeAfterCharges,
  DEFAULT_RESPONSE_HOURS,
  type OrderChargeOps,
} from './order-charge.js';
import type { ChargeStatus, Order, OrderCharge, OrderLine, OrderLineStatus, OrderStatus } from './order-model.js';

export type { ChargeStatus, Order, OrderCharge, OrderLine, OrderLineStatus, OrderStatus } from './order-model.js';

const ORDER_STATUSES: readonly OrderStatus[] = ['RCVD', 'VALD', 'HOLD', 'PROV', 'COMP', 'PCMP', 'REJD', 'CANC', 'FAIL'];
const FINAL_STATUSES: readonly OrderStatus[] = ['COMP', 'PCMP', 'REJD', 'CANC', 'FAIL'];
const FINAL_LINE_STATUSES: readonly OrderLineStatus[] = ['COMP', 'REJD', 'CANC', 'FAIL'];
/** Where each forward step leads (HOLD is left by the customer's charge decision, not by a step). */
const FORWARD_ORDER: readonly OrderStatus[] = ['RCVD', 'VALD', 'PROV', 'COMP'];

const CREATE_FIELDS = [
  'CUST_NO',
  'CUST_ORDER_REF',
  'PROJECT_REF',
  'TEST_FLAG',
  'CONTACT_NAME',
  'CONTACT_PHONE',
  'CONTACT_EMAIL',
  'REMARKS',
  'LINES',
];
const LINE_FIELDS = [...PRODUCT_LINE_FIELDS, 'CONFIG', 'OFFER_NO', 'OFFER_LINE_REF', 'TERM_MONTHS', 'REQ_DATE', 'EXPEDITE'];
const SEARCH_FIELDS = ['CUST_NO', 'ORDER_STATUS', 'CUST_ORDER_REF', 'PROJECT_REF', 'TEST_FLAG', 'CHANGED_SINCE', ...PAGING_FIELDS];
/** Longest `CONFIG` the BSS stores (a CLOB column in the real system, capped for the simulator). */
export const MAX_CONFIG_LENGTH = 8000;

/**
 * The order domain, mounted under `/bss/v2/orders`: `POST /` (create), `POST /:orderNo/cancel`,
 * `POST /:orderNo/reschedule`, `POST /:orderNo/charges/:chargeId` (accept or decline a charge),
 * list (with `CHANGED_SINCE` for pollers) and inquiry. Orders move on through `_sim` advance or the
 * auto-advance tick; completing lines creates, changes or terminates assets.
 */
export function createOrderDomain(context: SimContext, offers: OfferDomain): SimDomain {
  const orders = new Map<string, Order>();
  const router = express.Router();

  const touch = (order: Order): Date => {
    const now = context.now();
    order.LAST_CHG = now;
    return now;
  };
  const setLineStatus = (order: Order, line: OrderLine, status: OrderLineStatus, reason: string | null = null): void => {
    if (line.STATUS === status) return;
    const old = line.STATUS;
    const now = touch(order);
    line.STATUS = status;
    line.STATUS_RSN = reason;
    line.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
    if (status === 'COMP') line.COMP_DATE = now;
    context.journal.record({
      EVT_TYPE: 'ORDER_LINE_STATUS',
      CUST_NO: order.CUST_NO,
      OBJ_ID: order.ORDER_NO,
      LINE_REF: line.resolved.LINE_REF,
      OLD_STATUS: old,
      NEW_STATUS: status,
      TEST_FLAG: order.TEST_FLAG,
      INFO: reason,
    });
  };
  const setOrderStatus = (order: Order, status: OrderStatus, reason: string | null = null): void => {
    if (order.STATUS === status) return;
    const old = order.STATUS;
    const now = touch(order);
    order.STATUS = status;
    order.STATUS_RSN = reason;
    order.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
    if (status === 'COMP' || status === 'PCMP') order.COMP_DATE = now;
    if (status === 'CANC') order.CANC_DATE = now;
    context.journal.record({
      EVT_TYPE: 'ORDER_STATUS',
      CUST_NO: order.CUST_NO,
      OBJ_ID: order.ORDER_NO,
      OLD_STATUS: old,
      NEW_STATUS: status,
      TEST_FLAG: order.TEST_FLAG,
      INFO: reason,
    });
    if (status === 'PROV') openInstallation(context, order);
  };
  const setChargeStatus = (order: Order, charge: OrderCharge, status: ChargeStatus): void => {
    const old = charge.CHARGE_STATUS;
    charge.CHARGE_STATUS = status;
    charge.DECIDED = touch(order);
    context.journal.record({
      EVT_TYPE: 'CHARGE_STATUS',
      CUST_NO: order.CUST_NO,
      OBJ_ID: order.ORDER_NO,
      LINE_REF: charge.LINE_REF,
      CHARGE_ID: charge.CHARGE_ID,
      OLD_STATUS: old,
      NEW_STATUS: status,
      TEST_FLAG: order.TEST_FLAG,
      CHARGE: renderCharge(charge),
    });
  };
  const openLines = (order: Order): OrderLine[] => order.lines.filter((line) => !FINAL_LINE_STATUSES.includes(line.STATUS));

  /** Ends every open line with `status` and puts assets being worked on back where they were. */
  const endOpenLines = (order: Order, lines: readonly OrderLine[], status: 'REJD' | 'CANC' | 'FAIL', reason: string | null): void => {
    for (const line of lines) {
      const { asset } = line;
      if (asset && line.STATUS === 'PROV') {
        const why = `${order.ORDER_NO} line ${line.resolved.LINE_REF} ended ${status}`;
        if (line.resolved.ACTION === 'NEW') context.assets.setStatus(asset, 'CANC', why);
        // A change or termination that did not happen leaves the asset as it was before (ACTV or SUSP).
        else context.assets.setStatus(asset, asset.STATUS_HIST.at(-2)?.STATUS ?? 'ACTV', why);
      }
      setLineStatus(order, line, status, reason);
    }
    for (const charge of order.CHARGES) if (charge.CHARGE_STATUS === 'OPEN') setChargeStatus(order, charge, 'WDRN');
  };

  /** Order status once every line is final: COMP, FAIL, or PCMP for a mix. */
  const settleOrder = (order: Order): void => {
    if (openLines(order).length > 0) return;
    const completed = order.lines.filter((line) => line.STATUS === 'COMP').length;
    if (completed === order.lines.length) setOrderStatus(order, 'COMP');
    else if (completed === 0) setOrderStatus(order, 'FAIL', order.lines.find((line) => line.STATUS_RSN !== null)?.STATUS_RSN ?? null);
    else setOrderStatus(order, 'PCMP', `${order.lines.length - completed} of ${order.lines.length} lines not completed`);
  };

  const validate = (order: Order): void => {
    for (const line of order.lines) {
      // Offer lines were checked when offered and their resources are reserved.
      if (line.OFFER_NO === null && line.verdict.RESULT === 'NF') {
        const reason = `line ${line.resolved.LINE_REF}: ${line.verdict.REASON ?? 'not feasible'}`;
        endOpenLines(order, openLines(order), 'REJD', reason);
        setOrderStatus(order, 'REJD', reason);
        return;
      }
    }
    for (const line of order.lines) setLineStatus(order, line, 'VALD');
    const customer = context.seed.customers.get(order.CUST_NO) as LegacyCustomerRecord;
    for (const line of order.lines) {
      if (line.expediteTo === null) continue;
      const raised = context.now();
      openCharge(chargeOps, order, {
        CHARGE_ID: context.nextNumber('CH'),
        LINE_REF: line.resolved.LINE_REF,
        CHARGE_TYPE: 'EXPEDITE',
        CHARGE_DESC: `expedited delivery on ${formatLegacyDate(line.expediteTo)} instead of ${formatLegacyDate(line.STD_DATE)}`,
        AMOUNT: convertLegacyAmount(context.seed.catalogue, context.seed.catalogue.charges.EXPEDITE_FEE, customer.CURRENCY),
        CURRENCY: customer.CURRENCY,
        BLOCKING: 'N',
        CHARGE_STATUS: 'OPEN',
        RAISED: raised,
        RESP_BY: new Date(raised.getTime() + DEFAULT_RESPONSE_HOURS * 3_600_000),
        DECIDED: null,
      });
    }
    setOrderStatus(order, 'VALD');
  };

  const startProvisioning = (order: Order): void => {
    for (const line of openLines(order)) {
      const ref = { ORDER_NO: order.ORDER_NO, LINE_REF: line.resolved.LINE_REF, ACTION: line.resolved.ACTION };
      if (line.resolved.ACTION === 'NEW') {
        line.asset = context.assets.create({
          CUST_NO: order.CUST_NO,
          PROD_CODE: line.resolved.product.PROD_CODE,
          BW_MBPS: line.resolved.BW_MBPS,
          CONFIG: line.CONFIG,
          ADDR_KEY: line.resolved.address.ADDR_KEY,
          SITE_ID: line.resolved.SITE_ID,
          TERM_MONTHS: line.TERM_MONTHS,
          MRC: line.price.MRC,
          NRC: line.price.NRC,
          CURRENCY: line.price.CURRENCY,
          TEST_FLAG: order.TEST_FLAG,
          order: ref,
        });
      } else if (line.asset) {
        line.asset.ORDERS.push(ref);
        context.assets.setStatus(
          line.asset,
          line.resolved.ACTION === 'CHG' ? 'ACHG' : 'PTRM',
          `${order.ORDER_NO} line ${line.resolved.LINE_REF}`,
        );
      }
      setLineStatus(order, line, 'PROV');
    }
    setOrderStatus(order, 'PROV');
  };

  const completeLine = (order: Order, line: OrderLine): void => {
    const { asset } = line;
    if (asset) {
      const reason = `${order.ORDER_NO} line ${line.resolved.LINE_REF} completed`;
      if (line.resolved.ACTION === 'DEL') {
        context.assets.setStatus(asset, 'TERM', reason);
      } else {
        if (line.resolved.ACTION === 'CHG') {
          asset.BW_MBPS = line.resolved.BW_MBPS;
          if (line.CONFIG !== null) asset.CONFIG = line.CONFIG;
          asset.TERM_MONTHS = line.TERM_MONTHS;
          asset.MRC = line.price.MRC;
        }
        context.assets.setStatus(asset, 'ACTV', reason);
        context.assets.touch(asset);
      }
    }
    setLineStatus(order, line, 'COMP');
  };

  /** One lifecycle step; throws RC 8 when the order cannot move on by itself. */
  const step = (order: Order): void => {
    switch (order.STATUS) {
      case 'RCVD':
        return validate(order);
      case 'VALD':
        if (order.CHARGES.some((charge) => charge.CHARGE_STATUS === 'OPEN')) {
          for (const line of openLines(order)) setLineStatus(order, line, 'HOLD', 'charge decision pending');
          return setOrderStatus(order, 'HOLD', 'charge decision pending');
        }
        return startProvisioning(order);
      case 'HOLD':
        throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is HOLD: waiting for the customer's charge decision`);
      case 'PROV':
        for (const line of openLines(order)) completeLine(order, line);
        return settleOrder(order);
      default:
        throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is in final status ${order.STATUS}`);
    }
  };

  const chargeOps: OrderChargeOps = {
    context,
    setLineStatus,
    setOrderStatus,
    setChargeStatus,
    openLines,
    startProvisioning,
    settleOrder,
    touch,
  };

  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const order = createOrder(readLegacyFields(req.body, { source: 'body', allowed: CREATE_FIELDS }));
      return { ORDER: renderOrder(order) };
    });
  });

  const createOrder = (reader: LegacyFieldReader): Order => {
    const customer = requireLegacyCustomer(reader, context.seed.customers);
    if (customer.CUST_STATUS !== 'A') reader.fail('CUST_NO', `CUST_NO ${customer.CUST_NO} is suspended: no new orders`);
    const testFlag = reader.code('TEST_FLAG', ['Y', 'N'] as const) ?? 'N';
    const header = {
      CUST_ORDER_REF: reader.text('CUST_ORDER_REF', 35) ?? null,
      PROJECT_REF: reader.text('PROJECT_REF', 35) ?? null,
      CONTACT_NAME: reader.text('CONTACT_NAME', 60) ?? null,
      CONTACT_PHONE: reader.text('CONTACT_PHONE', 30) ?? null,
      CONTACT_EMAIL: reader.text('CONTACT_EMAIL', 80) ?? null,
      REMARKS: reader.text('REMARKS', 500) ?? null,
    };
    const takenOfferLines = new Map<string, string>();
    const usedAssets = new Map<string, string>();
    const offersToTake = new Set<string>();
    const lines = readRequestLines(reader, LINE_FIELDS, (line, raw) => completeFromOffer(line, raw, customer)).map((line) => {
      const orderLine = readOrderLine(line, customer);
      if (orderLine.OFFER_NO !== null) {
        const key = `${orderLine.OFFER_NO}/${orderLine.OFFER_LINE_REF}`;
        const other = takenOfferLines.get(key);
        if (other !== undefined) line.fail('OFFER_LINE_REF', `offer line ${key} already ordered by line ${other}`);
        takenOfferLines.set(key, orderLine.resolved.LINE_REF);
        offersToTake.add(orderLine.OFFER_NO);
      }
      const { asset } = orderLine.resolved;
      if (asset) {
        const other = usedAssets.get(asset.ASSET_ID);
        if (other !== undefined) line.fail('ASSET_ID', `ASSET_ID ${asset.ASSET_ID} already used by line ${other}`);
        usedAssets.set(asset.ASSET_ID, orderLine.resolved.LINE_REF);
        const busy = findOpenOrderOn(asset.ASSET_ID);
        if (busy !== undefined) line.fail('ASSET_ID', `ASSET_ID ${asset.ASSET_ID} has an open order ${busy}`);
      }
      return orderLine;
    });

    const now = context.now();
    const order: Order = {
      ORDER_NO: context.nextNumber('ORD'),
      CUST_NO: customer.CUST_NO,
      TEST_FLAG: testFlag,
      ...header,
      STATUS: 'RCVD',
      STATUS_RSN: null,
      ORDER_DATE: now,
      COMP_DATE: null,
      CANC_DATE: null,
      LAST_CHG: now,
      STATUS_HIST: [{ STATUS: 'RCVD', TS: now, RSN: null }],
      CHARGES: [],
      lines,
    };
    orders.set(order.ORDER_NO, order);
    context.journal.record({
      EVT_TYPE: 'ORDER_STATUS',
      CUST_NO: order.CUST_NO,
      OBJ_ID: order.ORDER_NO,
      OLD_STATUS: null,
      NEW_STATUS: 'RCVD',
      TEST_FLAG: testFlag,
    });
    for (const offerNo of offersToTake) {
      const offer = offers.find(offerNo);
      if (offer) offers.take(offer, order.ORDER_NO);
    }
    return order;
  };

  const findOpenOrderOn = (assetId: string): string | undefined => {
    for (const order of orders.values()) {
      if (openLines(order).some((line) => line.resolved.asset?.ASSET_ID === assetId)) return order.ORDER_NO;
    }
    return undefined;
  };

  // An order line that names an offer line takes what it leaves out from there; what it does say
  // must agree with the offer.
  const completeFromOffer = (
    line: LegacyFieldReader,
    raw: Readonly<Record<string, unknown>>,
    customer: LegacyCustomerRecord,
  ): Record<string, unknown> => {
    const offerNo = line.text('OFFER_NO', 20);
    if (offerNo === undefined) {
      if (line.text('OFFER_LINE_REF', 10) !== undefined) line.fail('OFFER_LINE_REF', 'OFFER_LINE_REF needs OFFER_NO');
      return { ...raw };
    }
    const offer = offers.find(offerNo);
    if (!offer || offer.CUST_NO !== customer.CUST_NO) return line.fail('OFFER_NO', `OFFER_NO ${offerNo} unknown`);
    if (offer.OFFER_TYPE !== 'FIRM') line.fail('OFFER_NO', `OFFER_NO ${offerNo} is a budgetary offer and cannot be ordered`);
    if (offer.STATUS !== 'OFFR') line.fail('OFFER_NO', `OFFER_NO ${offerNo} is ${offer.STATUS}; only OFFR offers can be ordered`);
    const offerLineRef = line.text('OFFER_LINE_REF', 10) ?? line.requiredText('LINE_REF', 10);
    const offerLine =
      offer.lines.find((candidate) => candidate.resolved.LINE_REF === offerLineRef) ??
      line.fail('OFFER_LINE_REF', `offer ${offerNo} has no line ${offerLineRef}`);
    if (offerLine.LINE_STATUS !== 'OFFR') line.fail('OFFER_LINE_REF', `offer ${offerNo} line ${offerLineRef} is ${offerLine.LINE_STATUS}`);
    const given = {
      ACTION: line.text('ACTION', 3),
      PROD_CODE: line.text('PROD_CODE', 10),
      BW_MBPS: line.integer('BW_MBPS', 1, 1_000_000),
      ASSET_ID: line.text('ASSET_ID', 10),
      TERM_MONTHS: line.integer('TERM_MONTHS', 1, 120),
      ADDR_KEY: line.text('ADDR_KEY', 20),
      SITE_ID: line.text('SITE_ID', 9),
    };
    const offered = {
      ACTION: offerLine.resolved.ACTION,
      PROD_CODE: offerLine.resolved.product.PROD_CODE,
      BW_MBPS: offerLine.resolved.BW_MBPS,
      ASSET_ID: offerLine.resolved.asset?.ASSET_ID,
      TERM_MONTHS: offerLine.TERM_MONTHS,
      ADDR_KEY: offerLine.resolved.address.ADDR_KEY,
      SITE_ID: offerLine.resolved.SITE_ID ?? undefined,
    };
    for (const name of Object.keys(given) as (keyof typeof given)[]) {
      if (given[name] !== undefined && given[name] !== offered[name]) {
        line.fail(
          name,
          `${name} ${String(given[name])} differs from offer ${offerNo} line ${offerLineRef} (${String(offered[name] ?? 'none')})`,
        );
      }
    }
    const place =
      given.ADDR_KEY === undefined && given.SITE_ID === undefined ? { ADDR_KEY: offered.ADDR_KEY, SITE_ID: offered.SITE_ID ?? null } : {};
    return {
      ...raw,
      ACTION: offered.ACTION,
      PROD_CODE: offered.PROD_CODE,
      BW_MBPS: offered.BW_MBPS,
      ASSET_ID: offered.ASSET_ID ?? null,
      TERM_MONTHS: offered.TERM_MONTHS,
      OFFER_LINE_REF: offerLineRef,
      ...place,
    };
  };

  const readOrderLine = (line: LegacyFieldReader, customer: LegacyCustomerRecord): OrderLine => {
    const resolved = readProductLine(line, { seed: context.seed, assets: context.assets, customer });
    const offerNo = line.text('OFFER_NO', 20) ?? null;
    const offerLine =
      offerNo === null
        ? undefined
        : offers.find(offerNo)?.lines.find((candidate) => candidate.resolved.LINE_REF === line.text('OFFER_LINE_REF', 10));
    const term = line.integer('TERM_MONTHS', 1, 120) ?? DEFAULT_TERM_MONTHS;
    if (!context.seed.catalogue.terms.has(term)) {
      line.fail('TERM_MONTHS', `TERM_MONTHS ${term} not offered (offered: ${[...context.seed.catalogue.terms.keys()].join(', ')})`);
    }
    const verdict = offerLine?.verdict ?? assessFeasibility(context.seed.coverage, resolved.address, resolved.ACTION, resolved.BW_MBPS);
    const now = context.now();
    const today = startOfLegacyDay(now);
    const leadDays = verdict.LEAD_DAYS ?? context.seed.coverage.fallback.LEAD_DAYS;
    const standardDate = addLegacyWorkingDays(now, leadDays);
    const expedite = line.code('EXPEDITE', ['Y', 'N'] as const) ?? 'N';
    const requested = line.date('REQ_DATE');
    if (requested && requested.day.getTime() < today.getTime()) line.fail('REQ_DATE', `REQ_DATE ${requested.text} lies in the past`);
    let expediteTo: Date | null = null;
    if (expedite === 'N' && requested && requested.day.getTime() < standardDate.getTime()) {
      line.fail(
        'REQ_DATE',
        `REQ_DATE ${requested.text} before the earliest date ${formatLegacyDate(standardDate)} (EXPEDITE Y asks for an earlier date against a fee)`,
      );
    }
    if (expedite === 'Y') {
      const target = requested?.day ?? addLegacyWorkingDays(now, Math.ceil(leadDays / 2));
      if (target.getTime() < standardDate.getTime()) expediteTo = target;
    }
    const price =
      offerLine?.price ??
      priceLegacyLine(context.seed.catalogue, {
        action: resolved.ACTION,
        product: resolved.product,
        bandwidth: resolved.BW_MBPS,
        termMonths: term,
        netType: verdict.NET_TYPE ?? 'OFF',
        buildNeeded: verdict.RESULT === 'FB',
        currency: customer.CURRENCY,
      });
    return {
      resolved,
      CONFIG: line.opaque('CONFIG', MAX_CONFIG_LENGTH) ?? null,
      OFFER_NO: offerNo,
      OFFER_LINE_REF: offerNo === null ? null : (line.text('OFFER_LINE_REF', 10) ?? null),
      TERM_MONTHS: term,
      REQ_DATE: requested?.day ?? null,
      EXPEDITE: expedite,
      expediteTo,
      verdict,
      STD_DATE: standardDate,
      EXP_DATE: expediteTo === null && requested && requested.day.getTime() > standardDate.getTime() ? requested.day : standardDate,
      COMP_DATE: null,
      STATUS: 'RCVD',
      STATUS_RSN: null,
      STATUS_HIST: [{ STATUS: 'RCVD', TS: now, RSN: null }],
      price,
      asset: resolved.asset,
    };
  };

  const ownOrder = (reader: LegacyFieldReader, orderNo: string): Order => {
    const customer = requireLegacyCustomer(reader, context.seed.customers);
    const order = orders.get(orderNo);
    if (!order || order.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('order unknown');
    return order;
  };

  router.post('/:orderNo/cancel', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'REASON'] });
      const order = ownOrder(reader, String(req.params['orderNo']));
      const reason = reader.text('REASON', 200) ?? 'cancelled by customer';
      if (FINAL_STATUSES.includes(order.STATUS))
        throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is ${order.STATUS}: too late to cancel`);
      if (order.lines.some((line) => line.STATUS === 'COMP')) {
        throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} has completed lines: too late to cancel`);
      }
      endOpenLines(order, openLines(order), 'CANC', reason);
      setOrderStatus(order, 'CANC', reason);
      return { ORDER: renderOrder(order) };
    });
  });

  router.post('/:orderNo/reschedule', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'LINE_REF', 'REQ_DATE'] });
      const order = ownOrder(reader, String(req.params['orderNo']));
      const lineRef = reader.text('LINE_REF', 10);
      const requested = reader.date('REQ_DATE') ?? reader.fail('REQ_DATE', 'REQ_DATE missing');
      if (FINAL_STATUSES.includes(order.STATUS))
        throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is ${order.STATUS}: cannot be rescheduled`);
      const lines = lineRef === undefined ? openLines(order) : order.lines.filter((line) => line.resolved.LINE_REF === lineRef);
      if (lineRef !== undefined && lines.length === 0) reader.fail('LINE_REF', `order ${order.ORDER_NO} has no line ${lineRef}`);
      for (const line of lines) {
        if (FINAL_LINE_STATUSES.includes(line.STATUS))
          reader.fail('LINE_REF', `line ${line.resolved.LINE_REF} is ${line.STATUS}: cannot be rescheduled`);
        if (requested.day.getTime() < line.STD_DATE.getTime()) {
          reader.fail(
            'REQ_DATE',
            `REQ_DATE ${requested.text} before the earliest date ${formatLegacyDate(line.STD_DATE)} of line ${line.resolved.LINE_REF}`,
          );
        }
      }
      for (const line of lines) {
        line.REQ_DATE = requested.day;
        line.EXP_DATE = requested.day;
        // A later date needs no expediting: an undecided expedite charge is withdrawn.
        for (const charge of order.CHARGES) {
          if (charge.LINE_REF === line.resolved.LINE_REF && charge.CHARGE_STATUS === 'OPEN') setChargeStatus(order, charge, 'WDRN');
        }
        touch(order);
        context.journal.record({
          EVT_TYPE: 'ORDER_CHANGE',
          CUST_NO: order.CUST_NO,
          OBJ_ID: order.ORDER_NO,
          LINE_REF: line.resolved.LINE_REF,
          OLD_STATUS: null,
          NEW_STATUS: line.STATUS,
          TEST_FLAG: order.TEST_FLAG,
          INFO: `rescheduled to ${requested.text}`,
        });
      }
      resumeAfterCharges(chargeOps, order);
      return { ORDER: renderOrder(order) };
    });
  });

  router.post('/:orderNo/charges/:chargeId', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'DECISION'] });
      const order = ownOrder(reader, String(req.params['orderNo']));
      const decision = reader.requiredCode('DECISION', ['ACPT', 'DECL'] as const);
      const charge = order.CHARGES.find((candidate) => candidate.CHARGE_ID === req.params['chargeId']);
      if (!charge) throw new LegacyNotFoundError('charge unknown');
      decideCharge(chargeOps, order, charge, decision);
      return { ORDER: renderOrder(order) };
    });
  });

  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader) {
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const status = reader.code('ORDER_STATUS', ORDER_STATUSES);
      const custOrderRef = reader.text('CUST_ORDER_REF', 35);
      const projectRef = reader.text('PROJECT_REF', 35);
      const testFlag = reader.code('TEST_FLAG', ['Y', 'N'] as const);
      const changedSince = reader.timestamp('CHANGED_SINCE');
      const matches = searchOwnRecords(
        orders.values(),
        customer.CUST_NO,
        { STATUS: status, CUST_ORDER_REF: custOrderRef, PROJECT_REF: projectRef, TEST_FLAG: testFlag },
        changedSince,
      );
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, ORDERS: page.map(renderOrder) };
    },
    idField: 'ORDER_NO',
    idMaxLength: 20,
    inquire: (reader, orderNo) => ({ ORDER: renderOrder(ownOrder(reader, orderNo)) }),
  });

  return {
    path: 'orders',
    router,
    advanceFields: ['TO', 'LINE_REF', 'REASON'],
    actions: {
      charge: {
        fields: RAISE_CHARGE_FIELDS,
        run(orderNo, reader) {
          const order = orders.get(orderNo);
          if (!order) throw new LegacyNotFoundError('order unknown');
          return { ...raiseCharge(chargeOps, order, reader), ORDER: renderOrder(order) };
        },
      },
    },
    advance(orderNo, reader) {
      const order = orders.get(orderNo);
      if (!order) throw new LegacyNotFoundError('order unknown');
      const to = reader.code('TO', ['VALD', 'PROV', 'COMP', 'REJD', 'FAIL'] as const);
      const lineRef = reader.text('LINE_REF', 10);
      const reason = reader.text('REASON', 200) ?? null;
      const line =
        lineRef === undefined
          ? undefined
          : (order.lines.find((candidate) => candidate.resolved.LINE_REF === lineRef) ??
            reader.fail('LINE_REF', `order ${orderNo} has no line ${lineRef}`));
      if (FINAL_STATUSES.includes(order.STATUS))
        throw new LegacyInputError('ORDER_NO', `order ${orderNo} is in final status ${order.STATUS}`);

      if (to === 'REJD') {
        if (!['RCVD', 'VALD', 'HOLD'].includes(order.STATUS))
          throw new LegacyInputError('TO', `order ${orderNo} is ${order.STATUS}: only RCVD, VALD or HOLD can be rejected`);
        endOpenLines(order, openLines(order), 'REJD', reason ?? 'rejected by order validation');
        setOrderStatus(order, 'REJD', reason ?? 'rejected by order validation');
      } else if (to === 'FAIL' || (to === 'COMP' && line)) {
        if (order.STATUS !== 'PROV')
          throw new LegacyInputError('TO', `order ${orderNo} is ${order.STATUS}: lines complete or fail in PROV only`);
        const targets = line ? [line] : openLines(order);
        if (line && line.STATUS !== 'PROV')
          throw new LegacyInputError('LINE_REF', `line ${line.resolved.LINE_REF} is ${line.STATUS}, not PROV`);
        if (to === 'FAIL') endOpenLines(order, targets, 'FAIL', reason ?? 'provisioning failed');
        else for (const target of targets) completeLine(order, target);
        settleOrder(order);
      } else if (to === undefined) {
        step(order);
      } else if (order.STATUS === 'HOLD') {
        step(order);
      } else {
        const target = FORWARD_ORDER.indexOf(to);
        if (FORWARD_ORDER.indexOf(order.STATUS) >= target) throw new LegacyInputError('TO', `order ${orderNo} is already ${order.STATUS}`);
        // Steps one status at a time (so every change is reported) and stops early at HOLD or a final status.
        // (statusOf defeats the compiler's narrowing: step() changes the status.)
        for (let status = statusOf(order); status !== to && status !== 'HOLD' && !FINAL_STATUSES.includes(status); status = statusOf(order))
          step(order);
      }
      return { ORDER: renderOrder(order) };
    },
    tick() {
      for (const order of orders.values()) {
        if (order.STATUS === 'RCVD' || order.STATUS === 'VALD' || order.STATUS === 'PROV') step(order);
      }
    },
    sweep() {},
  };
}

function statusOf(order: Order): OrderStatus {
  return order.STATUS;
}

/** An order as the legacy API shows it. */
export function renderOrder(order: Order): Record<string, unknown> {
  const live = order.lines.filter((line) => !['REJD', 'CANC', 'FAIL'].includes(line.STATUS));
  const expected = live.length === 0 ? null : new Date(Math.max(...live.map((line) => line.EXP_DATE.getTime())));
  return {
    ORDER_NO: order.ORDER_NO,
    CUST_NO: order.CUST_NO,
    CUST_ORDER_REF: order.CUST_ORDER_REF,
    PROJECT_REF: order.PROJECT_REF,
    TEST_FLAG: order.TEST_FLAG,
    ORDER_STATUS: order.STATUS,
    STATUS_RSN: order.STATUS_RSN,
    ORDER_DATE: formatLegacyTimestamp(order.ORDER_DATE),
    EXP_DATE: expected && formatLegacyDate(expected),
    COMP_DATE: order.COMP_DATE && formatLegacyTimestamp(order.COMP_DATE),
    CANC_DATE: order.CANC_DATE && formatLegacyTimestamp(order.CANC_DATE),
    CONTACT_NAME: order.CONTACT_NAME,
    CONTACT_PHONE: order.CONTACT_PHONE,
    CONTACT_EMAIL: order.CONTACT_EMAIL,
    REMARKS: order.REMARKS,
    LAST_CHG: formatLegacyTimestamp(order.LAST_CHG),
    STATUS_HIST: order.STATUS_HIST.map(renderHistoryEntry),
    CHARGES: order.CHARGES.map(renderCharge),
    LINES: order.lines.map((line) => ({
      LINE_REF: line.resolved.LINE_REF,
      ACTION: line.resolved.ACTION,
      PROD_CODE: line.resolved.product.PROD_CODE,
      PROD_NAME: line.resolved.product.PROD_NAME,
      BW_MBPS: line.resolved.BW_MBPS,
      CONFIG: line.CONFIG,
      ADDR_KEY: line.resolved.address.ADDR_KEY,
      SITE_ID: line.resolved.SITE_ID,
      ASSET_ID: line.asset?.ASSET_ID ?? null,
      OFFER_NO: line.OFFER_NO,
      OFFER_LINE_REF: line.OFFER_LINE_REF,
      TERM_MONTHS: line.TERM_MONTHS,
      REQ_DATE: line.REQ_DATE && formatLegacyDate(line.REQ_DATE),
      EXPEDITE: line.EXPEDITE,
      STD_DATE: formatLegacyDate(line.STD_DATE),
      EXP_DATE: formatLegacyDate(line.EXP_DATE),
      COMP_DATE: line.COMP_DATE && formatLegacyTimestamp(line.COMP_DATE),
      LINE_STATUS: line.STATUS,
      STATUS_RSN: line.STATUS_RSN,
      MRC: line.price.MRC,
      NRC: line.price.NRC,
      CURRENCY: line.price.CURRENCY,
      BILLABLE: order.TEST_FLAG === 'Y' ? 'N' : 'Y',
      STATUS_HIST: line.STATUS_HIST.map(renderHistoryEntry),
    })),
  };
}

/** An order in provisioning needs an engineer on site: the field service opens an installation work order. */
function openInstallation(context: SimContext, order: Order): void {
  const line = order.lines.find((l) => l.resolved.ACTION !== 'DEL') ?? order.lines[0];
  if (!line) return;
  context.workOrders?.open({
    CUST_NO: order.CUST_NO,
    AUFTRAGSART: 'MONT',
    BEZUG_TYP: 'AUFTRAG',
    BEZUG_NR: order.ORDER_NO,
    BEMERKUNG: order.REMARKS,
    TEST_FLAG: order.TEST_FLAG,
    ASSET_ID: line.asset?.ASSET_ID ?? null,
    SITE_ID: line.resolved.SITE_ID ?? null,
    ADDR_KEY: line.resolved.address.ADDR_KEY,
    TAETIGKEITEN: order.lines.map(
      (l) => `Montage ${l.resolved.ACTION} ${l.resolved.product.PROD_NAME} ${l.resolved.BW_MBPS} Mbit/s Zeile ${l.resolved.LINE_REF}`,
    ),
  });
}
