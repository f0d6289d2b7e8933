import jsonata from 'jsonata';
import { locateEvaluationError, type JsonataErrorLike } from './error-location.js';
import { MappingError, type MappingErrorKind } from './errors.js';
import {
  CONTEXT_BINDING,
  EvaluationFault,
  readEvaluationContext,
  type EvaluationContext,
  type JsonataFocus,
  type JsonataNode,
} from './evaluation-context.js';
import { createEvaluationHooks, EVALUATE_ENTRY_HOOK, EVALUATE_EXIT_HOOK, monotonicNow, startDeadlineTimer } from './evaluation-guard.js';
import { compileAst, compileJsonata, type CompiledExpression, type CompileOutcome, type EvaluationBudget } from './compiler/index.js';
import { builtinFunctions, prepareBuiltinFunctions } from './functions/builtins.js';
import { collectFunctionBodies, expressionAst, isRecord, nodeField, parseAst } from './jsonata-ast.js';
import { bindLibraryInPlace, EMPTY_LIBRARY, withLibrary, type MappingLibrary } from './library.js';
import type { LookupTables } from './lookups.js';
import { locatePosition } from './source-position.js';
import { recordFailure, tracer, type Span } from '../observability/spans.js';

/** How a mapping is evaluated: compiled to synchronous JavaScript, or by the `jsonata` package's interpreter. */
export type MappingEngineKind = 'compiled' | 'interpreted';

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
  /**
   * `compiled` (default): every mapping the compiler handles runs as synchronous JavaScript; the others fall back
   * to the interpreter, each on its own. `interpreted`: every mapping runs in the `jsonata` interpreter.
   */
  engine?: MappingEngineKind;
  /**
   * Longest a compiled (synchronous) evaluation may hold the event loop, in ms (default 10). One that needs more
   * is abandoned and re-run in the interpreter, which yields every `yieldEveryMs`, with the rest of its deadline.
   */
  syncSliceMs?: number;
  /** The JSONata compiler behind `compiled` (default: `compileJsonata` of src/mapping/compiler; tests inject doubles). */
  compiler?: typeof compileJsonata;
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
  /** How this mapping runs: `interpreted` under the interpreted engine, or when the compiler could not take it. */
  readonly engine: MappingEngineKind;
  /** Why a mapping of the compiled engine runs interpreted (the compiler's reason); undefined otherwise. */
  readonly fallbackReason?: string;
  /** The helper library it was compiled with (its calls of library functions run these definitions). */
  readonly library: MappingLibrary;
  /** Evaluate against `input`; resolves to plain JSON (or undefined), rejects with MappingError. */
  evaluate(input: unknown, opts?: EvaluateOptions): Promise<unknown>;
}

export interface MappingEngine {
  /**
   * Compile `source`; throws MappingError kind `compile` located at `file:line:col`. `engine` overrides the
   * engine's setting for this mapping (the CLI's `map --engine` and `--compare`); `library` is the helper library
   * (mappings/lib, src/mapping/library.ts) whose functions the mapping may call (default: none).
   */
  compile(source: string, file: string, opts?: { engine?: MappingEngineKind; library?: MappingLibrary }): CompiledMapping;
  readonly options: Readonly<MappingEngineOptions>;
}

const DEFAULT_OPTIONS = {
  deadlineMs: 50,
  maxDepth: 200,
  yieldEveryMs: 2,
  engine: 'compiled',
  syncSliceMs: 10,
} as const;

/** Identical sources are parsed and compiled once per engine; the cap only guards a process reloading edits forever. */
const SOURCE_CACHE_LIMIT = 50_000;

/**
 * Create the JSONata mapping engine: compiles mappings with the built-in functions registered
 * and evaluates them with a deadline, a depth guard and a bound on how long one evaluation holds the
 * event loop, so one slow mapping neither hangs nor starves other requests.
 */
