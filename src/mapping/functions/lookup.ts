import { EvaluationFault, readEvaluationContext, type JsonataFocus } from '../evaluation-context.js';
import type { MappingFunction } from './mapping-function.js';

/**
 * `$lookup(table, key, default?)`: the value for `key` in the named table passed to evaluate(),
 * else `default`. Numbers and booleans are looked up by their text, as YAML keys are strings.
 * An unknown table is a mapping bug, so it fails the evaluation and names the table.
 */
function lookup(this: JsonataFocus, table: unknown, key: unknown, fallback?: unknown): unknown {
  if (typeof table !== 'string') {
    throw new EvaluationFault('evaluate', '$lookup: the table name must be a string');
  }
  const tables = readEvaluationContext(this)?.lookups;
  const entries = tables?.get(table);
  if (entries === undefined) {
    const known = tables === undefined || tables.size === 0 ? 'none' : [...tables.keys()].join(', ');
    throw new EvaluationFault('evaluate', `$lookup: unknown lookup table "${table}" (available: ${known})`);
  }
  if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return fallback;
  const value = entries.get(String(key));
  return value === undefined ? fallback : value;
}

export const lookupFunctions: readonly MappingFunction[] = [{ name: 'lookup', implementation: lookup, signature: '<sj-j?:j>' }];
