import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/catalogue.js';
import {
  createRunner,
  guardStore,
  readRequest,
  type OperationContext,
  type OperationResult,
  type OperationRunner,
  type StageObserver,
} from './operation-context.js';
import type { CallOperation } from '../registry/registry.js';
import { legacyCall } from './stages.js';
import { paginationHeaders, readPaging, readQueryValues, type PageRequest } from './resources/resource-operations.js';
import { unescapeToken } from '../json/json-pointer.js';

export type { OperationContext, OperationResult, StageObserver } from './operation-context.js';

/**
 * `call`: translates and calls the legacy BSS: partner dialect -> release wire -> validate -> unified -> legacy ->
 * unified -> release wire -> partner dialect (optionally keeping the answer). Every step is data: the mapping files
 * named by the release, the legacy catalogue and the partner profile.
 */
export async function executeCall(ctx: OperationContext<CallOperation>, observe?: StageObserver): Promise<OperationResult> {
  const { op, partner } = ctx;
  const partnerMaps = partner.mappings.get(op.operationId);
  const r = createRunner(ctx, observe);

  // query problems are the partner's to fix before anything is mapped or called (400, as for kept lists)
  const page = op.listAnswer ? readPaging(ctx.query) : undefined;
  if (op.listAnswer || op.querySchema) validateQuery(op, readQueryValues(ctx.query, op.queryParameters));
  const wire = await readRequest(ctx, r);

  if (op.source === 'store') {
    const id = ctx.params.id ?? '';
    const stored = await r.timed('store', () => guardStore(() => ctx.store.getJson(resourceKey(op.collection, partner.id, id))));
    if (stored === null) throw new GatewayError('resource.not-found', `No ${op.collection} with id ${id}`);
    return { status: op.status, body: stored };
  }

  // list answers: every mapping sees the validated page as $page ({offset, limit}), to pass on or to apply
  const paged = page ? { page: { offset: page.offset, limit: page.limit } } : {};
  const unified = await r.map('release-in', op.request, wire, paged);
  // $unifiedRequest lets the legacy answer mapping apply criteria the legacy BSS cannot filter on
  const unifiedAnswer = await legacyCall(ctx, r, {
    backend: op.backend,
    unified,
    pathParams: ctx.params,
    requestBindings: paged,
    answerBindings: { ...paged, unifiedRequest: unified },
    unmappedAnswer: 'pass',
  });

  const status = op.statusExpression ? Number(await r.run(op.statusExpression, wire)) : op.status;
  const persistId =
    op.persist && (!op.persist.when || (await r.run(op.persist.when, wire)) === true)
      ? ctx.newId
        ? ctx.newId()
        : randomUUID()
      : undefined;
  const answer = await r.map('release-out', op.response, unifiedAnswer, {
    ...paged,
    request: wire,
    unifiedRequest: unified,
    id: persistId,
  });
  if (page) return answerList(ctx, r, answer, wire, page);
  const body = await r.map('partner-out', partnerMaps?.response, answer, { request: wire });

  if (persistId && op.persist) {
    const { collection } = op.persist;
    await r.timed('store', () => guardStore(() => ctx.store.setJson(resourceKey(collection, partner.id, persistId), body)));
  }
  const answered = Number.isInteger(status) && status >= 200 && status < 300 ? status : op.status;
  // 204 answers carry no body, whatever the BSS answered (a cancellation answering the cancelled object)
  return answered === 204 ? { status: 204, body: undefined } : { status: answered, body };
}

/**
 * A `listAnswer` response mapping returns `{items, total}`; the partner gets the items (after its dialect mapping)
 * with the pagination headers. Any other shape is the mapping's fault (500), never a half-rendered list.
 */
async function answerList(
  ctx: OperationContext,
  r: OperationRunner,
  answer: unknown,
  wire: unknown,
  page: PageRequest,
): Promise<OperationResult> {
  const { items, total } = (answer ?? {}) as { items?: unknown; total?: unknown };
  if (!Array.isArray(items) || typeof total !== 'number' || !Number.isInteger(total) || total < 0) {
    throw new GatewayError(
      'mapping.failed',
      `the response mapping of ${ctx.op.operationId} must return {items: [...], total: <integer>} (listAnswer)`,
    );
  }
  const partnerMaps = ctx.partner.mappings.get(ctx.op.operationId);
  const body = await r.map('partner-out', partnerMaps?.response, items, { request: wire });
  return {
    status: ctx.op.status,
    body,
    headers: paginationHeaders(total, Array.isArray(body) ? body.length : items.length, page),
  };
}

/** Query values against the operation's query schema; every problem is the partner's to fix (400 invalidQuery). */
function validateQuery(op: CallOperation, values: Record<string, string>): void {
  if (!op.querySchema || op.querySchema(values)) return;
  const problems = (op.querySchema.errors ?? []).map((e) => {
    const name = unescapeToken(e.instancePath.slice(1)) || 'query';
    const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
    return `${name} ${e.message ?? 'is invalid'}${allowed}`;
  });
  throw new GatewayError('request.invalid-query', problems.join('; '));
}

/** Kept answers are keyed by owner, so another partner's id is simply not found (buyer isolation). */
export function resourceKey(collection: string, partnerId: string, id: string): string {
  return `res:${collection}:${partnerId}:${id}`;
}
