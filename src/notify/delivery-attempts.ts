/**
 * What both queue backends share: the retry arithmetic, one logged delivery attempt, and the default HTTP sender,
 * so that in-process and BullMQ deliveries behave and log the same way.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from '../observability/logger.js';
import { contextFrom, injectTraceHeaders, inSpan, SpanKind } from '../observability/spans.js';
import { CallbackRefusedError, createCallbackGuard } from '../outbound/callback-guard.js';
import type { Delivery, DeliveryOutcome, DeliveryOutcomeListener, DeliveryPartners, RetryPolicy } from './delivery-types.js';
import { isAllowedHost } from './hub-service.js';
import { webhookHeaders } from '../outbound/webhook-signature.js';

/** A listener answered with something other than 2xx (or a custom sender wants a status logged). */
export class DeliveryError extends Error {
  /** HTTP status of the listener's answer, when there was one. */
  readonly status?: number;
  /** trying again cannot help (a refused callback): dead-lettered at once */
  readonly permanent: boolean;

  constructor(message: string, opts: { status?: number; cause?: unknown; permanent?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'DeliveryError';
    if (opts.status !== undefined) this.status = opts.status;
    this.permanent = opts.permanent ?? false;
  }
}

/** 25 attempts, 5 s doubling, capped at 1 h: a Buyer listener may be down for most of a day without losing events. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 25,
  baseDelayMs: 5_000,
  maxDelayMs: 3_600_000,
});

/** Merges overrides into {@link DEFAULT_RETRY_POLICY} and checks the result. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = {
    attempts: overrides.attempts ?? DEFAULT_RETRY_POLICY.attempts,
    baseDelayMs: overrides.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: overrides.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`retry.${name} must be a positive integer (got ${value})`);
  }
  if (policy.maxDelayMs < policy.baseDelayMs) throw new RangeError('retry.maxDelayMs must not be below retry.baseDelayMs');
  return Object.freeze(policy);
}

/** Delay before the next attempt after `attemptsMade` attempts failed (1 = after the first). */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number): number {
  const exponent = Math.max(0, attemptsMade - 1);
  // 2^31 ms is already weeks; clamping the exponent keeps the arithmetic finite for huge attempt counts
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 31));
}

const KEPT_QUERY = new Set(['buyerId', 'sellerId']);

/** The URL as logs and operators may see it: no credentials, query values other than buyerId/sellerId hidden. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    for (const key of new Set(url.searchParams.keys())) {
      if (!KEPT_QUERY.has(key)) url.searchParams.set(key, 'redacted');
    }
    return url.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** Sends one delivery; resolves with the HTTP status when known. */
export type AttemptSender = (d: Delivery) => Promise<number | undefined>;

/**
 * The default sender: POST with keep-alive connections; 2xx delivered, anything else (or no answer) fails. Every
 * attempt carries the Standard Webhooks headers (`webhook-id` = the delivery id, the same on every retry;
 * `webhook-timestamp`; `webhook-signature` when the partner has signing secrets). With `partners`, the callback is
 * checked against the partner's current allow-list and reached only through the callback guard (public addresses,
 * or exactly allow-listed host:port); a refused callback fails permanently.
 */
export function createHttpSender(timeoutMs: number, partners?: DeliveryPartners): { send: AttemptSender; close(): Promise<void> } {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const guard = partners ? createCallbackGuard({ timeoutMs, resolve: partners.resolve, connector: partners.connector }) : undefined;
  const refused = (err: unknown) => new DeliveryError(`callback refused: ${(err as Error).message}`, { permanent: true, cause: err });
  return {
    async send(d) {
      let dispatcher: Dispatcher = agent;
      if (guard && partners) {
        try {
          dispatcher = guard.dispatcherFor(d.url, partners.allowedCallbackHosts(d.partnerId), isAllowedHost);
        } catch (err) {
          if (err instanceof CallbackRefusedError) throw refused(err);
          throw err;
        }
      }
      const body = JSON.stringify(d.body);
      const signing = webhookHeaders(d.id, Math.floor(Date.now() / 1000), body, partners?.signingSecrets(d.partnerId) ?? []);
      // the listener POST: a CLIENT span (named by the event type; the URL is the partner's and holds ids)
      return inSpan(
        `notification POST ${d.eventType}`,
        { 'http.request.method': 'POST', 'sonata.event_type': d.eventType, 'sonata.partner': d.partnerId },
        async (span) => {
          let res;
          try {
            res = await request(d.url, {
              method: 'POST',
              headers: injectTraceHeaders({
                'content-type': 'application/json;charset=utf-8',
                accept: 'application/json',
                ...signing,
              }),
              body,
              dispatcher,
              // headers/body timeouts bound each phase; this bounds the whole exchange
              signal: AbortSignal.timeout(timeoutMs),
            });
          } catch (err) {
            const cause = err instanceof CallbackRefusedError ? err : (err as { cause?: unknown })?.cause;
            if (cause instanceof CallbackRefusedError) throw refused(cause);
            throw err;
          }
          span.setAttribute('http.response.status_code', res.statusCode);
          // drain, so the keep-alive connection can be reused; a listener's error body is not needed
          await res.body.dump().catch(() => undefined);
          if (res.statusCode < 200 || res.statusCode > 299)
            throw new DeliveryError(`listener answered ${res.statusCode}`, { status: res.statusCode });
          return res.statusCode;
        },
        SpanKind.CLIENT,
      );
    },
    async close() {
      await agent.close();
      await guard?.close();
    },
  };
}

