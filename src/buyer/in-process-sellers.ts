import type { GatewayConfig } from '../config/config-schema.js';
import { settingProblem } from '../config/setting-problem.js';
import { ConfigError } from '../config/yaml-source.js';
import { sdkReleases } from '../conformance/openapi-validator.js';
import { RUN_THE_DEMO } from '../legacy/in-process-legacy.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from '../registry/registry.js';

/** A partner seller simulated in this process (demo and tests: partners whose seller.baseUrl is `embedded`). */
export interface InProcessSeller {
  /** the origin it listens on (Sonata paths and `/oauth2/token` hang below) */
  readonly url: string;
  close(): Promise<void>;
}

export interface InProcessSellerOptions {
  release: string;
  /** strict: every request checked against the release's OpenAPI files in this SDK folder */
  sdkDir?: string;
  clients: ReadonlyArray<{ clientId: string; clientSecret: string }>;
  countries?: readonly string[];
  idPrefix: string;
  autoAdvanceMs?: number;
  logger: Logger;
}

/** The sellers the demo simulates (simulators/src/demo-backends.ts); the product ships none. */
export interface InProcessSellers<S extends InProcessSeller = InProcessSeller> {
  /** whether a simulator exists for this release */
  simulates(release: string): boolean;
  /** starts one, ready to answer (its validators compiled) */
  start(opts: InProcessSellerOptions): Promise<S>;
  /** once the gateway listens: the seller authenticates at our token endpoint as its partner to notify our listeners */
  notifyAs(seller: S, auth: { tokenUrl: string; clientId: string; clientSecret: string }): void;
}

/**
 * Simulated sellers for partners whose seller.baseUrl is `embedded` (buyer.embeddedSellers, demo and test): strict
 * (every request checked against the release's OpenAPI files) when the SDK folder is there. A configuration that
 * asks for them without `sellers` supplied (the product) is refused.
 */
export async function startInProcessSellers<S extends InProcessSeller>(
  config: GatewayConfig,
  registry: Registry,
  logger: Logger,
  sellers: InProcessSellers<S> | undefined,
): Promise<Map<string, S>> {
  const started = new Map<string, S>();
  const wanted = [...registry.partners.values()].filter((p) => p.seller?.baseUrl === 'embedded');
  if (wanted.length === 0) return started;
  if (!config.buyer.embeddedSellers) {
    logger.warn('partners have an embedded seller but buyer.embeddedSellers is off; buying from them fails', {
      partners: wanted.map((p) => p.id),
    });
    return started;
  }
  if (!sellers) {
    throw new ConfigError([
      settingProblem(
        config,
        '/buyer/embeddedSellers',
        `is on and partners ${wanted.map((p) => p.id).join(', ')} have seller.baseUrl "embedded": ${RUN_THE_DEMO}`,
      ),
    ]);
  }
  const sdkDir = config.sdkDir && sdkReleases(config.sdkDir).length > 0 ? config.sdkDir : undefined;
  for (const p of wanted) {
    const release = registry.releases.get(p.release)?.name;
    if (!release || !sellers.simulates(release)) {
      logger.warn('no seller simulator for this release', { seller: p.id, release });
      continue;
    }
    const sim = await sellers.start({
      release,
      sdkDir,
      clients: [{ clientId: p.seller!.clientId, clientSecret: p.seller!.clientSecret }],
      countries: p.seller!.serves.countries,
      idPrefix: p.id
        .split('-')
        .map((w) => w.charAt(0))
        .join('')
        .toUpperCase(),
      autoAdvanceMs: config.buyer.embeddedSellerAdvanceMs,
      logger: logger.child({ component: 'seller-simulator', seller: p.id }),
    });
    started.set(p.id, sim);
    logger.info('embedded seller simulator started', { seller: p.id, release, url: sim.url, strict: !!sdkDir });
  }
  return started;
}
