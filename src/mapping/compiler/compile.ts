/* eslint-disable @typescript-eslint/no-explicit-any */
import {
  Lambda,
  PLACEHOLDER,
  apply,
  partialApplyNativeFunction,
  partialApplyProcedure,
  wrapFunctionArgument,
  type Evaluator,
} from './apply.js';
import { evaluateBinaryOperator } from './operators.js';
import { createRegexMatcher } from './regex.js';
import {
  ABORTS,
  CLOCK,
  Frame,
  append,
  createSequence,
  isArrayOfNumbers,
  isArrayOfStrings,
  isFlaggedArray,
  isFunction,
  isLambda,
  isNumeric,
  isSequence,
  jsonataError,
  keysOf,
  lookupField,
  populateMessage,
  sequenceOf,
  setMember,
  toBoolean,
} from './runtime.js';
import { createStandardFrame, mergeSort } from './stdlib.js';
import {
  parseAst,
  parseSignature,
  valueOf,
  type AstNode,
  type ApplyNode,
  type BinaryNode,
  type BlockNode,
  type ConditionNode,
  type FunctionCallNode,
  type GroupClause,
  type LambdaNode,
  type ObjectConstructorNode,
  type PartialNode,
  type PathNode,
  type SortNode,
  type TransformNode,
  type UnaryNode,
} from '../jsonata-ast.js';

/*
 * The compiler proper: each AST node of `jsonata(source).ast()` becomes one closure `(input, env) => value`, built
 * once per source. The closures do what the interpreter's evaluate* functions do for that node (same sequence
 * flags, singleton unwrapping, flattening, tuple streams, errors), only synchronously and with every decision
 * that depends on the AST alone taken at compile time.
 */

/** Thrown at compile time for a construct this compiler does not handle; the engine then interprets the source. */
export class Unsupported extends Error {}

/** Node types whose value can be a sequence and so go through the interpreter's end-of-evaluate normalisation. */
const LITERAL_TYPES = new Set(['string', 'number', 'value', 'lambda', 'regex']);

/** Compile a node as the interpreter's `evaluate(expr, input, env)`: the node, its predicates, its group, normalisation. */
export function compileNode(node: AstNode): Evaluator {
  let core = compileCore(node);
  if (node.predicate !== undefined) {
    const filters = node.predicate.map((p) => compileFilter(p.expr));
    const inner = core;
    const [first] = filters;
    core =
      first !== undefined && filters.length === 1
        ? (input, env) => first(inner(input, env), env)
        : (input, env) => {
            let result = inner(input, env);
            for (const filter of filters) result = filter(result, env);
            return result;
          };
  }
  if (node.type !== 'path' && node.group !== undefined) {
    const group = compileGroup(node.group);
    const inner = core;
    core = (input, env) => group(inner(input, env), env);
  }
  const cost = STEP_COST[node.type] ?? 3;
  if (
    LITERAL_TYPES.has(node.type) &&
    !Object.prototype.hasOwnProperty.call(node, 'predicate') &&
    !Object.prototype.hasOwnProperty.call(node, 'group')
  ) {
    const literal = core;
    return (input, env) => {
      CLOCK.t += cost;
      return literal(input, env);
    };
  }
  const keepArray = node.keepArray === true;
  const inner = core;
  return (input, env) => {
    CLOCK.t += cost;
    return normalize(inner(input, env), keepArray);
  };
}

/** Interpreter steps (awaits) of one evaluation of a node of each type, before its children's. */
const STEP_COST: Record<string, number> = {
  string: 2,
  number: 2,
  value: 2,
  lambda: 2,
  regex: 2,
  name: 2,
  variable: 2,
  wildcard: 2,
  descendant: 2,
  parent: 2,
  bind: 3,
  function: 5,
};

/**
 * Evaluate the members of an object or array constructor as the interpreter's Promise.all does: all of them, and
 * if some fail, throw the error the interpreter would see first (fewest steps on the virtual clock, then the
 * earliest member). On success the clock moves to the end of the longest member.
 */
