import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenService, type TokenService } from './auth/token-service.js';
import { createBuyerSide } from './buyer/create-buyer-side.js';
import type { BuyerService } from './buyer/buyer-service.js';
import type { GatewayConfig } from './config/config-schema.js';
import { loadConfig, readEnvFile } from './config/load-config.js';
import { createLegacyClient, type LegacyClient } from './legacy/legacy-client.js';
import { createMappingEngine } from './mapping/engine.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createApp } from './pipeline/create-app.js';
import { loadRegistry } from './registry/load-registry.js';
import { createRegistryHolder, type RegistryHolder } from './registry/registry-holder.js';
import type { StageObserver } from './sonata/execute-operation.js';
import { createNotificationAdminRouter } from './notify/admin-router.js';
import { createDeliveryQueue, type DeliveryQueue } from './notify/delivery-queue.js';
import { createHubService } from './notify/hub-service.js';
import { createNotifier } from './notify/notifier.js';
import { createHubOperations } from './sonata/hub-operations.js';
import { loadProductSchemas } from './sonata/products/product-schemas.js';
import { loadSpecErrata } from './conformance/spec-errata.js';
import { createSpecCatalog, type SonataRelease, type SpecCatalog } from './conformance/openapi-validator.js';
import { createSpecGuard, type SpecGuard } from './conformance/spec-guard.js';
import { createMetrics } from './observability/metrics.js';
import { ConfigError } from './config/yaml-source.js';
import { createInternalRouter } from './sonata/internal-router.js';
import { applyLegacyStatus } from './sonata/resources/legacy-status.js';
import { createLegacyPoller } from './sonata/resources/legacy-poller.js';
import type { EventPublisher } from './sonata/resources/resource-events.js';
import { createResourceRepository } from './sonata/resources/resource-repository.js';
import { createWorkQueue } from './sonata/resources/work-queue.js';
import { startLegacyBss } from './simulators/legacy-bss/start-legacy-bss.js';
import { startSonataSeller, type RunningSonataSeller } from './simulators/sonata-seller/start-sonata-seller.js';
import { createStore } from './state/create-store.js';
import type { Store } from './state/store.js';

export interface BuildGatewayOptions {
  rootDir: string;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** environment name (default: GATEWAY_ENV or "demo") */
  env?: string;
  /** replaces the configured logger (tests capture lines with it) */
  logger?: Logger;
  /** disables the file watcher regardless of config (tests that reload by hand) */
  watch?: boolean;
  observe?: StageObserver;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly registry: RegistryHolder;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly legacyUrl: string;
  readonly deliveries: DeliveryQueue;
  /** the buyer side: the legacy BSS buys from partner sellers (src/buyer) */
  readonly buyer: BuyerService;
  /** sellers simulated in process (demo/test: partners whose seller.baseUrl is `embedded`), by partner id */
  readonly sellers: ReadonlyMap<string, RunningSonataSeller>;
  /** one round of polling the legacy BSS's event journal (also used by tests and the CLI) */
  pollLegacyEvents(): Promise<number>;
  readonly app: ReturnType<typeof createApp>;
  /** starts listening on config.server.host/port (PORT/HOST env); port 0 picks a free one */
  listen(): Promise<{ url: string; server: Server }>;
  /** graceful: stop accepting, let in-flight requests finish (up to shutdownGraceMs), close everything */
  close(): Promise<void>;
}

