import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import type { compileJsonata, EvaluationBudget } from '../../src/mapping/compiler/index.js';

/*
 * Runs JSONata's own language test suite (https://github.com/jsonata-js/jsonata, test/test-suite; MIT) through an
 * evaluator: the compiler (test/mapping/jsonata-suite.test.ts) or, to prove this runner, the jsonata interpreter
 * itself. Cases are judged as the reference runner (jsonata's test/run-test-suite.js) judges them:
 * - `result`: deep equality after a JSON round trip (JSONata's sequence flags and the like do not count);
 * - `undefinedResult`: the result is undefined;
 * - `code` (+ `token`): compiling or evaluating throws an error with that code (and token);
 * - `error`: the thrown error holds every field of the expected error (code, token, message, value...).
 * `unordered` is ignored, as the reference runner ignores it: results are compared in order.
 * `timelimit`/`depth` are enforced for the interpreter with its evaluation hooks (the reference's
 * timeboxExpression) and for the compiler with an EvaluationBudget (see {@link createSuiteBudget}).
 */

export interface SuiteCase {
  /** `<group>/<file>` (e.g. `fields/case001`), or `<group>/<file>[<index>]` for a file holding several cases */
  id: string;
  group: string;
  expr: string;
  /** the name of a dataset; null = undefined input; absent when the case holds its own `data` */
  dataset?: string | null;
  data?: unknown;
  bindings?: Record<string, unknown>;
  timelimit?: number;
  depth?: number;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  token?: string;
  error?: Record<string, unknown>;
}

export interface JsonataSuite {
  dir: string;
  cases: SuiteCase[];
  /** the datasets, read once; {@link inputOf} hands each case its own copy */
  datasets: ReadonlyMap<string, unknown>;
}

export type CaseOutcome =
  { status: 'agree' } | { status: 'disagree'; expected: string; got: string } | { status: 'declined'; reason: string };

/** Where the suite lives: `JSONATA_TEST_SUITE_DIR`, else `../shared/jsonata-test-suite` from the repository root. */
export function jsonataSuiteDir(env: NodeJS.ProcessEnv = process.env): string {
  const repoRoot = resolve(import.meta.dirname, '..', '..');
  return resolve(repoRoot, env.JSONATA_TEST_SUITE_DIR || join('..', 'shared', 'jsonata-test-suite'));
}

