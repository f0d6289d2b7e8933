import express, { type Request, type Response, type Router } from 'express';
import { renderHistoryEntry } from './asset.js';
import { assessFeasibility, type FeasibilityVerdict } from './coverage.js';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import type { FeasibilityDomain } from './feasibility.js';
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
import { endOfLegacyDayAfter, formatLegacyTimestamp } from './legacy-timestamp.js';
import { DEFAULT_TERM_MONTHS, priceLegacyLine, type LegacyLinePrice } from './product-catalogue.js';
import { PRODUCT_LINE_FIELDS, readProductLine, readRequestLines, type ResolvedProductLine } from './product-line.js';
import type { SimContext, SimDomain, StatusHistoryEntry } from './sim-context.js';

/**
 * Offer status codes: `INPR` (deferred, being prepared), `OFFR` (offered, can be ordered if firm),
 * `NOOF` (no offer possible), `WDRN` (withdrawn by the customer), `DECL` (declined by the customer),
 * `EXPD` (valid-to passed), `TAKN` (taken by an order).
 */
export type OfferStatus = 'INPR' | 'OFFR' | 'NOOF' | 'WDRN' | 'DECL' | 'EXPD' | 'TAKN';

/** Offer line status codes: `INPR`, `OFFR` (priced), `NOOF` (not feasible, no price). */
export type OfferLineStatus = 'INPR' | 'OFFR' | 'NOOF';

/** `BUD` budgetary (indicative, 90 days, cannot be ordered) or `FIRM` (30 days, reserved, orderable). */
export type OfferType = 'BUD' | 'FIRM';

/** Calendar days an offer stays valid, counted from the day it was offered. */
export const OFFER_VALIDITY_DAYS: Readonly<Record<OfferType, number>> = { BUD: 90, FIRM: 30 };

/** One line of an offer. */
export interface OfferLine {
  readonly resolved: ResolvedProductLine;
  readonly TERM_MONTHS: number;
  readonly FEAS_ID: string | null;
  readonly FEAS_LINE_REF: string | null;
  LINE_STATUS: OfferLineStatus;
  verdict: FeasibilityVerdict | null;
  price: LegacyLinePrice | null;
  REASON: string | null;
}

/** An offer (quote) of one customer. */
export interface Offer {
  readonly OFFER_NO: string;
  readonly CUST_NO: string;
  readonly REQ_REF: string | null;
  readonly OFFER_TYPE: OfferType;
  readonly MODE: 'SYNC' | 'ASYNC';
  readonly CURRENCY: string;
  STATUS: OfferStatus;
  STATUS_RSN: string | null;
  readonly CREATED: Date;
  OFFERED: Date | null;
  VALID_TO: Date | null;
  RESV_ID: string | null;
  RESV_STATUS: 'HELD' | 'RLSD' | 'USED' | null;
  ORDER_NO: string | null;
  LAST_CHG: Date;
  readonly STATUS_HIST: StatusHistoryEntry<OfferStatus>[];
  readonly lines: OfferLine[];
}

/** The offer domain plus what the order domain needs from it. */
export interface OfferDomain extends SimDomain {
  find(offerNo: string): Offer | undefined;
  /** Marks an offer as taken by an order (`OFFR` -> `TAKN`, reservation used). */
  take(offer: Offer, orderNo: string): void;
}

const OFFER_STATUSES: readonly OfferStatus[] = ['INPR', 'OFFR', 'NOOF', 'WDRN', 'DECL', 'EXPD', 'TAKN'];
const CREATE_FIELDS = ['CUST_NO', 'REQ_REF', 'OFFER_TYPE', 'MODE', 'LINES'];
const LINE_FIELDS = [...PRODUCT_LINE_FIELDS, 'TERM_MONTHS', 'FEAS_ID', 'FEAS_LINE_REF'];
const SEARCH_FIELDS = ['CUST_NO', 'OFFER_STATUS', 'OFFER_TYPE', 'REQ_REF', 'CHANGED_SINCE', ...PAGING_FIELDS];

