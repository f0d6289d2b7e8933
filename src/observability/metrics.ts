import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerBoard } from '../outbound/circuit-breakers.js';

/** The gateway's Prometheus metrics, one registry per gateway instance (tests build several). */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status' | 'partner'>;
  readonly duration: Histogram<'route'>;
  readonly specViolations: Counter<'direction' | 'release' | 'operation'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({ name: 'sonata_gateway_requests_total', help: 'Requests answered', labelNames: ['method', 'route', 'status', 'partner'], registers: [registry] }),
    duration: new Histogram({ name: 'sonata_gateway_request_seconds', help: 'Request duration', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    specViolations: new Counter({ name: 'sonata_gateway_spec_violations_total', help: 'Bodies that violate the official Sonata spec of their release', labelNames: ['direction', 'release', 'operation'], registers: [registry] }),
  };
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/**
 * Circuit breakers (legacy BSS, each seller) as metrics: `sonata_gateway_breaker_state{breaker,state}` is 1 for the
 * breaker's current state and 0 for the others (read when scraped), `sonata_gateway_breaker_rejected_total{breaker}`
 * counts calls refused without touching the backend.
 */
export function observeBreakers(metrics: GatewayMetrics, board: BreakerBoard): void {
  new Gauge({
    name: 'sonata_gateway_breaker_state', help: 'Circuit breaker state of a backend (1 = current state)', labelNames: ['breaker', 'state'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [breaker, status] of Object.entries(board.snapshot())) {
        for (const state of BREAKER_STATES) this.set({ breaker, state }, status.state === state ? 1 : 0);
      }
    },
  });
  const rejected = new Counter({ name: 'sonata_gateway_breaker_rejected_total', help: 'Backend calls refused at once because the breaker was open', labelNames: ['breaker'], registers: [metrics.registry] });
  board.subscribe((breaker, event) => {
    if (event === 'rejected') rejected.inc({ breaker });
  });
}
