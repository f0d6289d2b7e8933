/**
 * Picks the store adapter from configuration: Redis when a URL is given (several gateway instances share
 * state), otherwise in-process so the gateway starts without any infrastructure.
 */
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';
import type { Store, StoreLogger } from './store.js';

/** Options for {@link createStore}. */
export interface CreateStoreOptions {
  /** REDIS_URL; empty or absent selects the in-process store. */
  redisUrl?: string;
  /** Key namespace shared by both adapters. Default `sgw:`. */
  prefix?: string;
  /** Redis only: how long a command may wait for its reply, and a connection attempt may take (default 500 ms each). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Receives Redis connection loss / recovery events; unused by the in-process store. */
  logger?: StoreLogger;
}

/** Creates the configured store without connecting; the Redis adapter connects on first use. */
export function createStore(opts: CreateStoreOptions): Store {
  if (opts.redisUrl) {
    return createRedisStore({
      url: opts.redisUrl,
      ...(opts.prefix !== undefined && { prefix: opts.prefix }),
      ...(opts.logger !== undefined && { logger: opts.logger }),
      ...(opts.commandTimeoutMs !== undefined && { commandTimeoutMs: opts.commandTimeoutMs }),
      ...(opts.connectTimeoutMs !== undefined && { connectTimeoutMs: opts.connectTimeoutMs }),
    });
  }
  return createMemoryStore(opts.prefix !== undefined ? { prefix: opts.prefix } : {});
}