/** Builds the whole gateway once: config, logger, mapping engine, registry, store, legacy client, token service, app. */
export async function buildGateway(opts: BuildGatewayOptions): Promise<Gateway> {
  const config = loadConfig({ rootDir: opts.rootDir, env: opts.env, processEnv: opts.processEnv });
  const logger = opts.logger ?? createLogger({ level: config.logging.level, format: config.logging.format });
  const secrets = { ...readEnvFile(join(opts.rootDir, 'config', `${config.env}.env`)), ...opts.processEnv };
  const engine = createMappingEngine({ deadlineMs: config.mapping.deadlineMs, maxDepth: config.mapping.maxDepth, engine: config.mapping.engine, syncSliceMs: config.mapping.syncSliceMs });
  const registry = createRegistryHolder({
    load: () => loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets }),
    logger,
  });
  if (opts.watch ?? config.reload.watch) registry.watch([config.paths.partners, config.paths.mappings], config.reload.debounceMs);

  const store = createStore({ redisUrl: config.store.redisUrl, prefix: config.store.prefix });
  let simulator: { url: string; close(): Promise<void> } | undefined;
  let legacyUrl = config.legacy.baseUrl;
  // the gateway's own address, known once it listens: the embedded simulator sends its status callbacks there
  let listeningUrl: string | undefined;
  if (legacyUrl === 'embedded') {
    simulator = await startLegacyBss({
      apiKey: config.legacy.apiKey, dataDir: config.legacy.simulatorDataDir, port: 0, host: '127.0.0.1',
      callbackUrl: config.legacy.statusUpdates === 'poll' ? undefined : () => (listeningUrl ? `${listeningUrl}/internal/legacy/events` : undefined),
      callbackSecret: config.legacy.callbackSecret,
      autoAdvanceMs: config.legacy.simulator.autoAdvanceMs,
      deferredDelayMs: config.legacy.simulator.deferredDelayMs,
    });
    legacyUrl = simulator.url;
    logger.info('embedded legacy BSS simulator started', { url: legacyUrl });
  }
  // partner sellers simulated in process, like the legacy BSS above (demo/test only)
  const sellers = await startEmbeddedSellers(config, registry.current(), logger);
  const legacy: LegacyClient = createLegacyClient({ baseUrl: legacyUrl, apiKey: config.legacy.apiKey, timeoutMs: config.legacy.timeoutMs });
  const tokens = createTokenService({ issuer: config.auth.issuer, secret: config.auth.signingSecret, ttlSeconds: config.auth.tokenTtlSeconds });

  const metrics = createMetrics({ defaultMetrics: true });
  const spec = createGatewaySpecGuard(config, logger);
  const products = loadProductSchemas({ catalogFile: config.products.catalog, schemaDir: config.products.schemaDir, logger });
  const resources = createResourceRepository(store);
  const tasks = createWorkQueue(store);
  const now = () => new Date();

  // notifications: per-release catalogues, hub subscriptions in the store, a durable delivery queue
  const hub = createHubService({ store, now });
  const deliveries: DeliveryQueue = createDeliveryQueue({
    redisUrl: config.store.redisUrl, prefix: `${config.store.prefix}notify`, logger, retry: config.notifications.retry,
    timeoutMs: config.notifications.timeoutMs,
  });
  const notifier = createNotifier({
    hub, queue: deliveries, logger,
    catalogs: () => registry.current().notifications,
    // what we send our buyers is checked against their release's notification files like our answers are
    check: spec && ((release, api, eventType, url, body) => {
      const sdk = registry.current().releases.get(release)?.sdkFolder as SonataRelease | undefined;
      return sdk ? spec.checkNotification(sdk, api, eventType, url, body) : [];
    }),
    onViolation: (release, eventType) => metrics.specViolations.inc({ direction: 'notification', release, operation: eventType }),
    party: (partnerId) => {
      const p = registry.current().partners.get(partnerId);
      return p ? { buyerId: p.buyerId, sellerId: p.sellerId } : undefined;
    },
  });
  const events: EventPublisher = notifier;
  const hubs = createHubOperations({ hub });
  const buyer = createBuyerSide({ config, registry, store, tokens, logger, embedded: new Map([...sellers].map(([id, sim]) => [id, sim.url])) });
  const internal = createInternalRouter({
    registry, resources, events, tasks, logger, now, callbackSecret: config.legacy.callbackSecret,
    extra: [createNotificationAdminRouter({ queue: deliveries }), buyer.internalRouter],
  });
  deliveries.start();
  const poller = createLegacyPoller({
    registry, legacy, store, logger, intervalMs: config.legacy.pollIntervalMs,
    apply: (event) => applyLegacyStatus({ registry: registry.current(), resources, events, logger, now }, event),
  });
  if (config.legacy.statusUpdates !== 'callback') poller.start();

  let shuttingDown = false;
  const app = createApp({
    config, registry, store, legacy, tokens, logger, observe: opts.observe, isShuttingDown: () => shuttingDown,
    resources, events, tasks, hubs, products, spec, metrics, internal, partnerListeners: buyer.listenerRouter, internalApiKey: config.internal.apiKey, now, legacyCallbacksSigned: !!config.legacy.callbackSecret,
  });
  let server: Server | undefined;

  return {
    config, logger, registry, store, tokens, legacyUrl, app, deliveries, buyer: buyer.service, sellers, pollLegacyEvents: () => poller.pollOnce(),
    listen() {
      server = createServer({ keepAliveTimeout: 65_000 }, app);
      server.on('request', (_req, res) => {
        if (shuttingDown) res.setHeader('Connection', 'close');
        // a keep-alive connection that goes idle during shutdown is closed at once instead of at the grace limit
        res.on('finish', () => {
          if (shuttingDown) setImmediate(() => server?.closeIdleConnections());
        });
      });
      return new Promise((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.server.port, config.server.host, () => {
          const addr = server!.address() as AddressInfo;
          const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          listeningUrl = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
          // embedded sellers authenticate at our token endpoint as their partner profile, then notify our listeners
          for (const [id, sim] of sellers) {
            const p = registry.current().partners.get(id);
            if (p) sim.control.setNotificationAuth({ tokenUrl: `${listeningUrl}/oauth2/token`, clientId: p.clientId, clientSecret: p.clientSecret });
          }
          buyer.start(listeningUrl);
          resolve({ url: listeningUrl, server: server! });
        });
      });
    },
    async close() {
      shuttingDown = true;
      registry.close();
      poller.stop();
      if (server) {
        const s = server;
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        const grace = setTimeout(() => s.closeAllConnections(), config.server.shutdownGraceMs);
        await closed;
        clearTimeout(grace);
      }
      await deliveries.close();
      await buyer.close();
      await Promise.all([...sellers.values()].map((sim) => sim.close()));
      await legacy.close();
      await simulator?.close();
      await store.close();
    },
  };
}

