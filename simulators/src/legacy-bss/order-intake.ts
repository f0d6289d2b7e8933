import { assessFeasibility } from './coverage.js';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import type { LegacyFieldReader } from './legacy-request.js';
import { addLegacyWorkingDays, formatLegacyDate, startOfLegacyDay } from './legacy-timestamp.js';
import { DEFAULT_TERM_MONTHS, priceLegacyLine } from './product-catalogue.js';
import { PRODUCT_LINE_FIELDS, readProductLine, readRequestLines } from './product-line.js';
import { openLines, type OrderState } from './order-lifecycle.js';
import type { Order, OrderLine } from './order-model.js';

/**
 * Order intake: a new order read from the customer's request, its lines completed from the offer lines they name,
 * checked against the catalogue, the coverage and the assets' open orders, dated and priced.
 */

const LINE_FIELDS = [...PRODUCT_LINE_FIELDS, 'CONFIG', 'OFFER_NO', 'OFFER_LINE_REF', 'TERM_MONTHS', 'REQ_DATE', 'EXPEDITE'];
/** Longest `CONFIG` the BSS stores (a CLOB column in the real system, capped for the simulator). */
export const MAX_CONFIG_LENGTH = 8000;

/** Reads, checks and records a new order (`RCVD`); the offers it orders from are taken. */
export function createOrder(state: OrderState, reader: LegacyFieldReader): Order {
  const { context, offers } = state;
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
  const lines = readRequestLines(reader, LINE_FIELDS, (line, raw) => completeFromOffer(state, line, raw, customer)).map((line) => {
    const orderLine = readOrderLine(state, line, customer);
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
      const busy = findOpenOrderOn(state, asset.ASSET_ID);
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
  state.orders.set(order.ORDER_NO, order);
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
}

function findOpenOrderOn(state: OrderState, assetId: string): string | undefined {
  for (const order of state.orders.values()) {
    if (openLines(order).some((line) => line.resolved.asset?.ASSET_ID === assetId)) return order.ORDER_NO;
  }
  return undefined;
}

// An order line that names an offer line takes what it leaves out from there; what it does say
// must agree with the offer.
function completeFromOffer(
  state: OrderState,
  line: LegacyFieldReader,
  raw: Readonly<Record<string, unknown>>,
  customer: LegacyCustomerRecord,
): Record<string, unknown> {
  const offerNo = line.text('OFFER_NO', 20);
  if (offerNo === undefined) {
    if (line.text('OFFER_LINE_REF', 10) !== undefined) line.fail('OFFER_LINE_REF', 'OFFER_LINE_REF needs OFFER_NO');
    return { ...raw };
  }
  const offer = state.offers.find(offerNo);
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
}

function readOrderLine(state: OrderState, line: LegacyFieldReader, customer: LegacyCustomerRecord): OrderLine {
  const { context, offers } = state;
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
}
