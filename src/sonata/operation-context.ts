import { GatewayError, type Error422Code, type PropertyIssue } from '../errors/catalogue.js';
import { INCOMPLETE_REPORT_REASON } from '../validation/bounded-validation.js';
import type { LegacyClient } from '../legacy/legacy-client.js';
import type { CompiledMapping } from '../mapping/engine.js';
import { CONFLICT_CODE, MappingError, NOT_FOUND_CODE } from '../mapping/errors.js';
import type { Logger } from '../observability/logger.js';
import type {
  HubDeleteOperation,
  HubRegisterOperation,
  HubRetrieveOperation,
  OperationDef,
  PartnerDef,
  Registry,
} from '../registry/registry.js';
import type { Store } from '../state/store.js';
import { StoreUnavailableError } from '../state/store.js';
import type { ResourceRepository } from './resources/resource-repository.js';
import { findProductConfigurations, type ProductSchemaRegistry } from './products/product-schemas.js';
import type { SpecGuard } from '../conformance/spec-guard.js';
import { createMappingTimer, type GatewayMetrics } from '../observability/metrics.js';
import { inSpan } from '../observability/spans.js';
import type { EventPublisher } from './resources/resource-events.js';
import type { WorkQueue } from './resources/work-queue.js';

/** Everything one Sonata operation needs; built per request by the pipeline. */
export interface OperationContext<Op extends OperationDef = OperationDef> {
  readonly requestId: string;
  readonly registry: Registry;
  readonly partner: PartnerDef;
  readonly op: Op;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly store: Store;
  readonly legacy: LegacyClient;
  readonly resources: ResourceRepository;
  readonly events: EventPublisher;
  readonly tasks: WorkQueue;
  readonly logger: Logger;
  readonly now: () => Date;
  /** headers to pass on to the legacy BSS (already filtered by config) */
  readonly legacyHeaders?: Readonly<Record<string, string>>;
  /** validation against the official spec of the partner's release (enforce / report / off) */
  readonly spec?: SpecGuard;
  readonly metrics?: GatewayMetrics;
  /** product payload schemas by @type; absent = payloads are not checked */
  readonly products?: ProductSchemaRegistry;
  /** hub (notification subscription) operations, when notifications are wired */
  readonly hubs?: HubOperations;
  /** the id a create gives what it keeps (default: a random UUID; `sonata-gateway replay` passes the captured one) */
  readonly newId?: () => string;
}

/** The hub (notification subscription) operations of every management API. */
export interface HubOperations {
  register(ctx: OperationContext<HubRegisterOperation>): Promise<OperationResult>;
  retrieve(ctx: OperationContext<HubRetrieveOperation>): Promise<OperationResult>;
  remove(ctx: OperationContext<HubDeleteOperation>): Promise<OperationResult>;
}

export interface OperationResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A stage timing hook, used by the benchmark to see where the time goes. */
export type StageObserver = (stage: string, ms: number) => void;

export interface OperationRunner {
  readonly bindings: Readonly<Record<string, unknown>>;
  /** evaluates a mapping (or passes the input through when there is none) with the request's bindings */
  run(m: CompiledMapping | undefined, input: unknown, extra?: Record<string, unknown>): Promise<unknown>;
  /**
   * {@link run} as one pipeline stage (`map.<stage>` for the stage observer and its span): a mapping that is there is
   * timed into `sonata_gateway_mapping_seconds{role,operation}` (role: the stage in camel case, e.g. `legacyOut`)
   */
  map(stage: MappingStage, m: CompiledMapping | undefined, input: unknown, extra?: Record<string, unknown>): Promise<unknown>;
  /** runs one stage in its span (`stage <name>`, see src/observability/spans.ts) and tells the stage observer its time */
  timed<T>(stage: string, fn: () => Promise<T>): Promise<T>;
}

/** The mapping stages of the Sonata pipeline (partner dialect, release adapter, legacy mapping; in and out). */
export type MappingStage = 'partner-in' | 'release-in' | 'legacy-out' | 'legacy-in' | 'release-out' | 'partner-out';
const ROLE: Readonly<Record<MappingStage, string>> = {
  'partner-in': 'partnerIn',
  'release-in': 'releaseIn',
  'legacy-out': 'legacyOut',
  'legacy-in': 'legacyIn',
  'release-out': 'releaseOut',
  'partner-out': 'partnerOut',
};
const mappingTimers = new WeakMap<GatewayMetrics, ReturnType<typeof createMappingTimer>>();
function mappingTimerOf(metrics: GatewayMetrics): ReturnType<typeof createMappingTimer> {
  let timer = mappingTimers.get(metrics);
  if (!timer) mappingTimers.set(metrics, (timer = createMappingTimer(metrics)));
  return timer;
}

