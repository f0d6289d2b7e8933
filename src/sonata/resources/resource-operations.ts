import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors/catalogue.js';
import type {
  ActionOperation,
  CreateOperation,
  ListOperation,
  ResourceDef,
  ResourceOperation,
  RetrieveOperation,
} from '../../registry/registry.js';
import {
  createRunner,
  guardStore,
  readRequest,
  type OperationContext,
  type OperationResult,
  type StageObserver,
} from '../operation-context.js';
import { applyUpdate, createResourceDoc, type ResourceDoc, type ResourceUpdate } from './apply-update.js';
import { publishStateEvents, watchedFields } from './resource-events.js';
import { replayParkedUpdates } from './legacy-status.js';
import { resolveReferences } from './resolve-references.js';
import { legacyCall } from '../stages.js';
import { unescapeToken } from '../../json/json-pointer.js';

/** Most items one list answer carries; a larger `limit` is cut to this and the answer says it was throttled. */
export const MAX_LIMIT = 100;
const RESERVED_QUERY = new Set(['offset', 'limit', 'buyerId', 'sellerId', 'fields']);

/** A validated page request: where it starts, how many items, and whether `limit` was cut to {@link MAX_LIMIT}. */
export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
  readonly throttled: boolean;
}

/** Reads `offset` (default 0) and `limit` (default and maximum {@link MAX_LIMIT}); anything but digits -> 400 invalidQuery. */
export function readPaging(query: Readonly<Record<string, unknown>>): PageRequest {
  const offset = intParam(query.offset, 'offset', 0);
  const requested = intParam(query.limit, 'limit', MAX_LIMIT);
  return { offset, limit: Math.min(requested, MAX_LIMIT), throttled: requested > MAX_LIMIT };
}

/**
 * The query parameters of a list other than paging and party ids, each given once with a value. A name not in
 * `accepted` -> 400 invalidQuery listing what is accepted; a repeated one -> 400 invalidQuery; an empty one ->
 * 400 missingQueryValue.
 */
export function readQueryValues(query: Readonly<Record<string, unknown>>, accepted: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (RESERVED_QUERY.has(name)) continue;
    if (!accepted.includes(name))
      throw new GatewayError(
        'request.invalid-query',
        `unknown filter "${name}"; this list accepts: ${accepted.join(', ') || 'offset, limit'}`,
      );
    if (typeof value !== 'string') throw new GatewayError('request.invalid-query', `${name} must appear once`);
    if (value === '') throw new GatewayError('request.missing-query-value', `${name} has no value`);
    values[name] = value;
  }
  return values;
}

/** The Sonata pagination headers of a list answer. */
export function paginationHeaders(total: number, count: number, page: PageRequest): Record<string, string> {
  return {
    'X-Total-Count': String(total),
    'X-Result-Count': String(count),
    'X-Pagination-Throttled': String(page.throttled),
  };
}

/**
 * Operations on resources the gateway keeps (POQ, quote, order, ticket...): create, retrieve, list and
 * actions (cancel, decline, close...). The documents are kept in the unified model; every read renders them
 * for the caller's release with the operation's response mapping, so one stored order serves any release.
 */
export function createResource(ctx: OperationContext<CreateOperation>, observe?: StageObserver): Promise<OperationResult> {
  return create(ctx, resourceOf(ctx), observe);
}

export function retrieveResource(ctx: OperationContext<RetrieveOperation>, observe?: StageObserver): Promise<OperationResult> {
  return retrieve(ctx, resourceOf(ctx), observe);
}

export function listResources(ctx: OperationContext<ListOperation>, observe?: StageObserver): Promise<OperationResult> {
  return list(ctx, resourceOf(ctx), observe);
}

export function actOnResource(ctx: OperationContext<ActionOperation>, observe?: StageObserver): Promise<OperationResult> {
  return action(ctx, resourceOf(ctx), observe);
}

