/* eslint-disable @typescript-eslint/no-explicit-any */
import type { JsonataNode } from '../evaluation-context.js';
import { ERROR_MESSAGES } from './messages.js';

/** The engine's guard inside a compiled evaluation; each method throws to abort it. */
export interface EvaluationBudget {
  /** on every loop iteration over a sequence or array, every function call and every recursion step */
  tick(node: JsonataNode): void;
  /** around a call of a user-defined lambda (node = the lambda), for the per-function nesting limit */
  enter(node: JsonataNode): void;
  exit(node: JsonataNode): void;
}

/*
 * The values compiled code works on, shaped exactly as the `jsonata` interpreter shapes them, so that its standard
 * functions, its signature validation and the gateway's built-ins run unchanged on them: sequences are arrays
 * flagged `sequence` (plus `keepSingleton`, `outerWrapper`, `tupleStream`, `cons`), functions are
 * `{ _jsonata_function }` / `{ _jsonata_lambda }` objects, errors are plain `{ code, position, token, value }`
 * objects. JSONata values are dynamic, hence `any` in this folder.
 */

/**
 * A virtual clock of the interpreter's steps. The interpreter evaluates the members of object and array
 * constructors concurrently (Promise.all), so when two members fail, the error it reports is the one reached in
 * fewer asynchronous steps, not the first member's. Compiled code counts roughly the steps the interpreter would
 * await and, at those constructors, reports the error reached first on this clock.
 */
export const CLOCK = { t: 0 };

/** What the budget threw to abort an evaluation: it passes through concurrent members at once. */
export const ABORTS = new WeakSet<object>();

/** The budget of an evaluation run without one (tests, the suite): never aborts. */
export const NO_BUDGET: EvaluationBudget = { tick() {}, enter() {}, exit() {} };

/**
 * A variable scope. `base` is the per-evaluation root frame (holding the caller's bindings, among them the gateway's
 * evaluation context), read by built-ins as `this.environment.base`; `budget` is the evaluation's budget.
 */
export class Frame {
  readonly vars: Record<string, any> = Object.create(null);
  base: Frame;
  readonly budget: EvaluationBudget;
  /** the evaluation's timestamp, kept on the root frame: taken at its first use (if any), then fixed */
  private ownTimestamp: Date | undefined;

  constructor(
    readonly parent: Frame | undefined,
    budget?: EvaluationBudget,
  ) {
    this.base = parent?.base ?? this;
    this.budget = budget ?? parent?.budget ?? NO_BUDGET;
  }

  /**
   * What `$now()` / `$millis()` return when the gateway does not bind its own, and the default date parts of
   * `$toMillis` pictures (the reference functions read `this.environment.timestamp` from whichever frame they run in).
   */
  get timestamp(): Date {
    return (this.base.ownTimestamp ??= new Date());
  }

  bind(name: string, value: unknown): void {
    this.vars[name] = value;
  }

  lookup(name: string): any {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let frame: Frame | undefined = this;
    do {
      const vars = frame.vars;
      if (name in vars) return vars[name];
      frame = frame.parent;
    } while (frame !== undefined);
    return undefined;
  }
}

/** A JSONata error as the interpreter throws it (a plain object, not an Error). */
export function jsonataError(code: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, ...fields };
}

/** Fill in `message` from the code's template, as the interpreter does before an error leaves it. */
export function populateMessage(err: any): void {
  if (err === null || typeof err !== 'object') return;
  const template = ERROR_MESSAGES[err.code];
  if (template === undefined) return;
  let message = template.replace(/\{\{\{([^}]+)}}}/g, (_m, field: string) => err[field]);
  message = message.replace(/\{\{([^}]+)}}/g, (_m, field: string) => JSON.stringify(err[field]));
  err.message = message;
}

export function createSequence(...items: unknown[]): any[] {
  const sequence: any = [];
  sequence.sequence = true;
  if (items.length === 1) sequence.push(items[0]);
  return sequence;
}

/** A sequence holding `item` (even undefined), as the interpreter's createSequence(item). */
export function sequenceOf(item: unknown): any[] {
  const sequence: any = [item];
  sequence.sequence = true;
  return sequence;
}

