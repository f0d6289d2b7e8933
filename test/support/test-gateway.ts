import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { loadSpecErrata } from '../../src/conformance/spec-errata.js';
import type { Server } from 'node:http';
import { buildGateway, type Gateway } from '../../src/gateway.js';
import type { ActivityLog } from '../../src/observability/activity.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { testCallbackHosts } from './test-listeners.js';
import { demoBackends } from '../../simulators/src/demo-backends.js';
import type { RunningSonataSeller } from '../../simulators/src/sonata-seller/start-sonata-seller.js';
import { observedArray } from './wait.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const SDK_DIR = process.env.SONATA_SDK_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'sonata-sdk');
/** The project's errata to the official files, as the gateway and the conformance runner apply them. */
export const SPEC_ERRATA = loadSpecErrata(join(REPO_ROOT, 'mappings', 'spec-errata.yaml'));

/** Demo credentials from config/test.env (the same public values as the demo). */
export const PARTNERS = {
  acme: {
    clientId: 'acme-telecom',
    secret: 'acme-demo-secret-2026',
    release: 'grace',
    addressBase: '/mefApi/sonata/geographicAddressManagement/v7',
  },
  globex: {
    clientId: 'globex-networks',
    secret: 'globex-demo-secret-2026',
    release: 'kylie',
    addressBase: '/mefApi/sonata/geographicAddressManagement/v8',
  },
  initech: {
    clientId: 'initech',
    secret: 'initech-demo-secret-2026',
    release: 'billie',
    addressBase: '/mefApi/sonata/geographicAddressManagement/v7',
  },
} as const;

export interface TestGateway {
  /** with the demo's in-process backends: its sellers are the simulated ones */
  gateway: Gateway<RunningSonataSeller>;
  url: string;
  /** the admin listener's URL when server.adminPort is set (ADMIN_PORT=0 picks a free port) */
  adminUrl?: string;
  /** the main listener */
  server: Server;
  logs: Array<Record<string, unknown>>;
  token(partner: keyof typeof PARTNERS, scope?: string): Promise<string>;
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

/** A logger that keeps every line as an object, so tests can assert on what operators would see. */
export function createCapturingLogger(level = 'debug'): { logger: Logger; logs: Array<Record<string, unknown>> } {
  const logs = observedArray<Record<string, unknown>>(); // waits (test/support/wait.ts) wake on each line
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ level, stream }), logs };
}

/** Copies config/, partners/ and mappings/ to a temp folder, for tests that edit files. */
export function copyProject(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sgw-project-'));
  // SGW_COPY_FROM lets a developer run these tests against another checkout's data (e.g. `git archive HEAD`)
  const from = process.env.SGW_COPY_FROM ?? REPO_ROOT;
  for (const d of ['config', 'partners', 'mappings']) cpSync(join(from, d), join(dir, d), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the real gateway in process (test environment, embedded legacy BSS simulator) and listens on a free port. */
export async function startTestGateway(
  opts: {
    rootDir?: string;
    env?: Record<string, string>;
    watch?: boolean;
    /**
     * Every answer and notification the gateway gives in a test is validated against the official spec of the
     * partner's release (the test environment enforces it) and `close()` fails the suite if any violated it. Only a test that breaks a
     * mapping on purpose, to see the violation reported, sets this.
     */
    allowSpecViolations?: boolean;
    /** replaces the wait of server.shutdownDelayMs in close() (tests of the shutdown sequence) */
    shutdownDelay?: (ms: number) => Promise<void>;
    /** the activity log the console reads (BuildGatewayOptions.activity) */
    activity?: ActivityLog;
  } = {},
): Promise<TestGateway> {
  const { logger, logs } = createCapturingLogger();
  // each test gateway gets its own key space on a shared Redis: simulators restart their ids at 1 in every
  // gateway, so without this one test's documents would answer another's status reports
  const prefix = `sgw:test:${randomUUID().slice(0, 8)}:`;
  const processEnv: Record<string, string | undefined> = { ...pickEnv(), REDIS_PREFIX: prefix, ...opts.env };
  const gateway = await buildGateway({
    rootDir: opts.rootDir ?? REPO_ROOT,
    env: 'test',
    processEnv,
    logger,
    watch: opts.watch ?? false,
    extraCallbackHosts: testCallbackHosts,
    shutdownDelay: opts.shutdownDelay,
    activity: opts.activity,
    backends: demoBackends,
  });
  const { url, adminUrl, server } = await gateway.listen();
  const call: TestGateway['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json;charset=utf-8';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    gateway,
    url,
    adminUrl,
    server,
    logs,
    call,
    async token(partner, scope) {
      const p = PARTNERS[partner];
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: p.clientId,
        client_secret: p.secret,
      });
      if (scope) form.set('scope', scope);
      const res = await fetch(`${url}/oauth2/token`, { method: 'POST', body: form });
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async close() {
      await gateway.close();
      if (processEnv.REDIS_URL) await deleteKeys(processEnv.REDIS_URL, processEnv.REDIS_PREFIX ?? prefix);
      const violations = logs.filter(
        (l) => l.message === 'response violates the Sonata specification' || l.message === 'notification violates the Sonata specification',
      );
      if (violations.length && !opts.allowSpecViolations) {
        const shown = violations
          .slice(0, 5)
          .map((l) => `${String(l.operationId ?? l.eventType)} ${String(l.status ?? l.release)}: ${JSON.stringify(l.problems)}`);
        throw new Error(`the gateway answered ${violations.length} time(s) against the official spec:\n${shown.join('\n')}`);
      }
    },
  };
}

/** Removes what a test gateway left in Redis (documents, indexes, the notification queue). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    /* an unreachable Redis (a test pointing at a dead port) leaves nothing to clean */
  } finally {
    redis.disconnect();
  }
}

/** The test process environment without variables that would change the gateway under test. */
function pickEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const k of ['PORT', 'HOST', 'GATEWAY_ENV', 'LEGACY_BSS_URL']) delete env[k];
  return env;
}
