import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory store', (prefix) => {
  let now = Date.parse('2025-06-01T00:00:00Z');
  const store = createMemoryStore({ prefix, now: () => now });
  return {
    store,
    advanceTime: (ms) => {
      now += ms;
    },
  };
});

describe('memory store', () => {
  it('reports its kind and works with the real clock by default', async () => {
    const store = createMemoryStore();
    try {
      expect(store.kind).toBe('memory');
      await store.set('k', 'v', { ttlMs: 60_000 });
      expect(await store.get('k')).toBe('v');
    } finally {
      await store.close();
    }
  });

  it('orders equal-score members by code point, as Redis orders UTF-8 bytes', async () => {
    const store = createMemoryStore();
    try {
      // U+FF5E sorts before U+1F600 in UTF-8 and code points, but after it in UTF-16 code units.
      for (const m of ['\u{1F600}', '\uFF5E', 'a']) await store.indexAdd('i', m, 1);
      expect(await store.indexRange('i')).toEqual(['a', '\uFF5E', '\u{1F600}']);
    } finally {
      await store.close();
    }
  });
});
