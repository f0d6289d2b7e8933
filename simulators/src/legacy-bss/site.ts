import express, { type Router } from 'express';
import { renderLegacyAddress } from './address.js';
import { normaliseAddressTokens } from './address-matching.js';
import type { LegacyAddressRecord } from './address-seed.js';
import { findCoverage, type LegacyCoverage } from './coverage.js';
import { requireLegacyCustomer, type LegacyCustomerRecord } from './customer.js';
import { findLegacyCountry, isCountryCodeLike, LEGACY_COUNTRIES } from './legacy-countries.js';
import { LegacyNotFoundError, mountLegacyReads, pageLegacyList, PAGING_FIELDS, type LegacyFieldReader } from './legacy-request.js';
import { checkUniqueSeedKey, readSeedFile } from './seed-file.js';

/** A service site of the legacy BSS, field names as the legacy API uses them. */
export interface LegacySiteRecord {
  readonly SITE_ID: string;
  readonly ADDR_KEY: string;
  readonly SITE_NAME: string;
  readonly SITE_DESC: string | null;
  /** `PUB` (public, visible to every customer) or `PRV` (private, visible to its owner only). */
  readonly SITE_TYPE: 'PUB' | 'PRV';
  readonly NET_TYPE: 'ON' | 'OFF';
  /** Company running the site. */
  readonly OPERATOR: string;
  /** End customer at the site (private sites). */
  readonly CUST_NAME: string | null;
  /** Customer the private site belongs to; `null` for public sites. */
  readonly OWNER_CUST_NO: string | null;
  readonly CONTACT_NAME: string;
  readonly CONTACT_PHONE: string;
  readonly CONTACT_EMAIL: string | null;
  readonly LAST_UPD: string;
}

/** File name of the site seed inside the simulator's data folder. */
export const SITE_SEED_FILE_NAME = 'sites.yaml';

const SITE_ID_PATTERN = /^ST-\d{6}$/;
const FIELDS = [
  'SITE_ID',
  'ADDR_KEY',
  'SITE_NAME',
  'SITE_DESC',
  'SITE_TYPE',
  'NET_TYPE',
  'OPERATOR',
  'CUST_NAME',
  'OWNER_CUST_NO',
  'CONTACT_NAME',
  'CONTACT_PHONE',
  'CONTACT_EMAIL',
  'LAST_UPD',
];

/** Reads and validates `<dataDir>/sites.yaml` against addresses, customers and coverage. */
export function loadSiteSeed(
  dataDir: string,
  refs: {
    readonly addresses: ReadonlyMap<string, LegacyAddressRecord>;
    readonly customers: ReadonlyMap<string, LegacyCustomerRecord>;
    readonly coverage: LegacyCoverage;
  },
): ReadonlyMap<string, LegacySiteRecord> {
  const root = readSeedFile(dataDir, SITE_SEED_FILE_NAME).allowOnly(['sites']);
  const sites = new Map<string, LegacySiteRecord>();
  const seen = new Map<string, number>();
  for (const item of root.list('sites')) {
    const entry = item.asMap().allowOnly(FIELDS);
    const siteId = entry.text('SITE_ID');
    if (!SITE_ID_PATTERN.test(siteId)) entry.required('SITE_ID').fail(`must look like ST-100001, got ${siteId}`);
    checkUniqueSeedKey(seen, siteId, entry.required('SITE_ID'));
    const addrKey = entry.text('ADDR_KEY');
    const address = refs.addresses.get(addrKey) ?? entry.required('ADDR_KEY').fail(`unknown address ${addrKey} (not in addresses.yaml)`);
    const siteType = entry.code('SITE_TYPE', ['PUB', 'PRV'] as const);
    const owner = entry.optionalText('OWNER_CUST_NO');
    if (siteType === 'PUB' && owner !== null) entry.required('OWNER_CUST_NO').fail('public sites have no owner');
    if (siteType === 'PRV' && owner === null) entry.fail('missing OWNER_CUST_NO (private sites belong to a customer)');
    if (owner !== null && !refs.customers.has(owner))
      entry.required('OWNER_CUST_NO').fail(`unknown customer ${owner} (not in customers.yaml)`);
    const netType = entry.code('NET_TYPE', ['ON', 'OFF'] as const);
    const covered = findCoverage(refs.coverage, address)?.NET_TYPE ?? 'OFF';
    if (covered !== netType) entry.required('NET_TYPE').fail(`coverage.yaml says ${covered} for ${addrKey}`);
    sites.set(
      siteId,
      Object.freeze({
        SITE_ID: siteId,
        ADDR_KEY: addrKey,
        SITE_NAME: entry.text('SITE_NAME'),
        SITE_DESC: entry.optionalText('SITE_DESC'),
        SITE_TYPE: siteType,
        NET_TYPE: netType,
        OPERATOR: entry.text('OPERATOR'),
        CUST_NAME: entry.optionalText('CUST_NAME'),
        OWNER_CUST_NO: owner,
        CONTACT_NAME: entry.text('CONTACT_NAME'),
        CONTACT_PHONE: entry.text('CONTACT_PHONE'),
        CONTACT_EMAIL: entry.optionalText('CONTACT_EMAIL'),
        LAST_UPD: entry.timestamp('LAST_UPD'),
      }),
    );
  }
  return sites;
}

