/** Lookup tables for `$lookup(table, key, default?)`: table name -> key -> value. */
export type LookupTables = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

/**
 * Build immutable lookup tables from plain objects (as parsed from a partner's YAML/JSON tables).
 * Maps rather than objects so a key like `__proto__` or `constructor` is just data.
 */
export function createLookupTables(tables: Record<string, Record<string, unknown>>): LookupTables {
  const result = new Map<string, ReadonlyMap<string, unknown>>();
  for (const [name, entries] of Object.entries(tables)) {
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      throw new TypeError(`lookup table "${name}" must be an object of key -> value`);
    }
    result.set(name, new Map(Object.entries(entries)));
  }
  return result;
}
