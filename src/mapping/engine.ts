import jsonata from 'jsonata';
import { locateEvaluationError, type JsonataErrorLike } from './error-location.js';
import { MappingError, type MappingErrorKind } from './errors.js';
import {
  CONTEXT_BINDING,
  EvaluationFault,
  readEvaluationContext,
  type EvaluationContext,
  type JsonataFocus,
} from './evaluation-context.js';
import {
  createEvaluationHooks,
  EVALUATE_ENTRY_HOOK,
  EVALUATE_EXIT_HOOK,
  monotonicNow,
  startDeadlineTimer,
} from './evaluation-guard.js';
import { builtinFunctions, prepareBuiltinFunctions } from './functions/builtins.js';
import { collectFunctionBodies } from './jsonata-ast.js';
import type { LookupTables } from './lookups.js';
import { locatePosition } from './source-position.js';

/** Settings for every mapping the engine compiles. */
export interface MappingEngineOptions {
  /** Wall-clock budget of one evaluation in milliseconds (default 50). */
  deadlineMs: number;
  /**
   * Maximum nesting of calls to any one mapping function (default 200): runaway recursion fails
   * with kind `depth` instead of filling memory until the deadline. Concurrent calls (e.g. from
   * the members of one object) are not nesting and do not count.
   */
  maxDepth: number;
  /** Yield to the event loop once an evaluation has run this long since its last yield (default 2). */
  yieldEveryMs?: number;
  /** Clock behind `$now()` and `$millis()` (default: the system clock). */
  now?: () => Date;
}

/** Per-call settings of {@link CompiledMapping.evaluate}. */
export interface EvaluateOptions {
  /** Extra `$variables` and functions by name without `$`, e.g. `{ requestId, partnerId }`. */
  bindings?: Record<string, unknown>;
  /** Tables available to `$lookup()`. */
  lookups?: LookupTables;
  /** Overrides the engine's deadline for this evaluation. */
  deadlineMs?: number;
}

/** A mapping compiled once at load and evaluated many times, concurrently if need be. */
export interface CompiledMapping {
  readonly file: string;
  readonly source: string;
  /** Evaluate against `input`; resolves to plain JSON (or undefined), rejects with MappingError. */
  evaluate(input: unknown, opts?: EvaluateOptions): Promise<unknown>;
}

export interface MappingEngine {
  /** Compile `source`; throws MappingError kind `compile` located at `file:line:col`. */
  compile(source: string, file: string): CompiledMapping;
  readonly options: Readonly<MappingEngineOptions>;
}

const DEFAULT_OPTIONS = { deadlineMs: 50, maxDepth: 200, yieldEveryMs: 2 } as const;

/**
 * Create the JSONata mapping engine: compiles mappings with the built-in functions registered
 * and evaluates them with a deadline, a depth guard and periodic yields to the event loop, so one
 * slow mapping neither hangs nor starves other requests.
 */
export function createMappingEngine(opts: Partial<MappingEngineOptions> = {}): MappingEngine {
  const options: Readonly<MappingEngineOptions> = Object.freeze({
    deadlineMs: requirePositive('deadlineMs', opts.deadlineMs ?? DEFAULT_OPTIONS.deadlineMs),
    maxDepth: requirePositiveInteger('maxDepth', opts.maxDepth ?? DEFAULT_OPTIONS.maxDepth),
    yieldEveryMs: requireNonNegative('yieldEveryMs', opts.yieldEveryMs ?? DEFAULT_OPTIONS.yieldEveryMs),
    now: opts.now ?? defaultNow,
  });
  prepareBuiltinFunctions();
  return {
    options,
    compile: (source, file) => compileMapping(source, file, options),
  };
}

function compileMapping(source: string, file: string, options: Readonly<MappingEngineOptions>): CompiledMapping {
  let expression: jsonata.Expression;
  try {
    // JSONata's own `timeout`/`stack` guardrails are not used: the step hooks enforce both, yield,
    // and know the node where a limit was hit (see evaluation-guard.ts).
    expression = jsonata(source);
  } catch (err) {
    throw createCompileError(err, source, file);
  }
  for (const fn of builtinFunctions) {
    const implementation = fn.implementation as unknown as (this: jsonata.Focus, ...args: unknown[]) => unknown;
    expression.registerFunction(fn.name, implementation, fn.signature);
  }
  // JSONata's own $now/$millis read one timestamp shared by all evaluations of the expression.
  expression.registerFunction('now', nowFunction, '<s?s?:s>');
  expression.registerFunction('millis', millisFunction, '<:n>');
  const ast = expression.ast();
  const hooks = createEvaluationHooks(collectFunctionBodies(ast));
  expression.assign(EVALUATE_ENTRY_HOOK as unknown as string, hooks.onEntry);
  expression.assign(EVALUATE_EXIT_HOOK as unknown as string, hooks.onExit);

  let evaluations = 0;
  const evaluate = async (input: unknown, evalOpts: EvaluateOptions = {}): Promise<unknown> => {
    const configured = requirePositive('deadlineMs', evalOpts.deadlineMs ?? options.deadlineMs);
    // the first evaluations of a freshly compiled mapping run cold (V8 has not optimised JSONata's paths for
    // it yet) and may take several times their steady cost: they get a larger budget, explicit overrides excepted
    const deadlineMs = evalOpts.deadlineMs === undefined && evaluations++ < WARM_UP_EVALUATIONS ? configured * WARM_UP_FACTOR : configured;
    const startedAt = monotonicNow();
    const context: EvaluationContext = {
      lookups: evalOpts.lookups,
      timestamp: (options.now ?? defaultNow)(),
      deadlineAt: startedAt + backstopMs(configured),
      spentMs: 0,
      segmentStart: startedAt,
      deadlineMs,
      maxDepth: options.maxDepth,
      openCalls: new Map(),
      yieldEveryMs: options.yieldEveryMs ?? DEFAULT_OPTIONS.yieldEveryMs,
      lastYieldAt: startedAt,
      expired: false,
      lastNode: undefined,
    };
    const bindings = { ...evalOpts.bindings, [CONTEXT_BINDING]: context };
    const deadline = startDeadlineTimer(context);
    let result: unknown;
    try {
      // An evaluation abandoned by the timer stops at its next step, where it sees `expired`.
      result = await Promise.race([expression.evaluate(input, bindings), deadline.expired]);
    } catch (err) {
      throw createEvaluationError(err, context, source, file, ast);
    } finally {
      deadline.cancel();
    }
    try {
      return toPlainJson(result);
    } catch (err) {
      throw new MappingError({ kind: 'evaluate', file, detail: errorMessage(err), cause: err });
    }
  };

  return Object.freeze({ file, source, evaluate });
}