/** Wraps a user sender (resolves void) as an {@link AttemptSender}. */
export function fromUserSender(send: (d: Delivery) => Promise<void>): AttemptSender {
  return async (d) => {
    await send(d);
    return undefined;
  };
}

/** One line for logs and dead letters: the error message, plus its cause's (undici puts the socket error there). */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error && err.cause.message !== err.message ? ` (${err.cause.message})` : '';
    return `${err.message || err.name}${cause}`;
  }
  return String(err);
}

/** Outcome of one attempt, already logged. */
export type AttemptOutcome =
  { ok: true; status?: number } | { ok: false; final: boolean; error: string; nextDelayMs?: number; permanent?: boolean; status?: number };

/**
 * Makes attempt number `attempt` (1-based) of `d` and logs it: info when delivered, warn with the next delay when it
 * will be retried, error when it was the last attempt.
 */
export async function attemptDelivery(
  send: AttemptSender,
  logger: Logger,
  policy: RetryPolicy,
  d: Delivery,
  attempt: number,
  onOutcome?: DeliveryOutcomeListener,
): Promise<AttemptOutcome> {
  // a CONSUMER span in the trace the delivery was queued in; the listener POST is its child
  return inSpan(
    'notification delivery',
    { 'sonata.event_type': d.eventType, 'sonata.partner': d.partnerId, 'sonata.delivery.attempt': attempt },
    async (span) => {
      const outcome = await attemptOnce(send, logger, policy, d, attempt);
      const name: DeliveryOutcome = outcome.ok ? 'delivered' : outcome.final ? 'dead' : 'retry';
      span.setAttribute('sonata.delivery.outcome', name);
      if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: name });
      onOutcome?.(name, d, { attempt, status: outcome.status, ...(!outcome.ok && { error: outcome.error }) });
      return outcome;
    },
    SpanKind.CONSUMER,
    contextFrom(d.traceContext),
  );
}

async function attemptOnce(
  send: AttemptSender,
  logger: Logger,
  policy: RetryPolicy,
  d: Delivery,
  attempt: number,
): Promise<AttemptOutcome> {
  const meta = {
    deliveryId: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    partnerId: d.partnerId,
    subscriptionId: d.subscriptionId,
    url: redactUrl(d.url),
    attempt,
  };
  try {
    const status = await send(d);
    logger.info('notification delivered', { ...meta, ...(status !== undefined && { status }) });
    return { ok: true, ...(status !== undefined && { status }) };
  } catch (err) {
    const error = errorText(err);
    const status = err instanceof DeliveryError ? err.status : undefined;
    const detail = { ...meta, ...(status !== undefined && { status }), error };
    if (err instanceof DeliveryError && err.permanent) {
      logger.error('notification dead-lettered: retrying cannot help', { ...detail, attempts: attempt });
      return { ok: false, final: true, permanent: true, error, ...(status !== undefined && { status }) };
    }
    if (attempt >= policy.attempts) {
      logger.error('notification dead-lettered after its last attempt', { ...detail, attempts: attempt });
      return { ok: false, final: true, error, ...(status !== undefined && { status }) };
    }
    const nextDelayMs = retryDelayMs(policy, attempt);
    logger.warn('notification delivery failed; will retry', { ...detail, nextDelayMs });
    return { ok: false, final: false, error, nextDelayMs, ...(status !== undefined && { status }) };
  }
}
