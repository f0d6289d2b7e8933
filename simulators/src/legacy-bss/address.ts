import express, { type Request, type Response, type Router } from 'express';
import {
  createAddressIndex,
  matchFieldedAddress,
  matchFreeText,
  matchGeoPoint,
  type AddressIndex,
  type AddressMatch,
} from './address-matching.js';
import type { LegacyAddressRecord } from './address-seed.js';
import { replyInputError, replyNotFound, replyOk } from './legacy-envelope.js';
import { findLegacyCountry, isCountryCodeLike, LEGACY_COUNTRIES } from './legacy-countries.js';

/** Options of {@link createAddressRouter}. */
export interface AddressRouterOptions {
  /** Validated seed addresses (see `loadAddressSeed`). */
  readonly addresses: readonly LegacyAddressRecord[];
}

/** How many candidates after the best one `ALT_WANTED: "Y"` adds. */
export const MAX_ALTERNATE_CANDIDATES = 3;

// Field widths of the legacy record layout; longer input is an input error, as in the real system.
const CHECK_TEXT_FIELDS = {
  REQ_REF: 35,
  HOUSE_NO: 10,
  HOUSE_NO_SFX: 5,
  STREET: 60,
  STREET_TYPE: 20,
  TOWN: 60,
  DISTRICT: 60,
  POST_CODE: 12,
  REGION: 60,
  COUNTRY: 60,
  FREE_TEXT: 255,
  ADDR_KEY: 20,
  ALT_WANTED: 1,
} as const;

type CheckTextField = keyof typeof CHECK_TEXT_FIELDS;
type CheckText = Partial<Record<CheckTextField, string>>;

/** Thrown while reading a request; rendered as RC 8 with `ERR_FIELD`. */
class InputError extends Error {
  constructor(
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The address domain of the legacy BSS, mounted under `/bss/v2/address`:
 * `POST /check` (address check) and `GET /:addrKey` (lookup by address key).
 */
export function createAddressRouter(options: AddressRouterOptions): Router {
  const index = createAddressIndex(options.addresses);
  const router = express.Router();

  // Any content type is parsed as JSON: the legacy system never looked at the header.
  router.post('/check', express.json({ type: () => true }), (req: Request, res: Response) => {
    let text: CheckText;
    let geo: { LAT: number; LON: number } | undefined;
    try {
      ({ text, geo } = readCheckRequest(req.body));
    } catch (err) {
      if (err instanceof InputError) return replyInputError(res, err.field, err.message);
      throw err;
    }
    answerCheck(res, index, text, geo);
  });

  router.get('/:addrKey', (req: Request, res: Response) => {
    const record = index.byKey.get(String(req.params['addrKey']));
    if (!record) return replyNotFound(res, 'address key unknown');
    replyOk(res, { ADDRESS: renderLegacyAddress(record) });
  });

  return router;
}

function readCheckRequest(body: unknown): { text: CheckText; geo: { LAT: number; LON: number } | undefined } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError(null, 'malformed request');
  }
  const text: CheckText = {};
  let geo: { LAT: number; LON: number } | undefined;
  for (const [name, value] of Object.entries(body)) {
    // Mapping output often carries explicit nulls for absent values; the legacy system treats
    // null and blank like a missing field.
    if (value === null) continue;
    if (name === 'GEO') {
      geo = readGeo(value);
      continue;
    }
    if (!(name in CHECK_TEXT_FIELDS)) throw new InputError(name, `unknown field ${name}`);
    const field = name as CheckTextField;
    if (typeof value !== 'string') throw new InputError(field, `${field} must be a string`);
    const trimmed = value.trim();
    if (trimmed.length > CHECK_TEXT_FIELDS[field]) {
      throw new InputError(field, `${field} longer than ${CHECK_TEXT_FIELDS[field]} characters`);
    }
    if (trimmed !== '') text[field] = trimmed;
  }

  if (text.ALT_WANTED !== undefined && text.ALT_WANTED !== 'Y' && text.ALT_WANTED !== 'N') {
    throw new InputError('ALT_WANTED', 'ALT_WANTED must be Y or N');
  }
  if (text.COUNTRY !== undefined) {
    if (isCountryCodeLike(text.COUNTRY)) {
      throw new InputError('COUNTRY', `COUNTRY ${text.COUNTRY}: full English country name expected, not a code`);
    }
    const country = findLegacyCountry(text.COUNTRY);
    if (!country) {
      throw new InputError('COUNTRY', `COUNTRY ${text.COUNTRY} not served (served: ${[...LEGACY_COUNTRIES.keys()].join(', ')})`);
    }
    text.COUNTRY = country;
  }

