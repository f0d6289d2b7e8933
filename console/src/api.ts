/**
 * The console's HTTP client and the shapes of /console/api (the contract: CONSOLE-API.md, docs/console.md).
 * Every call is same-origin with the session cookie; non-GET calls carry `X-Console: 1`, which the server requires
 * so that a cross-site form cannot act for a signed-in user.
 */

/** Who is signed in. */
export interface ConsoleUser {
  name: string;
  role: 'viewer' | 'editor';
}

/** Which ways to sign in the server offers. */
export interface SignInOptions {
  local: boolean;
  oauth2: boolean;
}

/** `GET /console/api/session`. */
export interface SessionInfo {
  user: ConsoleUser;
  signIn: SignInOptions;
}

/** A problem of a configuration or mapping file, with its position. */
export interface FileProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** `GET /console/api/overview`. */
export interface Overview {
  version: string;
  snapshotHash: string;
  reloadedAt?: string;
  lastReload: { result: 'ok' | 'refused'; at: string; problems: FileProblem[] } | null;
  activity: { enabled: boolean };
}

/** The last delivery to one partner callback. */
export interface LastDelivery {
  at: string;
  outcome: 'delivered' | 'retry' | 'dead';
  status?: number;
}

/** One partner as the console shows it. */
export interface Partner {
  id: string;
  name: string;
  releases: Record<string, string>;
  /** business functions (several APIs may serve one) and how the partner may use them */
  functions: { function: string; mode: string }[];
  callbacks: { url: string; lastDelivery: LastDelivery | null }[];
  rateLimits: unknown;
}

/** A fixture's result in the mappings list. */
export interface FixtureResult {
  file: string;
  description?: string;
  ok: boolean;
  diff?: string[] | string;
}

/** One mapping file of a partner (or shared). */
export interface MappingEntry {
  id: string;
  owner: string;
  release?: string;
  api?: string;
  operation?: string;
  step?: string;
  file: string;
  engine: 'compiled' | 'fallback';
  fixtures: FixtureResult[];
}

/** A fixture with its data (mapping source view). */
export interface FixtureData {
  file: string;
  description?: string;
  input: unknown;
  expected?: unknown;
  expectedError?: unknown;
  bindings?: Record<string, unknown>;
}

/** `GET /console/api/mappings/source`. */
export interface MappingSource {
  file: string;
  source: string;
  fixtures: FixtureData[];
}

/** `POST /console/api/playground/evaluate`. */
export type EvaluateResult =
  | { ok: true; output: unknown; ms: number; diff?: string[] }
  | { ok: false; error: { message: string; code?: string; line?: number; column?: number } };

/** One hop of an activity record (src/observability/activity.ts). */
export interface ActivityHop {
  kind: string;
  at: string;
  ms?: number;
  method?: string;
  url?: string;
  status?: number;
  body?: unknown;
  mapping?: string;
  note?: string;
}

/** One recorded request. */
export interface ActivityRecord {
  correlationId: string;
  partnerId?: string;
  release?: string;
  api?: string;
  operationId?: string;
  method: string;
  path: string;
  status: number;
  startedAt: string;
  ms: number;
  hops: ActivityHop[];
}

/** A notification that failed every attempt. */
export interface DeadLetter {
  id: string;
  partnerId: string;
  subscriptionId: string;
  url: string;
  eventType: string;
  eventId: string;
  attempts: number;
  lastError: string;
  failedAt: string;
  body?: unknown;
}

/** `GET /console/api/notifications`. */
export interface NotificationsInfo {
  backlog: { depth: number; oldestQueuedAt?: number | string };
  deadLetters: DeadLetter[];
}

/** `POST /console/api/conformance/runs`. */
export interface ConformanceRun {
  passed: number;
  failed: number;
  skipped: number;
  cases: { name: string; status: 'passed' | 'failed' | 'skipped'; reason?: string; ms: number }[];
}

/** One served OpenAPI document. */
export interface ContractEntry {
  release: string;
  api: string;
  version: string;
  href: string;
}

/** `GET /console/api/openapi`. */
export interface ContractIndex {
  available: boolean;
  reason?: string;
  documents: ContractEntry[];
}

/** A failed call: the HTTP status and the Sonata error body's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

const BASE = '/console/api';

/** Fired on `window` when a call answers 401: the session is gone. */
export const SIGNED_OUT_EVENT = 'console:signed-out';

/** Calls `path` under /console/api; resolves the JSON body (undefined for 204), rejects with {@link ApiError}. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-console'] = '1';
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(BASE + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  // an expired or revoked session: the app shell goes back to the sign-in page
  if (res.status === 401 && path !== '/session') window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, body), body);
  return body as T;
}

function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; reason?: unknown };
    const text = [b.reason, b.message].filter((s): s is string => typeof s === 'string' && s !== '');
    if (text.length > 0) return `${status}: ${[...new Set(text)].join(' — ')}`;
  }
  return `${status}: request failed`;
}

/** `?a=1&b=2` from the defined entries, '' when none. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
