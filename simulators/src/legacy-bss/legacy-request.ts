import express, { type Request, type RequestHandler, type Response } from 'express';
import { replyInputError, replyNotFound, replyOk } from './legacy-envelope.js';
import { parseLegacyDate, parseLegacyTimestamp, startOfLegacyDay } from './legacy-timestamp.js';

/** Thrown while handling a request; rendered as RC 8 with `ERR_FIELD`. */
export class LegacyInputError extends Error {
  /** Offending legacy field (`LINES[1].BW_MBPS`), or `null` when the request as a whole is unusable. */
  readonly field: string | null;

  constructor(field: string | null, message: string) {
    super(message);
    this.name = 'LegacyInputError';
    this.field = field;
  }
}

/** Thrown while handling a request; rendered as RC 4. Also used for other customers' objects. */
export class LegacyNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyNotFoundError';
  }
}

/**
 * Runs a handler and renders its outcome in the legacy envelope: the returned fields with RC 0,
 * {@link LegacyInputError} as RC 8, {@link LegacyNotFoundError} as RC 4. Anything else propagates to
 * the app's error renderer (RC 12).
 */
export function answerLegacy(res: Response, produce: () => Record<string, unknown>): void {
  let payload: Record<string, unknown>;
  try {
    payload = produce();
  } catch (err) {
    if (err instanceof LegacyInputError) return replyInputError(res, err.field, err.message);
    if (err instanceof LegacyNotFoundError) return replyNotFound(res, err.message);
    throw err;
  }
  replyOk(res, payload);
}

/** JSON body parser of every legacy endpoint: the legacy system never looked at `Content-Type`. */
export function createLegacyJsonParser(): RequestHandler {
  return express.json({ type: () => true, limit: '256kb' });
}

/** Where request fields come from: a JSON body (typed values) or the query string (all text). */
export type LegacyFieldSource = 'body' | 'query';

/** Typed, strict access to the fields of one legacy request object (the body, a line, the query). */
export interface LegacyFieldReader {
  /** Field name as reported in `ERR_FIELD`, with the reader's prefix (`LINES[0].ACTION`). */
  fieldName(name: string): string;
  /** Throws RC 8 naming the field. */
  fail(name: string, message: string): never;
  /** Trimmed text; `undefined` when absent, null or blank. */
  text(name: string, maxLength: number): string | undefined;
  requiredText(name: string, maxLength: number): string;
  /** One of `allowed` (exact spelling). */
  code<T extends string>(name: string, allowed: readonly T[]): T | undefined;
  requiredCode<T extends string>(name: string, allowed: readonly T[]): T;
  /** Whole number within `min..max`; the query string form is plain digits. */
  integer(name: string, min: number, max: number): number | undefined;
  requiredInteger(name: string, min: number, max: number): number;
  /** `dd.MM.yyyy`, as the start of that Berlin day. */
  date(name: string): { text: string; day: Date } | undefined;
  /** `dd.MM.yyyy HH:mm` Berlin time. */
  timestamp(name: string): Date | undefined;
  /** A JSON array (body only). */
  list(name: string, maxItems: number): unknown[] | undefined;
  /** Opaque configuration: a string kept as given, or an object/array stored as its JSON text. */
  opaque(name: string, maxLength: number): string | undefined;
}

/**
 * Wraps a request object. Unknown fields are refused at once (legacy record layouts are fixed);
 * `null` and blank values count as absent, because mapping output often carries explicit nulls.
 * A body that is not a JSON object is refused with `ERR_FIELD null`; a missing body counts as empty.
 */
export function readLegacyFields(
  raw: unknown,
  options: { source: LegacyFieldSource; allowed: readonly string[]; prefix?: string },
): LegacyFieldReader {
  const prefix = options.prefix ?? '';
  const fieldName = (name: string): string => `${prefix}${name}`;
  const fail = (name: string, message: string): never => {
    throw new LegacyInputError(fieldName(name), message.startsWith(name) ? `${fieldName(name)}${message.slice(name.length)}` : message);
  };
  if (raw === undefined) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    if (prefix === '') throw new LegacyInputError(null, 'malformed request');
    throw new LegacyInputError(prefix.replace(/\.$/, ''), `${prefix.replace(/\.$/, '')} must be an object`);
  }
  const record = raw as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!options.allowed.includes(name)) fail(name, `unknown field ${fieldName(name)}`);
  }

  const present = (name: string): unknown => {
    const value = record[name];
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value) && options.source === 'query') fail(name, `${name} given more than once`);
    if (typeof value === 'string' && value.trim() === '') return undefined;
    return value;
  };
  const text = (name: string, maxLength: number): string | undefined => {
    const value = present(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return fail(name, `${name} must be a string`);
    const trimmed = value.trim();
    if (trimmed.length > maxLength) fail(name, `${name} longer than ${maxLength} characters`);
    return trimmed;
  };
  const code = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const value = text(name, 40);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) fail(name, `${name} must be one of ${allowed.join(', ')}`);
    return value as T;
  };
  const integer = (name: string, min: number, max: number): number | undefined => {
    const value = present(name);
    if (value === undefined) return undefined;
    let number: number;
    if (options.source === 'query' && typeof value === 'string' && /^\s*\d+\s*$/.test(value)) number = Number(value);
    else if (typeof value === 'number') number = value;
    else return fail(name, `${name} must be a whole number`);
    if (!Number.isInteger(number)) fail(name, `${name} must be a whole number`);
    if (number < min || number > max) fail(name, `${name} must be between ${min} and ${max}`);
    return number;
  };
  const required = <T>(name: string, value: T | undefined): T => value ?? fail(name, `${name} missing`);

  return {
    fieldName,
    fail,
    text,
    requiredText: (name, maxLength) => required(name, text(name, maxLength)),
    code,
    requiredCode: (name, allowed) => required(name, code(name, allowed)),
    integer,
    requiredInteger: (name, min, max) => required(name, integer(name, min, max)),
    date(name) {
      const value = text(name, 10);
      if (value === undefined) return undefined;
      const day = parseLegacyDate(value);
      if (!day) return fail(name, `${name} must be a date dd.MM.yyyy, got ${value}`);
      return { text: value, day: startOfLegacyDay(day) };
    },
    timestamp(name) {
      const value = text(name, 16);
      if (value === undefined) return undefined;
      return parseLegacyTimestamp(value) ?? fail(name, `${name} must be a timestamp dd.MM.yyyy HH:mm (Europe/Berlin), got ${value}`);
    },
    list(name, maxItems) {
      const value = present(name);
      if (value === undefined) return undefined;
      if (!Array.isArray(value)) return fail(name, `${name} must be a list`);
      if (value.length > maxItems) fail(name, `${name} has more than ${maxItems} entries`);
      return value;
    },
    opaque(name, maxLength) {
      const value = present(name);
      if (value === undefined) return undefined;
      const stored =
        typeof value === 'string'
          ? value
          : typeof value === 'object'
            ? JSON.stringify(value)
            : fail(name, `${name} must be a string or an object`);
      if (stored.length > maxLength) fail(name, `${name} longer than ${maxLength} characters`);
      return stored;
    },
  };
}

