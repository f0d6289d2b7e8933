import type { LegacyAddressRecord } from './address-seed.js';
import type { AssetStore, LegacyAsset } from './asset.js';
import type { LegacyCustomerRecord } from './customer.js';
import { readLegacyFields, type LegacyFieldReader } from './legacy-request.js';
import type { LegacyProduct } from './product-catalogue.js';
import type { LegacyBssSeedData } from './seed-data.js';
import { isSiteVisible } from './site.js';

// Feasibility, offer and order requests share one line layout (what, how much, where, which
// existing asset); this module reads and resolves it so all three apply the same rules.

/** Line actions: provide a new service, change an existing asset, terminate an existing asset. */
export type LegacyLineAction = 'NEW' | 'CHG' | 'DEL';

export const LEGACY_LINE_ACTIONS: readonly LegacyLineAction[] = ['NEW', 'CHG', 'DEL'];

/** Line fields common to feasibility, offer and order lines. */
export const PRODUCT_LINE_FIELDS = ['LINE_REF', 'ACTION', 'PROD_CODE', 'BW_MBPS', 'ADDR_KEY', 'SITE_ID', 'ASSET_ID'] as const;

/** Most lines one request may carry. */
export const MAX_REQUEST_LINES = 20;

/** A product line after its references were checked. */
export interface ResolvedProductLine {
  readonly LINE_REF: string;
  readonly ACTION: LegacyLineAction;
  readonly product: LegacyProduct;
  readonly BW_MBPS: number;
  readonly address: LegacyAddressRecord;
  readonly SITE_ID: string | null;
  /** The existing asset of a CHG or DEL line. */
  readonly asset: LegacyAsset | undefined;
}

/** What {@link readProductLine} checks references against. */
export interface ProductLineRefs {
  readonly seed: LegacyBssSeedData;
  readonly assets: AssetStore;
  readonly customer: LegacyCustomerRecord;
}

/**
 * Reads the `LINES` list of a request: present, 1..{@link MAX_REQUEST_LINES} entries, each an
 * object; returns one field reader per line (errors name `LINES[i].FIELD`). `LINE_REF` values must
 * be unique. `complete`, when given, may fill absent fields of a line (orders take them from the
 * offer line they reference) before the final reader is built.
 */
export function readRequestLines(
  reader: LegacyFieldReader,
  allowed: readonly string[],
  complete?: (line: LegacyFieldReader, raw: Readonly<Record<string, unknown>>) => Record<string, unknown>,
): LegacyFieldReader[] {
  const list = reader.list('LINES', MAX_REQUEST_LINES);
  if (list === undefined || list.length === 0) return reader.fail('LINES', 'LINES missing: at least one line is required');
  const seen = new Set<string>();
  return list.map((raw, index) => {
    const options = { source: 'body' as const, allowed, prefix: `LINES[${index}].` };
    let line = readLegacyFields(raw, options);
    if (complete) line = readLegacyFields(complete(line, raw as Record<string, unknown>), options);
    const lineRef = line.requiredText('LINE_REF', 10);
    if (seen.has(lineRef)) line.fail('LINE_REF', `LINE_REF ${lineRef} used twice`);
    seen.add(lineRef);
    return line;
  });
}

/**
 * Resolves one line. NEW: `PROD_CODE`, `BW_MBPS` and `ADDR_KEY` or `SITE_ID` (both must agree), no
 * `ASSET_ID`. CHG: `ASSET_ID` of an active asset of the customer, the new `BW_MBPS`; product and
 * place default to the asset's and must match it when given. DEL: `ASSET_ID` of an active or
 * suspended asset; everything else defaults to the asset's.
 */