export function createMappingEngine(opts: Partial<MappingEngineOptions> = {}): MappingEngine {
  const engineKind = opts.engine ?? DEFAULT_OPTIONS.engine;
  if (engineKind !== 'compiled' && engineKind !== 'interpreted') {
    throw new RangeError(`mapping engine option engine must be "compiled" or "interpreted", got ${String(engineKind)}`);
  }
  const options: Readonly<MappingEngineOptions> = Object.freeze({
    deadlineMs: requirePositive('deadlineMs', opts.deadlineMs ?? DEFAULT_OPTIONS.deadlineMs),
    maxDepth: requirePositiveInteger('maxDepth', opts.maxDepth ?? DEFAULT_OPTIONS.maxDepth),
    yieldEveryMs: requireNonNegative('yieldEveryMs', opts.yieldEveryMs ?? DEFAULT_OPTIONS.yieldEveryMs),
    now: opts.now ?? defaultNow,
    engine: engineKind,
    syncSliceMs: requirePositive('syncSliceMs', opts.syncSliceMs ?? DEFAULT_OPTIONS.syncSliceMs),
  });
  const compiler = opts.compiler ?? compileJsonata;
  prepareBuiltinFunctions();
  // the built-ins are bound once per engine: the compiler gets this list, the interpreter registers it per source
  const functions = compilerFunctions();
  const interpreters = new Map<string, InterpretedCore>();
  const compiledCores = new Map<string, CompiledCore>();
  return {
    options,
    compile: (source, file, compileOpts = {}) => {
      const kind = compileOpts.engine ?? engineKind;
      const library = compileOpts.library ?? EMPTY_LIBRARY;
      // the same text compiled with another library is another expression
      const key = library.id === '' ? source : `${library.id}\0${source}`;
      const interpreterFor = (): InterpretedCore => cached(interpreters, key, () => createInterpretedCore(source, file, library));
      const interpreted = (fallbackReason?: string): CompiledMapping =>
        interpretedMapping(interpreterFor(), source, file, library, options, fallbackReason);
      if (kind === 'interpreted') return interpreted();
      const core = cached(compiledCores, key, () => {
        try {
          if (library.functions.size === 0 || compiler !== compileJsonata) return { outcome: compiler(source, { functions }) };
          return { outcome: compileAst(withLibrary(parseAst(source), library), { functions }) };
        } catch (err) {
          // the compiler throws the reference parser's syntax error: located here as the interpreter's would be
          throw createCompileError(err, source, file);
        }
      });
      // anything the compiler declines runs interpreted
      if (!core.outcome.ok) return interpreted(core.outcome.reason);
      return compiledMapping(core.outcome.expression, interpreterFor, source, file, library, options);
    },
  };
}

function cached<T>(cache: Map<string, T>, source: string, create: () => T): T {
  // keyed by the source text itself: the Map hashes it, so equal contents share one compilation
  let entry = cache.get(source);
  if (entry === undefined) {
    entry = create();
    if (cache.size >= SOURCE_CACHE_LIMIT) cache.clear();
    cache.set(source, entry);
  }
  return entry;
}

interface CompiledCore {
  readonly outcome: CompileOutcome;
}

/** What the interpreter needs per source: parsed and with the built-ins registered, shared by every file with that text. */
interface InterpretedCore {
  readonly expression: jsonata.Expression;
  readonly ast: unknown;
}

function compilerFunctions(): NonNullable<Parameters<typeof compileJsonata>[1]>['functions'] {
  return Object.freeze([
    ...builtinFunctions.map((fn) => ({
      name: fn.name,
      implementation: fn.implementation,
      ...(fn.signature !== undefined ? { signature: fn.signature } : {}),
    })),
    { name: 'now', implementation: nowFunction as (...a: never[]) => unknown, signature: '<s?s?:s>' },
    { name: 'millis', implementation: millisFunction as (...a: never[]) => unknown, signature: '<:n>' },
  ]);
}

function createInterpretedCore(source: string, file: string, library: MappingLibrary): InterpretedCore {
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
  const ast = expressionAst(expression);
  bindLibraryInPlace(ast, library);
  const hooks = createEvaluationHooks(collectFunctionBodies(ast));
  expression.assign(EVALUATE_ENTRY_HOOK as unknown as string, hooks.onEntry);
  expression.assign(EVALUATE_EXIT_HOOK as unknown as string, hooks.onExit);
  return { expression, ast };
}

/**
 * Deadline of one evaluation: the first evaluations of a freshly compiled mapping run cold (V8 has not optimised
 * the paths for it yet) and may take several times their steady cost, so they get a larger budget, explicit
 * overrides excepted.
 */
