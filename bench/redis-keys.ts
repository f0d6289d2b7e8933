import { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix` (the run's own REDIS_PREFIX), so repeated runs do not fill a Redis that the
 * test suites share, and reports the server version for the results. Fails fast instead of retrying.
 */
export async function removeKeysWithPrefix(url: string, prefix: string): Promise<{ removed: number; version?: string }> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // surfaced by the awaited commands below
  try {
    await client.connect();
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) removed += await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    const info = await client.info('server');
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1];
    return { removed, version };
  } finally {
    client.disconnect();
  }
}