/** Public sites are visible to every customer, private ones to their owner only. */
export function isSiteVisible(site: LegacySiteRecord, custNo: string): boolean {
  return site.SITE_TYPE === 'PUB' || site.OWNER_CUST_NO === custNo;
}

/** Seed data the site domain reads. */
export interface SiteRouterOptions {
  readonly customers: ReadonlyMap<string, LegacyCustomerRecord>;
  readonly sites: ReadonlyMap<string, LegacySiteRecord>;
  readonly addresses: ReadonlyMap<string, LegacyAddressRecord>;
}

const SEARCH_FIELDS = [
  'CUST_NO',
  'ADDR_KEY',
  'SITE_NAME',
  'CUST_NAME',
  'OPERATOR',
  'STREET',
  'HOUSE_NO',
  'TOWN',
  'POST_CODE',
  'COUNTRY',
  'SITE_TYPE',
  'NET_TYPE',
  ...PAGING_FIELDS,
];

/**
 * The site domain, mounted under `/bss/v2/sites`: `GET /` and `POST /search` (search),
 * `GET /:siteId` and `POST /inquiry` (one site).
 */
export function createSiteRouter(options: SiteRouterOptions): Router {
  const router = express.Router();
  const search = (reader: LegacyFieldReader): Record<string, unknown> => {
    const customer = requireLegacyCustomer(reader, options.customers);
    const matches = filterSites(reader, options, customer.CUST_NO);
    const { page, ...paging } = pageLegacyList(reader, matches);
    return { ...paging, SITES: page.map((site) => renderSite(site, options.addresses)) };
  };
  const inquire = (reader: LegacyFieldReader, siteId: string): Record<string, unknown> => {
    const customer = requireLegacyCustomer(reader, options.customers);
    const site = options.sites.get(siteId);
    if (!site || !isSiteVisible(site, customer.CUST_NO)) throw new LegacyNotFoundError('site unknown');
    return { SITE: renderSite(site, options.addresses) };
  };

  mountLegacyReads(router, { searchFields: SEARCH_FIELDS, search, idField: 'SITE_ID', idMaxLength: 9, inquire });
  return router;
}

function filterSites(reader: LegacyFieldReader, options: SiteRouterOptions, custNo: string): LegacySiteRecord[] {
  const folded = (text: string): string => normaliseAddressTokens(text).join(' ');
  const contains = (name: string, max: number): ((value: string | null) => boolean) | undefined => {
    const wanted = reader.text(name, max);
    if (wanted === undefined) return undefined;
    const key = folded(wanted);
    return (value) => value !== null && folded(value).includes(key);
  };
  const country = readCountry(reader);
  const addrKey = reader.text('ADDR_KEY', 20);
  const houseNo = reader.text('HOUSE_NO', 10)?.toLowerCase().replace(/\s+/g, '');
  const postCode = reader.text('POST_CODE', 12)?.toLowerCase().replace(/\s+/g, '');
  const siteType = reader.code('SITE_TYPE', ['PUB', 'PRV'] as const);
  const netType = reader.code('NET_TYPE', ['ON', 'OFF'] as const);
  const name = contains('SITE_NAME', 60);
  const custName = contains('CUST_NAME', 60);
  const operator = contains('OPERATOR', 60);
  const street = contains('STREET', 60);
  const town = contains('TOWN', 60);

  return [...options.sites.values()].filter((site) => {
    const address = options.addresses.get(site.ADDR_KEY);
    if (!address || !isSiteVisible(site, custNo)) return false;
    const addressHouseNo = `${address.HOUSE_NO}${address.HOUSE_NO_SFX ?? ''}`.toLowerCase().replace(/\s+/g, '');
    return (
      (addrKey === undefined || site.ADDR_KEY === addrKey) &&
      (country === undefined || address.COUNTRY === country) &&
      (houseNo === undefined || addressHouseNo === houseNo) &&
      (postCode === undefined || address.POST_CODE.toLowerCase().replace(/\s+/g, '') === postCode) &&
      (siteType === undefined || site.SITE_TYPE === siteType) &&
      (netType === undefined || site.NET_TYPE === netType) &&
      (name === undefined || name(site.SITE_NAME)) &&
      (custName === undefined || custName(site.CUST_NAME)) &&
      (operator === undefined || operator(site.OPERATOR)) &&
      (street === undefined || street(address.STREET)) &&
      (town === undefined || town(address.TOWN))
    );
  });
}

/** Reads a full English country name; codes and unserved names are RC 8, as in the address check. */
export function readCountry(reader: LegacyFieldReader): string | undefined {
  const text = reader.text('COUNTRY', 60);
  if (text === undefined) return undefined;
  if (isCountryCodeLike(text)) reader.fail('COUNTRY', `COUNTRY ${text}: full English country name expected, not a code`);
  return findLegacyCountry(text) ?? reader.fail('COUNTRY', `COUNTRY ${text} unknown (known: ${[...LEGACY_COUNTRIES.keys()].join(', ')})`);
}

/** A site as the legacy API shows it, with its address embedded. */
export function renderSite(site: LegacySiteRecord, addresses: ReadonlyMap<string, LegacyAddressRecord>): Record<string, unknown> {
  const address = addresses.get(site.ADDR_KEY);
  return { ...site, ADDRESS: address ? renderLegacyAddress(address) : null };
}
