import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createExternalTokenVerifier } from './auth/external-tokens.js';
import { createTokenService, type TokenService } from './auth/token-service.js';
import { createBuyerSide } from './buyer/create-buyer-side.js';
import type { BuyerService } from './buyer/buyer-service.js';
import type { GatewayConfig } from './config/config-schema.js';
import { environmentVariables, loadConfig } from './config/load-config.js';
import { createLegacyClient, type LegacyClient } from './legacy/legacy-client.js';
import { createMappingEngine } from './mapping/engine.js';
import { createLoadCache } from './registry/load-cache.js';
import { warmCountryNames } from './mapping/functions/country.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createAdminApp, createApp } from './pipeline/create-app.js';
import { createRateLimits } from './pipeline/rate-limits.js';
import { loadRegistry } from './registry/load-registry.js';
import { createRegistryHolder, type RegistryHolder } from './registry/registry-holder.js';
import type { StageObserver } from './sonata/execute-operation.js';
import { createNotificationAdminRouter } from './notify/admin-router.js';
import { redactUrl } from './notify/delivery-attempts.js';
import { createActivityLog, type CapturingActivityLog } from './observability/activity-log.js';
import { createActivityRouter } from './pipeline/activity-router.js';
import { createDeliveryQueue, type DeliveryQueue } from './notify/delivery-queue.js';
import { createHubService } from './notify/hub-service.js';
import { createNotifier } from './notify/notifier.js';
import { createHubOperations } from './sonata/hub-operations.js';
import { loadProductSchemas } from './sonata/products/product-schemas.js';
import { loadSpecErrata, type SpecErratum } from './conformance/spec-errata.js';
import { createContractLibrary, createContractsRouter } from './conformance/served-contracts.js';
import { createSpecCatalog, sdkReleases, type SonataRelease } from './conformance/openapi-validator.js';
import { createSpecGuard, type SpecGuard } from './conformance/spec-guard.js';
import { createMetrics, observeBreakers, observeNotificationQueue, type GatewayMetrics } from './observability/metrics.js';
import { observeRegistrySnapshot } from './observability/registry-metrics.js';
import { instrumentLegacyClient } from './legacy/instrument-legacy-client.js';
import { createBreakerBoard, type BreakerBoard } from './outbound/circuit-breakers.js';
import { ConfigError } from './config/yaml-source.js';
import { createInternalRouter } from './sonata/internal-router.js';
import { createLegacyAnnouncer } from './sonata/resources/legacy-announcements.js';
import { applyLegacyStatus } from './sonata/resources/legacy-status.js';
import { createLegacyPoller } from './sonata/resources/legacy-poller.js';
import { createDeadlineSweeper } from './sonata/resources/deadline-sweeper.js';
import type { EventPublisher } from './sonata/resources/resource-events.js';
import { createResourceRepository } from './sonata/resources/resource-repository.js';
import { createWorkQueue } from './sonata/resources/work-queue.js';
import { startInProcessSellers, type InProcessSeller, type InProcessSellers } from './buyer/in-process-sellers.js';
import { RUN_THE_DEMO, type InProcessLegacy, type StartInProcessLegacy } from './legacy/in-process-legacy.js';
import { settingProblem } from './config/setting-problem.js';
import type { ResourceRepository } from './sonata/resources/resource-repository.js';
import type { WorkQueue } from './sonata/resources/work-queue.js';
import { createStore } from './state/create-store.js';
import { createIdempotency } from './pipeline/idempotency.js';
import type { Store } from './state/store.js';
import type { ActivityLog } from './observability/activity.js';
import { projectPath } from './config/yaml-source.js';
import { createConsoleConformance } from './console/console-conformance.js';
import { createConsoleRouter, type ConsoleDeps } from './console/console-router.js';
import { loadConsoleUsers, refuseShippedConsoleUsers, type ConsoleUser } from './console/console-users.js';
import { createDeliveryOutcomes } from './console/delivery-outcomes.js';
import { packageVersion } from './cli/main.js';

