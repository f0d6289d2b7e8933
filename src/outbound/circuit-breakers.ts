/**
 * Circuit breakers (opossum) in front of the gateway's backends: the legacy BSS and each partner seller. A backend
 * that keeps failing is not called for `resetTimeoutMs`; callers fail at once with {@link BreakerOpenError} (and a
 * retry hint) instead of waiting a full timeout each, then one probe call decides whether it closes again.
 */
import CircuitBreaker from 'opossum';

/** Settings of one breaker (config `legacy.breaker`, `buyer.sellerBreaker`). */
export interface BreakerSettings {
  /** false: calls always go through (no breaker) */
  readonly enabled: boolean;
  /** calls within the rolling window before the failure rate is looked at */
  readonly volumeThreshold: number;
  /** opens when more than this percentage of the window's calls failed */
  readonly errorThresholdPercentage: number;
  /** how long it stays open before one probe call may go through (half-open) */
  readonly resetTimeoutMs: number;
  /** length of the rolling window the rate is counted over */
  readonly rollingWindowMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What `/readyz` and the metrics show of one breaker. */
export interface BreakerStatus {
  state: BreakerState;
  /** calls and failures in the current rolling window */
  calls: number;
  failures: number;
  /** calls refused without touching the backend since start */
  rejected: number;
  /** while open: seconds until a probe call may go through */
  retryAfterSeconds?: number;
}

/** Thrown instead of calling a backend whose breaker is open. */
export class BreakerOpenError extends Error {
  constructor(
    readonly breaker: string,
    readonly retryAfterMs: number,
  ) {
    super(`${breaker} failed repeatedly; not called for another ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'BreakerOpenError';
  }
}

/** One named breaker. */
export interface Breaker {
  readonly name: string;
  /** Runs `fn` unless the breaker is open (then rejects with {@link BreakerOpenError} without calling it). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** ms until the next probe may go through; 0 unless open */
  retryAfterMs(): number;
  status(): BreakerStatus;
  /** opossum's events ('open', 'halfOpen', 'close', 'reject', ...), for tests and logs */
  on(event: 'open' | 'halfOpen' | 'close' | 'reject', listener: () => void): void;
}

/** Every breaker of one gateway: created on first use, listed for /readyz and metrics, shut down on close. */
export interface BreakerBoard {
  /**
   * The breaker called `name` (created on first use with these settings). `isFailure` decides which errors count
   * against the backend: a refusal of the request (a 4xx, an unknown key) means the backend is healthy.
   */
  get(name: string, settings: BreakerSettings, isFailure: (err: unknown) => boolean): Breaker;
  snapshot(): Record<string, BreakerStatus>;
  /** called on every state change and rejection (metrics, logs) */
  subscribe(listener: (name: string, event: 'open' | 'half-open' | 'closed' | 'rejected') => void): void;
  close(): void;
}

/** Creates an empty board; breakers are made by {@link BreakerBoard.get}. */
export function createBreakerBoard(): BreakerBoard {
  const breakers = new Map<string, Breaker & { shutdown(): void }>();
  const listeners: Array<(name: string, event: 'open' | 'half-open' | 'closed' | 'rejected') => void> = [];
  const emit = (name: string, event: 'open' | 'half-open' | 'closed' | 'rejected') => {
    for (const l of listeners) l(name, event);
  };

  const make = (name: string, settings: BreakerSettings, isFailure: (err: unknown) => boolean) => {
    if (!settings.enabled) return passThrough(name);
    const cb = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      name,
      // every caller bounds its own call (undici timeouts, AbortSignal): opossum's timer would not stop the request
      timeout: false,
      volumeThreshold: settings.volumeThreshold,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: settings.rollingWindowMs,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // a filtered error counts as a success: the backend answered, the request was refused
      errorFilter: (err: unknown) => !isFailure(err),
    });
    let openedAt = 0;
    let rejected = 0;
    cb.on('open', () => {
      openedAt = Date.now();
      emit(name, 'open');
    });
    cb.on('halfOpen', () => emit(name, 'half-open'));
    cb.on('close', () => emit(name, 'closed'));
    cb.on('reject', () => {
      rejected++;
      emit(name, 'rejected');
    });
    const retryAfterMs = () => (cb.opened ? Math.max(0, openedAt + settings.resetTimeoutMs - Date.now()) : 0);
    const breaker: Breaker & { shutdown(): void } = {
      name,
      async run<T>(fn: () => Promise<T>): Promise<T> {
        try {
          return (await cb.fire(fn)) as T;
        } catch (err) {
          // opossum's own refusal: open, or half-open with the probe already in flight
          if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'EOPENBREAKER')
            throw new BreakerOpenError(name, Math.max(retryAfterMs(), 1000));
          throw err;
        }
      },
      retryAfterMs,
      status() {
        const stats = cb.stats;
        const state: BreakerState = cb.opened ? 'open' : cb.halfOpen ? 'half-open' : 'closed';
        const wait = retryAfterMs();
        return {
          state,
          calls: stats.fires,
          failures: stats.failures,
          rejected,
          ...(state === 'open' && { retryAfterSeconds: Math.ceil(wait / 1000) }),
        };
      },
      on(event, listener) {
        cb.on(event as 'open', listener);
      },
      shutdown: () => cb.shutdown(),
    };
    return breaker;
  };

  return {
    get(name, settings, isFailure) {
      let b = breakers.get(name);
      if (!b) {
        b = make(name, settings, isFailure);
        breakers.set(name, b);
      }
      return b;
    },
    snapshot() {
      return Object.fromEntries([...breakers].map(([name, b]) => [name, b.status()]));
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    close() {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
    },
  };
}

function passThrough(name: string): Breaker & { shutdown(): void } {
  return {
    name,
    run: (fn) => fn(),
    retryAfterMs: () => 0,
    status: () => ({ state: 'closed', calls: 0, failures: 0, rejected: 0 }),
    on: () => undefined,
    shutdown: () => undefined,
  };
}
