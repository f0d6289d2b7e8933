/**
 * `$base` in a request or query schema file (`*.schema.yaml`): the schema is another schema file (typically the same
 * body's schema in the release this one inherits from, `../../grace/<api>/<name>.schema.yaml`) with this file's other
 * keys applied to it as a JSON Merge Patch (RFC 7386): an object merges into the base's object of that key, key by
 * key and at any depth; `null` removes the key; anything else (a string, a number, an array such as `required` or
 * `enum`) replaces the base's value whole (to reorder an object's keys, write all of them: see mergePatch). The
 * base may have a `$base` in turn; a cycle is refused. The result is what the registry compiles: a release states
 * only where its body differs, and problems name the file (and line) that writes the `$base`.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigProblem, YamlSource } from '../config/yaml-source.js';
import { isRecord } from '../json/unknown-values.js';

export interface SchemaBaseOptions {
  /** the schema file (absolute) and its parsed content */
  file: string;
  src: YamlSource;
  /** reads another schema file (undefined: its problems are already recorded) */
  readSource(file: string): YamlSource | undefined;
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
    problems.push(src.problem('/$base', '$base must be the path of a schema file, relative to this one'));
    return undefined;
  }
  const baseFile = resolve(dirname(file), base);
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
