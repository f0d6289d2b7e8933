import express, { type Router } from 'express';
import { findCoverage } from './coverage.js';
import { requireLegacyCustomer } from './customer.js';
import { LegacyNotFoundError, mountLegacyReads, pageLegacyList, PAGING_FIELDS, type LegacyFieldReader } from './legacy-request.js';
import { formatLegacyTimestamp, parseLegacyTimestamp } from './legacy-timestamp.js';
import { priceLegacyLine } from './product-catalogue.js';
import { checkUniqueSeedKey, readSeedFile } from './seed-file.js';
import type { EventJournal } from './event-journal.js';
import type { LegacyBssSeedData, StatusHistoryEntry } from './seed-data.js';
import { isSiteVisible } from './site.js';

/**
 * Asset status codes: `PEND` (being provided), `ACTV` (active), `ACHG` (active, change in progress),
 * `PTRM` (termination in progress), `SUSP` (suspended), `TERM` (terminated), `CANC` (never
 * activated: its order was cancelled or failed).
 */
export type LegacyAssetStatus = 'PEND' | 'ACTV' | 'ACHG' | 'PTRM' | 'SUSP' | 'TERM' | 'CANC';

/** Asset statuses a request may filter on. */
export const LEGACY_ASSET_STATUSES: readonly LegacyAssetStatus[] = ['PEND', 'ACTV', 'ACHG', 'PTRM', 'SUSP', 'TERM', 'CANC'];

/** An order line that created or changed an asset. */
export interface LegacyAssetOrderRef {
  readonly ORDER_NO: string;
  readonly LINE_REF: string;
  readonly ACTION: 'NEW' | 'CHG' | 'DEL';
}

/** A delivered (or being delivered) service; mutable state of one simulator instance. */
export interface LegacyAsset {
  readonly ASSET_ID: string;
  readonly CUST_NO: string;
  readonly PROD_CODE: string;
  BW_MBPS: number;
  CONFIG: string | null;
  readonly ADDR_KEY: string;
  readonly SITE_ID: string | null;
  ASSET_STATUS: LegacyAssetStatus;
  TERM_MONTHS: number;
  MRC: number;
  NRC: number;
  readonly CURRENCY: string;
  readonly TEST_FLAG: 'Y' | 'N';
  START_DATE: Date | null;
  END_DATE: Date | null;
  LAST_CHG: Date;
  readonly ORDERS: LegacyAssetOrderRef[];
  readonly STATUS_HIST: StatusHistoryEntry<LegacyAssetStatus>[];
}

/** File name of the installed-base seed inside the simulator's data folder. */
export const ASSET_SEED_FILE_NAME = 'assets.yaml';

const ASSET_ID_PATTERN = /^AS-\d{7}$/;
const SEED_FIELDS = [
  'ASSET_ID',
  'CUST_NO',
  'PROD_CODE',
  'BW_MBPS',
  'CONFIG',
  'SITE_ID',
  'ADDR_KEY',
  'ASSET_STATUS',
  'TERM_MONTHS',
  'START_DATE',
  'END_DATE',
  'LAST_UPD',
  'ORDER_NO',
  'ORDER_LINE_REF',
];

