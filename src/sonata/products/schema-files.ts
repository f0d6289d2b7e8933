import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, displayPath, readYamlFile, type ConfigProblem, type YamlSource } from '../../config/yaml-source.js';
import { appendToken, parsePointer } from '../../json/json-pointer.js';
import { isRecord } from '../../json/unknown-values.js';

/**
 * A fallback for relative `$ref`s whose file does not exist: when the ref's path starts with `from`, the same
 * path with `from` replaced by `to` is tried. Only used when the literal path is missing, so a rule can never
 * redirect a ref that already resolves.
 */
export interface RefRewrite {
  from: string;
  to: string;
}

/** One schema file as handed to Ajv: `$id` is its `file://` URL and every `$ref` is absolute. */
export interface SchemaFile {
  /** absolute path on disk */
  readonly path: string;
  /** `file://` URL, used as the schema's `$id` */
  readonly url: string;
  /** the `$id` the file declared itself (MEF root schemas declare their URN), if any */
  readonly declaredId?: string;
  readonly schema: Record<string, unknown>;
  readonly source: YamlSource;
}

export interface SchemaFileSet {
  /** by absolute path, in load order (roots first) */
  readonly files: ReadonlyMap<string, SchemaFile>;
  /** refs that only resolved through a RefRewrite */
  readonly rewrittenRefs: number;
  /** `properties:`-style keywords left empty in YAML (null), dropped as if absent */
  readonly droppedEmptyKeywords: number;
}