function createDeadlinePolicy(
  options: Readonly<MappingEngineOptions>,
): (evalOpts: EvaluateOptions) => { configured: number; deadlineMs: number } {
  let evaluations = 0;
  return (evalOpts) => {
    const configured = requirePositive('deadlineMs', evalOpts.deadlineMs ?? options.deadlineMs);
    const deadlineMs = evalOpts.deadlineMs === undefined && evaluations++ < WARM_UP_EVALUATIONS ? configured * WARM_UP_FACTOR : configured;
    return { configured, deadlineMs };
  };
}

function createContext(
  options: Readonly<MappingEngineOptions>,
  evalOpts: EvaluateOptions,
  limits: { configured: number; deadlineMs: number },
): EvaluationContext {
  const startedAt = monotonicNow();
  return {
    lookups: evalOpts.lookups,
    timestamp: (options.now ?? defaultNow)(),
    deadlineAt: startedAt + backstopMs(limits.configured),
    spentMs: 0,
    segmentStart: startedAt,
    deadlineMs: limits.deadlineMs,
    maxDepth: options.maxDepth,
    openCalls: new Map(),
    yieldEveryMs: options.yieldEveryMs ?? DEFAULT_OPTIONS.yieldEveryMs,
    lastYieldAt: startedAt,
    expired: false,
    lastNode: undefined,
  };
}

function interpretedMapping(
  core: InterpretedCore,
  source: string,
  file: string,
  library: MappingLibrary,
  options: Readonly<MappingEngineOptions>,
  fallbackReason: string | undefined,
): CompiledMapping {
  const deadlines = createDeadlinePolicy(options);
  const evaluate = traced(file, 'interpreted', (input, evalOpts) =>
    runInterpreted(core, input, evalOpts.bindings, createContext(options, evalOpts, deadlines(evalOpts)), source, file),
  );
  return Object.freeze({
    file,
    source,
    engine: 'interpreted' as const,
    ...(fallbackReason !== undefined ? { fallbackReason } : {}),
    library,
    evaluate,
  });
}

async function runInterpreted(
  core: InterpretedCore,
  input: unknown,
  extraBindings: Record<string, unknown> | undefined,
  context: EvaluationContext,
  source: string,
  file: string,
): Promise<unknown> {
  const bindings = { ...extraBindings, [CONTEXT_BINDING]: context };
  let result: unknown;
  // Only a function binding can leave the evaluation waiting with no step running (the step hooks enforce the
  // deadline otherwise), so only then is a timer raced against it.
  const deadline = hasFunctionBinding(extraBindings) ? startDeadlineTimer(context) : undefined;
  try {
    // An evaluation abandoned by the timer stops at its next step, where it sees `expired`.
    const evaluation = core.expression.evaluate(input, bindings);
    result = await (deadline === undefined ? evaluation : Promise.race([evaluation, deadline.expired]));
  } catch (err) {
    throw createEvaluationError(err, context, source, file, core.ast);
  } finally {
    deadline?.cancel();
  }
  try {
    return toPlainJson(result);
  } catch (err) {
    throw new MappingError({ kind: 'evaluate', file, detail: errorMessage(err), cause: err });
  }
}

/**
 * Thrown by the budget when a synchronous evaluation has held the event loop for its slice. An object, not a
 * symbol: compiled code may stamp positions on what passes through it.
 */
class SliceExhausted {}

/** The budget reads the clock once per this many ticks (a power of two): cheap, and still ~µs-grained. */
const TICKS_PER_CLOCK_READ = 64;

/**
 * The deadline and depth guard of one compiled evaluation: the compiled code ticks on loops and calls and
 * enters/exits user functions; every {@link TICKS_PER_CLOCK_READ} ticks the clock is read against the deadline
 * and the slice. Synchronous code has no concurrent calls, so open calls of one function are real nesting.
 */
class EvaluationBudgetGuard implements EvaluationBudget {
  private ticks = 0;
  /**
   * What the budget threw to abort the evaluation: the engine decides by this, not by what reaches its catch,
   * which compiled code may have wrapped on the way out.
   */
  abort: EvaluationFault | SliceExhausted | undefined;
  constructor(
    private readonly context: EvaluationContext,
    private readonly sliceEndsAt: number,
  ) {}

