/**
 * Redis adapter (ioredis 6), used when several gateway instances share state.
 *
 * ioredis' defaults queue commands while Redis is down and retry them without bound, which turns an
 * outage into hanging HTTP requests. This adapter instead fails fast: commands are only sent on a ready
 * connection, every command has a timeout, and anything that keeps Redis from answering surfaces as
 * {@link StoreUnavailableError} while the client reconnects in the background with capped backoff.
 */
import { Redis, type RedisStatus, type Result } from 'ioredis';
import { createJsonDocuments } from './json-documents.js';
import { StoreUnavailableError, type IndexRangeOptions, type SetOptions, type Store, type StoreLogger } from './store.js';
import { validateIndexRange, validateListIndex, validateScore, validateTtlMs } from './validate-arguments.js';

/** Options for {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Never logged (it may hold a password). */
  url: string;
  /** Key namespace, so several gateways or test runs can share one Redis. Default `sgw:`. */
  prefix?: string;
  /** How long a command may wait for its reply before failing with StoreUnavailableError. Default 500 ms. */
  commandTimeoutMs?: number;
  /** How long opening the TCP connection may take before it counts as failed. Default 500 ms. */
  connectTimeoutMs?: number;
  /** Receives connection loss / recovery events (one line per transition, not per retry). */
  logger?: StoreLogger;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 500;
const DEFAULT_CONNECT_TIMEOUT_MS = 500;
/** Reconnect backoff: 50 ms doubling, capped so recovery is noticed within ~2 s of Redis coming back. */
const RECONNECT_BASE_MS = 50;
const RECONNECT_CAP_MS = 2_000;

/**
 * Server replies that mean "not able to serve right now" rather than "your command is wrong".
 * Other reply errors (WRONGTYPE, syntax) are programming errors and pass through unchanged.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MISCONF|OOM)\b/;

// KEEPTTL needs Redis >= 6.0; it keeps a document's expiry when it is updated without a new TTL.
const COMPARE_AND_SET_LUA = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
end
return 1
`;

const INCR_LUA = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCR', KEYS[1])
if existed == 0 and ARGV[1] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return value
`;

// the Lua scripts defined on every client (defineCommand), typed the way ioredis documents custom commands
declare module 'ioredis' {
  interface RedisCommander<Context> {
    sgwCompareAndSet(key: string, expectAbsent: '0' | '1', expected: string, next: string, ttlMs: string): Result<number, Context>;
    sgwIncr(key: string, ttlMs: string): Result<number, Context>;
  }
}

function formatScore(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return '+inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return String(score);
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Maps a driver error to the port's error: outages become StoreUnavailableError, misuse stays as is. */
function toStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  if (err instanceof Error && err.name === 'ReplyError' && !TRANSIENT_REPLY.test(err.message)) return err;
  return new StoreUnavailableError(`Redis store unavailable: ${describeError(err)}`, { cause: err });
}

/** The client's connection, seen from the store: commands run only when it is ready, failures become store errors. */
interface Connection {
  /** set by close(): every later command fails with StoreUnavailableError */
  closed: boolean;
  run<T>(command: () => Promise<T>): Promise<T>;
}

/**
 * Watches the client's connection (logging when it fails and comes back) and runs commands through it: connects on
 * first use, waits (bounded) for an attempt under way, fails at once while Redis is known to be down.
 */
function watchConnection(
  client: Redis,
  opts: { connectTimeoutMs: number; commandTimeoutMs: number; logger?: RedisStoreOptions['logger'] },
): Connection {
  const { connectTimeoutMs, commandTimeoutMs, logger } = opts;
  const connection: Connection = { closed: false, run };
  let healthy = true;
  /** Last connection error, so "connection is reconnecting" failures can say why. */
  let lastError: unknown;
  // Without an 'error' listener ioredis prints every failed reconnect attempt to stderr.
  client.on('error', (err: unknown) => {
    lastError = err;
    if (healthy && !connection.closed)
      logger?.warn('state store: Redis connection failed, retrying in background', { error: describeError(err) });
    healthy = false;
  });
  client.on('ready', () => {
    if (!healthy) logger?.info('state store: Redis connection restored');
    healthy = true;
  });

  /** One shared wait per connection attempt, so a burst of requests adds one set of listeners, not one each. */
  let pendingReady: Promise<void> | undefined;

  /**
   * Resolves on the next 'ready'; rejects if the attempt closes first or takes longer than the connect
   * timeout plus one command timeout (the handshake, HELLO and the ready check, runs commands too).
   */
  function awaitConnection(): Promise<void> {
    pendingReady ??= new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('close', onClose);
        client.off('end', onClose);
        pendingReady = undefined;
        if (err === undefined) resolve();
        else reject(err);
      };
      const onReady = (): void => done();
      const onClose = (): void =>
        done(
          new Error(`connection closed while connecting${lastError === undefined ? '' : ` (${describeError(lastError)})`}`, {
            cause: lastError,
          }),
        );
      const timer = setTimeout(() => {
        // A server that accepts but never answers would otherwise keep every request waiting here;
        // dropping the attempt puts the client in 'reconnecting', where requests fail at once.
        if (client.status === 'connecting' || client.status === 'connect') client.disconnect(true);
        done(new Error(`not connected after ${connectTimeoutMs + commandTimeoutMs} ms`));
      }, connectTimeoutMs + commandTimeoutMs);
      client.once('ready', onReady);
      client.once('close', onClose);
      client.once('end', onClose);
    });
    return pendingReady;
  }

  /**
   * Resolves when commands can be sent. Connects on first use; an attempt already under way is awaited
   * (bounded), but while ioredis is between reconnect attempts Redis is known to be down, so fail now.
   */
  async function ensureReady(): Promise<void> {
    if (connection.closed) throw new StoreUnavailableError('Redis store is closed');
    const status: RedisStatus = client.status;
    switch (status) {
      case 'ready':
        return;
      case 'wait':
      case 'end': {
        const connected = awaitConnection();
        // Failures reach us through the close/end events awaited above.
        client.connect().catch(() => undefined);
        return connected;
      }
      case 'connecting':
      case 'connect':
        return awaitConnection();
      default:
        throw new StoreUnavailableError(
          `Redis store unavailable: connection is ${status}${lastError === undefined ? '' : ` (${describeError(lastError)})`}`,
          { cause: lastError },
        );
    }
  }

  async function run<T>(command: () => Promise<T>): Promise<T> {
    try {
      await ensureReady();
      return await command();
    } catch (err) {
      throw toStoreError(err);
    }
  }
  return connection;
}

