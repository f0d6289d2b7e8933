import jsonata from 'jsonata';
import { builtinFunctions } from './functions/builtins.js';
import { childNode, childNodes, collectNodes, nodeField } from './jsonata-ast.js';
import { EMPTY_LIBRARY, type MappingLibrary } from './library.js';
import { locateNode, locatePosition } from './source-position.js';

/** One problem a static check found in a mapping, at 1-based line:col of its source. */
export interface StaticProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * Names the gateway binds for mappings (src/sonata/operation-context.ts createRunner, the buyer side, projections,
 * legacy events, references): a call to one of them is not a typo.
 */
export const GATEWAY_BINDINGS: readonly string[] = Object.freeze([
  'requestId',
  'partnerId',
  'buyerId',
  'sellerId',
  'customerId',
  'testEnvironment',
  'policy',
  'release',
  'apiBase',
  'apiBases',
  'params',
  'query',
  'now',
  'seller',
  'current',
  'references',
  'request',
  'resource',
  'id',
  'kind',
  'value',
]);

/**
 * JSONata's standard library and each function's signature string, as the package reports them
 * (`(await jsonata('$substring').evaluate({})).signature.definition`); a test keeps this table in step with the
 * installed jsonata.
 */
export const STANDARD_SIGNATURES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    sum: '<a<n>:n>',
    count: '<a:n>',
    max: '<a<n>:n>',
    min: '<a<n>:n>',
    average: '<a<n>:n>',
    string: '<x-b?:s>',
    substring: '<s-nn?:s>',
    substringBefore: '<s-s:s>',
    substringAfter: '<s-s:s>',
    lowercase: '<s-:s>',
    uppercase: '<s-:s>',
    length: '<s-:n>',
    trim: '<s-:s>',
    pad: '<s-ns?:s>',
    match: '<s-f<s:o>n?:a<o>>',
    contains: '<s-(sf):b>',
    replace: '<s-(sf)(sf)n?:s>',
    split: '<s-(sf)n?:a<s>>',
    join: '<a<s>s?:s>',
    formatNumber: '<n-so?:s>',
    formatBase: '<n-n?:s>',
    formatInteger: '<n-s:s>',
    parseInteger: '<s-s:n>',
    number: '<(nsb)-:n>',
    floor: '<n-:n>',
    ceil: '<n-:n>',
    round: '<n-n?:n>',
    abs: '<n-:n>',
    sqrt: '<n-:n>',
    power: '<n-n:n>',
    random: '<:n>',
    boolean: '<x-:b>',
    not: '<x-:b>',
    map: '<af>',
    zip: '<a+>',
    filter: '<af>',
    single: '<af?>',
    reduce: '<afj?:j>',
    sift: '<o-f?:o>',
    keys: '<x-:a<s>>',
    lookup: '<x-s:x>',
    append: '<xx:a>',
    exists: '<x:b>',
    spread: '<x-:a<o>>',
    merge: '<a<o>:o>',
    reverse: '<a:a>',
    each: '<o-f:a>',
    error: '<s?:x>',
    assert: '<bs?:x>',
    toMillis: '<s-s?:n>',
    fromMillis: '<n-s?s?:s>',
    clone: '<(oa)-:o>',
    eval: '<sx?:x>',
    now: '<s?s?:s>',
    millis: '<:n>',
    base64encode: '<s-:s>',
    base64decode: '<s-:s>',
    encodeUrlComponent: '<s-:s>',
    encodeUrl: '<s-:s>',
    decodeUrlComponent: '<s-:s>',
    decodeUrl: '<s-:s>',
    type: '<x:s>',
    sort: '<af?:a>',
    shuffle: '<a:a>',
    distinct: '<x:x>',
  }),
);

/** Our functions override JSONata's of the same name (`$lookup`), as the engine registers them. */
function knownFunctions(): Map<string, string> {
  const known = new Map(STANDARD_SIGNATURES);
  for (const fn of builtinFunctions) known.set(fn.name, fn.signature ?? '');
  known.set('now', '<s?s?:s>');
  known.set('millis', '<:n>');
  return known;
}

