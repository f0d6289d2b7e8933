import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { LegacyBssEvent } from './event-journal.js';

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body, keyed with callbackSecret>`. */
export const CALLBACK_SIGNATURE_HEADER = 'X-BSS-Signature';

/** Header repeating the event's `EVT_SEQ`, for receivers that log before parsing. */
export const CALLBACK_SEQUENCE_HEADER = 'X-BSS-Event-Seq';

/** Waits before the 2nd, 3rd and 4th attempt; after the last failure the event is dropped. */
export const DEFAULT_CALLBACK_RETRY_DELAYS_MS: readonly number[] = [500, 2_000, 5_000];

/** Per-attempt timeout of a callback POST. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5_000;

/** Computes the `X-BSS-Signature` value of a callback body. Receivers compare it in constant time. */
export function signLegacyCallback(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Logger shape the sender reports delivery problems to. */
interface CallbackLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** Options of {@link createCallbackSender}. */
export interface CallbackSenderOptions {
  /**
   * Receiver of every event (`POST`, JSON body = one {@link LegacyBssEvent}); a function is read at each
   * delivery (an in-process receiver may not know its address yet), and undefined drops the event (the
   * journal still has it).
   */
  readonly url: string | (() => string | undefined);
  /** HMAC key of `X-BSS-Signature`. */
  readonly secret: string;
  /** Extra headers sent with every callback (e.g. the receiver's API key); cannot replace the signature headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Waits between attempts; its length is the number of retries. */
  readonly retryDelaysMs?: readonly number[];
  readonly timeoutMs?: number;
  readonly logger?: CallbackLogger;
  /** Aborting stops delivery at once; queued events are dropped. */
  readonly signal?: AbortSignal;
}

/** Queue of outgoing callbacks. */
export interface CallbackSender {
  /** Queues an event; delivery happens in journal order, one at a time. */
  enqueue(event: LegacyBssEvent): void;
}

/**
 * Delivers events one after the other, like the legacy outbox job: an answer other than 2xx (or no
 * answer) is retried after each delay in `retryDelaysMs`, then the event is dropped and the next
 * one is sent. Receivers must therefore also poll the journal.
 */
export function createCallbackSender(options: CallbackSenderOptions): CallbackSender {
  const retryDelays = options.retryDelaysMs ?? DEFAULT_CALLBACK_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  const queue: LegacyBssEvent[] = [];
  let running = false;

  const attempt = async (body: string, event: LegacyBssEvent): Promise<string | undefined> => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
    const url = typeof options.url === 'function' ? options.url() : options.url;
    if (url === undefined) return undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          [CALLBACK_SIGNATURE_HEADER]: signLegacyCallback(body, options.secret),
          [CALLBACK_SEQUENCE_HEADER]: String(event.EVT_SEQ),
        },
        body,
        signal: AbortSignal.any(signals),
      });
      // The body is of no interest, but must be consumed so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  };

  const deliver = async (event: LegacyBssEvent): Promise<void> => {
    const body = JSON.stringify(event);
    for (let tries = 0; ; tries += 1) {
      const problem = await attempt(body, event);
      if (problem === undefined) return;
      if (options.signal?.aborted) return;
      const wait = retryDelays[tries];
      if (wait === undefined) {
        options.logger?.warn('legacy BSS simulator: callback dropped', {
          seq: event.EVT_SEQ,
          attempts: tries + 1,
          problem,
        });
        return;
      }
      options.logger?.debug('legacy BSS simulator: callback failed, will retry', {
        seq: event.EVT_SEQ,
        problem,
        waitMs: wait,
      });
      try {
        await delay(wait, undefined, { signal: options.signal, ref: false });
      } catch {
        return;
      }
    }
  };

  const drain = async (): Promise<void> => {
    running = true;
    try {
      for (let event = queue.shift(); event !== undefined && !options.signal?.aborted; event = queue.shift()) {
        await deliver(event);
      }
    } finally {
      running = false;
    }
  };

  return {
    enqueue(event) {
      if (options.signal?.aborted) return;
      queue.push(event);
      if (!running) void drain();
    },
  };
}