/** The offer domain's state and what it reads. */
interface OfferState {
  readonly context: SimContext;
  readonly feasibility: FeasibilityDomain;
  readonly offers: Map<string, Offer>;
}

/**
 * The offer domain, mounted under `/bss/v2/offers`: `POST /` (create), `POST /:offerNo/withdraw`,
 * `POST /:offerNo/decline`, list and inquiry. Offers past `VALID_TO` become `EXPD` on the next
 * request or tick.
 */
export function createOfferDomain(context: SimContext, feasibility: FeasibilityDomain): OfferDomain {
  const state: OfferState = { context, feasibility, offers: new Map() };
  const router = express.Router();
  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => createOffer(state, readLegacyFields(req.body, { source: 'body', allowed: CREATE_FIELDS })));
  });
  mountOfferDecision(router, state, 'withdraw', ['INPR', 'OFFR'], 'WDRN');
  mountOfferDecision(router, state, 'decline', ['OFFR'], 'DECL');
  mountOfferReads(router, state);
  return {
    path: 'offers',
    router,
    advanceFields: ['TO', 'REASON'],
    find: (offerNo) => state.offers.get(offerNo),
    take(offer, orderNo) {
      offer.ORDER_NO = orderNo;
      setOfferStatus(state, offer, 'TAKN', `ordered with ${orderNo}`);
    },
    advance: (offerNo, reader) => advanceOffer(state, offerNo, reader),
    tick() {
      for (const offer of state.offers.values()) completeOffer(state, offer, null);
    },
    sweep: () => expireDueOffers(state),
  };
}

function setOfferStatus(state: OfferState, offer: Offer, status: OfferStatus, reason: string | null, announce = true): void {
  const old = offer.STATUS;
  const now = state.context.now();
  offer.STATUS = status;
  offer.STATUS_RSN = reason;
  offer.LAST_CHG = now;
  offer.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
  if (offer.RESV_STATUS === 'HELD' && status !== 'OFFR') offer.RESV_STATUS = status === 'TAKN' ? 'USED' : 'RLSD';
  if (announce)
    state.context.journal.record({
      EVT_TYPE: 'OFFER_STATUS',
      CUST_NO: offer.CUST_NO,
      OBJ_ID: offer.OFFER_NO,
      OLD_STATUS: old,
      NEW_STATUS: status,
      INFO: reason,
    });
}

function completeOffer(state: OfferState, offer: Offer, forceNoOffer: string | null): void {
  const { context } = state;
  if (offer.STATUS !== 'INPR') return;
  const customer = context.seed.customers.get(offer.CUST_NO) as LegacyCustomerRecord;
  for (const line of offer.lines) priceLine(context, line, customer, forceNoOffer);
  const offered = offer.lines.some((line) => line.LINE_STATUS === 'OFFR');
  const now = context.now();
  if (offered) {
    offer.OFFERED = now;
    offer.VALID_TO = endOfLegacyDayAfter(now, OFFER_VALIDITY_DAYS[offer.OFFER_TYPE]);
    if (offer.OFFER_TYPE === 'FIRM') {
      offer.RESV_ID = context.nextNumber('RV');
      offer.RESV_STATUS = 'HELD';
    }
  }
  // A synchronous caller gets the outcome in the answer; only deferred offers announce it.
  setOfferStatus(state, offer, offered ? 'OFFR' : 'NOOF', offered ? null : (forceNoOffer ?? 'no line feasible'), offer.MODE === 'ASYNC');
}