function evaluateConcurrently(count: number, evaluate: (index: number) => void): void {
  const start = CLOCK.t;
  let end = start;
  let failure: unknown;
  let failedAt = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    CLOCK.t = start;
    try {
      evaluate(i);
    } catch (err) {
      if (err !== null && typeof err === 'object' && ABORTS.has(err)) throw err;
      if (CLOCK.t < failedAt) {
        failedAt = CLOCK.t;
        failure = err;
      }
      continue;
    }
    if (CLOCK.t > end) end = CLOCK.t;
  }
  if (failedAt !== Number.POSITIVE_INFINITY) {
    CLOCK.t = failedAt;
    throw failure;
  }
  CLOCK.t = end;
}

function normalize(result: any, keepArray: boolean): any {
  if (result && isFlaggedArray(result) && result.sequence === true && !result.tupleStream) {
    if (keepArray) result.keepSingleton = true;
    if (result.length === 0) return undefined;
    if (result.length === 1) return result.keepSingleton ? result : result[0];
  }
  return result;
}

function compileCore(node: AstNode): Evaluator {
  const type: string = node.type;
  switch (node.type) {
    case 'path':
      return compilePath(node);
    case 'binary':
      return compileBinary(node);
    case 'unary':
      return compileUnary(node);
    case 'name': {
      const key = node.value;
      return (input) => lookupField(input, key);
    }
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      return () => value;
    }
    case 'wildcard':
      return (input) => evaluateWildcard(input);
    case 'descendant':
      return (input) => evaluateDescendants(input);
    case 'parent': {
      const label = node.slot.label;
      return (_input, env) => env.lookup(label);
    }
    case 'condition':
      return compileCondition(node);
    case 'block':
      return compileBlock(node);
    case 'bind': {
      const name = node.lhs.value;
      const rhs = compileNode(node.rhs);
      return (input, env) => {
        const value = rhs(input, env);
        env.bind(name, value);
        return value;
      };
    }
    case 'regex':
      return () => createRegexMatcher(node);
    case 'function': {
      const call = compileFunctionCall(node);
      return (input, env) => call(input, env, NO_APPLY);
    }
    case 'variable': {
      const name = node.value;
      if (name === '') return (input) => (input && input.outerWrapper ? input[0] : input);
      return (_input, env) => env.lookup(name);
    }
    case 'lambda':
      return compileLambda(node);
    case 'partial':
      return compilePartial(node);
    case 'apply':
      return compileApply(node);
    case 'transform':
      return compileTransform(node);
    case 'sort':
      throw new Unsupported('an order-by clause outside a path');
    default:
      throw new Unsupported(`JSONata node type "${type}"`);
  }
}

// ---- paths -------------------------------------------------------------------------------------------------------

interface StepPlan {
  node: AstNode;
  evaluate: Evaluator;
  /** filters of `stages` (non-tuple steps) */
  stageFilters: FilterEvaluator[] | undefined;
  stages: ({ type: 'filter'; filter: FilterEvaluator } | { type: 'index'; value: string })[] | undefined;
  sort: ((input: any, env: Frame) => any) | undefined;
}

function compileStep(step: AstNode): StepPlan {
  const stages = step.stages;
  return {
    node: step,
    evaluate: step.type === 'sort' ? notCalled : compileNode(step),
    stageFilters: stages?.map((s) => (s.type === 'filter' ? compileFilter(s.expr) : indexStageAsFilter())),
    stages: stages?.map((s) =>
      s.type === 'filter' ? { type: 'filter', filter: compileFilter(s.expr) } : { type: s.type, value: s.value },
    ),
    sort: step.type === 'sort' ? compileSort(step) : undefined,
  };
}

const notCalled: Evaluator = () => {
  throw new Error('unreachable');
};

function indexStageAsFilter(): FilterEvaluator {
  // an index stage outside a tuple stream does not occur (the parser makes such paths tuple streams)
  return (input) => input;
}

