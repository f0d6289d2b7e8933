/**
 * The buyer side's pipeline, in one place:
 *   legacy body -> (legacy request mapping) -> unified request + route -> seller choice -> (release request mapping)
 *   -> (the seller's dialect) -> seller call -> (dialect back) -> (release response mapping) -> unified answer
 *   -> (legacy response mapping) -> legacy answer;
 * and for seller notifications: wire event -> unified event -> (retrieve the object if the event only names it)
 * -> legacy event -> the legacy BSS's webhook through the durable delivery queue.
 * Every failure becomes a {@link BuyerError} that names the seller; docs/architecture.md draws the same thing.
 */
import { createMappingTimer, type GatewayMetrics } from '../observability/metrics.js';
import type { Delivery } from '../notify/delivery-queue.js';
import type { Logger } from '../observability/logger.js';
import { inSpan } from '../observability/spans.js';
import { MappingError } from '../mapping/errors.js';
import type { CompiledMapping } from '../mapping/engine.js';
import type { LookupTables } from '../mapping/lookups.js';
import type { PartnerDef, Registry } from '../registry/registry.js';
import type { RegistryHolder } from '../registry/registry-holder.js';
import { StoreUnavailableError, type Store } from '../state/store.js';
import type {
  BuyerLegacyOperation,
  BuyerOperationName,
  BuyerReleaseDef,
  ListenerDef,
  SellerOperationDef,
} from '../registry/buyer-mappings.js';
import { SellerCallError, type SellerClient, type SellerEndpoint } from './seller-client.js';
import { BuyerError, buyerError } from './buyer-errors.js';
import { classifySellerFailure, mapPropertyPath, pointerToLegacyField } from './seller-failure.js';
import { selectSeller, type SellerRoute } from './select-seller.js';
import { errorMessage, recordOrUndefined, stringMember } from '../json/unknown-values.js';

/** A request of the legacy BSS, already parsed. */
export interface BuyerRequest {
  /** the legacy JSON body (or the query of a GET) */
  body?: unknown;
  /** path parameters, e.g. `{ id: 'Q-1' }` */
  params?: Readonly<Record<string, string>>;
  /** the seller named outside the body (query `SELLER` of a read) */
  seller?: string;
}

export interface BuyerContext {
  requestId: string;
  logger: Logger;
  /** the legacy BSS's Idempotency-Key (creates): sent on to the seller with the POST */
  idempotencyKey?: string;
}

/** One notification a seller posted to our listener, already authenticated and validated. */
export interface SellerNotification {
  partner: PartnerDef;
  notificationApi: string;
  eventType: string;
  body: Record<string, unknown>;
}

export interface BuyerService {
  /** Runs one buyer operation; resolves to the legacy answer (`RC: 0`, `MSG: "OK"`, payload), rejects with BuyerError. */
  execute(operation: BuyerOperationName, req: BuyerRequest, ctx: BuyerContext): Promise<Record<string, unknown>>;
  /** The listener definition a seller partner may post to, or undefined. */
  listenerFor(partner: PartnerDef, notificationApi: string, version: string, eventType: string): ListenerDef | undefined;
  /** Turns a seller's notification into a legacy event and queues it for the legacy BSS's webhook. */
  receiveNotification(n: SellerNotification, ctx: BuyerContext): Promise<void>;
  /** Registers our listener with every hub of the seller's release that has notifications we listen to (once per process). */
  ensureHubs(partner: PartnerDef, api?: string): Promise<void>;
  /** {@link ensureHubs} for every seller partner; failures are logged, never thrown. */
  registerAllHubs(logger: Logger): Promise<void>;
}

