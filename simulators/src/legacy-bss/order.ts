import express, { type Request, type Response, type Router } from 'express';
import { renderHistoryEntry } from './asset.js';
import { requireLegacyCustomer } from './customer.js';
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
import { formatLegacyDate, formatLegacyTimestamp } from './legacy-timestamp.js';
import type { OfferDomain } from './offer.js';
import type { SimContext, SimDomain } from './sim-context.js';
import { decideCharge, raiseCharge, RAISE_CHARGE_FIELDS, renderCharge, resumeAfterCharges } from './order-charge.js';
import { createOrder } from './order-intake.js';
import {
  completeLine,
  createOrderState,
  endOpenLines,
  FINAL_LINE_STATUSES,
  FINAL_STATUSES,
  openLines,
  setChargeStatus,
  setOrderStatus,
  settleOrder,
  stepOrder,
  touch,
  type OrderState,
} from './order-lifecycle.js';
import type { Order, OrderStatus } from './order-model.js';

export type { ChargeStatus, Order, OrderCharge, OrderLine, OrderLineStatus, OrderStatus } from './order-model.js';
export { MAX_CONFIG_LENGTH } from './order-intake.js';

const ORDER_STATUSES: readonly OrderStatus[] = ['RCVD', 'VALD', 'HOLD', 'PROV', 'COMP', 'PCMP', 'REJD', 'CANC', 'FAIL'];
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
const SEARCH_FIELDS = ['CUST_NO', 'ORDER_STATUS', 'CUST_ORDER_REF', 'PROJECT_REF', 'TEST_FLAG', 'CHANGED_SINCE', ...PAGING_FIELDS];

/**
 * The order domain, mounted under `/bss/v2/orders`: `POST /` (create), `POST /:orderNo/cancel`,
 * `POST /:orderNo/reschedule`, `POST /:orderNo/charges/:chargeId` (accept or decline a charge),
 * list (with `CHANGED_SINCE` for pollers) and inquiry. Orders move on through `_sim` advance or the
 * auto-advance tick; completing lines creates, changes or terminates assets.
 */
export function createOrderDomain(context: SimContext, offers: OfferDomain): SimDomain {
  const state = createOrderState(context, offers);
  const { orders, chargeOps } = state;
  const router = express.Router();
  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const order = createOrder(state, readLegacyFields(req.body, { source: 'body', allowed: CREATE_FIELDS }));
      return { ORDER: renderOrder(order) };
    });
  });
  router.post('/:orderNo/cancel', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () =>
      cancelOrder(state, String(req.params['orderNo']), readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'REASON'] })),
    );
  });
  router.post('/:orderNo/reschedule', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () =>
      rescheduleOrder(
        state,
        String(req.params['orderNo']),
        readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'LINE_REF', 'REQ_DATE'] }),
      ),
    );
  });
  router.post('/:orderNo/charges/:chargeId', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'DECISION'] });
      const order = ownOrder(state, reader, String(req.params['orderNo']));
      const decision = reader.requiredCode('DECISION', ['ACPT', 'DECL'] as const);
      const charge = order.CHARGES.find((candidate) => candidate.CHARGE_ID === req.params['chargeId']);
      if (!charge) throw new LegacyNotFoundError('charge unknown');
      decideCharge(chargeOps, order, charge, decision);
      return { ORDER: renderOrder(order) };
    });
  });
  mountOrderReads(router, state);
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
    advance: (orderNo, reader) => advanceOrder(state, orderNo, reader),
    tick() {
      for (const order of orders.values()) {
        if (order.STATUS === 'RCVD' || order.STATUS === 'VALD' || order.STATUS === 'PROV') stepOrder(state, order);
      }
    },
    sweep() {},
  };
}

function ownOrder(state: OrderState, reader: LegacyFieldReader, orderNo: string): Order {
  const customer = requireLegacyCustomer(reader, state.context.seed.customers);
  const order = state.orders.get(orderNo);
  if (!order || order.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('order unknown');
  return order;
}

/** `POST /:orderNo/cancel`: ends the open lines; too late once the order is final or a line completed. */
function cancelOrder(state: OrderState, orderNo: string, reader: LegacyFieldReader): Record<string, unknown> {
  const order = ownOrder(state, reader, orderNo);
  const reason = reader.text('REASON', 200) ?? 'cancelled by customer';
  if (FINAL_STATUSES.includes(order.STATUS))
    throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is ${order.STATUS}: too late to cancel`);
  if (order.lines.some((line) => line.STATUS === 'COMP')) {
    throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} has completed lines: too late to cancel`);
  }
  endOpenLines(state, order, openLines(order), 'CANC', reason);
  setOrderStatus(state, order, 'CANC', reason);
  return { ORDER: renderOrder(order) };
}