function compilePath(node: PathNode): Evaluator {
  const plans = node.steps.map(compileStep);
  const firstIsVariable = node.steps[0]?.type === 'variable';
  const keepSingletonArray = node.keepSingletonArray === true;
  const tupleResult = node.tuple === true;
  const group = node.group !== undefined ? compileGroup(node.group) : undefined;
  const anyTuple = plans.some((p) => p.node.tuple);
  const last = plans.length - 1;

  if (!anyTuple && !keepSingletonArray && group === undefined) {
    // the common case: no tuple stream, no keepArray, no grouping
    return (input, env) => {
      let inputSequence = Array.isArray(input) && !firstIsVariable ? input : sequenceOf(input);
      let resultSequence: any;
      let i = -1;
      for (const plan of plans) {
        i++;
        if (i === 0 && plan.node.consarray) resultSequence = plan.evaluate(inputSequence, env);
        else resultSequence = evaluateStep(plan, inputSequence, env, i === last);
        if (typeof resultSequence === 'undefined' || resultSequence.length === 0) break;
        if (typeof plan.node.focus === 'undefined') inputSequence = resultSequence;
      }
      return resultSequence;
    };
  }

  return (input, env) => {
    let inputSequence = Array.isArray(input) && !firstIsVariable ? input : sequenceOf(input);
    let resultSequence: any;
    let isTupleStream = false;
    let tupleBindings: any;
    let i = -1;
    for (const plan of plans) {
      i++;
      if (plan.node.tuple) isTupleStream = true;
      if (i === 0 && plan.node.consarray) {
        resultSequence = plan.evaluate(inputSequence, env);
      } else if (isTupleStream) {
        tupleBindings = evaluateTupleStep(plan, inputSequence, tupleBindings, env);
      } else {
        resultSequence = evaluateStep(plan, inputSequence, env, i === last);
      }
      if (!isTupleStream && (typeof resultSequence === 'undefined' || resultSequence.length === 0)) break;
      if (typeof plan.node.focus === 'undefined') inputSequence = resultSequence;
    }
    if (isTupleStream) {
      if (tupleResult) {
        resultSequence = tupleBindings;
      } else {
        resultSequence = createSequence();
        for (let i = 0; i < tupleBindings.length; i++) resultSequence.push(tupleBindings[i]['@']);
      }
    }
    if (keepSingletonArray) {
      if (isFlaggedArray(resultSequence) && resultSequence.cons && !resultSequence.sequence) {
        resultSequence = sequenceOf(resultSequence);
      }
      resultSequence.keepSingleton = true;
    }
    if (group !== undefined) resultSequence = group(isTupleStream ? tupleBindings : resultSequence, env);
    return resultSequence;
  };
}

function evaluateStep(plan: StepPlan, input: any, env: Frame, lastStep: boolean): any {
  if (plan.sort !== undefined) {
    let sorted = plan.sort(input, env);
    if (plan.stages !== undefined) sorted = evaluateStages(plan.stages, sorted, env);
    return sorted;
  }
  const evaluate = plan.evaluate;
  const filters = plan.stageFilters;
  const budget = env.budget;
  const node = plan.node;
  // flattened as the results come (the interpreter collects them first): an array alone at the last step is
  // returned as it is, so the one defined result is remembered
  const resultSequence = createSequence();
  let defined = 0;
  let only: any;
  for (let i = 0; i < input.length; i++) {
    budget.tick(node);
    let res = evaluate(input[i], env);
    if (filters !== undefined) for (const filter of filters) res = filter(res, env);
    if (typeof res === 'undefined') continue;
    defined++;
    only = res;
    if (!isFlaggedArray(res) || res.cons) resultSequence.push(res);
    else for (let j = 0; j < res.length; j++) resultSequence.push(res[j]);
  }
  if (lastStep && defined === 1 && Array.isArray(only) && !isSequence(only)) return only;
  return resultSequence;
}

function evaluateStages(stages: NonNullable<StepPlan['stages']>, input: any, env: Frame): any {
  let result = input;
  for (const stage of stages) {
    if (stage.type === 'filter') {
      result = stage.filter(result, env);
    } else if (stage.type === 'index') {
      for (let i = 0; i < result.length; i++) result[i][stage.value] = i;
    }
  }
  return result;
}

function frameFromTuple(env: Frame, tuple: any): Frame {
  const frame = new Frame(env);
  for (const key of Object.keys(tuple)) frame.bind(key, tuple[key]);
  return frame;
}