/** The kept resource the operation works on (the registry checked at load that it exists). */
function resourceOf(ctx: OperationContext<ResourceOperation>): ResourceDef {
  return ctx.registry.resources.get(ctx.op.resource)!;
}

async function create(ctx: OperationContext<CreateOperation>, def: ResourceDef, observe?: StageObserver): Promise<OperationResult> {
  const { op, partner } = ctx;
  const r = createRunner(ctx, observe);
  const wire = await readRequest(ctx, r);
  const id = ctx.newId ? ctx.newId() : randomUUID();
  const unified = (await r.map('release-in', op.request, wire, { id })) as Record<string, unknown>;
  const mode = partner.functions.get(op.function);
  const now = ctx.now().toISOString();
  // referenced documents (a quote item, the order a cancel request is about) are checked in every mode
  const refs =
    op.references.length === 0
      ? undefined
      : await r.timed('store', () =>
          guardStore(() =>
            resolveReferences(
              op.references,
              unified,
              (resource, refId) => ctx.resources.get(ctx.registry.resources.get(resource)!, partner.id, refId),
              ctx.now(),
            ),
          ),
        );

  let created: Record<string, unknown> = unified;
  if (mode === 'automated' && op.backend) {
    const references = refs?.bindings;
    created = (await legacyCall(ctx, r, {
      backend: op.backend,
      unified,
      pathParams: { ...ctx.params, ...refs?.legacyPathParams },
      requestBindings: { id, references },
      answerBindings: { id, unifiedRequest: unified, references },
      unmappedAnswer: 'pass',
    })) as Record<string, unknown>;
  }
  const doc = createResourceDoc(created, {
    id,
    partnerId: partner.id,
    resource: def.name,
    now,
    initialState: def.initialState,
  });
  await r.timed('store', () =>
    guardStore(async () => {
      await ctx.resources.insert(def, doc);
      if (mode === 'manual') {
        const task = await ctx.tasks.add(
          { resource: def.name, partnerId: partner.id, resourceId: id, operationId: op.operationId },
          ctx.now(),
        );
        ctx.logger.info('manual task created', { taskId: task.id, resource: def.name, resourceId: id });
      }
      if (doc.legacyRef) {
        await replayParkedUpdates(
          { registry: ctx.registry, resources: ctx.resources, events: ctx.events, logger: ctx.logger, now: ctx.now },
          def,
          doc.legacyRef,
        );
      }
    }),
  );
  const status = op.statusExpression ? Number(await r.run(op.statusExpression, wire)) : op.status;
  return { status, body: await render(ctx, r, doc, wire) };
}

async function retrieve(ctx: OperationContext<RetrieveOperation>, def: ResourceDef, observe?: StageObserver): Promise<OperationResult> {
  const r = createRunner(ctx, observe);
  const doc = await load(ctx, def, r);
  return { status: ctx.op.status, body: await render(ctx, r, doc, undefined) };
}

async function list(ctx: OperationContext<ListOperation>, def: ResourceDef, observe?: StageObserver): Promise<OperationResult> {
  const { op } = ctx;
  const r = createRunner(ctx, observe);
  const paging = readPaging(ctx.query);
  const checks = Object.entries(readQueryValues(ctx.query, Object.keys(op.filters))).map(([name, value]) => {
    const filter = op.filters[name]!;
    // every Sonata range filter (orderDate.gt, startDate.lt...) is a date-time: anything else is a bad query, not "no match"
    if (filter.op !== 'eq' && Number.isNaN(Date.parse(value)))
      throw new GatewayError('request.invalid-query', `${name} must be an ISO 8601 date-time`);
    // an enumerated filter (state, status, priority...) with a value the spec does not list is a typo to report, not "no match"
    if (filter.values && !filter.values.includes(value)) {
      throw new GatewayError('request.invalid-query', `${name} must be one of ${filter.values.join(', ')}`.slice(0, 1000));
    }
    return (d: ResourceDoc) => compare(readPointer(d, filter.field), value, filter.op);
  });
  const page = await r.timed('store', () =>
    guardStore(() =>
      ctx.resources.list(def, ctx.partner.id, {
        offset: paging.offset,
        limit: paging.limit,
        keep: (d) => checks.every((c) => c(d)),
      }),
    ),
  );
  const body = [];
  for (const doc of page.items) body.push(await render(ctx, r, doc, undefined));
  return { status: op.status, body, headers: paginationHeaders(page.total, body.length, paging) };
}