export interface BuildGatewayOptions<S extends InProcessSeller = InProcessSeller> {
  rootDir: string;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** environment name (default: GATEWAY_ENV, else "production" when NODE_ENV=production, else "demo") */
  env?: string;
  /** replaces the configured logger (tests capture lines with it) */
  logger?: Logger;
  /** disables the file watcher regardless of config (tests that reload by hand) */
  watch?: boolean;
  observe?: StageObserver;
  /**
   * Tests only (main.ts never sets it): exact `host:port` entries every partner may use as a hub callback besides its
   * profile's, read on each registration and delivery, so a test's listener on an ephemeral loopback port is allowed
   * without opening every loopback port to every partner.
   */
  extraCallbackHosts?: () => readonly string[];
  /**
   * how close() waits `server.shutdownDelayMs` while /readyz already answers 503 (default: a timer); tests pass a
   * promise they settle themselves
   */
  shutdownDelay?: (ms: number) => Promise<void>;
  /** an activity log for the console's Activity page instead of the gateway's own (tests) */
  activity?: ActivityLog;
  /** the in-process backends of the demo and the tests (simulators/src/demo-backends.ts); the product has none */
  backends?: InProcessBackends<S>;
}

export interface Gateway<S extends InProcessSeller = InProcessSeller> {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly registry: RegistryHolder;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly legacyUrl: string;
  readonly deliveries: DeliveryQueue;
  /** the activity log (a disabled one records nothing): the console's Activity page reads it */
  readonly activity: CapturingActivityLog;
  /** the buyer side: the legacy BSS buys from partner sellers (src/buyer) */
  readonly buyer: BuyerService;
  /** sellers simulated in process (demo/test: partners whose seller.baseUrl is `embedded`), by partner id */
  readonly sellers: ReadonlyMap<string, S>;
  /** one round of polling the legacy BSS's event journal (also used by tests and the CLI) */
  pollLegacyEvents(): Promise<number>;
  /** one sweep of passed deadlines (a charge unanswered by its responseDueDate), as of `at` (tests inject the time) */
  sweepDeadlines(at?: Date): Promise<number>;
  readonly app: ReturnType<typeof createApp>;
  /** the operator app (server.adminPort), when configured */
  readonly adminApp?: ReturnType<typeof createAdminApp>;
  /**
   * starts listening on config.server.host/port (PORT/HOST env), and on server.adminPort when set; port 0 picks a
   * free one
   */
  listen(): Promise<{ url: string; server: Server; adminUrl?: string }>;
  /**
   * graceful: /readyz answers 503 at once while requests are still served for server.shutdownDelayMs (load balancers
   * take the instance out), then stop accepting, let in-flight requests finish (up to shutdownGraceMs), let
   * notification deliveries in flight finish, close everything
   */
  close(): Promise<void>;
}

/**
 * The backends a demo or test gateway starts in its own process (simulators/src/demo-backends.ts supplies them). The
 * product passes none: a configuration that asks for one (legacy.baseUrl `embedded`, buyer.embeddedSellers with a
 * partner whose seller.baseUrl is `embedded`) is refused with a ConfigError that says to run the demo.
 */
export interface InProcessBackends<S extends InProcessSeller = InProcessSeller> {
  legacy?: StartInProcessLegacy;
  sellers?: InProcessSellers<S>;
}

