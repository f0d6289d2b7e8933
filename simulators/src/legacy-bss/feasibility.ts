import express, { type Request, type Response } from 'express';
import { assessFeasibility, proposeAlternativeBandwidth, type FeasibilityVerdict } from './coverage.js';
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
import { endOfLegacyDayAfter, formatLegacyTimestamp } from './legacy-timestamp.js';
import { PRODUCT_LINE_FIELDS, readProductLine, readRequestLines, type ResolvedProductLine } from './product-line.js';
import type { SimContext, SimDomain } from './sim-context.js';

/** Feasibility check status: `PEND` (deferred, not answered yet), `DONE` (answered), `ERR` (could not be answered). */
export type FeasibilityStatus = 'PEND' | 'DONE' | 'ERR';

/** A feasibility alternative: the same product with a bandwidth the address supports. */
export interface FeasibilityAlternative {
  readonly PROD_CODE: string;
  readonly BW_MBPS: number;
  readonly verdict: FeasibilityVerdict;
}

interface FeasibilityLine {
  readonly resolved: ResolvedProductLine;
  verdict: FeasibilityVerdict | null;
  alternatives: FeasibilityAlternative[];
}

/** A feasibility check (query) of one customer. */
export interface FeasibilityCheck {
  readonly FEAS_ID: string;
  readonly CUST_NO: string;
  readonly REQ_REF: string | null;
  readonly MODE: 'SYNC' | 'ASYNC';
  readonly ALT_WANTED: 'Y' | 'N';
  STATUS: FeasibilityStatus;
  readonly CREATED: Date;
  COMPLETED: Date | null;
  VALID_UNTIL: Date | null;
  ERR_TXT: string | null;
  LAST_CHG: Date;
  readonly lines: FeasibilityLine[];
}

/** The feasibility domain plus the lookup offers use to check `FEAS_ID` references. */
export interface FeasibilityDomain extends SimDomain {
  find(feasId: string): FeasibilityCheck | undefined;
}

const CREATE_FIELDS = ['CUST_NO', 'REQ_REF', 'MODE', 'ALT_WANTED', 'LINES'];
const SEARCH_FIELDS = ['CUST_NO', 'FEAS_STATUS', 'REQ_REF', ...PAGING_FIELDS];

/**
 * The feasibility domain, mounted under `/bss/v2/feasibility`: `POST /` (check, `MODE` `SYNC` or
 * `ASYNC`), list and inquiry (see `mountLegacyReads`). Deferred checks complete on a `_sim`
 * advance, on the auto-advance tick, or after `deferredDelayMs`.
 */
export function createFeasibilityDomain(context: SimContext): FeasibilityDomain {
  const checks = new Map<string, FeasibilityCheck>();
  const router = express.Router();

  const emit = (check: FeasibilityCheck, oldStatus: FeasibilityStatus | null, info: string | null = null): void => {
    context.journal.record({
      EVT_TYPE: 'FEAS_STATUS',
      CUST_NO: check.CUST_NO,
      OBJ_ID: check.FEAS_ID,
      OLD_STATUS: oldStatus,
      NEW_STATUS: check.STATUS,
      INFO: info,
    });
  };

  const complete = (check: FeasibilityCheck, outcome: 'DONE' | 'ERR', reason: string | null): void => {
    if (check.STATUS !== 'PEND') return;
    const now = context.now();
    check.COMPLETED = now;
    check.LAST_CHG = now;
    if (outcome === 'ERR') {
      check.STATUS = 'ERR';
      check.ERR_TXT = reason ?? 'feasibility check aborted';
    } else {
      check.STATUS = 'DONE';
      check.VALID_UNTIL = endOfLegacyDayAfter(now, context.seed.coverage.feasValidDays);
      for (const line of check.lines) assessLine(context, line, check.ALT_WANTED === 'Y');
    }
    if (check.MODE === 'ASYNC') emit(check, 'PEND', check.ERR_TXT);
  };

  router.post('/', createLegacyJsonParser(), (req: Request, res: Response) => {
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: CREATE_FIELDS });
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const mode = reader.code('MODE', ['SYNC', 'ASYNC'] as const) ?? 'SYNC';
      const altWanted = reader.code('ALT_WANTED', ['Y', 'N'] as const) ?? 'N';
      const reqRef = reader.text('REQ_REF', 35) ?? null;
      const lines = readRequestLines(reader, PRODUCT_LINE_FIELDS).map((line) => ({
        resolved: readProductLine(line, { seed: context.seed, assets: context.assets, customer }),
        verdict: null,
        alternatives: [],
      }));
      const now = context.now();
      const check: FeasibilityCheck = {
        FEAS_ID: context.nextNumber('FQ'),
        CUST_NO: customer.CUST_NO,
        REQ_REF: reqRef,
        MODE: mode,
        ALT_WANTED: altWanted,
        STATUS: 'PEND',
        CREATED: now,
        COMPLETED: null,
        VALID_UNTIL: null,
        ERR_TXT: null,
        LAST_CHG: now,
        lines,
      };
      checks.set(check.FEAS_ID, check);
      if (mode === 'SYNC') {
        complete(check, 'DONE', null);
      } else {
        emit(check, null);
        if (context.deferredDelayMs !== undefined) context.schedule(context.deferredDelayMs, () => complete(check, 'DONE', null));
      }
      return { FEAS: renderFeasibility(check) };
    });
  });

  const ownCheck = (reader: LegacyFieldReader, feasId: string): FeasibilityCheck => {
    const customer = requireLegacyCustomer(reader, context.seed.customers);
    const check = checks.get(feasId);
    if (!check || check.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('feasibility check unknown');
    return check;
  };

  mountLegacyReads(router, {
    searchFields: SEARCH_FIELDS,
    search(reader) {
      const customer = requireLegacyCustomer(reader, context.seed.customers);
      const status = reader.code('FEAS_STATUS', ['PEND', 'DONE', 'ERR'] as const);
      const reqRef = reader.text('REQ_REF', 35);
      const matches = searchOwnRecords(checks.values(), customer.CUST_NO, { STATUS: status, REQ_REF: reqRef });
      const { page, ...paging } = pageLegacyList(reader, matches);
      return { ...paging, FEAS_LIST: page.map(renderFeasibility) };
    },
    idField: 'FEAS_ID',
    idMaxLength: 20,
    inquire: (reader, feasId) => ({ FEAS: renderFeasibility(ownCheck(reader, feasId)) }),
  });

  return {
    path: 'feasibility',
    router,
    advanceFields: ['TO', 'REASON'],
    find: (feasId) => checks.get(feasId),
    advance(feasId, reader) {
      const check = checks.get(feasId);
      if (!check) throw new LegacyNotFoundError('feasibility check unknown');
      const to = reader.code('TO', ['DONE', 'ERR'] as const) ?? 'DONE';
      if (check.STATUS !== 'PEND') throw new LegacyInputError('FEAS_ID', `feasibility check ${feasId} is ${check.STATUS}, not PEND`);
      complete(check, to, reader.text('REASON', 200) ?? null);
      return { FEAS: renderFeasibility(check) };
    },
    tick() {
      for (const check of checks.values()) complete(check, 'DONE', null);
    },
    sweep() {},
  };
}