/** How long an action may hold its resource, and how long another action on it waits before answering 409. */
export const ACTION_LOCK = { ttlMs: 60_000, waitMs: 15_000 } as const;

/**
 * Actions on one kept resource run one at a time, across gateway instances (a lock in the store): each one reads the
 * document, asks the BSS and writes back, so two at once would both act on the same version (two Billie PATCHes
 * naming the same orderVersion would both be accepted). A waiting action then sees what the first one changed. One
 * that waits longer than `waitMs` is answered 409 conflict with Retry-After; the lock expires by itself should
 * its holder die.
 */
async function holdResource(ctx: OperationContext, def: ResourceDef, id: string): Promise<() => Promise<void>> {
  const key = `lock:res:${def.name}:${ctx.partner.id}:${id}`;
  const token = randomUUID();
  const deadline = Date.now() + ACTION_LOCK.waitMs;
  for (
    let pause = 5;
    !(await guardStore(() => ctx.store.set(key, token, { ifAbsent: true, ttlMs: ACTION_LOCK.ttlMs })));
    pause = Math.min(pause * 2, 100)
  ) {
    if (Date.now() >= deadline)
      throw new GatewayError('resource.busy', `${def.name} ${id} is being changed by another request`, {
        headers: { 'Retry-After': '1' },
      });
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  // release only our own lock (it may have expired and been taken by another action)
  return async () => {
    await ctx.store.compareAndSet(key, token, '', { ttlMs: 1 }).catch(() => undefined);
  };
}

async function action(ctx: OperationContext<ActionOperation>, def: ResourceDef, observe?: StageObserver): Promise<OperationResult> {
  const r = createRunner(ctx, observe);
  const wire = await readRequest(ctx, r);
  const { id } = targetId(ctx.op, ctx.params, wire);
  if (!id) return actOn(ctx, def, r, wire);
  const release = await holdResource(ctx, def, id);
  try {
    return await actOn(ctx, def, r, wire);
  } finally {
    await release();
  }
}

async function actOn(
  ctx: OperationContext<ActionOperation>,
  def: ResourceDef,
  r: ReturnType<typeof createRunner>,
  wire: unknown,
): Promise<OperationResult> {
  const { op, partner } = ctx;
  const current = await load(ctx, def, r, wire);
  if (op.allowedStates && !op.allowedStates.includes(current.state)) {
    const path = op.target.startsWith('/') ? op.target : '/';
    throw new GatewayError('request.validation-failed', `${def.name} ${current.id} is ${current.state}`, {
      issues: [
        {
          code: 'invalidValue',
          propertyPath: path,
          reason: `not possible while the ${def.name} is ${current.state} (allowed: ${op.allowedStates.join(', ')})`,
        },
      ],
    });
  }
  // without a request mapping the body says nothing about the change (cancel/close): only nextState applies
  let update = (op.request ? ((await r.map('release-in', op.request, wire, { resource: current })) ?? {}) : {}) as ResourceUpdate;
  if (op.nextState && !update.state) update = { ...update, state: op.nextState };
  if (op.backend && partner.functions.get(op.function) === 'automated') {
    const fromLegacy = (await legacyCall(ctx, r, {
      backend: op.backend,
      unified: update,
      pathParams: { ...ctx.params, ...legacyPathParams(current) },
      requestBindings: { resource: current },
      answerBindings: { resource: current },
      unmappedAnswer: 'drop',
    })) as ResourceUpdate | undefined;
    if (fromLegacy) update = { ...update, ...fromLegacy, fields: { ...update.fields, ...fromLegacy.fields } };
  }
  let events: ReturnType<typeof applyUpdate>['events'] = [];
  const stored = await r.timed('store', () =>
    guardStore(() =>
      ctx.resources.update(def, partner.id, current.id, (doc) => {
        const applied = applyUpdate(doc, update, ctx.now().toISOString(), watchedFields(def));
        events = applied.events;
        return applied.doc;
      }),
    ),
  );
  await publishStateEvents(ctx.events, def, partner.id, events, ctx.logger);
  if (op.status === 204) return { status: 204, body: undefined };
  return { status: op.status, body: await render(ctx, r, stored!, wire) };
}

async function load(
  ctx: OperationContext<RetrieveOperation | ActionOperation>,
  def: ResourceDef,
  r: ReturnType<typeof createRunner>,
  wire?: unknown,
): Promise<ResourceDoc> {
  const { id, fromBody } = targetId(ctx.op, ctx.params, wire);
  const doc = id ? await r.timed('store', () => guardStore(() => ctx.resources.get(def, ctx.partner.id, id))) : null;
  if (!doc) {
    if (fromBody) {
      throw new GatewayError('request.validation-failed', `no ${def.name} ${id}`, {
        issues: [{ code: 'referenceNotFound', propertyPath: ctx.op.target, reason: `no ${def.name} with id ${id}` }],
      });
    }
    throw new GatewayError('resource.not-found', `No ${def.name} with id ${id}`);
  }
  return doc;
}

/**
 * The legacy path parameters of a kept document: its own `legacyRef`, and `parentLegacyRef` for one created under
 * another (a charge's order number).
 */
export function legacyPathParams(doc: ResourceDoc): Record<string, string> {
  const parent = doc.parent as { legacyRef?: unknown } | undefined;
  return {
    legacyRef: doc.legacyRef ?? '',
    parentLegacyRef: typeof parent?.legacyRef === 'string' ? parent.legacyRef : '',
  };
}

function targetId(
  op: RetrieveOperation | ActionOperation,
  params: Readonly<Record<string, string>>,
  wire: unknown,
): { id: string | undefined; fromBody: boolean } {
  const { target } = op;
  if (target.startsWith('/')) {
    const v = readPointer(wire, target);
    return { id: typeof v === 'string' ? v : undefined, fromBody: true };
  }
  return { id: params[target], fromBody: false };
}

async function render(ctx: OperationContext, r: ReturnType<typeof createRunner>, doc: ResourceDoc, wire: unknown): Promise<unknown> {
  const answer = await r.map('release-out', ctx.op.response, doc, { request: wire, id: doc.id });
  const partnerMaps = ctx.partner.mappings.get(ctx.op.operationId);
  return r.map('partner-out', partnerMaps?.response, answer, { request: wire });
}

function intParam(v: unknown, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v))
    throw new GatewayError('request.invalid-query', `${name} must be a non-negative integer`);
  return Number(v);
}

/** Reads a JSON pointer; '/items/*\/state' style wildcards match when any element matches (list filters). */
export function readPointer(doc: unknown, pointer: string): unknown {
  let cur: unknown[] = [doc];
  for (const raw of pointer.split('/').slice(1)) {
    const part = unescapeToken(raw);
    const next: unknown[] = [];
    for (const c of cur) {
      if (part === '*' && Array.isArray(c)) next.push(...c);
      else if (c && typeof c === 'object') next.push((c as Record<string, unknown>)[part]);
    }
    cur = next.filter((x) => x !== undefined);
  }
  return cur.length <= 1 ? cur[0] : cur;
}

function compare(actual: unknown, expected: string, op: 'eq' | 'gt' | 'lt'): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((v) => {
    if (v === undefined || v === null) return false;
    const a = String(v);
    if (op === 'eq') return a === expected;
    const an = Date.parse(a);
    const en = Date.parse(expected);
    if (!Number.isNaN(an) && !Number.isNaN(en)) return op === 'gt' ? an > en : an < en;
    return op === 'gt' ? a > expected : a < expected;
  });
}
