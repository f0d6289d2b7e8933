import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { formatPointer, parsePointer } from '../json/json-pointer.js';

/** One problem in a config or data file, located by file:line:col. */
export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** JSON pointer of the value inside the file, when known */
  pointer?: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const at = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  const where = p.pointer ? ` ${pointerToDotted(p.pointer)}:` : '';
  return `${at}${where} ${p.message}`;
}

/** Thrown when any config/partner/mapping file is invalid; carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A parsed YAML file that remembers where each value came from. */
export interface YamlSource<T = unknown> {
  readonly file: string;
  /** the parsed content; `T` once validated against a schema ({@link validatedSource}) */
  readonly data: T;
  /** line/column of the value at a JSON pointer (falls back to the nearest existing parent) */
  locate(pointer: string): { line: number; column: number };
  problem(pointer: string, message: string): ConfigProblem;
  /** unset variables found when `deferUnresolved` was given */
  readonly unresolved: ReadonlyArray<{ pointer: string; problem: ConfigProblem }>;
  /** whether the document itself writes a value at the pointer (defaults a schema adds are not written) */
  has(pointer: string): boolean;
  /** every YAML anchor (`&name`) and alias (`*name`) of the document, where it is written */
  readonly anchors: ReadonlyArray<{ readonly line: number; readonly column: number; readonly text: string }>;
}

export interface ParseYamlOptions {
  /** variables for `${VAR}` / `${VAR:-default}`; when absent, no interpolation is done */
  env?: Readonly<Record<string, string | undefined>>;
  /** how the file is named in messages (default: relative to cwd) */
  displayName?: string;
  /**
   * report unset variables instead of throwing: they are returned in `unresolved` (by JSON pointer), so a
   * caller overlaying files can ignore values another file overrides
   */
  deferUnresolved?: boolean;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Parses YAML text; syntax errors and unset variables become ConfigError with positions. */
export function parseYaml(text: string, file: string, opts: ParseYamlOptions = {}): YamlSource {
  const display = opts.displayName ?? displayPath(file);
  const { doc, lineCounter } = parseYamlDocument(text, display);
  const problems: ConfigProblem[] = [];
  const unresolved: Array<{ pointer: string; problem: ConfigProblem }> = [];

  if (opts.env) {
    const env = opts.env;
    visit(doc, {
      Scalar(_key, node, path) {
        if (typeof node.value !== 'string' || !node.value.includes('${')) return;
        node.value = node.value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
          const v = env[name];
          if (v !== undefined && v !== '') return v;
          if (fallback !== undefined) return fallback;
          const pos = lineCounter.linePos(node.range?.[0] ?? 0);
          const problem = { file: display, line: pos.line, column: pos.col, message: `environment variable ${name} is not set` };
          if (opts.deferUnresolved) unresolved.push({ pointer: pointerOf(path, node), problem });
          else problems.push(problem);
          return '';
        });
      },
    });
    if (problems.length) throw new ConfigError(problems);
  }
  return createSource(display, doc, lineCounter, unresolved);
}

/** A parsed YAML document (syntax checked) and its line counter; see {@link yamlSourceOf}. */
export interface ParsedYaml {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

/**
 * Parses YAML text without interpolation; syntax errors become a ConfigError naming `display`:line:col. The result is
 * never changed by {@link yamlSourceOf}, so a caller may keep it for unchanged text (src/registry/load-cache.ts).
 */
export function parseYamlDocument(text: string, display: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    problems.push({ file: display, line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.message });
  }
  if (problems.length) throw new ConfigError(problems);
  return { doc, lineCounter };
}

/** A YamlSource with fresh data from a parsed document (no interpolation). */
export function yamlSourceOf(display: string, parsed: ParsedYaml): YamlSource {
  return createSource(display, parsed.doc, parsed.lineCounter);
}

/** JSON pointer of a node from the ancestor path yaml's visit() passes. */
function pointerOf(path: readonly unknown[], node: unknown): string {
  const parts: string[] = [];
  const chain = [...path, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isMap(parent) && isPair(child) && isScalar(child.key)) {
      parts.push(String(child.key.value));
    } else if (isSeq(parent)) {
      parts.push(String(parent.items.indexOf(child)));
    }
  }
  return formatPointer(parts);
}

/** Reads and parses a YAML file from disk. */
export function readYamlFile(file: string, opts: ParseYamlOptions = {}): YamlSource {
  return parseYaml(readConfigText(file, opts.displayName ?? displayPath(file)), file, opts);
}

/** A configuration file's text; a file that cannot be read is a ConfigError naming it as `display`. */
export function readConfigText(file: string, display: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: display, message: `cannot read file: ${err instanceof Error ? err.message : String(err)}` }]);
  }
}

