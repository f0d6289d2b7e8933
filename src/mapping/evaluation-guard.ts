import { CONTEXT_BINDING, EvaluationFault, type EvaluationContext, type JsonataFrame, type JsonataNode } from './evaluation-context.js';

/*
 * Captured at import on purpose: a test that installs fake timers (vitest fakes setImmediate,
 * setTimeout and performance by default) must not freeze mapping deadlines or yields, which protect
 * the real event loop rather than model business time.
 */
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
export const monotonicNow: () => number = globalThis.performance.now.bind(globalThis.performance);

/** JSONata 2.x awaits these hooks around every node evaluation (jsonata.js `evaluate`). */
export const EVALUATE_ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
export const EVALUATE_EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

/** Rounds a call over the depth limit waits for concurrent calls to finish before it counts as recursion. */
const IDLE_ROUNDS_BEFORE_DEPTH_ERROR = 3;

export interface EvaluationHooks {
  onEntry(node: JsonataNode, input: unknown, environment: JsonataFrame): Promise<void> | undefined;
  onExit(node: JsonataNode, input: unknown, environment: JsonataFrame): void;
}

/**
 * Step hooks for one compiled mapping; all per-evaluation state lives in the EvaluationContext the
 * evaluation carries in its bindings, because JSONata shares the hooks between evaluations.
 *
 * The depth guard counts nested calls of each mapping function rather than JSONata's frame
 * counter (its `stack` option): JSONata evaluates object and array members concurrently, and that
 * counter adds up every member in flight, so a wide but shallow object would trip it.
 */
export function createEvaluationHooks(functionBodies: ReadonlySet<JsonataNode>): EvaluationHooks {
  return {
    onEntry(node, _input, environment) {
      const context = readContext(environment);
      if (context === undefined) return undefined;
      context.lastNode = node;
      // one clock read per step serves both the deadline and the yield
      const now = monotonicNow();
      failIfExpired(context, node, now);
      if (functionBodies.has(node)) {
        const open = context.openCalls.get(node) ?? 0;
        if (open >= context.maxDepth) return enterWhenBelowDepthLimit(context, node);
        context.openCalls.set(node, open + 1);
      }
      if (now - context.lastYieldAt < context.yieldEveryMs) return undefined;
      return yieldToEventLoop(context);
    },
    onExit(node, _input, environment) {
      if (!functionBodies.has(node)) return;
      const context = readContext(environment);
      if (context === undefined) return;
      context.openCalls.set(node, (context.openCalls.get(node) ?? 1) - 1);
    },
  };
}

/**
 * Start the per-evaluation deadline timer. The step hook enforces the deadline while JSONata
 * computes; the timer covers an evaluation stuck awaiting an async binding, where no step runs.
 * The returned promise only ever rejects; call `cancel` once the evaluation settles.
 */
export function startDeadlineTimer(context: EvaluationContext): { expired: Promise<never>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = realSetTimeout(
      () => {
        context.expired = true;
        reject(createTimeoutFault(context, undefined));
      },
      Math.max(0, context.deadlineAt - monotonicNow()),
    );
    timer.unref?.();
  });
  return { expired, cancel: () => realClearTimeout(timer) };
}

function readContext(environment: JsonataFrame): EvaluationContext | undefined {
  return environment.base?.lookup(CONTEXT_BINDING) as EvaluationContext | undefined;
}

/**
 * The deadline counts the evaluation's own running time (time yielded to other requests is excluded, so a
 * busy process does not fail innocent mappings); the wall-clock backstop catches an evaluation that stalls.
 */
function failIfExpired(context: EvaluationContext, node: JsonataNode, now: number = monotonicNow()): void {
  if (context.expired || context.spentMs + (now - context.segmentStart) >= context.deadlineMs || now >= context.deadlineAt) {
    context.expired = true;
    throw createTimeoutFault(context, node);
  }
}

/*
 * Members of one object or array, or the groups of a grouping expression, can all be inside the
 * same function at once; that is not recursion. Waiting lets such concurrent calls finish, while
 * the enclosing calls of a real recursion cannot finish before this one, so their count stays put.
 */
async function enterWhenBelowDepthLimit(context: EvaluationContext, node: JsonataNode): Promise<void> {
  let idleRounds = 0;
  while (idleRounds < IDLE_ROUNDS_BEFORE_DEPTH_ERROR) {
    const before = context.openCalls.get(node) ?? 0;
    await yieldToEventLoop(context);
    failIfExpired(context, node);
    const open = context.openCalls.get(node) ?? 0;
    if (open < context.maxDepth) {
      context.openCalls.set(node, open + 1);
      return;
    }
    idleRounds = open < before ? 0 : idleRounds + 1;
  }
  throw new EvaluationFault(
    'depth',
    `Evaluation exceeded the maximum depth of ${context.maxDepth} nested calls of one function; check for runaway recursion`,
    { jsonataCode: 'D1011', node },
  );
}

/**
 * Resolve on the next macrotask. JSONata awaits the step hook, so returning this promise is the
 * only point where a long evaluation lets timers, I/O and other requests run.
 */
function yieldToEventLoop(context: EvaluationContext): Promise<void> {
  const now = monotonicNow();
  context.spentMs += now - context.segmentStart;
  context.segmentStart = now;
  return new Promise<void>((resolve) => {
    realSetImmediate(() => {
      const resumed = monotonicNow();
      context.lastYieldAt = resumed;
      context.segmentStart = resumed;
      resolve();
    });
  });
}

function createTimeoutFault(context: EvaluationContext, node: JsonataNode | undefined): EvaluationFault {
  return new EvaluationFault('timeout', `Evaluation exceeded its deadline of ${context.deadlineMs} ms`, {
    jsonataCode: 'D1012',
    ...(node !== undefined ? { node } : {}),
  });
}
