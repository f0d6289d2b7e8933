import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { MappingFunction } from './mapping-function.js';
import { mapCountryCode } from './country.js';

/**
 * E.164 form (`+49301234567`) of a phone number, or undefined when it is not a valid number.
 * National numbers need `defaultCountry` (alpha-2, alpha-3 or a country name); numbers written with
 * `+` or an international prefix do not. Numbers as JSON numbers are accepted (partners send both).
 */
export function mapE164(phone: unknown, defaultCountry?: unknown): string | undefined {
  const text = typeof phone === 'number' && Number.isSafeInteger(phone) ? String(phone) : phone;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  // An unknown default country only matters for national numbers, which then fail validation.
  const country = mapCountryCode(defaultCountry) as CountryCode | undefined;
  // parsing and validating against the metadata costs tens of µs; the same numbers come back request after request
  const key = `${country ?? ''}|${text}`;
  const known = e164Cache.get(key);
  if (known !== undefined) return known === NOT_A_NUMBER ? undefined : known;
  let result: string | undefined;
  try {
    const parsed = parsePhoneNumberFromString(text, country);
    result = parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
  } catch {
    // The library throws for a country it has no metadata for (e.g. AQ).
    result = undefined;
  }
  if (e164Cache.size >= E164_CACHE_SIZE) e164Cache.clear();
  e164Cache.set(key, result ?? NOT_A_NUMBER);
  return result;
}

/** Results of {@link mapE164} by country and text (a pure function of both); bounded, cleared when full. */
const e164Cache = new Map<string, string>();
const E164_CACHE_SIZE = 10_000;
const NOT_A_NUMBER = '';

export const phoneFunctions: readonly MappingFunction[] = [{ name: 'e164', implementation: mapE164, signature: '<j-j?:s>' }];
