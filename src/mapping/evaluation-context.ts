import type { MappingErrorKind, MappingRejection } from './errors.js';
import type { LookupTables } from './lookups.js';

/*
 * Internal plumbing shared by the engine and the built-in functions. A compiled JSONata expression
 * keeps one environment for all concurrent evaluations, so anything per evaluation (deadline,
 * lookups, clock) travels in the evaluate() bindings and is read back through the per-evaluation
 * base frame.
 */

/**
 * Binding name of the per-evaluation context. The space makes it impossible to reference as a
 * `$variable` from mapping source, so mappings can neither read nor shadow it.
 */
export const CONTEXT_BINDING = 'sonata-gateway evaluation';

/**
 * The subset of a JSONata AST node the engine reads for error locations. `type` is absent on a path's grouping
 * clause (`path{...}`), which compiled code ticks the budget with too.
 */
export interface JsonataNode {
  type?: string;
  value?: unknown;
  position?: number;
  procedure?: JsonataNode;
}

/** A JSONata environment frame; `base` (the per-evaluation root frame) is undocumented but stable in 2.x. */
export interface JsonataFrame {
  lookup(name: string | symbol): unknown;
  base?: JsonataFrame;
}

/** Per-evaluation state, one object per evaluate() call. */
export interface EvaluationContext {
  readonly lookups: LookupTables | undefined;
  /** What `$now()`/`$millis()` return, fixed for the whole evaluation as JSONata documents. */
  readonly timestamp: Date;
  /**
   * Monotonic instant after which the evaluation fails whatever it is doing: a backstop for an
   * evaluation stuck awaiting an async binding (a generous multiple of the deadline).
   */
  readonly deadlineAt: number;
  /** Budget of the evaluation's OWN running time: time spent yielded to other work does not count. */
  readonly deadlineMs: number;
  /** Running time used so far, up to `segmentStart`. */
  spentMs: number;
  /** When the current running segment began (the evaluation's start, or its last resume after a yield). */
  segmentStart: number;
  /** Limit on nested calls of any one mapping function. */
  readonly maxDepth: number;
  /** Calls in progress per function body node, maintained by the step hooks. */
  readonly openCalls: Map<JsonataNode, number>;
  readonly yieldEveryMs: number;
  lastYieldAt: number;
  /** Set once the deadline has passed so an abandoned evaluation stops at its next step. */
  expired: boolean;
  /** Node most recently entered by any branch: where a runaway evaluation was spending its time. */
  lastNode: JsonataNode | undefined;
}

/** The `this` JSONata gives to registered functions. */
export interface JsonataFocus {
  environment: JsonataFrame;
  input: unknown;
}

/** Read the per-evaluation context from inside a built-in function. */
export function readEvaluationContext(focus: JsonataFocus): EvaluationContext | undefined {
  const frame = focus.environment.base ?? focus.environment;
  return frame.lookup(CONTEXT_BINDING) as EvaluationContext | undefined;
}

/**
 * Thrown inside an evaluation (by built-ins or the step hook) and turned into a MappingError with
 * file and line by the engine, which is the only place that knows the file and source.
 */
export class EvaluationFault extends Error {
  readonly kind: Exclude<MappingErrorKind, 'compile'>;
  readonly jsonataCode: string | undefined;
  readonly rejection: MappingRejection | undefined;
  /** The node being entered when the step hook raised the fault (timeout or depth). */
  readonly node: JsonataNode | undefined;
  /** Set by JSONata as the error unwinds; see the constructor. */
  declare position: number | undefined;
  declare token: string | undefined;

  constructor(
    kind: Exclude<MappingErrorKind, 'compile'>,
    detail: string,
    extra: { jsonataCode?: string; rejection?: MappingRejection; node?: JsonataNode } = {},
  ) {
    super(detail);
    this.kind = kind;
    this.jsonataCode = extra.jsonataCode;
    this.rejection = extra.rejection;
    this.node = extra.node;
    // JSONata stamps the call site of a failing built-in on the error, then overwrites it with the
    // call site of every enclosing function as it unwinds. Keeping the first stamp keeps the line
    // of the `$reject(...)` or `$lookup(...)` call itself.
    for (const field of ['position', 'token'] as const) {
      let value: unknown;
      Object.defineProperty(this, field, {
        enumerable: true,
        get: () => value,
        set: (next: unknown) => {
          if (value === undefined) value = next;
        },
      });
    }
  }
}
