import { checkUniqueSeedKey, readSeedFile } from './seed-file.js';

/** A product of the legacy catalogue with its EUR list prices (minor units) per bandwidth. */
export interface LegacyProduct {
  readonly PROD_CODE: string;
  readonly PROD_NAME: string;
  /** Orderable bandwidths in Mbit/s, ascending. */
  readonly bandwidths: readonly number[];
  readonly prices: ReadonlyMap<number, { readonly MRC: number; readonly NRC: number }>;
}

/** Surcharges and fees of the price list, EUR minor units unless a factor. */
export interface LegacyCharges {
  readonly OFF_NET_MRC_FACTOR: number;
  readonly BUILD_NRC: number;
  readonly CHANGE_NRC: number;
  readonly EXPEDITE_FEE: number;
}

/** The validated `products.yaml`. */
export interface ProductCatalogue {
  readonly products: ReadonlyMap<string, LegacyProduct>;
  /** Currency code -> factor applied to EUR prices. */
  readonly currencies: ReadonlyMap<string, number>;
  /** Contract term in months -> factor applied to the MRC. */
  readonly terms: ReadonlyMap<number, number>;
  readonly charges: LegacyCharges;
}

/** Prices of one line in the customer's currency (minor units). */
export interface LegacyLinePrice {
  readonly MRC: number;
  readonly NRC: number;
  readonly CURRENCY: string;
}

/** File name of the catalogue inside the simulator's data folder. */
export const PRODUCT_SEED_FILE_NAME = 'products.yaml';

/** Contract term the BSS assumes when a request names none. */
export const DEFAULT_TERM_MONTHS = 12;

/** Reads and validates `<dataDir>/products.yaml`; throws `LegacyBssSeedError` naming file and line. */
export function loadProductCatalogue(dataDir: string): ProductCatalogue {
  const root = readSeedFile(dataDir, PRODUCT_SEED_FILE_NAME).allowOnly(['CURRENCIES', 'TERM_FACTORS', 'CHARGES', 'PRODUCTS']);

  const currencyMap = root.map('CURRENCIES');
  const currencies = new Map<string, number>();
  for (const code of currencyMap.names()) {
    if (!/^[A-Z]{3}$/.test(code)) currencyMap.required(code).fail('currency must be an ISO 4217 code such as EUR');
    currencies.set(code, currencyMap.number(code, 0.0001, 10_000));
  }
  if (currencies.get('EUR') !== 1) currencyMap.fail('EUR must be present with factor 1.0 (list prices are in EUR)');

  const termMap = root.map('TERM_FACTORS');
  const terms = new Map<number, number>();
  for (const name of termMap.names()) {
    if (!/^\d{1,3}$/.test(name)) termMap.required(name).fail('term must be a number of months');
    terms.set(Number(name), termMap.number(name, 0.01, 10));
  }
  if (!terms.has(DEFAULT_TERM_MONTHS)) termMap.fail(`the default term ${DEFAULT_TERM_MONTHS} must be listed`);

  const chargeMap = root.map('CHARGES').allowOnly(['OFF_NET_MRC_FACTOR', 'BUILD_NRC', 'CHANGE_NRC', 'EXPEDITE_FEE']);
  const charges: LegacyCharges = Object.freeze({
    OFF_NET_MRC_FACTOR: chargeMap.number('OFF_NET_MRC_FACTOR', 1, 10),
    BUILD_NRC: chargeMap.integer('BUILD_NRC', 0, 100_000_000),
    CHANGE_NRC: chargeMap.integer('CHANGE_NRC', 0, 100_000_000),
    EXPEDITE_FEE: chargeMap.integer('EXPEDITE_FEE', 0, 100_000_000),
  });

  const products = new Map<string, LegacyProduct>();
  const seenCodes = new Map<string, number>();
  for (const item of root.list('PRODUCTS')) {
    const entry = item.asMap().allowOnly(['PROD_CODE', 'PROD_NAME', 'PRICES']);
    const code = entry.text('PROD_CODE');
    if (!/^[A-Z][A-Z0-9_]{1,9}$/.test(code)) entry.required('PROD_CODE').fail('must be 2-10 upper-case letters or digits');
    checkUniqueSeedKey(seenCodes, code, entry.required('PROD_CODE'));
    const prices = new Map<number, { MRC: number; NRC: number }>();
    const priceRows = entry.list('PRICES');
    if (priceRows.length === 0) entry.fail('PRICES: list is empty');
    for (const row of priceRows) {
      const price = row.asMap().allowOnly(['BW_MBPS', 'MRC', 'NRC']);
      const bandwidth = price.integer('BW_MBPS', 1, 1_000_000);
      if (prices.has(bandwidth)) price.fail(`duplicate BW_MBPS ${bandwidth}`);
      prices.set(bandwidth, Object.freeze({ MRC: price.integer('MRC', 0, 100_000_000), NRC: price.integer('NRC', 0, 100_000_000) }));
    }
    products.set(
      code,
      Object.freeze({
        PROD_CODE: code,
        PROD_NAME: entry.text('PROD_NAME'),
        bandwidths: Object.freeze([...prices.keys()].sort((a, b) => a - b)),
        prices,
      }),
    );
  }
  return Object.freeze({ products, currencies, terms, charges });
}

/** What decides a line's price besides the product. */
export interface PriceLineInput {
  readonly action: 'NEW' | 'CHG' | 'DEL';
  readonly product: LegacyProduct;
  readonly bandwidth: number;
  readonly termMonths: number;
  readonly netType: 'ON' | 'OFF';
  readonly buildNeeded: boolean;
  readonly currency: string;
}

/**
 * Prices one line from the list: MRC = list MRC x term factor (x off-net factor) in the customer's
 * currency; NRC = list NRC (+ build charge) for NEW, the change fee for CHG, nothing for DEL.
 */
export function priceLegacyLine(catalogue: ProductCatalogue, input: PriceLineInput): LegacyLinePrice {
  const list = input.product.prices.get(input.bandwidth);
  const fx = catalogue.currencies.get(input.currency);
  const termFactor = catalogue.terms.get(input.termMonths);
  if (!list || fx === undefined || termFactor === undefined) {
    // Callers validate bandwidth, currency and term first; reaching this is a simulator bug.
    throw new Error(`no price for ${input.product.PROD_CODE} ${input.bandwidth} ${input.currency} ${input.termMonths}`);
  }
  if (input.action === 'DEL') return { MRC: 0, NRC: 0, CURRENCY: input.currency };
  const offNet = input.netType === 'OFF' ? catalogue.charges.OFF_NET_MRC_FACTOR : 1;
  const mrc = Math.round(Math.round(list.MRC * termFactor * offNet) * fx);
  const nrcEur = input.action === 'CHG' ? catalogue.charges.CHANGE_NRC : list.NRC + (input.buildNeeded ? catalogue.charges.BUILD_NRC : 0);
  return { MRC: mrc, NRC: Math.round(nrcEur * fx), CURRENCY: input.currency };
}

/** Converts a EUR amount in minor units to `currency` (rounded to whole minor units). */
export function convertLegacyAmount(catalogue: ProductCatalogue, eurMinor: number, currency: string): number {
  return Math.round(eurMinor * (catalogue.currencies.get(currency) ?? 1));
}
