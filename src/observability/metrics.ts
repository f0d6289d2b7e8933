import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerBoard } from '../outbound/circuit-breakers.js';
import { memberOf } from '../json/unknown-values.js';

/** The gateway's Prometheus metrics, one registry per gateway instance (tests build several). */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status' | 'partner'>;
  readonly duration: Histogram<'route'>;
  readonly specViolations: Counter<'direction' | 'release' | 'operation'>;
  /** partner requests on the Sonata APIs, once the operation is known (status: the HTTP status code) */
  readonly partnerRequests: Counter<'partner' | 'release' | 'api' | 'operation' | 'status'>;
  readonly partnerRequestSeconds: Histogram<'partner' | 'release' | 'operation'>;
  /** legacy BSS calls by legacy operation; outcome `ok` or the catalogue code of the failure */
  readonly legacyCallSeconds: Histogram<'operation' | 'outcome'>;
  /** seller calls on the buyer side; status: the HTTP status, or the failure kind when none came back */
  readonly sellerCallSeconds: Histogram<'partner' | 'operation' | 'status'>;
  /** one mapping evaluation; role = pipeline stage (partnerIn, releaseIn, legacyOut, legacyIn, releaseOut, partnerOut, buyer...) */
  readonly mappingSeconds: Histogram<'role' | 'operation'>;
  readonly mappingErrors: Counter<'role' | 'operation' | 'kind'>;
  /** notification delivery attempts by outcome (delivered, retry, dead) */
  readonly notificationDeliveries: Counter<'outcome'>;
  readonly notificationDeadLetters: Counter;
  /** registry reloads (result ok or refused) */
  readonly reloads: Counter<'result'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'sonata_gateway_requests_total',
      help: 'Requests answered',
      labelNames: ['method', 'route', 'status', 'partner'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'sonata_gateway_request_seconds',
      help: 'Request duration',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    specViolations: new Counter({
      name: 'sonata_gateway_spec_violations_total',
      help: 'Bodies that violate the official Sonata spec of their release',
      labelNames: ['direction', 'release', 'operation'],
      registers: [registry],
    }),
    partnerRequests: new Counter({
      name: 'sonata_gateway_partner_requests_total',
      help: 'Partner requests on the Sonata APIs by partner, release, API, operation and HTTP status',
      labelNames: ['partner', 'release', 'api', 'operation', 'status'],
      registers: [registry],
    }),
    partnerRequestSeconds: new Histogram({
      name: 'sonata_gateway_partner_request_seconds',
      help: 'Partner request duration by partner, release and operation',
      labelNames: ['partner', 'release', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    legacyCallSeconds: new Histogram({
      name: 'sonata_gateway_legacy_call_seconds',
      help: 'Legacy BSS call duration (retries included) by legacy operation and outcome',
      labelNames: ['operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sellerCallSeconds: new Histogram({
      name: 'sonata_gateway_seller_call_seconds',
      help: 'Seller call duration on the buyer side by seller partner, operation and status',
      labelNames: ['partner', 'operation', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    mappingSeconds: new Histogram({
      name: 'sonata_gateway_mapping_seconds',
      help: 'Mapping evaluation time by role and operation',
      labelNames: ['role', 'operation'],
      buckets: MAPPING_BUCKETS,
      registers: [registry],
    }),
    mappingErrors: new Counter({
      name: 'sonata_gateway_mapping_errors_total',
      help: 'Mapping evaluations that failed, by role, operation and kind (rejected, timeout, failed)',
      labelNames: ['role', 'operation', 'kind'],
      registers: [registry],
    }),
    notificationDeliveries: new Counter({
      name: 'sonata_gateway_notification_deliveries_total',
      help: 'Notification delivery attempts by outcome (delivered, retry, dead)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    notificationDeadLetters: new Counter({
      name: 'sonata_gateway_notification_dead_letters_total',
      help: 'Notifications dead-lettered (every attempt failed, or retrying cannot help)',
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'sonata_gateway_reloads_total',
      help: 'Registry reloads by result (ok, refused)',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MAPPING_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05];

/** What the notification queue holds now (read when /metrics is scraped). */
export interface NotificationBacklog {
  /** deliveries waiting, scheduled for retry or in flight */
  depth: number;
  /** epoch ms when the oldest of them was queued; undefined when none */
  oldestQueuedAt?: number;
}

/**
 * `sonata_gateway_notification_queue_depth` and `sonata_gateway_notification_oldest_age_seconds`, read from the
 * queue when scraped (a failing read leaves the last values).
 */
export function observeNotificationQueue(
  metrics: GatewayMetrics,
  backlog: () => Promise<NotificationBacklog>,
  now: () => number = Date.now,
): void {
  let last: NotificationBacklog = { depth: 0 };
  // one read per scrape, shared by both gauges (the registry collects them concurrently)
  let inflight: Promise<NotificationBacklog> | undefined;
  const read = (): Promise<NotificationBacklog> =>
    (inflight ??= backlog()
      .then((b) => (last = b))
      // Redis down: keep the last reading; /readyz and the store metrics say why
      .catch(() => last)
      .finally(() => (inflight = undefined)));
  new Gauge({
    name: 'sonata_gateway_notification_queue_depth',
    help: 'Notification deliveries queued (waiting, retrying or in flight)',
    registers: [metrics.registry],
    async collect() {
      this.set((await read()).depth);
    },
  });
  new Gauge({
    name: 'sonata_gateway_notification_oldest_age_seconds',
    help: 'Age of the oldest queued notification delivery (0 when none)',
    registers: [metrics.registry],
    async collect() {
      const { oldestQueuedAt } = await read();
      this.set(oldestQueuedAt === undefined ? 0 : Math.max(0, (now() - oldestQueuedAt) / 1000));
    },
  });
}

type MappingTimer = {
  seconds: ReturnType<Histogram<'role' | 'operation'>['labels']>;
  errors: Map<string, ReturnType<Counter<'role' | 'operation' | 'kind'>['labels']>>;
};

/**
 * Times one mapping evaluation into `sonata_gateway_mapping_seconds{role,operation}` and counts its failures in
 * `sonata_gateway_mapping_errors_total`. The labelled children are cached per (operation, role), so the hot path
 * costs one `performance.now()` pair and a map lookup, no label object per call.
 */
export function createMappingTimer(metrics: GatewayMetrics): <T>(role: string, operation: string, run: () => Promise<T>) => Promise<T> {
  const children = new Map<string, Map<string, MappingTimer>>();
  const child = (role: string, operation: string): MappingTimer => {
    let byRole = children.get(operation);
    if (!byRole) children.set(operation, (byRole = new Map()));
    let timer = byRole.get(role);
    if (!timer) byRole.set(role, (timer = { seconds: metrics.mappingSeconds.labels(role, operation), errors: new Map() }));
    return timer;
  };
  return async (role, operation, run) => {
    const timer = child(role, operation);
    const started = performance.now();
    try {
      return await run();
    } catch (err) {
      const kind = mappingErrorKind(err);
      let errors = timer.errors.get(kind);
      if (!errors) timer.errors.set(kind, (errors = metrics.mappingErrors.labels(role, operation, kind)));
      errors.inc();
      throw err;
    } finally {
      timer.seconds.observe((performance.now() - started) / 1000);
    }
  };
}

/** rejected ($reject, a refusal of the input), timeout (deadline or depth guard), failed (anything else). */
function mappingErrorKind(err: unknown): string {
  const kind = memberOf(err, 'kind');
  const code = memberOf(err, 'code');
  // MappingError kinds, the Sonata pipeline's catalogue codes, the buyer side's refusal code
  if (kind === 'rejected' || code === 'mapping.rejected' || code === 'mapping.conflict' || code === 'request.rejected') return 'rejected';
  if (kind === 'timeout' || kind === 'depth' || code === 'mapping.timeout') return 'timeout';
  return 'failed';
}

/** The HTTP status class (2xx...5xx) of a status code, for labels. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/**
 * Circuit breakers (legacy BSS, each seller) as metrics: `sonata_gateway_breaker_state{breaker,state}` is 1 for the
 * breaker's current state and 0 for the others (read when scraped), `sonata_gateway_breaker_rejected_total{breaker}`
 * counts calls refused without touching the backend.
 */
export function observeBreakers(metrics: GatewayMetrics, board: BreakerBoard): void {
  new Gauge({
    name: 'sonata_gateway_breaker_state',
    help: 'Circuit breaker state of a backend (1 = current state)',
    labelNames: ['breaker', 'state'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [breaker, status] of Object.entries(board.snapshot())) {
        for (const state of BREAKER_STATES) this.set({ breaker, state }, status.state === state ? 1 : 0);
      }
    },
  });
  const rejected = new Counter({
    name: 'sonata_gateway_breaker_rejected_total',
    help: 'Backend calls refused at once because the breaker was open',
    labelNames: ['breaker'],
    registers: [metrics.registry],
  });
  board.subscribe((breaker, event) => {
    if (event === 'rejected') rejected.inc({ breaker });
  });
}
