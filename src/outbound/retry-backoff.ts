/**
 * Retries of idempotent backend calls: how many, and how long to wait in between. "Full jitter" (a random wait
 * between 0 and the capped exponential delay) so that many gateway requests failing at once do not come back at
 * the backend in lock-step.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Config `legacy.retry`, `buyer.sellerRetry`. */
export interface RetrySettings {
  /** total attempts of an idempotent call, the first included (1 = no retry) */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Wait before attempt `attemptsMade + 1`: uniform in [0, min(maxDelayMs, baseDelayMs * 2^(attemptsMade-1))]. */
export function jitteredDelayMs(s: RetrySettings, attemptsMade: number, random: () => number = Math.random): number {
  const cap = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(Math.max(0, attemptsMade - 1), 30));
  return Math.floor(random() * cap);
}

/** Waits the jittered delay (unref'd: a pending retry never keeps the process alive). */
export function waitBeforeRetry(s: RetrySettings, attemptsMade: number): Promise<void> {
  return sleep(jitteredDelayMs(s, attemptsMade), undefined, { ref: false });
}