/** `POST /`: a new offer, priced at once (`SYNC`) or later (`ASYNC`). */
function createOffer(state: OfferState, reader: LegacyFieldReader): Record<string, unknown> {
  const { context } = state;
  const customer = requireLegacyCustomer(reader, context.seed.customers);
  const offerType = reader.requiredCode('OFFER_TYPE', ['BUD', 'FIRM'] as const);
  const mode = reader.code('MODE', ['SYNC', 'ASYNC'] as const) ?? 'SYNC';
  const reqRef = reader.text('REQ_REF', 35) ?? null;
  const lines = readRequestLines(reader, LINE_FIELDS).map((line) => readOfferLine(line, context, state.feasibility, customer));
  const now = context.now();
  const offer: Offer = {
    OFFER_NO: context.nextNumber('OF'),
    CUST_NO: customer.CUST_NO,
    REQ_REF: reqRef,
    OFFER_TYPE: offerType,
    MODE: mode,
    CURRENCY: customer.CURRENCY,
    STATUS: 'INPR',
    STATUS_RSN: null,
    CREATED: now,
    OFFERED: null,
    VALID_TO: null,
    RESV_ID: null,
    RESV_STATUS: null,
    ORDER_NO: null,
    LAST_CHG: now,
    STATUS_HIST: [{ STATUS: 'INPR', TS: now, RSN: null }],
    lines,
  };
  state.offers.set(offer.OFFER_NO, offer);
  if (mode === 'ASYNC') {
    context.journal.record({
      EVT_TYPE: 'OFFER_STATUS',
      CUST_NO: offer.CUST_NO,
      OBJ_ID: offer.OFFER_NO,
      OLD_STATUS: null,
      NEW_STATUS: 'INPR',
    });
    if (context.deferredDelayMs !== undefined) context.schedule(context.deferredDelayMs, () => completeOffer(state, offer, null));
  } else {
    completeOffer(state, offer, null);
  }
  return { OFFER: renderOffer(offer) };
}

function ownOffer(state: OfferState, reader: LegacyFieldReader, offerNo: string): Offer {
  const customer = requireLegacyCustomer(reader, state.context.seed.customers);
  const offer = state.offers.get(offerNo);
  if (!offer || offer.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('offer unknown');
  return offer;
}

/** `POST /:offerNo/withdraw` or `/decline`: the customer's decision on an offer in one of the `allowed` statuses. */
function mountOfferDecision(
  router: Router,
  state: OfferState,
  name: 'withdraw' | 'decline',
  allowed: readonly OfferStatus[],
  status: OfferStatus,
): void {
  router.post(`/:offerNo/${name}`, createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', 'REASON'] });
      const offer = ownOffer(state, reader, String(req.params['offerNo']));
      const reason = reader.text('REASON', 200) ?? null;
      if (!allowed.includes(offer.STATUS)) {
        throw new LegacyInputError('OFFER_NO', `offer ${offer.OFFER_NO} is ${offer.STATUS}; ${name} needs ${allowed.join(' or ')}`);
      }
      setOfferStatus(state, offer, status, reason);
      return { OFFER: renderOffer(offer) };
    });
  });
}

function mountOfferReads(router: Router, state: OfferState): void {
  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader) {
      const customer = requireLegacyCustomer(reader, state.context.seed.customers);
      const status = reader.code('OFFER_STATUS', OFFER_STATUSES);
      const offerType = reader.code('OFFER_TYPE', ['BUD', 'FIRM'] as const);
      const reqRef = reader.text('REQ_REF', 35);
      const changedSince = reader.timestamp('CHANGED_SINCE');
      const matches = searchOwnRecords(
        state.offers.values(),
        customer.CUST_NO,
        { STATUS: status, OFFER_TYPE: offerType, REQ_REF: reqRef },
        changedSince,
      );
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, OFFERS: page.map((offer) => renderOffer(offer)) };
    },
    idField: 'OFFER_NO',
    idMaxLength: 20,
    inquire: (reader, offerNo) => ({ OFFER: renderOffer(ownOffer(state, reader, offerNo)) }),
  });
}

function expireDueOffers(state: OfferState): void {
  const now = state.context.now();
  for (const offer of state.offers.values()) {
    if (offer.STATUS === 'OFFR' && offer.VALID_TO !== null && now.getTime() >= offer.VALID_TO.getTime() + 60_000) {
      setOfferStatus(state, offer, 'EXPD', `valid-to ${formatLegacyTimestamp(offer.VALID_TO)} passed`);
    }
  }
}

