import { EvaluationFault, type EvaluationContext, type JsonataNode } from './evaluation-context.js';
import { childNode, childNodes, collectNodes, nodeField } from './jsonata-ast.js';
import { locateNode, locatePosition, nodeToken, type SourcePosition } from './source-position.js';

/** Fields JSONata puts on the errors it throws (plain objects or Errors). */
export interface JsonataErrorLike {
  code?: unknown;
  position?: unknown;
  token?: unknown;
  message?: unknown;
  error?: unknown;
}

/**
 * Where in the mapping source an evaluation failed.
 *
 * Only facts fixed at the moment of failure are used where possible: JSONata evaluates the members
 * of object and array constructors concurrently, so shared evaluation state read later (such as
 * "the node entered last") may describe a sibling member instead. That state is used only for a
 * deadline hit while no step ran, where any place the evaluation was busy is a fair answer.
 */
export function locateEvaluationError(
  error: JsonataErrorLike,
  context: EvaluationContext,
  source: string,
  ast: unknown,
): SourcePosition | undefined {
  if (error instanceof EvaluationFault && (error.kind === 'timeout' || error.kind === 'depth')) {
    const node = error.node ?? context.lastNode;
    return node === undefined ? undefined : locateNode(source, node);
  }
  const position = typeof error.position === 'number' ? error.position : undefined;
  const token = typeof error.token === 'string' ? error.token : undefined;
  if (position === undefined) return undefined;
  if (token !== undefined && !isTokenAt(source, position, token)) {
    const origin = findRestampedOrigin(ast, position, token);
    if (origin !== undefined) return locateNode(source, origin);
  }
  return locatePosition(source, position, token);
}

/**
 * JSONata positions point just past a token, or at the `(` of a call. A token that is not there
 * means JSONata re-stamped the error with the call site of an enclosing function.
 */
function isTokenAt(source: string, position: number, token: string): boolean {
  if (source.slice(position - token.length, position) === token) return true;
  return (
    source[position - 1] === '(' &&
    source
      .slice(0, position - 1)
      .trimEnd()
      .endsWith(token)
  );
}

/*
 * An error inside a function body carries its own token (e.g. "+") but the position of the
 * outermost call that led there. Search, statically, the bodies of the functions that call can
 * reach (named `$f := function...` bindings and inline lambdas passed as arguments) for nodes with
 * that token. Only a unique match is trusted; otherwise the call site stays, which is coarse but
 * never wrong.
 */
function findRestampedOrigin(ast: unknown, position: number, token: string): JsonataNode | undefined {
  const nodes = collectNodes(ast);
  const call = nodes.find((node) => (node.type === 'function' || node.type === 'partial') && node.position === position);
  if (call === undefined) return undefined;
  const lambdasByName = new Map<string, JsonataNode[]>();
  for (const node of nodes) {
    const bound = boundLambda(node);
    if (bound !== undefined) lambdasByName.set(bound.name, [...(lambdasByName.get(bound.name) ?? []), bound.lambda]);
  }

  const candidates = new Map<number, JsonataNode>();
  const visitedLambdas = new Set<JsonataNode>();
  const pending = reachableLambdas(call, lambdasByName);
  for (let lambda = pending.pop(); lambda !== undefined; lambda = pending.pop()) {
    if (visitedLambdas.has(lambda)) continue;
    visitedLambdas.add(lambda);
    for (const node of collectNodes(nodeField(lambda, 'body'))) {
      if (node.position !== undefined && nodeToken(node) === token) candidates.set(node.position, node);
      if (node.type === 'function' || node.type === 'partial') pending.push(...reachableLambdas(node, lambdasByName));
    }
  }
  return candidates.size === 1 ? [...candidates.values()][0] : undefined;
}

/** Lambdas a call may run: the function it names, and functions passed to it as arguments. */
function reachableLambdas(call: JsonataNode, lambdasByName: ReadonlyMap<string, JsonataNode[]>): JsonataNode[] {
  const found: JsonataNode[] = [];
  const procedure = call.procedure;
  if (procedure?.type === 'variable' && typeof procedure.value === 'string') {
    found.push(...(lambdasByName.get(procedure.value) ?? []));
  }
  for (const arg of childNodes(call, 'arguments')) {
    if (arg.type === 'lambda') found.push(arg);
    if (arg.type === 'variable' && typeof arg.value === 'string') found.push(...(lambdasByName.get(arg.value) ?? []));
  }
  return found;
}

function boundLambda(node: JsonataNode): { name: string; lambda: JsonataNode } | undefined {
  if (node.type !== 'bind') return undefined;
  const lhs = childNode(node, 'lhs');
  const rhs = childNode(node, 'rhs');
  if (lhs?.type !== 'variable' || typeof lhs.value !== 'string' || rhs?.type !== 'lambda') return undefined;
  return { name: lhs.value, lambda: rhs };
}
