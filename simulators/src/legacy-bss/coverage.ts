import type { LegacyAddressRecord } from './address-seed.js';
import { LEGACY_COUNTRIES } from './legacy-countries.js';
import type { LegacyProduct } from './product-catalogue.js';
import { checkUniqueSeedKey, readSeedFile, type SeedMap } from './seed-file.js';

/** Network facts of one address (see `coverage.yaml`). */
export interface CoverageEntry {
  readonly NET_TYPE: 'ON' | 'OFF';
  readonly MAX_BW_MBPS: number;
  readonly BUILD_REQ: 'Y' | 'N';
  readonly LEAD_DAYS: number;
}

/** The validated `coverage.yaml`. */
export interface LegacyCoverage {
  readonly servedCountries: ReadonlySet<string>;
  readonly fallback: CoverageEntry;
  readonly byAddress: ReadonlyMap<string, CoverageEntry>;
  /** Lead time of CHG and DEL lines, working days. */
  readonly changeLeadDays: number;
  /** Calendar days a feasibility answer stays valid. */
  readonly feasValidDays: number;
}

/** Feasibility result codes: feasible, feasible with build, not feasible. */
export type FeasibilityResult = 'FE' | 'FB' | 'NF';

/** Confidence colour the BSS attaches to a feasibility result. */
export type FeasibilityConfidence = 'G' | 'Y' | 'R';

/** Feasibility of one product at one address. */
export interface FeasibilityVerdict {
  readonly RESULT: FeasibilityResult;
  readonly CONF: FeasibilityConfidence;
  /** `null` when the country is not served. */
  readonly NET_TYPE: 'ON' | 'OFF' | null;
  /** Working days; `null` when not feasible. */
  readonly LEAD_DAYS: number | null;
  readonly REASON: string | null;
}

/** File name of the coverage seed inside the simulator's data folder. */
export const COVERAGE_SEED_FILE_NAME = 'coverage.yaml';

/** Reads and validates `<dataDir>/coverage.yaml` against the address seed. */
export function loadCoverageSeed(dataDir: string, addresses: ReadonlyMap<string, LegacyAddressRecord>): LegacyCoverage {
  const root = readSeedFile(dataDir, COVERAGE_SEED_FILE_NAME).allowOnly([
    'SERVED_COUNTRIES',
    'CHANGE_LEAD_DAYS',
    'FEAS_VALID_DAYS',
    'DEFAULT',
    'ADDRESSES',
  ]);
  const servedCountries = new Set<string>();
  for (const value of root.list('SERVED_COUNTRIES')) {
    const country = value.asText();
    if (!LEGACY_COUNTRIES.has(country)) value.fail(`must be one of ${[...LEGACY_COUNTRIES.keys()].join(', ')}`);
    servedCountries.add(country);
  }
  const byAddress = new Map<string, CoverageEntry>();
  const seen = new Map<string, number>();
  for (const item of root.list('ADDRESSES')) {
    const entry = item.asMap().allowOnly(['ADDR_KEY', 'NET_TYPE', 'MAX_BW_MBPS', 'BUILD_REQ', 'LEAD_DAYS']);
    const key = entry.text('ADDR_KEY');
    const address = addresses.get(key) ?? entry.required('ADDR_KEY').fail(`unknown address ${key} (not in addresses.yaml)`);
    if (!servedCountries.has(address.COUNTRY)) entry.required('ADDR_KEY').fail(`${key} lies in ${address.COUNTRY}, which is not served`);
    checkUniqueSeedKey(seen, key, entry.required('ADDR_KEY'));
    byAddress.set(key, readEntry(entry));
  }
  return Object.freeze({
    servedCountries,
    fallback: readEntry(root.map('DEFAULT').allowOnly(['NET_TYPE', 'MAX_BW_MBPS', 'BUILD_REQ', 'LEAD_DAYS'])),
    byAddress,
    changeLeadDays: root.integer('CHANGE_LEAD_DAYS', 0, 250),
    feasValidDays: root.integer('FEAS_VALID_DAYS', 1, 365),
  });
}

function readEntry(entry: SeedMap): CoverageEntry {
  return Object.freeze({
    NET_TYPE: entry.code('NET_TYPE', ['ON', 'OFF'] as const),
    MAX_BW_MBPS: entry.integer('MAX_BW_MBPS', 1, 1_000_000),
    BUILD_REQ: entry.code('BUILD_REQ', ['Y', 'N'] as const),
    LEAD_DAYS: entry.integer('LEAD_DAYS', 0, 250),
  });
}

/** Coverage of an address, or `undefined` when its country is not served. */
export function findCoverage(coverage: LegacyCoverage, address: LegacyAddressRecord): CoverageEntry | undefined {
  if (!coverage.servedCountries.has(address.COUNTRY)) return undefined;
  return coverage.byAddress.get(address.ADDR_KEY) ?? coverage.fallback;
}

/**
 * Decides feasibility of `bandwidth` Mbit/s at an address:
 * country not served -> NF/R; above the address maximum -> NF/R; NEW where a build is needed ->
 * FB/Y; otherwise FE, G on-net and Y off-net. CHG and DEL reuse the existing access (no build) and
 * take `changeLeadDays`.
 */
export function assessFeasibility(
  coverage: LegacyCoverage,
  address: LegacyAddressRecord,
  action: 'NEW' | 'CHG' | 'DEL',
  bandwidth: number,
): FeasibilityVerdict {
  const entry = findCoverage(coverage, address);
  if (!entry)
    return {
      RESULT: 'NF',
      CONF: 'R',
      NET_TYPE: null,
      LEAD_DAYS: null,
      REASON: `country not served: ${address.COUNTRY}`,
    };
  if (action === 'DEL') return { RESULT: 'FE', CONF: 'G', NET_TYPE: entry.NET_TYPE, LEAD_DAYS: coverage.changeLeadDays, REASON: null };
  if (bandwidth > entry.MAX_BW_MBPS) {
    return {
      RESULT: 'NF',
      CONF: 'R',
      NET_TYPE: entry.NET_TYPE,
      LEAD_DAYS: null,
      REASON: `bandwidth above ${entry.MAX_BW_MBPS} Mbit/s not available at ${address.ADDR_KEY}`,
    };
  }
  const confidence = entry.NET_TYPE === 'ON' ? 'G' : 'Y';
  if (action === 'CHG')
    return {
      RESULT: 'FE',
      CONF: confidence,
      NET_TYPE: entry.NET_TYPE,
      LEAD_DAYS: coverage.changeLeadDays,
      REASON: null,
    };
  if (entry.BUILD_REQ === 'Y') {
    return {
      RESULT: 'FB',
      CONF: 'Y',
      NET_TYPE: entry.NET_TYPE,
      LEAD_DAYS: entry.LEAD_DAYS,
      REASON: 'construction work needed at the address',
    };
  }
  return { RESULT: 'FE', CONF: confidence, NET_TYPE: entry.NET_TYPE, LEAD_DAYS: entry.LEAD_DAYS, REASON: null };
}

/**
 * The alternative the BSS proposes for a line that is not feasible for bandwidth reasons: the
 * highest orderable bandwidth of the same product that fits the address, or none.
 */
export function proposeAlternativeBandwidth(
  coverage: LegacyCoverage,
  address: LegacyAddressRecord,
  product: LegacyProduct,
  bandwidth: number,
): number | undefined {
  const entry = findCoverage(coverage, address);
  if (!entry) return undefined;
  return [...product.bandwidths].reverse().find((step) => step < bandwidth && step <= entry.MAX_BW_MBPS);
}
