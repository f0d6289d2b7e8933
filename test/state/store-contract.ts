/**
 * The behaviour every Store adapter must share. Each adapter's test file calls describeStoreContract, so
 * code written against the in-process store keeps working unchanged on Redis.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type Store } from '../../src/state/store.js';
import { pollUntil } from '../support/wait.js';

export interface StoreUnderTest {
  store: Store;
  /**
   * Moves the store's clock forward. Present for stores with an injectable clock; without it TTL tests use
   * short real TTLs and poll (bounded) until the key is gone.
   */
  advanceTime?: (ms: number) => void;
}

/** Builds a fresh store whose keys live under `prefix` (unique per call within a suite). */
export type MakeStore = (prefix: string) => StoreUnderTest | Promise<StoreUnderTest>;

/** Real TTL for backends without a controllable clock: short, yet far above one local round trip. */
const REAL_TTL_MS = 150;
/** Injected-clock TTL: long, so only advanceTime can make it pass. */
const FAKE_TTL_MS = 60_000;
const PARALLEL = 25;

export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: Store contract`, () => {
    const opened: Store[] = [];
    let counter = 0;

    async function open(prefix = `c${++counter}:`): Promise<StoreUnderTest> {
      const sut = await makeStore(prefix);
      opened.push(sut.store);
      return sut;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    const ttlFor = (sut: StoreUnderTest): number => (sut.advanceTime ? FAKE_TTL_MS : REAL_TTL_MS);

    /** Lets `ttlMs` pass on the store's clock, then requires `isGone` to hold. */
    async function expectExpiry(sut: StoreUnderTest, ttlMs: number, isGone: () => Promise<boolean>): Promise<void> {
      if (sut.advanceTime) {
        sut.advanceTime(ttlMs - 1);
        expect(await isGone(), 'still present one millisecond before its TTL').toBe(false);
        sut.advanceTime(2);
        expect(await isGone()).toBe(true);
        return;
      }
      await pollUntil(async () => expect(await isGone()).toBe(true), { timeout: 5_000, interval: 10 });
    }

    const expectUnavailable = async (p: Promise<unknown>): Promise<void> => {
      await expect(p).rejects.toBeInstanceOf(StoreUnavailableError);
    };

    describe('strings', () => {
      it('returns null for a missing key and the stored value after set', async () => {
        const { store } = await open();
        expect(await store.get('missing')).toBeNull();
        expect(await store.set('k', 'v1')).toBe(true);
        expect(await store.get('k')).toBe('v1');
        expect(await store.set('k', 'v2')).toBe(true);
        expect(await store.get('k')).toBe('v2');
      });

      it('keeps an empty string distinct from absence', async () => {
        const { store } = await open();
        await store.set('empty', '');
        expect(await store.get('empty')).toBe('');
      });

      it('with ifAbsent writes only when the key does not exist', async () => {
        const { store } = await open();
        expect(await store.set('k', 'first', { ifAbsent: true })).toBe(true);
        expect(await store.set('k', 'second', { ifAbsent: true })).toBe(false);
        expect(await store.get('k')).toBe('first');
      });

      it('lets exactly one of many concurrent ifAbsent writers win', async () => {
        const { store } = await open();
        const results = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => store.set('lock', `owner-${i}`, { ifAbsent: true })));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.get('lock')).toBe(`owner-${results.indexOf(true)}`);
      });

      it('del removes a key and reports whether it existed', async () => {
        const { store } = await open();
        await store.set('k', 'v');
        expect(await store.del('k')).toBe(true);
        expect(await store.get('k')).toBeNull();
        expect(await store.del('k')).toBe(false);
      });

      it('rejects using a key as the wrong kind with a plain error, not an outage', async () => {
        const { store } = await open();
        await store.listPush('queue', 'a');
        const err = await store.get('queue').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(StoreUnavailableError);
      });
    });

    describe('TTL', () => {
      it('expires a key set with ttlMs', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        await sut.store.set('session', 'v', { ttlMs: ttl });
        expect(await sut.store.get('session')).toBe('v');
        await expectExpiry(sut, ttl, async () => (await sut.store.get('session')) === null);
      });

      it('treats an expired key as absent for ifAbsent', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        await sut.store.set('idem', 'old', { ttlMs: ttl });
        await expectExpiry(sut, ttl, async () => (await sut.store.get('idem')) === null);
        expect(await sut.store.set('idem', 'new', { ifAbsent: true })).toBe(true);
        expect(await sut.store.get('idem')).toBe('new');
      });

      it('a plain set removes an earlier TTL', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        await sut.store.set('doc', 'v1', { ttlMs: ttl });
        await sut.store.set('doc', 'v2');
        // A canary with the same TTL shows that the TTL has passed.
        await sut.store.set('canary', 'x', { ttlMs: ttl });
        await expectExpiry(sut, ttl, async () => (await sut.store.get('canary')) === null);
        expect(await sut.store.get('doc')).toBe('v2');
      });

      it('rejects a ttlMs that is not a positive number', async () => {
        const { store } = await open();
        for (const ttlMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expect(store.set('k', 'v', { ttlMs })).rejects.toBeInstanceOf(RangeError);
        }
        await expect(store.incr('n', { ttlMs: 0 })).rejects.toBeInstanceOf(RangeError);
        expect(await store.get('k')).toBeNull();
        expect(await store.get('n')).toBeNull();
      });
    });

    describe('compareAndSet', () => {
      it('with expected null creates the key only when absent', async () => {
        const { store } = await open();
        expect(await store.compareAndSet('k', null, 'v1')).toBe(true);
        expect(await store.compareAndSet('k', null, 'v2')).toBe(false);
        expect(await store.get('k')).toBe('v1');
      });

      it('replaces the value only when the current value matches', async () => {
        const { store } = await open();
        await store.set('k', 'v1');
        expect(await store.compareAndSet('k', 'stale', 'v2')).toBe(false);
        expect(await store.get('k')).toBe('v1');
        expect(await store.compareAndSet('k', 'v1', 'v2')).toBe(true);
        expect(await store.get('k')).toBe('v2');
      });

      it('does not treat an empty string as absence', async () => {
        const { store } = await open();
        expect(await store.compareAndSet('k', '', 'v')).toBe(false);
        expect(await store.get('k')).toBeNull();
        await store.set('k', '');
        expect(await store.compareAndSet('k', null, 'v')).toBe(false);
        expect(await store.compareAndSet('k', '', 'v')).toBe(true);
      });

      it('lets exactly one of many concurrent writers with the same expectation win', async () => {
        const { store } = await open();
        await store.set('k', 'v0');
        const results = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => store.compareAndSet('k', 'v0', `v${i + 1}`)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.get('k')).toBe(`v${results.indexOf(true) + 1}`);
      });

      it('applies ttlMs when given', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        expect(await sut.store.compareAndSet('k', null, 'v', { ttlMs: ttl })).toBe(true);
        await expectExpiry(sut, ttl, async () => (await sut.store.get('k')) === null);
      });

      it('keeps the remaining TTL when no ttlMs is given', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        await sut.store.set('k', 'v1', { ttlMs: ttl });
        expect(await sut.store.compareAndSet('k', 'v1', 'v2')).toBe(true);
        expect(await sut.store.get('k')).toBe('v2');
        await expectExpiry(sut, ttl, async () => (await sut.store.get('k')) === null);
      });
    });

    describe('incr', () => {
      it('counts up from 1 for a new key', async () => {
        const { store } = await open();
        expect(await store.incr('n')).toBe(1);
        expect(await store.incr('n')).toBe(2);
        expect(await store.get('n')).toBe('2');
      });

      it('hands out distinct values to concurrent callers', async () => {
        const { store } = await open();
        const values = await Promise.all(Array.from({ length: PARALLEL }, () => store.incr('n')));
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: PARALLEL }, (_, i) => i + 1));
      });

      it('applies the TTL when the key is created and does not extend it on later increments', async () => {
        const sut = await open();
        const { store } = sut;
        const ttl = ttlFor(sut);
        expect(await store.incr('window', { ttlMs: ttl })).toBe(1);
        if (sut.advanceTime) {
          sut.advanceTime(ttl - 1);
          expect(await store.incr('window', { ttlMs: ttl })).toBe(2);
          sut.advanceTime(2);
          expect(await store.incr('window', { ttlMs: ttl })).toBe(1);
          return;
        }
        // Incrementing every few ms would keep the window open forever if increments restarted the TTL.
        await pollUntil(async () => expect(await store.incr('window', { ttlMs: ttl })).toBe(1), {
          timeout: 5_000,
          interval: 10,
        });
      });

      it('rejects a non-integer value without touching it', async () => {
        const { store } = await open();
        await store.set('n', 'abc');
        const err = await store.incr('n').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(StoreUnavailableError);
        expect(await store.get('n')).toBe('abc');
      });
    });

    describe('JSON documents', () => {
      it('round-trips documents and returns null when absent', async () => {
        const { store } = await open();
        const order = { id: 'o-1', state: 'acknowledged', items: [{ id: '1', qty: 2 }], note: null };
        expect(await store.getJson('order')).toBeNull();
        expect(await store.setJson('order', order)).toBe(true);
        expect(await store.getJson<typeof order>('order')).toEqual(order);
        expect(JSON.parse((await store.get('order')) ?? 'null')).toEqual(order);
      });

      it('honours ifAbsent and ttlMs like set', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        expect(await sut.store.setJson('doc', { v: 1 }, { ifAbsent: true, ttlMs: ttl })).toBe(true);
        expect(await sut.store.setJson('doc', { v: 2 }, { ifAbsent: true })).toBe(false);
        expect(await sut.store.getJson('doc')).toEqual({ v: 1 });
        await expectExpiry(sut, ttl, async () => (await sut.store.getJson('doc')) === null);
      });

      it('rejects a value that has no JSON form and a stored value that is not JSON', async () => {
        const { store } = await open();
        await expect(store.setJson('k', undefined)).rejects.toBeInstanceOf(TypeError);
        expect(await store.get('k')).toBeNull();
        await store.set('k', '{not json');
        await expect(store.getJson('k')).rejects.toBeInstanceOf(SyntaxError);
      });

      it('updateJson creates, updates and returns the stored document', async () => {
        const { store } = await open();
        const created = await store.updateJson<{ n: number; at?: string }>('doc', (cur) => {
          expect(cur).toBeNull();
          return { n: 1 };
        });
        expect(created).toEqual({ n: 1 });
        // The result is what was stored, after JSON encoding (a Date becomes its ISO string).
        const at = new Date('2025-01-02T03:04:05.000Z');
        const updated = await store.updateJson<{ n: number; at?: unknown }>('doc', (cur) => ({
          n: (cur?.n ?? 0) + 1,
          at,
        }));
        expect(updated).toEqual({ n: 2, at: '2025-01-02T03:04:05.000Z' });
        expect(await store.getJson('doc')).toEqual(updated);
      });

      it('updateJson leaves the document alone when fn returns undefined', async () => {
        const { store } = await open();
        expect(await store.updateJson('absent', () => undefined)).toBeNull();
        expect(await store.get('absent')).toBeNull();
        await store.setJson('doc', { v: 1 });
        expect(await store.updateJson<{ v: number }>('doc', () => undefined)).toEqual({ v: 1 });
        expect(await store.getJson('doc')).toEqual({ v: 1 });
      });

      it('updateJson propagates an error thrown by fn and writes nothing', async () => {
        const { store } = await open();
        await store.setJson('doc', { v: 1 });
        await expect(
          store.updateJson('doc', () => {
            throw new Error('invalid transition');
          }),
        ).rejects.toThrow('invalid transition');
        expect(await store.getJson('doc')).toEqual({ v: 1 });
      });

      it(`updateJson loses no update among ${PARALLEL} concurrent increments`, async () => {
        const { store } = await open();
        await Promise.all(
          Array.from({ length: PARALLEL }, () => store.updateJson<{ n: number }>('counter', (cur) => ({ n: (cur?.n ?? 0) + 1 }))),
        );
        expect(await store.getJson('counter')).toEqual({ n: PARALLEL });
      });

      it('updateJson applies ttlMs when given', async () => {
        const sut = await open();
        const ttl = ttlFor(sut);
        await sut.store.updateJson('doc', () => ({ v: 1 }), { ttlMs: ttl });
        await expectExpiry(sut, ttl, async () => (await sut.store.getJson('doc')) === null);
      });
    });

    describe('sorted index', () => {
      async function seeded(): Promise<Store> {
        const { store } = await open();
        // Inserted out of order on purpose: ordering must come from scores.
        await store.indexAdd('orders', 'o-30', 30);
        await store.indexAdd('orders', 'o-10', 10);
        await store.indexAdd('orders', 'o-50', 50);
        await store.indexAdd('orders', 'o-20', 20);
        await store.indexAdd('orders', 'o-40', 40);
        return store;
      }

      it('lists members by ascending score, or descending with reverse', async () => {
        const store = await seeded();
        expect(await store.indexRange('orders')).toEqual(['o-10', 'o-20', 'o-30', 'o-40', 'o-50']);
        expect(await store.indexRange('orders', { reverse: true })).toEqual(['o-50', 'o-40', 'o-30', 'o-20', 'o-10']);
      });

      it('pages with offset and limit', async () => {
        const store = await seeded();
        expect(await store.indexRange('orders', { offset: 1, limit: 2 })).toEqual(['o-20', 'o-30']);
        expect(await store.indexRange('orders', { offset: 3 })).toEqual(['o-40', 'o-50']);
        expect(await store.indexRange('orders', { offset: 4, limit: 10 })).toEqual(['o-50']);
        expect(await store.indexRange('orders', { offset: 5 })).toEqual([]);
        expect(await store.indexRange('orders', { limit: 0 })).toEqual([]);
        expect(await store.indexRange('orders', { reverse: true, offset: 1, limit: 2 })).toEqual(['o-40', 'o-30']);
      });

      it('filters by inclusive score bounds, also combined with reverse and paging', async () => {
        const store = await seeded();
        expect(await store.indexRange('orders', { minScore: 20, maxScore: 40 })).toEqual(['o-20', 'o-30', 'o-40']);
        expect(await store.indexRange('orders', { minScore: 35 })).toEqual(['o-40', 'o-50']);
        expect(await store.indexRange('orders', { maxScore: 10 })).toEqual(['o-10']);
        expect(await store.indexRange('orders', { minScore: 41, maxScore: 49 })).toEqual([]);
        expect(await store.indexRange('orders', { minScore: 20, maxScore: 50, reverse: true, offset: 1, limit: 2 })).toEqual([
          'o-40',
          'o-30',
        ]);
      });

      it('counts members, optionally within score bounds', async () => {
        const store = await seeded();
        expect(await store.indexCount('orders')).toBe(5);
        expect(await store.indexCount('orders', { minScore: 20, maxScore: 40 })).toBe(3);
        expect(await store.indexCount('orders', { minScore: 45 })).toBe(1);
        expect(await store.indexCount('orders', { maxScore: 5 })).toBe(0);
        expect(await store.indexCount('missing')).toBe(0);
        expect(await store.indexRange('missing')).toEqual([]);
      });

      it('re-adding a member moves it to its new score instead of duplicating it', async () => {
        const store = await seeded();
        await store.indexAdd('orders', 'o-10', 45);
        expect(await store.indexRange('orders')).toEqual(['o-20', 'o-30', 'o-40', 'o-10', 'o-50']);
        expect(await store.indexCount('orders')).toBe(5);
      });

      it('orders members with equal scores by member, reversed with reverse', async () => {
        const { store } = await open();
        for (const m of ['b', 'c', 'a']) await store.indexAdd('ties', m, 7);
        await store.indexAdd('ties', 'z', 1);
        expect(await store.indexRange('ties')).toEqual(['z', 'a', 'b', 'c']);
        expect(await store.indexRange('ties', { reverse: true })).toEqual(['c', 'b', 'a', 'z']);
      });

      it('accepts negative and fractional scores', async () => {
        const { store } = await open();
        await store.indexAdd('s', 'neg', -2.5);
        await store.indexAdd('s', 'zero', 0);
        await store.indexAdd('s', 'frac', 0.25);
        expect(await store.indexRange('s', { minScore: -3, maxScore: 0.25 })).toEqual(['neg', 'zero', 'frac']);
        expect(await store.indexRange('s', { minScore: 0.1 })).toEqual(['frac']);
      });

      it('removes members and drops the index once empty', async () => {
        const store = await seeded();
        await store.indexRemove('orders', 'o-30');
        await store.indexRemove('orders', 'not-there');
        expect(await store.indexRange('orders')).toEqual(['o-10', 'o-20', 'o-40', 'o-50']);
        for (const m of ['o-10', 'o-20', 'o-40', 'o-50']) await store.indexRemove('orders', m);
        expect(await store.indexCount('orders')).toBe(0);
        // An emptied index no longer occupies the key, so it can be reused as a string.
        expect(await store.set('orders', 'v', { ifAbsent: true })).toBe(true);
      });

      it('del removes a whole index', async () => {
        const store = await seeded();
        expect(await store.del('orders')).toBe(true);
        expect(await store.indexRange('orders')).toEqual([]);
      });

      it('rejects invalid paging and scores', async () => {
        const store = await seeded();
        await expect(store.indexRange('orders', { offset: -1 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.indexRange('orders', { limit: 1.5 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.indexAdd('orders', 'x', Number.NaN)).rejects.toBeInstanceOf(RangeError);
        expect(await store.indexCount('orders')).toBe(5);
      });
    });

    describe('lists', () => {
      it('appends at the tail and returns the new length', async () => {
        const { store } = await open();
        expect(await store.listPush('q', 'a')).toBe(1);
        expect(await store.listPush('q', 'b')).toBe(2);
        expect(await store.listPush('q', 'c')).toBe(3);
        expect(await store.listRange('q', 0, -1)).toEqual(['a', 'b', 'c']);
      });

      it('ranges with inclusive, negative and out-of-range indexes like LRANGE', async () => {
        const { store } = await open();
        for (const v of ['a', 'b', 'c', 'd']) await store.listPush('q', v);
        expect(await store.listRange('q', 1, 2)).toEqual(['b', 'c']);
        expect(await store.listRange('q', -2, -1)).toEqual(['c', 'd']);
        expect(await store.listRange('q', 0, 0)).toEqual(['a']);
        expect(await store.listRange('q', -100, 100)).toEqual(['a', 'b', 'c', 'd']);
        expect(await store.listRange('q', 3, 1)).toEqual([]);
        expect(await store.listRange('q', 10, 20)).toEqual([]);
        expect(await store.listRange('missing', 0, -1)).toEqual([]);
      });

      it('removes every occurrence of a value and reports how many', async () => {
        const { store } = await open();
        for (const v of ['a', 'b', 'a', 'c', 'a']) await store.listPush('dlq', v);
        expect(await store.listRemove('dlq', 'a')).toBe(3);
        expect(await store.listRange('dlq', 0, -1)).toEqual(['b', 'c']);
        expect(await store.listRemove('dlq', 'zzz')).toBe(0);
        expect(await store.listRemove('missing', 'a')).toBe(0);
      });

      it('drops the list once its last value is removed', async () => {
        const { store } = await open();
        await store.listPush('q', 'only');
        expect(await store.listRemove('q', 'only')).toBe(1);
        expect(await store.listRange('q', 0, -1)).toEqual([]);
        expect(await store.del('q')).toBe(false);
      });
    });

    describe('prefixes', () => {
      it('isolates stores with different prefixes', async () => {
        const { store: a } = await open(`iso-a${counter}:`);
        const { store: b } = await open(`iso-b${counter}:`);
        await a.set('k', 'from-a');
        await a.indexAdd('idx', 'm', 1);
        await a.listPush('q', 'x');
        expect(await b.get('k')).toBeNull();
        expect(await b.indexCount('idx')).toBe(0);
        expect(await b.listRange('q', 0, -1)).toEqual([]);
        await b.set('k', 'from-b');
        expect(await b.del('idx')).toBe(false);
        expect(await a.get('k')).toBe('from-a');
        expect(await a.indexRange('idx')).toEqual(['m']);
      });
    });

    describe('lifecycle', () => {
      it('ping resolves while the backend answers', async () => {
        const { store } = await open();
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('after close, operations reject with StoreUnavailableError and close is idempotent', async () => {
        const { store } = await open();
        await store.set('k', 'v');
        await store.close();
        await expectUnavailable(store.ping());
        await expectUnavailable(store.get('k'));
        await expectUnavailable(store.updateJson('k', () => ({})));
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
