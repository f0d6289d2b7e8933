/**
 * The activity log over the Store port, against the in-process store and a real Redis (REDIS_URL, or a Redis
 * answering at 127.0.0.1:6379; with REDIS_URL set it is required), and the redactor.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivityLog, DISABLED_ACTIVITY_LOG, type ActivitySettings } from '../../src/observability/activity-log.js';
import type { ActivityRecord } from '../../src/observability/activity.js';
import { createRedactor, REDACTED } from '../../src/observability/redact-body.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { createRedisStore } from '../../src/state/redis-store.js';
import type { Store } from '../../src/state/store.js';
import { createCapturingLogger } from '../support/test-gateway.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisRequired = process.env.REDIS_URL !== undefined;
const { logger } = createCapturingLogger('error');

async function redisAnswers(): Promise<boolean> {
  const probe = createRedisStore({ url: REDIS_URL, prefix: `sgw:test:${randomUUID()}:` });
  try {
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}
const redisUp = redisRequired || (await redisAnswers());

const SETTINGS: ActivitySettings = {
  enabled: true,
  ttlSeconds: 3600,
  maxBodyBytes: 200,
  maxPerPartner: 3,
  redact: { keys: ['emailAddress', 'client_secret'], pointers: ['/**/relatedContactInformation/*/number'] },
};

interface StoreUnderTest {
  store: Store;
  /** moves the clock of the store and the log (in-process store only) */
  advance?: (ms: number) => void;
  now: () => number;
}

const opened: Store[] = [];
const REDIS_PREFIX = `sgw:test:activity:${randomUUID().slice(0, 8)}:`;
let redisStores = 0;
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  if (!redisStores) return;
  // what the Redis runs left (indexes have no TTL)
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 500);
    if (keys.length) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  client.disconnect();
});

function memory(): StoreUnderTest {
  let offset = 0;
  const now = () => Date.now() + offset;
  const store = createMemoryStore({ now });
  opened.push(store);
  return { store, now, advance: (ms) => (offset += ms) };
}

function redis(): StoreUnderTest {
  const store = createRedisStore({
    url: REDIS_URL,
    prefix: `${REDIS_PREFIX}${++redisStores}:`,
    commandTimeoutMs: 3000,
    connectTimeoutMs: 2000,
  });
  opened.push(store);
  return { store, now: Date.now };
}

const record = (id: string, partnerId: string | undefined, startedAt: number, extra: Partial<ActivityRecord> = {}): ActivityRecord => ({
  correlationId: id,
  partnerId,
  method: 'POST',
  path: '/mefApi/sonata/quoteManagement/v8/quote',
  status: 201,
  startedAt: new Date(startedAt).toISOString(),
  ms: 12,
  hops: [
    {
      kind: 'partner-request',
      at: new Date(startedAt).toISOString(),
      method: 'POST',
      url: '/mefApi/sonata/quoteManagement/v8/quote',
      body: { a: 1 },
    },
  ],
  ...extra,
});

const backends: Array<[string, () => StoreUnderTest, boolean]> = [
  ['in-process store', memory, true],
  [redisUp ? `Redis (${REDIS_URL})` : 'Redis [skipped: REDIS_URL is not set and nothing answers at 127.0.0.1:6379]', redis, redisUp],
];

