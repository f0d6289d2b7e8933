/** Test doubles for the notification tests: a real HTTP listener on 127.0.0.1, a capturing logger, Redis probing. */
import { once, EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadNotificationCatalog, type NotificationCatalog } from '../../src/registry/notification-catalog.js';
import type { Logger } from '../../src/observability/logger.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import { allowTestCallback, forgetTestCallback } from '../support/test-listeners.js';
import { nextPushed, observedArray } from '../support/wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SDK_DIR = process.env.SONATA_SDK_DIR ?? resolve(REPO_ROOT, '../shared/sonata-sdk');
export const RELEASES = ['billie', 'grace', 'kylie'] as const;

/** The shipped catalogue of a release, loaded as production loads it. */
export function shippedCatalog(release: string): NotificationCatalog {
  return loadNotificationCatalog(resolve(REPO_ROOT, 'mappings', 'releases', release, 'notifications.yaml'));
}

export interface ReceivedCall {
  method: string;
  /** path + query as sent */
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A Buyer listener: records every call and answers with the scripted status (204 when the script is exhausted). */
export interface TestListener {
  readonly origin: string;
  readonly port: number;
  readonly calls: ReceivedCall[];
  /** statuses for the next calls, in order; `'drop'` closes the socket without answering, `'hang'` never answers */
  script(...statuses: Array<number | 'drop' | 'hang'>): void;
  /** resolves once `count` calls in total have been received (rejects after `timeoutMs`) */
  waitForCalls(count: number, timeoutMs?: number): Promise<ReceivedCall[]>;
  close(): Promise<void>;
}

export async function startListener(): Promise<TestListener> {
  const calls: ReceivedCall[] = [];
  const queue: Array<number | 'drop' | 'hang'> = [];
  const events = new EventEmitter();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text: a test asserting on it will show what arrived
      }
      const next = queue.shift() ?? 204;
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      events.emit('call');
      if (next === 'drop') {
        req.socket.destroy();
        return;
      }
      if (next === 'hang') return;
      res.statusCode = next;
      if (next === 204) res.end();
      else res.setHeader('content-type', 'application/json').end(JSON.stringify({ code: 'internalError', reason: 'scripted failure' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  allowTestCallback(`http://127.0.0.1:${port}`);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    calls,
    script: (...statuses) => queue.push(...statuses),
    async waitForCalls(count, timeoutMs = 10_000) {
      if (calls.length >= count) return calls;
      return new Promise<ReceivedCall[]>((resolvePromise, reject) => {
        const timer = setTimeout(() => {
          events.off('call', onCall);
          reject(new Error(`listener got ${calls.length} calls, expected ${count} within ${timeoutMs} ms`));
        }, timeoutMs);
        const onCall = () => {
          if (calls.length < count) return;
          clearTimeout(timer);
          events.off('call', onCall);
          resolvePromise(calls);
        };
        events.on('call', onCall);
      });
    },
    async close() {
      forgetTestCallback(`http://127.0.0.1:${port}`);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface LogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

/** A Logger that records lines (children share the record and add their meta). */
export function createCapturingLogger(
  lines: LogLine[] = observedArray<LogLine>(),
  base: Record<string, unknown> = {},
): Logger & { lines: LogLine[] } {
  const log =
    (level: LogLine['level']) =>
    (message: string, meta: Record<string, unknown> = {}) => {
      lines.push({ level, message, meta: { ...base, ...meta } });
    };
  return {
    lines,
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (meta) => createCapturingLogger(lines, { ...base, ...meta }),
  };
}

/** Resolves with the first line logged with `message` (already logged or still to come); fails after `timeoutMs` with what was logged. */
export function loggedLine(logger: { lines: LogLine[] }, message: string, timeoutMs = 10_000): Promise<LogLine> {
  return nextPushed(
    logger.lines,
    (l) => l.message === message,
    () => `no log line '${message}'; logged: ${JSON.stringify(logger.lines.map((l) => l.message))}`,
    { timeoutMs },
  );
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** With REDIS_URL set (CI) Redis is required: suites run and fail loudly when it cannot be reached. */
export const REDIS_REQUIRED = process.env.REDIS_URL !== undefined;

export async function probeRedis(): Promise<boolean> {
  if (REDIS_REQUIRED) return true;
  const probe = createRedisStore({ url: REDIS_URL, prefix: 'sgw:test:notify-probe:' });
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

export function redisSuiteTitle(name: string, up: boolean): string {
  return up
    ? `${name} (${REDIS_REQUIRED ? 'REDIS_URL' : 'local Redis at 127.0.0.1:6379'})`
    : `${name} [skipped: REDIS_URL is not set and nothing answers at 127.0.0.1:6379]`;
}

/** Deletes every key under `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const raw = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await raw.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}