/** Reads the query string of a GET request (Express gives strings, or arrays for repeated names). */
export function readLegacyQuery(req: Request, allowed: readonly string[]): LegacyFieldReader {
  return readLegacyFields({ ...(req.query as Record<string, unknown>) }, { source: 'query', allowed });
}

/** Paging fields every legacy list accepts. */
export const PAGING_FIELDS = ['OFFSET', 'LIMIT'] as const;

/** Page size when `LIMIT` is absent, and the largest accepted. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** Cuts one page out of `items` and renders the legacy paging fields next to it. */
/**
 * One customer's records matching every given search field exactly (an undefined criterion matches
 * everything) and, when `changedSince` is given, changed at or after it (`LAST_CHG`).
 */
export function searchOwnRecords<T extends { CUST_NO: string; LAST_CHG?: Date }>(
  records: Iterable<T>,
  custNo: string,
  criteria: Readonly<{ [K in keyof T]?: unknown }>,
  changedSince?: Date,
): T[] {
  const wanted = Object.entries(criteria).filter(([, v]) => v !== undefined);
  return [...records].filter(
    (r) =>
      r.CUST_NO === custNo &&
      wanted.every(([field, v]) => (r as Record<string, unknown>)[field] === v) &&
      (changedSince === undefined || (r.LAST_CHG !== undefined && r.LAST_CHG.getTime() >= changedSince.getTime())),
  );
}

export function pageLegacyList<T>(
  reader: LegacyFieldReader,
  items: readonly T[],
): { TOTAL: number; OFFSET: number; LIMIT: number; page: T[] } {
  const offset = reader.integer('OFFSET', 0, 1_000_000) ?? 0;
  const limit = reader.integer('LIMIT', 1, MAX_PAGE_LIMIT) ?? DEFAULT_PAGE_LIMIT;
  return { TOTAL: items.length, OFFSET: offset, LIMIT: limit, page: items.slice(offset, offset + limit) };
}

/** The read operations of one legacy domain (see {@link mountLegacyReads}). */
export interface LegacyReadOperations {
  /** Fields the list accepts (CUST_NO, filters, paging). */
  readonly searchFields: readonly string[];
  /** Lists objects matching the request's filters. */
  search(reader: LegacyFieldReader): Record<string, unknown>;
  /** Name of the id field in `POST /inquiry` (`ORDER_NO`), and its maximum length. */
  readonly idField: string;
  readonly idMaxLength: number;
  /** Shows one object; `reader` holds `CUST_NO`. */
  inquire(reader: LegacyFieldReader, id: string): Record<string, unknown>;
}

/**
 * Mounts the four read endpoints every legacy domain offers: `GET /` and `POST /search` (the same
 * list, criteria in the query string or in a JSON body), `GET /:id?CUST_NO=` and `POST /inquiry`
 * (the same lookup, id in the path or in the body). The POST forms exist because the legacy
 * system's batch clients could not build query strings.
 */
export function mountLegacyReads(router: express.Router, ops: LegacyReadOperations): void {
  router.get('/', (req: Request, res: Response) => answerLegacy(res, () => ops.search(readLegacyQuery(req, ops.searchFields))));
  router.post('/search', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => ops.search(readLegacyFields(req.body, { source: 'body', allowed: ops.searchFields }))),
  );
  router.post('/inquiry', createLegacyJsonParser(), (req: Request, res: Response) =>
    answerLegacy(res, () => {
      const reader = readLegacyFields(req.body, { source: 'body', allowed: ['CUST_NO', ops.idField] });
      const id = reader.requiredText(ops.idField, ops.idMaxLength);
      return ops.inquire(reader, id);
    }),
  );
  router.get('/:id', (req: Request, res: Response) =>
    answerLegacy(res, () => ops.inquire(readLegacyQuery(req, ['CUST_NO']), String(req.params['id']))),
  );
}
