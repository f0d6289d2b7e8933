/**
 * `$base` in a request or query schema file (`*.schema.yaml`): the schema is another schema file with this file's
 * other keys applied to it as a JSON Merge Patch (RFC 7386): an object merges into the base's object of that key, key
 * by key and at any depth; `null` removes the key; anything else (a string, a number, an array such as `required` or
 * `enum`) replaces the base's value whole (to reorder an object's keys, write all of them: see mergePatch).
 * `$base: inherited` names the same-named file of the API this one inherits from (the `inherit.from` of the
 * `api.yaml` beside it), so a release's schema is its base release's with changes by the one reuse mechanism,
 * inherit, and names no other release's folder; any other value is a path relative to this file (another schema of
 * the same API). The base may have a `$base` in turn; a cycle is refused. The result is what the registry compiles:
 * a release states only where its body differs, and problems name the file (and line) that writes the `$base`.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ConfigProblem, YamlSource } from '../config/yaml-source.js';
import { isRecord } from '../json/unknown-values.js';

export interface SchemaBaseOptions {
  /** the schema file (absolute) and its parsed content */
  file: string;
  src: YamlSource;
  /** reads another schema file (undefined: its problems are already recorded) */
  readSource(file: string): YamlSource | undefined;
  /** the folder an API folder inherits from (its api.yaml's inherit.from, as declareOperations resolved it) */
  inheritedDir(folder: string): string | undefined;
  /** how messages name a file */
  show(absoluteFile: string): string;
  problems: ConfigProblem[];
  /** the files whose `$base` led here, outermost first (a file met twice is a cycle) */
  chain?: readonly string[];
}

type JsonObject = Record<string, unknown>;

/**
 * RFC 7386: `patch` applied to `target` (neither is modified). Keys keep the target's order, new ones follow in the
 * patch's order; a patch object that writes every key of the target's object (unchanged ones as `{}`, or their value
 * again) gives the result its own order instead (the order of `properties` is the order of a refusal's issues).
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const reorder = isRecord(target) && Object.keys(target).every((key) => key in patch);
  const result: JsonObject = !isRecord(target) ? {} : reorder ? {} : { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(isRecord(target) ? target[key] : undefined, value);
  }
  return result;
}

/** The schema a file describes: its content, or with a `$base`, the base's schema with the rest of it merged in. */
export function resolveSchemaBase(opts: SchemaBaseOptions): unknown {
  const { file, src, problems } = opts;
  const data = src.data;
  if (!isRecord(data) || !('$base' in data)) return data;
  const { $base: base, ...patch } = data;
  if (typeof base !== 'string' || base === '') {
    problems.push(src.problem('/$base', '$base must be "inherited" or the path of a schema file, relative to this one'));
    return undefined;
  }
  const baseFile = base === INHERITED ? inheritedCounterpart(opts) : resolve(dirname(file), base);
  if (baseFile === undefined) return undefined;
  const chain = [...(opts.chain ?? []), file];
  if (chain.includes(baseFile)) {
    problems.push(src.problem('/$base', `cycle: ${[...chain, baseFile].map(opts.show).join(' -> ')}`));
    return undefined;
  }
  if (!existsSync(baseFile)) {
    problems.push(src.problem('/$base', `base schema not found: ${opts.show(baseFile)}`));
    return undefined;
  }
  const baseSrc = opts.readSource(baseFile);
  if (!baseSrc) return undefined;
  const baseSchema = resolveSchemaBase({ ...opts, file: baseFile, src: baseSrc, chain });
  if (baseSchema === undefined) return undefined;
  return mergePatch(baseSchema, patch);
}

/** `$base: inherited`: the base is the same-named file of the API folder this one's api.yaml inherits from. */
export const INHERITED = 'inherited';

function inheritedCounterpart(opts: SchemaBaseOptions): string | undefined {
  const { file, src, problems } = opts;
  const from = opts.inheritedDir(dirname(file));
  if (from === undefined) {
    const api = opts.show(join(dirname(file), 'api.yaml'));
    problems.push(
      src.problem('/$base', `"inherited" takes the same-named schema of the API inherited from, but ${api} has no inherit.from`),
    );
    return undefined;
  }
  return join(from, basename(file));
}