/** Builds the whole gateway once: config, logger, mapping engine, registry, store, legacy client, token service, app. */
export async function buildGateway<S extends InProcessSeller = InProcessSeller>(opts: BuildGatewayOptions<S>): Promise<Gateway<S>> {
  const config = loadConfig({ rootDir: opts.rootDir, env: opts.env, processEnv: opts.processEnv });
  const logger = opts.logger ?? createLogger({ level: config.logging.level, format: config.logging.format });
  // first: reloads, and everything built below, report into it
  const metrics = createMetrics({ defaultMetrics: true });
  const { registry, readSecrets } = createGatewayRegistry(opts, config, logger, metrics);
  // the gateway's own address, known once it listens: the embedded simulator sends its status callbacks there
  let listeningUrl: string | undefined;
  // the backends in process first (demo/test): the product, asked for one, refuses before it connects to anything
  const inProcess = await startInProcessBackends(config, logger, registry, opts.backends, () => listeningUrl);
  const store = createStore({
    redisUrl: config.store.redisUrl,
    prefix: config.store.prefix,
    commandTimeoutMs: config.store.commandTimeoutMs,
    connectTimeoutMs: config.store.connectTimeoutMs,
  });
  // every partner request with its hops (legacy BSS, sellers, notifications), when config.activity.enabled
  const activity = createActivityLog({ store, settings: config.activity, logger });
  const { breakers, legacy, tokens } = createClients(config, logger, metrics, registry, activity, inProcess.legacyUrl);
  // the SDK's releases and the errata to its files, read once: the spec guard and the served contracts share them (an
  // erratum naming a release the SDK lacks is refused when the guard runs on that SDK)
  const sdk = sdkReleases(config.sdkDir);
  const specOn = config.conformance.mode !== 'off' && sdk.length > 0;
  const errata = loadSpecErrata(join(config.paths.mappings, 'spec-errata.yaml'), specOn ? sdk : undefined);
  const spec = createGatewaySpecGuard(config, logger, sdk, errata);
  const products = loadProductSchemas({ catalogFile: config.products.catalog, schemaDir: config.products.schemaDir, logger });
  const resources = createResourceRepository(store);
  const tasks = createWorkQueue(store);
  const now = () => new Date();
  const notify = createNotifications({ opts, config, logger, registry, store, metrics, activity, spec, now });
  // one Idempotency-Key store for partners' creates and the legacy BSS's purchases (keys kept apart by caller)
  const idempotency = createIdempotency({ store, settings: config.idempotency });
  const buyer = createBuyerSide({
    config,
    registry,
    store,
    logger,
    breakers,
    metrics,
    idempotency,
    embedded: new Map([...inProcess.sellers].map(([id, sim]) => [id, sim.url])),
    activity,
  });
  const work = createLegacyWork({ config, registry, store, legacy, logger, resources, tasks, now, notify, buyer, activity });
  observeNotificationQueue(metrics, () => notify.deliveries.backlog());
  notify.deliveries.start();
  if (config.legacy.statusUpdates !== 'callback') work.poller.start();
  work.deadlines.start();

  let shuttingDown = false;
  const contracts = createContractLibrary({ sdkDir: config.sdkDir, errata });
  const limits = createRateLimits({ limits: config.limits, redisUrl: config.store.redisUrl, prefix: config.store.prefix, logger });
  const appDeps = {
    config,
    registry,
    store,
    legacy,
    tokens,
    logger,
    observe: opts.observe,
    isShuttingDown: () => shuttingDown,
    resources,
    events: notify.events,
    tasks,
    hubs: notify.hubs,
    products,
    spec,
    metrics,
    internal: work.internal,
    operator: work.operator,
    externalTokens: config.auth.externalIssuers.length
      ? createExternalTokenVerifier({ issuers: config.auth.externalIssuers, registry: () => registry.current() })
      : undefined,
    breakers: () => breakers.snapshot(),
    partnerListeners: buyer.listenerRouter,
    now,
    legacyCallbacksSigned: !!config.legacy.callbackSecret,
    limits,
    idempotency,
    activity,
    contracts: createContractsRouter(contracts),
    console: createGatewayConsole({
      config,
      registry,
      deliveries: notify.deliveries,
      logger,
      activity: opts.activity ?? activity,
      contracts,
      deliveryOutcomes: notify.deliveryOutcomes,
      readSecrets,
      mainUrl: () => listeningUrl,
    }),
  };
  const app = createApp(appDeps);
  const adminApp = config.server.adminPort !== undefined ? createAdminApp(appDeps) : undefined;
  const lifecycle = createLifecycle({
    config,
    logger,
    registry,
    app,
    adminApp,
    shutdownDelay: opts.shutdownDelay,
    onShuttingDown: () => (shuttingDown = true),
    onListening: (url) => {
      listeningUrl = url;
      inProcess.notifyAs(url);
      buyer.start(url);
    },
    closeAll: async () => {
      await notify.deliveries.close();
      await buyer.close();
      await Promise.all([...inProcess.sellers.values()].map((sim) => sim.close()));
      await legacy.close();
      breakers.close();
      await inProcess.legacy?.close();
      await limits.close();
      await store.close();
    },
    stopWork: () => {
      work.poller.stop();
      work.deadlines.stop();
    },
  });
  return {
    config,
    logger,
    registry,
    store,
    tokens,
    legacyUrl: inProcess.legacyUrl,
    app,
    adminApp,
    deliveries: notify.deliveries,
    activity,
    buyer: buyer.service,
    sellers: inProcess.sellers,
    pollLegacyEvents: () => work.poller.pollOnce(),
    sweepDeadlines: (at) => work.deadlines.sweepOnce(at),
    ...lifecycle,
  };
}

