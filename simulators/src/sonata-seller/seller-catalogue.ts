/**
 * The simulated seller's reference data: an address book (what address validation finds and what quotes and orders
 * may reference) and a product price list by `productConfiguration['@type']`. Deliberately small and deterministic.
 */

/** One known address; ids are the seller's own. */
export interface SellerAddress {
  readonly id: string;
  readonly streetNr?: string;
  readonly streetName: string;
  readonly city: string;
  readonly postcode?: string;
  /** ISO 3166 alpha-2 */
  readonly countryCode: string;
  readonly allowsNewSite: boolean;
  readonly hasPublicSite: boolean;
}

/** One orderable product of the price list. */
export interface SellerProduct {
  readonly name: string;
  /** orderable bandwidths in Mbit/s */
  readonly bandwidths: readonly number[];
  /** monthly recurring charge for a 12-month term, by bandwidth, in major units of the list currency */
  readonly mrc: (bandwidthMbps: number) => number;
  readonly nrc: number;
  /** working days to install */
  readonly leadDays: number;
}

export const DEFAULT_ADDRESSES: readonly SellerAddress[] = Object.freeze([
  {
    id: 'ADR-DE-1001',
    streetNr: '12',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    postcode: '10115',
    countryCode: 'DE',
    allowsNewSite: true,
    hasPublicSite: false,
  },
  {
    id: 'ADR-DE-1002',
    streetNr: '14',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    postcode: '10115',
    countryCode: 'DE',
    allowsNewSite: true,
    hasPublicSite: false,
  },
  {
    id: 'ADR-DE-1003',
    streetNr: '1',
    streetName: 'Marienplatz',
    city: 'Muenchen',
    postcode: '80331',
    countryCode: 'DE',
    allowsNewSite: false,
    hasPublicSite: true,
  },
  {
    id: 'ADR-GB-2001',
    streetNr: '221B',
    streetName: 'Baker Street',
    city: 'London',
    postcode: 'NW1 6XE',
    countryCode: 'GB',
    allowsNewSite: true,
    hasPublicSite: false,
  },
  {
    id: 'ADR-GB-2002',
    streetNr: '10',
    streetName: 'Downing Street',
    city: 'London',
    postcode: 'SW1A 2AA',
    countryCode: 'GB',
    allowsNewSite: false,
    hasPublicSite: false,
  },
  {
    id: 'ADR-FR-3001',
    streetNr: '5',
    streetName: 'Avenue Anatole France',
    city: 'Paris',
    postcode: '75007',
    countryCode: 'FR',
    allowsNewSite: true,
    hasPublicSite: true,
  },
  {
    id: 'ADR-NL-4001',
    streetNr: '182',
    streetName: 'Herengracht',
    city: 'Amsterdam',
    postcode: '1016 BR',
    countryCode: 'NL',
    allowsNewSite: true,
    hasPublicSite: false,
  },
  {
    id: 'ADR-NL-4002',
    streetNr: '1',
    streetName: 'Coolsingel',
    city: 'Rotterdam',
    postcode: '3011 AD',
    countryCode: 'NL',
    allowsNewSite: true,
    hasPublicSite: true,
  },
]);

export const DEFAULT_PRODUCTS: Readonly<Record<string, SellerProduct>> = Object.freeze({
  'urn:mef:lso:spec:sonata:access-eline-ovc:v5.0.0:all': {
    name: 'Access E-Line',
    bandwidths: [10, 50, 100, 200, 500, 1000],
    mrc: (bw) => 150 + bw * 0.8,
    nrc: 500,
    leadDays: 20,
  },
  'urn:mef:lso:spec:sonata:carrier-ethernet-operator-uni:v5.0.0:all': {
    name: 'Operator UNI',
    bandwidths: [100, 1000, 10000],
    mrc: (bw) => (bw >= 10000 ? 900 : bw >= 1000 ? 400 : 200),
    nrc: 300,
    leadDays: 15,
  },
  'urn:mef:lso:spec:cantata-sonata:basic-internet-access:v1.0.0:all': {
    name: 'Internet Access',
    bandwidths: [10, 50, 100, 500, 1000],
    mrc: (bw) => 100 + bw * 0.5,
    nrc: 250,
    leadDays: 10,
  },
});

const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  germany: 'DE',
  deutschland: 'DE',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  france: 'FR',
  netherlands: 'NL',
  nederland: 'NL',
  holland: 'NL',
  switzerland: 'CH',
  'united states': 'US',
};

/** Alpha-2 code from what a buyer may write (Grace's `country` is free text); undefined when unknown. */
export function toCountryCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^[A-Za-z]{2}$/.test(text)) return text.toUpperCase();
  return COUNTRY_NAMES[text.toLowerCase()];
}

/** Case, accents, `ß` and `str.` folded, so "Hauptstraße" finds "Hauptstrasse". */
export function foldText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/\bstr\.?$/, 'strasse')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Term discount as the price list applies it: 12 months 1.0, 24 months 0.9, 36 months or more 0.8. */
export function termFactor(months: number): number {
  if (months >= 36) return 0.8;
  if (months >= 24) return 0.9;
  return 1;
}