/** Options of {@link createBuyerService}. */
export interface BuyerServiceOptions {
  /** mapping time and errors (optional) */
  metrics?: GatewayMetrics;
  registry: RegistryHolder;
  store: Store;
  client: SellerClient;
  logger: Logger;
  /** where a seller partner is reached (resolves `embedded`); a string explains why it cannot be */
  endpoint(partner: PartnerDef): SellerEndpoint | string;
  /** our base URL as sellers reach it; undefined while unknown (hubs are then registered later) */
  callbackBase(): string | undefined;
  /** durable at-least-once delivery to the legacy BSS's webhook */
  webhook?: { url?: string; enqueue(d: Delivery): Promise<void> };
}

/** Seller ids are kept this long so a read by id finds the seller without SELLER. */
const REF_TTL_MS = 400 * 86_400_000;

interface LegacyMapped {
  seller?: string;
  /** an object whose seller the gateway knows (e.g. the product a ticket is about), when no seller is named */
  holder?: { kind: string; id: string };
  route?: SellerRoute;
  request?: Record<string, unknown>;
}

/** Creates the buyer side's pipeline (see the file comment); connects nothing until a call needs a seller. */
export function createBuyerService(opts: BuyerServiceOptions): BuyerService {
  const hubs = new Map<string, Promise<void>>();
  // mapping time per role and buyer operation (sonata_gateway_mapping_seconds, role `buyer.<stage>`), each in its
  // stage span (`stage buyer.legacyIn`...; a no-op span while tracing is off)
  const timer = opts.metrics && createMappingTimer(opts.metrics);
  const pipe: Pipeline = {
    opts,
    measure: (role, operation, run) =>
      inSpan(`stage ${role}`, { 'sonata.stage': role, 'sonata.buyer.operation': operation }, () =>
        timer ? timer(role, operation, run) : run(),
      ),
    evaluate: (mapping, input, bindings, lookups, onReject) => evaluateMapping(opts.logger, mapping, input, bindings, lookups, onReject),
    // through the service, so the hubs a purchase registers are the service's own
    ensureHubs: (partner, api) => service.ensureHubs(partner, api),
  };

  const service: BuyerService = {
    execute: (name, req, ctx) => executeOperation(pipe, name, req, ctx),
    listenerFor(partner, notificationApi, version, eventType) {
      const release = buyerRelease(opts.registry.current(), partner);
      const l = release?.listeners.get(notificationApi);
      return l && l.version === version && l.events.has(eventType) ? l : undefined;
    },

    receiveNotification: (n, ctx) => receiveNotification(pipe, n, ctx),
    ensureHubs: (partner, api) => ensureHubs(pipe, hubs, partner, api),
    async registerAllHubs(logger) {
      const registry = opts.registry.current();
      await Promise.all(
        [...registry.partners.values()]
          .filter((p) => p.seller && p.role !== 'buyer')
          .map((p) =>
            service.ensureHubs(p).catch((err: unknown) => {
              logger.warn('seller hubs not registered yet; retried before the next purchase', {
                seller: p.id,
                error: errorMessage(err),
              });
            }),
          ),
      );
    },
  };
  return service;
}

/** What the steps of the buyer pipeline share: the service's options, the stage timer, mapping evaluation, hub registration. */
interface Pipeline {
  readonly opts: BuyerServiceOptions;
  measure<T>(role: string, operation: string, run: () => Promise<T>): Promise<T>;
  evaluate(
    mapping: CompiledMapping,
    input: unknown,
    bindings: Record<string, unknown>,
    lookups: LookupTables,
    onReject: (path: string) => string | null,
  ): Promise<unknown>;
  ensureHubs(partner: PartnerDef, api?: string): Promise<void>;
}

function buyerRelease(registry: Registry, partner: PartnerDef): BuyerReleaseDef | undefined {
  const name = registry.releases.get(partner.release)?.name ?? partner.release;
  return registry.buyer.releases.get(name);
}

