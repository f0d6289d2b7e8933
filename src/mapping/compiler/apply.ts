/* eslint-disable @typescript-eslint/no-explicit-any */
import type { JsonataNode } from '../evaluation-context.js';
import { parseAst, parseSignature } from '../jsonata-ast.js';
import { CLOCK, Frame, createSequence, focusOf, getFunctionArity, isFunction, isLambda, isPromise, jsonataError } from './runtime.js';

/*
 * Calling functions, as the interpreter's apply/applyInner/applyProcedure do it: signature validation, the
 * trampoline that runs tail calls without growing the stack, partial application, and the error stamping
 * (`position`/`token` of the call) that the engine's error locations rely on. User lambdas tick and enter/exit
 * the evaluation budget.
 */

/** A compiled expression: evaluates a node against its input in a scope. */
export type Evaluator = (input: any, env: Frame) => any;

/** A user function (`function($x) {...}`), or a partial application of one or of a native function. */
export class Lambda {
  readonly _jsonata_lambda = true;
  thunk?: boolean;
  signature?: any;
  token?: string;
  position?: number;
  /** the thunk of a tail call: its procedure and arguments, compiled */
  tailProcedure?: Evaluator;
  tailArguments?: Evaluator[];
  constructor(
    readonly input: any,
    readonly environment: Frame,
    readonly arguments_: any[],
    /** the body's AST node, or a native function for a partially applied native */
    readonly body: any,
    /** the compiled body (undefined for a native body) */
    readonly run: Evaluator | undefined,
    /** the `lambda` node, for the budget's per-function depth count */
    readonly node: JsonataNode | undefined,
  ) {}

  /** JSONata reads a lambda's parameter list as `arguments` (getFunctionArity, partial application). */
  get arguments(): any[] {
    return this.arguments_;
  }

  /** how natives (e.g. a custom matcher's `next`) call a lambda: `func.apply(focus, args)` */
  apply(self: any, args: any[]): any {
    return apply(this, args, this.input, self ? self.environment : this.environment);
  }
}

export function defineFunction(implementation: (...args: any[]) => any, signature?: string): any {
  const definition: any = { _jsonata_function: true, implementation };
  if (signature !== undefined) definition.signature = parseSignature(signature);
  return definition;
}

/** Apply `proc` to `args`, running tail calls (thunks) in a loop. */
export function apply(proc: any, args: any[], input: any, env: Frame): any {
  let result = applyInner(proc, args, input, env);
  while (isLambda(result) && result.thunk === true) {
    const body = result.body;
    const next = (result.tailProcedure as Evaluator)(result.input, result.environment);
    if (body.procedure.type === 'variable') next.token = body.procedure.value;
    next.position = body.procedure.position;
    const tailArgs = result.tailArguments as Evaluator[];
    const evaluatedArgs = new Array(tailArgs.length);
    for (let i = 0; i < tailArgs.length; i++) evaluatedArgs[i] = tailArgs[i]!(result.input, result.environment);
    result = applyInner(next, evaluatedArgs, input, env);
  }
  return result;
}

export function applyInner(proc: any, args: any[], input: any, env: Frame): any {
  let result;
  try {
    let validatedArgs = args;
    if (proc && proc.signature !== undefined) validatedArgs = proc.signature.validate(args, input);
    if (isLambda(proc)) {
      result = applyProcedure(proc, validatedArgs);
    } else if (proc && proc._jsonata_function === true) {
      result = proc.implementation.apply(focusOf(env, input), validatedArgs);
      if (isIterable(result)) result = result.next().value;
      if (isPromise(result)) throw asynchronousResult();
    } else if (typeof proc === 'function') {
      result = proc.apply(input, validatedArgs);
      if (isPromise(result)) throw asynchronousResult();
    } else {
      throw jsonataError('T1006');
    }
  } catch (err: any) {
    if (proc) {
      if (typeof err.token === 'undefined' && typeof proc.token !== 'undefined') err.token = proc.token;
      err.position = proc.position || err.position;
    }
    throw err;
  }
  return result;
}

/** A function binding that answers with a Promise cannot run in synchronous code; the engine routes those to the interpreter. */
function asynchronousResult(): Error {
  return new Error('a function returned a Promise: asynchronous functions need the interpreted engine');
}

function isIterable(arg: any): boolean {
  return typeof arg === 'object' && arg !== null && Symbol.iterator in arg && 'next' in arg && typeof arg.next === 'function';
}

function applyProcedure(proc: Lambda, args: any[]): any {
  const env = new Frame(proc.environment);
  const params = proc.arguments;
  for (let i = 0; i < params.length; i++) env.bind(params[i].value, args[i]);
  if (typeof proc.body === 'function') return applyNativeFunction(proc.body, env);
  const budget = env.budget;
  const node = proc.node as JsonataNode;
  CLOCK.t += 2;
  budget.enter(node);
  try {
    return (proc.run as Evaluator)(proc.input, env);
  } finally {
    budget.exit(node);
  }
}

/** A function value handed to a function as an argument: natives call it as a plain JavaScript function. */
export function wrapFunctionArgument(arg: any, env: Frame): any {
  const closure: any = function (...params: any[]) {
    return apply(arg, params, null, env);
  };
  closure.arity = getFunctionArity(arg);
  return closure;
}

export const PLACEHOLDER = Symbol('partial application placeholder');

export function partialApplyProcedure(proc: any, args: any[], env: Frame): Lambda {
  const frame = new Frame(proc.environment || env);
  const unbound: any[] = [];
  const params = proc.arguments;
  for (let i = 0; i < params.length; i++) {
    const arg = args[i];
    if (arg === PLACEHOLDER) unbound.push(params[i]);
    else frame.bind(params[i].value, arg);
  }
  return new Lambda(proc.input, frame, unbound, proc.body, proc.run, proc.node);
}

export function partialApplyNativeFunction(native: any, args: any[], env: Frame): Lambda {
  const sigArgs = nativeFunctionArguments(native).map((name) => '$' + name.trim());
  // parsed as the interpreter does, so odd parameter lists fail the same way
  const lambda = parseAst('function(' + sigArgs.join(', ') + '){ _ }');
  return partialApplyProcedure(
    {
      input: undefined,
      environment: undefined,
      arguments: lambda.type === 'lambda' ? lambda.arguments : [],
      body: native,
      run: undefined,
      node: undefined,
    },
    args,
    env,
  );
}

function applyNativeFunction(proc: any, env: Frame): any {
  const args = nativeFunctionArguments(proc).map((name) => env.lookup(name.trim()));
  const result = proc.apply({ environment: env, createSequence }, args);
  if (isPromise(result)) throw asynchronousResult();
  return result;
}

function nativeFunctionArguments(func: any): string[] {
  const parens = /\(([^)]*)\)/.exec(func.toString()) as RegExpExecArray;
  return (parens[1] as string).split(',');
}

/** The arguments a higher-order function passes to `func`: the value, then index/key and whole if it takes them. */
export function hofFuncArgs(func: any, arg1: any, arg2: any, arg3: any): any[] {
  const args = [arg1];
  const length = getFunctionArity(func);
  if (length >= 2) args.push(arg2);
  if (length >= 3) args.push(arg3);
  return args;
}

export { isFunction };