function evaluateTupleStep(plan: StepPlan, input: any, tupleBindings: any, env: Frame): any {
  const expr = plan.node;
  let result: any;
  if (plan.sort !== undefined) {
    if (tupleBindings) {
      result = plan.sort(tupleBindings, env);
    } else {
      const sorted = plan.sort(input, env);
      result = createSequence();
      result.tupleStream = true;
      for (let i = 0; i < sorted.length; i++) {
        const tuple: any = { '@': sorted[i] };
        tuple[String(expr.index)] = i; // as the interpreter: an unset index binds 'undefined'
        result.push(tuple);
      }
    }
    if (plan.stages !== undefined) result = evaluateStages(plan.stages, result, env);
    return result;
  }
  result = createSequence();
  result.tupleStream = true;
  if (tupleBindings === undefined) tupleBindings = input.map((item: any) => ({ '@': item }));
  const budget = env.budget;
  for (let e = 0; e < tupleBindings.length; e++) {
    budget.tick(expr);
    const stepEnv = frameFromTuple(env, tupleBindings[e]);
    let res = plan.evaluate(tupleBindings[e]['@'], stepEnv);
    if (typeof res !== 'undefined') {
      if (!Array.isArray(res)) res = [res];
      for (let b = 0; b < res.length; b++) {
        const tuple = Object.create(null);
        Object.assign(tuple, tupleBindings[e]);
        if (isFlaggedArray(res) && res.tupleStream) {
          Object.assign(tuple, res[b]);
        } else {
          if (expr.focus) {
            tuple[expr.focus] = res[b];
            tuple['@'] = tupleBindings[e]['@'];
          } else {
            tuple['@'] = res[b];
          }
          if (expr.index) tuple[expr.index] = b;
          if (expr.ancestor) tuple[expr.ancestor.label] = tupleBindings[e]['@'];
        }
        result.push(tuple);
      }
    }
  }
  if (plan.stages !== undefined) result = evaluateStages(plan.stages, result, env);
  return result;
}

// ---- predicates --------------------------------------------------------------------------------------------------

type FilterEvaluator = (input: any, env: Frame) => any;

function compileFilter(predicate: AstNode): FilterEvaluator {
  if (predicate.type === 'number') {
    const floor = Math.floor(predicate.value);
    return (input) => {
      let results: any = createSequence();
      if (input && input.tupleStream) results.tupleStream = true;
      if (!Array.isArray(input)) input = sequenceOf(input);
      const index = floor < 0 ? input.length + floor : floor;
      const item = input[index];
      if (typeof item !== 'undefined') {
        if (Array.isArray(item)) results = item;
        else results.push(item);
      }
      return results;
    };
  }
  const evaluate = compileNode(predicate);
  return (input, env) => {
    const results: any = createSequence();
    if (input && input.tupleStream) results.tupleStream = true;
    if (!Array.isArray(input)) input = sequenceOf(input);
    const tupleStream = isFlaggedArray(input) ? input.tupleStream : undefined;
    const budget = env.budget;
    for (let index = 0; index < input.length; index++) {
      budget.tick(predicate);
      const item = input[index];
      let context = item;
      let itemEnv = env;
      if (tupleStream) {
        context = item['@'];
        itemEnv = frameFromTuple(env, item);
      }
      let res = evaluate(context, itemEnv);
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        for (let r = 0; r < res.length; r++) {
          let ii = Math.floor(res[r]);
          if (ii < 0) ii = input.length + ii;
          if (ii === index) results.push(item);
        }
      } else if (toBoolean(res)) {
        results.push(item);
      }
    }
    return results;
  };
}

// ---- operators ---------------------------------------------------------------------------------------------------