/** Runs one mapping; a `$reject` becomes `request.rejected` (naming the field), any other failure `gateway.mapping`. */
async function evaluateMapping(
  logger: Logger,
  mapping: CompiledMapping,
  input: unknown,
  bindings: Record<string, unknown>,
  lookups: LookupTables,
  onReject: (path: string) => string | null,
): Promise<unknown> {
  try {
    return await mapping.evaluate(input, { bindings, lookups });
  } catch (err) {
    if (err instanceof MappingError && err.kind === 'rejected' && err.rejection) {
      throw buyerError(
        'request.rejected',
        { reason: err.rejection.reason },
        { field: onReject(err.rejection.propertyPath), seller: stringMember(bindings, 'seller') ?? null },
      );
    }
    logger.error('buyer mapping failed', {
      mapping: mapping.file,
      error: err instanceof Error ? err.message : String(err),
    });
    const where = err instanceof MappingError ? `${err.file}${err.line ? `:${err.line}` : ''}` : mapping.file;
    throw buyerError('gateway.mapping', { where }, { seller: stringMember(bindings, 'seller') ?? null, cause: err });
  }
}

function sellerPartner(registry: Registry, id: string): PartnerDef {
  const p = registry.partners.get(id);
  if (!p || !p.seller || p.role === 'buyer') {
    const known = [...registry.partners.values()]
      .filter((x) => x.seller && x.role !== 'buyer')
      .map((x) => x.id)
      .sort();
    throw buyerError('request.unknown-seller', { id, sellers: known.join(', ') || 'none' }, { field: 'SELLER' });
  }
  return p;
}

const refKey = (kind: string, id: string) => `buyer:ref:${kind}:${id}`;

/** Remembers which seller holds an object (best effort). */
async function rememberRef(store: Store, kind: string, id: string, seller: string, log: Logger): Promise<void> {
  try {
    await store.updateJson<string[]>(refKey(kind, id), (cur) => (cur?.includes(seller) ? undefined : [...(cur ?? []), seller]), {
      ttlMs: REF_TTL_MS,
    });
  } catch (err) {
    // only a convenience for reads without SELLER: never fail a purchase for it
    log.warn('could not remember which seller holds an object', { kind, id, seller, error: errorMessage(err) });
  }
}

/** Products an order delivered (items' productId), so the inventory can be read by id without SELLER. */
async function rememberProducts(store: Store, unified: Record<string, unknown>, seller: string, log: Logger): Promise<void> {
  const items: unknown[] = Array.isArray(unified.items) ? unified.items : [];
  for (const it of items) {
    const productId = stringMember(it, 'productId');
    if (productId !== undefined) await rememberRef(store, 'product', productId, seller, log);
  }
}

/** The sellers known to hold an object. */
async function sellersOf(store: Store, kind: string, id: string): Promise<string[]> {
  try {
    return (await store.getJson<string[]>(refKey(kind, id))) ?? [];
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw buyerError('gateway.store.name-seller', {});
    throw err;
  }
}

