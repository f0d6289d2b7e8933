import type { LegacyCustomerRecord } from './customer.js';
import { LegacyInputError } from './legacy-request.js';
import { formatLegacyDate } from './legacy-timestamp.js';
import type { OfferDomain } from './offer.js';
import { convertLegacyAmount } from './product-catalogue.js';
import type { SimContext } from './sim-context.js';
import { DEFAULT_RESPONSE_HOURS, openCharge, renderCharge, type OrderChargeOps } from './order-charge.js';
import type { ChargeStatus, Order, OrderCharge, OrderLine, OrderLineStatus, OrderStatus } from './order-model.js';

/**
 * The order domain's state and its lifecycle: status changes of orders, lines and charges (each journalled),
 * validation, provisioning, completion, and the one step the fault-free BSS takes by itself.
 */

export const FINAL_STATUSES: readonly OrderStatus[] = ['COMP', 'PCMP', 'REJD', 'CANC', 'FAIL'];
export const FINAL_LINE_STATUSES: readonly OrderLineStatus[] = ['COMP', 'REJD', 'CANC', 'FAIL'];

/** The order domain's state and what it reads: the orders, the offers they take, the operations of its charges. */
export interface OrderState {
  readonly context: SimContext;
  readonly offers: OfferDomain;
  readonly orders: Map<string, Order>;
  readonly chargeOps: OrderChargeOps;
}

/** A new, empty order domain state. */
export function createOrderState(context: SimContext, offers: OfferDomain): OrderState {
  const state: OrderState = {
    context,
    offers,
    orders: new Map(),
    chargeOps: {
      context,
      setLineStatus: (order, line, status, reason) => setLineStatus(state, order, line, status, reason),
      setOrderStatus: (order, status, reason) => setOrderStatus(state, order, status, reason),
      setChargeStatus: (order, charge, status) => setChargeStatus(state, order, charge, status),
      openLines,
      startProvisioning: (order) => startProvisioning(state, order),
      settleOrder: (order) => settleOrder(state, order),
      touch: (order) => touch(state, order),
    },
  };
  return state;
}

export function touch(state: OrderState, order: Order): Date {
  const now = state.context.now();
  order.LAST_CHG = now;
  return now;
}

export function setLineStatus(
  state: OrderState,
  order: Order,
  line: OrderLine,
  status: OrderLineStatus,
  reason: string | null = null,
): void {
  if (line.STATUS === status) return;
  const old = line.STATUS;
  const now = touch(state, order);
  line.STATUS = status;
  line.STATUS_RSN = reason;
  line.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
  if (status === 'COMP') line.COMP_DATE = now;
  state.context.journal.record({
    EVT_TYPE: 'ORDER_LINE_STATUS',
    CUST_NO: order.CUST_NO,
    OBJ_ID: order.ORDER_NO,
    LINE_REF: line.resolved.LINE_REF,
    OLD_STATUS: old,
    NEW_STATUS: status,
    TEST_FLAG: order.TEST_FLAG,
    INFO: reason,
  });
}

export function setOrderStatus(state: OrderState, order: Order, status: OrderStatus, reason: string | null = null): void {
  if (order.STATUS === status) return;
  const old = order.STATUS;
  const now = touch(state, order);
  order.STATUS = status;
  order.STATUS_RSN = reason;
  order.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
  if (status === 'COMP' || status === 'PCMP') order.COMP_DATE = now;
  if (status === 'CANC') order.CANC_DATE = now;
  state.context.journal.record({
    EVT_TYPE: 'ORDER_STATUS',
    CUST_NO: order.CUST_NO,
    OBJ_ID: order.ORDER_NO,
    OLD_STATUS: old,
    NEW_STATUS: status,
    TEST_FLAG: order.TEST_FLAG,
    INFO: reason,
  });
  if (status === 'PROV') openInstallation(state.context, order);
}