/** Reads and validates `<dataDir>/assets.yaml`; returns fresh mutable assets (call once per instance). */
export function loadAssetSeed(dataDir: string, seed: LegacyBssSeedData): LegacyAsset[] {
  const root = readSeedFile(dataDir, ASSET_SEED_FILE_NAME).allowOnly(['assets']);
  const seen = new Map<string, number>();
  return root.list('assets').map((item) => {
    const entry = item.asMap().allowOnly(SEED_FIELDS);
    const assetId = entry.text('ASSET_ID');
    if (!ASSET_ID_PATTERN.test(assetId)) entry.required('ASSET_ID').fail(`must look like AS-5000001, got ${assetId}`);
    checkUniqueSeedKey(seen, assetId, entry.required('ASSET_ID'));
    const custNo = entry.text('CUST_NO');
    const customer = seed.customers.get(custNo) ?? entry.required('CUST_NO').fail(`unknown customer ${custNo}`);
    const prodCode = entry.text('PROD_CODE');
    const product = seed.catalogue.products.get(prodCode) ?? entry.required('PROD_CODE').fail(`unknown product ${prodCode}`);
    const bandwidth = entry.integer('BW_MBPS', 1, 1_000_000);
    if (!product.prices.has(bandwidth)) entry.required('BW_MBPS').fail(`not a bandwidth of ${prodCode}: ${product.bandwidths.join(', ')}`);
    const addrKey = entry.text('ADDR_KEY');
    const address = seed.addresses.get(addrKey) ?? entry.required('ADDR_KEY').fail(`unknown address ${addrKey}`);
    const coverage = findCoverage(seed.coverage, address) ?? entry.required('ADDR_KEY').fail(`${address.COUNTRY} is not served`);
    const siteId = entry.optionalText('SITE_ID');
    if (siteId !== null) {
      const site = seed.sites.get(siteId) ?? entry.required('SITE_ID').fail(`unknown site ${siteId}`);
      if (site.ADDR_KEY !== addrKey) entry.required('SITE_ID').fail(`site ${siteId} lies at ${site.ADDR_KEY}, not ${addrKey}`);
      if (!isSiteVisible(site, custNo)) entry.required('SITE_ID').fail(`site ${siteId} belongs to another customer`);
    }
    const term = entry.integer('TERM_MONTHS', 1, 120);
    if (!seed.catalogue.terms.has(term))
      entry.required('TERM_MONTHS').fail(`not a term of products.yaml: ${[...seed.catalogue.terms.keys()].join(', ')}`);
    const status = entry.code('ASSET_STATUS', ['ACTV', 'SUSP', 'TERM'] as const);
    const start = parseTimestamp(entry.timestamp('START_DATE'));
    const endText = entry.optionalTimestamp('END_DATE');
    if (status === 'TERM' && endText === null) entry.fail('missing END_DATE (terminated assets have one)');
    if (status !== 'TERM' && endText !== null) entry.required('END_DATE').fail('only terminated assets have an END_DATE');
    const lastUpdate = parseTimestamp(entry.timestamp('LAST_UPD'));
    const price = priceLegacyLine(seed.catalogue, {
      action: 'NEW',
      product,
      bandwidth,
      termMonths: term,
      netType: coverage.NET_TYPE,
      buildNeeded: false,
      currency: customer.CURRENCY,
    });
    const history: StatusHistoryEntry<LegacyAssetStatus>[] = [{ STATUS: 'ACTV', TS: start, RSN: null }];
    if (status !== 'ACTV') history.push({ STATUS: status, TS: lastUpdate, RSN: null });
    return {
      ASSET_ID: assetId,
      CUST_NO: custNo,
      PROD_CODE: prodCode,
      BW_MBPS: bandwidth,
      CONFIG: entry.optionalText('CONFIG'),
      ADDR_KEY: addrKey,
      SITE_ID: siteId,
      ASSET_STATUS: status,
      TERM_MONTHS: term,
      MRC: price.MRC,
      NRC: price.NRC,
      CURRENCY: price.CURRENCY,
      TEST_FLAG: 'N',
      START_DATE: start,
      END_DATE: endText === null ? null : parseTimestamp(endText),
      LAST_CHG: lastUpdate,
      ORDERS: [{ ORDER_NO: entry.text('ORDER_NO'), LINE_REF: entry.text('ORDER_LINE_REF'), ACTION: 'NEW' }],
      STATUS_HIST: history,
    };
  });
}

function parseTimestamp(text: string): Date {
  // Seed readers validated the text already.
  return parseLegacyTimestamp(text) as Date;
}

/** What an order line provides when it creates an asset. */
export interface NewAssetInput {
  readonly CUST_NO: string;
  readonly PROD_CODE: string;
  readonly BW_MBPS: number;
  readonly CONFIG: string | null;
  readonly ADDR_KEY: string;
  readonly SITE_ID: string | null;
  readonly TERM_MONTHS: number;
  readonly MRC: number;
  readonly NRC: number;
  readonly CURRENCY: string;
  readonly TEST_FLAG: 'Y' | 'N';
  readonly order: LegacyAssetOrderRef;
}

