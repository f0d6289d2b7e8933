import { DateTime } from 'luxon';
import type { MappingFunction } from './mapping-function.js';
import { nativeFromIsoUtc, nativeToIsoUtc } from './date-native.js';

/** The legacy BSS writes local wall-clock times in this zone. */
export const LEGACY_ZONE = 'Europe/Berlin';

/** Formats tried, in order, after ISO 8601 when `$toIsoUtc` gets no explicit format. */
export const LEGACY_DATE_FORMATS: readonly string[] = ['dd.MM.yyyy HH:mm', 'dd.MM.yyyy', 'yyyyMMddHHmmss'];

/**
 * ISO 8601 UTC timestamp (`2026-11-25T13:03:00.000Z`) from a date string. Without `format` it tries
 * ISO 8601, then {@link LEGACY_DATE_FORMATS}; `format` is a luxon token string (or a list of them).
 * Times without an offset are read in `zone` (default Europe/Berlin). Numbers are epoch
 * milliseconds. Anything unparseable gives undefined so the mapping can `$reject` it.
 */
export function mapToIsoUtc(value: unknown, format?: unknown, zone?: unknown): string | undefined {
  const inZone = typeof zone === 'string' && zone !== '' ? zone : LEGACY_ZONE;
  let parsed: DateTime | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const year = new Date(value).getUTCFullYear();
    if (year >= 1 && year <= 9999) return new Date(value).toISOString(); // what luxon gives, without luxon
    parsed = DateTime.fromMillis(value, { zone: 'utc' });
  } else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    const formats = toFormatList(format);
    if (formats === undefined) return undefined;
    const native = nativeToIsoUtc(text, formats, inZone, format === undefined || format === null);
    if (native !== undefined) return native;
    for (const candidate of formats) {
      const attempt =
        candidate === 'iso' ? DateTime.fromISO(text, { zone: inZone }) : DateTime.fromFormat(text, candidate, { zone: inZone });
      if (attempt.isValid) {
        parsed = attempt;
        break;
      }
    }
  }
  if (parsed === undefined || !parsed.isValid) return undefined;
  return parsed.toUTC().toISO() ?? undefined;
}

/**
 * Format an ISO 8601 timestamp as local time in `zone` (default Europe/Berlin) with a luxon token
 * string, e.g. `dd.MM.yyyy HH:mm` for the legacy BSS. An ISO string without offset counts as UTC.
 */
export function mapFromIsoUtc(value: unknown, format: unknown, zone?: unknown): string | undefined {
  if (typeof value !== 'string' || typeof format !== 'string' || format === '') return undefined;
  const toZone = typeof zone === 'string' && zone !== '' ? zone : LEGACY_ZONE;
  const native = nativeFromIsoUtc(value.trim(), format, toZone);
  if (native !== undefined) return native;
  const parsed = DateTime.fromISO(value.trim(), { zone: 'utc' });
  if (!parsed.isValid) return undefined;
  const local = parsed.setZone(toZone);
  return local.isValid ? local.toFormat(format) : undefined;
}

function toFormatList(format: unknown): readonly string[] | undefined {
  if (format === undefined || format === null) return ['iso', ...LEGACY_DATE_FORMATS];
  if (typeof format === 'string' && format !== '') return [format];
  if (Array.isArray(format) && format.length > 0 && format.every((f) => typeof f === 'string' && f !== '')) {
    return format as string[];
  }
  return undefined;
}

export const dateFunctions: readonly MappingFunction[] = [
  { name: 'toIsoUtc', implementation: mapToIsoUtc, signature: '<j-j?s?:s>' },
  { name: 'fromIsoUtc', implementation: mapFromIsoUtc, signature: '<j-ss?:s>' },
];