  const fielded = text.STREET !== undefined && text.TOWN !== undefined && text.COUNTRY !== undefined;
  if (!fielded && text.ADDR_KEY === undefined && text.FREE_TEXT === undefined && geo === undefined) {
    const anyFielded = (
      ['HOUSE_NO', 'HOUSE_NO_SFX', 'STREET', 'STREET_TYPE', 'TOWN', 'DISTRICT', 'POST_CODE', 'REGION', 'COUNTRY'] as const
    ).some((field) => text[field] !== undefined);
    if (!anyFielded) {
      throw new InputError('STREET', 'no search criteria: STREET+TOWN+COUNTRY, FREE_TEXT, GEO or ADDR_KEY required');
    }
    const missing = (['STREET', 'TOWN', 'COUNTRY'] as const).find((field) => text[field] === undefined) ?? 'STREET';
    throw new InputError(missing, `${missing} missing: STREET, TOWN and COUNTRY are required for a fielded check`);
  }
  return { text, geo };
}

function readGeo(value: unknown): { LAT: number; LON: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('GEO', 'GEO must be an object with LAT and LON');
  }
  for (const name of Object.keys(value)) {
    if (name !== 'LAT' && name !== 'LON') throw new InputError(`GEO.${name}`, `unknown field GEO.${name}`);
  }
  const coordinate = (name: 'LAT' | 'LON', limit: number): number => {
    const number = (value as Record<string, unknown>)[name];
    if (typeof number !== 'number' || !Number.isFinite(number) || Math.abs(number) > limit) {
      throw new InputError(`GEO.${name}`, `GEO.${name} must be a number between -${limit} and ${limit}`);
    }
    return number;
  };
  return { LAT: coordinate('LAT', 90), LON: coordinate('LON', 180) };
}

// Criteria precedence: ADDR_KEY, then the fielded address, then FREE_TEXT, then GEO.
function answerCheck(res: Response, index: AddressIndex, text: CheckText, geo: { LAT: number; LON: number } | undefined): void {
  if (text.ADDR_KEY !== undefined) {
    const record = index.byKey.get(text.ADDR_KEY);
    if (!record) return replyNotFound(res, 'address key unknown');
    return replyOk(res, { RESULT: 'MATCH', CANDIDATES: [renderCandidate({ record, score: 100, full: true })] });
  }
  let matches: AddressMatch[];
  if (text.STREET !== undefined && text.TOWN !== undefined && text.COUNTRY !== undefined) {
    matches = matchFieldedAddress(index, {
      houseNo: text.HOUSE_NO,
      houseNoSuffix: text.HOUSE_NO_SFX,
      street: text.STREET,
      streetType: text.STREET_TYPE,
      town: text.TOWN,
      postCode: text.POST_CODE,
      country: text.COUNTRY,
    });
  } else if (text.FREE_TEXT !== undefined) {
    matches = matchFreeText(index, text.FREE_TEXT, text.COUNTRY);
  } else if (geo !== undefined) {
    matches = matchGeoPoint(index, geo.LAT, geo.LON, text.COUNTRY);
  } else {
    // readCheckRequest guarantees one of the criteria above.
    throw new Error('address check without criteria');
  }
  const best = matches[0];
  const result = best === undefined ? 'NO_MATCH' : best.full ? 'MATCH' : 'PARTIAL';
  const wanted = text.ALT_WANTED === 'Y' ? 1 + MAX_ALTERNATE_CANDIDATES : 1;
  replyOk(res, { RESULT: result, CANDIDATES: matches.slice(0, wanted).map(renderCandidate) });
}

function renderCandidate(match: AddressMatch): Record<string, unknown> {
  const { record } = match;
  return {
    ADDR_KEY: record.ADDR_KEY,
    HOUSE_NO: record.HOUSE_NO,
    HOUSE_NO_SFX: record.HOUSE_NO_SFX,
    STREET: record.STREET,
    STREET_TYPE: record.STREET_TYPE,
    TOWN: record.TOWN,
    DISTRICT: record.DISTRICT,
    POST_CODE: record.POST_CODE,
    REGION: record.REGION,
    COUNTRY: record.COUNTRY,
    GEO: { LAT: record.GEO.LAT, LON: record.GEO.LON },
    SCORE: match.score,
    NEW_SITE: record.NEW_SITE,
    PUBLIC_SITE: record.PUBLIC_SITE,
    LAST_UPD: record.LAST_UPD,
    BLDG: record.BLDG,
    FLOOR: record.FLOOR,
    UNIT: record.UNIT,
  };
}

/** An address as `GET /address/{ADDR_KEY}` shows it; other domains embed the same shape. */
export function renderLegacyAddress(record: LegacyAddressRecord): Record<string, unknown> {
  const { SCORE: _score, ...address } = renderCandidate({ record, score: 0, full: true });
  return address;
}