function compileBinary(node: BinaryNode): Evaluator {
  const lhs = compileNode(node.lhs);
  const rhs = compileNode(node.rhs);
  const op = node.value;
  const position = node.position;
  if (op === 'and' || op === 'or') {
    const isAnd = op === 'and';
    return (input, env) => {
      const left = lhs(input, env);
      try {
        const lBool = booleanOf(left);
        if (isAnd) return lBool && booleanOf(rhs(input, env));
        return lBool || booleanOf(rhs(input, env));
      } catch (err: any) {
        err.position = position;
        err.token = op;
        throw err;
      }
    };
  }
  return (input, env) => {
    const left = lhs(input, env);
    const right = rhs(input, env);
    try {
      return evaluateBinaryOperator(op, left, right);
    } catch (err: any) {
      err.position = position;
      err.token = op;
      throw err;
    }
  };
}

function booleanOf(value: any): boolean {
  const b = toBoolean(value);
  return typeof b === 'undefined' ? false : b;
}

function compileUnary(node: UnaryNode): Evaluator {
  const operator: string = node.value;
  switch (node.value) {
    case '-': {
      const expression = compileNode(node.expression);
      return (input, env) => {
        const result = expression(input, env);
        if (typeof result === 'undefined') return undefined;
        if (isNumeric(result)) return -result;
        throw jsonataError('D1002', { position: node.position, token: node.value, value: result });
      };
    }
    case '[': {
      const items = node.expressions.map((item) => ({
        nested: valueOf(item) === '[',
        evaluate: compileNode(item),
      }));
      const cons = node.consarray === true;
      return (input, env) => {
        const result: any[] = [];
        let values: any[];
        const [first] = items;
        if (first !== undefined && items.length === 1) {
          values = [first.evaluate(input, env)];
        } else {
          values = new Array(items.length);
          evaluateConcurrently(items.length, (i) => (values[i] = items[i]?.evaluate(input, env)));
        }
        let i = 0;
        for (const item of items) {
          const value = values[i++];
          if (typeof value === 'undefined') continue;
          if (item.nested || !Array.isArray(value)) result.push(value);
          else for (let j = 0; j < value.length; j++) result.push(value[j]);
        }
        if (cons) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true });
        return result;
      };
    }
    case '{': {
      const group = compileGroup(node);
      return (input, env) => group(input, env);
    }
    default:
      throw new Unsupported(`unary operator ${operator}`);
  }
}

// ---- object constructors and grouping ----------------------------------------------------------------------------

function compileGroup(groupNode: GroupClause | ObjectConstructorNode): (input: any, env: Frame) => any {
  const pairs = groupNode.lhs.map(([key, value]) => ({
    key: compileNode(key),
    value: compileNode(value),
  }));
  const position = groupNode.position;
  return (input, env) => {
    const result: Record<string, unknown> = {};
    const groups: Record<string, { data: any; exprIndex: number }> = Object.create(null);
    const reduce = input && input.tupleStream ? true : false;
    if (!Array.isArray(input)) input = sequenceOf(input);
    if (input.length === 0 && !reduce) input.push(undefined);
    const budget = env.budget;
    for (let itemIndex = 0; itemIndex < input.length; itemIndex++) {
      budget.tick(groupNode);
      const item = input[itemIndex];
      const itemEnv = reduce ? frameFromTuple(env, item) : env;
      let pairIndex = -1;
      for (const pair of pairs) {
        pairIndex++;
        const key = pair.key(reduce ? item['@'] : item, itemEnv);
        if (typeof key !== 'string' && key !== undefined) throw jsonataError('T1003', { position, value: key });
        if (key === undefined) continue;
        if (key === '_jsonata_lambda' || key === '_jsonata_function') throw jsonataError('D1013', { position, value: key });
        const existing = groups[key];
        if (existing !== undefined) {
          if (existing.exprIndex !== pairIndex) throw jsonataError('D1009', { position, value: key });
          existing.data = append(existing.data, item);
        } else {
          groups[key] = { data: item, exprIndex: pairIndex };
        }
      }
    }
    const keys = Object.keys(groups);
    const values = new Array(keys.length);
    const evaluateMember = (index: number): void => {
      const entry = groups[String(keys[index])];
      if (entry === undefined) return;
      let context = entry.data;
      let valueEnv = env;
      if (reduce) {
        const tuple = reduceTupleStream(entry.data);
        context = tuple['@'];
        delete tuple['@'];
        valueEnv = frameFromTuple(env, tuple);
      }
      values[index] = pairs[entry.exprIndex]?.value(context, valueEnv);
    };
    if (keys.length === 1) evaluateMember(0);
    else evaluateConcurrently(keys.length, evaluateMember);
    keys.forEach((key, i) => {
      if (typeof values[i] !== 'undefined') setMember(result, key, values[i]);
    });
    return result;
  };
}

