import path from 'node:path';
import { legacyBssSeedDir } from '../data-dir.js';
import type { StartLegacyBssOptions } from './start-legacy-bss.js';

/** Port the standalone simulator listens on when `LEGACY_BSS_PORT` is unset. */
export const DEFAULT_LEGACY_BSS_PORT = 8091;

/**
 * Reads the standalone simulator's settings from environment variables:
 * `LEGACY_BSS_API_KEY` (required), `LEGACY_BSS_PORT` (default 8091), `LEGACY_BSS_HOST`
 * (default 127.0.0.1), `LEGACY_BSS_DATA_DIR` (resolved against the working directory; default the
 * shipped seed, simulators/data/legacy-bss), `LEGACY_BSS_FAULT_INJECTION` (`true` enables `X-Sim-Fault`),
 * `LEGACY_BSS_CALLBACK_URL` + `LEGACY_BSS_CALLBACK_SECRET` (status callbacks) with optional
 * `LEGACY_BSS_CALLBACK_HEADERS` (JSON object of extra headers),
 * `LEGACY_BSS_AUTO_ADVANCE_MS` (lifecycle timer, 0 = off) and `LEGACY_BSS_DEFERRED_DELAY_MS`
 * (deferred feasibility/offer completion). Throws an `Error` naming the variable on an invalid value.
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

  const options: StartLegacyBssOptions = {
    apiKey,
    port,
    host: env['LEGACY_BSS_HOST'] || '127.0.0.1',
    dataDir: env['LEGACY_BSS_DATA_DIR'] ? path.resolve(cwd, env['LEGACY_BSS_DATA_DIR']) : legacyBssSeedDir(),
    faultInjection: faultText === 'true',
  };
  const callbackUrl = env['LEGACY_BSS_CALLBACK_URL'];
  if (callbackUrl) {
    const secret = env['LEGACY_BSS_CALLBACK_SECRET'];
    if (!secret) throw new Error('LEGACY_BSS_CALLBACK_SECRET: required when LEGACY_BSS_CALLBACK_URL is set');
    options.callbackUrl = callbackUrl;
    options.callbackSecret = secret;
    const headers = env['LEGACY_BSS_CALLBACK_HEADERS'];
    if (headers) options.callbackHeaders = readHeaderObject(headers);
  }
  const autoAdvanceMs = readMilliseconds(env, 'LEGACY_BSS_AUTO_ADVANCE_MS');
  if (autoAdvanceMs !== undefined) options.autoAdvanceMs = autoAdvanceMs;
  const deferredDelayMs = readMilliseconds(env, 'LEGACY_BSS_DEFERRED_DELAY_MS');
  if (deferredDelayMs !== undefined) options.deferredDelayMs = deferredDelayMs;
  return options;
}

function readHeaderObject(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((value) => typeof value !== 'string')
  ) {
    throw new Error('LEGACY_BSS_CALLBACK_HEADERS: must be a JSON object of header names and text values');
  }
  return parsed as Record<string, string>;
}

function readMilliseconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new Error(`${name}: must be a whole number of milliseconds, got ${text}`);
  return value;
}
