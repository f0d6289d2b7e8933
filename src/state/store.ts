/**
 * The state store port: everything the gateway keeps between requests (Sonata resource documents, ids,
 * per-partner listing indexes, idempotency keys, rate-limit counters, token cache, notification outbox)
 * goes through this interface, so the in-process and Redis adapters are interchangeable.
 */

/**
 * The backend did not answer (down, unreachable, timed out, closed). Callers map it to a 503 / retry;
 * it is never used for programming errors such as a type clash on a key, which surface as plain errors.
 */
export class StoreUnavailableError extends Error {
  /** The driver error that made the store unavailable, when there was one. */
  declare readonly cause?: unknown;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * `updateJson` gave up because other writers kept changing the document between its read and its write.
 * Retrying later is safe; the document was not modified by this call.
 */
export class StoreConflictError extends Error {
  /** The un-prefixed key that stayed contended. */
  readonly key: string;

  constructor(key: string, attempts: number) {
    super(`updateJson gave up on key "${key}" after ${attempts} attempts: it kept changing concurrently`);
    this.name = 'StoreConflictError';
    this.key = key;
  }
}

export interface SetOptions {
  /** Time to live in milliseconds (> 0). Without it the key does not expire, even if it had a TTL before. */
  ttlMs?: number;
  /** Only write when the key does not exist; `set` then returns false when it did. */
  ifAbsent?: boolean;
}

export interface IndexRangeOptions {
  /** Members to skip after filtering and ordering (default 0). */
  offset?: number;
  /** Maximum number of members to return (default: all). */
  limit?: number;
  /** Highest score first (ties: member order reversed too), instead of lowest score first. */
  reverse?: boolean;
  /** Inclusive lower score bound. */
  minScore?: number;
  /** Inclusive upper score bound. */
  maxScore?: number;
}

/**
 * All keys are namespaced by the store's prefix. Values are strings; JSON helpers encode.
 *
 * Semantics follow Redis so both adapters behave alike: an index or list that becomes empty disappears,
 * using a key as the wrong kind (e.g. `get` on a list) rejects with a plain error, and every failure to
 * reach the backend rejects with {@link StoreUnavailableError}.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** returns false when ifAbsent and the key exists */
  set(key: string, value: string, opts?: SetOptions): Promise<boolean>;
  del(key: string): Promise<boolean>;
  /**
   * atomic: replaces the value only if the current value equals `expected` (null = absent).
   * Without `ttlMs` the key keeps its remaining TTL (if any), so updating a document does not make it immortal.
   */
  compareAndSet(key: string, expected: string | null, next: string, opts?: { ttlMs?: number }): Promise<boolean>;
  /** ttl applied when the key is created; increments keep the remaining TTL */
  incr(key: string, opts?: { ttlMs?: number }): Promise<number>;
  getJson<T>(key: string): Promise<T | null>;
  setJson(key: string, value: unknown, opts?: SetOptions): Promise<boolean>;
  /** optimistic read-modify-write on a JSON document: fn gets current (null if absent) and returns next
   *  (or undefined to leave it); retried on concurrent change up to a bound; returns the stored value.
   *  `fn` may run several times, so it must not have side effects. Gives up with {@link StoreConflictError}.
   *  TTL handling is that of `compareAndSet`. */
  updateJson<T>(key: string, fn: (current: T | null) => T | undefined, opts?: { ttlMs?: number }): Promise<T | null>;
  /** sorted index (sorted set): member with numeric score, e.g. per-partner list of order ids by date */
  indexAdd(key: string, member: string, score: number): Promise<void>;
  indexRemove(key: string, member: string): Promise<void>;
  indexRange(key: string, opts?: IndexRangeOptions): Promise<string[]>;
  indexCount(key: string, opts?: { minScore?: number; maxScore?: number }): Promise<number>;
  /** FIFO list (simple queues, dead-letter lists); push appends at the tail and returns the new length */
  listPush(key: string, value: string): Promise<number>;
  /** inclusive indexes, negative ones count from the tail (-1 = last), like Redis LRANGE */
  listRange(key: string, start: number, stop: number): Promise<string[]>;
  /** removes every occurrence of `value`; returns how many were removed */
  listRemove(key: string, value: string): Promise<number>;
  /** resolves when the backend answers; throws StoreUnavailableError otherwise */
  ping(): Promise<void>;
  /** releases the backend; later calls reject with StoreUnavailableError. Safe to call twice. */
  close(): Promise<void>;
}

/** The logging surface the adapters use (the gateway's winston logger satisfies it). */
export interface StoreLogger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}
