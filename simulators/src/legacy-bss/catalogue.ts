import express, { type Request, type Response, type Router } from 'express';
import type { EventJournal } from './event-journal.js';
import { LEGACY_COUNTRIES } from './legacy-countries.js';
import {
  answerLegacy,
  createLegacyJsonParser,
  LegacyInputError,
  LegacyNotFoundError,
  mountLegacyReads,
  pageLegacyList,
  PAGING_FIELDS,
  readLegacyFields,
  type LegacyFieldReader,
} from './legacy-request.js';
import { formatLegacyTimestamp, parseLegacyDate } from './legacy-timestamp.js';
import type { ProductCatalogue } from './product-catalogue.js';
import { checkUniqueSeedKey, readSeedFile, type SeedMap } from './seed-file.js';

/** Offering status codes of the sales catalogue (see catalogue.yaml). */
export const OFFERING_STATUSES = ['ANGK', 'PILOT', 'AKTIV', 'GESP', 'VKE', 'SPE', 'AUSL', 'ABGL'] as const;
export type OfferingStatus = (typeof OFFERING_STATUSES)[number];
/** Statuses an offering may be retired to (`_sim` retire). */
const RETIRED_STATUSES = ['VKE', 'SPE', 'AUSL'] as const;

/** A product category (`KATEGORIEN`). */
export interface LegacyCategory {
  readonly KAT_CODE: string;
  readonly KAT_NAME: string;
  readonly KAT_TEXT: string;
  readonly OBER_KAT: string | null;
  readonly LAST_CHG: string;
}

/** A technical product specification (`SPEZIFIKATIONEN`). */
export interface LegacySpecification {
  readonly SPEZ_CODE: string;
  readonly SPEZ_NAME: string;
  readonly SPEZ_TEXT: string;
  readonly MEF_TYP: string;
  readonly SPEZ_STATUS: 'GLT' | 'AUS';
  readonly LAST_CHG: string;
}

/** A sales offering (`ANGEBOTE`); status and attributes change at run time through `_sim`. */
export interface LegacyOffering {
  readonly ANG_CODE: string;
  readonly ANG_NAME: string;
  readonly ANG_TEXT: string;
  readonly PROD_CODE: string;
  readonly KAT_CODES: readonly string[];
  readonly SPEZ_CODE: string;
  readonly BW_STUFEN: readonly number[];
  readonly ANG_STATUS: OfferingStatus;
  readonly STATUS_GRUND: string | null;
  readonly GUELTIG_AB: string;
  readonly GUELTIG_BIS: string | null;
  readonly LAENDER: readonly string[];
  readonly RAHMENVERTRAG: string;
  readonly KANAELE: readonly string[];
  readonly SEGMENTE: readonly string[];
  readonly LAUFZEITEN: readonly number[];
  readonly LAST_CHG: string;
}

/** The validated `catalogue.yaml`. */
export interface CatalogueSeed {
  readonly categories: readonly LegacyCategory[];
  readonly specifications: readonly LegacySpecification[];
  readonly offerings: readonly LegacyOffering[];
}

/** File name of the sales catalogue inside the simulator's data folder. */
export const CATALOGUE_SEED_FILE_NAME = 'catalogue.yaml';

const CODE = /^[A-Z][A-Z0-9_]{1,9}$/;
const OFFERING_CODE = /^[A-Z][A-Z0-9-]{1,15}$/;
const OFFERING_FIELDS = [
  'ANG_CODE',
  'ANG_NAME',
  'ANG_TEXT',
  'PROD_CODE',
  'KAT_CODES',
  'SPEZ_CODE',
  'BW_STUFEN',
  'ANG_STATUS',
  'STATUS_GRUND',
  'GUELTIG_AB',
  'GUELTIG_BIS',
  'LAENDER',
  'RAHMENVERTRAG',
  'KANAELE',
  'SEGMENTE',
  'LAUFZEITEN',
  'LAST_CHG',
] as const;

