import type { JsonataFocus } from '../evaluation-context.js';
import { countryFunctions } from './country.js';
import { currencyFunctions } from './currency.js';
import { dateFunctions } from './date.js';
import { identifierFunctions } from './identifier.js';
import { lookupFunctions } from './lookup.js';
import { phoneFunctions } from './phone.js';
import { rejectFunctions } from './reject.js';

/** A function registered on every compiled mapping as `$name`. */
export interface MappingFunction {
  name: string;
  implementation: (this: JsonataFocus, ...args: never[]) => unknown;
  /** JSONata signature, e.g. `<s?:s>`; validated by JSONata before the call. */
  signature?: string;
}

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
