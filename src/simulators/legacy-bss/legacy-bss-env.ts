import path from 'node:path';
import type { StartLegacyBssOptions } from './start-legacy-bss.js';

/** Port the standalone simulator listens on when `LEGACY_BSS_PORT` is unset. */
export const DEFAULT_LEGACY_BSS_PORT = 8091;

/** Seed folder used when `LEGACY_BSS_DATA_DIR` is unset, relative to the working directory. */
export const DEFAULT_LEGACY_BSS_DATA_DIR = 'config/legacy-bss-sim';

/**
 * Reads the standalone simulator's settings from environment variables:
 * `LEGACY_BSS_API_KEY` (required), `LEGACY_BSS_PORT` (default 8091), `LEGACY_BSS_HOST`
 * (default 127.0.0.1), `LEGACY_BSS_DATA_DIR` (default `config/legacy-bss-sim`, resolved against
 * the working directory) and `LEGACY_BSS_FAULT_INJECTION` (`true` enables `X-Sim-Fault`).
 * Throws an `Error` naming the variable on an invalid value.
 */
export function readLegacyBssEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): StartLegacyBssOptions {
  const apiKey = env['LEGACY_BSS_API_KEY'];
  if (apiKey === undefined || apiKey === '') throw new Error('LEGACY_BSS_API_KEY: required');

  const portText = env['LEGACY_BSS_PORT'];
  const port = portText === undefined || portText === '' ? DEFAULT_LEGACY_BSS_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`LEGACY_BSS_PORT: must be an integer 0..65535, got ${portText}`);
  }

  const faultText = env['LEGACY_BSS_FAULT_INJECTION'] ?? 'false';
  if (faultText !== 'true' && faultText !== 'false') {
    throw new Error(`LEGACY_BSS_FAULT_INJECTION: must be true or false, got ${faultText}`);
  }

  return {
    apiKey,
    port,
    host: env['LEGACY_BSS_HOST'] || '127.0.0.1',
    dataDir: path.resolve(cwd, env['LEGACY_BSS_DATA_DIR'] || DEFAULT_LEGACY_BSS_DATA_DIR),
    faultInjection: faultText === 'true',
  };
}
