/**
 * What a registry load can reuse from the previous one: parsed YAML documents, compiled mappings and JSON schemas,
 * parsed fixtures, each keyed by its file and its exact text. A reload after a one-file edit then parses and compiles
 * that file only; everything else comes from here. Entries that a load did not use are dropped when it ends, so the
 * cache holds one snapshot's worth.
 *
 * Only immutable results are kept: a YAML entry is the parsed document, from which every load still builds fresh data
 * (validation applies defaults to it); a compiled mapping or schema is a function of its text.
 */
export interface LoadCache {
  /**
   * The value made from `text` for `key` in a `kind` of entries: the one made last time when the text is the same,
   * else `make()` (which may throw: nothing is kept then). `dispose` runs when the entry is dropped.
   */
  memo<T>(kind: string, key: string, text: string, make: () => T, dispose?: (value: T) => void): T;
  /** A value made once for the cache's life (e.g. the compiled config schemas). */
  once<T>(key: string, make: () => T): T;
  /** Ends a load: drops the entries it did not use. */
  sweep(): void;
  /** entries held and reuses since creation (tests, logs) */
  stats(): { entries: number; hits: number; misses: number };
}

interface Entry {
  text: string;
  value: unknown;
  used: boolean;
  dispose?: (value: unknown) => void;
}

/** A cache for one gateway's loads (src/gateway.ts gives the same one to every reload). */
export function createLoadCache(): LoadCache {
  const entries = new Map<string, Entry>();
  const singletons = new Map<string, unknown>();
  let hits = 0;
  let misses = 0;
  return {
    memo<T>(kind: string, key: string, text: string, make: () => T, dispose?: (value: T) => void): T {
      const id = `${kind}\u0000${key}`;
      const found = entries.get(id);
      if (found && found.text === text) {
        found.used = true;
        hits++;
        return found.value as T;
      }
      misses++;
      const value = make();
      if (found) found.dispose?.(found.value);
      entries.set(id, { text, value, used: true, dispose: dispose as ((value: unknown) => void) | undefined });
      return value;
    },
    once<T>(key: string, make: () => T): T {
      if (!singletons.has(key)) singletons.set(key, make());
      return singletons.get(key) as T;
    },
    sweep() {
      for (const [id, entry] of entries) {
        if (entry.used) {
          entry.used = false;
          continue;
        }
        entry.dispose?.(entry.value);
        entries.delete(id);
      }
    },
    stats: () => ({ entries: entries.size, hits, misses }),
  };
}
