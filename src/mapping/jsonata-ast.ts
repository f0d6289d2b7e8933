import jsonata from 'jsonata';
import { isRecord } from '../json/unknown-values.js';
import type { JsonataNode } from './evaluation-context.js';

/*
 * JSONata's own typing of its AST (`ExprNode`) is one loose interface. The compiler and the checks read the AST
 * node by node, so here is the AST as `jsonata(source).ast()` produces it (2.x, after its AST processing): one
 * interface per node type, discriminated by `type`, plus the guards that read untyped values (JSON, AST fields).
 */

export { isRecord };

/** An AST node: an object with a string `type`. */
export function isAstNode(value: unknown): value is JsonataNode {
  return isRecord(value) && typeof value.type === 'string';
}

/** Annotations the parser's AST processing may put on any expression or path step. */
interface NodeBase {
  position?: number;
  keepArray?: boolean;
  /** `expr[...]` predicates of an expression (outside tuple streams) */
  predicate?: FilterStage[];
  /** predicates and `#$i` index bindings of a path step, in order */
  stages?: Stage[];
  /** `expr{...}` grouping of a path (or of a step that is not a path) */
  group?: GroupClause;
  /** the step is part of a tuple stream (`@$x`, `#$i`, parent references) */
  tuple?: boolean;
  /** `@$x` focus binding of a step */
  focus?: string;
  /** `#$i` index binding of a step */
  index?: string;
  /** the label a `%` parent reference reads, bound by this step */
  ancestor?: ParentSlot;
  /** an array constructor step that keeps its array */
  consarray?: boolean;
  keepSingletonArray?: boolean;
}

export interface FilterStage {
  type: 'filter';
  expr: AstNode;
  position?: number;
}

export interface IndexStage {
  type: 'index';
  value: string;
  position?: number;
}

export type Stage = FilterStage | IndexStage;

/** `{ key: value, ... }` pairs of a grouping or an object constructor. */
export type KeyValuePair = [AstNode, AstNode];

/** The grouping of a path; it has no `type` of its own. */
export interface GroupClause {
  lhs: KeyValuePair[];
  position?: number;
}

export interface ParentSlot {
  label: string;
}

export interface PathNode extends NodeBase {
  type: 'path';
  steps: AstNode[];
}
export interface BinaryNode extends NodeBase {
  type: 'binary';
  value: string;
  lhs: AstNode;
  rhs: AstNode;
}
export interface NegationNode extends NodeBase {
  type: 'unary';
  value: '-';
  expression: AstNode;
}
export interface ArrayConstructorNode extends NodeBase {
  type: 'unary';
  value: '[';
  expressions: AstNode[];
}
export interface ObjectConstructorNode extends NodeBase {
  type: 'unary';
  value: '{';
  lhs: KeyValuePair[];
}
export interface NameNode extends NodeBase {
  type: 'name';
  value: string;
}
export interface StringNode extends NodeBase {
  type: 'string';
  value: string;
}
export interface NumberNode extends NodeBase {
  type: 'number';
  value: number;
}
export interface ValueNode extends NodeBase {
  type: 'value';
  value: boolean | null;
}
export interface RegexNode extends NodeBase {
  type: 'regex';
  value: RegExp;
}
export interface WildcardNode extends NodeBase {
  type: 'wildcard';
}
export interface DescendantNode extends NodeBase {
  type: 'descendant';
}
export interface ParentNode extends NodeBase {
  type: 'parent';
  slot: ParentSlot;
}
export interface ConditionNode extends NodeBase {
  type: 'condition';
  condition: AstNode;
  then: AstNode;
  else?: AstNode;
}
export interface BlockNode extends NodeBase {
  type: 'block';
  expressions: AstNode[];
}
export interface BindNode extends NodeBase {
  type: 'bind';
  value: string;
  lhs: VariableNode;
  rhs: AstNode;
}
export interface VariableNode extends NodeBase {
  type: 'variable';
  value: string;
}
export interface FunctionCallNode extends NodeBase {
  type: 'function';
  procedure: AstNode;
  arguments: AstNode[];
}
export interface PartialNode extends NodeBase {
  type: 'partial';
  procedure: AstNode;
  arguments: AstNode[];
}
/** The `?` placeholder among a partial application's arguments. */
export interface OperatorNode extends NodeBase {
  type: 'operator';
  value: string;
}
export interface LambdaNode extends NodeBase {
  type: 'lambda';
  arguments: VariableNode[];
  body: AstNode;
  /** the parsed signature, as JSONata's signature validator takes it */
  signature?: unknown;
  /** a tail call: `body` is the function call to make */
  thunk?: boolean;
}
export interface ApplyNode extends NodeBase {
  type: 'apply';
  lhs: AstNode;
  rhs: AstNode;
}
export interface TransformNode extends NodeBase {
  type: 'transform';
  pattern: AstNode;
  update: AstNode;
  delete?: AstNode;
}
export interface SortTerm {
  descending: boolean;
  expression: AstNode;
}
export interface SortNode extends NodeBase {
  type: 'sort';
  terms: SortTerm[];
}