  tick(node: JsonataNode): void {
    if ((++this.ticks & (TICKS_PER_CLOCK_READ - 1)) === 0) this.check(node);
  }

  enter(node: JsonataNode): void {
    const body = functionBodyOf(node);
    const open = this.context.openCalls.get(body) ?? 0;
    if (open >= this.context.maxDepth) {
      throw (this.abort = new EvaluationFault(
        'depth',
        `Evaluation exceeded the maximum depth of ${this.context.maxDepth} nested calls of one function; check for runaway recursion`,
        { jsonataCode: 'D1011', node: body },
      ));
    }
    this.context.openCalls.set(body, open + 1);
    this.tick(node);
  }

  exit(node: JsonataNode): void {
    const body = functionBodyOf(node);
    this.context.openCalls.set(body, (this.context.openCalls.get(body) ?? 1) - 1);
  }

  private check(node: JsonataNode): void {
    const now = monotonicNow();
    const context = this.context;
    context.lastNode = node;
    if (context.spentMs + (now - context.segmentStart) >= context.deadlineMs || now >= context.deadlineAt) {
      context.expired = true;
      throw (this.abort = new EvaluationFault('timeout', `Evaluation exceeded its deadline of ${context.deadlineMs} ms`, {
        jsonataCode: 'D1012',
        node,
      }));
    }
    if (now >= this.sliceEndsAt) throw (this.abort = new SliceExhausted());
  }
}

/** The depth guard counts calls per function body, as the interpreter's hooks do (and errors point at the body). */
function functionBodyOf(node: JsonataNode): JsonataNode {
  if (node.type !== 'lambda') return node;
  const body = nodeField(node, 'body');
  // any object body, as before: the interpreter enters a lambda's body whatever its node carries
  return body !== null && typeof body === 'object' ? (body as JsonataNode) : node;
}

function compiledMapping(
  expression: CompiledExpression,
  interpreter: () => InterpretedCore,
  source: string,
  file: string,
  library: MappingLibrary,
  options: Readonly<MappingEngineOptions>,
): CompiledMapping {
  const deadlines = createDeadlinePolicy(options);
  const sliceMs = options.syncSliceMs ?? DEFAULT_OPTIONS.syncSliceMs;
  let ast: unknown;
  const astOf = (): unknown => (ast ??= interpreter().ast);
  // async only so callers see one contract; the work itself runs synchronously, before the first await
  const evaluate = traced(file, 'compiled', async (input, evalOpts, span) => {
    const context = createContext(options, evalOpts, deadlines(evalOpts));
    // a function binding may be async (a Promise in the middle of synchronous code): the interpreter awaits it
    if (hasFunctionBinding(evalOpts.bindings)) return runInterpreted(interpreter(), input, evalOpts.bindings, context, source, file);
    const bindings = { ...evalOpts.bindings, [CONTEXT_BINDING]: context };
    const budget = new EvaluationBudgetGuard(context, context.segmentStart + sliceMs);
    let result: unknown;
    try {
      result = expression.evaluate(input, bindings, budget);
    } catch (err) {
      if (!(budget.abort instanceof SliceExhausted)) throw createEvaluationError(budget.abort ?? err, context, source, file, astOf());
      // Mappings are pure and $now() is fixed in the context: re-running from the start in the interpreter, which
      // yields, gives the same result and lets the event loop breathe. The time spent so far counts.
      const now = monotonicNow();
      context.spentMs += now - context.segmentStart;
      context.segmentStart = now;
      context.lastYieldAt = Number.NEGATIVE_INFINITY; // the slice just held the loop: yield at the first step
      context.openCalls.clear();
      span.addEvent('re-run in the interpreter: the synchronous slice was spent');
      return runInterpreted(interpreter(), input, evalOpts.bindings, context, source, file);
    }
    if (isPlainJson(result, 0)) return result;
    try {
      return toPlainJson(result);
    } catch (err) {
      throw new MappingError({ kind: 'evaluate', file, detail: errorMessage(err), cause: err });
    }
  });
  return Object.freeze({ file, source, engine: 'compiled' as const, library, evaluate });
}

/**
 * One `mapping evaluate` span per evaluation (attributes: the mapping file and how it runs; a failure is recorded
 * on it). Not made active: a mapping starts no spans of its own. With tracing off this is the API's no-op span.
 */
