/**
 * Builds the buyer side once for the composition root: the seller client, the service, the `/internal/buyer`
 * routes, the listener routes sellers post their notifications to, and the durable queue to the legacy BSS's
 * webhook. Connects nothing until used.
 */
import type express from 'express';
import type { GatewayConfig } from '../config/config-schema.js';
import { createSpecCatalog, sdkReleases, type SpecCatalog } from '../conformance/openapi-validator.js';
import { createDeliveryQueue, type DeliveryQueue } from '../notify/delivery-queue.js';
import type { Logger } from '../observability/logger.js';
import type { BreakerBoard } from '../outbound/circuit-breakers.js';
import { createJsonBodyParser } from '../pipeline/body-guards.js';
import type { PartnerDef } from '../registry/registry.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import type { Store } from '../state/store.js';
import type { Idempotency } from '../pipeline/idempotency.js';
import { createBuyerRouter } from './buyer-router.js';
import { createBuyerService, type BuyerService } from './buyer-service.js';
import { createLegacyWebhookSender } from './legacy-webhook.js';
import { createListenerRouter } from './listener-router.js';
import { createSellerClient, type SellerEndpoint } from './seller-client.js';
import { instrumentSellerClient } from './instrument-seller-client.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { CapturingActivityLog } from '../observability/activity-log.js';

/** Options of {@link createBuyerSide}. */
export interface BuyerSideOptions {
  /** seller call latency and status (sonata_gateway_seller_call_seconds) */
  metrics?: GatewayMetrics;
  config: GatewayConfig;
  registry: RegistryHolder;
  store: Store;
  logger: Logger;
  /** where the sellers' circuit breakers are kept (one per seller; metrics and /readyz read it) */
  breakers?: BreakerBoard;
  /** origins of sellers simulated in process, by partner id (partners whose seller.baseUrl is `embedded`) */
  embedded?: ReadonlyMap<string, string>;
  /** replays of the legacy BSS's creates by Idempotency-Key */
  idempotency?: Idempotency;
  /** the activity log: seller calls and answers are recorded in the capture of the BSS's request */
  activity?: CapturingActivityLog;
}

export interface BuyerSide {
  readonly service: BuyerService;
  /** `/buyer/...` routes, mounted under `/internal` */
  readonly internalRouter: express.Router;
  /** `/partners/:partnerId/mefApi/sonata/...` listener routes, mounted at the root */
  readonly listenerRouter: express.Router;
  /** the queue to the legacy BSS's webhook */
  readonly webhookQueue: DeliveryQueue;
  /** tells the side where sellers reach us (once the gateway listens) and registers our listeners with their hubs */
  start(listeningUrl: string): void;
  close(): Promise<void>;
}

/** Builds the buyer side for the composition root; nothing is delivered or registered until {@link BuyerSide.start}. */
export function createBuyerSide(opts: BuyerSideOptions): BuyerSide {
  const { config, logger } = opts;
  const log = logger.child({ component: 'buyer' });
  const plainClient = createSellerClient({
    store: opts.store,
    logger: log,
    retry: config.buyer.sellerRetry,
    breaker: config.buyer.sellerBreaker,
    breakers: opts.breakers,
    activity: opts.activity,
  });
  const client = opts.metrics ? instrumentSellerClient(plainClient, opts.metrics) : plainClient;
  const sender = createLegacyWebhookSender({
    secret: config.buyer.legacyWebhookSecret || undefined,
    timeoutMs: config.notifications.timeoutMs,
  });
  const webhookQueue = createDeliveryQueue({
    redisUrl: config.store.redisUrl,
    prefix: `${config.store.prefix}buyer-webhook`,
    logger: log,
    retry: config.notifications.retry,
    timeoutMs: config.notifications.timeoutMs,
    send: sender.send,
  });
  let callbackBase: string | undefined = config.buyer.callbackBaseUrl || config.server.publicBaseUrl || undefined;

  const endpoint = (partner: PartnerDef): SellerEndpoint | string => {
    const s = partner.seller;
    if (!s) return `${partner.id} has no seller section`;
    if (s.baseUrl === 'embedded') {
      const url = opts.embedded?.get(partner.id);
      if (!url)
        return 'its seller.baseUrl is "embedded" but no simulated seller runs here (buyer.embeddedSellers is off, or it was added after start)';
      return {
        baseUrl: url,
        tokenUrl: `${url}/oauth2/token`,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        scope: s.scope,
        timeoutMs: s.timeoutMs,
      };
    }
    return {
      baseUrl: s.baseUrl,
      tokenUrl: s.tokenUrl,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      scope: s.scope,
      timeoutMs: s.timeoutMs,
    };
  };

  const service = createBuyerService({
    registry: opts.registry,
    store: opts.store,
    client,
    logger: log,
    endpoint,
    metrics: opts.metrics,
    callbackBase: () => callbackBase,
    webhook: { url: config.buyer.legacyWebhookUrl || undefined, enqueue: (d) => webhookQueue.enqueue(d) },
  });
  let specs: SpecCatalog | undefined;
  if (config.buyer.validateNotifications && config.sdkDir && sdkReleases(config.sdkDir).length > 0)
    specs = createSpecCatalog({ sdkDir: config.sdkDir });
  else if (config.buyer.validateNotifications)
    log.warn("Sonata SDK folder not found; sellers' notifications are checked for their envelope only", {
      sdkDir: config.sdkDir,
    });

  return {
    service,
    internalRouter: createBuyerRouter({
      service,
      registry: opts.registry,
      logger: log,
      limitBytes: config.server.bodyLimitBytes,
      idempotency: opts.idempotency,
    }),
    listenerRouter: createListenerRouter({
      registry: opts.registry,
      service,
      logger: log,
      specs,
      parseBody: createJsonBodyParser({
        limitBytes: config.server.bodyLimitBytes,
        maxDepth: config.server.maxJsonDepth,
        maxArrayItems: config.server.maxArrayItems,
        maxValues: config.server.maxBodyValues,
      }),
    }),
    webhookQueue,
    start(listeningUrl) {
      callbackBase ??= listeningUrl;
      webhookQueue.start();
      void service.registerAllHubs(log);
    },
    async close() {
      await webhookQueue.close();
      await sender.close();
      await client.close();
    },
  };
}