function reduceTupleStream(tupleStream: any): any {
  if (!Array.isArray(tupleStream)) return tupleStream;
  const result = Object.create(null);
  Object.assign(result, tupleStream[0]);
  for (let i = 1; i < tupleStream.length; i++) {
    for (const prop of Object.keys(tupleStream[i])) result[prop] = append(result[prop], tupleStream[i][prop]);
  }
  return result;
}

// ---- wildcards and descendants -----------------------------------------------------------------------------------

function flatten(arg: any, flattened: any[] = []): any[] {
  if (Array.isArray(arg)) for (let i = 0; i < arg.length; i++) flatten(arg[i], flattened);
  else flattened.push(arg);
  return flattened;
}

function evaluateWildcard(input: any): any {
  let results: any = createSequence();
  if (isFlaggedArray(input) && input.outerWrapper && input.length > 0) input = input[0];
  if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of Object.keys(input)) {
      const value = input[key];
      if (Array.isArray(value)) results = append(results, flatten(value));
      else results.push(value);
    }
  }
  return results;
}

function evaluateDescendants(input: any): any {
  if (typeof input === 'undefined') return undefined;
  const resultSequence = createSequence();
  recurseDescendants(input, resultSequence);
  return resultSequence.length === 1 ? resultSequence[0] : resultSequence;
}

function recurseDescendants(input: any, results: any[]): void {
  if (!Array.isArray(input)) results.push(input);
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) recurseDescendants(input[i], results);
  } else if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of Object.keys(input)) recurseDescendants(input[key], results);
  }
}

// ---- control -----------------------------------------------------------------------------------------------------

function compileCondition(node: ConditionNode): Evaluator {
  const condition = compileNode(node.condition);
  const then = compileNode(node.then);
  const otherwise = typeof node.else !== 'undefined' ? compileNode(node.else) : undefined;
  return (input, env) => {
    if (toBoolean(condition(input, env))) return then(input, env);
    return otherwise === undefined ? undefined : otherwise(input, env);
  };
}

function compileBlock(node: BlockNode): Evaluator {
  const expressions = node.expressions.map(compileNode);
  return (input, env) => {
    const frame = new Frame(env);
    let result;
    for (const expression of expressions) result = expression(input, frame);
    return result;
  };
}

// ---- order-by ----------------------------------------------------------------------------------------------------

function compileSort(node: SortNode): (input: any, env: Frame) => any {
  const terms = node.terms.map((term) => ({
    descending: term.descending === true,
    evaluate: compileNode(term.expression),
  }));
  const position = node.position;
  return (input, env) => {
    const isTupleSort = input.tupleStream ? true : false;
    const budget = env.budget;
    const comparator = (a: any, b: any): boolean => {
      budget.tick(node);
      let comp = 0;
      for (const term of terms) {
        if (comp !== 0) break;
        const aa = isTupleSort ? term.evaluate(a['@'], frameFromTuple(env, a)) : term.evaluate(a, env);
        const bb = isTupleSort ? term.evaluate(b['@'], frameFromTuple(env, b)) : term.evaluate(b, env);
        const atype = typeof aa;
        const btype = typeof bb;
        if (atype === 'undefined') {
          comp = btype === 'undefined' ? 0 : 1;
          continue;
        }
        if (btype === 'undefined') {
          comp = -1;
          continue;
        }
        if (!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
          throw jsonataError('T2008', { position, value: !(atype === 'string' || atype === 'number') ? aa : bb });
        }
        if (atype !== btype) throw jsonataError('T2007', { position, value: aa, value2: bb });
        if (aa === bb) continue;
        comp = aa < bb ? -1 : 1;
        if (term.descending) comp = -comp;
      }
      return comp === 1;
    };
    // $sort's own checks: undefined stays, one item is returned as is
    if (typeof input === 'undefined') return undefined;
    if (input.length <= 1) return input;
    return mergeSort(input, comparator);
  };
}

