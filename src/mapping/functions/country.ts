import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import countries from 'i18n-iso-countries/index.js';
import type { MappingFunction } from './mapping-function.js';

/*
 * Every CLDR locale the package ships (78), registered at the first call of a country function, never at import:
 * the package's main entry would load them all on import, for every process that merely imports the mapping core.
 * Read synchronously (JSONata calls the functions synchronously), once per process.
 */
const require = createRequire(import.meta.url);
let locales: readonly string[] | undefined;
function ensureLocales(): readonly string[] {
  if (locales) return locales;
  const dir = join(dirname(require.resolve('i18n-iso-countries/package.json')), 'langs');
  const loaded: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const data = require(join(dir, file)) as countries.LocaleData;
    countries.registerLocale(data);
    loaded.push(data.locale);
  }
  locales = loaded;
  return loaded;
}

/**
 * Loads the locales and builds the name index now (about 0.3 s of CPU, once per process), so the first request
 * that maps a country does not pay for it; the gateway calls it while starting.
 */
export function warmCountryNames(): void {
  nameIndex();
  commonNames();
}

/** The locales `$countryCode` reads names in and `$countryName` can name in. */
export function countryLocales(): readonly string[] {
  return ensureLocales();
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
 * ISO 3166-1 alpha-2 code for a country name in any CLDR locale the package ships (any case, accents optional),
 * alpha-2 or alpha-3 code; undefined when unknown, ambiguous (a name two countries share in some locale, e.g.
 * "Congo") or not a string. See {@link countryNameProblem} for why a name was refused.
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
  return nameIndex().codes.get(normalizeName(text)) ?? undefined;
}

/**
 * Why {@link mapCountryCode} gives nothing for a text: `"Congo" names more than one country (CD, CG); send its ISO
 * 3166-1 code` or `unknown country: "Atlantis"`; undefined when it maps. Mappings call it as `$countryProblem(x)` for
 * the reason of their `$reject`, so a partner is told which countries an ambiguous name could mean. Only the refusal
 * path pays for it (one more index lookup).
 */
export function countryNameProblem(value: unknown): string | undefined {
  if (mapCountryCode(value) !== undefined) return undefined;
  if (typeof value !== 'string') return 'a country must be a name or an ISO 3166-1 code';
  const candidates = nameIndex().ambiguous.get(normalizeName(value.trim()));
  return candidates
    ? `${JSON.stringify(value.trim())} names more than one country (${candidates.join(', ')}); send its ISO 3166-1 code`
    : `unknown country: ${JSON.stringify(value.trim())}`;
}

interface NameIndex {
  /** normalized name -> alpha-2, or null when the name is ambiguous */
  codes: ReadonlyMap<string, string | null>;
  /** normalized ambiguous name -> the codes it names (sorted) */
  ambiguous: ReadonlyMap<string, readonly string[]>;
}
let nameIndexCache: NameIndex | undefined;

/*
 * One map instead of the package's getAlpha2Code, which scans every country per call, over every locale's names.
 * A name that two countries share (in one locale or across locales) maps to null, with its candidates recorded:
 * guessing would put an address in the wrong country. Informal English names fill gaps only.
 */
function nameIndex(): NameIndex {
  if (nameIndexCache) return nameIndexCache;
  const codes = new Map<string, string | null>();
  const candidates = new Map<string, Set<string>>();
  for (const lang of ensureLocales()) {
    for (const [alpha2, names] of Object.entries(countries.getNames(lang, { select: 'all' }))) {
      for (const name of names) {
        const key = normalizeName(name);
        const known = codes.get(key);
        if (known === undefined) codes.set(key, alpha2);
        else if (known !== alpha2) {
          codes.set(key, null);
          let set = candidates.get(key);
          if (!set) candidates.set(key, (set = new Set(known === null ? [] : [known])));
          set.add(alpha2);
        }
      }
    }
  }
  for (const [name, alpha2] of INFORMAL_NAMES) {
    if (!codes.has(normalizeName(name))) codes.set(normalizeName(name), alpha2);
  }
  nameIndexCache = { codes, ambiguous: new Map([...candidates].map(([k, set]) => [k, [...set].sort()])) };
  return nameIndexCache;
}

/*
 * Case-insensitive, and accents optional on Latin letters ("Osterreich" = "Österreich"); marks of other scripts
 * are kept, since there they are vowels (Devanagari "टोगो" and "टोंगा" are Togo and Tonga).
 */
function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/\s+/g, ' ');
}

/**
 * English short name as the legacy BSS spells it ("Germany", "United Kingdom", "United States",
 * "China") for an alpha-2/alpha-3 code or any name {@link mapCountryCode} understands; with a `locale`
 * (ISO 639-1, e.g. `fr`, `de`; `fr-CH` reads as `fr`), the CLDR name in that language ("Autriche").
 * Undefined for an unknown country or a locale the package does not ship.
 */
export function mapCountryName(value: unknown, locale?: unknown): string | undefined {
  const alpha2 = mapCountryCode(value);
  if (alpha2 === undefined) return undefined;
  if (locale === undefined || locale === null || locale === '' || (typeof locale === 'string' && locale.toLowerCase() === 'en'))
    return commonNames().get(alpha2);
  if (typeof locale !== 'string') return undefined;
  // in another locale: the package's (CLDR's) name there; undefined for a locale it does not ship
  const lang = locale.trim().toLowerCase().split(/[-_]/)[0]!;
  return ensureLocales().includes(lang) ? countries.getName(alpha2, lang) : undefined;
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
  { name: 'countryName', implementation: mapCountryName, signature: '<j-j?:s>' },
  { name: 'countryAlpha3', implementation: mapCountryAlpha3, signature: '<j-:s>' },
  { name: 'countryProblem', implementation: countryNameProblem, signature: '<j-:s>' },
];