for (const [name, make, up] of backends) {
  describe.skipIf(!up)(`activity log on the ${name}`, { timeout: 30_000 }, () => {
    it('records, reads back by correlation id and lists a partner newest first', async () => {
      const { store, now } = make();
      const log = createActivityLog({ store, settings: SETTINGS, logger, now });
      const t = now();
      await log.record(record('r1', 'acme', t - 3000));
      await log.record(record('r2', 'acme', t - 1000));
      await log.record(record('g1', 'globex', t - 2000));
      expect(await log.get('r1')).toMatchObject({
        correlationId: 'r1',
        partnerId: 'acme',
        status: 201,
        hops: [{ kind: 'partner-request', body: { a: 1 } }],
      });
      expect(await log.get('nope')).toBeUndefined();
      expect((await log.list({ partnerId: 'acme' })).map((r) => r.correlationId)).toEqual(['r2', 'r1']);
      expect((await log.list({ partnerId: 'acme', limit: 1 })).map((r) => r.correlationId)).toEqual(['r2']);
      expect((await log.list()).map((r) => r.correlationId)).toEqual(['r2', 'g1', 'r1']);
      expect(await log.list({ partnerId: 'initech' })).toEqual([]);
    });

    it('keeps at most maxPerPartner records per partner, dropping the oldest (records and index)', async () => {
      const { store, now } = make();
      const log = createActivityLog({ store, settings: SETTINGS, logger, now });
      const t = now();
      for (let i = 1; i <= 5; i++) await log.record(record(`c${i}`, 'acme', t - 10_000 + i * 1000));
      await log.record(record('other', 'globex', t));
      expect((await log.list({ partnerId: 'acme', limit: 50 })).map((r) => r.correlationId)).toEqual(['c5', 'c4', 'c3']);
      expect(await log.get('c1')).toBeUndefined();
      expect(await log.get('c2')).toBeUndefined();
      expect(await store.indexCount('activity:p:acme')).toBe(3);
      // another partner's records are not counted against acme's
      expect(await log.get('other')).toBeDefined();
    });

    it('expires records after ttlSeconds', async () => {
      const under = make();
      const log = createActivityLog({
        store: under.store,
        settings: { ...SETTINGS, ttlSeconds: 1 },
        logger,
        now: under.now,
      });
      await log.record(record('short', 'acme', under.now()));
      expect(await log.get('short')).toBeDefined();
      if (under.advance) under.advance(1001);
      else {
        // a real Redis expires the key itself: wait on the store (bounded), not a fixed sleep
        for (let i = 0; i < 100 && (await log.get('short')); i++) await new Promise((r) => setTimeout(r, 50));
      }
      expect(await log.get('short')).toBeUndefined();
      expect(await log.list({ partnerId: 'acme' })).toEqual([]);
    });

    it('redacts by key and pointer and caps bodies before storing', async () => {
      const { store, now } = make();
      const log = createActivityLog({ store, settings: SETTINGS, logger, now });
      const body = {
        relatedContactInformation: [{ name: 'x', emailAddress: 'a@b.example', number: '+4930' }],
        client_secret: 's3cret',
      };
      await log.record(
        record('red', 'acme', now(), {
          hops: [
            { kind: 'partner-request', at: new Date().toISOString(), url: '/x?client_secret=abc&limit=2', body },
            { kind: 'legacy-response', at: new Date().toISOString(), status: 200, body: { blob: 'é'.repeat(150) } },
          ],
        }),
      );
      const raw = await store.get('activity:r:red');
      expect(raw).not.toContain('a@b.example');
      expect(raw).not.toContain('s3cret');
      expect(raw).not.toContain('abc');
      const got = (await log.get('red'))!;
      expect(got.hops[0]!.body).toEqual({
        relatedContactInformation: [{ name: 'x', emailAddress: REDACTED, number: REDACTED }],
        client_secret: REDACTED,
      });
      expect(got.hops[0]!.url).toBe(`/x?client_secret=${encodeURIComponent(REDACTED)}&limit=2`);
      // 150 two-byte characters and the JSON around them: over 200 bytes although under 200 characters
      expect(got.hops[1]!.body).toEqual({
        truncated: true,
        bytes: Buffer.byteLength(JSON.stringify({ blob: 'é'.repeat(150) })),
      });
    });

    it('appends hops to a written record, and keeps hops that come before their record', async () => {
      const { store, now } = make();
      const log = createActivityLog({ store, settings: SETTINGS, logger, now });
      await log.record(record('a1', 'acme', now()));
      await log.appendHop('a1', { kind: 'notification', at: new Date().toISOString(), status: 204, note: 'delivered' });
      expect((await log.get('a1'))!.hops.map((h) => h.kind)).toEqual(['partner-request', 'notification']);
      // a delivery that finished before its request's record was written: kept, not shown until the record comes
      await log.appendHop('early', { kind: 'notification', at: new Date().toISOString(), note: 'delivered early' });
      expect(await log.get('early')).toBeUndefined();
      await log.record(record('early', 'acme', now()));
      expect((await log.get('early'))!.hops.map((h) => h.note ?? h.kind)).toEqual(['partner-request', 'delivered early']);
    });

    it('captures a request: begin, hops in the capture scope, finish writes one record', async () => {
      const { store, now } = make();
      const log = createActivityLog({ store, settings: SETTINGS, logger, now });
      const capture = log.begin('cap-1')!;
      capture.request({ method: 'POST', url: '/mefApi/sonata/x/v1/y', body: { emailAddress: 'p@q.example' } });
      capture.partnerId = 'acme';
      await capture.run(async () => {
        await Promise.resolve();
        log.current()!.hop({ kind: 'legacy-request', method: 'POST', url: 'http://bss/x', body: { K: 1 } });
      });
      expect(log.current()).toBeUndefined();
      capture.answer({ ok: true });
      await log.finish(capture, { status: 200 });
      const got = (await log.get('cap-1'))!;
      expect(got).toMatchObject({ partnerId: 'acme', method: 'POST', path: '/mefApi/sonata/x/v1/y', status: 200 });
      expect(got.hops).toMatchObject([
        { kind: 'partner-request', body: { emailAddress: REDACTED } },
        { kind: 'legacy-request', body: { K: 1 } },
        { kind: 'partner-response', status: 200, body: { ok: true } },
      ]);
    });
  });
}

