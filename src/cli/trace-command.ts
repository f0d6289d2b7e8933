/**
 * `sonata-gateway trace <correlation-id>`: one recorded request of a running gateway (its operator route
 * `GET /internal/activity/:correlationId`), printed as its chain of hops. Also the fetch `replay` uses.
 */
import { request } from 'undici';
import { loadConfig } from '../config/load-config.js';
import type { ActivityHop, ActivityRecord } from '../observability/activity.js';
import { errorCode, errorMessage, isRecord, stringMember } from '../json/unknown-values.js';

/** Exit codes shared with the other commands (docs/cli.md). */
const OK = 0;
const PROBLEMS = 1;
const UNREACHABLE = 3;

/** Where the operator routes are and how to authenticate there. */
export interface OperatorTarget {
  /** `--url`: the gateway's admin base URL */
  url?: string;
  /** `--key`: the internal API key */
  key?: string;
  rootDir: string;
  env: string;
  processEnv: Readonly<Record<string, string | undefined>>;
}

/** What fetching a record came to. */
export type FetchedRecord =
  | { kind: 'found'; record: ActivityRecord }
  | { kind: 'not-found'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'unreachable'; message: string };

/** The admin base URL: `--url`, else `SONATA_GATEWAY_URL`, else this machine on ADMIN_PORT, PORT or 8080. */
export function operatorUrl(t: OperatorTarget): string {
  const env = t.processEnv;
  const url = t.url ?? env.SONATA_GATEWAY_URL ?? `http://127.0.0.1:${env.ADMIN_PORT || env.PORT || '8080'}`;
  return url.replace(/\/+$/, '');
}

/** The internal key: `--key`, else `INTERNAL_API_KEY`, else the config's `internal.apiKey` (demo and test ship one). */
export function operatorKey(t: OperatorTarget): string | undefined {
  if (t.key) return t.key;
  if (t.processEnv.INTERNAL_API_KEY) return t.processEnv.INTERNAL_API_KEY;
  try {
    return loadConfig({ rootDir: t.rootDir, env: t.env, processEnv: t.processEnv }).internal.apiKey;
  } catch {
    return undefined;
  }
}

/** Fetches one record from a running gateway. */
export async function fetchActivityRecord(correlationId: string, t: OperatorTarget): Promise<FetchedRecord> {
  const url = `${operatorUrl(t)}/internal/activity/${encodeURIComponent(correlationId)}`;
  const key = operatorKey(t);
  let res;
  try {
    res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...(key && { 'x-internal-api-key': key }) },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
  } catch (err) {
    return {
      kind: 'unreachable',
      message: `${operatorUrl(t)} does not answer: ${errorCode(err) ?? errorMessage(err)}`,
    };
  }
  const text = await res.body.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const reason = stringMember(body, 'message') ?? stringMember(body, 'reason') ?? text.slice(0, 200);
  if (res.statusCode === 200 && isActivityRecord(body)) return { kind: 'found', record: body };
  if (res.statusCode === 404) return { kind: 'not-found', message: `no activity for ${correlationId}: ${reason}` };
  if (res.statusCode === 401 || res.statusCode === 403) {
    return {
      kind: 'refused',
      message: `the gateway refused the internal key (${res.statusCode}): ${reason}; give --key or INTERNAL_API_KEY (scope activity)`,
    };
  }
  return { kind: 'refused', message: `unexpected answer ${res.statusCode} from ${url}: ${reason}` };
}

/** Options of {@link runTrace}. */
export interface TraceValues {
  json?: boolean;
  /** false with --no-bodies */
  bodies?: boolean;
}

/** `trace`: prints the record (exit 0), 1 when unknown or refused, 3 when the gateway does not answer. */
export async function runTrace(
  correlationId: string,
  values: TraceValues,
  t: OperatorTarget,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const fetched = await fetchActivityRecord(correlationId, t);
  if (fetched.kind !== 'found') {
    io.err(`${fetched.message}\n`);
    return fetched.kind === 'unreachable' ? UNREACHABLE : PROBLEMS;
  }
  io.out(values.json ? `${JSON.stringify(fetched.record, null, 2)}\n` : formatTrace(fetched.record, values.bodies !== false));
  return OK;
}

/** The chain of a record: a head line, then one line per hop (kind, method, url, status, ms), bodies indented below. */
export function formatTrace(record: ActivityRecord, bodies: boolean): string {
  const who = [record.partnerId ?? '(no partner)', record.release, record.operationId].filter(Boolean).join(' ');
  const lines = [
    `${record.correlationId}  ${who}`,
    `${record.method} ${record.path} -> ${record.status} in ${record.ms} ms, ${record.startedAt}`,
  ];
  record.hops.forEach((hop, i) => {
    lines.push(`${String(i + 1).padStart(3)} ${hopLine(hop)}`);
    if (bodies && hop.body !== undefined) {
      for (const l of JSON.stringify(hop.body, null, 2).split('\n')) lines.push(`      ${l}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function hopLine(hop: ActivityHop): string {
  const parts = [hop.kind.padEnd(16)];
  if (hop.method) parts.push(hop.method);
  if (hop.url) parts.push(hop.url);
  if (hop.status !== undefined) parts.push(String(hop.status));
  if (hop.ms !== undefined) parts.push(`${hop.ms} ms`);
  if (hop.mapping) parts.push(`[${hop.mapping}]`);
  if (hop.note) parts.push(`(${hop.note})`);
  return parts.join(' ');
}

/** An activity record the way the gateway's activity endpoint sends it: an object with its hops (printed unchanged otherwise). */
function isActivityRecord(body: unknown): body is ActivityRecord {
  return isRecord(body) && Array.isArray(body.hops);
}
