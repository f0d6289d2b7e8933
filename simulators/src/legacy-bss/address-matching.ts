import type { LegacyAddressRecord } from './address-seed.js';

// Pure matching logic of the simulated address check: no Express, no I/O. Everything derived from
// the seed is computed once in createAddressIndex, never per request.

/** One scored seed address. `full` means every part the caller gave matched after normalisation. */
export interface AddressMatch {
  readonly record: LegacyAddressRecord;
  /** 0..100, higher is better. */
  readonly score: number;
  readonly full: boolean;
}

/** The fielded part of an address check request (legacy field values, already trimmed). */
export interface FieldedAddressQuery {
  readonly houseNo?: string;
  readonly houseNoSuffix?: string;
  readonly street: string;
  readonly streetType?: string;
  readonly town: string;
  readonly postCode?: string;
  /** Canonical legacy country name. */
  readonly country: string;
}

/** Seed addresses with their normalised search keys. */
export interface AddressIndex {
  readonly entries: readonly IndexedAddress[];
  readonly byKey: ReadonlyMap<string, LegacyAddressRecord>;
}

interface HouseNumber {
  /** Leading digits, or undefined for non-numeric numbers. */
  readonly value: number | undefined;
  /** Whole number with suffix, normalised (`12a`), used for exact comparison and token search. */
  readonly key: string;
  readonly bareKey: string;
}

interface IndexedAddress {
  readonly record: LegacyAddressRecord;
  readonly streetKey: string;
  readonly streetTokens: readonly string[];
  readonly townKey: string;
  readonly townTokens: readonly string[];
  readonly postCodeKey: string;
  readonly postCodeTokens: readonly string[];
  readonly number: HouseNumber;
  readonly tokens: ReadonlySet<string>;
}

/** Radius within which a GEO check finds a seed address, in metres. */
export const GEO_MATCH_RADIUS_METRES = 250;

/** Builds the search index over the seed records. */
export function createAddressIndex(records: readonly LegacyAddressRecord[]): AddressIndex {
  const entries = records.map((record): IndexedAddress => {
    const streetTokens = normaliseAddressTokens(record.STREET);
    const townTokens = normaliseAddressTokens(record.TOWN);
    const postCodeTokens = normaliseAddressTokens(record.POST_CODE);
    const number = parseHouseNumber(record.HOUSE_NO, record.HOUSE_NO_SFX ?? undefined);
    const entry = {
      record,
      streetKey: streetTokens.join(''),
      streetTokens,
      townKey: townTokens.join(''),
      townTokens,
      postCodeKey: postCodeTokens.join(''),
      postCodeTokens,
      number,
    };
    const tokens = new Set<string>([
      ...[
        record.STREET,
        record.STREET_TYPE,
        record.TOWN,
        record.DISTRICT,
        record.POST_CODE,
        record.REGION,
        record.COUNTRY,
        record.BLDG,
      ].flatMap((part) => (part ? normaliseAddressTokens(part) : [])),
      entry.streetKey,
      entry.postCodeKey,
      number.key,
      number.bareKey,
    ]);
    return { ...entry, tokens };
  });
  return { entries, byKey: new Map(records.map((record) => [record.ADDR_KEY, record])) };
}

/**
 * Folds text for tolerant comparison: case, diacritics (`ü`, `é`), `ß`/`ss`, German umlaut
 * transliteration (`ue`), and street-type abbreviations (`Hauptstr.` = `Hauptstrasse`,
 * `St` = `Street`). Both sides of every comparison go through this, so the folding only needs to
 * be consistent, not linguistically correct.
 */
export function normaliseAddressTokens(text: string): string[] {
  const folded = text.toLowerCase().replace(/ß/g, 'ss').normalize('NFD').replace(/\p{M}/gu, '');
  return folded
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '')
    .map(abbreviateStreetWord)
    .map((token) => token.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u'));
}

const STREET_WORD_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['street', 'st'],
  ['road', 'rd'],
  ['avenue', 'ave'],
  ['av', 'ave'],
  ['boulevard', 'bd'],
  ['blvd', 'bd'],
  ['lane', 'ln'],
  ['square', 'sq'],
]);