export function setChargeStatus(state: OrderState, order: Order, charge: OrderCharge, status: ChargeStatus): void {
  const old = charge.CHARGE_STATUS;
  charge.CHARGE_STATUS = status;
  charge.DECIDED = touch(state, order);
  state.context.journal.record({
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
}

export function openLines(order: Order): OrderLine[] {
  return order.lines.filter((line) => !FINAL_LINE_STATUSES.includes(line.STATUS));
}

/** Ends every open line with `status` and puts assets being worked on back where they were. */
export function endOpenLines(
  state: OrderState,
  order: Order,
  lines: readonly OrderLine[],
  status: 'REJD' | 'CANC' | 'FAIL',
  reason: string | null,
): void {
  for (const line of lines) {
    const { asset } = line;
    if (asset && line.STATUS === 'PROV') {
      const why = `${order.ORDER_NO} line ${line.resolved.LINE_REF} ended ${status}`;
      if (line.resolved.ACTION === 'NEW') state.context.assets.setStatus(asset, 'CANC', why);
      // A change or termination that did not happen leaves the asset as it was before (ACTV or SUSP).
      else state.context.assets.setStatus(asset, asset.STATUS_HIST.at(-2)?.STATUS ?? 'ACTV', why);
    }
    setLineStatus(state, order, line, status, reason);
  }
  for (const charge of order.CHARGES) if (charge.CHARGE_STATUS === 'OPEN') setChargeStatus(state, order, charge, 'WDRN');
}

/** Order status once every line is final: COMP, FAIL, or PCMP for a mix. */
export function settleOrder(state: OrderState, order: Order): void {
  if (openLines(order).length > 0) return;
  const completed = order.lines.filter((line) => line.STATUS === 'COMP').length;
  if (completed === order.lines.length) setOrderStatus(state, order, 'COMP');
  else if (completed === 0) setOrderStatus(state, order, 'FAIL', order.lines.find((line) => line.STATUS_RSN !== null)?.STATUS_RSN ?? null);
  else setOrderStatus(state, order, 'PCMP', `${order.lines.length - completed} of ${order.lines.length} lines not completed`);
}

function validateOrder(state: OrderState, order: Order): void {
  const { context } = state;
  for (const line of order.lines) {
    // Offer lines were checked when offered and their resources are reserved.
    if (line.OFFER_NO === null && line.verdict.RESULT === 'NF') {
      const reason = `line ${line.resolved.LINE_REF}: ${line.verdict.REASON ?? 'not feasible'}`;
      endOpenLines(state, order, openLines(order), 'REJD', reason);
      setOrderStatus(state, order, 'REJD', reason);
      return;
    }
  }
  for (const line of order.lines) setLineStatus(state, order, line, 'VALD');
  const customer = context.seed.customers.get(order.CUST_NO) as LegacyCustomerRecord;
  for (const line of order.lines) {
    if (line.expediteTo === null) continue;
    const raised = context.now();
    openCharge(state.chargeOps, order, {
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
  setOrderStatus(state, order, 'VALD');
}

export function startProvisioning(state: OrderState, order: Order): void {
  const { context } = state;
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
    setLineStatus(state, order, line, 'PROV');
  }
  setOrderStatus(state, order, 'PROV');
}

export function completeLine(state: OrderState, order: Order, line: OrderLine): void {
  const { asset } = line;
  if (asset) {
    const reason = `${order.ORDER_NO} line ${line.resolved.LINE_REF} completed`;
    if (line.resolved.ACTION === 'DEL') {
      state.context.assets.setStatus(asset, 'TERM', reason);
    } else {
      if (line.resolved.ACTION === 'CHG') {
        asset.BW_MBPS = line.resolved.BW_MBPS;
        if (line.CONFIG !== null) asset.CONFIG = line.CONFIG;
        asset.TERM_MONTHS = line.TERM_MONTHS;
        asset.MRC = line.price.MRC;
      }
      state.context.assets.setStatus(asset, 'ACTV', reason);
      state.context.assets.touch(asset);
    }
  }
  setLineStatus(state, order, line, 'COMP');
}

/** One lifecycle step; throws RC 8 when the order cannot move on by itself. */
export function stepOrder(state: OrderState, order: Order): void {
  switch (order.STATUS) {
    case 'RCVD':
      return validateOrder(state, order);
    case 'VALD':
      if (order.CHARGES.some((charge) => charge.CHARGE_STATUS === 'OPEN')) {
        for (const line of openLines(order)) setLineStatus(state, order, line, 'HOLD', 'charge decision pending');
        return setOrderStatus(state, order, 'HOLD', 'charge decision pending');
      }
      return startProvisioning(state, order);
    case 'HOLD':
      throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is HOLD: waiting for the customer's charge decision`);
    case 'PROV':
      for (const line of openLines(order)) completeLine(state, order, line);
      return settleOrder(state, order);
    default:
      throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is in final status ${order.STATUS}`);
  }
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
