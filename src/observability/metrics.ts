import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
