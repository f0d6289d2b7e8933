import countries from 'i18n-iso-countries/index.js';
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import german from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import type { MappingFunction } from './builtins.js';

/*
 * The package's main entry registers ~80 locales on import; the plain index plus the two locales
 * partners actually write in (English, and German from the legacy BSS's home market) is enough.
 */
let registered = false;
function ensureLocales(): void {
  if (registered) return;
  countries.registerLocale(english);
  countries.registerLocale(german);
  registered = true;
}

/** Informal names partners use that the package lacks (it already knows UK, USA, Great Britain). */
const INFORMAL_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['U.K.', 'GB'],
  ['Britain', 'GB'],
  ['England', 'GB'],
  ['Scotland', 'GB'],
  ['Wales', 'GB'],
  ['Northern Ireland', 'GB'],
  ['Holland', 'NL'],
];

/**
 * ISO 3166-1 alpha-2 code for a country name (English or German, any case, accents optional),
 * alpha-2 or alpha-3 code; undefined when unknown, ambiguous ("Congo") or not a string.
 */
export function mapCountryCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  ensureLocales();
  if (/^[A-Za-z]{2}$/.test(text) && countries.isValid(text.toUpperCase())) return text.toUpperCase();
  if (/^[A-Za-z]{3}$/.test(text)) {
    const alpha2 = countries.alpha3ToAlpha2(text.toUpperCase());
    if (alpha2 !== undefined) return alpha2;
  }
  return nameIndex().get(normalizeName(text)) ?? undefined;
}

let nameIndexCache: ReadonlyMap<string, string | null> | undefined;

/*
 * One map instead of the package's getAlpha2Code, which scans every country per call. A name that
 * two countries share maps to null: guessing would put an address in the wrong country.
 */
function nameIndex(): ReadonlyMap<string, string | null> {
  if (nameIndexCache) return nameIndexCache;
  ensureLocales();
  const index = indexNames('en');
  // English wins over German where both languages use a name; informal names come last.
  for (const [key, alpha2] of indexNames('de')) if (!index.has(key)) index.set(key, alpha2);
  for (const [name, alpha2] of INFORMAL_NAMES) {
    if (!index.has(normalizeName(name))) index.set(normalizeName(name), alpha2);
  }
  nameIndexCache = index;
  return index;
}

function indexNames(lang: string): Map<string, string | null> {
  const index = new Map<string, string | null>();
  for (const [alpha2, names] of Object.entries(countries.getNames(lang, { select: 'all' }))) {
    for (const name of names) {
      const key = normalizeName(name);
      const known = index.get(key);
      if (known === undefined) index.set(key, alpha2);
      else if (known !== alpha2) index.set(key, null);
    }
  }
  return index;
}

function normalizeName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ');
}

/**
 * English short name as the legacy BSS spells it ("Germany", "United Kingdom", "United States",
 * "China") for an alpha-2/alpha-3 code or any name {@link mapCountryCode} understands.
 */
export function mapCountryName(value: unknown): string | undefined {
  const alpha2 = mapCountryCode(value);
  return alpha2 === undefined ? undefined : commonNames().get(alpha2);
}

/** ISO 3166-1 alpha-3 code for anything {@link mapCountryCode} understands. */
export function mapCountryAlpha3(value: unknown): string | undefined {
  const alpha2 = mapCountryCode(value);
  return alpha2 === undefined ? undefined : countries.alpha2ToAlpha3(alpha2);
}

let commonNameCache: ReadonlyMap<string, string> | undefined;

/*
 * The package's first name is often the formal one ("United States of America", "People's Republic
 * of China"). Prefer the shortest alias that is a whole-word part of it and belongs to no other
 * country, so "Congo" (two countries) or "UK" (an abbreviation) are never chosen and every name
 * maps back to its code.
 */
function commonNames(): ReadonlyMap<string, string> {
  if (commonNameCache) return commonNameCache;
  ensureLocales();
  const all = countries.getNames('en', { select: 'all' });
  const uses = new Map<string, number>();
  for (const names of Object.values(all)) {
    for (const name of names) uses.set(name.toLowerCase(), (uses.get(name.toLowerCase()) ?? 0) + 1);
  }
  const result = new Map<string, string>();
  for (const [alpha2, names] of Object.entries(all)) {
    const official = names[0];
    if (official === undefined) continue;
    let best = official;
    for (const alias of names.slice(1)) {
      const isAbbreviation = /^[A-Z.]+$/.test(alias);
      const isWordOfOfficial = new RegExp(`(^|[^\\p{L}])${escapeRegExp(alias)}($|[^\\p{L}])`, 'u').test(official);
      if (!isAbbreviation && isWordOfOfficial && uses.get(alias.toLowerCase()) === 1 && alias.length < best.length) {
        best = alias;
      }
    }
    result.set(alpha2, best);
  }
  commonNameCache = result;
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const countryFunctions: readonly MappingFunction[] = [
  { name: 'countryCode', implementation: mapCountryCode, signature: '<j-:s>' },
  { name: 'countryName', implementation: mapCountryName, signature: '<j-:s>' },
  { name: 'countryAlpha3', implementation: mapCountryAlpha3, signature: '<j-:s>' },
];
