// Standalone entry of the simulated legacy BSS: `tsx simulators/src/legacy-bss/main.ts` or
// `node dist/simulators/src/legacy-bss/main.js`. The only module of the simulator with side effects.
import winston from 'winston';
import { readLegacyBssEnv } from './legacy-bss-env.js';
import { startLegacyBss } from './start-legacy-bss.js';

const logger = winston.createLogger({
  level: process.env['LOG_LEVEL'] ?? 'info',
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  defaultMeta: { service: 'legacy-bss-sim' },
  transports: [new winston.transports.Console()],
});

try {
  const options = readLegacyBssEnv(process.env);
  const running = await startLegacyBss({ ...options, logger });
  logger.info('legacy BSS simulator listening', {
    url: running.url,
    dataDir: options.dataDir,
    faultInjection: options.faultInjection,
    // The secret stays out of the log; the URL tells whether callbacks are on.
    callbackUrl: options.callbackUrl ?? null,
    autoAdvanceMs: options.autoAdvanceMs ?? 0,
    deferredDelayMs: options.deferredDelayMs ?? null,
  });
  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info('legacy BSS simulator stopping', { signal });
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('legacy BSS simulator: shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (err) {
  logger.error('legacy BSS simulator: cannot start', { error: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
}