/**
 * Creates the Redis store. Nothing connects until the first operation (or `ping()`), so building it at
 * startup or in tests never opens a socket by itself. While Redis is down, operations reject with
 * StoreUnavailableError within about `connectTimeoutMs` + `commandTimeoutMs` at worst, usually at once.
 * `compareAndSet`, `incr` and `updateJson` are atomic across gateway instances (Lua scripts).
 */
export function createRedisStore(opts: RedisStoreOptions): Store {
  const prefix = opts.prefix ?? 'sgw:';
  const commandTimeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  const client = new Redis(opts.url, {
    lazyConnect: true,
    // Commands issued while not connected fail at once instead of waiting in a queue.
    enableOfflineQueue: false,
    // Never replay a command after a reconnect: its caller may already have been told it failed.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: connectTimeoutMs,
    // disconnect() half-closes and waits this long for the server; an unresponsive one must not stall us.
    disconnectTimeout: 100,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(RECONNECT_BASE_MS * 2 ** Math.min(times, 10), RECONNECT_CAP_MS),
  });
  client.defineCommand('sgwCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET_LUA });
  client.defineCommand('sgwIncr', { numberOfKeys: 1, lua: INCR_LUA });

  const connection = watchConnection(client, { connectTimeoutMs, commandTimeoutMs, logger: opts.logger });
  const run = connection.run;

  const k = (key: string): string => prefix + key;

  const primitives = {
    get(key: string): Promise<string | null> {
      return run(() => client.get(k(key)));
    },

    async set(key: string, value: string, setOpts: SetOptions = {}): Promise<boolean> {
      const ttlMs = validateTtlMs(setOpts.ttlMs);
      const args: (string | number)[] = [k(key), value];
      if (ttlMs !== undefined) args.push('PX', ttlMs);
      if (setOpts.ifAbsent) args.push('NX');
      const reply = await run(() => client.call('SET', ...args));
      return reply === 'OK';
    },

    async compareAndSet(key: string, expected: string | null, next: string, casOpts: { ttlMs?: number } = {}): Promise<boolean> {
      const ttlMs = validateTtlMs(casOpts.ttlMs);
      const reply = await run(() =>
        client.sgwCompareAndSet(k(key), expected === null ? '1' : '0', expected ?? '', next, ttlMs === undefined ? '' : String(ttlMs)),
      );
      return reply === 1;
    },
  };

  return {
    kind: 'redis',
    ...primitives,
    ...createJsonDocuments(primitives),

    async del(key: string): Promise<boolean> {
      return (await run(() => client.del(k(key)))) > 0;
    },

    async incr(key: string, incrOpts: { ttlMs?: number } = {}): Promise<number> {
      const ttlMs = validateTtlMs(incrOpts.ttlMs);
      return run(() => client.sgwIncr(k(key), ttlMs === undefined ? '' : String(ttlMs)));
    },

    async indexAdd(key: string, member: string, score: number): Promise<void> {
      validateScore(score);
      await run(() => client.zadd(k(key), formatScore(score), member));
    },

    async indexRemove(key: string, member: string): Promise<void> {
      await run(() => client.zrem(k(key), member));
    },

    async indexRange(key: string, rangeOpts?: IndexRangeOptions): Promise<string[]> {
      const { offset, limit, reverse, minScore, maxScore } = validateIndexRange(rangeOpts);
      if (limit === 0) return [];
      const min = formatScore(minScore);
      const max = formatScore(maxScore);
      // ZRANGEBYSCORE rather than ZRANGE ... BYSCORE keeps Redis 6.0 supported; -1 = no limit.
      const count = limit ?? -1;
      return run(() =>
        reverse
          ? client.zrevrangebyscore(k(key), max, min, 'LIMIT', offset, count)
          : client.zrangebyscore(k(key), min, max, 'LIMIT', offset, count),
      );
    },

    async indexCount(key: string, countOpts?: { minScore?: number; maxScore?: number }): Promise<number> {
      const { minScore, maxScore } = validateIndexRange(countOpts);
      return run(() => client.zcount(k(key), formatScore(minScore), formatScore(maxScore)));
    },

    listPush(key: string, value: string): Promise<number> {
      return run(() => client.rpush(k(key), value));
    },

    async listRange(key: string, start: number, stop: number): Promise<string[]> {
      validateListIndex(start, 'start');
      validateListIndex(stop, 'stop');
      return run(() => client.lrange(k(key), start, stop));
    },

    listRemove(key: string, value: string): Promise<number> {
      return run(() => client.lrem(k(key), 0, value));
    },

    async ping(): Promise<void> {
      await run(() => client.ping());
    },

    async close(): Promise<void> {
      if (connection.closed) return;
      connection.closed = true;
      if (client.status === 'ready') {
        // QUIT lets replies to in-flight commands arrive; fall back to a hard close if Redis does not answer.
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
    },
  };
}
