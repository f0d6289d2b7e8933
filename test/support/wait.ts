/**
 * Event-driven waits for tests: a wait re-checks its condition when something it depends on happens (a line
 * pushed to a record the test owns, a gateway log line), not on a timer; only `pollUntil` (at the end, with the
 * cases it is kept for) polls. Every wait is bounded and fails with what it saw.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

const pushes = new WeakMap<object, EventEmitter>();

/** An array that announces every push, so waits can re-check when it grows (test records: log lines, received calls). */
export function observedArray<T>(): T[] {
  const items: T[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  pushes.set(items, events);
  Object.defineProperty(items, 'push', {
    enumerable: false,
    value: (...added: T[]) => {
      const n = Array.prototype.push.apply(items, added);
      events.emit('push');
      return n;
    },
  });
  return items;
}

function pushEvents(items: readonly unknown[]): EventEmitter {
  const events = pushes.get(items);
  if (!events) throw new Error('not an observed array: make the record with observedArray()');
  return events;
}

/**
 * Resolves with `check()`'s first truthy value, checking now and after each push to `items`; rejects after
 * `timeoutMs` with `describe()` (what was expected and what arrived).
 */
export function untilPushed<T>(
  items: readonly unknown[],
  check: () => T | undefined | null | false,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<T> {
  const first = check();
  if (first) return Promise.resolve(first);
  const events = pushEvents(items);
  return new Promise<T>((resolve, reject) => {
    const onPush = () => {
      let hit: T | undefined | null | false;
      try {
        hit = check();
      } catch (err) {
        done();
        reject(err as Error);
        return;
      }
      if (!hit) return;
      done();
      resolve(hit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${describe()} (waited ${timeoutMs} ms)`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      events.off('push', onPush);
    };
    events.on('push', onPush);
  });
}

/** Resolves with the first item at index `from` or later that `match`es (already there or still to come). */
export function nextPushed<T>(
  items: readonly T[],
  match: (item: T) => boolean,
  describe: () => string,
  opts: { from?: number; timeoutMs?: number } = {},
): Promise<T> {
  const from = opts.from ?? 0;
  return untilPushed(items, () => items.slice(from).find(match), describe, opts.timeoutMs);
}

/** The gateway's log lines written after it applied a legacy status report (callback, journal poll, replay). */
const STATUS_REPORT_LINES = new Set(['legacy status report applied', 'legacy journal polled', 'early status reports replayed']);

export const isStatusReport = (line: Record<string, unknown>): boolean => STATUS_REPORT_LINES.has(String(line.message));

type LogLine = Record<string, unknown>;

/**
 * Runs `check` until it gives a truthy value, running it again each time the gateway logs a line `after` accepts
 * (a line logged while `check` runs counts). Fails after `timeoutMs` with `describe()`.
 */
export async function recheckOnLog<T>(
  logs: readonly LogLine[],
  check: () => Promise<T | undefined | null | false>,
  opts: { after: (line: LogLine) => boolean; describe: () => string; timeoutMs?: number },
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const mark = logs.length;
    const hit = await check();
    if (hit) return hit;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(opts.describe());
    await nextPushed(logs, opts.after, opts.describe, { from: mark, timeoutMs: left });
  }
}

/**
 * Reads a gateway resource until `ready` holds. The legacy BSS's status reports reach the gateway asynchronously,
 * so after an answer that is not ready yet the read is repeated when the gateway logs its next applied status
 * report, not on a timer. Fails after `timeoutMs` with the last answer.
 */
export async function readUntil<T extends { status: number; body: any }>(
  gw: { logs: readonly LogLine[] },
  read: () => Promise<T>,
  ready: (body: any) => boolean,
  opts: { timeoutMs?: number } = {},
): Promise<T> {
  let last: T | undefined;
  return recheckOnLog(
    gw.logs,
    async () => {
      last = await read();
      return last.status < 300 && ready(last.body) && last;
    },
    {
      after: isStatusReport,
      describe: () => `condition not reached: no status report made it true; last answer ${JSON.stringify(last).slice(0, 2000)}`,
      timeoutMs: opts.timeoutMs,
    },
  );
}

/**
 * The one polling wait left: retries `check` (an assertion) every `interval` ms until it passes, for the waits with
 * no event to wait on:
 * - dead letters of the BullMQ queue (test/notify/delivery-queue.test.ts, webhook-signature.test.ts,
 *   test/console/console-api.test.ts): BullMQ moves a job to its failed set after the attempt's last log line and
 *   `onOutcome` hook, and nothing in the gateway announces the move (the same tests run on the in-process queue);
 * - TTL expiry in the store contract (test/state/store-contract.ts): the time waited on is Redis's own clock, which
 *   vi fake timers cannot move (the in-memory store runs the same contract);
 * - the rate window of the store contract, whose test increments every few ms on purpose (an increment must not
 *   restart the TTL);
 * - the Redis store reconnecting after Redis comes back (test/state/redis-store.test.ts): the store exposes no
 *   connection event, only ping().
 */
export function pollUntil<T>(check: () => T | Promise<T>, opts: { timeout?: number; interval?: number } = {}): Promise<T> {
  return vi.waitFor(check, opts); // vi's defaults: 1000 ms, every 50 ms
}
