import { Gauge } from 'prom-client';
import type { GatewayMetrics } from './metrics.js';

/**
 * `sonata_gateway_registry_snapshot_info{hash="..."} 1`: the content hash of the snapshot this instance serves,
 * read when scraped and reset first, so there is one series however often the registry reloads.
 */
export function observeRegistrySnapshot(metrics: GatewayMetrics, holder: { current(): { readonly hash: string } }): void {
  new Gauge({
    name: 'sonata_gateway_registry_snapshot_info',
    help: 'Content hash of the registry snapshot this instance serves (value always 1)',
    labelNames: ['hash'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      this.set({ hash: holder.current().hash }, 1);
    },
  });
}
