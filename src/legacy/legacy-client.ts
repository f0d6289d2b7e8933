import { Agent, errors as undiciErrors, request } from 'undici';
import { GatewayError } from '../errors/catalogue.js';
import type { Logger } from '../observability/logger.js';
import { mappingName, type CapturingActivityLog } from '../observability/activity-log.js';
import { injectTraceHeaders, inSpan, SpanKind } from '../observability/spans.js';
import type { LegacyOperationDef } from '../registry/registry.js';
import { BreakerOpenError, createBreakerBoard, type BreakerBoard, type BreakerSettings } from '../outbound/circuit-breakers.js';
import { waitBeforeRetry, type RetrySettings } from '../outbound/retry-backoff.js';
import { errorCode, errorMessage, isRecord, parseJson, stringMember } from '../json/unknown-values.js';
import { classifyUpstreamFailure, isUpstreamFailure, type UpstreamFailure } from './upstream-failure.js';

export interface LegacyCallOptions {
  pathParams?: Readonly<Record<string, string>>;
  body?: unknown;
  requestId: string;
  /** legacy field name -> JSON pointer in the partner's request, for RC 8 answers */
  fieldPaths?: Readonly<Record<string, string>>;
  /** extra headers passed on to the legacy BSS (only those config allows, see legacy.forwardHeaders) */
  headers?: Readonly<Record<string, string>>;
  logger: Logger;
  /** the mapping files that made the request body and that read the answer (named in the activity log) */
  mappings?: { readonly request?: string; readonly answer?: string };
}

export interface LegacyClient {
  /** Calls one legacy operation; resolves to the parsed body of an RC 0 answer, throws GatewayError otherwise. */
  call(op: LegacyOperationDef, opts: LegacyCallOptions): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface LegacyClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** keep-alive connections kept per origin */
  connections?: number;
  /** retries of operations marked `safeToRetry` (default: 2 attempts, 100 ms base, 1 s cap) */
  retry?: RetrySettings;
  /** the breaker in front of the BSS (default: off) */
  breaker?: BreakerSettings;
  /** where the breaker is kept (metrics, /readyz); default: a board of its own */
  breakers?: BreakerBoard;
  /** records each call and its answer in the request's activity capture, when there is one */
  activity?: CapturingActivityLog;
}

/** Name of the legacy BSS's breaker in metrics and /readyz. */
export const LEGACY_BREAKER = 'legacy-bss';
const DEFAULT_RETRY: RetrySettings = { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000 };
const OFF: BreakerSettings = {
  enabled: false,
  volumeThreshold: 1,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 1000,
  rollingWindowMs: 1000,
};

const SYSTEM = 'the legacy BSS';

/**
 * HTTP client for the legacy BSS over one keep-alive undici Agent, behind a circuit breaker: once the BSS keeps
 * failing (refused, timing out, 5xx, RC 12), calls fail at once with 503 `upstream.unavailable` and a
 * `Retry-After` until a probe succeeds. Only operations marked `safeToRetry` (and GETs) are retried (jittered backoff), and
 * only after a failure that says nothing was done (refused/reset, HTTP 502/503/504, RC 12), never after a timeout:
 * a second full wait would only double the partner's.
 */
