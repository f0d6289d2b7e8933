import { GatewayError } from '../errors/catalogue.js';
import type { OperationDef, OperationKind } from '../registry/registry.js';
import { executeCall } from './execute-operation.js';
import type { OperationContext, OperationResult, StageObserver } from './operation-context.js';
import { actOnResource, createResource, listResources, retrieveResource } from './resources/resource-operations.js';

/** The operation of one kind, with the fields that kind has. */
export type OperationOf<K extends OperationKind> = Extract<OperationDef, { kind: K }>;

/** How operations of one kind run. */
export type KindRunner<K extends OperationKind> = (
  ctx: OperationContext<OperationOf<K>>,
  observe?: StageObserver,
) => Promise<OperationResult>;

/**
 * Every kind of operation and how it runs: the one place that dispatches on `kind` (the compiler checks that each
 * kind is here). `proxy` operations are forwarded before their body is read (see {@link upstreamOf}).
 */
export const KINDS: { readonly [K in OperationKind]: KindRunner<K> } = {
  call: executeCall,
  create: createResource,
  retrieve: retrieveResource,
  list: listResources,
  action: actOnResource,
  hubRegister: (ctx) => hubsOf(ctx).register(ctx),
  hubRetrieve: (ctx) => hubsOf(ctx).retrieve(ctx),
  hubDelete: (ctx) => hubsOf(ctx).remove(ctx),
  notImplemented: async (ctx) => {
    throw new GatewayError('operation.not-implemented', `${ctx.op.operationId} is an optional operation this seller does not offer`);
  },
  proxy: async (ctx) => {
    throw new GatewayError('internal.unexpected', `${ctx.op.operationId} is forwarded to ${ctx.op.upstream}, not run`);
  },
};

/**
 * Runs one Sonata operation by its kind. `call` operations translate and call the legacy BSS; resource operations
 * (create/retrieve/list/action) work on documents the gateway keeps; hub operations on notification subscriptions.
 */
export function executeOperation(ctx: OperationContext, observe?: StageObserver): Promise<OperationResult> {
  // KINDS is checked per kind above; TypeScript cannot relate the key it is indexed with to ctx.op's own type
  const run = KINDS[ctx.op.kind] as KindRunner<OperationKind>;
  return run(ctx, observe);
}

/** Where a pass-through (`proxy`) operation is forwarded to; undefined for every kind the gateway runs itself. */
export function upstreamOf(op: OperationDef): string | undefined {
  return op.kind === 'proxy' ? op.upstream : undefined;
}

function hubsOf(ctx: OperationContext): NonNullable<OperationContext['hubs']> {
  if (!ctx.hubs) throw new GatewayError('operation.not-implemented', 'notifications are not available');
  return ctx.hubs;
}
