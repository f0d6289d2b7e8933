/**
 * Countries the legacy BSS serves, by the full English name it stores, with the ISO 3166-1
 * alpha-2 code it embeds in address keys (`NC-DE-000123`). The legacy system never accepts the
 * code itself as a country.
 */
export const LEGACY_COUNTRIES: ReadonlyMap<string, string> = new Map([
  ['Germany', 'DE'],
  ['United Kingdom', 'GB'],
  ['France', 'FR'],
  ['Netherlands', 'NL'],
  ['Switzerland', 'CH'],
  ['United States', 'US'],
]);

const COUNTRY_BY_FOLDED_NAME: ReadonlyMap<string, string> = new Map([...LEGACY_COUNTRIES.keys()].map((name) => [name.toLowerCase(), name]));

/** Returns the canonical legacy country name for `name` (case-insensitive), or `undefined`. */
export function findLegacyCountry(name: string): string | undefined {
  return COUNTRY_BY_FOLDED_NAME.get(name.trim().toLowerCase());
}

/** True when the value looks like an ISO country code (`DE`, `deu`, `UK`) rather than a name. */
export function isCountryCodeLike(value: string): boolean {
  return /^[A-Za-z]{2,3}$/.test(value.trim());
}