// draft-07 keywords whose values are schemas, lists of schemas, or maps of schemas: the only places a `$ref`
// is a reference (under `enum`, `default`, `examples` or unknown keywords it is plain data).
const ONE_SCHEMA = new Set(['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'if', 'then', 'else', 'not']);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAP = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);
// A YAML key with nothing under it (`properties:` followed by a comment) parses as null, which no draft-07
// keyword accepts except the value-carrying ones; MEF files contain such leftovers, and their authors meant
// "no constraint".
const VALUE_KEYWORDS = new Set(['const', 'default', 'enum', 'examples']);
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

interface PendingRef {
  source: YamlSource;
  pointer: string;
  ref: string;
  target: string;
  fragment: string;
}

/**
 * Reads the root schema files and, transitively, every file their relative `$ref`s name; gives each file its
 * `file://` URL as `$id` and rewrites its refs to absolute URLs (local `#/...` ones too, so any sub-schema can
 * be compiled on its own). Throws ConfigError with file:line:col for unreadable files, refs to missing files
 * or to missing definitions.
 */
export function loadSchemaFiles(roots: readonly string[], rewrites: readonly RefRewrite[]): SchemaFileSet {
  const files = new Map<string, SchemaFile>();
  const problems: ConfigProblem[] = [];
  const pending: PendingRef[] = [];
  const exists = new Map<string, boolean>();
  const fileExists = (p: string): boolean => {
    let known = exists.get(p);
    if (known === undefined) exists.set(p, (known = existsSync(p)));
    return known;
  };
  let rewrittenRefs = 0;
  let droppedEmptyKeywords = 0;

  const queue = roots.map((r) => resolve(r));
  const queued = new Set(queue);
  while (queue.length) {
    const path = queue.shift() as string;
    let source: YamlSource;
    try {
      source = readYamlFile(path);
    } catch (err) {
      if (err instanceof ConfigError) {
        problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    const data = source.data;
    if (!isRecord(data)) {
      problems.push({
        file: source.file,
        line: 1,
        column: 1,
        message: 'a product schema file must hold a JSON schema object',
      });
      continue;
    }
    const url = pathToFileURL(path).href;
    const declared = data.$id;
    const rewriteRef = (ref: string, pointer: string): string => {
      const hash = ref.indexOf('#');
      const filePart = hash < 0 ? ref : ref.slice(0, hash);
      const fragment = hash < 0 ? '' : ref.slice(hash + 1);
      if (SCHEME.test(filePart)) return ref;
      if (filePart === '') {
        pending.push({ source, pointer, ref, target: path, fragment });
        return `${url}#${fragment}`;
      }
      let target = resolve(dirname(path), decodeURIComponent(filePart));
      if (!fileExists(target)) {
        const rule = rewrites.find(
          (r) =>
            filePart.startsWith(r.from) && fileExists(resolve(dirname(path), decodeURIComponent(r.to + filePart.slice(r.from.length)))),
        );
        if (!rule) {
          problems.push(source.problem(pointer, `$ref "${ref}" names ${displayPath(target)}, which does not exist`));
          return ref;
        }
        target = resolve(dirname(path), decodeURIComponent(rule.to + filePart.slice(rule.from.length)));
        rewrittenRefs++;
      }
      if (!queued.has(target)) {
        queued.add(target);
        queue.push(target);
      }
      pending.push({ source, pointer, ref, target, fragment });
      return pathToFileURL(target).href + (hash < 0 ? '' : `#${fragment}`);
    };
    droppedEmptyKeywords += walkSchema(data, '', rewriteRef);
    data.$id = url;
    files.set(path, {
      path,
      url,
      declaredId: typeof declared === 'string' ? declared : undefined,
      schema: data,
      source,
    });
  }

  for (const p of pending) {
    if (!p.fragment.startsWith('/')) continue;
    const target = files.get(p.target);
    // a target that failed to load has its own problem already
    if (!target) continue;
    if (resolvePointer(target.schema, decodeURIComponent(p.fragment)) === undefined) {
      problems.push(p.source.problem(p.pointer, `$ref "${p.ref}" names #${p.fragment}, which does not exist in ${target.source.file}`));
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { files, rewrittenRefs, droppedEmptyKeywords };
}

/** Visits the schema positions of one schema, rewriting `$ref`s in place; returns how many null keywords it dropped. */
function walkSchema(node: unknown, pointer: string, rewriteRef: (ref: string, pointer: string) => string): number {
  if (!isRecord(node)) return 0;
  let dropped = 0;
  for (const key of Object.keys(node)) {
    const value = node[key];
    const at = appendToken(pointer, key);
    if (value === null && !VALUE_KEYWORDS.has(key)) {
      delete node[key];
      dropped++;
    } else if (key === '$ref' && typeof value === 'string') {
      node[key] = rewriteRef(value, at);
    } else if (ONE_SCHEMA.has(key)) {
      dropped += walkSchema(value, at, rewriteRef);
    } else if (key === 'items' || SCHEMA_LIST.has(key)) {
      if (Array.isArray(value))
        value.forEach((s, i) => {
          dropped += walkSchema(s, `${at}/${i}`, rewriteRef);
        });
      else dropped += walkSchema(value, at, rewriteRef);
    } else if (SCHEMA_MAP.has(key) && isRecord(value)) {
      for (const [name, sub] of Object.entries(value)) dropped += walkSchema(sub, appendToken(at, name), rewriteRef);
    }
  }
  return dropped;
}

/** Calls `visit` with every oneOf/anyOf list found at a schema position of `schema`. */
export function forEachAlternativeList(schema: unknown, visit: (alternatives: unknown[]) => void): void {
  if (!isRecord(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    if (ONE_SCHEMA.has(key)) forEachAlternativeList(value, visit);
    else if (key === 'items' || SCHEMA_LIST.has(key)) {
      if (Array.isArray(value)) {
        if (key === 'oneOf' || key === 'anyOf') visit(value);
        for (const s of value) forEachAlternativeList(s, visit);
      } else forEachAlternativeList(value, visit);
    } else if (SCHEMA_MAP.has(key) && isRecord(value)) {
      for (const sub of Object.values(value)) forEachAlternativeList(sub, visit);
    }
  }
}

function resolvePointer(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const part of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isRecord(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}
