import type { LegacyCustomerRecord } from './customer.js';
import { LegacyInputError, type LegacyFieldReader } from './legacy-request.js';
import { formatLegacyTimestamp } from './legacy-timestamp.js';
import {
  CHARGE_TYPES,
  type ChargeStatus,
  type Order,
  type OrderCharge,
  type OrderLine,
  type OrderLineStatus,
  type OrderStatus,
} from './order-model.js';
import type { SimContext } from './sim-context.js';

/** Hours the customer has to decide on a charge when the back office does not say (`RESP_BY`). */
export const DEFAULT_RESPONSE_HOURS = 72;

/** Fields of `POST /_sim/orders/{ORDER_NO}/charge` (the back office raises a charge on an order line). */
export const RAISE_CHARGE_FIELDS = ['LINE_REF', 'CHARGE_TYPE', 'CHARGE_DESC', 'AMOUNT', 'CURRENCY', 'BLOCKING', 'RESP_BY'];

/** What the charge rules need of the order domain (its status setters keep history and journal in step). */
export interface OrderChargeOps {
  readonly context: SimContext;
  setLineStatus(order: Order, line: OrderLine, status: OrderLineStatus, reason?: string | null): void;
  setOrderStatus(order: Order, status: OrderStatus, reason?: string | null): void;
  setChargeStatus(order: Order, charge: OrderCharge, status: ChargeStatus): void;
  openLines(order: Order): OrderLine[];
  startProvisioning(order: Order): void;
  settleOrder(order: Order): void;
  touch(order: Order): Date;
}

/** A charge as the BSS prints it (in `ORDER.CHARGES` and in `CHARGE_STATUS` events). */
export function renderCharge(charge: OrderCharge): Record<string, unknown> {
  return {
    CHARGE_ID: charge.CHARGE_ID,
    LINE_REF: charge.LINE_REF,
    CHARGE_TYPE: charge.CHARGE_TYPE,
    CHARGE_DESC: charge.CHARGE_DESC,
    AMOUNT: charge.AMOUNT,
    CURRENCY: charge.CURRENCY,
    BLOCKING: charge.BLOCKING,
    CHARGE_STATUS: charge.CHARGE_STATUS,
    RAISED: formatLegacyTimestamp(charge.RAISED),
    RESP_BY: formatLegacyTimestamp(charge.RESP_BY),
    DECIDED: charge.DECIDED && formatLegacyTimestamp(charge.DECIDED),
  };
}

/** Records a new OPEN charge on the order (journal `CHARGE_STATUS null>OPEN`, with the charge). */
export function openCharge(ops: OrderChargeOps, order: Order, charge: OrderCharge): void {
  order.CHARGES.push(charge);
  ops.touch(order);
  ops.context.journal.record({
    EVT_TYPE: 'CHARGE_STATUS',
    CUST_NO: order.CUST_NO,
    OBJ_ID: order.ORDER_NO,
    LINE_REF: charge.LINE_REF,
    CHARGE_ID: charge.CHARGE_ID,
    OLD_STATUS: null,
    NEW_STATUS: 'OPEN',
    TEST_FLAG: order.TEST_FLAG,
    INFO: charge.CHARGE_DESC,
    CHARGE: renderCharge(charge),
  });
}

/**
 * The back office raises a charge on an order line (`_sim`): allowed while the order is `VALD`, `HOLD` or `PROV`
 * and the line is open. The lines and the order go `HOLD` until the customer decides.
 */