/** The spec guard for config.conformance; a missing SDK folder switches it off (or refuses to start when required). */
function createGatewaySpecGuard(config: GatewayConfig, logger: Logger): SpecGuard | undefined {
  if (config.conformance.mode === 'off') return undefined;
  if (!config.sdkDir || !existsSync(join(config.sdkDir, 'grace'))) {
    if (config.conformance.requireSdk) {
      throw new ConfigError([{ file: 'config', message: `conformance.mode is ${config.conformance.mode} but the SDK folder ${config.sdkDir ?? '(sdkDir unset)'} is missing` }]);
    }
    logger.warn('Sonata SDK folder not found; spec validation is off', { sdkDir: config.sdkDir });
    return undefined;
  }
  const errata = loadSpecErrata(join(config.paths.mappings, 'spec-errata.yaml'));
  return createSpecGuard({ catalog: createSpecCatalog({ sdkDir: config.sdkDir, errata }), mode: config.conformance.mode });
}

/**
 * Simulated sellers for partners whose seller.baseUrl is `embedded` (buyer.embeddedSellers, demo and test): strict
 * (every request checked against the release's OpenAPI files) when the SDK folder is there.
 */
async function startEmbeddedSellers(config: GatewayConfig, registry: import('./registry/registry.js').Registry, logger: Logger): Promise<Map<string, RunningSonataSeller>> {
  const sellers = new Map<string, RunningSonataSeller>();
  const wanted = [...registry.partners.values()].filter((p) => p.seller?.baseUrl === 'embedded');
  if (wanted.length === 0) return sellers;
  if (!config.buyer.embeddedSellers) {
    logger.warn('partners have an embedded seller but buyer.embeddedSellers is off; buying from them fails', { partners: wanted.map((p) => p.id) });
    return sellers;
  }
  const strict = config.sdkDir && existsSync(join(config.sdkDir, 'grace')) ? { sdkDir: config.sdkDir, specs: sellerSpecCatalog(config.sdkDir) } : undefined;
  for (const p of wanted) {
    const release = registry.releases.get(p.release)?.name;
    if (release !== 'billie' && release !== 'grace' && release !== 'kylie') {
      logger.warn('no seller simulator for this release', { seller: p.id, release });
      continue;
    }
    const sim = await startSonataSeller({
      release, strict, clients: [{ clientId: p.seller!.clientId, clientSecret: p.seller!.clientSecret }],
      countries: p.seller!.serves.countries, idPrefix: p.id.split('-').map((w) => w.charAt(0)).join('').toUpperCase(),
      autoAdvanceMs: config.buyer.embeddedSellerAdvanceMs, logger: logger.child({ component: 'seller-simulator', seller: p.id }),
    });
    // compiled now, before the gateway serves, so no request waits behind a compile on the shared event loop
    sim.control.warmUp();
    sellers.set(p.id, sim);
    logger.info('embedded seller simulator started', { seller: p.id, release, url: sim.url, strict: !!strict });
  }
  return sellers;
}

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