/** One seller operation: unified request in, unified answer out; failures as BuyerError. */
async function callSeller(
  pipe: Pipeline,
  registry: Registry,
  partner: PartnerDef,
  name: BuyerOperationName,
  unified: Record<string, unknown> | undefined,
  params: Readonly<Record<string, string>>,
  ctx: BuyerContext,
  hint?: string,
): Promise<Record<string, unknown>> {
  const release = buyerRelease(registry, partner);
  const op: SellerOperationDef | undefined = release?.operations.get(name);
  const meta = { action: registry.buyer.operations.get(name)?.action ?? name };
  if (!op)
    throw buyerError('seller.not-offered', { seller: partner.id, release: partner.release, action: meta.action }, { seller: partner.id });
  const endpoint = pipe.opts.endpoint(partner);
  if (typeof endpoint === 'string')
    throw classifySellerFailure(
      { kind: 'not-configured', detail: endpoint },
      { seller: partner.id, action: meta.action, safeToRetry: op.safeToRetry },
    );
  // the object as the seller has it now, when the request must name something only it knows (Billie's orderVersion)
  const current = op.prefetch ? await callSeller(pipe, registry, partner, op.prefetch, undefined, params, ctx) : undefined;
  const bindings = {
    seller: partner.id,
    release: op.release,
    params,
    requestId: ctx.requestId,
    ...(current && { current }),
  };
  const fieldOf = (path: string) => mapPropertyPath(op.fieldPaths, path) ?? null;
  const dialect = partner.seller?.mappings.get(name);

  let body: unknown;
  if (op.request) {
    body = await pipe.measure('buyer.releaseOut', name, () =>
      pipe.evaluate(op.request!, unified ?? {}, bindings, partner.lookups, fieldOf),
    );
    if (dialect?.request)
      body = await pipe.measure('buyer.partnerOut', name, () => pipe.evaluate(dialect.request!, body, bindings, partner.lookups, fieldOf));
  }
  const query: Record<string, string> = {};
  for (const [k, expr] of Object.entries(op.query)) {
    const v = await pipe.measure('buyer.query', name, () => pipe.evaluate(expr, unified ?? {}, bindings, partner.lookups, fieldOf));
    if (v !== undefined && v !== null && v !== '') query[k] = String(v);
  }
  const path = `/mefApi/sonata/${op.api}/${op.version}${op.path.replace(/\{id\}/g, encodeURIComponent(params.id ?? ''))}`;
  const failureCtx = {
    seller: partner.id,
    action: meta.action,
    safeToRetry: op.safeToRetry,
    fieldPaths: op.fieldPaths,
    checkHint: hint,
  };
  let answer;
  try {
    answer = await pipe.opts.client.call({
      seller: partner.id,
      operation: name,
      endpoint,
      method: op.method,
      path,
      query,
      body,
      safeToRetry: op.safeToRetry,
      requestId: ctx.requestId,
      logger: ctx.logger,
      ...(op.method === 'POST' && ctx.idempotencyKey !== undefined && { idempotencyKey: ctx.idempotencyKey }),
    });
  } catch (err) {
    if (!(err instanceof SellerCallError)) throw err;
    const buyerError = classifySellerFailure(err.failure, failureCtx);
    const log = buyerError.outcome === 'UNKNOWN' ? ctx.logger.error.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
    log(buyerError.outcome === 'UNKNOWN' ? 'seller call outcome unknown' : 'seller call failed', {
      seller: partner.id,
      operation: name,
      failure: err.failure,
      code: buyerError.code,
    });
    throw buyerError;
  }
  if (!op.statuses.includes(answer.status))
    ctx.logger.warn('seller answered with an unexpected success status', {
      seller: partner.id,
      operation: name,
      status: answer.status,
      expected: op.statuses,
    });

  let wire = answer.body;
  try {
    if (dialect?.response)
      wire = await pipe.measure('buyer.partnerIn', name, () => dialect.response!.evaluate(wire, { bindings, lookups: partner.lookups }));
    const result = op.response
      ? await pipe.measure('buyer.releaseIn', name, () => op.response!.evaluate(wire, { bindings, lookups: partner.lookups }))
      : {};
    const out = recordOrUndefined(result) ?? {};
    const refusal = out.refusal;
    if (refusal)
      throw buyerError(
        'seller.refused',
        { seller: partner.id, action: meta.action, reason: stringMember(refusal, 'reason') ?? 'no reason given' },
        { field: stringMember(refusal, 'field') ?? null, seller: partner.id },
      );
    if (op.then) return await callSeller(pipe, registry, partner, op.then, undefined, params, ctx);
    if (op.expand) out[op.expand.into] = await expand(pipe, registry, partner, op.expand, out, bindings, ctx);
    return out;
  } catch (err) {
    if (err instanceof BuyerError) throw err;
    ctx.logger.error('seller answer could not be translated', {
      seller: partner.id,
      operation: name,
      error: errorMessage(err),
    });
    throw classifySellerFailure(
      {
        kind: 'bad-body',
        status: answer.status,
        detail: err instanceof MappingError ? `${err.file}: ${err.detail}` : String(err),
      },
      failureCtx,
    );
  }
}

