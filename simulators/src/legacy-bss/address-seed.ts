import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { LEGACY_COUNTRIES } from './legacy-countries.js';
import { parseLegacyTimestamp } from './legacy-timestamp.js';

/** A WGS84 point as the legacy BSS stores it (decimal degrees). */
export interface LegacyGeoPoint {
  readonly LAT: number;
  readonly LON: number;
}

/**
 * One address of the legacy BSS address database, field names exactly as the legacy API uses them.
 * Absent optional values are `null` (the legacy system never omits a field).
 */
export interface LegacyAddressRecord {
  readonly ADDR_KEY: string;
  readonly HOUSE_NO: string;
  readonly HOUSE_NO_SFX: string | null;
  /** Full street name as written locally, street type word included (`Hauptstrasse`, `Baker Street`). */
  readonly STREET: string;
  /** Classification of the street (`Strasse`, `Street`, `Rue`), or `null` when there is none (`Dam`). */
  readonly STREET_TYPE: string | null;
  readonly TOWN: string;
  readonly DISTRICT: string | null;
  readonly POST_CODE: string;
  readonly REGION: string | null;
  /** Full English country name, one of {@link LEGACY_COUNTRIES}. */
  readonly COUNTRY: string;
  readonly GEO: LegacyGeoPoint;
  readonly NEW_SITE: 'Y' | 'N';
  readonly PUBLIC_SITE: 'Y' | 'N' | '?';
  /** Last update, `dd.MM.yyyy HH:mm` Berlin time. */
  readonly LAST_UPD: string;
  readonly BLDG: string | null;
  readonly FLOOR: string | null;
  readonly UNIT: string | null;
}

/** File name of the address seed inside the simulator's data folder. */
export const ADDRESS_SEED_FILE_NAME = 'addresses.yaml';

/** Thrown when the seed file is unreadable or malformed; the message starts with `file:line:`. */
export class LegacyBssSeedError extends Error {
  /** Path of the seed file as shown in the message. */
  readonly file: string;
  /** 1-based line of the offending node, or `undefined` when the file could not be read at all. */
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, detail: string) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'LegacyBssSeedError';
    this.file = file;
    this.line = line;
  }
}

const ADDR_KEY_PATTERN = /^NC-([A-Z]{2})-\d{6}$/;

const RECORD_FIELDS: readonly (keyof LegacyAddressRecord)[] = [
  'ADDR_KEY',
  'HOUSE_NO',
  'HOUSE_NO_SFX',
  'STREET',
  'STREET_TYPE',
  'TOWN',
  'DISTRICT',
  'POST_CODE',
  'REGION',
  'COUNTRY',
  'GEO',
  'NEW_SITE',
  'PUBLIC_SITE',
  'LAST_UPD',
  'BLDG',
  'FLOOR',
  'UNIT',
];

/**
 * Reads and validates `<dataDir>/addresses.yaml`. Throws {@link LegacyBssSeedError} naming the
 * file and line of the first problem, so a broken seed stops the simulator before it listens.
 */
export function loadAddressSeed(dataDir: string): readonly LegacyAddressRecord[] {
  const filePath = path.join(dataDir, ADDRESS_SEED_FILE_NAME);
  const label = labelSeedPath(filePath);
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new LegacyBssSeedError(label, undefined, `cannot read seed file (${code})`);
  }
  return parseAddressSeed(text, label);
}

/**
 * Validates seed YAML text. `fileLabel` is only used in error messages.
 * Returns frozen records in file order.
 */
export function parseAddressSeed(text: string, fileLabel: string): readonly LegacyAddressRecord[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const fail = (line: number, detail: string): never => {
    throw new LegacyBssSeedError(fileLabel, line, detail);
  };
  const lineOf = (node: Node | null | undefined, fallback: number): number => (node?.range ? lineAt(node.range[0]) : fallback);

  const syntaxError = doc.errors[0];
  if (syntaxError) fail(lineAt(syntaxError.pos[0]), `invalid YAML: ${syntaxError.message}`);

  const root = doc.contents;
  if (!isMap(root)) return fail(lineOf(root, 1), 'expected a mapping with an `addresses` list');
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (key !== 'addresses') fail(lineOf(pair.key as Node, 1), `unknown top-level key ${String(key)}`);
  }
  const list = root.get('addresses', true);
  if (!isSeq(list)) return fail(lineOf(list as Node | undefined, lineOf(root, 1)), 'addresses: expected a list');
  if (list.items.length === 0) fail(lineOf(list, 1), 'addresses: list is empty');

  const firstLineByKey = new Map<string, number>();
  const records: LegacyAddressRecord[] = [];
  list.items.forEach((item, index) => {
    const where = `addresses[${index}]`;
    const itemLine = lineOf(item as Node, lineOf(list, 1));
    if (!isMap(item)) return fail(itemLine, `${where}: expected a mapping`);
    const record = readRecord(item, where, itemLine, lineOf, fail);
    const firstLine = firstLineByKey.get(record.ADDR_KEY);
    if (firstLine !== undefined) {
      fail(itemLine, `${where}.ADDR_KEY: duplicate key ${record.ADDR_KEY} (first at line ${firstLine})`);
    }
    firstLineByKey.set(record.ADDR_KEY, itemLine);
    records.push(record);
  });
  return Object.freeze(records);
}

