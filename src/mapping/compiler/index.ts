import type { JsonataNode } from '../evaluation-context.js';

/*
 * The contract between the mapping engine and a JSONata-to-JavaScript compiler (issue 12). The compiler itself is
 * not written yet: compileJsonata declines every expression, so the engine's `compiled` setting runs each mapping
 * in the interpreter (its per-expression fallback) and says so in `sonata-gateway check`. The engine, its budget,
 * slice and fallback are built and tested against this contract with hand-written compiled code
 * (test/mapping/engine-budget.test.ts).
 */

/** The engine's guard inside a compiled evaluation; each method throws to abort it. */
export interface EvaluationBudget {
  /** on every loop iteration over a sequence or array, every function call and every recursion step */
  tick(node: JsonataNode): void;
  /** around a call of a user-defined lambda (node = the lambda), for the per-function nesting limit */
  enter(node: JsonataNode): void;
  exit(node: JsonataNode): void;
}

/** A compiled expression: synchronous, throws JSONata-shaped errors ({code, position, token, value, message}). */
export interface CompiledExpression {
  evaluate(input: unknown, bindings: Readonly<Record<string, unknown>>, budget?: EvaluationBudget): unknown;
}

export type CompileOutcome = { ok: true; expression: CompiledExpression } | { ok: false; reason: string };

/** A function bound for every evaluation (the gateway's built-ins), by name without `$`. */
export interface CompilerFunction {
  name: string;
  implementation: (...args: never[]) => unknown;
  signature?: string;
}

/** Why every expression runs in the interpreter for now. */
export const COMPILER_MISSING_REASON = 'the JSONata compiler is not built yet (issue 12): the interpreter runs this mapping';

/**
 * Compile `source` to JavaScript, or decline with a reason (the engine then interprets that expression). Today it
 * declines every expression; see the file comment.
 */
export function compileJsonata(_source: string, _options?: { functions?: readonly CompilerFunction[] }): CompileOutcome {
  return { ok: false, reason: COMPILER_MISSING_REASON };
}