export function readProductLine(line: LegacyFieldReader, refs: ProductLineRefs): ResolvedProductLine {
  const lineRef = line.requiredText('LINE_REF', 10);
  const action = line.requiredCode('ACTION', LEGACY_LINE_ACTIONS);
  const assetId = line.text('ASSET_ID', 10);
  let asset: LegacyAsset | undefined;
  if (action === 'NEW') {
    if (assetId !== undefined) line.fail('ASSET_ID', 'ASSET_ID only for CHG and DEL lines');
  } else {
    if (assetId === undefined) line.fail('ASSET_ID', `ASSET_ID missing: a ${action} line names the existing asset`);
    asset = refs.assets.get(assetId);
    if (!asset || asset.CUST_NO !== refs.customer.CUST_NO) return line.fail('ASSET_ID', `ASSET_ID ${assetId} unknown`);
    const allowed = action === 'CHG' ? ['ACTV'] : ['ACTV', 'SUSP'];
    if (!allowed.includes(asset.ASSET_STATUS)) {
      line.fail('ASSET_ID', `ASSET_ID ${assetId} is ${asset.ASSET_STATUS}; ${action} needs ${allowed.join(' or ')}`);
    }
  }

  const prodCode = line.text('PROD_CODE', 10) ?? asset?.PROD_CODE ?? line.fail('PROD_CODE', 'PROD_CODE missing');
  const product =
    refs.seed.catalogue.products.get(prodCode) ??
    line.fail('PROD_CODE', `PROD_CODE ${prodCode} unknown (known: ${[...refs.seed.catalogue.products.keys()].join(', ')})`);
  if (asset && asset.PROD_CODE !== prodCode) line.fail('PROD_CODE', `PROD_CODE ${prodCode} differs from the asset's ${asset.PROD_CODE}`);

  let bandwidth = line.integer('BW_MBPS', 1, 1_000_000);
  if (action === 'DEL') {
    if (bandwidth !== undefined && bandwidth !== asset?.BW_MBPS)
      line.fail('BW_MBPS', "BW_MBPS of a DEL line must be the asset's or absent");
    bandwidth = asset?.BW_MBPS;
  }
  if (bandwidth === undefined) return line.fail('BW_MBPS', 'BW_MBPS missing');
  if (!product.prices.has(bandwidth)) {
    line.fail('BW_MBPS', `BW_MBPS ${bandwidth} not orderable for ${prodCode} (orderable: ${product.bandwidths.join(', ')})`);
  }

  const { address, siteId } = readPlace(line, refs, asset);
  return { LINE_REF: lineRef, ACTION: action, product, BW_MBPS: bandwidth, address, SITE_ID: siteId, asset };
}

function readPlace(
  line: LegacyFieldReader,
  refs: ProductLineRefs,
  asset: LegacyAsset | undefined,
): { address: LegacyAddressRecord; siteId: string | null } {
  const addrKey = line.text('ADDR_KEY', 20);
  const siteId = line.text('SITE_ID', 9);
  let address = addrKey === undefined ? undefined : refs.seed.addresses.get(addrKey);
  if (addrKey !== undefined && !address) line.fail('ADDR_KEY', `ADDR_KEY ${addrKey} unknown`);
  if (siteId !== undefined) {
    const site = refs.seed.sites.get(siteId);
    if (!site || !isSiteVisible(site, refs.customer.CUST_NO)) return line.fail('SITE_ID', `SITE_ID ${siteId} unknown`);
    if (addrKey !== undefined && site.ADDR_KEY !== addrKey)
      line.fail('SITE_ID', `SITE_ID ${siteId} lies at ${site.ADDR_KEY}, not ${addrKey}`);
    address = refs.seed.addresses.get(site.ADDR_KEY);
  }
  if (asset) {
    if (addrKey !== undefined && addrKey !== asset.ADDR_KEY) line.fail('ADDR_KEY', `ADDR_KEY differs from the asset's ${asset.ADDR_KEY}`);
    if (siteId !== undefined && siteId !== asset.SITE_ID)
      line.fail('SITE_ID', `SITE_ID differs from the asset's ${asset.SITE_ID ?? 'none'}`);
    const assetAddress = refs.seed.addresses.get(asset.ADDR_KEY);
    if (!assetAddress) throw new Error(`asset ${asset.ASSET_ID} at unknown address ${asset.ADDR_KEY}`);
    return { address: assetAddress, siteId: asset.SITE_ID };
  }
  if (!address) return line.fail('ADDR_KEY', 'ADDR_KEY or SITE_ID missing');
  return { address, siteId: siteId ?? null };
}