type LineOf = (node: Node | null | undefined, fallback: number) => number;
type Fail = (line: number, detail: string) => never;

function readRecord(item: YAMLMap, where: string, itemLine: number, lineOf: LineOf, fail: Fail): LegacyAddressRecord {
  const values = new Map<string, { value: Node | null; line: number }>();
  for (const pair of item.items) {
    const keyNode = pair.key as Node | null;
    const name = isScalar(keyNode) ? keyNode.value : undefined;
    const keyLine = lineOf(keyNode, itemLine);
    if (typeof name !== 'string' || !(RECORD_FIELDS as readonly string[]).includes(name)) {
      fail(keyLine, `${where}: unknown field ${String(name)}`);
    }
    values.set(name as string, { value: pair.value as Node | null, line: lineOf(pair.value as Node | null, keyLine) });
  }

  const text = (name: string): string | null => {
    const entry = values.get(name);
    if (!entry || (isScalar(entry.value) && entry.value.value === null) || entry.value === null) return null;
    const node = entry.value;
    // Post codes such as 01067 would silently become numbers, so only quoted-or-plain strings pass.
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      return fail(entry.line, `${where}.${name}: must be a non-empty string (quote numbers: "01067")`);
    }
    return node.value;
  };
  const required = (name: string): string => text(name) ?? fail(itemLine, `${where}: missing ${name}`);
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = required(name);
    if (!(allowed as readonly string[]).includes(value)) {
      fail(values.get(name)?.line ?? itemLine, `${where}.${name}: must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
    return value as T;
  };
  const lineOfField = (name: string): number => values.get(name)?.line ?? itemLine;

  const key = required('ADDR_KEY');
  const keyMatch = ADDR_KEY_PATTERN.exec(key);
  if (!keyMatch) fail(lineOfField('ADDR_KEY'), `${where}.ADDR_KEY: must look like NC-DE-000123, got ${key}`);
  const country = required('COUNTRY');
  const countryCode = LEGACY_COUNTRIES.get(country);
  if (!countryCode) {
    fail(lineOfField('COUNTRY'), `${where}.COUNTRY: must be one of ${[...LEGACY_COUNTRIES.keys()].join(', ')}`);
  }
  if (keyMatch?.[1] !== countryCode) {
    fail(lineOfField('ADDR_KEY'), `${where}.ADDR_KEY: country part ${keyMatch?.[1]} does not match COUNTRY ${country}`);
  }
  const lastUpdate = required('LAST_UPD');
  if (!parseLegacyTimestamp(lastUpdate)) {
    fail(lineOfField('LAST_UPD'), `${where}.LAST_UPD: must be dd.MM.yyyy HH:mm (Europe/Berlin), got ${lastUpdate}`);
  }

  const record: LegacyAddressRecord = {
    ADDR_KEY: key,
    HOUSE_NO: required('HOUSE_NO'),
    HOUSE_NO_SFX: text('HOUSE_NO_SFX'),
    STREET: required('STREET'),
    STREET_TYPE: text('STREET_TYPE'),
    TOWN: required('TOWN'),
    DISTRICT: text('DISTRICT'),
    POST_CODE: required('POST_CODE'),
    REGION: text('REGION'),
    COUNTRY: country,
    GEO: readGeo(values.get('GEO'), where, itemLine, lineOf, fail),
    NEW_SITE: oneOf('NEW_SITE', ['Y', 'N'] as const),
    PUBLIC_SITE: oneOf('PUBLIC_SITE', ['Y', 'N', '?'] as const),
    LAST_UPD: lastUpdate,
    BLDG: text('BLDG'),
    FLOOR: text('FLOOR'),
    UNIT: text('UNIT'),
  };
  return Object.freeze({ ...record, GEO: Object.freeze(record.GEO) });
}

function readGeo(
  entry: { value: Node | null; line: number } | undefined,
  where: string,
  itemLine: number,
  lineOf: LineOf,
  fail: Fail,
): LegacyGeoPoint {
  if (!entry) return fail(itemLine, `${where}: missing GEO`);
  const node = entry.value;
  if (!isMap(node)) return fail(entry.line, `${where}.GEO: expected a mapping with LAT and LON`);
  for (const pair of node.items) {
    const name = isScalar(pair.key) ? pair.key.value : undefined;
    if (name !== 'LAT' && name !== 'LON') fail(lineOf(pair.key as Node, entry.line), `${where}.GEO: unknown field ${String(name)}`);
  }
  const coordinate = (name: 'LAT' | 'LON', limit: number): number => {
    const value = node.get(name, true) as Node | undefined;
    const number = isScalar(value) ? value.value : undefined;
    if (typeof number !== 'number' || !Number.isFinite(number) || Math.abs(number) > limit) {
      return fail(lineOf(value, entry.line), `${where}.GEO.${name}: must be a number between -${limit} and ${limit}`);
    }
    return number;
  };
  return { LAT: coordinate('LAT', 90), LON: coordinate('LON', 180) };
}

/**
 * Names a seed file relative to the working directory when it lies below it, matching how people
 * refer to it in messages (`simulators/data/legacy-bss/addresses.yaml:14: ...`).
 */
export function labelSeedPath(filePath: string): string {
  const relative = path.relative(process.cwd(), filePath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return filePath;
  return relative.split(path.sep).join('/');
}