export function createLegacyClient(opts: LegacyClientOptions): LegacyClient {
  const agent = new Agent({
    connections: opts.connections ?? 64,
    keepAliveTimeout: 30_000,
    connect: { timeout: opts.timeoutMs },
  });
  const base = opts.baseUrl.replace(/\/$/, '');
  const retry = opts.retry ?? DEFAULT_RETRY;
  const breaker = (opts.breakers ?? createBreakerBoard()).get(LEGACY_BREAKER, opts.breaker ?? OFF, countsAgainstBss);

  const pathOf = (op: LegacyOperationDef, o: LegacyCallOptions): string =>
    op.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => encodeURIComponent(o.pathParams?.[name] ?? ''));
  const exchange: Exchange = { agent, base, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs, serverAttributes: serverAttributesOf(base) };

  return {
    async call(op, o) {
      const started = performance.now();
      o.logger.debug('legacy call started', { legacyOperation: op.name });
      const path = pathOf(op, o);
      const capture = opts.activity?.current();
      const seen: Seen | undefined = capture ? {} : undefined;
      capture?.hop({
        kind: 'legacy-request',
        method: op.method,
        url: `${base}${path}`,
        body: o.body,
        mapping: mappingName(o.mappings?.request),
        note: op.name,
      });
      const answered = (tries: number, note?: string) =>
        capture?.hop({
          kind: 'legacy-response',
          status: seen?.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          body: parsedOrText(seen?.text),
          mapping: mappingName(o.mappings?.answer),
          note: [note, tries > 1 ? `${tries} tries` : undefined].filter(Boolean).join('; ') || undefined,
        });
      for (let tries = 1; ; tries++) {
        try {
          const body = await breaker.run(() => attempt(exchange, op, o, path, seen));
          o.logger.debug('legacy call', {
            legacyOperation: op.name,
            ms: Math.round(performance.now() - started),
            tries,
          });
          answered(tries);
          return body;
        } catch (err) {
          if (err instanceof GatewayError) throw err;
          if (err instanceof BreakerOpenError) {
            answered(tries, 'circuit open: not called');
            o.logger.warn('legacy call refused: breaker open', {
              legacyOperation: op.name,
              retryAfterMs: err.retryAfterMs,
              tries,
            });
            throw new GatewayError(
              'upstream.unavailable',
              `${SYSTEM} failed repeatedly; the gateway is not calling it for the next ${Math.ceil(err.retryAfterMs / 1000)} s`,
              {
                headers: { 'Retry-After': String(Math.ceil(err.retryAfterMs / 1000)) },
              },
            );
          }
          const failure = isUpstreamFailure(err) ? err : toFailure(err);
          // GETs are safe by definition; anything else only when its operations.yaml says so
          if ((op.safeToRetry || op.method.toUpperCase() === 'GET') && tries < retry.attempts && nothingDone(failure)) {
            o.logger.info('legacy call failed; retrying (safe to repeat)', {
              legacyOperation: op.name,
              failure,
              tries,
            });
            await waitBeforeRetry(retry, tries);
            continue;
          }
          o.logger.warn('legacy call failed', { legacyOperation: op.name, failure, tries });
          answered(tries, describeFailure(failure));
          throw classifyUpstreamFailure(failure, { system: SYSTEM, fieldPaths: o.fieldPaths });
        }
      }
    },
    close: () => agent.close(),
  };
}

/** What one HTTP exchange with the BSS needs: the agent, where and how to call, the span's server attributes. */
interface Exchange {
  readonly agent: Agent;
  readonly base: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly serverAttributes: Readonly<Record<string, string | number>>;
}

/** The HTTP status and body text of the last answer (activity capture only). */
interface Seen {
  status?: number;
  text?: string;
}

function serverAttributesOf(base: string): Record<string, string | number> {
  const server = new URL(base);
  return {
    'server.address': server.hostname,
    'server.port': Number(server.port || (server.protocol === 'https:' ? 443 : 80)),
  };
}

