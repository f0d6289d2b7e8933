import type { JsonataNode } from './evaluation-context.js';

/** 1-based line and column in a mapping source. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Turn a JSONata `position` into line:col pointing at the start of the offending token.
 * JSONata positions are the 1-based index of a token's last character (for a function call, of
 * its opening parenthesis), which lands mid-token; integrators expect the token's first character.
 */
export function locatePosition(source: string, position: number | undefined, token?: string): SourcePosition | undefined {
  if (typeof position !== 'number' || !Number.isFinite(position)) return undefined;
  const end = Math.max(0, Math.min(Math.trunc(position), source.length));
  let offset = Math.max(0, end - 1);
  if (typeof token === 'string' && token.length > 0) {
    if (source.slice(end - token.length, end) === token) {
      offset = end - token.length;
    } else if (source[end - 1] === '(') {
      // Function call: the token is the function name just before the parenthesis.
      const nameAt = source.lastIndexOf(token, end - 1);
      if (nameAt >= 0 && source.slice(nameAt + token.length, end - 1).trim() === '') offset = nameAt;
    }
    if (offset > 0 && source[offset - 1] === '$' && source.slice(offset, offset + token.length) === token) {
      offset -= 1;
    }
  }
  return offsetToLineColumn(source, offset);
}

/** Locate an AST node at the start of its token. */
export function locateNode(source: string, node: JsonataNode): SourcePosition | undefined {
  return locatePosition(source, node.position, nodeToken(node));
}

/** The source text a node's JSONata position ends at, where the node type makes it known. */
export function nodeToken(node: JsonataNode): string | undefined {
  switch (node.type) {
    case 'function':
    case 'partial':
      return node.procedure?.type === 'variable' && typeof node.procedure.value === 'string' ? node.procedure.value : undefined;
    case 'binary':
    case 'name':
    case 'variable':
      return typeof node.value === 'string' ? node.value : undefined;
    default:
      return undefined;
  }
}

function offsetToLineColumn(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
