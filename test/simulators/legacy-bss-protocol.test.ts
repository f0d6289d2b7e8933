import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLegacyBss, type RunningLegacyBss } from '../../simulators/src/legacy-bss/start-legacy-bss.js';
import { SHIPPED_DATA_DIR, type LegacyAnswer } from './legacy-bss-test-client.js';

const API_KEY = 'protocol-test-key';
// 13:03 UTC is 14:03 in Berlin in winter (CET).
let clock = new Date('2026-11-25T13:03:00Z');
let withFaults: RunningLegacyBss;
let withoutFaults: RunningLegacyBss;

beforeAll(async () => {
  withFaults = await startLegacyBss({
    apiKey: API_KEY,
    dataDir: SHIPPED_DATA_DIR,
    faultInjection: true,
    now: () => clock,
  });
  withoutFaults = await startLegacyBss({ apiKey: API_KEY, dataDir: SHIPPED_DATA_DIR });
});
afterAll(async () => {
  await Promise.all([withFaults?.close(), withoutFaults?.close()]);
});

const lookupKey = 'NC-DE-000123';

function getAddress(server: RunningLegacyBss, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/bss/v2/address/${lookupKey}`, { headers, signal });
}

describe('authentication', () => {
  it.each([
    ['missing', {}],
    ['wrong', { 'X-BSS-Api-Key': 'not-the-key' }],
    ['empty', { 'X-BSS-Api-Key': '' }],
  ])('rejects a %s API key with HTTP 401 RC 16', async (_case, headers) => {
    const res = await getAddress(withoutFaults, headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toStrictEqual({ RC: 16, MSG: 'API key rejected' });
  });

  it('rejects the address check without a key before reading the body', async () => {
    const res = await fetch(`${withoutFaults.url}/bss/v2/address/check`, { method: 'POST', body: 'not json' });
    expect(res.status).toBe(401);
  });

  it('accepts the configured key', async () => {
    const res = await getAddress(withoutFaults, { 'X-BSS-Api-Key': API_KEY });
    expect(res.status).toBe(200);
    expect(((await res.json()) as LegacyAnswer).RC).toBe(0);
  });

  it('refuses to start with an empty key', async () => {
    await expect(startLegacyBss({ apiKey: '', dataDir: SHIPPED_DATA_DIR })).rejects.toThrow(/apiKey/);
  });
});

describe('health', () => {
  it('answers without a key, with the system name and the Berlin wall-clock time', async () => {
    clock = new Date('2026-11-25T13:03:00Z');
    const winter = await fetch(`${withFaults.url}/bss/v2/health`);
    expect(winter.status).toBe(200);
    expect(await winter.json()).toStrictEqual({ RC: 0, MSG: 'OK', SYSTEM: 'NETCORE-BSS-SIM', TS: '25.11.2026 14:03' });

    // Summer time (CEST, UTC+2).
    clock = new Date('2026-07-01T22:30:00Z');
    const summer = (await (await fetch(`${withFaults.url}/bss/v2/health`)).json()) as LegacyAnswer;
    expect(summer.TS).toBe('02.07.2026 00:30');
  });
});

describe('unknown functions', () => {
  it('answers HTTP 200 RC 4 for an unknown path under /bss/v2', async () => {
    const res = await fetch(`${withoutFaults.url}/bss/v2/invoices/42`, { headers: { 'X-BSS-Api-Key': API_KEY } });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ RC: 4, MSG: 'function unknown' });
  });
});

describe('fault injection (X-Sim-Fault)', () => {
  const faultHeaders = (fault: string): Record<string, string> => ({ 'X-BSS-Api-Key': API_KEY, 'X-Sim-Fault': fault });

  it('rc12 answers HTTP 200 with RC 12', async () => {
    const res = await getAddress(withFaults, faultHeaders('rc12'));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as LegacyAnswer;
    expect(answer.RC).toBe(12);
    expect(answer.MSG).toMatch(/system error/);
    expect(answer).not.toHaveProperty('ADDRESS');
  });

  it('http500 answers HTTP 500 with a plain-text body', async () => {
    const res = await getAddress(withFaults, faultHeaders('http500'));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Internal Server Error');
  });

  it('garbage answers HTTP 200 labelled JSON whose body does not parse', async () => {
    const res = await getAddress(withFaults, faultHeaders('garbage'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.text();
    expect(() => JSON.parse(body)).toThrow(SyntaxError);
  });

  it('reset destroys the connection without an answer', async () => {
    await expect(getAddress(withFaults, faultHeaders('reset'))).rejects.toThrow(TypeError);
    // The server keeps serving other requests.
    expect((await getAddress(withFaults, { 'X-BSS-Api-Key': API_KEY })).status).toBe(200);
  });

  it('delay=<ms> answers normally, but not before the delay has passed', async () => {
    const started = performance.now();
    const res = await getAddress(withFaults, faultHeaders('delay=150'));
    const elapsed = performance.now() - started;
    expect(((await res.json()) as LegacyAnswer).ADDRESS?.ADDR_KEY).toBe(lookupKey);
    // Lower bound only (a margin for timer rounding); how much longer it takes is the machine's business.
    expect(elapsed).toBeGreaterThanOrEqual(140);
  });

  it('delay holds the answer back long enough for a client timeout to fire first', async () => {
    const request = getAddress(withFaults, faultHeaders('delay=60000'), AbortSignal.timeout(100));
    await expect(request).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('combines a delay with another fault', async () => {
    const res = await getAddress(withFaults, faultHeaders('delay=20, rc12'));
    expect(((await res.json()) as LegacyAnswer).RC).toBe(12);
  });

  it('applies to health as well, so readiness probes can be tested', async () => {
    const res = await fetch(`${withFaults.url}/bss/v2/health`, { headers: { 'X-Sim-Fault': 'http500' } });
    expect(res.status).toBe(500);
  });

  it('answers HTTP 400 for an unsupported directive, naming it', async () => {
    const res = await getAddress(withFaults, faultHeaders('explode'));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/explode/);
  });

  it('is ignored unless the simulator was created with faultInjection: true', async () => {
    const res = await getAddress(withoutFaults, faultHeaders('http500'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as LegacyAnswer).RC).toBe(0);
  });

  it('close() returns while a delayed request is still pending', async () => {
    const server = await startLegacyBss({ apiKey: API_KEY, dataDir: SHIPPED_DATA_DIR, faultInjection: true });
    // Node publishes every request the HTTP server starts handling; wait for ours to be in the
    // simulator's hands before closing.
    const arrived = new Promise<void>((resolve) => {
      const onRequestStart = (message: unknown): void => {
        const url = (message as { request: IncomingMessage }).request.url ?? '';
        if (!url.endsWith(lookupKey)) return;
        diagnosticsChannel.unsubscribe('http.server.request.start', onRequestStart);
        resolve();
      };
      diagnosticsChannel.subscribe('http.server.request.start', onRequestStart);
    });
    const outcome = getAddress(server, faultHeaders('delay=60000')).then(
      () => 'answered',
      () => 'dropped',
    );
    await arrived;
    await server.close();
    expect(await outcome).toBe('dropped');
  });
});
