/**
 * Outbound HTTP to partner sellers' Sonata APIs: one keep-alive undici Agent and one circuit breaker per seller
 * (while a seller keeps failing, calls fail at once with `circuit-open`, nothing sent), a timeout on every call,
 * OAuth 2.0 client-credentials tokens cached in the store (so every gateway instance shares them) until shortly
 * before they expire, and exactly one token refresh when the seller answers 401. Only calls marked safe to repeat
 * (and GETs) are retried, with jittered backoff, and only when nothing or an overload answer came back; a create
 * is never sent twice, except after a 401, which means the seller did not process it.
 */
import { Agent, errors as undiciErrors, request } from 'undici';
import type { Logger } from '../observability/logger.js';
import type { CapturingActivityLog } from '../observability/activity-log.js';
import { injectTraceHeaders, inSpan, SpanKind } from '../observability/spans.js';
import { BreakerOpenError, createBreakerBoard, type BreakerBoard, type BreakerSettings } from '../outbound/circuit-breakers.js';
import { waitBeforeRetry, type RetrySettings } from '../outbound/retry-backoff.js';
import { StoreUnavailableError, type Store } from '../state/store.js';
import type { SellerFailure, SellerIssue } from './seller-failure.js';
import { errorCode, isRecord, parseJson, recordOrUndefined, stringMember } from '../json/unknown-values.js';

/** Where and how to reach one seller. */
export interface SellerEndpoint {
  /** origin (and optional base path) the Sonata paths are appended to */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** per call: connect, headers and body each, and the whole exchange */
  timeoutMs: number;
}

/** One call. */
export interface SellerCall {
  /** partner id of the seller (agent, token cache key, logs) */
  seller: string;
  /** the buyer operation (createQuote, registerHub...), for metrics; never an id or path */
  operation?: string;
  endpoint: SellerEndpoint;
  method: string;
  /** path below baseUrl, e.g. `/mefApi/sonata/quoteManagement/v8/quote` */
  path: string;
  query?: Readonly<Record<string, string>>;
  body?: unknown;
  /** repeating it changes nothing at the seller: may be retried once on a connection failure or 502/503/504 */
  safeToRetry: boolean;
  requestId: string;
  /** the legacy BSS's Idempotency-Key of a create, passed on so the seller can deduplicate our retries too */
  idempotencyKey?: string;
  logger: Logger;
}