// one CLIENT span per HTTP exchange (a retry is a second one), carrying the trace to the BSS in `traceparent`;
// `seen` (activity capture only) receives the HTTP status and body text of the last answer
function attempt(x: Exchange, op: LegacyOperationDef, o: LegacyCallOptions, path: string, seen?: Seen): Promise<Record<string, unknown>> {
  return inSpan(
    `legacy ${op.name}`,
    {
      ...x.serverAttributes,
      'http.request.method': op.method.toUpperCase(),
      'url.template': op.path,
      'sonata.legacy.operation': op.name,
    },
    async (span) => {
      let res;
      try {
        res = await request(`${x.base}${path}`, {
          method: op.method as 'GET',
          dispatcher: x.agent,
          headers: injectTraceHeaders({
            ...o.headers,
            'content-type': 'application/json',
            accept: 'application/json',
            'x-bss-api-key': x.apiKey,
            'x-request-id': o.requestId,
          }),
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
          headersTimeout: x.timeoutMs,
          bodyTimeout: x.timeoutMs,
          // headers/body timeouts bound each phase (a trickling body resets the latter); this bounds the whole exchange
          signal: AbortSignal.timeout(x.timeoutMs),
        });
      } catch (err) {
        throw toFailure(err);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      const text = await res.body.text().catch((err: unknown) => {
        throw toFailure(err);
      });
      if (seen) {
        seen.status = res.statusCode;
        seen.text = text;
      }
      if (res.statusCode !== 200) throw { kind: 'http', status: res.statusCode, detail: text.slice(0, 120) } satisfies UpstreamFailure;
      const body = readLegacyAnswer(text);
      span.setAttribute('sonata.legacy.rc', body.RC);
      if (body.RC !== 0) {
        throw {
          kind: 'result-code',
          rc: body.RC,
          message: String(body.MSG ?? ''),
          field: typeof body.ERR_FIELD === 'string' ? body.ERR_FIELD : undefined,
        } satisfies UpstreamFailure;
      }
      return body;
    },
    SpanKind.CLIENT,
  );
}

/** The answer body of an HTTP 200: a JSON object with a numeric RC, else an unreadable answer (thrown). */
function readLegacyAnswer(text: string): Record<string, unknown> & { RC: number } {
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch {
    throw { kind: 'bad-body', detail: 'not JSON' } satisfies UpstreamFailure;
  }
  if (!isRecord(parsed)) throw { kind: 'bad-body', detail: 'no RC result code' } satisfies UpstreamFailure;
  const rc = parsed.RC;
  if (typeof rc !== 'number') throw { kind: 'bad-body', detail: 'no RC result code' } satisfies UpstreamFailure;
  return { ...parsed, RC: rc };
}

/** An answer body as recorded: parsed JSON, else the text (or nothing). */
function parsedOrText(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return parseJson(text);
  } catch {
    return text.slice(0, 2000);
  }
}

function describeFailure(f: UpstreamFailure): string {
  switch (f.kind) {
    case 'result-code':
      return `RC ${f.rc}${f.message ? `: ${f.message}` : ''}`;
    case 'http':
      return `HTTP ${f.status}`;
    default:
      return `${f.kind}${'detail' in f && f.detail ? `: ${f.detail}` : ''}`;
  }
}

/** Failures that say the BSS is unwell (they open the breaker); a refusal of the request (RC 4/8, 4xx) does not. */
function countsAgainstBss(err: unknown): boolean {
  if (!isUpstreamFailure(err)) return false;
  const f = err;
  switch (f.kind) {
    case 'connect':
    case 'timeout':
    case 'bad-body':
      return true;
    case 'http':
      return f.status >= 500;
    case 'result-code':
      return f.rc === 12;
    default:
      return false;
  }
}

/** Failures after which the BSS did nothing, so an idempotent call may go again. */
function nothingDone(f: UpstreamFailure): boolean {
  return f.kind === 'connect' || (f.kind === 'http' && [502, 503, 504].includes(f.status)) || (f.kind === 'result-code' && f.rc === 12);
}

function toFailure(err: unknown): UpstreamFailure {
  const name = stringMember(err, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', detail: errorMessage(err) };
  if (
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError
  ) {
    return { kind: 'timeout', detail: err.message };
  }
  const code = errorCode(err) ?? '';
  if (
    err instanceof undiciErrors.SocketError ||
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET'].includes(code)
  ) {
    return { kind: 'connect', detail: code || errorMessage(err) };
  }
  return { kind: 'connect', detail: errorMessage(err) };
}
