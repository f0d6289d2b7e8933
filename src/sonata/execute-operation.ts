import { randomUUID } from 'node:crypto';
import { GatewayError, type Error422Code } from '../errors/catalogue.js';
import type { LegacyClient } from '../legacy/legacy-client.js';
import type { CompiledMapping } from '../mapping/engine.js';
import { MappingError } from '../mapping/errors.js';
import type { Logger } from '../observability/logger.js';
import type { OperationDef, PartnerDef, Registry } from '../registry/registry.js';
import type { Store } from '../state/store.js';
import { StoreUnavailableError } from '../state/store.js';

export interface OperationContext {
  readonly requestId: string;
  readonly registry: Registry;
  readonly partner: PartnerDef;
  readonly op: OperationDef;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly store: Store;
  readonly legacy: LegacyClient;
  readonly logger: Logger;
  readonly now: () => Date;
  /** headers to pass on to the legacy BSS (already filtered by config) */
  readonly legacyHeaders?: Readonly<Record<string, string>>;
}

export interface OperationResult {
  status: number;
  body: unknown;
}

/** A stage timing hook, used by the benchmark to see where the time goes. */
export type StageObserver = (stage: string, ms: number) => void;

/**
 * Runs one Sonata operation: partner dialect -> release wire -> validate -> unified -> legacy call ->
 * unified -> release wire -> partner dialect, or serves a stored resource. Every step is data: the mapping
 * files named by the release, the legacy catalogue and the partner profile.
 */
export async function executeOperation(ctx: OperationContext, observe?: StageObserver): Promise<OperationResult> {
  const { op, partner } = ctx;
  const partnerMaps = partner.mappings.get(op.operationId);
  const bindings = {
    requestId: ctx.requestId,
    partnerId: partner.id,
    buyerId: partner.buyerId,
    sellerId: partner.sellerId,
    release: op.release,
    params: ctx.params,
    query: ctx.query,
    now: ctx.now().toISOString(),
  };
  const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    if (!observe) return fn();
    const t = performance.now();
    try {
      return await fn();
    } finally {
      observe(stage, performance.now() - t);
    }
  };
  const run = (m: CompiledMapping | undefined, input: unknown, extra: Record<string, unknown> = {}) =>
    m ? evaluate(m, input, { ...bindings, ...extra }, partner) : Promise.resolve(input);

  const wire = await timed('map.partner-in', () => run(partnerMaps?.request, ctx.body ?? {}));
  await timed('validate', async () => validateRequest(op, wire));

  if (op.source === 'store') {
    const id = ctx.params.id ?? '';
    const stored = await timed('store', () => guardStore(() => ctx.store.getJson(resourceKey(op.collection!, partner.id, id))));
    if (stored === null) throw new GatewayError('resource.not-found', `No ${op.collection} with id ${id}`);
    return { status: op.status, body: stored };
  }

  const unified = await timed('map.release-in', () => run(op.request, wire));
  const legacyOp = ctx.registry.legacy.get(op.backend!)!;
  const legacyRequest = legacyOp.request ? await timed('map.legacy-out', () => run(legacyOp.request, unified)) : undefined;
  const legacyAnswer = await timed('backend', () =>
    ctx.legacy.call(legacyOp, {
      pathParams: ctx.params, body: legacyRequest, requestId: ctx.requestId, fieldPaths: op.legacyFieldPaths, logger: ctx.logger, headers: ctx.legacyHeaders,
    }));
  const unifiedAnswer = await timed('map.legacy-in', () => run(legacyOp.response, legacyAnswer));

  const status = op.statusExpression ? Number(await run(op.statusExpression, wire)) : op.status;
  const persistId = op.persist && (!op.persist.when || (await run(op.persist.when, wire)) === true) ? randomUUID() : undefined;
  const answer = await timed('map.release-out', () => run(op.response, unifiedAnswer, { request: wire, unifiedRequest: unified, id: persistId }));
  const body = await timed('map.partner-out', () => run(partnerMaps?.response, answer, { request: wire }));

  if (persistId && op.persist) {
    await timed('store', () => guardStore(() => ctx.store.setJson(resourceKey(op.persist!.collection, partner.id, persistId), body)));
  }
  return { status: Number.isInteger(status) && status >= 200 && status < 300 ? status : op.status, body };
}

/** Resources are keyed by owner, so another partner's id is simply not found (buyer isolation). */
export function resourceKey(collection: string, partnerId: string, id: string): string {
  return `res:${collection}:${partnerId}:${id}`;
}

async function evaluate(m: CompiledMapping, input: unknown, bindings: Record<string, unknown>, partner: PartnerDef): Promise<unknown> {
  try {
    return await m.evaluate(input, { bindings, lookups: partner.lookups });
  } catch (err) {
    if (err instanceof MappingError) {
      if (err.kind === 'rejected' && err.rejection) {
        throw new GatewayError('mapping.rejected', err.rejection.reason, {
          issues: [{ code: err.rejection.code as Error422Code, propertyPath: err.rejection.propertyPath, reason: err.rejection.reason }],
        });
      }
      throw new GatewayError(err.kind === 'timeout' || err.kind === 'depth' ? 'mapping.timeout' : 'mapping.failed', err.toString(), { cause: err });
    }
    throw err;
  }
}

function validateRequest(op: OperationDef, body: unknown): void {
  if (!op.requestSchema) return;
  if (op.requestSchema(body)) return;
  const issues = (op.requestSchema.errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      return { code: 'missingProperty' as const, propertyPath: `${e.instancePath}/${prop}`, reason: `${prop} is required` };
    }
    if (e.keyword === 'false schema') {
      return { code: 'unexpectedProperty' as const, propertyPath: e.instancePath, reason: `${e.instancePath.split('/').pop()} must not be sent` };
    }
    if (e.keyword === 'additionalProperties') {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      return { code: 'unexpectedProperty' as const, propertyPath: `${e.instancePath}/${prop}`, reason: `${prop} is not allowed here` };
    }
    const code: Error422Code = e.keyword === 'format' || e.keyword === 'pattern' || e.keyword === 'type' ? 'invalidFormat' : 'invalidValue';
    return { code, propertyPath: e.instancePath || '/', reason: `${e.instancePath || 'body'} ${e.message ?? 'is invalid'}`.slice(0, 255) };
  });
  throw new GatewayError('request.validation-failed', `${issues.length} problem(s) in the request`, { issues: dedupeIssues(issues) });
}

function dedupeIssues<T extends { propertyPath: string; code: string }>(issues: T[]): T[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.code}${i.propertyPath}`) && !!seen.add(`${i.code}${i.propertyPath}`));
}

async function guardStore<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw new GatewayError('store.unavailable', undefined, { cause: err, headers: { 'Retry-After': '5' } });
    throw err;
  }
}