/** The installed base of one simulator instance. */
export interface AssetStore {
  get(assetId: string): LegacyAsset | undefined;
  /** Creates an asset in `PEND` (emits `ASSET_STATUS`). */
  create(input: NewAssetInput): LegacyAsset;
  /** Changes the status (emits `ASSET_STATUS`); no-op when unchanged. */
  setStatus(asset: LegacyAsset, status: LegacyAssetStatus, reason?: string | null): void;
  /** Records that an order touched the asset. */
  touch(asset: LegacyAsset): void;
  list(): readonly LegacyAsset[];
}

/** Builds the asset store from the seeded installed base. */
export function createAssetStore(context: { now(): Date; readonly journal: EventJournal }, seeded: readonly LegacyAsset[]): AssetStore {
  const assets = new Map(seeded.map((asset) => [asset.ASSET_ID, asset]));
  // New assets get numbers clearly apart from the seeded installed base.
  let counter = Math.max(6_000_000, ...seeded.map((asset) => Number(asset.ASSET_ID.slice(3))));
  const emit = (asset: LegacyAsset, oldStatus: LegacyAssetStatus | null, reason: string | null): void => {
    context.journal.record({
      EVT_TYPE: 'ASSET_STATUS',
      CUST_NO: asset.CUST_NO,
      OBJ_ID: asset.ASSET_ID,
      OLD_STATUS: oldStatus,
      NEW_STATUS: asset.ASSET_STATUS,
      TEST_FLAG: asset.TEST_FLAG,
      INFO: reason,
    });
  };
  return {
    get: (assetId) => assets.get(assetId),
    list: () => [...assets.values()],
    create(input) {
      counter += 1;
      const now = context.now();
      const asset: LegacyAsset = {
        ASSET_ID: `AS-${counter}`,
        CUST_NO: input.CUST_NO,
        PROD_CODE: input.PROD_CODE,
        BW_MBPS: input.BW_MBPS,
        CONFIG: input.CONFIG,
        ADDR_KEY: input.ADDR_KEY,
        SITE_ID: input.SITE_ID,
        ASSET_STATUS: 'PEND',
        TERM_MONTHS: input.TERM_MONTHS,
        MRC: input.MRC,
        NRC: input.NRC,
        CURRENCY: input.CURRENCY,
        TEST_FLAG: input.TEST_FLAG,
        START_DATE: null,
        END_DATE: null,
        LAST_CHG: now,
        ORDERS: [input.order],
        STATUS_HIST: [{ STATUS: 'PEND', TS: now, RSN: null }],
      };
      assets.set(asset.ASSET_ID, asset);
      emit(asset, null, `created by ${input.order.ORDER_NO} line ${input.order.LINE_REF}`);
      return asset;
    },
    setStatus(asset, status, reason = null) {
      if (asset.ASSET_STATUS === status) return;
      const old = asset.ASSET_STATUS;
      const now = context.now();
      asset.ASSET_STATUS = status;
      asset.LAST_CHG = now;
      asset.STATUS_HIST.push({ STATUS: status, TS: now, RSN: reason });
      if (status === 'ACTV' && asset.START_DATE === null) asset.START_DATE = now;
      if (status === 'TERM' || status === 'CANC') asset.END_DATE = now;
      emit(asset, old, reason);
    },
    touch(asset) {
      asset.LAST_CHG = context.now();
    },
  };
}

