import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLegacyBssEnv } from '../../simulators/src/legacy-bss/legacy-bss-env.js';

describe('readLegacyBssEnv', () => {
  it('applies defaults next to the required key: the shipped seed, wherever the process runs', () => {
    expect(readLegacyBssEnv({ LEGACY_BSS_API_KEY: 'k' }, '/srv/app')).toEqual({
      apiKey: 'k',
      port: 8091,
      host: '127.0.0.1',
      dataDir: fileURLToPath(new URL('../../simulators/data/legacy-bss', import.meta.url)),
      faultInjection: false,
    });
  });

  it('reads every variable', () => {
    const options = readLegacyBssEnv(
      {
        LEGACY_BSS_API_KEY: 'secret',
        LEGACY_BSS_PORT: '0',
        LEGACY_BSS_HOST: '0.0.0.0',
        LEGACY_BSS_DATA_DIR: '/data/sim',
        LEGACY_BSS_FAULT_INJECTION: 'true',
      },
      '/srv/app',
    );
    expect(options).toEqual({ apiKey: 'secret', port: 0, host: '0.0.0.0', dataDir: '/data/sim', faultInjection: true });
  });

  it('reads the callback, auto-advance and deferred-delay settings', () => {
    const options = readLegacyBssEnv({
      LEGACY_BSS_API_KEY: 'k',
      LEGACY_BSS_CALLBACK_URL: 'http://127.0.0.1:8080/bss-events',
      LEGACY_BSS_CALLBACK_SECRET: 's3cret',
      LEGACY_BSS_CALLBACK_HEADERS: '{"X-Internal-Api-Key":"gw-key"}',
      LEGACY_BSS_AUTO_ADVANCE_MS: '2000',
      LEGACY_BSS_DEFERRED_DELAY_MS: '0',
    });
    expect(options).toMatchObject({
      callbackUrl: 'http://127.0.0.1:8080/bss-events',
      callbackSecret: 's3cret',
      callbackHeaders: { 'X-Internal-Api-Key': 'gw-key' },
      autoAdvanceMs: 2000,
      deferredDelayMs: 0,
    });
    expect(readLegacyBssEnv({ LEGACY_BSS_API_KEY: 'k' })).not.toHaveProperty('autoAdvanceMs');
  });

  it.each([
    [{ LEGACY_BSS_API_KEY: 'k', LEGACY_BSS_CALLBACK_URL: 'http://x/y' }, /LEGACY_BSS_CALLBACK_SECRET: required/],
    [
      {
        LEGACY_BSS_API_KEY: 'k',
        LEGACY_BSS_CALLBACK_URL: 'http://x/y',
        LEGACY_BSS_CALLBACK_SECRET: 's',
        LEGACY_BSS_CALLBACK_HEADERS: '["x"]',
      },
      /LEGACY_BSS_CALLBACK_HEADERS: must be a JSON object/,
    ],
    [{ LEGACY_BSS_API_KEY: 'k', LEGACY_BSS_AUTO_ADVANCE_MS: '1.5' }, /LEGACY_BSS_AUTO_ADVANCE_MS: must be a whole number/],
    [{ LEGACY_BSS_API_KEY: 'k', LEGACY_BSS_DEFERRED_DELAY_MS: '-1' }, /LEGACY_BSS_DEFERRED_DELAY_MS/],
    [{}, /LEGACY_BSS_API_KEY: required/],
    [{ LEGACY_BSS_API_KEY: 'k', LEGACY_BSS_PORT: 'http' }, /LEGACY_BSS_PORT: must be an integer/],
    [{ LEGACY_BSS_API_KEY: 'k', LEGACY_BSS_PORT: '70000' }, /LEGACY_BSS_PORT/],
    [{ LEGACY_BSS_API_KEY: 'k', LEGACY_BSS_FAULT_INJECTION: 'yes' }, /LEGACY_BSS_FAULT_INJECTION: must be true or false/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => readLegacyBssEnv(env)).toThrow(message);
  });
});
