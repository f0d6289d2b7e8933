/** The notification queue's types: what is delivered, to whom, and what each attempt came to (delivery-queue.ts builds the queue). */
import type { buildConnector } from 'undici';
import type { TraceCarrier } from '../observability/spans.js';
import type { Resolver } from '../outbound/callback-guard.js';

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
