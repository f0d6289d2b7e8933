/**
 * Metrics around the outbound clients (legacy BSS, partner sellers), as decorators: the clients stay free of
 * prom-client, and the composition root decides what is measured.
 */
import { GatewayError } from '../errors/catalogue.js';
import type { LegacyClient } from '../legacy/legacy-client.js';
import type { SellerClient } from '../buyer/seller-client.js';
import { SellerCallError } from '../buyer/seller-client.js';
import type { GatewayMetrics } from './metrics.js';

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

/**
 * `sonata_gateway_seller_call_seconds{partner,operation,status}` per seller call: status is the HTTP status the seller
 * answered, or the failure kind when none came back (connect, timeout, reset, token, circuit-open...).
 */
export function instrumentSellerClient(client: SellerClient, metrics: GatewayMetrics): SellerClient {
  return {
    async call(c) {
      const started = performance.now();
      let status = 'error';
      try {
        const answer = await client.call(c);
        status = String(answer.status);
        return answer;
      } catch (err) {
        if (err instanceof SellerCallError) status = 'status' in err.failure && typeof err.failure.status === 'number' ? String(err.failure.status) : err.failure.kind;
        throw err;
      } finally {
        metrics.sellerCallSeconds.observe({ partner: c.seller, operation: c.operation ?? 'other', status }, (performance.now() - started) / 1000);
      }
    },
    close: () => client.close(),
  };
}
