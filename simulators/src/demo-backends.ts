import { createSpecCatalog, type SpecCatalog } from '../../src/conformance/openapi-validator.js';
import type { InProcessBackends } from '../../src/gateway.js';
import { legacyBssSeedDir } from './data-dir.js';
import { startLegacyBss } from './legacy-bss/start-legacy-bss.js';
import { hasSellerProfile } from './sonata-seller/seller-profile.js';
import { startSonataSeller, type RunningSonataSeller } from './sonata-seller/start-sonata-seller.js';

/**
 * The backends the demo and the tests run inside the gateway's process: the simulated legacy BSS (legacy.baseUrl
 * `embedded`) and simulated partner sellers (seller.baseUrl `embedded`), on free loopback ports. buildGateway takes
 * them as `backends`; the product passes none.
 */
export const demoBackends: InProcessBackends<RunningSonataSeller> = {
  // the shipped seed data (simulators/data/legacy-bss)
  legacy: (opts) => startLegacyBss({ ...opts, dataDir: legacyBssSeedDir(), port: 0, host: '127.0.0.1' }),
  sellers: {
    simulates: hasSellerProfile,
    async start({ release, sdkDir, ...opts }) {
      if (!hasSellerProfile(release)) throw new Error(`no seller simulator for release ${release}`);
      const sim = await startSonataSeller({ ...opts, release, strict: sdkDir ? { sdkDir, specs: sellerSpecCatalog(sdkDir) } : undefined });
      // compiled now, before the gateway serves, so no request waits behind a compile on the shared event loop
      sim.control.warmUp();
      return sim;
    },
    notifyAs: (sim, auth) => sim.control.setNotificationAuth(auth),
  },
};

// Compiling the OpenAPI files is the slow part of starting simulated sellers (seconds); every gateway built in one
// process (tests build many) shares the compiled validators. Filled on first use, never at import.
const sellerSpecCatalogs = new Map<string, SpecCatalog>();
function sellerSpecCatalog(sdkDir: string): SpecCatalog {
  let catalog = sellerSpecCatalogs.get(sdkDir);
  if (!catalog) {
    catalog = createSpecCatalog({ sdkDir });
    sellerSpecCatalogs.set(sdkDir, catalog);
  }
  return catalog;
}