/** The parts an answer only names (a bill's items), each read with the expand's operation; one at a time, in order. */
async function expand(
  pipe: Pipeline,
  registry: Registry,
  partner: PartnerDef,
  e: NonNullable<SellerOperationDef['expand']>,
  answer: Record<string, unknown>,
  bindings: Record<string, unknown>,
  ctx: BuyerContext,
): Promise<unknown[]> {
  const ids = await e.ids.evaluate(answer, { bindings, lookups: partner.lookups });
  const parts: unknown[] = [];
  for (const id of (Array.isArray(ids) ? ids : ids === undefined ? [] : [ids]).filter((x): x is string => typeof x === 'string')) {
    parts.push(await callSeller(pipe, registry, partner, e.operation, undefined, { id }, ctx));
  }
  return parts;
}

/** {@link BuyerService.execute}: legacy request -> seller -> legacy answer. */
async function executeOperation(
  pipe: Pipeline,
  name: BuyerOperationName,
  req: BuyerRequest,
  ctx: BuyerContext,
): Promise<Record<string, unknown>> {
  const registry = pipe.opts.registry.current(); // one snapshot for the whole request
  const legacyOp = registry.buyer.operations.get(name);
  if (!legacyOp) throw buyerError('request.not-offered', { action: name });
  const meta = legacyOp;
  const params = req.params ?? {};
  const shared = registry.sharedLookups;

  let mapped: LegacyMapped = { request: params.id ? { id: params.id } : {} };
  if (legacyOp.request) {
    const input = req.body && typeof req.body === 'object' ? req.body : {};
    mapped = (await pipe.measure('buyer.legacyIn', name, () =>
      pipe.evaluate(legacyOp.request!, input, { requestId: ctx.requestId, params, operation: name }, shared, pointerToLegacyField),
    )) as LegacyMapped;
  }
  const named = req.seller ?? mapped.seller;
  let partner: PartnerDef;
  if (named) partner = sellerPartner(registry, named);
  else if ((params.id && meta.kind) || mapped.holder) {
    const kind = mapped.holder?.kind ?? meta.kind!;
    const id = mapped.holder?.id ?? params.id!;
    const holders = (await sellersOf(pipe.opts.store, kind, id)).filter((h) => registry.partners.get(h)?.seller);
    if (holders.length === 0) throw buyerError('request.which-seller.none', { kind, id });
    if (holders.length > 1) throw buyerError('request.which-seller', { kind, id, holders: holders.join(', ') }, { field: 'SELLER' });
    partner = sellerPartner(registry, holders[0]!);
  } else {
    const choice = selectSeller(registry.partners.values(), mapped.route ?? {});
    if (!choice.ok) {
      const wanted =
        [
          ...(mapped.route?.countries ?? []),
          ...(mapped.route?.products ?? []).map((p) => registry.sharedLookups.get('buyerProductCode')?.get(p) ?? p),
        ].join(', ') || 'this request';
      throw choice.reason === 'none'
        ? buyerError('route.no-seller', { wanted }, { field: 'SELLER' })
        : buyerError('route.several-sellers', { wanted, candidates: choice.candidates.join(', ') }, { field: 'SELLER' });
    }
    partner = choice.seller;
  }
  const log = ctx.logger.child({ seller: partner.id, buyerOperation: name });
  const release = buyerRelease(registry, partner);
  const op = release?.operations.get(name);
  if (meta.creates && op) {
    // the seller's notifications about what we create must have somewhere to go; a failure only costs them
    await pipe.ensureHubs(partner, op.api).catch(() => undefined);
  }
  const hint = checkHint(legacyOp, partner.id, mapped.request, params);
  const unified = await callSeller(pipe, registry, partner, name, mapped.request, params, { ...ctx, logger: log }, hint);
  if (meta.creates && meta.kind && typeof unified.id === 'string') {
    await rememberRef(pipe.opts.store, meta.kind, unified.id, partner.id, log);
    log.info('purchase object created at seller', { kind: meta.kind, id: unified.id });
  }
  await rememberProducts(pipe.opts.store, unified, partner.id, log);
  const answer = legacyOp.response
    ? await pipe.measure('buyer.legacyOut', name, () =>
        pipe.evaluate(
          legacyOp.response!,
          unified,
          { seller: partner.id, sellerName: partner.name, requestId: ctx.requestId, params },
          shared,
          () => null,
        ),
      )
    : {};
  return { RC: 0, MSG: 'OK', ...(answer && typeof answer === 'object' ? answer : {}) };
}