/** The simulator's control: completes a deferred offer (`TO: OFFR | NOOF`) or expires an offered one (`TO: EXPD`). */
function advanceOffer(state: OfferState, offerNo: string, reader: LegacyFieldReader): Record<string, unknown> {
  const offer = state.offers.get(offerNo);
  if (!offer) throw new LegacyNotFoundError('offer unknown');
  const to = reader.code('TO', ['OFFR', 'NOOF', 'EXPD'] as const) ?? (offer.STATUS === 'OFFR' ? 'EXPD' : 'OFFR');
  const reason = reader.text('REASON', 200) ?? null;
  if (to === 'EXPD') {
    if (offer.STATUS !== 'OFFR') throw new LegacyInputError('OFFER_NO', `offer ${offerNo} is ${offer.STATUS}, only OFFR can expire`);
    setOfferStatus(state, offer, 'EXPD', reason ?? 'expired (simulated)');
  } else {
    if (offer.STATUS !== 'INPR') throw new LegacyInputError('OFFER_NO', `offer ${offerNo} is ${offer.STATUS}, not INPR`);
    completeOffer(state, offer, to === 'NOOF' ? (reason ?? 'no offer possible') : null);
  }
  return { OFFER: renderOffer(offer) };
}

function readOfferLine(
  line: LegacyFieldReader,
  context: SimContext,
  feasibility: FeasibilityDomain,
  customer: LegacyCustomerRecord,
): OfferLine {
  const resolved = readProductLine(line, { seed: context.seed, assets: context.assets, customer });
  const term = line.integer('TERM_MONTHS', 1, 120) ?? DEFAULT_TERM_MONTHS;
  if (!context.seed.catalogue.terms.has(term)) {
    line.fail('TERM_MONTHS', `TERM_MONTHS ${term} not offered (offered: ${[...context.seed.catalogue.terms.keys()].join(', ')})`);
  }
  const feasId = line.text('FEAS_ID', 20) ?? null;
  const feasLineRef = line.text('FEAS_LINE_REF', 10) ?? null;
  if (feasId === null && feasLineRef !== null) line.fail('FEAS_LINE_REF', 'FEAS_LINE_REF needs FEAS_ID');
  if (feasId !== null) {
    const check = feasibility.find(feasId);
    if (!check || check.CUST_NO !== customer.CUST_NO) return line.fail('FEAS_ID', `FEAS_ID ${feasId} unknown`);
    if (check.STATUS !== 'DONE') line.fail('FEAS_ID', `FEAS_ID ${feasId} is ${check.STATUS}, not DONE`);
    if (check.VALID_UNTIL !== null && context.now().getTime() >= check.VALID_UNTIL.getTime() + 60_000) {
      line.fail('FEAS_ID', `FEAS_ID ${feasId} expired on ${formatLegacyTimestamp(check.VALID_UNTIL)}`);
    }
    const wanted = feasLineRef ?? resolved.LINE_REF;
    const checked =
      check.lines.find((candidate) => candidate.resolved.LINE_REF === wanted) ??
      line.fail(feasLineRef === null ? 'FEAS_ID' : 'FEAS_LINE_REF', `feasibility check ${feasId} has no line ${wanted}`);
    if (
      checked.resolved.product.PROD_CODE !== resolved.product.PROD_CODE ||
      checked.resolved.address.ADDR_KEY !== resolved.address.ADDR_KEY
    ) {
      line.fail(
        'FEAS_ID',
        `feasibility ${feasId} line ${wanted} covers ${checked.resolved.product.PROD_CODE} at ${checked.resolved.address.ADDR_KEY}`,
      );
    }
  }
  return {
    resolved,
    TERM_MONTHS: term,
    FEAS_ID: feasId,
    FEAS_LINE_REF: feasLineRef,
    LINE_STATUS: 'INPR',
    verdict: null,
    price: null,
    REASON: null,
  };
}

