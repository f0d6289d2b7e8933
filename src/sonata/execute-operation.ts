import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/catalogue.js';
import { checkSpec, createRunner, guardStore, validateProducts, validateRequest, type OperationContext, type OperationResult, type StageObserver } from './operation-context.js';
import { executeResourceOperation } from './resources/resource-operations.js';

export type { OperationContext, OperationResult, StageObserver } from './operation-context.js';

/**
 * Runs one Sonata operation. `call` operations translate and call the legacy BSS: partner dialect -> release
 * wire -> validate -> unified -> legacy -> unified -> release wire -> partner dialect (optionally keeping the
 * answer). Resource operations (create/retrieve/list/action) work on documents the gateway keeps.
 * Every step is data: the mapping files named by the release, the legacy catalogue and the partner profile.
 */
export async function executeOperation(ctx: OperationContext, observe?: StageObserver): Promise<OperationResult> {
  if (ctx.op.kind === 'call') return executeCall(ctx, observe);
  if (ctx.op.kind === 'create' || ctx.op.kind === 'retrieve' || ctx.op.kind === 'list' || ctx.op.kind === 'action') {
    return executeResourceOperation(ctx, observe);
  }
  if (!ctx.hubs) throw new GatewayError('operation.not-implemented', 'notifications are not available');
  return ctx.hubs.execute(ctx);
}

async function executeCall(ctx: OperationContext, observe?: StageObserver): Promise<OperationResult> {
  const { op, partner } = ctx;
  const partnerMaps = partner.mappings.get(op.operationId);
  const r = createRunner(ctx, observe);

  const wire = await r.timed('map.partner-in', () => r.run(partnerMaps?.request, ctx.body ?? {}));
  await r.timed('validate', async () => {
    checkSpec(ctx, wire);
    validateRequest(op, wire);
    validateProducts(ctx, wire);
  });

  if (op.source === 'store') {
    const id = ctx.params.id ?? '';
    const stored = await r.timed('store', () => guardStore(() => ctx.store.getJson(resourceKey(op.collection!, partner.id, id))));
    if (stored === null) throw new GatewayError('resource.not-found', `No ${op.collection} with id ${id}`);
    return { status: op.status, body: stored };
  }

  const unified = await r.timed('map.release-in', () => r.run(op.request, wire));
  const legacyOp = ctx.registry.legacy.get(op.backend!)!;
  const legacyRequest = legacyOp.request ? await r.timed('map.legacy-out', () => r.run(legacyOp.request, unified)) : undefined;
  const legacyAnswer = await r.timed('backend', () =>
    ctx.legacy.call(legacyOp, {
      pathParams: ctx.params, body: legacyRequest, requestId: ctx.requestId, fieldPaths: op.legacyFieldPaths, logger: ctx.logger, headers: ctx.legacyHeaders,
    }));
  const unifiedAnswer = await r.timed('map.legacy-in', () => r.run(legacyOp.response, legacyAnswer));

  const status = op.statusExpression ? Number(await r.run(op.statusExpression, wire)) : op.status;
  const persistId = op.persist && (!op.persist.when || (await r.run(op.persist.when, wire)) === true) ? randomUUID() : undefined;
  const answer = await r.timed('map.release-out', () => r.run(op.response, unifiedAnswer, { request: wire, unifiedRequest: unified, id: persistId }));
  const body = await r.timed('map.partner-out', () => r.run(partnerMaps?.response, answer, { request: wire }));

  if (persistId && op.persist) {
    await r.timed('store', () => guardStore(() => ctx.store.setJson(resourceKey(op.persist!.collection, partner.id, persistId), body)));
  }
  return { status: Number.isInteger(status) && status >= 200 && status < 300 ? status : op.status, body };
}

/** Kept answers are keyed by owner, so another partner's id is simply not found (buyer isolation). */
export function resourceKey(collection: string, partnerId: string, id: string): string {
  return `res:${collection}:${partnerId}:${id}`;
}
