/**
 * In-process adapter: the default when no REDIS_URL is configured, so the gateway runs on a bare laptop.
 * It mirrors the Redis adapter's semantics (string values, TTLs, empty collections vanish, type clashes
 * reject) so code tested against it behaves the same in production. State dies with the process and is
 * not shared between gateway instances.
 */
import { createJsonDocuments } from './json-documents.js';
import { StoreUnavailableError, type IndexRangeOptions, type SetOptions, type Store } from './store.js';
import { validateIndexRange, validateListIndex, validateScore, validateTtlMs } from './validate-arguments.js';

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Key namespace; kept for parity with Redis (instances never share data anyway). Default `sgw:`. */
  prefix?: string;
  /** Clock in epoch milliseconds used for TTLs; tests inject one to expire keys without waiting. */
  now?: () => number;
}

interface StringEntry {
  type: 'string';
  value: string;
  /** epoch ms, undefined = no TTL */
  expiresAt: number | undefined;
}

interface IndexMember {
  member: string;
  score: number;
}

interface IndexEntry {
  type: 'index';
  /** ordered by (score, member), the order Redis uses */
  sorted: IndexMember[];
  scores: Map<string, number>;
}

interface ListEntry {
  type: 'list';
  items: string[];
}

type Entry = StringEntry | IndexEntry | ListEntry;

// Expired keys are dropped on read anyway; the sweep only bounds memory held by keys nobody reads again.
const SWEEP_INTERVAL_MS = 30_000;

