/**
 * Metrics around the partner sellers' client, as a decorator: the client stays free of prom-client, and the
 * composition root decides what is measured.
 */
import type { GatewayMetrics } from '../observability/metrics.js';
import { SellerCallError, type SellerClient } from './seller-client.js';

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
        if (err instanceof SellerCallError)
          status = 'status' in err.failure && typeof err.failure.status === 'number' ? String(err.failure.status) : err.failure.kind;
        throw err;
      } finally {
        metrics.sellerCallSeconds.observe(
          { partner: c.seller, operation: c.operation ?? 'other', status },
          (performance.now() - started) / 1000,
        );
      }
    },
    close: () => client.close(),
  };
}