export interface SellerAnswer {
  status: number;
  /** parsed JSON, or undefined for an empty body */
  body: unknown;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Thrown by {@link SellerClient.call} with what went wrong (see classifySellerFailure). */
export class SellerCallError extends Error {
  /** @param answeredStatus the HTTP status of a token endpoint that answered (refused credentials are not an outage) */
  constructor(
    readonly failure: SellerFailure,
    readonly answeredStatus?: number,
  ) {
    super(
      `seller call failed: ${failure.kind}${'status' in failure ? ` ${failure.status}` : ''}${'detail' in failure ? ` (${failure.detail})` : ''}`,
    );
    this.name = 'SellerCallError';
  }
}

export interface SellerClient {
  /** resolves with a 2xx answer; rejects with {@link SellerCallError} otherwise */
  call(c: SellerCall): Promise<SellerAnswer>;
  /** closes every agent */
  close(): Promise<void>;
}

/** Options of {@link createSellerClient}. */
export interface SellerClientOptions {
  /** token cache shared by gateway instances */
  store: Store;
  logger: Logger;
  /** keep-alive connections per seller (default 16) */
  connections?: number;
  /** clock for token expiry (default Date.now) */
  now?: () => number;
  /** retries of calls safe to repeat (default: 2 attempts, 100 ms base, 1 s cap) */
  retry?: RetrySettings;
  /** settings of each seller's breaker (default: off) */
  breaker?: BreakerSettings;
  /** where the breakers are kept (metrics, /readyz); default: a board of its own */
  breakers?: BreakerBoard;
  /** records each call and its answer in the request's activity capture, when there is one */
  activity?: CapturingActivityLog;
}

/** Name of a seller's breaker in metrics and /readyz. */
export const sellerBreakerName = (seller: string) => `seller:${seller}`;
const DEFAULT_RETRY: RetrySettings = { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000 };
const OFF: BreakerSettings = {
  enabled: false,
  volumeThreshold: 1,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 1000,
  rollingWindowMs: 1000,
};

interface CachedToken {
  accessToken: string;
  /** epoch ms after which it is not used any more (a margin before the real expiry) */
  useUntil: number;
}

const RETRY_STATUSES = new Set([502, 503, 504]);

/** Creates the client; agents are made per seller on first use and closed by {@link SellerClient.close}. */
export function createSellerClient(opts: SellerClientOptions): SellerClient {
  const agents = new Map<string, Agent>();
  const now = opts.now ?? Date.now;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const board = opts.breakers ?? createBreakerBoard();
  const breakerFor = (seller: string) => board.get(sellerBreakerName(seller), opts.breaker ?? OFF, countsAgainstSeller);

  const agentFor = (seller: string, endpoint: SellerEndpoint): Agent => {
    const key = `${seller}|${new URL(endpoint.baseUrl).origin}|${endpoint.timeoutMs}`;
    let agent = agents.get(key);
    if (!agent) {
      agent = new Agent({
        connections: opts.connections ?? 16,
        keepAliveTimeout: 30_000,
        connect: { timeout: endpoint.timeoutMs },
      });
      agents.set(key, agent);
    }
    return agent;
  };
  const getToken = createTokenSource(opts.store, now, agentFor);

  /**
   * One exchange through the seller's breaker: a token (cached, or fetched), the call, and one token refresh after a
   * 401 (the seller did not process a request it refused to authenticate, so even a create may go again). An answer
   * of 5xx is thrown as a failure so that it counts against the seller.
   */
  const exchange = async (c: SellerCall): Promise<{ status: number; text: string; headers: SellerAnswer['headers'] }> => {
    let token = await getToken(c);
    let answer = await sendOnce(agentFor, c, token);
    if (answer.status === 401) {
      c.logger.info('seller refused the token; refreshing it once', { seller: c.seller });
      token = await getToken(c, token);
      answer = await sendOnce(agentFor, c, token);
    }
    if (answer.status >= 500) throw new SellerCallError({ kind: 'http', status: answer.status, error: parseError(answer.text) });
    return answer;
  };

  return {
    async call(c) {
      const capture = opts.activity?.current();
      if (!capture) return callSeller(c);
      // the buyer-side request is the seller's: its record is listed under the seller partner
      capture.partnerId ??= c.seller;
      const query = c.query && Object.keys(c.query).length ? `?${new URLSearchParams(c.query).toString()}` : '';
      capture.hop({
        kind: 'seller-request',
        method: c.method,
        url: `${c.endpoint.baseUrl.replace(/\/$/, '')}${c.path}${query}`,
        body: c.body,
        note: c.operation,
      });
      const started = performance.now();
      const ms = () => Math.round((performance.now() - started) * 10) / 10;
      try {
        const answer = await callSeller(c);
        capture.hop({ kind: 'seller-response', status: answer.status, ms: ms(), body: answer.body });
        return answer;
      } catch (err) {
        const failure = err instanceof SellerCallError ? err.failure : undefined;
        capture.hop({
          kind: 'seller-response',
          ms: ms(),
          status: failure && 'status' in failure ? failure.status : undefined,
          body: failure && 'error' in failure ? failure.error : undefined,
          note: failure ? failure.kind : String(err),
        });
        throw err;
      }
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()));
      agents.clear();
    },
  };

  async function callSeller(c: SellerCall): Promise<SellerAnswer> {
    const started = performance.now();
    const breaker = breakerFor(c.seller);
    // GETs are safe by definition; other calls only when the release marks them so
    const safe = c.safeToRetry || c.method.toUpperCase() === 'GET';
    for (let attempt = 1; ; attempt++) {
      let answer;
      try {
        answer = await breaker.run(() => exchange(c));
      } catch (err) {
        if (err instanceof BreakerOpenError) {
          c.logger.warn('seller call refused: breaker open', {
            seller: c.seller,
            method: c.method,
            path: c.path,
            retryAfterMs: err.retryAfterMs,
          });
          throw new SellerCallError({ kind: 'circuit-open', detail: err.message, retryAfterMs: err.retryAfterMs });
        }
        const failure = err instanceof SellerCallError ? err.failure : undefined;
        if (!failure) throw err;
        const again =
          failure.kind === 'connect' || failure.kind === 'reset' || (failure.kind === 'http' && RETRY_STATUSES.has(failure.status));
        if (safe && attempt < retry.attempts && again) {
          c.logger.warn('seller call failed; retrying (safe to repeat)', {
            seller: c.seller,
            method: c.method,
            path: c.path,
            failure: failure.kind,
            attempt,
          });
          await waitBeforeRetry(retry, attempt);
          continue;
        }
        throw err;
      }
      c.logger.debug('seller call', {
        seller: c.seller,
        method: c.method,
        path: c.path,
        status: answer.status,
        ms: Math.round(performance.now() - started),
      });
      if (answer.status < 200 || answer.status > 299) {
        throw new SellerCallError({ kind: 'http', status: answer.status, error: parseError(answer.text) });
      }
      if (answer.text.trim() === '') return { status: answer.status, body: undefined, headers: answer.headers };
      try {
        return { status: answer.status, body: parseJson(answer.text), headers: answer.headers };
      } catch {
        throw new SellerCallError({ kind: 'bad-body', status: answer.status, detail: 'the answer is not JSON' });
      }
    }
  }
}

