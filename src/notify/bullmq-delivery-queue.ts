/**
 * The delivery queue on Redis with BullMQ: a delivery is a job (job id derived from the delivery id, so the same
 * delivery enqueued twice while pending is one job), retried with a capped exponential backoff, removed once
 * delivered, and kept in BullMQ's failed set after its last attempt: that set is the dead-letter list.
 */
import { createHash } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job, type RedisOptions } from 'bullmq';
import type { Logger } from '../observability/logger.js';
import { attemptDelivery, createHttpSender, errorText, fromUserSender, retryDelayMs, type AttemptSender } from './delivery-attempts.js';
import type { DeadLetter, Delivery, DeliveryOutcomeListener, DeliveryPartners, DeliveryQueue, RetryPolicy } from './delivery-types.js';

/** Resolved options, as {@link createDeliveryQueue} passes them. */
export interface BullmqDeliveryQueueOptions {
  redisUrl: string;
  /** BullMQ key prefix; every key of the queue starts with it. */
  prefix: string;
  logger: Logger;
  policy: RetryPolicy;
  concurrency: number;
  timeoutMs: number;
  send?: (d: Delivery) => Promise<void>;
  partners?: DeliveryPartners;
  onOutcome?: DeliveryOutcomeListener;
}

const QUEUE_NAME = 'sonata-notifications';
const JOB_NAME = 'deliver';
const BACKOFF_TYPE = 'capped-exponential';
/** Failed jobs kept as dead letters; BullMQ trims the oldest beyond this so a dead listener cannot fill Redis. */
const MAX_DEAD_LETTERS = 10_000;
/** An enqueue must not hang while Redis is unreachable: the publisher gets an error it can act on. */
const ENQUEUE_TIMEOUT_MS = 10_000;

/** BullMQ connection options from a redis:// or rediss:// URL (BullMQ brings its own ioredis, so no client is shared). */
export function parseRedisUrl(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error(`REDIS_URL must be redis:// or rediss:// (got ${url.protocol})`);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`REDIS_URL database must be a number (got ${JSON.stringify(db)})`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    ...(db !== '' && { db: Number(db) }),
    ...(url.protocol === 'rediss:' && { tls: {} }),
  };
}

/**
 * BullMQ refuses custom job ids that look like integers or contain ':'; hashing gives every delivery id (any text)
 * a valid, stable job id, so a replay or duplicate enqueue finds the same job.
 */