// ---- functions ---------------------------------------------------------------------------------------------------

const NO_APPLY = Symbol('no ~> context');

type CallEvaluator = (input: any, env: Frame, applyContext: any) => any;

/** The name a call's procedure is known by: its first step's name (`$f` or `f.g`), for errors and tokens. */
function procedureName(procedure: AstNode): unknown {
  return valueOf(procedure.type === 'path' ? procedure.steps[0] : procedure);
}

function compileFunctionCall(node: FunctionCallNode): CallEvaluator {
  const procedure = compileNode(node.procedure);
  const args = node.arguments.map(compileNode);
  const isPath = node.procedure.type === 'path';
  const firstStepName = isPath ? procedureName(node.procedure) : undefined;
  const procName = procedureName(node.procedure);
  const position = node.position;
  return (input, env, applyContext) => {
    env.budget.tick(node);
    const proc = procedure(input, env);
    if (typeof proc === 'undefined' && isPath && env.lookup(String(firstStepName))) {
      throw jsonataError('T1005', { position, token: firstStepName });
    }
    const evaluatedArgs: any[] = [];
    if (applyContext !== NO_APPLY) evaluatedArgs.push(applyContext);
    for (const evaluateArg of args) {
      const arg = evaluateArg(input, env);
      evaluatedArgs.push(isFunction(arg) ? wrapFunctionArgument(arg, env) : arg);
    }
    try {
      if (typeof proc === 'object') {
        proc.token = procName;
        proc.position = position;
      }
      return apply(proc, evaluatedArgs, input, env);
    } catch (err: any) {
      if (!err.position) err.position = position;
      if (!err.token) err.token = procName;
      throw err;
    }
  };
}

function compileLambda(node: LambdaNode): Evaluator {
  const run = compileNode(node.body);
  const params = node.arguments;
  const signature = node.signature;
  // the parser makes a thunk of a lambda whose body is a tail call: a function call
  if (node.thunk === true && node.body.type === 'function') {
    const tailProcedure = compileNode(node.body.procedure);
    const tailArguments = node.body.arguments.map(compileNode);
    return (input, env) => {
      const lambda = new Lambda(input, env, params, node.body, run, node);
      lambda.thunk = true;
      lambda.tailProcedure = tailProcedure;
      lambda.tailArguments = tailArguments;
      if (signature !== undefined) lambda.signature = signature;
      return lambda;
    };
  }
  return (input, env) => {
    const lambda = new Lambda(input, env, params, node.body, run, node);
    if (signature !== undefined) lambda.signature = signature;
    return lambda;
  };
}

function compilePartial(node: PartialNode): Evaluator {
  const args = node.arguments.map((arg) => (arg.type === 'operator' && arg.value === '?' ? undefined : compileNode(arg)));
  const procedure = compileNode(node.procedure);
  const isPath = node.procedure.type === 'path';
  const firstStepName = isPath ? procedureName(node.procedure) : undefined;
  const position = node.position;
  return (input, env) => {
    const evaluatedArgs = args.map((arg) => (arg === undefined ? PLACEHOLDER : arg(input, env)));
    const proc = procedure(input, env);
    if (typeof proc === 'undefined' && isPath && env.lookup(String(firstStepName))) {
      throw jsonataError('T1007', { position, token: firstStepName });
    }
    if (isLambda(proc)) return partialApplyProcedure(proc, evaluatedArgs, env);
    if (proc && proc._jsonata_function === true) return partialApplyNativeFunction(proc.implementation, evaluatedArgs, env);
    if (typeof proc === 'function') return partialApplyNativeFunction(proc, evaluatedArgs, env);
    throw jsonataError('T1008', { position, token: procedureName(node.procedure) });
  };
}

/** `$f ~> $g` composes two functions as JSONata's own `function($f, $g) { function($x){ $g($f($x)) } }`. */
let chainLambda: Evaluator | undefined;