function abbreviateStreetWord(token: string): string {
  const abbreviation = STREET_WORD_ABBREVIATIONS.get(token);
  if (abbreviation) return abbreviation;
  // German compounds carry the type as suffix: Hauptstrasse, Hauptstr.
  if (token.endsWith('strasse')) return `${token.slice(0, -'strasse'.length)}str`;
  return token;
}

function parseHouseNumber(houseNo: string | undefined, suffix: string | undefined): HouseNumber {
  const compact = (houseNo ?? '').replace(/\s+/g, '').toLowerCase();
  const match = /^(\d+)([a-z]*)$/.exec(compact);
  const digits = match?.[1];
  const embeddedSuffix = match?.[2] ?? '';
  const explicitSuffix = (suffix ?? '').replace(/\s+/g, '').toLowerCase();
  const bareKey = digits ?? compact;
  const key = `${bareKey}${explicitSuffix || embeddedSuffix}`;
  return { value: digits === undefined ? undefined : Number(digits), key, bareKey };
}

/**
 * Scores seed addresses against a fielded query: same country, similar street and a similar town
 * or the same post code are required; house number and post code differences lower the score.
 */
export function matchFieldedAddress(index: AddressIndex, query: FieldedAddressQuery): AddressMatch[] {
  const streetTokens = normaliseAddressTokens(query.street);
  const street = streetTokens.join('');
  const type = query.streetType ? normaliseAddressTokens(query.streetType).join('') : '';
  // Callers may split "Baker Street" into STREET "Baker" + STREET_TYPE "Street"; the type goes after
  // the name in German/English and before it in French, so both orders are tried.
  const streetVariants = type === '' || street.includes(type) ? [street] : [street + type, type + street];
  const town = normaliseAddressTokens(query.town).join('');
  const postCode = query.postCode ? normaliseAddressTokens(query.postCode).join('') : undefined;
  const number = query.houseNo ? parseHouseNumber(query.houseNo, query.houseNoSuffix) : undefined;

  const matches: AddressMatch[] = [];
  for (const entry of index.entries) {
    if (entry.record.COUNTRY !== query.country) continue;
    const streetSimilarity = Math.max(...streetVariants.map((variant) => measureSimilarity(variant, entry.streetKey)));
    const townSimilarity = measureTownSimilarity(town, entry.townKey);
    const postCodeEqual = postCode !== undefined && postCode === entry.postCodeKey;
    if (streetSimilarity < 0.7 || (townSimilarity < 0.75 && !postCodeEqual)) continue;

    const numberScore = scoreHouseNumber(number, entry.number);
    const locality = postCode === undefined ? townSimilarity : (townSimilarity + (postCodeEqual ? 1 : 0)) / 2;
    const full = streetSimilarity === 1 && numberScore === 1 && townSimilarity === 1 && (postCode === undefined || postCodeEqual);
    const score = full ? 100 : Math.min(99, Math.round(100 * (0.4 * streetSimilarity + 0.3 * numberScore + 0.3 * locality)));
    matches.push({ record: entry.record, score, full });
  }
  return sortMatches(matches);
}

function scoreHouseNumber(wanted: HouseNumber | undefined, seed: HouseNumber): number {
  if (!wanted) return 0.5;
  if (wanted.key === seed.key) return 1;
  if (wanted.bareKey === seed.bareKey) return 0.8;
  if (wanted.value === undefined || seed.value === undefined) return 0;
  // Neighbouring numbers in the same street are the useful alternates, so closeness counts.
  return Math.max(0, 0.7 - 0.1 * Math.abs(wanted.value - seed.value));
}

function measureTownSimilarity(wanted: string, seed: string): number {
  if (wanted === seed) return 1;
  // "Frankfurt" for "Frankfurt am Main"
  if (wanted.length >= 4 && seed.startsWith(wanted)) return 0.9;
  return measureSimilarity(wanted, seed);
}

/**
 * Scores seed addresses against a single-line address by token overlap: how much of the text the
 * address explains, and how much of the address (street, number, town or post code) the text names.
 * An address whose street is not named at all is never a candidate.
 */