function assessLine(context: SimContext, line: FeasibilityLine, altWanted: boolean): void {
  const { resolved } = line;
  line.verdict = assessFeasibility(context.seed.coverage, resolved.address, resolved.ACTION, resolved.BW_MBPS);
  line.alternatives = [];
  if (!altWanted || line.verdict.RESULT !== 'NF' || line.verdict.NET_TYPE === null) return;
  const bandwidth = proposeAlternativeBandwidth(context.seed.coverage, resolved.address, resolved.product, resolved.BW_MBPS);
  if (bandwidth === undefined) return;
  line.alternatives.push({
    PROD_CODE: resolved.product.PROD_CODE,
    BW_MBPS: bandwidth,
    verdict: assessFeasibility(context.seed.coverage, resolved.address, resolved.ACTION, bandwidth),
  });
}

/** A feasibility check as the legacy API shows it; results are `null` while `PEND`. */
export function renderFeasibility(check: FeasibilityCheck): Record<string, unknown> {
  return {
    FEAS_ID: check.FEAS_ID,
    CUST_NO: check.CUST_NO,
    REQ_REF: check.REQ_REF,
    MODE: check.MODE,
    ALT_WANTED: check.ALT_WANTED,
    FEAS_STATUS: check.STATUS,
    CREATED: formatLegacyTimestamp(check.CREATED),
    COMPLETED: check.COMPLETED && formatLegacyTimestamp(check.COMPLETED),
    VALID_UNTIL: check.VALID_UNTIL && formatLegacyTimestamp(check.VALID_UNTIL),
    ERR_TXT: check.ERR_TXT,
    LAST_CHG: formatLegacyTimestamp(check.LAST_CHG),
    LINES: check.lines.map(({ resolved, verdict, alternatives }) => ({
      LINE_REF: resolved.LINE_REF,
      ACTION: resolved.ACTION,
      PROD_CODE: resolved.product.PROD_CODE,
      BW_MBPS: resolved.BW_MBPS,
      ADDR_KEY: resolved.address.ADDR_KEY,
      SITE_ID: resolved.SITE_ID,
      ASSET_ID: resolved.asset?.ASSET_ID ?? null,
      RESULT: verdict?.RESULT ?? null,
      CONF: verdict?.CONF ?? null,
      NET_TYPE: verdict?.NET_TYPE ?? null,
      LEAD_DAYS: verdict?.LEAD_DAYS ?? null,
      REASON: verdict?.REASON ?? null,
      ALTERNATIVES: alternatives.map((alternative) => ({
        PROD_CODE: alternative.PROD_CODE,
        BW_MBPS: alternative.BW_MBPS,
        RESULT: alternative.verdict.RESULT,
        CONF: alternative.verdict.CONF,
        LEAD_DAYS: alternative.verdict.LEAD_DAYS,
      })),
    })),
  };
}