/** Reads and validates `<dataDir>/catalogue.yaml` against the product lines and terms of `products.yaml`. */
export function loadCatalogueSeed(dataDir: string, products: ProductCatalogue): CatalogueSeed {
  const root = readSeedFile(dataDir, CATALOGUE_SEED_FILE_NAME).allowOnly(['KATEGORIEN', 'SPEZIFIKATIONEN', 'ANGEBOTE']);
  const seen = new Map<string, number>();
  const categories = root.list('KATEGORIEN').map((item) => {
    const e = item.asMap().allowOnly(['KAT_CODE', 'KAT_NAME', 'KAT_TEXT', 'OBER_KAT', 'LAST_CHG']);
    const code = codeOf(e, 'KAT_CODE', CODE);
    checkUniqueSeedKey(seen, code, e.required('KAT_CODE'));
    const parent = e.optionalText('OBER_KAT');
    if (parent !== null && !seen.has(parent)) e.required('OBER_KAT').fail(`unknown parent ${parent} (list a parent before its children)`);
    return Object.freeze({
      KAT_CODE: code,
      KAT_NAME: e.text('KAT_NAME'),
      KAT_TEXT: e.text('KAT_TEXT'),
      OBER_KAT: parent,
      LAST_CHG: e.timestamp('LAST_CHG'),
    });
  });
  const specSeen = new Map<string, number>();
  const specifications = root.list('SPEZIFIKATIONEN').map((item) => {
    const e = item.asMap().allowOnly(['SPEZ_CODE', 'SPEZ_NAME', 'SPEZ_TEXT', 'MEF_TYP', 'SPEZ_STATUS', 'LAST_CHG']);
    const code = codeOf(e, 'SPEZ_CODE', CODE);
    checkUniqueSeedKey(specSeen, code, e.required('SPEZ_CODE'));
    return Object.freeze({
      SPEZ_CODE: code,
      SPEZ_NAME: e.text('SPEZ_NAME'),
      SPEZ_TEXT: e.text('SPEZ_TEXT'),
      MEF_TYP: e.text('MEF_TYP'),
      SPEZ_STATUS: e.code('SPEZ_STATUS', ['GLT', 'AUS'] as const),
      LAST_CHG: e.timestamp('LAST_CHG'),
    });
  });
  const offerSeen = new Map<string, number>();
  const offerings = root.list('ANGEBOTE').map((item) => {
    const e = item.asMap().allowOnly(OFFERING_FIELDS);
    const offering = readOffering(e, products, seen, specSeen);
    checkUniqueSeedKey(offerSeen, offering.ANG_CODE, e.required('ANG_CODE'));
    return offering;
  });
  return Object.freeze({
    categories: Object.freeze(categories),
    specifications: Object.freeze(specifications),
    offerings: Object.freeze(offerings),
  });
}

function codeOf(e: SeedMap, name: string, pattern: RegExp): string {
  const code = e.text(name);
  if (!pattern.test(code)) e.required(name).fail(`must match ${pattern.source}`);
  return code;
}

/** One offering of the seed, checked against products.yaml (product line, bandwidths, terms) and the other lists. */
function readOffering(
  e: SeedMap,
  products: ProductCatalogue,
  categories: ReadonlyMap<string, number>,
  specs: ReadonlyMap<string, number>,
): LegacyOffering {
  const product =
    products.products.get(e.text('PROD_CODE')) ??
    e.required('PROD_CODE').fail(`unknown product ${e.text('PROD_CODE')} (not in products.yaml)`);
  const texts = (name: string) => e.list(name).map((v) => v.asText());
  const kat = texts('KAT_CODES');
  kat.forEach((k) => categories.has(k) || e.required('KAT_CODES').fail(`unknown category ${k}`));
  if (!specs.has(e.text('SPEZ_CODE'))) e.required('SPEZ_CODE').fail(`unknown specification ${e.text('SPEZ_CODE')}`);
  const tiers = e.list('BW_STUFEN').map((v) => v.asNumber(1, 1_000_000, true));
  tiers.forEach((bw) => product.prices.has(bw) || e.required('BW_STUFEN').fail(`${product.PROD_CODE} has no price for ${bw} Mbit/s`));
  const countries = texts('LAENDER');
  countries.forEach((c) => LEGACY_COUNTRIES.has(c) || e.required('LAENDER').fail(`${c} is not a country the BSS serves`));
  const terms = e.list('LAUFZEITEN').map((v) => v.asNumber(1, 120, true));
  terms.forEach((t) => products.terms.has(t) || e.required('LAUFZEITEN').fail(`${t} months is not in TERM_FACTORS`));
  for (const name of ['GUELTIG_AB', 'GUELTIG_BIS']) {
    const text = e.optionalText(name);
    if (text !== null && !parseLegacyDate(text)) e.required(name).fail(`must be dd.MM.yyyy, got ${text}`);
  }
  return Object.freeze({
    ANG_CODE: codeOf(e, 'ANG_CODE', OFFERING_CODE),
    ANG_NAME: e.text('ANG_NAME'),
    ANG_TEXT: e.text('ANG_TEXT'),
    PROD_CODE: product.PROD_CODE,
    KAT_CODES: Object.freeze(kat),
    SPEZ_CODE: e.text('SPEZ_CODE'),
    BW_STUFEN: Object.freeze([...tiers].sort((a, b) => a - b)),
    ANG_STATUS: e.code('ANG_STATUS', OFFERING_STATUSES),
    STATUS_GRUND: e.optionalText('STATUS_GRUND'),
    GUELTIG_AB: e.text('GUELTIG_AB'),
    GUELTIG_BIS: e.optionalText('GUELTIG_BIS'),
    LAENDER: Object.freeze(countries),
    RAHMENVERTRAG: e.text('RAHMENVERTRAG'),
    KANAELE: Object.freeze(texts('KANAELE')),
    SEGMENTE: Object.freeze(texts('SEGMENTE')),
    LAUFZEITEN: Object.freeze(terms),
    LAST_CHG: e.timestamp('LAST_CHG'),
  });
}