/** The current token of each seller's client: from the store (shared by instances), else fetched; one fetch at a time per client. */
function createTokenSource(
  store: Store,
  now: () => number,
  agentFor: (seller: string, endpoint: SellerEndpoint) => Agent,
): (c: SellerCall, refuse?: string) => Promise<string> {
  const inFlightTokens = new Map<string, Promise<string>>();
  // used when the store is down, so a Redis outage does not stop buying
  const localTokens = new Map<string, CachedToken>();
  const tokenKey = (c: SellerCall) => `buyer:token:${c.seller}:${c.endpoint.clientId}`;

  const readCached = async (key: string, log: Logger): Promise<CachedToken | undefined> => {
    try {
      const t = await store.getJson<CachedToken>(key);
      return t ?? undefined;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      log.warn("token cache unavailable; using this instance's copy", { error: err.message });
      return localTokens.get(key);
    }
  };

  const fetchToken = async (c: SellerCall): Promise<string> => {
    const { endpoint } = c;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (endpoint.scope) form.set('scope', endpoint.scope);
    const basic = Buffer.from(`${encodeURIComponent(endpoint.clientId)}:${encodeURIComponent(endpoint.clientSecret)}`).toString('base64');
    let status: number;
    let text: string;
    try {
      const res = await request(endpoint.tokenUrl, {
        method: 'POST',
        dispatcher: agentFor(c.seller, endpoint),
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        headersTimeout: endpoint.timeoutMs,
        bodyTimeout: endpoint.timeoutMs,
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new SellerCallError({ kind: 'token', detail: `token endpoint: ${describe(err)}` });
    }
    let parsed: Record<string, unknown> = {};
    try {
      parsed = recordOrUndefined(parseJson(text)) ?? {};
    } catch {
      /* reported below */
    }
    if (status !== 200 || typeof parsed.access_token !== 'string') {
      throw new SellerCallError(
        {
          kind: 'token',
          detail: `token endpoint answered HTTP ${status}${typeof parsed.error === 'string' ? ` ${parsed.error}` : ''}`,
        },
        status,
      );
    }
    const lifetimeS = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 300;
    // stop using a token a little before it expires, so a call does not reach the seller with a dead one
    const marginS = Math.min(30, lifetimeS * 0.1);
    const cached: CachedToken = { accessToken: parsed.access_token, useUntil: now() + (lifetimeS - marginS) * 1000 };
    const key = tokenKey(c);
    localTokens.set(key, cached);
    try {
      await store.setJson(key, cached, { ttlMs: Math.max(1000, (lifetimeS - marginS) * 1000) });
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
    }
    c.logger.info('seller token obtained', { seller: c.seller, expiresIn: lifetimeS });
    return cached.accessToken;
  };

  /** A usable token: cached, or one fetch shared by every concurrent caller of this instance. */
  const getToken = async (c: SellerCall, refuse?: string): Promise<string> => {
    const key = tokenKey(c);
    const cached = await readCached(key, c.logger);
    if (cached && cached.useUntil > now() && cached.accessToken !== refuse) return cached.accessToken;
    if (refuse) {
      // another instance may have refreshed already; only drop the token that failed
      try {
        if ((await store.getJson<CachedToken>(key))?.accessToken === refuse) await store.del(key);
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
      }
      if (localTokens.get(key)?.accessToken === refuse) localTokens.delete(key);
    }
    let pending = inFlightTokens.get(key);
    if (!pending) {
      pending = fetchToken(c).finally(() => inFlightTokens.delete(key));
      inFlightTokens.set(key, pending);
    }
    return pending;
  };
  return getToken;
}

// one CLIENT span per HTTP exchange with the seller (named by the buyer operation, never the path: it holds ids),
// carrying the trace to the seller in `traceparent`
function sendOnce(
  agentFor: (seller: string, endpoint: SellerEndpoint) => Agent,
  c: SellerCall,
  token: string,
): Promise<{ status: number; text: string; headers: SellerAnswer['headers'] }> {
  return inSpan(
    `seller ${c.operation ?? 'call'}`,
    {
      'http.request.method': c.method.toUpperCase(),
      'sonata.seller': c.seller,
      'sonata.buyer.operation': c.operation ?? 'other',
    },
    async (span) => {
      const url = new URL(c.endpoint.baseUrl.replace(/\/$/, '') + c.path);
      for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.set(k, v);
      span.setAttribute('server.address', url.hostname);
      try {
        const res = await request(url, {
          method: c.method as 'GET',
          dispatcher: agentFor(c.seller, c.endpoint),
          headers: injectTraceHeaders({
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            'x-request-id': c.requestId,
            ...(c.idempotencyKey !== undefined && { 'idempotency-key': c.idempotencyKey }),
            ...(c.body !== undefined && { 'content-type': 'application/json;charset=utf-8' }),
          }),
          body: c.body === undefined ? undefined : JSON.stringify(c.body),
          headersTimeout: c.endpoint.timeoutMs,
          bodyTimeout: c.endpoint.timeoutMs,
          // headers/body timeouts bound each phase; this bounds the whole exchange
          signal: AbortSignal.timeout(c.endpoint.timeoutMs),
        });
        span.setAttribute('http.response.status_code', res.statusCode);
        const text = await res.body.text();
        return { status: res.statusCode, text, headers: res.headers };
      } catch (err) {
        throw new SellerCallError(toFailure(err, c.endpoint.timeoutMs));
      }
    },
    SpanKind.CLIENT,
  );
}

/** Failures that say the seller is unwell (they open its breaker); a refusal of the request (4xx) does not. */
function countsAgainstSeller(err: unknown): boolean {
  if (!(err instanceof SellerCallError)) return false;
  const f = err.failure;
  switch (f.kind) {
    case 'connect':
    case 'timeout':
    case 'reset':
      return true;
    case 'token':
      // no answer, or a 5xx, from the token endpoint; refused credentials are our configuration, not its health
      return err.answeredStatus === undefined || err.answeredStatus >= 500;
    case 'http':
      return f.status >= 500;
    default:
      return false;
  }
}

function parseError(text: string): SellerIssue[] | { code?: string; reason?: string; message?: string } | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (Array.isArray(v)) return v.filter((x) => x && typeof x === 'object') as SellerIssue[];
    if (v && typeof v === 'object') return v as { code?: string; reason?: string; message?: string };
  } catch {
    /* not JSON: no details */
  }
  return text.trim() ? { message: text.trim().slice(0, 200) } : undefined;
}

/** undici and fetch errors -> what it means for the request: never sent, timed out, or broken midway. */
function toFailure(err: unknown, timeoutMs: number): SellerFailure {
  const code = errorCode(err) ?? errorCode(isRecord(err) ? err.cause : undefined) ?? '';
  if (err instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT')
    return { kind: 'connect', detail: 'connect timeout' };
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return { kind: 'connect', detail: code };
  const name = stringMember(err, 'name');
  if (
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError'
  ) {
    return { kind: 'timeout', detail: describe(err), afterMs: timeoutMs };
  }
  return { kind: 'reset', detail: code || describe(err) };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