/** The mapping engine and the registry holder (reloads, the file watcher); secrets are read again at each reload. */
function createGatewayRegistry(
  opts: BuildGatewayOptions<InProcessSeller>,
  config: GatewayConfig,
  logger: Logger,
  metrics: GatewayMetrics,
): { registry: RegistryHolder; readSecrets: () => Record<string, string> } {
  const secrets = environmentVariables(opts.rootDir, config.env, opts.processEnv);
  const engine = createMappingEngine({
    deadlineMs: config.mapping.deadlineMs,
    maxDepth: config.mapping.maxDepth,
    engine: config.mapping.engine,
    syncSliceMs: config.mapping.syncSliceMs,
  });
  // secrets are read again at each reload (`*_FILE` files rotate, a new partner brings its own); one that cannot be
  // read keeps the values of the last load
  let lastSecrets = secrets;
  const readSecrets = (): Record<string, string> => {
    try {
      lastSecrets = environmentVariables(opts.rootDir, config.env, opts.processEnv);
    } catch (err) {
      logger.error('secrets could not be read again; the last ones read are used', { error: String(err) });
    }
    return lastSecrets;
  };
  // reloads parse and compile only the files whose text changed (src/registry/load-cache.ts)
  const loadCache = createLoadCache();
  const registry = createRegistryHolder({
    load: (isolate) =>
      loadRegistry({
        partnersDir: config.paths.partners,
        mappingsDir: config.paths.mappings,
        engine,
        secrets: isolate ? readSecrets() : secrets,
        isolate,
        cache: loadCache,
      }),
    cache: loadCache,
    logger,
    onReload: () => metrics.reloads.inc({ result: 'ok' }),
    onRefused: () => metrics.reloads.inc({ result: 'refused' }),
  });
  // the 78 locales' country names, indexed before the first request needs them (src/mapping/functions/country.ts)
  warmCountryNames();
  if (opts.watch ?? config.reload.watch) registry.watch([config.paths.partners, config.paths.mappings], config.reload.debounceMs);
  return { registry, readSecrets };
}

/**
 * The legacy BSS and partner sellers started in this process (demo and test), from `backends`; without them (the
 * product) a configuration that needs one is refused.
 */
async function startInProcessBackends<S extends InProcessSeller>(
  config: GatewayConfig,
  logger: Logger,
  registry: RegistryHolder,
  backends: InProcessBackends<S> | undefined,
  mainUrl: () => string | undefined,
): Promise<{ legacyUrl: string; legacy?: InProcessLegacy; sellers: Map<string, S>; notifyAs(url: string): void }> {
  let legacy: InProcessLegacy | undefined;
  let legacyUrl = config.legacy.baseUrl;
  if (legacyUrl === 'embedded') {
    if (!backends?.legacy) throw new ConfigError([settingProblem(config, '/legacy/baseUrl', `is "embedded": ${RUN_THE_DEMO}`)]);
    legacy = await backends.legacy({
      apiKey: config.legacy.apiKey,
      callbackUrl: config.legacy.statusUpdates === 'poll' ? undefined : () => mainUrl() && `${mainUrl()}/internal/legacy/events`,
      callbackSecret: config.legacy.callbackSecret,
      autoAdvanceMs: config.legacy.simulator.autoAdvanceMs,
      deferredDelayMs: config.legacy.simulator.deferredDelayMs,
    });
    legacyUrl = legacy.url;
    logger.info('embedded legacy BSS simulator started', { url: legacyUrl });
  }
  // partner sellers simulated in process, like the legacy BSS above (demo/test only)
  const sellers = await startInProcessSellers(config, registry.current(), logger, backends?.sellers);
  return {
    legacyUrl,
    legacy,
    sellers,
    // embedded sellers authenticate at our token endpoint as their partner profile, then notify our listeners
    notifyAs(url) {
      for (const [id, sim] of sellers) {
        const p = registry.current().partners.get(id);
        if (p) backends!.sellers!.notifyAs(sim, { tokenUrl: `${url}/oauth2/token`, clientId: p.clientId, clientSecret: p.clientSecret });
      }
    },
  };
}