export type UnaryNode = NegationNode | ArrayConstructorNode | ObjectConstructorNode;

/** A node of `jsonata(source).ast()`. */
export type AstNode =
  | PathNode
  | BinaryNode
  | UnaryNode
  | NameNode
  | StringNode
  | NumberNode
  | ValueNode
  | RegexNode
  | WildcardNode
  | DescendantNode
  | ParentNode
  | ConditionNode
  | BlockNode
  | BindNode
  | VariableNode
  | FunctionCallNode
  | PartialNode
  | OperatorNode
  | LambdaNode
  | ApplyNode
  | TransformNode
  | SortNode;

/**
 * The AST of a JSONata source (throws JSONata's syntax errors). The one place where jsonata's loose `ExprNode`
 * typing is read as the {@link AstNode} union it is.
 */
export function parseAst(source: string): AstNode {
  return expressionAst(jsonata(source));
}

/** The AST an expression evaluates (the object itself: changing it changes what the interpreter evaluates). */
export function expressionAst(expression: jsonata.Expression): AstNode {
  return expression.ast() as AstNode;
}

/** Parse a function signature such as `<s-n?:s>` with JSONata's own parser (it validates arguments the same way). */
export function parseSignature(signature: string): unknown {
  const ast = parseAst(`function()${signature}{0}`);
  return ast.type === 'lambda' ? ast.signature : undefined;
}

/** The `value` of a node that has one (names, literals, variables, operators), else undefined. */
export function valueOf(node: AstNode | undefined): unknown {
  return node !== undefined && 'value' in node ? node.value : undefined;
}

/** Every AST node under `root`, found generically so new JSONata node shapes are still covered. */
export function collectNodes(root: unknown): JsonataNode[] {
  const nodes: JsonataNode[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    if (isAstNode(value)) nodes.push(value);
    for (const child of Object.values(value)) stack.push(child);
  }
  return nodes;
}

/** The body node of every `function(...) { body }` in the AST: entering one means a call. */
export function collectFunctionBodies(ast: unknown): ReadonlySet<JsonataNode> {
  const bodies = new Set<JsonataNode>();
  for (const node of collectNodes(ast)) {
    const body = nodeField(node, 'body');
    if (node.type === 'lambda' && isAstNode(body)) bodies.add(body);
  }
  return bodies;
}

/** Read an AST field the minimal JsonataNode type does not declare. */
export function nodeField(node: JsonataNode, name: string): unknown {
  return isRecord(node) ? node[name] : undefined;
}

/** The node in field `name` of `node`, if that field holds one. */
export function childNode(node: JsonataNode, name: string): JsonataNode | undefined {
  const child = nodeField(node, name);
  return isAstNode(child) ? child : undefined;
}

/** The nodes in array field `name` of `node` (`arguments`, `expressions`, ...); none if the field is not an array. */
export function childNodes(node: JsonataNode, name: string): JsonataNode[] {
  const children = nodeField(node, name);
  return Array.isArray(children) ? children.filter(isAstNode) : [];
}