export function matchFreeText(index: AddressIndex, text: string, country?: string): AddressMatch[] {
  const queryTokens = [...new Set(normaliseAddressTokens(text))];
  if (queryTokens.length === 0) return [];
  const matches: AddressMatch[] = [];
  for (const entry of index.entries) {
    if (country !== undefined && entry.record.COUNTRY !== country) continue;
    const tokenWeights = queryTokens.map((token) => weighToken(token, entry.tokens));
    const queryCoverage = sum(tokenWeights) / queryTokens.length;
    const streetCoverage = Math.max(
      sum(entry.streetTokens.map((token) => weighToken(token, queryTokens))) / entry.streetTokens.length,
      weighToken(entry.streetKey, queryTokens),
    );
    if (streetCoverage === 0) continue;
    const numberCoverage = queryTokens.includes(entry.number.key) ? 1 : queryTokens.includes(entry.number.bareKey) ? 0.5 : 0;
    const townCoverage = sum(entry.townTokens.map((token) => weighToken(token, queryTokens))) / entry.townTokens.length;
    const postCodeCoverage =
      queryTokens.includes(entry.postCodeKey) || entry.postCodeTokens.every((token) => queryTokens.includes(token)) ? 1 : 0;
    const localityCoverage = Math.max(townCoverage, postCodeCoverage);
    const full = tokenWeights.every((weight) => weight === 1) && streetCoverage === 1 && numberCoverage === 1 && localityCoverage === 1;
    const coreCoverage = (streetCoverage + numberCoverage + localityCoverage) / 3;
    const score = full ? 100 : Math.min(99, Math.round(100 * (0.5 * queryCoverage + 0.5 * coreCoverage)));
    if (score >= 50) matches.push({ record: entry.record, score, full });
  }
  return sortMatches(matches);
}

function weighToken(token: string, candidates: Iterable<string>): number {
  let best = 0;
  for (const candidate of candidates) {
    if (candidate === token) return 1;
    // Numbers and short words must match exactly: "12" is not "14", "de" is not "du".
    if (token.length >= 4 && candidate.length >= 4 && !/\d/.test(token) && measureSimilarity(token, candidate) >= 0.8) {
      best = 0.8;
    }
  }
  return best;
}

/**
 * Finds seed addresses within {@link GEO_MATCH_RADIUS_METRES} of a point, nearest first. The score
 * falls from 100 at the point to 50 at the edge of the radius.
 */
export function matchGeoPoint(index: AddressIndex, lat: number, lon: number, country?: string): AddressMatch[] {
  const found: { record: LegacyAddressRecord; distance: number }[] = [];
  for (const entry of index.entries) {
    if (country !== undefined && entry.record.COUNTRY !== country) continue;
    const distance = measureDistanceMetres(lat, lon, entry.record.GEO.LAT, entry.record.GEO.LON);
    if (distance <= GEO_MATCH_RADIUS_METRES) found.push({ record: entry.record, distance });
  }
  found.sort((a, b) => a.distance - b.distance || a.record.ADDR_KEY.localeCompare(b.record.ADDR_KEY));
  return found.map(({ record, distance }) => ({
    record,
    score: Math.round(100 - (50 * distance) / GEO_MATCH_RADIUS_METRES),
    full: true,
  }));
}

const EARTH_RADIUS_METRES = 6_371_008.8;

/** Great-circle (haversine) distance between two WGS84 points, in metres. */
export function measureDistanceMetres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;
  const dLat = toRadians(lat2 - lat1);
  const dLon = toRadians(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(lat1)) * Math.cos(toRadians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METRES * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** 1 - Levenshtein distance / longer length: 1 for equal strings, 0 for nothing in common. */
export function measureSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return 1 - (previous[b.length] ?? longer) / longer;
}

function sortMatches(matches: AddressMatch[]): AddressMatch[] {
  return matches.sort((a, b) => b.score - a.score || a.record.ADDR_KEY.localeCompare(b.record.ADDR_KEY));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