/** {@link BuyerService.receiveNotification}. */
async function receiveNotification(pipe: Pipeline, n: SellerNotification, ctx: BuyerContext): Promise<void> {
  const registry = pipe.opts.registry.current();
  const release = buyerRelease(registry, n.partner);
  const listener = release?.listeners.get(n.notificationApi);
  const def = listener?.events.get(n.eventType);
  if (!listener || !def)
    throw buyerError(
      'listener.unknown',
      { api: n.notificationApi, eventType: n.eventType, seller: n.partner.id },
      { seller: n.partner.id },
    );
  const bindings = { seller: n.partner.id, release: release!.name, requestId: ctx.requestId };
  const event = (await pipe.measure('buyer.notificationIn', 'notification', () =>
    pipe.evaluate(listener.mapping, n.body, bindings, n.partner.lookups, () => null),
  )) as Record<string, unknown>;
  let resource: Record<string, unknown> | undefined;
  let object: unknown;
  if (def.fetch) {
    // the event only names the object (Grace): read it, so the legacy BSS gets its state
    resource = await callSeller(pipe, registry, n.partner, def.fetch, undefined, { id: String(event.id ?? '') }, ctx);
    await rememberProducts(pipe.opts.store, resource, n.partner.id, ctx.logger);
    const legacyOp = registry.buyer.operations.get(def.fetch);
    // what a seller tells us about (a new bill) is read later by its id alone
    if (legacyOp?.kind && typeof resource.id === 'string')
      await rememberRef(pipe.opts.store, legacyOp.kind, resource.id, n.partner.id, ctx.logger);
    if (legacyOp?.response)
      object = await pipe.evaluate(
        legacyOp.response,
        resource,
        { seller: n.partner.id, sellerName: n.partner.name, requestId: ctx.requestId },
        registry.sharedLookups,
        () => null,
      );
  }
  const eventMapping = registry.buyer.eventsByKind.get(String(event.kind)) ?? registry.buyer.events;
  if (!eventMapping) {
    ctx.logger.warn('seller notification not forwarded: no buyer event mapping (mappings/buyer/buyer.yaml events)', {
      seller: n.partner.id,
    });
    return;
  }
  const legacyEvent = await pipe.evaluate(eventMapping, { event, resource, object }, bindings, registry.sharedLookups, () => null);
  const url = pipe.opts.webhook?.url;
  if (!url || !pipe.opts.webhook) {
    ctx.logger.warn('seller notification not forwarded: buyer.legacyWebhookUrl is not configured', {
      seller: n.partner.id,
      eventType: n.eventType,
      eventId: event.eventId,
    });
    return;
  }
  const eventId = String(event.eventId ?? ctx.requestId);
  await pipe.opts.webhook.enqueue({
    id: `buyer:${n.partner.id}:${eventId}`,
    partnerId: n.partner.id,
    subscriptionId: 'legacy-buyer-webhook',
    url,
    body: legacyEvent,
    eventType: n.eventType,
    eventId,
  });
  ctx.logger.info('seller notification queued for the legacy BSS', {
    seller: n.partner.id,
    eventType: n.eventType,
    eventId,
    objectId: event.id,
  });
}

