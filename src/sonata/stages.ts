import type { OperationContext, OperationRunner } from './operation-context.js';

/** What the legacyCall stage sends and which bindings its two mappings see. */
export interface LegacyCallInput {
  /** the legacy operation (mappings/legacy), by name; the registry checked it exists */
  readonly backend: string;
  /** in the unified model; the legacy operation's request mapping turns it into the legacy request */
  readonly unified: unknown;
  readonly pathParams: Readonly<Record<string, string>>;
  /** extra bindings of the request mapping (map.legacy-out) */
  readonly requestBindings: Record<string, unknown>;
  /** extra bindings of the answer mapping (map.legacy-in) */
  readonly answerBindings: Record<string, unknown>;
  /** without an answer mapping: `pass` returns the legacy answer as is, `drop` returns undefined */
  readonly unmappedAnswer: 'pass' | 'drop';
}

/**
 * Stage `legacyCall`: unified request -> legacy request (`map.legacy-out`), the call to the legacy BSS (`backend`,
 * with the operation's legacyFieldPaths naming partner fields in RC 8 answers), legacy answer -> unified
 * (`map.legacy-in`).
 */
export async function legacyCall(ctx: OperationContext, r: OperationRunner, input: LegacyCallInput): Promise<unknown> {
  const legacyOp = ctx.registry.legacy.get(input.backend)!;
  const legacyRequest = legacyOp.request ? await r.map('legacy-out', legacyOp.request, input.unified, input.requestBindings) : undefined;
  const answer = await r.timed('backend', () =>
    ctx.legacy.call(legacyOp, {
      pathParams: input.pathParams,
      body: legacyRequest,
      requestId: ctx.requestId,
      fieldPaths: ctx.op.legacyFieldPaths,
      logger: ctx.logger,
      headers: ctx.legacyHeaders,
      mappings: { request: legacyOp.request?.file, answer: legacyOp.response?.file },
    }),
  );
  if (!legacyOp.response && input.unmappedAnswer === 'drop') return undefined;
  return r.map('legacy-in', legacyOp.response, answer, input.answerBindings);
}