/** An asset as the legacy API shows it. */
export function renderAsset(asset: LegacyAsset, seed: LegacyBssSeedData): Record<string, unknown> {
  return {
    ASSET_ID: asset.ASSET_ID,
    CUST_NO: asset.CUST_NO,
    PROD_CODE: asset.PROD_CODE,
    PROD_NAME: seed.catalogue.products.get(asset.PROD_CODE)?.PROD_NAME ?? null,
    BW_MBPS: asset.BW_MBPS,
    CONFIG: asset.CONFIG,
    ADDR_KEY: asset.ADDR_KEY,
    SITE_ID: asset.SITE_ID,
    ASSET_STATUS: asset.ASSET_STATUS,
    TERM_MONTHS: asset.TERM_MONTHS,
    MRC: asset.MRC,
    NRC: asset.NRC,
    CURRENCY: asset.CURRENCY,
    TEST_FLAG: asset.TEST_FLAG,
    BILLABLE: asset.TEST_FLAG === 'Y' || asset.ASSET_STATUS === 'CANC' ? 'N' : 'Y',
    START_DATE: asset.START_DATE && formatLegacyTimestamp(asset.START_DATE),
    END_DATE: asset.END_DATE && formatLegacyTimestamp(asset.END_DATE),
    LAST_CHG: formatLegacyTimestamp(asset.LAST_CHG),
    ORDER_NO: asset.ORDERS[asset.ORDERS.length - 1]?.ORDER_NO ?? null,
    ORDERS: asset.ORDERS.map((ref) => ({ ...ref })),
    STATUS_HIST: asset.STATUS_HIST.map(renderHistoryEntry),
  };
}

/** A `STATUS_HIST` entry as the legacy API shows it. */
export function renderHistoryEntry<S extends string>(entry: StatusHistoryEntry<S>): Record<string, unknown> {
  return { STATUS: entry.STATUS, TS: formatLegacyTimestamp(entry.TS), RSN: entry.RSN };
}

const SEARCH_FIELDS = ['CUST_NO', 'ASSET_STATUS', 'PROD_CODE', 'SITE_ID', 'ADDR_KEY', 'ORDER_NO', 'CHANGED_SINCE', ...PAGING_FIELDS];

/**
 * The asset (inventory) domain, mounted under `/bss/v2/assets`: `GET /` and `POST /search` (list
 * with filters and paging), `GET /:assetId` and `POST /inquiry` (one asset).
 */
export function createAssetRouter(options: { readonly seed: LegacyBssSeedData; readonly assets: AssetStore }): Router {
  const router = express.Router();
  const search = (reader: LegacyFieldReader): Record<string, unknown> => {
    const customer = requireLegacyCustomer(reader, options.seed.customers);
    const status = reader.code('ASSET_STATUS', LEGACY_ASSET_STATUSES);
    const prodCode = reader.text('PROD_CODE', 10);
    const siteId = reader.text('SITE_ID', 9);
    const addrKey = reader.text('ADDR_KEY', 20);
    const orderNo = reader.text('ORDER_NO', 20);
    const changedSince = reader.timestamp('CHANGED_SINCE');
    const matches = options.assets
      .list()
      .filter(
        (asset) =>
          asset.CUST_NO === customer.CUST_NO &&
          (status === undefined || asset.ASSET_STATUS === status) &&
          (prodCode === undefined || asset.PROD_CODE === prodCode) &&
          (siteId === undefined || asset.SITE_ID === siteId) &&
          (addrKey === undefined || asset.ADDR_KEY === addrKey) &&
          (orderNo === undefined || asset.ORDERS.some((ref) => ref.ORDER_NO === orderNo)) &&
          (changedSince === undefined || asset.LAST_CHG >= changedSince),
      )
      .sort((a, b) => a.ASSET_ID.localeCompare(b.ASSET_ID));
    const { page, ...paging } = pageLegacyList(reader, matches);
    return { ...paging, ASSETS: page.map((asset) => renderAsset(asset, options.seed)) };
  };
  const inquire = (reader: LegacyFieldReader, assetId: string): Record<string, unknown> => {
    const customer = requireLegacyCustomer(reader, options.seed.customers);
    const asset = options.assets.get(assetId);
    if (!asset || asset.CUST_NO !== customer.CUST_NO) throw new LegacyNotFoundError('asset unknown');
    return { ASSET: renderAsset(asset, options.seed) };
  };
  mountLegacyReads(router, { searchFields: SEARCH_FIELDS, search, idField: 'ASSET_ID', idMaxLength: 10, inquire });
  return router;
}