/** Smallest and largest number of arguments a JSONata signature accepts (`-`: the context stands in for one). */
export function signatureArity(signature: string): { min: number; max: number } | undefined {
  if (!signature.startsWith('<')) return undefined;
  let i = 1;
  let min = 0;
  let max = 0;
  let contextual = false;
  const skip = (open: string, close: string): void => {
    let depth = 0;
    for (; i < signature.length; i++) {
      if (signature[i] === open) depth++;
      else if (signature[i] === close && --depth === 0) {
        i++;
        return;
      }
    }
  };
  while (i < signature.length && signature[i] !== ':' && signature[i] !== '>') {
    const c = signature[i]!;
    if (c === '(') skip('(', ')');
    else if (/[a-z]/.test(c)) {
      i++;
      if (signature[i] === '<') skip('<', '>');
    } else return undefined;
    let optional = false;
    let variadic = false;
    while (signature[i] === '?' || signature[i] === '+' || signature[i] === '-') {
      if (signature[i] === '?') optional = true;
      if (signature[i] === '+') variadic = true;
      if (signature[i] === '-') contextual = true;
      i++;
    }
    max = variadic || max === Infinity ? Infinity : max + 1;
    if (!optional) min++;
  }
  return { min: contextual ? Math.max(0, min - 1) : min, max };
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/** The closest known name within a third of its length (at least 2 edits), for "did you mean `$name`?". */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export interface StaticCheckOptions {
  /** more names a mapping may call (default {@link GATEWAY_BINDINGS}) */
  bindings?: readonly string[];
  /** the helper library (mappings/lib): its functions are known, with the arity their lambdas declare */
  library?: MappingLibrary;
}

/**
 * Static checks of one mapping's source, before anything evaluates it: every `$f(...)` (and `x ~> $f`) calls a
 * JSONata function, one of ours, a gateway binding or a name assigned in the expression (`$f := ...`, lambda
 * parameters, `@$x`/`#$i`), and passes as many arguments as the function's signature allows. A syntax error is
 * not reported here (the engine's compile reports it). Names assigned anywhere in the expression count as in scope
 * everywhere: lenient, so the check never refuses a mapping that works.
 */
export function checkMappingSource(source: string, opts: StaticCheckOptions = {}): StaticProblem[] {
  if (opts.bindings !== undefined) return checkUncached(source, opts);
  // a reload checks every mapping again: unchanged sources (with an unchanged library) are answered from here
  const key = opts.library === undefined || opts.library.id === '' ? source : `${opts.library.id}\0${source}`;
  let found = checked.get(key);
  if (found === undefined) {
    found = Object.freeze(checkUncached(source, opts)) as StaticProblem[];
    if (checked.size >= CHECK_CACHE_LIMIT) checked.clear();
    checked.set(key, found);
  }
  return [...found];
}

const checked = new Map<string, readonly StaticProblem[]>();
const CHECK_CACHE_LIMIT = 20_000;

function checkUncached(source: string, opts: StaticCheckOptions): StaticProblem[] {
  let ast: unknown;
  try {
    ast = jsonata(source).ast();
  } catch {
    return [];
  }
  const nodes = collectNodes(ast);
  const assigned = new Set<string>();
  for (const node of nodes) {
    if (node.type === 'bind') {
      const lhs = childNode(node, 'lhs');
      if (lhs?.type === 'variable' && typeof lhs.value === 'string') assigned.add(lhs.value);
    }
    if (node.type === 'lambda') {
      for (const arg of childNodes(node, 'arguments')) {
        if (typeof arg.value === 'string') assigned.add(arg.value);
      }
    }
    for (const field of ['focus', 'index']) {
      const name = nodeField(node, field);
      if (typeof name === 'string') assigned.add(name);
    }
  }
  const functions = knownFunctions();
  const library = opts.library ?? EMPTY_LIBRARY;
  const bindings = new Set(opts.bindings ?? GATEWAY_BINDINGS);
  const problems: StaticProblem[] = [];
  const check = (name: string, argCount: number | undefined, where: { line: number; column: number } | undefined): void => {
    if (name === '' || name === '$') return;
    if (assigned.has(name) || bindings.has(name)) return;
    const at = where ?? { line: 1, column: 1 };
    const libraryFunction = library.functions.get(name);
    const signature = libraryFunction !== undefined ? (libraryFunction.signature ?? '') : functions.get(name);
    if (signature === undefined) {
      const suggestion = closestName(name, [...functions.keys(), ...library.functions.keys(), ...assigned, ...bindings]);
      problems.push({
        ...at,
        message: `unknown function \`$${name}\`${suggestion ? `; did you mean \`$${suggestion}\`?` : ''}`,
      });
      return;
    }
    const arity =
      argCount === undefined
        ? undefined
        : libraryFunction !== undefined && libraryFunction.signature === undefined
          ? { min: 0, max: libraryFunction.parameters }
          : signatureArity(signature);
    if (!arity || argCount === undefined) return;
    const from =
      libraryFunction !== undefined ? ` (defined at ${libraryFunction.file}:${libraryFunction.line}:${libraryFunction.column})` : '';
    if (argCount < arity.min)
      problems.push({
        ...at,
        message: `\`$${name}\` needs ${arity.min === arity.max ? '' : 'at least '}${arity.min} argument(s), got ${argCount} (signature ${signature})${from}`,
      });
    else if (argCount > arity.max)
      problems.push({
        ...at,
        message: `\`$${name}\` takes ${arity.min === arity.max ? '' : 'at most '}${arity.max} argument(s), got ${argCount}${signature === '' ? '' : ` (signature ${signature})`}${from}`,
      });
  };
  // `x ~> $f(a)` calls $f(x, a): the chained value is one more argument
  const chained = new Set<unknown>();
  for (const node of nodes) {
    if (node.type !== 'apply') continue;
    const rhs = childNode(node, 'rhs');
    if (!rhs) continue;
    chained.add(rhs);
    if (rhs.type === 'variable' && typeof rhs.value === 'string') check(rhs.value, 1, locatePosition(source, rhs.position, rhs.value));
  }
  for (const node of nodes) {
    if (node.type !== 'function' && node.type !== 'partial') continue;
    const procedure = childNode(node, 'procedure');
    if (procedure?.type !== 'variable' || typeof procedure.value !== 'string') continue;
    const args = childNodes(node, 'arguments');
    const count = node.type === 'partial' ? undefined : args.length + (chained.has(node) ? 1 : 0);
    check(procedure.value, count, locateNode(source, node));
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Problems of the helper library as a whole, by file: a function named like a JSONata, gateway or built-in function or
 * a gateway binding (it would hide that one in every mapping), and the static checks of each library file's source.
 */
export function checkLibrary(
  library: MappingLibrary,
  sources: ReadonlyArray<{ file: string; source: string }>,
): Array<StaticProblem & { file: string }> {
  const problems: Array<StaticProblem & { file: string }> = [];
  const known = knownFunctions();
  for (const fn of library.functions.values()) {
    if (known.has(fn.name) || GATEWAY_BINDINGS.includes(fn.name)) {
      problems.push({
        file: fn.file,
        line: fn.line,
        column: fn.column,
        message: `library function \`$${fn.name}\` would hide the ${known.has(fn.name) ? 'function' : 'gateway binding'} of that name; choose another name`,
      });
    }
  }
  for (const { file, source } of sources) {
    for (const p of checkMappingSource(source, { library })) problems.push({ file, ...p });
  }
  // a library function sees the calling mapping's scope, not the library file's: a name it neither binds nor gets
  // from the gateway would be whatever the calling mapping happens to call it
  const everywhere = new Set([...known.keys(), ...GATEWAY_BINDINGS, ...library.functions.keys(), '']);
  for (const fn of library.functions.values()) {
    const nodes = collectNodes(fn.lambda);
    const own = new Set<string>();
    for (const node of nodes) {
      const lhs = childNode(node, 'lhs');
      if (node.type === 'bind' && lhs?.type === 'variable' && typeof lhs.value === 'string') own.add(lhs.value);
      if (node.type === 'lambda') for (const arg of childNodes(node, 'arguments')) if (typeof arg.value === 'string') own.add(arg.value);
      for (const field of ['focus', 'index']) {
        const name = nodeField(node, field);
        if (typeof name === 'string') own.add(name);
      }
    }
    // a call of an unknown name is reported above as an unknown function
    const called = new Set(nodes.filter((n) => n.type === 'function' || n.type === 'partial').map((n) => nodeField(n, 'procedure')));
    const free = [
      ...new Set(
        nodes
          .filter(
            (n) => n.type === 'variable' && typeof n.value === 'string' && !called.has(n) && !own.has(n.value) && !everywhere.has(n.value),
          )
          .map((n) => String(n.value)),
      ),
    ];
    if (free.length > 0) {
      problems.push({
        file: fn.file,
        line: fn.line,
        column: fn.column,
        message: `library function \`$${fn.name}\` reads ${free.map((n) => `\`$${n}\``).join(', ')}: pass it as a parameter (a library function does not see the calling mapping's variables)`,
      });
    }
  }
  return problems;
}