export function jsonataSuiteExists(dir: string): boolean {
  return existsSync(join(dir, 'groups')) && existsSync(join(dir, 'datasets'));
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`JSONata test suite: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every case of the suite in `dir`, in group and file order. */
export function loadJsonataSuite(dir: string): JsonataSuite {
  const datasets = new Map<string, unknown>();
  for (const name of readdirSync(join(dir, 'datasets'))
    .filter((n) => n.endsWith('.json'))
    .sort(byName)) {
    datasets.set(basename(name, '.json'), readJson(join(dir, 'datasets', name)));
  }
  const cases: SuiteCase[] = [];
  const groupsDir = join(dir, 'groups');
  for (const group of readdirSync(groupsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(byName)) {
    for (const file of readdirSync(join(groupsDir, group))
      .filter((n) => n.endsWith('.json'))
      .sort(byName)) {
      const spec = readJson(join(groupsDir, group, file));
      const stem = `${group}/${basename(file, '.json')}`;
      const specs = Array.isArray(spec) ? spec : [spec];
      specs.forEach((raw: Record<string, unknown>, index) => {
        const testCase = { ...raw, id: Array.isArray(spec) ? `${stem}[${index}]` : stem, group } as SuiteCase & {
          'expr-file'?: string;
        };
        if (typeof testCase['expr-file'] === 'string') testCase.expr = readFileSync(join(groupsDir, group, testCase['expr-file']), 'utf8');
        if (typeof testCase.expr !== 'string') throw new Error(`JSONata test suite: ${testCase.id} has no expression`);
        if (!('result' in testCase) && !('undefinedResult' in testCase) && !('code' in testCase) && !('error' in testCase)) {
          throw new Error(`JSONata test suite: ${testCase.id} has nothing to check (no result, undefinedResult, code or error)`);
        }
        if (!('data' in testCase) && testCase.dataset != null && !datasets.has(testCase.dataset)) {
          throw new Error(`JSONata test suite: ${testCase.id} names the unknown dataset ${testCase.dataset}`);
        }
        cases.push(testCase);
      });
    }
  }
  return { dir, cases, datasets };
}

/** The input of a case: its own copy, so an evaluator that mutates its input cannot change another case's data. */
export function inputOf(suite: JsonataSuite, testCase: SuiteCase): unknown {
  if ('data' in testCase) return structuredClone(testCase.data);
  if (testCase.dataset == null) return undefined;
  return structuredClone(suite.datasets.get(testCase.dataset));
}

const SHORT = 160;

/** A short, readable rendering of a value for a disagreement report. */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'function') text = '<function>';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text;
}

function describeError(error: unknown): string {
  if (error === null || typeof error !== 'object') return `threw ${describeValue(error)}`;
  const e = error as { code?: unknown; token?: unknown; message?: unknown };
  const parts = [e.code !== undefined ? `error ${String(e.code)}` : 'error without code'];
  if (e.token !== undefined) parts.push(`token ${describeValue(e.token)}`);
  if (typeof e.message === 'string') parts.push(`"${e.message.length > SHORT ? `${e.message.slice(0, SHORT - 1)}…` : e.message}"`);
  return parts.join(', ');
}

function describeExpected(testCase: SuiteCase): string {
  if (testCase.error !== undefined) return `error ${describeValue(testCase.error)}`;
  if (testCase.code !== undefined) return `error ${testCase.code}${'token' in testCase ? `, token ${describeValue(testCase.token)}` : ''}`;
  if (testCase.undefinedResult) return 'undefined';
  return describeValue(testCase.result);
}

/** JSON semantics: what a JSON round trip keeps (array flags such as `sequence` go; an undefined stays undefined). */
function asJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** Judge a case by what evaluation produced. */
export function judgeResult(testCase: SuiteCase, result: unknown): CaseOutcome {
  const expectsError = testCase.code !== undefined || testCase.error !== undefined;
  let agree: boolean;
  if (expectsError) agree = false;
  else if (testCase.undefinedResult) agree = result === undefined;
  else agree = result !== undefined && isDeepStrictEqual(asJson(result), asJson(testCase.result));
  return agree ? { status: 'agree' } : { status: 'disagree', expected: describeExpected(testCase), got: describeValue(result) };
}

/** Judge a case by what compiling or evaluating threw. */
export function judgeError(testCase: SuiteCase, error: unknown): CaseOutcome {
  const thrown = (error !== null && typeof error === 'object' ? error : {}) as Record<string, unknown>;
  let agree: boolean;
  if (testCase.error !== undefined) {
    agree = Object.entries(testCase.error).every(([key, value]) => isDeepStrictEqual(thrown[key], value));
  } else if (testCase.code !== undefined) {
    agree = thrown.code === testCase.code && (!('token' in testCase) || thrown.token === testCase.token);
  } else {
    agree = false;
  }
  return agree ? { status: 'agree' } : { status: 'disagree', expected: describeExpected(testCase), got: describeError(error) };
}

const TIMEOUT_ERROR = { code: 'U1001', message: 'Expression evaluation timeout: Check for infinite loop' } as const;
const STACK_ERROR = {
  code: 'U1001',
  message: 'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.',
} as const;

/** How long a compiled case may run when the case sets no timelimit: a runaway compiled loop fails its case, not the run. */
export const DEFAULT_COMPILED_TIMELIMIT_MS = 10_000;

/** The clock is read once per this many ticks (a power of two). */
const TICKS_PER_CLOCK_READ = 64;

/**
 * The budget of a compiled case, the compiler's counterpart of the reference runner's timeboxExpression (both
 * throw U1001 with the same messages): tick() fails once `timelimit` ms have passed; enter()/exit() count the
 * nesting of user-function calls (all functions together) and enter() fails past `depth`. The interpreter's
 * depth counts its evaluation frames (several per function call), so a suite depth is a looser bound here.
 */
export function createSuiteBudget(
  limits: { timelimit?: number; depth?: number },
  now: () => number = () => performance.now(),
): EvaluationBudget {
  const timelimit = limits.timelimit ?? DEFAULT_COMPILED_TIMELIMIT_MS;
  const maxDepth = limits.depth ?? Number.POSITIVE_INFINITY;
  const startedAt = now();
  let ticks = 0;
  let depth = 0;
  return {
    tick() {
      if ((++ticks & (TICKS_PER_CLOCK_READ - 1)) === 0 && now() - startedAt > timelimit) throw { ...TIMEOUT_ERROR };
    },
    enter() {
      if (++depth > maxDepth) {
        depth--;
        throw { ...STACK_ERROR };
      }
      if (now() - startedAt > timelimit) throw { ...TIMEOUT_ERROR };
    },
    exit() {
      depth--;
    },
  };
}

/** Run one case through the compiler; a declined expression is its own outcome. */
export function runCaseWithCompiler(suite: JsonataSuite, testCase: SuiteCase, compile: typeof compileJsonata): CaseOutcome {
  let compiled: ReturnType<typeof compileJsonata>;
  try {
    compiled = compile(testCase.expr);
  } catch (error) {
    return judgeError(testCase, error);
  }
  if (!compiled.ok) return { status: 'declined', reason: compiled.reason };
  const input = inputOf(suite, testCase);
  let result: unknown;
  try {
    result = compiled.expression.evaluate(input, structuredClone(testCase.bindings ?? {}), createSuiteBudget(testCase));
  } catch (error) {
    return judgeError(testCase, error);
  }
  return judgeResult(testCase, result);
}

type JsonataExpression = ReturnType<typeof jsonata>;

/** The reference runner's timeboxExpression: JSONata 2.x calls these hooks around every node it evaluates. */
function timeboxExpression(expression: JsonataExpression, timelimit: number, maxDepth: number): void {
  let depth = 0;
  const startedAt = Date.now();
  const check = (): void => {
    if (depth > maxDepth) throw { ...STACK_ERROR };
    if (Date.now() - startedAt > timelimit) throw { ...TIMEOUT_ERROR };
  };
  // assign() passes a symbol key through to the environment; its declared type only says string
  const assign = expression.assign.bind(expression) as (name: string | symbol, value: unknown) => void;
  assign(Symbol.for('jsonata.__evaluate_entry'), () => {
    depth++;
    check();
  });
  assign(Symbol.for('jsonata.__evaluate_exit'), () => {
    depth--;
    check();
  });
}

/** Run one case through the jsonata interpreter, as the reference runner does: this proves the runner. */
export async function runCaseWithInterpreter(suite: JsonataSuite, testCase: SuiteCase): Promise<CaseOutcome> {
  let expression: JsonataExpression;
  try {
    expression = jsonata(testCase.expr);
    if (testCase.timelimit !== undefined && testCase.depth !== undefined) timeboxExpression(expression, testCase.timelimit, testCase.depth);
  } catch (error) {
    return judgeError(testCase, error);
  }
  let result: unknown;
  try {
    result = await expression.evaluate(inputOf(suite, testCase), testCase.bindings);
  } catch (error) {
    return judgeError(testCase, error);
  }
  return judgeResult(testCase, result);
}