export function raiseCharge(ops: OrderChargeOps, order: Order, reader: LegacyFieldReader): Record<string, unknown> {
  if (!['VALD', 'HOLD', 'PROV'].includes(order.STATUS))
    throw new LegacyInputError('ORDER_NO', `order ${order.ORDER_NO} is ${order.STATUS}: charges are raised in VALD, HOLD or PROV`);
  const lineRef = reader.text('LINE_REF', 10) ?? order.lines[0]!.resolved.LINE_REF;
  const line =
    order.lines.find((candidate) => candidate.resolved.LINE_REF === lineRef) ??
    reader.fail('LINE_REF', `order ${order.ORDER_NO} has no line ${lineRef}`);
  if (!ops.openLines(order).includes(line)) reader.fail('LINE_REF', `line ${lineRef} is ${line.STATUS}`);
  const customer = ops.context.seed.customers.get(order.CUST_NO) as LegacyCustomerRecord;
  const now = ops.context.now();
  const respondBy = reader.timestamp('RESP_BY') ?? new Date(now.getTime() + DEFAULT_RESPONSE_HOURS * 3_600_000);
  if (respondBy.getTime() <= now.getTime()) reader.fail('RESP_BY', 'RESP_BY lies in the past');
  const charge: OrderCharge = {
    CHARGE_ID: ops.context.nextNumber('CH'),
    LINE_REF: lineRef,
    CHARGE_TYPE: reader.code('CHARGE_TYPE', CHARGE_TYPES) ?? 'OTHER',
    CHARGE_DESC: reader.requiredText('CHARGE_DESC', 200),
    AMOUNT: reader.requiredInteger('AMOUNT', 0, 100_000_000),
    CURRENCY: reader.code('CURRENCY', [...ops.context.seed.catalogue.currencies.keys()]) ?? customer.CURRENCY,
    BLOCKING: reader.code('BLOCKING', ['Y', 'N'] as const) ?? 'Y',
    CHARGE_STATUS: 'OPEN',
    RAISED: now,
    RESP_BY: respondBy,
    DECIDED: null,
  };
  openCharge(ops, order, charge);
  for (const open of ops.openLines(order)) ops.setLineStatus(order, open, 'HOLD', 'charge decision pending');
  ops.setOrderStatus(order, 'HOLD', 'charge decision pending');
  return { CHARGE: renderCharge(charge) };
}

/**
 * The customer's decision on an OPEN charge. Declining a blocking charge cancels its line (a non-blocking one only
 * drops what it would have bought, e.g. the earlier date). Once no charge is OPEN the order leaves HOLD: back to
 * provisioning (where it was, or from the start), or cancelled when no line is left open.
 */
export function decideCharge(ops: OrderChargeOps, order: Order, charge: OrderCharge, decision: 'ACPT' | 'DECL'): void {
  if (charge.CHARGE_STATUS !== 'OPEN')
    throw new LegacyInputError('CHARGE_ID', `charge ${charge.CHARGE_ID} is ${charge.CHARGE_STATUS}, not OPEN`);
  const line = order.lines.find((candidate) => candidate.resolved.LINE_REF === charge.LINE_REF);
  if (line && decision === 'ACPT' && charge.CHARGE_TYPE === 'EXPEDITE' && line.expediteTo !== null) line.EXP_DATE = line.expediteTo;
  ops.setChargeStatus(order, charge, decision);
  if (line && decision === 'DECL' && charge.BLOCKING === 'Y' && ops.openLines(order).includes(line)) {
    for (const other of order.CHARGES)
      if (other.LINE_REF === line.resolved.LINE_REF && other.CHARGE_STATUS === 'OPEN') ops.setChargeStatus(order, other, 'WDRN');
    ops.setLineStatus(order, line, 'CANC', `charge ${charge.CHARGE_ID} declined`);
  }
  resumeAfterCharges(ops, order);
}

/** Leaves HOLD once the customer decided on every charge. */
export function resumeAfterCharges(ops: OrderChargeOps, order: Order): void {
  if (order.STATUS !== 'HOLD' || order.CHARGES.some((charge) => charge.CHARGE_STATUS === 'OPEN')) return;
  const open = ops.openLines(order);
  if (open.length === 0) {
    if (order.lines.some((line) => line.STATUS === 'COMP')) return ops.settleOrder(order);
    return ops.setOrderStatus(order, 'CANC', 'all lines cancelled: charges declined');
  }
  // held during provisioning: the work (assets) is under way already, so it carries on where it stopped
  const before = order.STATUS_HIST.filter((entry) => entry.STATUS !== 'HOLD').at(-1)?.STATUS;
  if (before !== 'PROV') return ops.startProvisioning(order);
  for (const line of open) ops.setLineStatus(order, line, 'PROV');
  ops.setOrderStatus(order, 'PROV');
}