function traced(
  file: string,
  engine: MappingEngineKind,
  run: (input: unknown, evalOpts: EvaluateOptions, span: Span) => Promise<unknown>,
): CompiledMapping['evaluate'] {
  const attributes = Object.freeze({ 'sonata.mapping.file': file, 'sonata.mapping.engine': engine });
  return async (input, evalOpts = {}) => {
    const span = tracer.startSpan('mapping evaluate', { attributes });
    try {
      return await run(input, evalOpts, span);
    } catch (err) {
      recordFailure(span, err);
      throw err;
    } finally {
      span.end();
    }
  };
}

function hasFunctionBinding(bindings: Record<string, unknown> | undefined): boolean {
  if (bindings === undefined) return false;
  for (const key in bindings) if (typeof bindings[key] === 'function') return true;
  return false;
}

/** Nesting beyond which the plain-JSON check hands over to toPlainJson, which also reports cycles. */
const PLAIN_CHECK_MAX_DEPTH = 100;

/**
 * True when `value` is already what {@link toPlainJson} would return: then it is returned as is, without a copy.
 * A read-only walk is several times cheaper than the copy.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > PLAIN_CHECK_MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    // JSONata marks its sequences with own properties that a copy drops
    if (
      Reflect.get(value, 'sequence') !== undefined ||
      Reflect.get(value, 'keepSingleton') !== undefined ||
      Reflect.get(value, 'tupleStream') !== undefined ||
      Reflect.get(value, 'outerWrapper') !== undefined
    )
      return false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || !isPlainJson(item, depth + 1)) return false;
    }
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  // a null-prototype object (e.g. from a caller's input) is copied, as the interpreter's output always is
  if (proto !== Object.prototype || !isRecord(value)) return false;
  const record = value;
  if (isJsonataFunction(record)) return false;
  for (const key in record) {
    const item = record[key];
    if (item === undefined || !isPlainJson(item, depth + 1)) return false;
  }
  return true;
}

function defaultNow(): Date {
  return new Date();
}

/** Replaces JSONata's `$now(picture?, timezone?)` with the engine clock, fixed per evaluation. */
function nowFunction(this: jsonata.Focus, picture?: string, timezone?: string): string {
  const millis = timestampOf(this);
  // without a picture JSONata's $fromMillis gives exactly the ISO 8601 UTC form
  if (picture === undefined && timezone === undefined) return new Date(millis).toISOString();
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

function createEvaluationError(err: unknown, context: EvaluationContext, source: string, file: string, ast: unknown): MappingError {
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

/** Nesting up to which {@link toPlainJson} copies without tracking ancestors; deeper, it checks for cycles. */
const FAST_COPY_MAX_DEPTH = 64;

/**
 * Copy JSONata's result into plain JSON: its arrays carry sequence flags, its objects may hold
 * functions (dropped, as JSON.stringify does), and undefined must vanish. A cycle can only come
 * from a caller's binding and is reported rather than overflowing the stack.
 */
function toPlainJson(value: unknown): unknown {
  return copyPlain(value, 0, undefined);
}

function copyPlain(value: unknown, depth: number, ancestors: Set<object> | undefined): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || isJsonataFunction(value)) return undefined;
  // results are shallow: ancestors are only tracked (for cycles) past a depth no real mapping output reaches
  if (depth >= FAST_COPY_MAX_DEPTH) ancestors ??= new Set();
  if (ancestors !== undefined) {
    if (ancestors.has(value)) throw new TypeError('Result contains a circular reference');
    ancestors.add(value);
  }
  let result: unknown;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const plain = copyPlain(value[i], depth + 1, ancestors);
      if (plain !== undefined) items.push(plain);
    }
    result = items;
  } else {
    const copy: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const plain = copyPlain(record[key], depth + 1, ancestors);
      if (plain === undefined) continue;
      // defineProperty so a "__proto__" key stays data instead of replacing the prototype.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: plain, enumerable: true, writable: true, configurable: true });
      else copy[key] = plain;
    }
    result = copy;
  }
  ancestors?.delete(value);
  return result;
}

function isJsonataFunction(value: object): boolean {
  return (
    ('_jsonata_lambda' in value && value._jsonata_lambda === true) || ('_jsonata_function' in value && value._jsonata_function === true)
  );
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