function compileApply(node: ApplyNode): Evaluator {
  const lhs = compileNode(node.lhs);
  const position = node.position;
  if (node.rhs.type === 'function') {
    const call = compileFunctionCall(node.rhs);
    return (input, env) => call(input, env, lhs(input, env));
  }
  const rhs = compileNode(node.rhs);
  return (input, env) => {
    const left = lhs(input, env);
    const func = rhs(input, env);
    if (!isFunction(func)) throw jsonataError('T2006', { position, value: func });
    if (isFunction(left)) {
      chainLambda ??= compileNode(parseAst('function($f, $g) { function($x){ $g($f($x)) } }'));
      const chain = chainLambda(null, env);
      return apply(chain, [left, func], null, env);
    }
    return apply(func, [left], null, env);
  };
}

function compileTransform(node: TransformNode): Evaluator {
  const pattern = compileNode(node.pattern);
  const update = compileNode(node.update);
  const deletion = typeof node.delete !== 'undefined' ? compileNode(node.delete) : undefined;
  return (_input, env) => {
    const transformer = function (obj: any): any {
      if (typeof obj === 'undefined') return undefined;
      const cloneFunction = env.lookup('clone');
      if (!isFunction(cloneFunction)) throw jsonataError('T2013', { position: node.position });
      const result = apply(cloneFunction, [obj], null, env);
      let matches = pattern(result, env);
      if (typeof matches !== 'undefined') {
        if (!Array.isArray(matches)) matches = [matches];
        for (let i = 0; i < matches.length; i++) {
          env.budget.tick(node);
          const match = matches[i];
          const updated = update(match, env);
          const updateType = typeof updated;
          if (updateType !== 'undefined') {
            if (updateType !== 'object' || updated === null || Array.isArray(updated)) {
              throw jsonataError('T2011', { position: node.update.position, value: updated });
            }
            for (const prop of Object.keys(updated)) setMember(match, prop, updated[prop]);
          }
          if (deletion !== undefined) {
            let deletions = deletion(match, env);
            if (typeof deletions !== 'undefined') {
              const value = deletions;
              if (!Array.isArray(deletions)) deletions = [deletions];
              if (!isArrayOfStrings(deletions)) throw jsonataError('T2012', { position: node.delete?.position, value });
              for (let j = 0; j < deletions.length; j++) {
                if (typeof match === 'object' && match !== null) delete match[deletions[j]];
              }
            }
          }
        }
      }
      return result;
    };
    return { _jsonata_function: true, implementation: transformer, signature: TRANSFORM_SIGNATURE };
  };
}

const TRANSFORM_SIGNATURE = parseSignature('<(oa):o>');

// ---- $eval -------------------------------------------------------------------------------------------------------

const evalCache = new Map<string, Evaluator>();
const EVAL_CACHE_LIMIT = 1000;

/** $eval(expr, context?): parses and compiles `expr` (cached), runs it in the caller's scope. */
function functionEval(this: any, expr: any, focus: any): any {
  if (typeof expr === 'undefined') return undefined;
  let input = this.input;
  if (typeof focus !== 'undefined') {
    input = focus;
    if (Array.isArray(input) && !isSequence(input)) {
      input = sequenceOf(input);
      input.outerWrapper = true;
    }
  }
  let evaluate = evalCache.get(expr);
  if (evaluate === undefined) {
    let ast;
    try {
      ast = parseAst(expr);
    } catch (err: any) {
      populateMessage(err);
      throw jsonataError('D3120', { value: err.message, error: err });
    }
    evaluate = compileNode(ast);
    if (evalCache.size >= EVAL_CACHE_LIMIT) evalCache.clear();
    evalCache.set(expr, evaluate);
  }
  try {
    return evaluate(input, this.environment);
  } catch (err: any) {
    // errors of the evaluated text are wrapped as the interpreter wraps them; aborts of the budget pass as they are
    if (err === null || typeof err !== 'object' || err instanceof Error || typeof err.code !== 'string') throw err;
    populateMessage(err);
    throw jsonataError('D3121', { value: err.message, error: err });
  }
}

export const STANDARD_FRAME = createStandardFrame(functionEval);

export { keysOf };
