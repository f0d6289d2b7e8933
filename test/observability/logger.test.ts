import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';

function capture(level: string): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({ level, stream });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Meta whose field counts how often the logger read it: formatting (redaction, JSON) reads every field. */
function countingMeta(): { meta: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const meta = {};
  Object.defineProperty(meta, 'detail', { enumerable: true, get: () => (reads++, 'x') });
  return { meta, reads: () => reads };
}

describe('createLogger', () => {
  it('does not format a line whose level is off', () => {
    const { logger, lines } = capture('error');
    const { meta, reads } = countingMeta();
    logger.debug('noisy', meta);
    logger.info('noisy', meta);
    logger.child({ requestId: 'r-1' }).warn('noisy', meta);
    expect(reads()).toBe(0);
    expect(lines()).toEqual([]);
  });

  it('still writes, redacted, the lines whose level is on, from children too', async () => {
    const { logger, lines } = capture('info');
    logger.child({ requestId: 'r-1' }).info('hello', { authorization: 'Bearer abc.def', n: 1 });
    logger.error('plain');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', message: 'hello', requestId: 'r-1', authorization: '[redacted]', n: 1 }),
      expect.objectContaining({ level: 'error', message: 'plain' }),
    ]);
  });
});
