/**
 * What both queue backends share: the retry arithmetic, one logged delivery attempt, and the default HTTP sender,
 * so that in-process and BullMQ deliveries behave and log the same way.
 */
import { Agent, request } from 'undici';
import type { Logger } from '../observability/logger.js';
import type { Delivery, RetryPolicy } from './delivery-queue.js';

/** A listener answered with something other than 2xx (or a custom sender wants a status logged). */
export class DeliveryError extends Error {
  /** HTTP status of the listener's answer, when there was one. */
  readonly status?: number;

  constructor(message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'DeliveryError';
    if (opts.status !== undefined) this.status = opts.status;
  }
}

/** 25 attempts, 5 s doubling, capped at 1 h: a Buyer listener may be down for most of a day without losing events. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ attempts: 25, baseDelayMs: 5_000, maxDelayMs: 3_600_000 });

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

/** The default sender: POST with keep-alive connections; 2xx delivered, anything else (or no answer) fails. */
export function createHttpSender(timeoutMs: number): { send: AttemptSender; close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return {
    async send(d) {
      const res = await request(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=utf-8', accept: 'application/json' },
        body: JSON.stringify(d.body),
        dispatcher: agent,
        // headers/body timeouts bound each phase; this bounds the whole exchange
        signal: AbortSignal.timeout(timeoutMs),
      });
      // drain, so the keep-alive connection can be reused; a listener's error body is not needed
      await res.body.dump().catch(() => undefined);
      if (res.statusCode < 200 || res.statusCode > 299) throw new DeliveryError(`listener answered ${res.statusCode}`, { status: res.statusCode });
      return res.statusCode;
    },
    close: () => agent.close(),
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
  | { ok: true }
  | { ok: false; final: boolean; error: string; nextDelayMs?: number };

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
): Promise<AttemptOutcome> {
  const meta = {
    deliveryId: d.id, eventId: d.eventId, eventType: d.eventType, partnerId: d.partnerId,
    subscriptionId: d.subscriptionId, url: redactUrl(d.url), attempt,
  };
  try {
    const status = await send(d);
    logger.info('notification delivered', { ...meta, ...(status !== undefined && { status }) });
    return { ok: true };
  } catch (err) {
    const error = errorText(err);
    const status = err instanceof DeliveryError ? err.status : undefined;
    const detail = { ...meta, ...(status !== undefined && { status }), error };
    if (attempt >= policy.attempts) {
      logger.error('notification dead-lettered after its last attempt', { ...detail, attempts: attempt });
      return { ok: false, final: true, error };
    }
    const nextDelayMs = retryDelayMs(policy, attempt);
    logger.warn('notification delivery failed; will retry', { ...detail, nextDelayMs });
    return { ok: false, final: false, error, nextDelayMs };
  }
}
