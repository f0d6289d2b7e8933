import currencyCodes from 'currency-codes';
import type { MappingFunction } from './mapping-function.js';

/** Upper-cased ISO 4217 code when `value` is one (any case, surrounding blanks ignored), else undefined. */
export function mapCurrency(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  return currencyCodes.code(code)?.code;
}

/**
 * Major units (e.g. euros) from minor units (cents) using the currency's ISO 4217 digits
 * (JPY 0, EUR 2, BHD 3). Numeric strings are accepted because the legacy BSS sends amounts as text.
 */
export function mapFromMinorUnits(amount: unknown, currency: unknown): number | undefined {
  const value = toNumber(amount);
  const digits = currencyDigits(currency);
  if (value === undefined || digits === undefined) return undefined;
  return shiftDecimal(value, -digits);
}

/** Integer minor units from major units, rounded half away from zero to the currency's digits. */
export function mapToMinorUnits(amount: unknown, currency: unknown): number | undefined {
  const value = toNumber(amount);
  const digits = currencyDigits(currency);
  if (value === undefined || digits === undefined) return undefined;
  const shifted = shiftDecimal(Math.abs(value), digits);
  const rounded = Math.sign(value) * Math.round(shifted);
  return Object.is(rounded, -0) ? 0 : rounded;
}

function currencyDigits(currency: unknown): number | undefined {
  const code = mapCurrency(currency);
  return code === undefined ? undefined : currencyCodes.code(code)?.digits;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/.test(value)) return Number(value);
  return undefined;
}

/*
 * Multiply by 10^digits through the decimal exponent instead of floating-point multiplication:
 * 1.005 * 100 is 100.49999999999999, but Number("1.005e2") is exactly 100.5.
 */
function shiftDecimal(value: number, digits: number): number {
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + digits}`);
}

export const currencyFunctions: readonly MappingFunction[] = [
  { name: 'currency', implementation: mapCurrency, signature: '<j-:s>' },
  { name: 'fromMinorUnits', implementation: mapFromMinorUnits, signature: '<jj:n>' },
  { name: 'toMinorUnits', implementation: mapToMinorUnits, signature: '<jj:n>' },
];
