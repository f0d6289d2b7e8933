import autocannon from 'autocannon';
import { summarizeSamples, type SampleSummary } from './latency-stats.js';

/** One kind of request, sent over and over. */
export interface LoadTarget {
  /** full URL including path */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  connections: number;
  durationS: number;
  /** the run is stopped and rejected when it has not finished this long after its duration (default 30 s) */
  graceMs?: number;
}

/** What one load window measured, from the load generator's side. */
export interface LoadResult {
  durationS: number;
  /** completed responses, any status */
  requests: number;
  requestsPerSecond: number;
  /** latency of 2xx responses in ms, from autocannon's per-response times (sub-millisecond, unlike its histogram) */
  latencyMs: SampleSummary;
  /** connection errors, including timeouts */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
}

/**
 * Runs autocannon (programmatic API) against one target for a fixed duration. Latencies are collected from
 * the `response` events because autocannon's own histogram records whole milliseconds, too coarse for a
 * proxy answering in about one.
 */
export function runLoad(target: LoadTarget, opts: LoadOptions): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const latencies: number[] = [];
    let settled = false;
    const instance = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        // `[<id>]` in a body becomes a unique id per request (order externalIds must differ: a repeat is a replay).
        // Not autocannon's idReplacement: it declares a Content-Length for 33-character ids and its ids are
        // shorter, so the server waits for bytes that never come.
        ...(typeof target.body === 'string' && target.body.includes('[<id>]')
          ? { requests: [{ setupRequest: uniqueIds(target.body) }] }
          : {}),
        connections: opts.connections,
        duration: opts.durationS,
        timeout: 10,
      },
      (err, result) => {
        clearTimeout(guard);
        if (settled) return;
        settled = true;
        if (err) {
          reject(err);
          return;
        }
        const statusCounts: Record<string, number> = {};
        for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCounts[status] = Number(count);
        resolve({
          durationS: result.duration,
          requests: result.requests.total,
          requestsPerSecond: result.requests.total / result.duration,
          latencyMs: summarizeSamples(latencies),
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCounts,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
    const guard = setTimeout(
      () => {
        if (settled) return;
        settled = true;
        instance.stop();
        reject(
          new Error(
            `load on ${target.method} ${target.url} did not finish within ${opts.durationS} s + ${(opts.graceMs ?? 30_000) / 1000} s`,
          ),
        );
      },
      opts.durationS * 1000 + (opts.graceMs ?? 30_000),
    );
  });
}

/** The answer to a single request: status, and the Sonata error `reason` (or the start of the text) when not 2xx. */
export interface ProbeResult {
  status: number;
  reason?: string;
}

/** Sends one request (with a bounded wait) to learn whether a route is there and takes the body. */
export async function probeRequest(target: LoadTarget, timeoutMs = 10_000): Promise<ProbeResult> {
  const res = await fetch(target.url, {
    method: target.method,
    headers: target.headers,
    body: target.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status >= 200 && res.status < 300) return { status: res.status };
  let reason = text.slice(0, 120);
  try {
    const parsed = JSON.parse(text) as unknown;
    const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
    if (first && typeof first === 'object') {
      const o = first as Record<string, unknown>;
      reason =
        [o.reason, o.propertyPath, o.message]
          .filter((v) => typeof v === 'string' && v)
          .join(': ')
          .slice(0, 200) || reason;
    }
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, reason };
}

/** Client-credentials token from the gateway's /oauth2/token; throws with the answer when refused. */
export async function fetchToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
  });
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`token request for ${clientId} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A request builder that gives each request its own `[<id>]` (run-unique: process id and a counter). */
function uniqueIds(body: string): (request: Record<string, unknown>) => Record<string, unknown> {
  let n = 0;
  return (request) => ({ ...request, body: body.split('[<id>]').join(`${process.pid}-${(n++).toString(36)}`) });
}
