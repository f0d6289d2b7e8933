import { IANAZone } from 'luxon';

/*
 * Native fast paths of $toIsoUtc/$fromIsoUtc for the shapes mappings use every request (strict ISO 8601,
 * dd.MM.yyyy[ HH:mm], IANA zones). Each one answers only when it is sure to give luxon's result and returns
 * undefined otherwise, so the caller asks luxon: unusual shapes, DST gaps and overlaps, years outside 1..9999.
 * luxon parses formats and runs Intl per call (~25 µs); this costs about a microsecond.
 */

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const ZONE_CACHE_LIMIT = 100_000;

const zones = new Map<string, IANAZone | null>();
/** zone + UTC hour -> the zone's offset in minutes during that whole hour (null: it changes inside the hour) */
const hourOffsets = new Map<string, number | null>();

function ianaZone(name: string): IANAZone | undefined {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
    if (zones.size >= ZONE_CACHE_LIMIT) zones.clear();
    zones.set(name, zone);
  }
  return zone ?? undefined;
}

/** luxon's own offset (minutes) of `zone` at UTC instant `ts`, memoised per UTC hour. */
export function zoneOffsetMinutes(zone: IANAZone, ts: number): number {
  const hour = Math.floor(ts / HOUR_MS);
  const key = `${zone.name}|${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const start = zone.offset(hour * HOUR_MS);
    offset = start === zone.offset(hour * HOUR_MS + HOUR_MS - 1) ? start : null;
    if (hourOffsets.size >= ZONE_CACHE_LIMIT) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  return offset ?? zone.offset(ts);
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** explicit UTC offset in minutes, if the text had one */
  offset?: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DMY_HM = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})$/;
const DMY = /^(\d{2})\.(\d{2})\.(\d{4})$/;

function parseIso(text: string): LocalTime | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  // a date with a zone designator but no time is not ISO 8601; leave such oddities to luxon
  const local: LocalTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    // luxon's own rounding of fractions (parseMillis)
    millisecond: m[7] === undefined ? 0 : Math.floor(parseFloat(`0.${m[7]}`) * 1000),
  };
  const designator = m[8];
  if (designator === 'Z') local.offset = 0;
  else if (designator !== undefined) {
    const hours = Number(designator.slice(1, 3));
    const minutes = Number(designator.slice(4, 6));
    if (hours > 14 || minutes > 59) return undefined;
    local.offset = (designator[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return local;
}

function parseDmy(text: string, withTime: boolean): LocalTime | undefined {
  const m = (withTime ? DMY_HM : DMY).exec(text);
  if (m === null) return undefined;
  return {
    year: Number(m[3]),
    month: Number(m[2]),
    day: Number(m[1]),
    hour: withTime ? Number(m[4]) : 0,
    minute: withTime ? Number(m[5]) : 0,
    second: 0,
    millisecond: 0,
  };
}

function isValidLocal(t: LocalTime): boolean {
  return (
    t.year >= 1 &&
    t.year <= 9999 &&
    t.month >= 1 &&
    t.month <= 12 &&
    t.day >= 1 &&
    t.day <= daysInMonth(t.year, t.month) &&
    t.hour <= 23 &&
    t.minute <= 59 &&
    t.second <= 59
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function localMillis(t: LocalTime): number {
  const d = new Date(Date.UTC(2000, t.month - 1, t.day, t.hour, t.minute, t.second, t.millisecond));
  d.setUTCFullYear(t.year); // Date.UTC maps years 0..99 to 1900..1999
  return d.getTime();
}

/** The UTC instant of a local time in `zone`, or undefined when the local time is in a DST gap or overlap. */
function instantIn(t: LocalTime, zone: IANAZone): number | undefined {
  const local = localMillis(t);
  if (t.offset !== undefined) return local - t.offset * MINUTE_MS;
  // offsets lie within +-14 h: the offsets on both sides of the local time are the only candidates
  const before = zoneOffsetMinutes(zone, local - 15 * HOUR_MS);
  const after = zoneOffsetMinutes(zone, local + 15 * HOUR_MS);
  const fits = (o: number): boolean => zoneOffsetMinutes(zone, local - o * MINUTE_MS) === o;
  if (before === after) return fits(before) ? local - before * MINUTE_MS : undefined;
  const a = fits(before);
  const b = fits(after);
  if (a === b) return undefined; // a gap (neither) or an overlap (both): luxon's guess decides, ask luxon
  return local - (a ? before : after) * MINUTE_MS;
}

function toIso(ts: number): string | undefined {
  const d = new Date(ts);
  const year = d.getUTCFullYear();
  return year >= 1 && year <= 9999 ? d.toISOString() : undefined;
}

/**
 * `$toIsoUtc(value, format?, zone?)` natively, or undefined when only luxon can say. `formats` is the list the
 * caller would try in order (`iso` = ISO 8601); only the default list and the single formats `dd.MM.yyyy` and
 * `dd.MM.yyyy HH:mm` are handled here.
 */
export function nativeToIsoUtc(text: string, formats: readonly string[], zoneName: string, defaultList: boolean): string | undefined {
  const zone = ianaZone(zoneName);
  if (zone === undefined) return undefined;
  let local: LocalTime | undefined;
  if (defaultList) {
    // a text of one strict shape cannot match an earlier format of the default list in luxon either
    local = parseIso(text) ?? parseDmy(text, true) ?? parseDmy(text, false);
  } else if (formats.length === 1) {
    if (formats[0] === 'dd.MM.yyyy HH:mm') local = parseDmy(text, true);
    else if (formats[0] === 'dd.MM.yyyy') local = parseDmy(text, false);
    else if (formats[0] === 'iso') local = parseIso(text);
  }
  if (local === undefined || !isValidLocal(local)) return undefined;
  const ts = instantIn(local, zone);
  return ts === undefined ? undefined : toIso(ts);
}

const FORMAT_TOKENS: Readonly<Record<string, (d: Date) => string>> = {
  dd: (d) => pad(d.getUTCDate(), 2),
  MM: (d) => pad(d.getUTCMonth() + 1, 2),
  yyyy: (d) => pad(d.getUTCFullYear(), 4),
  HH: (d) => pad(d.getUTCHours(), 2),
  mm: (d) => pad(d.getUTCMinutes(), 2),
  ss: (d) => pad(d.getUTCSeconds(), 2),
};
const LITERAL_RUN = /^[.:\- /]+$/;
const compiledFormats = new Map<string, ((d: Date) => string)[] | null>();

/** A luxon format of only dd MM yyyy HH mm ss and separators, as formatter parts; null for anything else. */
function compileFormat(format: string): ((d: Date) => string)[] | null {
  let parts = compiledFormats.get(format);
  if (parts === undefined) {
    parts = [];
    // luxon reads a format as runs of one repeated character
    for (const run of format.match(/(.)\1*/gs) ?? []) {
      const token = FORMAT_TOKENS[run];
      if (token !== undefined) parts.push(token);
      else if (LITERAL_RUN.test(run)) parts.push(() => run);
      else {
        parts = null;
        break;
      }
    }
    if (compiledFormats.size >= ZONE_CACHE_LIMIT) compiledFormats.clear();
    compiledFormats.set(format, parts);
  }
  return parts;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `$fromIsoUtc(value, format, zone?)` natively, or undefined when only luxon can say. */
export function nativeFromIsoUtc(text: string, format: string, zoneName: string): string | undefined {
  const parts = compileFormat(format);
  const zone = ianaZone(zoneName);
  const parsed = parseIso(text);
  if (parts === null || zone === undefined || parsed === undefined || !isValidLocal(parsed)) return undefined;
  // without an offset the text counts as UTC
  const ts = localMillis(parsed) - (parsed.offset ?? 0) * MINUTE_MS;
  const local = new Date(ts + zoneOffsetMinutes(zone, ts) * MINUTE_MS);
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  let out = '';
  for (const part of parts) out += part(local);
  return out;
}
