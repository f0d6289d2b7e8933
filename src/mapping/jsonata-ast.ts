import type { JsonataNode } from './evaluation-context.js';

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
    if (typeof (value as { type?: unknown }).type === 'string') nodes.push(value as JsonataNode);
    for (const child of Object.values(value)) stack.push(child);
  }
  return nodes;
}

/** The body node of every `function(...) { body }` in the AST: entering one means a call. */
export function collectFunctionBodies(ast: unknown): ReadonlySet<JsonataNode> {
  const bodies = new Set<JsonataNode>();
  for (const node of collectNodes(ast)) {
    const body = nodeField(node, 'body');
    if (node.type === 'lambda' && body !== null && typeof body === 'object') bodies.add(body as JsonataNode);
  }
  return bodies;
}

/** Read an AST field the minimal JsonataNode type does not declare. */
export function nodeField(node: JsonataNode, name: string): unknown {
  return (node as unknown as Record<string, unknown>)[name];
}
