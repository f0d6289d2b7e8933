import { createHash } from 'node:crypto';
import { MappingError } from './errors.js';
import { childNode, collectNodes, isRecord, parseAst, type AstNode, type LambdaNode } from './jsonata-ast.js';
import { locateNode, locatePosition } from './source-position.js';

/*
 * The helper library (mappings/lib/*.jsonata): JSONata functions every mapping may call as top-level `$name(...)`.
 * A library file is a block of `$name := function(...) {...}` bindings, parsed once at load. A mapping that calls a
 * library function gets its definition bound around its own expression (see {@link withLibrary}), exactly as if the
 * helper were written at the top of the mapping: it runs in the mapping's evaluation (its bindings, lookups, deadline
 * and depth guard), in both engines, and a helper the mapping defines itself shadows the library's.
 */

/** One library function: its name without `$`, where it is defined and its lambda node. */
export interface LibraryFunction {
  readonly name: string;
  /** the library file, as messages name it */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** the `function(...) {...}` node, without source positions (see {@link withLibrary}) */
  readonly lambda: LambdaNode;
  /** the lambda's JSONata signature (`<s-n?:s>`), when it declares one */
  readonly signature?: string;
  /** how many parameters the lambda declares */
  readonly parameters: number;
  /** library functions its body names, so a mapping that calls it gets them too */
  readonly uses: readonly string[];
}

/** Every function of mappings/lib, by name; `id` changes with any library source (it keys compilation caches). */
export interface MappingLibrary {
  readonly id: string;
  readonly functions: ReadonlyMap<string, LibraryFunction>;
}

/** The library without functions: what a mapping compiled outside the registry sees. */
export const EMPTY_LIBRARY: MappingLibrary = Object.freeze({ id: '', functions: new Map() });

/** One library file as text, named as messages should name it (`mappings/lib/address.jsonata`). */
export interface LibrarySource {
  readonly file: string;
  readonly source: string;
}

/**
 * Parse the library files into one library. Throws MappingError kind `compile` at `file:line:col` for a syntax error,
 * for anything in a file that is not a `$name := function(...) {...}` binding, and for a name defined twice.
 */
export function createMappingLibrary(sources: readonly LibrarySource[]): MappingLibrary {
  if (sources.length === 0) return EMPTY_LIBRARY;
  const parsed: Array<Omit<LibraryFunction, 'uses'> & { body: LambdaNode }> = [];
  const where = new Map<string, string>();
  const hash = createHash('sha256');
  for (const { file, source } of sources) {
    hash.update(`${file}\0${source}\0`);
    let ast: AstNode;
    try {
      ast = parseAst(source);
    } catch (err) {
      throw librarySyntaxError(err, source, file);
    }
    const statements = ast.type === 'block' ? ast.expressions : [ast];
    for (const statement of statements) {
      const at = locateNode(source, childNode(statement, 'lhs') ?? statement) ??
        locatePosition(source, statement.position) ?? { line: 1, column: 1 };
      if (statement.type !== 'bind' || statement.lhs.type !== 'variable' || statement.rhs.type !== 'lambda') {
        throw new MappingError({
          kind: 'compile',
          file,
          ...at,
          detail: 'a library file holds only `$name := function(...) { ... }` definitions',
        });
      }
      const name = statement.lhs.value;
      const rhs = statement.rhs;
      const earlier = where.get(name);
      if (earlier !== undefined)
        throw new MappingError({
          kind: 'compile',
          file,
          ...at,
          detail: `library function \`$${name}\` is already defined at ${earlier}`,
        });
      where.set(name, `${file}:${at.line}:${at.column}`);
      const signature = rhs.signature;
      parsed.push({
        name,
        file,
        ...at,
        lambda: withoutPositions(rhs),
        body: rhs,
        ...(isRecord(signature) && typeof signature.definition === 'string' ? { signature: signature.definition } : {}),
        parameters: rhs.arguments.length,
      });
    }
  }
  const functions = new Map<string, LibraryFunction>();
  for (const { body, ...fn } of parsed) {
    const uses = [...variablesOf(body)].filter((n) => where.has(n) && n !== fn.name);
    functions.set(fn.name, Object.freeze({ ...fn, uses: Object.freeze(uses) }));
  }
  return Object.freeze({ id: hash.digest('hex').slice(0, 16), functions });
}