/** The flags JSONata puts on its arrays (see above). */
export interface SequenceFlags {
  sequence?: boolean;
  keepSingleton?: boolean;
  outerWrapper?: boolean;
  tupleStream?: boolean;
  cons?: boolean;
}

/** `Array.isArray`, with the flags JSONata may have put on the array readable. */
export function isFlaggedArray(value: unknown): value is unknown[] & SequenceFlags {
  return Array.isArray(value);
}

export function isSequence(value: any): boolean {
  return value.sequence === true && Array.isArray(value);
}

export function isNumeric(n: unknown): boolean {
  if (typeof n !== 'number') return false;
  if (Number.isNaN(n)) return false;
  if (!Number.isFinite(n)) throw jsonataError('D1001', { value: n });
  return true;
}

export function isArrayOfStrings(arg: unknown): boolean {
  if (!Array.isArray(arg)) return false;
  for (let i = 0; i < arg.length; i++) if (typeof arg[i] !== 'string') return false;
  return true;
}

export function isArrayOfNumbers(arg: unknown): boolean {
  if (!Array.isArray(arg)) return false;
  // every member is checked, as the interpreter does: a non-finite number throws D1001 even after a non-number
  let all = true;
  for (let i = 0; i < arg.length; i++) if (!isNumeric(arg[i])) all = false;
  return all;
}

export function isFunction(arg: any): boolean {
  return (arg && (arg._jsonata_function === true || arg._jsonata_lambda === true)) || typeof arg === 'function';
}

export function isLambda(arg: any): boolean {
  return arg && arg._jsonata_lambda === true;
}

export function isPromise(arg: any): boolean {
  return typeof arg === 'object' && arg !== null && 'then' in arg && typeof arg.then === 'function';
}

export function getFunctionArity(func: any): number {
  return typeof func.arity === 'number'
    ? func.arity
    : typeof func.implementation === 'function'
      ? func.implementation.length
      : typeof func.length === 'number'
        ? func.length
        : func.arguments.length;
}

export function isDeepEqual(lhs: any, rhs: any): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) if (!isDeepEqual(lhs[i], rhs[i])) return false;
      return true;
    }
    let lkeys = Object.getOwnPropertyNames(lhs);
    let rkeys = Object.getOwnPropertyNames(rhs);
    if (lkeys.length !== rkeys.length) return false;
    lkeys = lkeys.sort();
    rkeys = rkeys.sort();
    for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
    for (let i = 0; i < lkeys.length; i++) {
      const key = lkeys[i]!;
      if (!isDeepEqual(lhs[key], rhs[key])) return false;
    }
    return true;
  }
  return false;
}

export function keysOf(arg: unknown): string[] {
  return typeof arg === 'object' && arg !== null ? Object.keys(arg) : [];
}

/** JSONata's effective boolean value ($boolean); undefined stays undefined. */
export function toBoolean(arg: any): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    if (arg.length > 1) {
      let trues = 0;
      for (let i = 0; i < arg.length; i++) if (toBoolean(arg[i])) trues++;
      return trues > 0;
    }
    return false;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (isNumeric(arg)) return arg !== 0;
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) return Object.keys(arg).length > 0;
  return arg === true;
}

/** $append: concatenates, making non-arrays into arrays; undefined is ignored. */
export function append(arg1: any, arg2: any): any {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  if (!Array.isArray(arg1)) arg1 = sequenceOf(arg1);
  if (!Array.isArray(arg2)) arg2 = [arg2];
  return arg1.concat(arg2);
}

/** A field of the input, or of every member of an input array (flattened into a sequence). */
export function lookupField(input: any, key: string): any {
  if (Array.isArray(input)) {
    const result = createSequence();
    for (let i = 0; i < input.length; i++) {
      const res = lookupField(input[i], key);
      if (res !== undefined) {
        if (Array.isArray(res)) for (let j = 0; j < res.length; j++) result.push(res[j]);
        else result.push(res);
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, key) && !isFunction(input)) {
    return input[key];
  }
  return undefined;
}

/** Assign a member of an object under construction; a `__proto__` key stays data. */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The `this` every native function gets: the calling frame, the context value and the sequence factory. */
export interface Focus {
  environment: Frame;
  input: unknown;
  createSequence: typeof createSequence;
}

export function focusOf(environment: Frame, input: unknown): Focus {
  return { environment, input, createSequence };
}
