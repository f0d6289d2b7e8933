// Helpers for the legacy BSS domain tests (customers ... faults): a simulator with a settable clock
// and a small client speaking its envelope.
import { expect } from 'vitest';
import { startLegacyBss, type RunningLegacyBss, type StartLegacyBssOptions } from '../../simulators/src/legacy-bss/start-legacy-bss.js';
import { SHIPPED_DATA_DIR } from './legacy-bss-test-client.js';

export const DOMAIN_API_KEY = 'domain-test-key';

/** The seeded customers. */
export const ACME = 'C-100042';
export const GLOBEX = 'C-100077';
export const INITECH = 'C-100099';

/** Legacy answers are loosely typed JSON; tests assert on the fields they care about. */
export type LegacyJson = Record<string, any>;

/** A running simulator with a clock the test moves. */
export interface DomainSim {
  readonly bss: RunningLegacyBss;
  /** Current simulated instant; assign to move time. */
  clock: Date;
  /** GET (no body) or POST (body) below `/bss/v2`; expects HTTP 200 and returns the JSON answer. */
  call(path: string, body?: unknown): Promise<LegacyJson>;
  /** Like `call`, but expects RC 0 and returns the answer. */
  ok(path: string, body?: unknown): Promise<LegacyJson>;
  close(): Promise<void>;
}

/** Monday 2 March 2026, 10:00 Berlin (CET). */
export const MONDAY_10_00 = new Date('2026-03-02T09:00:00Z');

/** Starts a simulator on the shipped seed with its clock at {@link MONDAY_10_00}. */
export async function startDomainSim(options: Partial<StartLegacyBssOptions> = {}): Promise<DomainSim> {
  const state = { clock: MONDAY_10_00 };
  const bss = await startLegacyBss({
    apiKey: DOMAIN_API_KEY,
    dataDir: SHIPPED_DATA_DIR,
    now: () => state.clock,
    ...options,
  });
  const call = async (path: string, body?: unknown): Promise<LegacyJson> => {
    const res = await fetch(`${bss.url}/bss/v2${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'X-BSS-Api-Key': DOMAIN_API_KEY, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${path}: ${await res.text()}`);
    return (await res.json()) as LegacyJson;
  };
  return {
    bss,
    get clock() {
      return state.clock;
    },
    set clock(value: Date) {
      state.clock = value;
    },
    call,
    async ok(path, body) {
      const answer = await call(path, body);
      if (answer['RC'] !== 0) throw new Error(`expected RC 0 for ${path}, got ${JSON.stringify(answer)}`);
      return answer;
    },
    close: () => bss.close(),
  };
}

/** The RC 8 shape: result code, field, and a message matching `message`. */
export function inputError(field: string | null, message: RegExp = /./): LegacyJson {
  return { RC: 8, ERR_FIELD: field, MSG: expect.stringMatching(message) };
}

/** One line for feasibility/offer/order requests, overridable. */
export function newLine(overrides: LegacyJson = {}): LegacyJson {
  return { LINE_REF: '1', ACTION: 'NEW', PROD_CODE: 'ELINE', BW_MBPS: 100, ADDR_KEY: 'NC-DE-000123', ...overrides };
}
