/**
 * The delivery queue without Redis: pending deliveries and dead letters live in this process only (lost on exit),
 * retries wait on unref'd timers so a pending retry never keeps the process alive.
 */
import type { Logger } from '../observability/logger.js';
import { attemptDelivery, createHttpSender, fromUserSender, type AttemptSender } from './delivery-attempts.js';
import type { DeadLetter, Delivery, DeliveryOutcomeListener, DeliveryPartners, DeliveryQueue, RetryPolicy } from './delivery-types.js';

/** Resolved options, as {@link createDeliveryQueue} passes them. */
export interface InProcessDeliveryQueueOptions {
  /** Names the queue in logs. */
  prefix: string;
  logger: Logger;
  policy: RetryPolicy;
  concurrency: number;
  timeoutMs: number;
  send?: (d: Delivery) => Promise<void>;
  partners?: DeliveryPartners;
  onOutcome?: DeliveryOutcomeListener;
}

/** Dead letters kept at most; the oldest is dropped (and logged) beyond this, so a dead listener cannot exhaust memory. */
const MAX_DEAD_LETTERS = 10_000;

interface Job {
  delivery: Delivery;
  attemptsMade: number;
  timer?: NodeJS.Timeout;
  /** epoch ms when it was queued (or replayed) */
  queuedAt: number;
}

/** Creates the in-process queue (see {@link createDeliveryQueue}). */
export function createInProcessDeliveryQueue(opts: InProcessDeliveryQueueOptions): DeliveryQueue {
  const logger = opts.logger.child({ component: 'notify-queue', queue: opts.prefix });
  const http = opts.send ? undefined : createHttpSender(opts.timeoutMs, opts.partners);
  const send: AttemptSender = opts.send ? fromUserSender(opts.send) : (http as NonNullable<typeof http>).send;

  const jobs = new Map<string, Job>(); // every delivery not yet delivered nor dead, by id
  const ready: Job[] = [];
  const inFlight = new Set<Promise<void>>();
  let deadLetters: DeadLetter[] = []; // newest first
  let started = false;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const isIdle = () => jobs.size === 0 && inFlight.size === 0;
  const notifyIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const run = async (job: Job): Promise<void> => {
    const attempt = job.attemptsMade + 1;
    const outcome = await attemptDelivery(send, logger, opts.policy, job.delivery, attempt, opts.onOutcome);
    job.attemptsMade = attempt;
    if (outcome.ok) {
      jobs.delete(job.delivery.id);
      return;
    }
    if (outcome.final) {
      jobs.delete(job.delivery.id);
      deadLetters.unshift({
        ...job.delivery,
        attempts: attempt,
        lastError: outcome.error,
        failedAt: new Date().toISOString(),
      });
      if (deadLetters.length > MAX_DEAD_LETTERS) {
        const dropped = deadLetters.pop();
        logger.error('dead-letter list full; dropped the oldest dead letter', {
          deliveryId: dropped?.id,
          eventId: dropped?.eventId,
        });
      }
      return;
    }
    if (closed) return;
    job.timer = setTimeout(() => {
      job.timer = undefined;
      ready.push(job);
      pump();
    }, outcome.nextDelayMs);
    job.timer.unref();
  };

  const pump = (): void => {
    while (started && !closed && inFlight.size < opts.concurrency && ready.length > 0) {
      const job = ready.shift() as Job;
      const p: Promise<void> = run(job)
        .catch((err: unknown) => logger.error('notification delivery crashed', { deliveryId: job.delivery.id, error: String(err) }))
        .finally(() => {
          inFlight.delete(p);
          pump();
          notifyIdle();
        });
      inFlight.add(p);
    }
  };

  const add = (delivery: Delivery): void => {
    const job: Job = { delivery, attemptsMade: 0, queuedAt: Date.now() };
    jobs.set(delivery.id, job);
    ready.push(job);
    pump();
  };

  return {
    async enqueue(d) {
      if (closed) throw new Error('the delivery queue is closed');
      // as with BullMQ: a pending or dead-lettered id is not queued again (replay is how a dead letter comes back)
      if (jobs.has(d.id) || deadLetters.some((dl) => dl.id === d.id)) return;
      add(d);
    },

    async deadLetters() {
      return deadLetters.map((dl) => ({ ...dl }));
    },

    async replay(id) {
      if (closed) throw new Error('the delivery queue is closed');
      const dead = deadLetters.find((dl) => dl.id === id);
      if (!dead) return false;
      deadLetters = deadLetters.filter((dl) => dl !== dead);
      const { attempts: _attempts, lastError: _lastError, failedAt: _failedAt, ...delivery } = dead;
      if (!jobs.has(id)) add(delivery);
      logger.info('dead letter replayed', { deliveryId: id, eventId: dead.eventId });
      return true;
    },

    async discard(id) {
      const dead = deadLetters.find((dl) => dl.id === id);
      if (!dead) return false;
      deadLetters = deadLetters.filter((dl) => dl !== dead);
      logger.info('dead letter discarded', { deliveryId: id, eventId: dead.eventId });
      return true;
    },

    start() {
      if (started || closed) return;
      started = true;
      pump();
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const job of jobs.values()) clearTimeout(job.timer);
      await Promise.all([...inFlight]);
      const lost = jobs.size;
      jobs.clear();
      ready.length = 0;
      if (lost > 0) logger.warn('in-process delivery queue closed with undelivered notifications; they are lost', { count: lost });
      await http?.close();
      notifyIdle();
    },

    async backlog() {
      let oldest: number | undefined;
      for (const job of jobs.values()) if (oldest === undefined || job.queuedAt < oldest) oldest = job.queuedAt;
      return { depth: jobs.size, ...(oldest !== undefined && { oldestQueuedAt: oldest }) };
    },

    idle() {
      if (isIdle()) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
