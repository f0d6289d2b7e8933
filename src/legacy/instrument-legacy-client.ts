/**
 * Metrics around the legacy BSS client, as a decorator: the client stays free of prom-client, and the composition
 * root decides what is measured.
 */
import { GatewayError } from '../errors/catalogue.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { LegacyClient } from './legacy-client.js';

/**
 * `sonata_gateway_legacy_call_seconds{operation,outcome}` per legacy operation (retries included): outcome `ok`, or
 * the catalogue code of the failure (`upstream.timeout`, `upstream.unavailable`, ...; a bounded set).
 */
export function instrumentLegacyClient(client: LegacyClient, metrics: GatewayMetrics): LegacyClient {
  return {
    async call(op, opts) {
      const started = performance.now();
      let outcome = 'ok';
      try {
        return await client.call(op, opts);
      } catch (err) {
        outcome = err instanceof GatewayError ? err.code : 'error';
        throw err;
      } finally {
        metrics.legacyCallSeconds.observe({ operation: op.name, outcome }, (performance.now() - started) / 1000);
      }
    },
    close: () => client.close(),
  };
}
