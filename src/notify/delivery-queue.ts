/**
 * Durable, at-least-once delivery of rendered notifications to Buyer listeners. With Redis the queue is BullMQ
 * (jobs survive a gateway restart and are shared by every instance); without it an in-process queue applies the
 * same retry policy, for development and single-instance demos where losing pending deliveries on exit is fine.
 */
import type { Logger } from '../observability/logger.js';
import { captureTraceContext, inSpan, SpanKind } from '../observability/spans.js';
import { createBullmqDeliveryQueue } from './bullmq-delivery-queue.js';
import { createInProcessDeliveryQueue } from './in-process-delivery-queue.js';
import { resolveRetryPolicy } from './delivery-attempts.js';

export { DEFAULT_RETRY_POLICY, DeliveryError } from './delivery-attempts.js';

export type {
  DeadLetter,
  Delivery,
  DeliveryAttemptDetail,
  DeliveryOutcome,
  DeliveryOutcomeListener,
  DeliveryPartners,
  DeliveryQueue,
  RetryPolicy,
} from './delivery-types.js';
import type { Delivery, DeliveryOutcomeListener, DeliveryPartners, DeliveryQueue, RetryPolicy } from './delivery-types.js';

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
  return withTraceContext(
    opts.redisUrl ? createBullmqDeliveryQueue({ ...common, redisUrl: opts.redisUrl }) : createInProcessDeliveryQueue(common),
  );
}

/**
 * Queues each delivery in a PRODUCER span (`notification enqueue`) and stores that span's context in the job
 * (`traceContext`), so the attempts, however much later and on whichever instance, continue the request's trace.
 */
function withTraceContext(queue: DeliveryQueue): DeliveryQueue {
  return {
    ...queue,
    enqueue: (d) =>
      inSpan(
        'notification enqueue',
        { 'sonata.event_type': d.eventType, 'sonata.partner': d.partnerId },
        async () => {
          const traceContext = d.traceContext ?? captureTraceContext();
          return queue.enqueue(traceContext ? { ...d, traceContext } : d);
        },
        SpanKind.PRODUCER,
      ),
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  return value;
}
