/* eslint-disable @typescript-eslint/no-explicit-any */
import { parseAst, type AstNode } from '../jsonata-ast.js';
import { defineFunction, type Evaluator } from './apply.js';
import { STANDARD_FRAME, Unsupported, compileNode } from './compile.js';
import { ABORTS, Frame, isSequence, populateMessage, sequenceOf, type EvaluationBudget } from './runtime.js';

/*
 * The JSONata-to-JavaScript compiler (issue 12) and its contract with the mapping engine. compileJsonata parses
 * with the `jsonata` package (a syntax error throws its error, which the engine locates) and compiles the AST to
 * synchronous closures (compile.ts) that behave as the interpreter does: same results, same sequence shapes,
 * same error codes. A construct it does not handle is declined with a reason and the engine interprets that
 * expression.
 */

export type { EvaluationBudget } from './runtime.js';

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

/** The scope of the gateway's functions over the standard library, one per functions list. */
const functionFrames = new WeakMap<readonly CompilerFunction[], Frame>();

function frameOf(functions: readonly CompilerFunction[] | undefined): Frame {
  if (functions === undefined || functions.length === 0) return STANDARD_FRAME;
  let frame = functionFrames.get(functions);
  if (frame === undefined) {
    frame = new Frame(STANDARD_FRAME);
    for (const fn of functions) frame.bind(fn.name, defineFunction(fn.implementation as (...args: any[]) => any, fn.signature));
    functionFrames.set(functions, frame);
  }
  return frame;
}

/**
 * Compile `source` to JavaScript, or decline with a reason (the engine then interprets that expression). A syntax
 * error throws the parser's error, as `jsonata(source)` does.
 */
export function compileJsonata(source: string, options?: { functions?: readonly CompilerFunction[] }): CompileOutcome {
  return compileAst(parseAst(source), options);
}

/** Compile an AST as `jsonata(source).ast()` returns it. */
export function compileAst(ast: AstNode, options?: { functions?: readonly CompilerFunction[] }): CompileOutcome {
  let root: Evaluator;
  try {
    root = compileNode(ast);
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: `the compiler does not handle ${err.message}` };
    throw err;
  }
  const scope = frameOf(options?.functions);
  return { ok: true, expression: { evaluate: (input, bindings, budget) => run(root, scope, input, bindings, budget) } };
}

/** The budget, with what it throws marked as an abort (concurrent members let it through at once). */
function markingAborts(budget: EvaluationBudget): EvaluationBudget {
  const mark = (err: unknown): never => {
    if (err !== null && typeof err === 'object') ABORTS.add(err);
    throw err;
  };
  return {
    tick(node) {
      try {
        budget.tick(node);
      } catch (err) {
        mark(err);
      }
    },
    enter(node) {
      try {
        budget.enter(node);
      } catch (err) {
        mark(err);
      }
    },
    exit(node) {
      budget.exit(node);
    },
  };
}

function run(
  root: Evaluator,
  scope: Frame,
  input: any,
  bindings: Readonly<Record<string, unknown>>,
  budget: EvaluationBudget | undefined,
): unknown {
  const env = new Frame(scope, budget === undefined ? undefined : markingAborts(budget));
  env.base = env;
  if (bindings !== undefined && bindings !== null) for (const name of Object.keys(bindings)) env.bind(name, bindings[name]);
  env.bind('$', input);
  if (Array.isArray(input) && !isSequence(input)) {
    input = sequenceOf(input);
    input.outerWrapper = true;
  }
  try {
    return root(input, env);
  } catch (err) {
    populateMessage(err);
    throw err;
  }
}
