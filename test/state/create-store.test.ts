import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../src/state/create-store.js';
import { StoreUnavailableError, type Store } from '../../src/state/store.js';

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

describe('createStore', () => {
  it('uses the in-process store when no Redis URL is configured', async () => {
    for (const redisUrl of [undefined, '']) {
      const store = createStore(redisUrl === undefined ? {} : { redisUrl });
      opened.push(store);
      expect(store.kind).toBe('memory');
      await store.set('k', 'v');
      expect(await store.get('k')).toBe('v');
    }
  });

  it('uses Redis when a URL is given, without failing at creation if Redis is down', async () => {
    const store = createStore({ redisUrl: 'redis://127.0.0.1:1', prefix: 'sgw:test:create:' });
    opened.push(store);
    expect(store.kind).toBe('redis');
    // The outage only shows when the store is used, as a typed error the HTTP layer maps to 503.
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