/** The catalogue domain: the read endpoints (`/bss/v2/catalogue/...`) and the back-office ones (`/bss/v2/_sim/catalogue/...`). */
export interface CatalogueDomain {
  readonly router: Router;
  readonly simRouter: Router;
}

/**
 * The sales catalogue, read by everyone (CUST_NO optional: the catalogue is the same for every customer):
 * `offerings` (filters ANG_STATUS, PROD_CODE, KAT_CODE, SPEZ_CODE, LAND), `categories` (OBER_KAT) and `specs`
 * (SPEZ_STATUS), each with list and inquiry. The back office adds offerings (`POST /_sim/catalogue/offerings`),
 * changes their texts or coverage (`POST .../{code}/change`) and retires them (`POST .../{code}/retire`); each
 * change is journalled (`KAT_ANG_STATUS`, `KAT_ANG_CHANGE`, CUST_NO `*`: every customer; INFO
 * `<KAT_CODES>/<SPEZ_CODE>: <text>`) and called back. The per-customer journal poll does not list them.
 */
export function createCatalogueDomain(options: {
  readonly seed: CatalogueSeed;
  readonly products: ProductCatalogue;
  readonly journal: EventJournal;
  readonly now: () => Date;
}): CatalogueDomain {
  const offerings = new Map(options.seed.offerings.map((o) => [o.ANG_CODE, o]));
  const categoryCodes = new Map(options.seed.categories.map((c, i) => [c.KAT_CODE, i]));
  const specCodes = new Map(options.seed.specifications.map((s, i) => [s.SPEZ_CODE, i]));
  const router = express.Router();
  router.use(
    '/offerings',
    createReads('ANG_CODE', 16, () => [...offerings.values()], 'ANGEBOTE', 'ANGEBOT', offeringFilter),
  );
  // a category shows its sub-categories and the offerings filed under it (code, categories, specification)
  const categories = () =>
    options.seed.categories.map((c) => ({
      ...c,
      UNTER_KATS: options.seed.categories.filter((sub) => sub.OBER_KAT === c.KAT_CODE).map((sub) => sub.KAT_CODE),
      ANGEBOTE: [...offerings.values()]
        .filter((o) => o.KAT_CODES.includes(c.KAT_CODE))
        .map((o) => ({ ANG_CODE: o.ANG_CODE, KAT_CODES: o.KAT_CODES, SPEZ_CODE: o.SPEZ_CODE })),
    }));
  router.use(
    '/categories',
    createReads('KAT_CODE', 10, categories, 'KATEGORIEN', 'KATEGORIE', (r) => {
      const parent = r.text('OBER_KAT', 10);
      return (c: LegacyCategory) => parent === undefined || c.OBER_KAT === parent;
    }),
  );
  router.use(
    '/specs',
    createReads(
      'SPEZ_CODE',
      10,
      () => options.seed.specifications,
      'SPEZIFIKATIONEN',
      'SPEZIFIKATION',
      (r) => {
        const status = r.code('SPEZ_STATUS', ['GLT', 'AUS'] as const);
        return (s: LegacySpecification) => status === undefined || s.SPEZ_STATUS === status;
      },
    ),
  );

  const record = (o: LegacyOffering, type: 'KAT_ANG_STATUS' | 'KAT_ANG_CHANGE', old: OfferingStatus | null, info: string | null): void => {
    // INFO: `<KAT_CODES>/<SPEZ_CODE>: <text>`, so a reader can tell who sells it without asking the catalogue
    const where = `${o.KAT_CODES.join(',')}/${o.SPEZ_CODE}`;
    options.journal.record({
      EVT_TYPE: type,
      CUST_NO: '*',
      OBJ_ID: o.ANG_CODE,
      OLD_STATUS: old,
      NEW_STATUS: o.ANG_STATUS,
      INFO: info ? `${where}: ${info}` : where,
    });
  };
  const stamp = () => formatLegacyTimestamp(options.now());
  const simRouter = express.Router();
  simRouter.post('/offerings', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, {
        source: 'body',
        allowed: OFFERING_FIELDS.filter((f) => f !== 'LAST_CHG'),
      });
      const offering = readNewOffering(reader, options.products, categoryCodes, specCodes, stamp());
      if (offerings.has(offering.ANG_CODE)) reader.fail('ANG_CODE', `ANG_CODE ${offering.ANG_CODE} exists already`);
      offerings.set(offering.ANG_CODE, offering);
      record(offering, 'KAT_ANG_STATUS', null, 'neues Angebot');
      return { ANGEBOT: offering };
    }),
  );
  simRouter.post('/offerings/:code/change', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => {
      const current = requireOffering(offerings, String(req.params['code']));
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['ANG_NAME', 'ANG_TEXT', 'LAENDER'] });
      const countries = reader.list('LAENDER', 20)?.map((c, i) => countryOf(reader, c, i));
      const changed = Object.freeze({
        ...current,
        ANG_NAME: reader.text('ANG_NAME', 80) ?? current.ANG_NAME,
        ANG_TEXT: reader.text('ANG_TEXT', 400) ?? current.ANG_TEXT,
        LAENDER: countries ? Object.freeze(countries) : current.LAENDER,
        LAST_CHG: stamp(),
      });
      offerings.set(changed.ANG_CODE, changed);
      record(
        changed,
        'KAT_ANG_CHANGE',
        null,
        ['ANG_NAME', 'ANG_TEXT', 'LAENDER'].filter((f) => (req.body as Record<string, unknown>)[f] !== undefined).join(','),
      );
      return { ANGEBOT: changed };
    }),
  );
  simRouter.post('/offerings/:code/retire', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => {
      const current = requireOffering(offerings, String(req.params['code']));
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['ANG_STATUS', 'STATUS_GRUND'] });
      const status = reader.code('ANG_STATUS', RETIRED_STATUSES) ?? 'VKE';
      if (current.ANG_STATUS === status) reader.fail('ANG_STATUS', `ANG_STATUS is ${status} already`);
      const retired = Object.freeze({
        ...current,
        ANG_STATUS: status,
        STATUS_GRUND: reader.text('STATUS_GRUND', 200) ?? null,
        LAST_CHG: stamp(),
      });
      offerings.set(retired.ANG_CODE, retired);
      record(retired, 'KAT_ANG_STATUS', current.ANG_STATUS, retired.STATUS_GRUND);
      return { ANGEBOT: retired };
    }),
  );
  return { router, simRouter };
}