function defaultNow(): Date {
  return new Date();
}

/** Replaces JSONata's `$now(picture?, timezone?)` with the engine clock, fixed per evaluation. */
function nowFunction(this: jsonata.Focus, picture?: string, timezone?: string): string {
  const millis = timestampOf(this);
  const fromMillis = this.environment.lookup('fromMillis') as {
    implementation: (millis: number, picture?: string, timezone?: string) => string;
  };
  return fromMillis.implementation.call(this, millis, picture, timezone);
}

function millisFunction(this: jsonata.Focus): number {
  return timestampOf(this);
}

function timestampOf(focus: jsonata.Focus): number {
  return (readEvaluationContext(focus as unknown as JsonataFocus)?.timestamp ?? new Date()).getTime();
}

function createCompileError(err: unknown, source: string, file: string): MappingError {
  const e = (err ?? {}) as JsonataErrorLike;
  const where = locatePosition(source, numberOr(e.position), stringOr(e.token));
  return new MappingError({
    kind: 'compile',
    file,
    detail: describeJsonataError(e),
    ...where,
    ...codeOf(e),
    cause: err,
  });
}

function createEvaluationError(
  err: unknown,
  context: EvaluationContext,
  source: string,
  file: string,
  ast: unknown,
): MappingError {
  // $eval wraps errors of the expression it runs; what matters is the inner one.
  let inner = err as JsonataErrorLike;
  while (
    inner !== null &&
    typeof inner === 'object' &&
    (inner.code === 'D3120' || inner.code === 'D3121') &&
    inner.error !== null &&
    typeof inner.error === 'object'
  ) {
    inner = inner.error as JsonataErrorLike;
  }
  // Positions inside $eval'd text are relative to that text, so point at the $eval call instead.
  const outer = err as JsonataErrorLike;
  const where =
    inner === outer
      ? locateEvaluationError(inner ?? {}, context, source, ast)
      : locatePosition(source, numberOr(outer.position), stringOr(outer.token));

  if (inner instanceof EvaluationFault) {
    return new MappingError({
      kind: inner.kind,
      file,
      detail: inner.message,
      ...where,
      ...(inner.jsonataCode !== undefined ? { jsonataCode: inner.jsonataCode } : {}),
      ...(inner.rejection !== undefined ? { rejection: inner.rejection } : {}),
      cause: err,
    });
  }
  // A native stack overflow can still come from a caller's binding function.
  const kind: MappingErrorKind = inner instanceof RangeError && /call stack/i.test(inner.message) ? 'depth' : 'evaluate';
  const detail = describeJsonataError(inner ?? {});
  return new MappingError({ kind, file, detail, ...where, ...codeOf(inner ?? {}), cause: err });
}

function describeJsonataError(e: JsonataErrorLike): string {
  if (typeof e.message === 'string' && e.message !== '') return e.message;
  return typeof e.code === 'string' ? `JSONata error ${e.code}` : String(e);
}

function codeOf(e: JsonataErrorLike): { jsonataCode?: string } {
  return typeof e.code === 'string' && /^[A-Z]\d{4}$/.test(e.code) ? { jsonataCode: e.code } : {};
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Copy JSONata's result into plain JSON: its arrays carry sequence flags, its objects may hold
 * functions (dropped, as JSON.stringify does), and undefined must vanish. A cycle can only come
 * from a caller's binding and is reported rather than overflowing the stack.
 */
function toPlainJson(value: unknown, ancestors: Set<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || isJsonataFunction(value)) return undefined;
  if (ancestors.has(value)) throw new TypeError('Result contains a circular reference');
  ancestors.add(value);
  let result: unknown;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const plain = toPlainJson(item, ancestors);
      if (plain !== undefined) items.push(plain);
    }
    result = items;
  } else {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const plain = toPlainJson(item, ancestors);
      // defineProperty so a "__proto__" key stays data instead of replacing the prototype.
      if (plain !== undefined) {
        Object.defineProperty(copy, key, { value: plain, enumerable: true, writable: true, configurable: true });
      }
    }
    result = copy;
  }
  ancestors.delete(value);
  return result;
}

function isJsonataFunction(value: object): boolean {
  const marks = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marks._jsonata_lambda === true || marks._jsonata_function === true;
}

function requirePositive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`mapping engine option ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`mapping engine option ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function requireNonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`mapping engine option ${name} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

/** How many first evaluations of a mapping get the warm-up budget, and how much larger it is. */
export const WARM_UP_EVALUATIONS = 3;
export const WARM_UP_FACTOR = 10;

/**
 * The wall-clock limit behind the running-time budget: on a loaded machine an evaluation that keeps yielding
 * may take much longer in wall time than it runs, which is fine; one that never comes back is not.
 */
export function backstopMs(deadlineMs: number): number {
  return Math.max(deadlineMs * 20, 1000);
}