/** The circuit breakers (shown in /readyz and /metrics), the legacy BSS client and the token service. */
function createClients(
  config: GatewayConfig,
  logger: Logger,
  metrics: GatewayMetrics,
  registry: RegistryHolder,
  activity: CapturingActivityLog,
  legacyUrl: string,
): { breakers: BreakerBoard; legacy: LegacyClient; tokens: TokenService } {
  // every backend's circuit breaker (legacy BSS, each seller), shown in /readyz and /metrics
  const breakers = createBreakerBoard();
  const legacy: LegacyClient = instrumentLegacyClient(
    createLegacyClient({
      baseUrl: legacyUrl,
      apiKey: config.legacy.apiKey,
      timeoutMs: config.legacy.timeoutMs,
      retry: config.legacy.retry,
      breaker: config.legacy.breaker,
      breakers,
      activity,
    }),
    metrics,
  );
  const tokens = createTokenService({
    issuer: config.auth.issuer,
    secret: config.auth.signingSecret,
    ttlSeconds: config.auth.tokenTtlSeconds,
  });
  observeBreakers(metrics, breakers);
  observeRegistrySnapshot(metrics, registry);
  breakers.subscribe((breaker, event) => {
    if (event !== 'rejected') logger[event === 'open' ? 'error' : 'warn']('circuit breaker changed state', { breaker, state: event });
  });
  return { breakers, legacy, tokens };
}