function offeringFilter(r: LegacyFieldReader): (o: LegacyOffering) => boolean {
  const status = r.code('ANG_STATUS', OFFERING_STATUSES);
  const product = r.text('PROD_CODE', 10);
  const category = r.text('KAT_CODE', 10);
  const spec = r.text('SPEZ_CODE', 10);
  const country = r.text('LAND', 60);
  return (o) =>
    (status === undefined || o.ANG_STATUS === status) &&
    (product === undefined || o.PROD_CODE === product) &&
    (category === undefined || o.KAT_CODES.includes(category)) &&
    (spec === undefined || o.SPEZ_CODE === spec) &&
    (country === undefined || o.LAENDER.some((c) => c.toLowerCase() === country.toLowerCase()));
}

const FILTER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ANGEBOTE: ['ANG_STATUS', 'PROD_CODE', 'KAT_CODE', 'SPEZ_CODE', 'LAND'],
  KATEGORIEN: ['OBER_KAT'],
  SPEZIFIKATIONEN: ['SPEZ_STATUS'],
};

/** List (`GET /`, `POST /search`) and inquiry (`GET /{code}`, `POST /inquiry`) of one catalogue list, in code order. */
function createReads<T>(
  idField: keyof T & string,
  idMaxLength: number,
  all: () => readonly T[],
  listName: string,
  itemName: string,
  filter: (reader: LegacyFieldReader) => (item: T) => boolean,
): Router {
  const router = express.Router();
  mountLegacyReads(router, {
    searchFields: ['CUST_NO', ...(FILTER_FIELDS[listName] ?? []), ...PAGING_FIELDS],
    search(reader) {
      const keep = filter(reader);
      const sorted = all()
        .filter(keep)
        .sort((a, b) => String(a[idField]).localeCompare(String(b[idField])));
      const { page, ...paging } = pageLegacyList(reader, sorted);
      return { ...paging, [listName]: page };
    },
    idField,
    idMaxLength,
    inquire(_reader, id) {
      const found = all().find((item) => item[idField] === id);
      if (!found) throw new LegacyNotFoundError(`${itemName.toLowerCase()} unknown`);
      return { [itemName]: found };
    },
  });
  return router;
}