/** The partner's bindings every mapping run for it sees (operations, and legacy reports told to that partner). */
export function partnerBindings(partner: PartnerDef): Record<string, unknown> {
  return {
    partnerId: partner.id,
    buyerId: partner.buyerId,
    sellerId: partner.sellerId,
    customerId: partner.legacyCustomerId,
    testEnvironment: partner.testEnvironment,
    policy: partner.policy,
  };
}

/** Bindings every mapping sees, and the timing wrapper. */
export function createRunner(ctx: OperationContext, observe?: StageObserver): OperationRunner {
  const { partner, op } = ctx;
  const bindings = {
    // the operation's own constants first: the gateway's names cannot be shadowed (the loader refuses them anyway)
    ...op.bindings,
    requestId: ctx.requestId,
    ...partnerBindings(partner),
    release: op.release,
    apiBase: `/mefApi/sonata/${op.apiName}/${op.version}`,
    apiBases: apiBasesFor(ctx.registry, partner, op),
    params: ctx.params,
    query: ctx.query,
    now: ctx.now().toISOString(),
  };
  const run: OperationRunner['run'] = (m, input, extra = {}) =>
    m ? evaluateMapping(m, input, { ...bindings, ...extra }, partner) : Promise.resolve(input);
  const timeMapping = ctx.metrics && mappingTimerOf(ctx.metrics);
  const runner: OperationRunner = {
    bindings,
    run,
    map(stage, m, input, extra) {
      const evaluate =
        m && timeMapping ? () => timeMapping(ROLE[stage], op.operationId, () => run(m, input, extra)) : () => run(m, input, extra);
      return runner.timed(`map.${stage}`, evaluate);
    },
    timed(stage, fn) {
      // one span per stage (`stage map.release-in`, `stage backend`...): a no-op span while tracing is off
      return inSpan(`stage ${stage}`, { 'sonata.stage': stage, 'sonata.operation': op.operationId }, async () => {
        if (!observe) return fn();
        const t = performance.now();
        try {
          return await fn();
        } finally {
          observe(stage, performance.now() - t);
        }
      });
    },
  };
  return runner;
}

const apiBaseCache = new WeakMap<PartnerDef, Map<string, Readonly<Record<string, string>>>>();

/**
 * `$apiBases.<apiName>`: the base path of every API as this partner speaks it (its release, or its per-API
 * override), so a link in one API's answer to another API (an inventory product's order, an order item's
 * product) points at a version the partner can follow, never a literal of another release. Cached per partner
 * snapshot (a registry reload builds new PartnerDefs).
 */
export function apiBasesFor(registry: Registry, partner: PartnerDef, op: Pick<OperationDef, 'release'>): Readonly<Record<string, string>> {
  let byRelease = apiBaseCache.get(partner);
  if (!byRelease) apiBaseCache.set(partner, (byRelease = new Map()));
  const cached = byRelease.get(op.release);
  if (cached) return cached;
  const bases: Record<string, string> = {};
  for (const [name, api] of registry.releases.get(op.release)?.apis ?? []) {
    const version = registry.releaseFor(partner, name)?.apis.get(name)?.version ?? api.version;
    bases[name] = `/mefApi/sonata/${name}/${version}`;
  }
  const frozen = Object.freeze(bases);
  byRelease.set(op.release, frozen);
  return frozen;
}