/** `POST /:orderNo/reschedule`: a later date for one line or every open line; undecided expedite charges are withdrawn. */
function rescheduleOrder(state: OrderState, orderNo: string, reader: LegacyFieldReader): Record<string, unknown> {
  const order = ownOrder(state, reader, orderNo);
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
      if (charge.LINE_REF === line.resolved.LINE_REF && charge.CHARGE_STATUS === 'OPEN') setChargeStatus(state, order, charge, 'WDRN');
    }
    touch(state, order);
    state.context.journal.record({
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
  resumeAfterCharges(state.chargeOps, order);
  return { ORDER: renderOrder(order) };
}

function mountOrderReads(router: Router, state: OrderState): void {
  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader) {
      const customer = requireLegacyCustomer(reader, state.context.seed.customers);
      const status = reader.code('ORDER_STATUS', ORDER_STATUSES);
      const custOrderRef = reader.text('CUST_ORDER_REF', 35);
      const projectRef = reader.text('PROJECT_REF', 35);
      const testFlag = reader.code('TEST_FLAG', ['Y', 'N'] as const);
      const changedSince = reader.timestamp('CHANGED_SINCE');
      const matches = searchOwnRecords(
        state.orders.values(),
        customer.CUST_NO,
        { STATUS: status, CUST_ORDER_REF: custOrderRef, PROJECT_REF: projectRef, TEST_FLAG: testFlag },
        changedSince,
      );
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, ORDERS: page.map(renderOrder) };
    },
    idField: 'ORDER_NO',
    idMaxLength: 20,
    inquire: (reader, orderNo) => ({ ORDER: renderOrder(ownOrder(state, reader, orderNo)) }),
  });
}

/** The simulator's control: one step, or (`TO`) every step up to a status; rejects, fails or completes lines. */
function advanceOrder(state: OrderState, orderNo: string, reader: LegacyFieldReader): Record<string, unknown> {
  const order = state.orders.get(orderNo);
  if (!order) throw new LegacyNotFoundError('order unknown');
  const to = reader.code('TO', ['VALD', 'PROV', 'COMP', 'REJD', 'FAIL'] as const);
  const lineRef = reader.text('LINE_REF', 10);
  const reason = reader.text('REASON', 200) ?? null;
  const line =
    lineRef === undefined
      ? undefined
      : (order.lines.find((candidate) => candidate.resolved.LINE_REF === lineRef) ??
        reader.fail('LINE_REF', `order ${orderNo} has no line ${lineRef}`));
  if (FINAL_STATUSES.includes(order.STATUS)) throw new LegacyInputError('ORDER_NO', `order ${orderNo} is in final status ${order.STATUS}`);

  if (to === 'REJD') {
    if (!['RCVD', 'VALD', 'HOLD'].includes(order.STATUS))
      throw new LegacyInputError('TO', `order ${orderNo} is ${order.STATUS}: only RCVD, VALD or HOLD can be rejected`);
    endOpenLines(state, order, openLines(order), 'REJD', reason ?? 'rejected by order validation');
    setOrderStatus(state, order, 'REJD', reason ?? 'rejected by order validation');
  } else if (to === 'FAIL' || (to === 'COMP' && line)) {
    if (order.STATUS !== 'PROV')
      throw new LegacyInputError('TO', `order ${orderNo} is ${order.STATUS}: lines complete or fail in PROV only`);
    const targets = line ? [line] : openLines(order);
    if (line && line.STATUS !== 'PROV')
      throw new LegacyInputError('LINE_REF', `line ${line.resolved.LINE_REF} is ${line.STATUS}, not PROV`);
    if (to === 'FAIL') endOpenLines(state, order, targets, 'FAIL', reason ?? 'provisioning failed');
    else for (const target of targets) completeLine(state, order, target);
    settleOrder(state, order);
  } else if (to === undefined) {
    stepOrder(state, order);
  } else if (order.STATUS === 'HOLD') {
    stepOrder(state, order);
  } else {
    const target = FORWARD_ORDER.indexOf(to);
    if (FORWARD_ORDER.indexOf(order.STATUS) >= target) throw new LegacyInputError('TO', `order ${orderNo} is already ${order.STATUS}`);
    // Steps one status at a time (so every change is reported) and stops early at HOLD or a final status.
    // (statusOf defeats the compiler's narrowing: step() changes the status.)
    for (let status = statusOf(order); status !== to && status !== 'HOLD' && !FINAL_STATUSES.includes(status); status = statusOf(order))
      stepOrder(state, order);
  }
  return { ORDER: renderOrder(order) };
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