function requireOffering(offerings: ReadonlyMap<string, LegacyOffering>, code: string): LegacyOffering {
  const found = offerings.get(code);
  if (!found) throw new LegacyNotFoundError('angebot unknown');
  return found;
}

function countryOf(reader: LegacyFieldReader, value: unknown, index: number): string {
  const name =
    typeof value === 'string' ? [...LEGACY_COUNTRIES.keys()].find((c) => c.toLowerCase() === value.trim().toLowerCase()) : undefined;
  return name ?? reader.fail('LAENDER', `LAENDER[${index}] is not a country the BSS serves`);
}

/** A new offering from the back office: required texts and codes, the rest defaulted like product management does. */
function readNewOffering(
  r: LegacyFieldReader,
  products: ProductCatalogue,
  categories: ReadonlyMap<string, number>,
  specs: ReadonlyMap<string, number>,
  now: string,
): LegacyOffering {
  const code = r.requiredText('ANG_CODE', 16);
  if (!OFFERING_CODE.test(code)) r.fail('ANG_CODE', 'ANG_CODE must be 2-16 upper-case letters, digits or -');
  const product = products.products.get(r.requiredText('PROD_CODE', 10)) ?? r.fail('PROD_CODE', 'PROD_CODE unknown');
  const texts = (name: string, fallback: readonly string[]): string[] =>
    (r.list(name, 20) ?? fallback).map((v, i) => {
      if (typeof v !== 'string' || v.trim() === '') throw new LegacyInputError(`${name}[${i}]`, `${name}[${i}] must be a text`);
      return v.trim();
    });
  const kat = texts('KAT_CODES', []);
  if (kat.length === 0 || kat.some((k) => !categories.has(k))) r.fail('KAT_CODES', 'KAT_CODES must name known categories');
  const spec = r.requiredText('SPEZ_CODE', 10);
  if (!specs.has(spec)) r.fail('SPEZ_CODE', 'SPEZ_CODE unknown');
  const tiers = (r.list('BW_STUFEN', 20) ?? product.bandwidths).map((v) =>
    typeof v === 'number' && product.prices.has(v)
      ? v
      : r.fail('BW_STUFEN', `BW_STUFEN must be bandwidths priced for ${product.PROD_CODE}`),
  );
  const terms = (r.list('LAUFZEITEN', 10) ?? [...products.terms.keys()]).map((v) =>
    typeof v === 'number' && products.terms.has(v) ? v : r.fail('LAUFZEITEN', 'LAUFZEITEN must be terms of TERM_FACTORS'),
  );
  const from = r.date('GUELTIG_AB')?.text ?? now.slice(0, 10);
  return Object.freeze({
    ANG_CODE: code,
    ANG_NAME: r.requiredText('ANG_NAME', 80),
    ANG_TEXT: r.requiredText('ANG_TEXT', 400),
    PROD_CODE: product.PROD_CODE,
    KAT_CODES: Object.freeze(kat),
    SPEZ_CODE: spec,
    BW_STUFEN: Object.freeze([...tiers].sort((a, b) => a - b)),
    ANG_STATUS: r.code('ANG_STATUS', ['ANGK', 'PILOT', 'AKTIV'] as const) ?? 'AKTIV',
    STATUS_GRUND: r.text('STATUS_GRUND', 200) ?? null,
    GUELTIG_AB: from,
    GUELTIG_BIS: r.date('GUELTIG_BIS')?.text ?? null,
    LAENDER: Object.freeze((r.list('LAENDER', 20) ?? ['Germany']).map((c, i) => countryOf(r, c, i))),
    RAHMENVERTRAG: r.text('RAHMENVERTRAG', 80) ?? 'Rahmenvertrag Wholesale 2025',
    KANAELE: Object.freeze(texts('KANAELE', ['DIREKT'])),
    SEGMENTE: Object.freeze(texts('SEGMENTE', ['WHOLESALE'])),
    LAUFZEITEN: Object.freeze(terms),
    LAST_CHG: now,
  });
}