/** The parser's syntax error in a library file, as a MappingError at its `file:line:col`. */
function librarySyntaxError(err: unknown, source: string, file: string): MappingError {
  const e = isRecord(err) ? err : {};
  const at = locatePosition(
    source,
    typeof e.position === 'number' ? e.position : undefined,
    typeof e.token === 'string' ? e.token : undefined,
  );
  return new MappingError({
    kind: 'compile',
    file,
    detail: typeof e.message === 'string' ? e.message : String(err),
    ...at,
    ...(typeof e.code === 'string' && e.code ? { jsonataCode: e.code } : {}),
    cause: err,
  });
}

/** The library functions an AST calls or names, with the ones those use, in definition order. */
export function libraryFunctionsUsed(ast: unknown, library: MappingLibrary): LibraryFunction[] {
  if (library.functions.size === 0) return [];
  const needed = new Set<string>();
  const visit = (name: string): void => {
    const fn = library.functions.get(name);
    if (fn === undefined || needed.has(name)) return;
    needed.add(name);
    for (const used of fn.uses) visit(used);
  };
  for (const name of variablesOf(ast)) visit(name);
  return [...library.functions.values()].filter((fn) => needed.has(fn.name));
}

/**
 * The mapping's AST with the library functions it uses bound around it: `( $f := function...; ...; <mapping> )`.
 * The AST is returned unchanged when it uses none. Library nodes carry no source positions, so an error inside a
 * library function is reported at the mapping's call of it (a position in the library file would name a line of
 * the mapping).
 */
export function withLibrary(ast: AstNode, library: MappingLibrary): AstNode {
  const used = libraryFunctionsUsed(ast, library);
  if (used.length === 0) return ast;
  const binds = used.map((fn): AstNode => ({
    type: 'bind',
    value: ':=',
    lhs: { type: 'variable', value: fn.name },
    rhs: fn.lambda,
  }));
  return { type: 'block', expressions: [...binds, ast], position: ast.position };
}

/**
 * Make `ast` (the root object a `jsonata` Expression evaluates, as `expression.ast()` returns it) evaluate with the
 * library: the interpreter offers no way to evaluate an AST of our own, so its root node is turned into the block
 * {@link withLibrary} builds, in place. Returns whether anything changed.
 */
export function bindLibraryInPlace(ast: AstNode, library: MappingLibrary): boolean {
  const wrapped = withLibrary(ast, library);
  if (wrapped === ast || wrapped.type !== 'block') return false;
  const original: AstNode = { ...ast };
  for (const key of Object.keys(ast)) Reflect.deleteProperty(ast, key);
  wrapped.expressions[wrapped.expressions.length - 1] = original;
  Object.assign(ast, wrapped);
  return true;
}

/** Every `$name` an AST refers to (calls and plain references such as `$map(x, $f)`). */
function variablesOf(ast: unknown): Set<string> {
  const names = new Set<string>();
  for (const node of collectNodes(ast))
    if (node.type === 'variable' && typeof node.value === 'string' && node.value !== '') names.add(node.value);
  return names;
}

/** A deep copy of an AST without `position` fields (see {@link withLibrary}). */
function withoutPositions(node: LambdaNode): LambdaNode {
  // shared objects stay shared (the parser links `%` parent slots between nodes)
  const copies = new Map<object, unknown>();
  const copy = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object' || value instanceof RegExp) return value;
    const done = copies.get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      copies.set(value, items);
      for (const item of value) items.push(copy(item));
      return items;
    }
    const out: Record<string, unknown> = {};
    copies.set(value, out);
    for (const [key, item] of Object.entries(value)) if (key !== 'position') out[key] = copy(item);
    return out;
  };
  // the copy has the node's shape: only `position` fields are left out, and they are optional
  return copy(node) as LambdaNode;
}