// Budgetary and firm offers are priced from the same list; only validity and reservation differ.
function priceLine(context: SimContext, line: OfferLine, customer: LegacyCustomerRecord, forceNoOffer: string | null): void {
  const { resolved } = line;
  line.verdict = assessFeasibility(context.seed.coverage, resolved.address, resolved.ACTION, resolved.BW_MBPS);
  if (forceNoOffer !== null || line.verdict.RESULT === 'NF' || line.verdict.NET_TYPE === null) {
    line.LINE_STATUS = 'NOOF';
    line.REASON = forceNoOffer ?? line.verdict.REASON;
    return;
  }
  line.LINE_STATUS = 'OFFR';
  line.REASON = line.verdict.RESULT === 'FB' ? line.verdict.REASON : null;
  line.price = priceLegacyLine(context.seed.catalogue, {
    action: resolved.ACTION,
    product: resolved.product,
    bandwidth: resolved.BW_MBPS,
    termMonths: line.TERM_MONTHS,
    netType: line.verdict.NET_TYPE,
    buildNeeded: line.verdict.RESULT === 'FB',
    currency: customer.CURRENCY,
  });
}

/** An offer as the legacy API shows it; prices and results are `null` while `INPR` or for `NOOF` lines. */
export function renderOffer(offer: Offer): Record<string, unknown> {
  const priced = offer.lines.filter((line) => line.price !== null);
  return {
    OFFER_NO: offer.OFFER_NO,
    CUST_NO: offer.CUST_NO,
    REQ_REF: offer.REQ_REF,
    OFFER_TYPE: offer.OFFER_TYPE,
    MODE: offer.MODE,
    OFFER_STATUS: offer.STATUS,
    STATUS_RSN: offer.STATUS_RSN,
    CREATED: formatLegacyTimestamp(offer.CREATED),
    OFFERED: offer.OFFERED && formatLegacyTimestamp(offer.OFFERED),
    VALID_TO: offer.VALID_TO && formatLegacyTimestamp(offer.VALID_TO),
    CURRENCY: offer.CURRENCY,
    TOTAL_MRC: priced.length === 0 ? null : priced.reduce((sum, line) => sum + (line.price?.MRC ?? 0), 0),
    TOTAL_NRC: priced.length === 0 ? null : priced.reduce((sum, line) => sum + (line.price?.NRC ?? 0), 0),
    RESV_ID: offer.RESV_ID,
    RESV_STATUS: offer.RESV_STATUS,
    RESV_UNTIL: offer.RESV_ID !== null && offer.VALID_TO ? formatLegacyTimestamp(offer.VALID_TO) : null,
    ORDER_NO: offer.ORDER_NO,
    LAST_CHG: formatLegacyTimestamp(offer.LAST_CHG),
    STATUS_HIST: offer.STATUS_HIST.map(renderHistoryEntry),
    LINES: offer.lines.map((line) => ({
      LINE_REF: line.resolved.LINE_REF,
      ACTION: line.resolved.ACTION,
      PROD_CODE: line.resolved.product.PROD_CODE,
      PROD_NAME: line.resolved.product.PROD_NAME,
      BW_MBPS: line.resolved.BW_MBPS,
      ADDR_KEY: line.resolved.address.ADDR_KEY,
      SITE_ID: line.resolved.SITE_ID,
      ASSET_ID: line.resolved.asset?.ASSET_ID ?? null,
      TERM_MONTHS: line.TERM_MONTHS,
      FEAS_ID: line.FEAS_ID,
      FEAS_LINE_REF: line.FEAS_LINE_REF,
      LINE_STATUS: line.LINE_STATUS,
      RESULT: line.verdict?.RESULT ?? null,
      CONF: line.verdict?.CONF ?? null,
      NET_TYPE: line.verdict?.NET_TYPE ?? null,
      LEAD_DAYS: line.verdict?.LEAD_DAYS ?? null,
      MRC: line.price?.MRC ?? null,
      NRC: line.price?.NRC ?? null,
      CURRENCY: line.price?.CURRENCY ?? null,
      REASON: line.REASON,
    })),
  };
}