/** Notifications: per-release catalogues, hub subscriptions in the store, a durable delivery queue, the notifier. */
function createNotifications(deps: {
  opts: BuildGatewayOptions<InProcessSeller>;
  config: GatewayConfig;
  logger: Logger;
  registry: RegistryHolder;
  store: Store;
  metrics: GatewayMetrics;
  activity: CapturingActivityLog;
  spec: SpecGuard | undefined;
  now: () => Date;
}) {
  const { opts, config, logger, registry, store, metrics, activity, spec, now } = deps;
  const hub = createHubService({ store, now });
  const allowedCallbackHosts = (partnerId: string): readonly string[] | undefined => {
    const p = registry.current().partners.get(partnerId);
    return p && [...p.allowedCallbackHosts, ...(opts.extraCallbackHosts?.() ?? [])];
  };
  // the last outcome per callback URL, for the console's partner page
  const deliveryOutcomes = createDeliveryOutcomes();
  const deliveries: DeliveryQueue = createDeliveryQueue({
    redisUrl: config.store.redisUrl,
    prefix: `${config.store.prefix}notify`,
    logger,
    retry: config.notifications.retry,
    timeoutMs: config.notifications.timeoutMs,
    onOutcome: (outcome, delivery, attempt) => {
      deliveryOutcomes.record(outcome, delivery);
      metrics.notificationDeliveries.inc({ outcome });
      if (outcome === 'dead') metrics.notificationDeadLetters.inc();
      // the request that caused it learns how its notification ended (not every retry)
      if (delivery.correlationId && outcome !== 'retry' && activity.enabled) {
        activity
          .appendHop(delivery.correlationId, {
            kind: 'notification',
            at: new Date().toISOString(),
            method: 'POST',
            url: redactUrl(delivery.url),
            status: attempt.status,
            note: `${outcome === 'delivered' ? 'delivered' : 'dead-lettered'} ${delivery.eventType} (attempt ${attempt.attempt})${attempt.error ? `: ${attempt.error}` : ''}`,
          })
          .catch((err: unknown) => logger.warn('activity hop not appended', { correlationId: delivery.correlationId, error: String(err) }));
      }
    },
    // partners choose these URLs: checked against their profile and the callback guard on every attempt, and signed
    partners: {
      allowedCallbackHosts,
      signingSecrets: (partnerId) => registry.current().partners.get(partnerId)?.notificationSigningSecrets ?? [],
    },
  });
  const notifier = createNotifier({
    hub,
    queue: deliveries,
    logger,
    activity,
    catalogs: () => registry.current().notifications,
    // what we send our buyers is checked against their release's notification files like our answers are
    check:
      spec &&
      ((release, api, eventType, url, body) => {
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
  const hubs = createHubOperations({ hub, allowedCallbackHosts: (partner) => allowedCallbackHosts(partner.id) ?? [] });
  return { hub, deliveries, deliveryOutcomes, events, hubs };
}

/** What the legacy BSS's status reports drive: announcements, the /internal routers, the poller, the deadline sweeper. */
function createLegacyWork(deps: {
  config: GatewayConfig;
  registry: RegistryHolder;
  store: Store;
  legacy: LegacyClient;
  logger: Logger;
  resources: ResourceRepository;
  tasks: WorkQueue;
  now: () => Date;
  notify: ReturnType<typeof createNotifications>;
  buyer: ReturnType<typeof createBuyerSide>;
  activity: CapturingActivityLog;
}) {
  const { config, registry, store, legacy, logger, resources, tasks, now, notify, buyer, activity } = deps;
  const { hub, events, deliveries } = notify;
  // /internal: what the legacy BSS calls stays on the main port; the operator tools move to the admin port if any
  const listening = async (partnerId: string, apiName: string, eventType: string) =>
    (await hub.subscribersFor(partnerId, apiName, eventType)).length > 0;
  const announce = createLegacyAnnouncer({ store, legacy, resources, events, tasks, logger, now, listening });
  const internal = createInternalRouter({
    registry,
    resources,
    events,
    tasks,
    logger,
    now,
    announce,
    callbackSecret: config.legacy.callbackSecret,
    parts: { tasks: false },
    extra: [buyer.internalRouter],
  });
  const operator = createInternalRouter({
    registry,
    resources,
    events,
    tasks,
    logger,
    now,
    parts: { legacyEvents: false },
    extra: [createNotificationAdminRouter({ queue: deliveries }), createActivityRouter({ activity })],
  });
  const poller = createLegacyPoller({
    registry,
    legacy,
    store,
    logger,
    intervalMs: config.legacy.pollIntervalMs,
    apply: (event) => applyLegacyStatus({ registry: registry.current(), resources, events, logger, now, announce }, event),
  });
  const deadlines = createDeadlineSweeper({ registry, store, resources, events, legacy, logger, now });
  return { internal, operator, poller, deadlines };
}

/** listen() and close() of a built gateway: the main and admin listeners, graceful shutdown. */
function createLifecycle(deps: {
  config: GatewayConfig;
  logger: Logger;
  registry: RegistryHolder;
  app: ReturnType<typeof createApp>;
  adminApp?: ReturnType<typeof createAdminApp>;
  shutdownDelay?: (ms: number) => Promise<void>;
  onShuttingDown(): void;
  onListening(url: string): void;
  stopWork(): void;
  closeAll(): Promise<void>;
}): Pick<Gateway, 'listen' | 'close'> {
  const { config, logger, app, adminApp } = deps;
  let shuttingDown = false;
  let server: Server | undefined;
  let adminServer: Server | undefined;
  let closing: Promise<void> | undefined;
  const shutdownDelay = deps.shutdownDelay ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const listenAdmin = async (): Promise<string | undefined> => {
    if (!adminApp) return undefined;
    adminServer = createServer({ ...slowClientLimits(config.server), keepAliveTimeout: 5_000 }, adminApp);
    await new Promise<void>((resolve, reject) => {
      adminServer!.once('error', reject);
      adminServer!.listen(config.server.adminPort, config.server.host, () => resolve());
    });
    return urlOf(adminServer.address() as AddressInfo);
  };

  async function shutDown(): Promise<void> {
    // /readyz fails first; requests are still served while load balancers notice and stop sending new ones
    shuttingDown = true;
    deps.onShuttingDown();
    if (server && config.server.shutdownDelayMs > 0) {
      logger.info('draining: readiness fails, still serving', { delayMs: config.server.shutdownDelayMs });
      await shutdownDelay(config.server.shutdownDelayMs);
    }
    deps.registry.close();
    deps.stopWork();
    if (server) await drainServer(server, config.server.shutdownGraceMs);
    // the admin listener last: metrics stay readable while the main port drains
    if (adminServer) await drainServer(adminServer, config.server.shutdownGraceMs);
    await deps.closeAll();
  }

  return {
    listen() {
      server = createServer(slowClientLimits(config.server), app);
      server.maxConnections = config.server.maxConnections;
      // before the app's handler: a synchronous answer (e.g. /healthz) has sent its headers by the next listener
      server.prependListener('request', (_req, res) => {
        if (shuttingDown) res.setHeader('Connection', 'close');
        // a keep-alive connection that goes idle during shutdown is closed at once instead of at the grace limit
        res.on('finish', () => {
          if (shuttingDown) setImmediate(() => server?.closeIdleConnections());
        });
      });
      return new Promise<{ url: string; server: Server }>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.server.port, config.server.host, () => {
          const url = urlOf(server!.address() as AddressInfo);
          deps.onListening(url);
          resolve({ url, server: server! });
        });
      }).then(async (main) => ({ ...main, adminUrl: await listenAdmin() }));
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

/** The console (admin listener only): on when console.sessionSecret is set; production refuses the demo users. */
function createGatewayConsole(
  deps: Omit<ConsoleDeps, 'version' | 'users' | 'conformance'> & {
    readSecrets: () => Record<string, string>;
    mainUrl: () => string | undefined;
  },
): ReturnType<typeof createConsoleRouter> | undefined {
  const { config, logger } = deps;
  if (!config.console.sessionSecret) return undefined;
  if (config.server.adminPort === undefined) {
    logger.warn('console.sessionSecret is set but server.adminPort is not: the console is served on the admin listener only, so it is off');
    return undefined;
  }
  let users: ConsoleUser[] | undefined;
  if (config.console.usersFile) {
    const shown = projectPath(config.console.usersFile, config.rootDir);
    users = loadConsoleUsers(config.console.usersFile, shown);
    if (config.env === 'production') refuseShippedConsoleUsers(users, { rootDir: config.rootDir, file: shown });
  }
  if (!users?.length && !config.console.oauth2) logger.warn('the console has no way to sign in: set console.usersFile or console.oauth2');
  const { readSecrets, mainUrl, ...rest } = deps;
  return createConsoleRouter({
    ...rest,
    version: packageVersion(),
    users,
    conformance: createConsoleConformance({ config, variables: readSecrets, mainUrl }),
  });
}

function urlOf(addr: AddressInfo): string {
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
}

/** The spec guard for config.conformance; a missing SDK folder switches it off (or refuses to start when required). */
function createGatewaySpecGuard(
  config: GatewayConfig,
  logger: Logger,
  sdk: readonly SonataRelease[],
  errata: readonly SpecErratum[],
): SpecGuard | undefined {
  if (config.conformance.mode === 'off') return undefined;
  if (!config.sdkDir || sdk.length === 0) {
    if (config.conformance.requireSdk) {
      throw new ConfigError([
        {
          file: 'config',
          message: `conformance.mode is ${config.conformance.mode} but the SDK folder ${config.sdkDir ?? '(sdkDir unset)'} is missing`,
        },
      ]);
    }
    logger.warn('Sonata SDK folder not found; spec validation is off', { sdkDir: config.sdkDir });
    return undefined;
  }
  return createSpecGuard({
    catalog: createSpecCatalog({ sdkDir: config.sdkDir, errata }),
    mode: config.conformance.mode,
  });
}

/**
 * Slow clients: a socket that trickles its headers past headersTimeoutMs, or its whole request past
 * requestTimeoutMs, is answered 408 and closed. node checks these at connectionsCheckingInterval (30 s by
 * default), so the interval follows the shortest limit.
 */
function slowClientLimits(server: GatewayConfig['server']): ServerOptions {
  return {
    headersTimeout: server.headersTimeoutMs,
    requestTimeout: Math.max(server.requestTimeoutMs, server.headersTimeoutMs),
    keepAliveTimeout: server.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, server.headersTimeoutMs),
  };
}

/** Stop accepting, close idle keep-alive sockets now, and give in-flight requests `graceMs` before cutting them. */
async function drainServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(grace);
}
