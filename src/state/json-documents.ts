/**
 * JSON helpers written once on top of the string primitives, so both adapters encode documents the same
 * way and `updateJson` is exactly as atomic as the adapter's `compareAndSet`.
 */
import { StoreConflictError, type SetOptions, type Store } from './store.js';

type JsonDocuments = Pick<Store, 'getJson' | 'setJson' | 'updateJson'>;
type StringPrimitives = Pick<Store, 'get' | 'set' | 'compareAndSet'>;

/** Options for {@link createJsonDocuments}. */
export interface JsonDocumentsOptions {
  /**
   * How many read-compare-write rounds `updateJson` tries before giving up. Each losing round means another
   * writer succeeded, so N concurrent writers on one key all finish within N rounds.
   */
  maxAttempts?: number;
}

const DEFAULT_MAX_ATTEMPTS = 100;

function encode(key: string, value: unknown): string {
  const text = JSON.stringify(value);
  // JSON.stringify(undefined) and friends yield undefined; storing "undefined" would poison later reads.
  if (text === undefined) throw new TypeError(`value for key "${key}" is not JSON-serialisable`);
  return text;
}

function decode<T>(key: string, text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new SyntaxError(`value of key "${key}" is not valid JSON`, { cause: err });
  }
}

/** Builds getJson/setJson/updateJson over an adapter's get/set/compareAndSet. */
export function createJsonDocuments(store: StringPrimitives, opts: JsonDocumentsOptions = {}): JsonDocuments {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  return {
    async getJson<T>(key: string): Promise<T | null> {
      return decode<T>(key, await store.get(key));
    },

    async setJson(key: string, value: unknown, setOpts?: SetOptions): Promise<boolean> {
      return store.set(key, encode(key, value), setOpts);
    },

    async updateJson<T>(key: string, fn: (current: T | null) => T | undefined, updateOpts?: { ttlMs?: number }): Promise<T | null> {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const currentText = await store.get(key);
        const next = fn(decode<T>(key, currentText));
        if (next === undefined) return decode<T>(key, currentText);
        const nextText = encode(key, next);
        if (await store.compareAndSet(key, currentText, nextText, updateOpts)) {
          // Return what a later getJson will see (dates become strings, undefined fields vanish).
          return decode<T>(key, nextText);
        }
      }
      throw new StoreConflictError(key, maxAttempts);
    },
  };
}
