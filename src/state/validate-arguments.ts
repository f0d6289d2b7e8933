/**
 * Argument checks shared by both adapters, so a bad TTL or range fails the same way in development
 * (memory) as in production (Redis) instead of being silently reinterpreted by one backend.
 */
import type { IndexRangeOptions } from './store.js';

/** Returns the TTL as whole milliseconds (rounded up, so a key never outlives less than asked). */
export function validateTtlMs(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive finite number of milliseconds, got ${String(ttlMs)}`);
  }
  return Math.ceil(ttlMs);
}

/** Scores may be any number but NaN (Redis rejects NaN; infinities are valid bounds and scores). */
export function validateScore(score: number, what = 'score'): number {
  if (typeof score !== 'number' || Number.isNaN(score)) {
    throw new RangeError(`${what} must be a number, got ${String(score)}`);
  }
  return score;
}

export interface ValidatedRange {
  offset: number;
  /** undefined = no limit */
  limit: number | undefined;
  reverse: boolean;
  minScore: number;
  maxScore: number;
}

/** Fills defaults (whole index, ascending) and rejects negative or fractional offsets and limits. */
export function validateIndexRange(opts: IndexRangeOptions = {}): ValidatedRange {
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be an integer >= 0, got ${String(offset)}`);
  const limit = opts.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be an integer >= 0, got ${String(limit)}`);
  }
  return {
    offset,
    limit,
    reverse: opts.reverse ?? false,
    minScore: validateScore(opts.minScore ?? Number.NEGATIVE_INFINITY, 'minScore'),
    maxScore: validateScore(opts.maxScore ?? Number.POSITIVE_INFINITY, 'maxScore'),
  };
}

/** List indexes are integers; negative ones count from the tail. */
export function validateListIndex(index: number, what: string): number {
  if (!Number.isInteger(index)) throw new RangeError(`${what} must be an integer, got ${String(index)}`);
  return index;
}