function jobIdFor(deliveryId: string): string {
  return `d-${createHash('sha256').update(deliveryId).digest('hex').slice(0, 40)}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (is Redis reachable?)`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

/** Creates the BullMQ queue (see {@link createDeliveryQueue}). Redis is contacted on first use. */
export function createBullmqDeliveryQueue(opts: BullmqDeliveryQueueOptions): DeliveryQueue {
  const logger = opts.logger.child({ component: 'notify-queue', queue: opts.prefix });
  const connection = parseRedisUrl(opts.redisUrl);
  const { policy } = opts;
  const http = opts.send ? undefined : createHttpSender(opts.timeoutMs, opts.partners);
  const send: AttemptSender = opts.send ? fromUserSender(opts.send) : (http as NonNullable<typeof http>).send;

  // created on first use: BullMQ connects as soon as a Queue exists
  let queue: Queue<Delivery> | undefined;
  const getQueue = (): Queue<Delivery> => {
    if (!queue) {
      queue = new Queue<Delivery>(QUEUE_NAME, { connection, prefix: opts.prefix });
      // an EventEmitter 'error' without a listener would crash the process; a Redis outage is logged and retried instead
      queue.on('error', (err) => logger.warn('notification queue: Redis error', { error: errorText(err) }));
    }
    return queue;
  };
  let worker: Worker<Delivery> | undefined;
  let closed = false;

  const processJob = async (job: Job<Delivery>): Promise<void> => {
    const attempts = job.opts.attempts ?? policy.attempts;
    const outcome = await attemptDelivery(send, logger, { ...policy, attempts }, job.data, job.attemptsMade + 1, opts.onOutcome);
    // BullMQ decides retry vs failed set from the rejection and the job's attempts; the outcome is already logged
    if (!outcome.ok) throw outcome.permanent ? new UnrecoverableError(outcome.error) : new Error(outcome.error);
  };

  const toDeadLetter = (job: Job<Delivery>): DeadLetter => ({
    ...job.data,
    attempts: job.attemptsMade,
    lastError: job.failedReason ?? 'unknown',
    failedAt: new Date(job.finishedOn ?? job.timestamp).toISOString(),
  });

  return {
    async enqueue(d) {
      if (closed) throw new Error('the delivery queue is closed');
      await withTimeout(
        getQueue().add(JOB_NAME, d, {
          jobId: jobIdFor(d.id),
          attempts: policy.attempts,
          backoff: { type: BACKOFF_TYPE },
          removeOnComplete: true,
          removeOnFail: { count: MAX_DEAD_LETTERS },
          stackTraceLimit: 0,
        }),
        ENQUEUE_TIMEOUT_MS,
        'enqueueing a notification',
      );
    },

    async deadLetters() {
      const jobs = (await getQueue().getFailed(0, -1)) as Array<Job<Delivery> | undefined>;
      return jobs.filter((job): job is Job<Delivery> => job !== undefined).map(toDeadLetter);
    },

    async replay(id) {
      if (closed) throw new Error('the delivery queue is closed');
      const job = (await getQueue().getJob(jobIdFor(id))) as Job<Delivery> | undefined;
      if (!job || job.data.id !== id || (await job.getState()) !== 'failed') return false;
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      logger.info('dead letter replayed', { deliveryId: id, eventId: job.data.eventId });
      return true;
    },

    async discard(id) {
      const job = (await getQueue().getJob(jobIdFor(id))) as Job<Delivery> | undefined;
      if (!job || job.data.id !== id || (await job.getState()) !== 'failed') return false;
      await job.remove();
      logger.info('dead letter discarded', { deliveryId: id, eventId: job.data.eventId });
      return true;
    },

    async backlog() {
      const q = getQueue();
      const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
      const depth = Object.values(counts).reduce((a, b) => a + b, 0);
      if (depth === 0) return { depth };
      // the oldest by enqueue time among what is pending (BullMQ lists each state oldest first when asc)
      let oldest: number | undefined;
      for (const state of ['waiting', 'delayed', 'active'] as const) {
        const [job] = (await q.getJobs([state], 0, 0, true)) as Array<Job<Delivery> | undefined>;
        if (job && (oldest === undefined || job.timestamp < oldest)) oldest = job.timestamp;
      }
      return { depth, ...(oldest !== undefined && { oldestQueuedAt: oldest }) };
    },

    start() {
      if (worker || closed) return;
      worker = new Worker<Delivery>(QUEUE_NAME, processJob, {
        connection: { ...connection, maxRetriesPerRequest: null },
        prefix: opts.prefix,
        concurrency: opts.concurrency,
        // the lock must outlive one attempt, or a slow listener makes BullMQ think the job stalled
        lockDuration: Math.max(30_000, opts.timeoutMs * 2),
        settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(policy, attemptsMade) },
      });
      worker.on('error', (err) => logger.warn('notification worker: Redis error', { error: errorText(err) }));
      // a job whose worker died mid-attempt goes back to waiting (or, past maxStalledCount, to the dead letters)
      worker.on('stalled', (jobId) => logger.warn('notification delivery stalled (a worker stopped mid-attempt)', { jobId }));
    },

    async close() {
      if (closed) return;
      closed = true;
      if (worker) {
        // an attempt in flight may finish (bounded by the delivery timeout); after a Redis restart BullMQ's close()
        // can wait forever on its blocking connection (test/faults/redis-outage.test.ts), so shutdown never hangs:
        // past the bound the worker is disconnected, and a job it held is retried after its lock expires
        const w = worker;
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([
          w.close().then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), opts.timeoutMs + 1000))),
        ]).finally(() => clearTimeout(timer));
        if (!finished) {
          logger.warn('notification worker did not close in time; disconnected');
          await w.disconnect().catch(() => undefined);
        }
      }
      await queue?.close();
      await http?.close();
    },
  };
}