function createSource(file: string, doc: Document, lineCounter: LineCounter, unresolved: Array<{ pointer: string; problem: ConfigProblem }> = []): YamlSource {
  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  const anchors: Array<{ line: number; column: number; text: string }> = [];
  const at = (node: Node): { line: number; column: number } => {
    const pos = lineCounter.linePos(node.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
  visit(doc, {
    Alias: (_key, node) => {
      anchors.push({ ...at(node), text: `*${node.source}` });
    },
    Node: (_key, node) => {
      if (typeof node.anchor === 'string') anchors.push({ ...at(node), text: `&${node.anchor}` });
    },
  });
  const has = (pointer: string): boolean => {
    let node: unknown = doc.contents;
    for (const part of pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      if (!isMap(node)) return false;
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === part);
      if (!pair) return false;
      node = pair.value;
    }
    return true;
  };
  const locate = (pointer: string) => {
    const parts = parsePointer(pointer);
    let node: unknown = doc.contents;
    let best: Node | null = isNode(doc.contents) ? doc.contents : null;
    for (const part of parts) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === part);
        if (!pair) break;
        node = pair.value;
        // a missing value (key: ) points at the key
        best = isNode(pair.value) ? pair.value : isNode(pair.key) ? pair.key : best;
      } else if (isSeq(node)) {
        const item = node.items[Number(part)];
        if (item === undefined) break;
        node = item;
        if (isNode(item)) best = item;
      } else break;
    }
    const offset = best?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    file,
    data,
    unresolved,
    has,
    anchors: Object.freeze(anchors),
    locate,
    problem(pointer, message) {
      const { line, column } = locate(pointer);
      return { file, line, column, pointer, message };
    },
  };
}

/** ajv-formats is CommonJS: its plugin is the module and, for ESM importers, also its `default` */
export const addFormats = addFormatsModule.default;

/** One Ajv for config schemas: defaults applied, strings coerced (env interpolation yields strings). */
export function createConfigAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

/** Validates a source's data (mutating it with defaults/coercion); returns located problems. */
export function validateSource(source: YamlSource, validate: ValidateFunction): ConfigProblem[] {
  const checked = validatedSource(source, validate);
  return 'problems' in checked ? checked.problems : [];
}

/**
 * Validates a source's data (mutating it with defaults/coercion): the source typed as the validator's schema says
 * (`ajv.compile<FromSchema<typeof SCHEMA>>(SCHEMA)`), or its located problems.
 */
export function validatedSource<T>(source: YamlSource, validate: ValidateFunction<T>): { source: YamlSource<T> } | { problems: ConfigProblem[] } {
  if (isValid(source, validate)) return { source };
  return { problems: (validate.errors ?? []).map((e) => source.problem(errorPointer(e), describeAjvError(e))) };
}

function isValid<T>(source: YamlSource, validate: ValidateFunction<T>): source is YamlSource<T> {
  return validate(source.data);
}

function errorPointer(e: ErrorObject): string {
  if (e.keyword === 'required') return `${e.instancePath}`;
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${errorParam(e, 'additionalProperty')}`;
  return e.instancePath;
}

/** A parameter of an Ajv error as text (Ajv types `params` by keyword only in its DefinedError union). */
function errorParam(e: Pick<ErrorObject, 'params'>, name: string): string {
  const value: unknown = e.params[name];
  return String(value);
}

export function describeAjvError(e: Pick<ErrorObject, 'keyword' | 'params' | 'message'>): string {
  switch (e.keyword) {
    case 'required':
      return `missing required property "${errorParam(e, 'missingProperty')}"`;
    case 'additionalProperties':
      return `unknown property "${errorParam(e, 'additionalProperty')}"`;
    case 'enum': {
      const allowed: unknown = e.params.allowedValues;
      return `must be one of ${(Array.isArray(allowed) ? allowed : []).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'format': {
      const format = errorParam(e, 'format');
      return `must be a ${format === 'uri' ? 'URI' : format}`;
    }
    default:
      return e.message ?? e.keyword;
  }
}

/** The JSON pointer an Ajv error is about: its instance, or for an unknown property that property. */
export function ajvErrorTarget(e: Pick<ErrorObject, 'keyword' | 'params' | 'instancePath'>): string {
  return e.keyword === 'additionalProperties' ? `${e.instancePath}/${errorParam(e, 'additionalProperty')}` : e.instancePath;
}

export function pointerToDotted(pointer: string): string {
  return parsePointer(pointer).join('.') || '(root)';
}

export function displayPath(file: string): string {
  return projectPath(file, process.cwd());
}

/** A file named relative to the project folder when it lies inside it (how integrators see their files). */
export function projectPath(file: string, root: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') || rel === '' ? file : rel;
}
