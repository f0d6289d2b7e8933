/** Leaf types of the simulator (no imports of its domains' stores): the seed every domain reads, status history entries. */
import type { LegacyAddressRecord } from './address-seed.js';
import type { LegacyCoverage } from './coverage.js';
import type { LegacyCustomerRecord } from './customer.js';
import type { ProductCatalogue } from './product-catalogue.js';
import type { LegacySiteRecord } from './site.js';

/** The validated seed data every domain reads (never changed at run time). */
export interface LegacyBssSeedData {
  readonly addresses: ReadonlyMap<string, LegacyAddressRecord>;
  readonly customers: ReadonlyMap<string, LegacyCustomerRecord>;
  readonly catalogue: ProductCatalogue;
  readonly coverage: LegacyCoverage;
  readonly sites: ReadonlyMap<string, LegacySiteRecord>;
}

/** One entry of a `STATUS_HIST` list: the status reached, when, and why (if the BSS says). */
export interface StatusHistoryEntry<S extends string> {
  readonly STATUS: S;
  readonly TS: Date;
  readonly RSN: string | null;
}