/** Runs a mapping; mapping failures become catalogue errors ($reject -> 422, 409 for "conflict", 404 for "notFound"; runaway -> 500 timeout). */
export async function evaluateMapping(
  m: CompiledMapping,
  input: unknown,
  bindings: Record<string, unknown>,
  partner: PartnerDef,
): Promise<unknown> {
  try {
    return await m.evaluate(input, { bindings, lookups: partner.lookups });
  } catch (err) {
    if (err instanceof MappingError) {
      if (err.kind === 'rejected' && err.rejection?.code === CONFLICT_CODE) {
        throw new GatewayError('mapping.conflict', `${err.rejection.propertyPath}: ${err.rejection.reason}`, {
          reason: err.rejection.reason,
        });
      }
      if (err.kind === 'rejected' && err.rejection?.code === NOT_FOUND_CODE)
        throw new GatewayError('resource.not-found', err.rejection.reason);
      if (err.kind === 'rejected' && err.rejection) {
        throw new GatewayError('mapping.rejected', err.rejection.reason, {
          issues: [
            {
              code: err.rejection.code as Error422Code,
              propertyPath: err.rejection.propertyPath,
              reason: err.rejection.reason,
            },
          ],
        });
      }
      throw new GatewayError(err.kind === 'timeout' || err.kind === 'depth' ? 'mapping.timeout' : 'mapping.failed', err.toString(), {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Checks every product payload (`productPaths`) against its product schema, chosen by `@type` (the partner's
 * `productAlias` lookup table resolves aliases such as UNI); all problems become one 422.
 */
export function validateProducts(ctx: Pick<OperationContext, 'op' | 'partner' | 'products'>, body: unknown): void {
  if (!ctx.products || ctx.op.productPaths.length === 0) return;
  const aliases = ctx.partner.lookups.get('productAlias');
  const alias = (type: string) => {
    const v = aliases?.get(type);
    return typeof v === 'string' ? v : undefined;
  };
  const issues = findProductConfigurations(body, ctx.op.productPaths).flatMap((c) => ctx.products!.validate(c.value, c.pointer, alias));
  if (issues.length) throw new GatewayError('request.validation-failed', `${issues.length} problem(s) in product payloads`, { issues });
}

/**
 * Checks the (standard, post-dialect) request against the official spec of the partner's release: in enforce
 * mode problems are refused with 422 naming the failing paths; in report mode they are logged and counted.
 */
export function checkSpec(ctx: Pick<OperationContext, 'op' | 'registry' | 'spec' | 'metrics' | 'logger'>, body: unknown): void {
  if (!ctx.spec || ctx.spec.mode === 'off') return;
  const issues = ctx.spec.checkRequest(ctx.registry, ctx.op, body);
  if (issues.length === 0) return;
  ctx.metrics?.specViolations.inc({ direction: 'request', release: ctx.op.release, operation: ctx.op.operationId });
  if (ctx.spec.mode === 'enforce')
    throw new GatewayError('request.validation-failed', `${issues.length} problem(s) against the ${ctx.op.release} specification`, {
      issues,
    });
  ctx.logger.warn('request violates the Sonata specification (report mode)', {
    operationId: ctx.op.operationId,
    issues: issues.slice(0, 10),
  });
}

/** Checks a body against the operation's own request schema; every problem becomes one 422 entry. */
export function validateRequest(op: OperationDef, body: unknown): void {
  if (!op.requestSchema) return;
  const result = op.requestSchema(body);
  if (result.valid) return;
  const issues: PropertyIssue[] = result.errors.map((e) => {
    if (e.keyword === 'required') {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      return {
        code: 'missingProperty' as const,
        propertyPath: `${e.instancePath}/${prop}`,
        reason: `${prop} is required`,
      };
    }
    if (e.keyword === 'false schema') {
      return {
        code: 'unexpectedProperty' as const,
        propertyPath: e.instancePath,
        reason: `${e.instancePath.split('/').pop()} must not be sent`,
      };
    }
    if (e.keyword === 'additionalProperties') {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      return {
        code: 'unexpectedProperty' as const,
        propertyPath: `${e.instancePath}/${prop}`,
        reason: `${prop} is not allowed here`,
      };
    }
    const code: Error422Code = e.keyword === 'format' || e.keyword === 'pattern' || e.keyword === 'type' ? 'invalidFormat' : 'invalidValue';
    return {
      code,
      propertyPath: e.instancePath || '/',
      reason: `${e.instancePath || 'body'} ${e.message ?? 'is invalid'}`.slice(0, 255),
    };
  });
  if (!result.complete) issues.push({ code: 'otherIssue', propertyPath: '/', reason: INCOMPLETE_REPORT_REASON });
  const seen = new Set<string>();
  const unique = issues.filter((i) => !seen.has(`${i.code}${i.propertyPath}`) && !!seen.add(`${i.code}${i.propertyPath}`));
  throw new GatewayError('request.validation-failed', `${unique.length} problem(s) in the request`, { issues: unique });
}

/** Store calls: an outage becomes 503 with Retry-After, never a hang or a 500. */
export async function guardStore<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError)
      throw new GatewayError('store.unavailable', undefined, { cause: err, headers: { 'Retry-After': '5' } });
    throw err;
  }
}

/**
 * The request side every operation shares: the partner's dialect mapping, then the checks against the official
 * spec, the operation's own schema and the product payload schemas. Returns the standard (release wire) body.
 */
export async function readRequest(ctx: OperationContext, r: OperationRunner): Promise<unknown> {
  const partnerMaps = ctx.partner.mappings.get(ctx.op.operationId);
  const wire = await r.map('partner-in', partnerMaps?.request, ctx.body ?? {});
  // the official spec first (its own stage, so the benchmark shows what spec validation costs), then our checks
  await r.timed('spec.request', async () => checkSpec(ctx, wire));
  await r.timed('validate', async () => {
    validateRequest(ctx.op, wire);
    validateProducts(ctx, wire);
  });
  return wire;
}