/** {@link BuyerService.ensureHubs}: one registration per seller, API and callback, shared while pending. */
function ensureHubs(pipe: Pipeline, hubs: Map<string, Promise<void>>, partner: PartnerDef, api?: string): Promise<void> {
  const registry = pipe.opts.registry.current();
  const release = buyerRelease(registry, partner);
  const base = pipe.opts.callbackBase();
  const work: Array<Promise<void>> = [];
  // before the gateway listens its address is unknown; registration happens once it is
  if (!release || !base) return Promise.resolve();
  const callback = `${base.replace(/\/$/, '')}/partners/${partner.id}`;
  for (const listener of release.listeners.values()) {
    if (api && listener.api !== api) continue;
    const key = `${partner.id}|${listener.api}|${callback}`;
    let pending = hubs.get(key);
    if (!pending) {
      pending = registerHub(pipe, partner, release, listener, callback).catch((err: unknown) => {
        hubs.delete(key); // try again next time
        pipe.opts.logger.warn('hub registration with seller failed', {
          seller: partner.id,
          api: listener.api,
          error: err instanceof Error ? err.message : String(err),
        });
        throw err;
      });
      hubs.set(key, pending);
    }
    work.push(pending);
  }
  return Promise.all(work).then(() => undefined);
}

/** POST /hub on the seller's management API; an older registration of ours is removed first (best effort). */
async function registerHub(
  pipe: Pipeline,
  partner: PartnerDef,
  release: BuyerReleaseDef,
  listener: ListenerDef,
  callback: string,
): Promise<void> {
  const endpoint = pipe.opts.endpoint(partner);
  if (typeof endpoint === 'string') throw new Error(endpoint);
  const log = pipe.opts.logger.child({ seller: partner.id, api: listener.api });
  const requestId = `hub-${partner.id}-${listener.api}`;
  const base = `/mefApi/sonata/${listener.api}/${release.apis[listener.api] ?? listener.apiVersion}/hub`;
  const key = `buyer:hub:${partner.id}:${listener.api}`;
  const previous = await pipe.opts.store.getJson<{ id: string; callback: string }>(key).catch(() => null);
  if (previous) {
    await pipe.opts.client
      .call({
        seller: partner.id,
        operation: 'unregisterHub',
        endpoint,
        method: 'DELETE',
        path: `${base}/${encodeURIComponent(previous.id)}`,
        safeToRetry: true,
        requestId,
        logger: log,
      })
      .catch(() => undefined); // it may be gone already (seller restarted)
  }
  const answer = await pipe.opts.client.call({
    seller: partner.id,
    operation: 'registerHub',
    endpoint,
    method: 'POST',
    path: base,
    safeToRetry: false,
    requestId,
    logger: log,
    body: { callback, query: `eventType=${[...listener.events.keys()].join(',')}` },
  });
  const id = stringMember(answer.body, 'id');
  if (typeof id !== 'string') throw new Error('the seller answered the hub registration without an id');
  await pipe.opts.store.setJson(key, { id, callback }).catch(() => undefined);
  log.info('listener registered with seller hub', { hubId: id, callback, events: [...listener.events.keys()] });
}

/** What the legacy BSS should do when a call's outcome is unknown: the operation's `outcomeHint`, filled in. */
function checkHint(
  op: BuyerLegacyOperation,
  seller: string,
  unified: Record<string, unknown> | undefined,
  params: Readonly<Record<string, string>>,
): string | undefined {
  const ref = typeof unified?.externalId === 'string' ? unified.externalId : '?';
  const values: Record<string, string> = { seller, id: params.id ?? '?', ref, refInUrl: encodeURIComponent(ref) };
  return op.outcomeHint?.replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m);
}
