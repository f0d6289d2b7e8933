/**
 * Durable, at-least-once delivery of rendered notifications to Buyer listeners. With Redis the queue is BullMQ
 * (jobs survive a gateway restart and are shared by every instance); without it an in-process queue applies the
 * same retry policy, for development and single-instance demos where losing pending deliveries on exit is fine.
 */
import type { Logger } from '../observability/logger.js';
import { captureTraceContext, inSpan, SpanKind, type TraceCarrier } from '../observability/spans.js';
import type { Resolver } from '../outbound/callback-guard.js';
import type { buildConnector } from 'undici';
import { createBullmqDeliveryQueue } from './bullmq-delivery-queue.js';
import { createInProcessDeliveryQueue } from './in-process-delivery-queue.js';
import { resolveRetryPolicy } from './delivery-attempts.js';

export { DEFAULT_RETRY_POLICY, DeliveryError } from './delivery-attempts.js';

/** One listener call to make. */
export interface Delivery {
  /** Unique per event and subscription; enqueueing an id that is still pending or dead-lettered is a no-op. */
  id: string;
  partnerId: string;
  subscriptionId: string;
  /** Full listener URL. */
  url: string;
  /** JSON body to POST. */
  body: unknown;
  eventType: string;
  eventId: string;
  /** the request that caused it (its X-Request-Id), when the activity log captured one: delivery hops go there */
  correlationId?: string;
  /**
   * The trace the delivery belongs to (W3C `traceparent`/`tracestate`), captured when it was queued: each attempt's
   * span continues the trace of the request that caused the notification. Absent while tracing is off.
   */
  traceContext?: TraceCarrier;
}

/**
 * What the default HTTP sender needs to know about partners at delivery time (read on every attempt, so an edited
 * profile applies to pending deliveries too).
 */
export interface DeliveryPartners {
  /** the partner's allowed callback hosts now; undefined when the partner is gone */
  allowedCallbackHosts(partnerId: string): readonly string[] | undefined;
  /** its active Standard Webhooks secrets (`whsec_...`); empty = unsigned */
  signingSecrets(partnerId: string): readonly string[];
  /** host resolution of the callback guard (tests); default the system resolver */
  resolve?: Resolver;
  /** the low-level socket connector of the callback guard (tests); default undici's */
  connector?: buildConnector.connector;
}

/** A delivery that failed every attempt. */
export interface DeadLetter extends Delivery {
  attempts: number;
  lastError: string;
  /** ISO timestamp of the last attempt. */
  failedAt: string;
}

export interface DeliveryQueue {
  /** Accepts a delivery; resolves once it is queued (with Redis: stored in Redis), not when delivered. */
  enqueue(d: Delivery): Promise<void>;
  /** Deliveries that failed every attempt, newest first. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Queues a dead letter again with a fresh set of attempts; false when no dead letter has that id. */
  replay(id: string): Promise<boolean>;
  /** Removes a dead letter for good (it is not delivered); false when no dead letter has that id. */
  discard(id: string): Promise<boolean>;
  /** Starts delivering (enqueueing works before). Idempotent. */
  start(): void;
  /** Stops delivering and waits for calls in flight. With Redis, undelivered jobs stay for the next start. */
  close(): Promise<void>;
  /** In-process queue only: resolves when nothing is in flight, waiting or scheduled for retry. */
  idle?(): Promise<void>;
  /** What is queued now (waiting, retrying, in flight) and since when the oldest of it waits; for metrics. */
  backlog(): Promise<{ depth: number; oldestQueuedAt?: number }>;
}

/** What one delivery attempt came to (metrics): delivered, failed and retried later, or dead-lettered. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'dead';

/** The attempt an outcome is about: its number, the listener's HTTP status when it answered, the error if it failed. */
export interface DeliveryAttemptDetail {
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
}

/** Told every attempt's outcome, with the delivery and the attempt. */
export type DeliveryOutcomeListener = (outcome: DeliveryOutcome, delivery: Delivery, detail: DeliveryAttemptDetail) => void;

/** When to try again. Attempt n (n >= 2) waits min(baseDelayMs * 2^(n-2), maxDelayMs) after attempt n-1 failed. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Options of {@link createDeliveryQueue}. */
export interface DeliveryQueueOptions {
  /** REDIS_URL; empty or absent selects the in-process queue. */
  redisUrl?: string;
  /** Redis key prefix of the BullMQ queue (e.g. `sgw:notify`); names the in-process queue in logs. */
  prefix: string;
  logger: Logger;
  /** Overrides of `DEFAULT_RETRY_POLICY` (25 attempts, 5 s doubling, capped at 1 h). */
  retry?: Partial<RetryPolicy>;
  /** Deliveries in flight at once per gateway instance (default 8). */
  concurrency?: number;
  /** Timeout of one listener call, connect to last body byte (default 10 s). */
  timeoutMs?: number;
  /**
   * Makes one attempt; resolving = delivered, rejecting = retry. Default: POST the JSON body with undici and treat any
   * 2xx as delivered. A custom sender can reject with `DeliveryError` to have the HTTP status logged.
   */
  send?: (d: Delivery) => Promise<void>;
  /**
   * Partner-bound deliveries (hub callbacks): the default sender checks each callback against the partner's
   * allow-list and the callback guard, and signs it. Without it callbacks are posted as given (a queue whose URLs
   * come from configuration, not from partners).
   */
  partners?: DeliveryPartners;
  /** told every attempt's outcome (metrics, the activity log) */
  onOutcome?: DeliveryOutcomeListener;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Creates the queue; connects nothing until used (Redis) and delivers nothing until {@link DeliveryQueue.start}. */
export function createDeliveryQueue(opts: DeliveryQueueOptions): DeliveryQueue {
  const common = {
    prefix: opts.prefix,
    logger: opts.logger,
    policy: resolveRetryPolicy(opts.retry),
    concurrency: positiveInteger(opts.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency'),
    timeoutMs: positiveInteger(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    ...(opts.send !== undefined && { send: opts.send }),
    ...(opts.partners !== undefined && { partners: opts.partners }),
    ...(opts.onOutcome !== undefined && { onOutcome: opts.onOutcome }),
  };
  return withTraceContext(opts.redisUrl ? createBullmqDeliveryQueue({ ...common, redisUrl: opts.redisUrl }) : createInProcessDeliveryQueue(common));
}

/**
 * Queues each delivery in a PRODUCER span (`notification enqueue`) and stores that span's context in the job
 * (`traceContext`), so the attempts, however much later and on whichever instance, continue the request's trace.
 */
function withTraceContext(queue: DeliveryQueue): DeliveryQueue {
  return {
    ...queue,
    enqueue: (d) => inSpan('notification enqueue', { 'sonata.event_type': d.eventType, 'sonata.partner': d.partnerId }, async () => {
      const traceContext = d.traceContext ?? captureTraceContext();
      return queue.enqueue(traceContext ? { ...d, traceContext } : d);
    }, SpanKind.PRODUCER),
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  return value;
}