describe('activity log with capture off', () => {
  it('is the disabled log: begins nothing, touches no store', async () => {
    const untouchable = new Proxy({} as Store, {
      get: (_t, prop) => {
        throw new Error(`store.${String(prop)} used with capture off`);
      },
    });
    const log = createActivityLog({ store: untouchable, settings: { ...SETTINGS, enabled: false }, logger });
    expect(log).toBe(DISABLED_ACTIVITY_LOG);
    expect(log.enabled).toBe(false);
    expect(log.begin('x')).toBeUndefined();
    expect(log.current()).toBeUndefined();
    await log.record(record('x', 'acme', Date.now()));
    await log.appendHop('x', { kind: 'notification', at: new Date().toISOString() });
    expect(await log.get('x')).toBeUndefined();
    expect(await log.list()).toEqual([]);
  });
});

describe('redactor', () => {
  it('replaces values under keys at any depth (case-insensitive) and at pointers with * and **', () => {
    const redact = createRedactor({
      keys: ['EMAIL', 'password'],
      pointers: ['/**/relatedContactInformation/*/number', '/top/*/secret', '/exact'],
    });
    const input = {
      email: 'a',
      nested: [{ Email: 'b', password: { deep: 1 } }],
      relatedContactInformation: [{ number: '1', name: 'n' }],
      quoteItem: [{ relatedContactInformation: [{ number: '2' }] }],
      top: { a: { secret: 's', keep: 'k' } },
      exact: 'e',
      number: 'kept: not a contact',
    };
    const copy = JSON.parse(JSON.stringify(input));
    expect(redact(input)).toEqual({
      email: REDACTED,
      nested: [{ Email: REDACTED, password: REDACTED }],
      relatedContactInformation: [{ number: REDACTED, name: 'n' }],
      quoteItem: [{ relatedContactInformation: [{ number: REDACTED }] }],
      top: { a: { secret: REDACTED, keep: 'k' } },
      exact: REDACTED,
      number: 'kept: not a contact',
    });
    expect(input).toEqual(copy);
    expect(redact('text')).toBe('text');
    expect(redact(null)).toBeNull();
  });
});