/** Redis orders equal scores by member bytes; UTF-8 byte order is code point order, not UTF-16 unit order. */
function compareMembers(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const diff = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

function compareIndexMembers(a: IndexMember, b: IndexMember): number {
  return a.score !== b.score ? (a.score < b.score ? -1 : 1) : compareMembers(a.member, b.member);
}

/** First position whose element is not ordered before `probe`. */
function lowerBound(sorted: IndexMember[], probe: (m: IndexMember) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (probe(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function wrongType(key: string): Error {
  return new Error(`WRONGTYPE key "${key}" holds a different kind of value`);
}

/** Live entry for a full key, dropping it first if it has expired by `t`. */
function liveEntry(entries: Map<string, Entry>, fullKey: string, t: number): Entry | undefined {
  const e = entries.get(fullKey);
  if (e && e.type === 'string' && e.expiresAt !== undefined && e.expiresAt <= t) {
    entries.delete(fullKey);
    return undefined;
  }
  return e;
}

/** Drops expired strings every {@link SWEEP_INTERVAL_MS} on an unref'd timer. */
function startSweep(entries: Map<string, Entry>, now: () => number): NodeJS.Timeout {
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, e] of entries) {
      if (e.type === 'string' && e.expiresAt !== undefined && e.expiresAt <= t) entries.delete(k);
    }
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  return sweep;
}

/** The value of an INCR: the stored integer plus one, or the Redis error for a value that is not a safe integer. */
function incremented(key: string, value: string): number {
  const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(n + 1)) {
    throw new Error(`ERR value of key "${key}" is not an integer or out of range`);
  }
  return n + 1;
}

/** Puts a member (not in the index) at its place in score order. */
function insertMember(index: IndexEntry, entry: { member: string; score: number }): void {
  index.sorted.splice(
    lowerBound(index.sorted, (m) => compareIndexMembers(m, entry) < 0),
    0,
    entry,
  );
  index.scores.set(entry.member, entry.score);
}

/** Takes a member (with its current score) out of the index. */
function removeMember(index: IndexEntry, entry: { member: string; score: number }): void {
  index.sorted.splice(
    lowerBound(index.sorted, (m) => compareIndexMembers(m, entry) < 0),
    1,
  );
  index.scores.delete(entry.member);
}

/** The [from, to) positions of the members scored within [minScore, maxScore]. */
function scoreBounds(index: IndexEntry, minScore: number, maxScore: number): [number, number] {
  const from = lowerBound(index.sorted, (m) => m.score < minScore);
  const to = lowerBound(index.sorted, (m) => m.score <= maxScore);
  return [from, Math.max(from, to)];
}

/** LRANGE semantics: negative indexes count from the tail, out-of-range ends are clamped. */
function listSlice(items: readonly string[], start: number, stop: number): string[] {
  const n = items.length;
  const from = Math.max(0, start < 0 ? n + start : start);
  const to = Math.min(n - 1, stop < 0 ? n + stop : stop);
  return from > to ? [] : items.slice(from, to + 1);
}

/**
 * Creates the in-process store. TTLs are honoured by lazy expiry on read plus a periodic sweep on an
 * unref'd timer (it never keeps the process alive); `close()` stops the sweep and drops the data.
 */
export function createMemoryStore(opts: MemoryStoreOptions = {}): Store {
  const prefix = opts.prefix ?? 'sgw:';
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let closed = false;

  const sweep = startSweep(entries, now);

  function open(): void {
    if (closed) throw new StoreUnavailableError('memory store is closed');
  }

  const lookup = (fullKey: string): Entry | undefined => liveEntry(entries, fullKey, now());

  function lookupString(key: string): StringEntry | undefined {
    const e = lookup(prefix + key);
    if (e && e.type !== 'string') throw wrongType(key);
    return e;
  }

  function lookupIndex(key: string): IndexEntry | undefined {
    const e = lookup(prefix + key);
    if (e && e.type !== 'index') throw wrongType(key);
    return e;
  }

  function lookupList(key: string): ListEntry | undefined {
    const e = lookup(prefix + key);
    if (e && e.type !== 'list') throw wrongType(key);
    return e;
  }

  function expiryFor(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : now() + ttlMs;
  }

  // Every operation body is synchronous, which is what makes compareAndSet and incr atomic in-process.
  // Wrapping in async turns thrown errors into rejections, matching the Redis adapter.
  const primitives = {
    async get(key: string): Promise<string | null> {
      open();
      return lookupString(key)?.value ?? null;
    },

    async set(key: string, value: string, setOpts: SetOptions = {}): Promise<boolean> {
      open();
      const ttlMs = validateTtlMs(setOpts.ttlMs);
      // Like Redis SET, a plain set replaces a key of any kind; only ifAbsent looks at what is there.
      const existing = lookup(prefix + key);
      if (setOpts.ifAbsent && existing) return false;
      entries.set(prefix + key, { type: 'string', value, expiresAt: expiryFor(ttlMs) });
      return true;
    },

    async compareAndSet(key: string, expected: string | null, next: string, casOpts: { ttlMs?: number } = {}): Promise<boolean> {
      open();
      const ttlMs = validateTtlMs(casOpts.ttlMs);
      const current = lookupString(key);
      if ((current?.value ?? null) !== expected) return false;
      const expiresAt = ttlMs === undefined ? current?.expiresAt : expiryFor(ttlMs);
      entries.set(prefix + key, { type: 'string', value: next, expiresAt });
      return true;
    },
  };

  const store: Store = {
    kind: 'memory',
    ...primitives,
    ...createJsonDocuments(primitives),

    async del(key: string): Promise<boolean> {
      open();
      const existed = lookup(prefix + key) !== undefined;
      entries.delete(prefix + key);
      return existed;
    },

    async incr(key: string, incrOpts: { ttlMs?: number } = {}): Promise<number> {
      open();
      const ttlMs = validateTtlMs(incrOpts.ttlMs);
      const current = lookupString(key);
      if (!current) {
        entries.set(prefix + key, { type: 'string', value: '1', expiresAt: expiryFor(ttlMs) });
        return 1;
      }
      const n = incremented(key, current.value);
      current.value = String(n);
      return n;
    },

    async indexAdd(key: string, member: string, score: number): Promise<void> {
      open();
      validateScore(score);
      let index = lookupIndex(key);
      if (!index) {
        index = { type: 'index', sorted: [], scores: new Map() };
        entries.set(prefix + key, index);
      }
      const old = index.scores.get(member);
      if (old !== undefined) removeMember(index, { member, score: old });
      insertMember(index, { member, score });
    },

    async indexRemove(key: string, member: string): Promise<void> {
      open();
      const index = lookupIndex(key);
      const score = index?.scores.get(member);
      if (!index || score === undefined) return;
      removeMember(index, { member, score });
      if (index.scores.size === 0) entries.delete(prefix + key);
    },

    async indexRange(key: string, rangeOpts?: IndexRangeOptions): Promise<string[]> {
      open();
      const { offset, limit, reverse, minScore, maxScore } = validateIndexRange(rangeOpts);
      const index = lookupIndex(key);
      if (!index || limit === 0) return [];
      const inRange = index.sorted.slice(...scoreBounds(index, minScore, maxScore));
      if (reverse) inRange.reverse();
      const end = limit === undefined ? undefined : offset + limit;
      return inRange.slice(offset, end).map((m) => m.member);
    },

    async indexCount(key: string, countOpts?: { minScore?: number; maxScore?: number }): Promise<number> {
      open();
      const { minScore, maxScore } = validateIndexRange(countOpts);
      const index = lookupIndex(key);
      if (!index) return 0;
      const [from, to] = scoreBounds(index, minScore, maxScore);
      return Math.max(0, to - from);
    },

    async listPush(key: string, value: string): Promise<number> {
      open();
      let list = lookupList(key);
      if (!list) {
        list = { type: 'list', items: [] };
        entries.set(prefix + key, list);
      }
      return list.items.push(value);
    },

    async listRange(key: string, start: number, stop: number): Promise<string[]> {
      open();
      validateListIndex(start, 'start');
      validateListIndex(stop, 'stop');
      return listSlice(lookupList(key)?.items ?? [], start, stop);
    },

    async listRemove(key: string, value: string): Promise<number> {
      open();
      const list = lookupList(key);
      if (!list) return 0;
      const kept = list.items.filter((item) => item !== value);
      const removed = list.items.length - kept.length;
      if (kept.length === 0) entries.delete(prefix + key);
      else list.items = kept;
      return removed;
    },

    async ping(): Promise<void> {
      open();
    },

    async close(): Promise<void> {
      closed = true;
      clearInterval(sweep);
      entries.clear();
    },
  };
  return store;
}
