import { countryFunctions, mapCountryName } from './country.js';
import { currencyFunctions, mapToMinorUnits } from './currency.js';
import { dateFunctions, mapFromIsoUtc, mapToIsoUtc } from './date.js';
import { identifierFunctions } from './identifier.js';
import { lookupFunctions } from './lookup.js';
import { mapE164, phoneFunctions } from './phone.js';
import { rejectFunctions } from './reject.js';

export type { MappingFunction } from './mapping-function.js';
import type { MappingFunction } from './mapping-function.js';

/** Every built-in, in one list so the engine registers them all and docs can enumerate them. */
export const builtinFunctions: readonly MappingFunction[] = Object.freeze([
  ...countryFunctions,
  ...currencyFunctions,
  ...dateFunctions,
  ...phoneFunctions,
  ...lookupFunctions,
  ...rejectFunctions,
  ...identifierFunctions,
]);

let prepared = false;

/**
 * Build the built-ins' lazy tables and caches (country names, time zone data, phone metadata) now.
 * Their first use costs tens of milliseconds, which would otherwise be charged to the deadline of
 * the first request that happens to need them.
 */
export function prepareBuiltinFunctions(): void {
  if (prepared) return;
  prepared = true;
  mapCountryName('DE');
  mapFromIsoUtc(mapToIsoUtc('25.11.2026 14:03'), 'dd.MM.yyyy HH:mm');
  mapE164('030 1234567', 'DE');
  mapToMinorUnits(1, 'EUR');
}
