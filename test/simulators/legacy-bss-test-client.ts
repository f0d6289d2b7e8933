// Shared helpers for the legacy BSS simulator tests: a thin fetch client and the answer shapes.
import { fileURLToPath } from 'node:url';

/** The shipped seed folder, loaded exactly as `npm start` loads it. */
export const SHIPPED_DATA_DIR = fileURLToPath(new URL('../../simulators/data/legacy-bss', import.meta.url));

export interface LegacyCandidate {
  ADDR_KEY: string;
  HOUSE_NO: string;
  HOUSE_NO_SFX: string | null;
  STREET: string;
  STREET_TYPE: string | null;
  TOWN: string;
  DISTRICT: string | null;
  POST_CODE: string;
  REGION: string | null;
  COUNTRY: string;
  GEO: { LAT: number; LON: number };
  SCORE: number;
  NEW_SITE: 'Y' | 'N';
  PUBLIC_SITE: 'Y' | 'N' | '?';
  LAST_UPD: string;
  BLDG: string | null;
  FLOOR: string | null;
  UNIT: string | null;
}

export interface LegacyAnswer {
  RC: number;
  MSG: string;
  ERR_FIELD?: string | null;
  RESULT?: 'MATCH' | 'PARTIAL' | 'NO_MATCH';
  CANDIDATES?: LegacyCandidate[];
  ADDRESS?: Omit<LegacyCandidate, 'SCORE'>;
  SYSTEM?: string;
  TS?: string;
}

/** POSTs a raw body to the simulator; returns the HTTP status and parsed JSON answer. */
export async function postRaw(
  baseUrl: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; answer: LegacyAnswer }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, answer: (await res.json()) as LegacyAnswer };
}

/** Calls `POST /bss/v2/address/check` with a valid key and expects HTTP 200. */
export async function checkAddress(baseUrl: string, apiKey: string, body: Record<string, unknown>): Promise<LegacyAnswer> {
  const { status, answer } = await postRaw(baseUrl, '/bss/v2/address/check', JSON.stringify(body), {
    'X-BSS-Api-Key': apiKey,
  });
  if (status !== 200) throw new Error(`expected HTTP 200, got ${status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Keys of the candidates, in answer order. */
export function candidateKeys(answer: LegacyAnswer): string[] {
  return (answer.CANDIDATES ?? []).map((candidate) => candidate.ADDR_KEY);
}
