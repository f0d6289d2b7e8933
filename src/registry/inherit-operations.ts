/**
 * `inherit` for files that declare operations by name (a seller-side `api.yaml`, a buyer-side `release.yaml`): the
 * operations of another release's file of the same kind, less `except`, then the file's own, an own operation
 * replacing the inherited one of that name whole, or, with `inherit: true` (`inherit: <operation>`: another one),
 * taking it with the fields it writes replaced (file paths of the inherited fields stay relative to the file inherited from;
 * a `patchFields` table is merged entry by entry). Each operation comes with
 * the file that declares it and the folder its file paths are relative to, so problems and mapping paths stay where
 * they are written. The file inherited from may inherit in turn (Kylie from Grace, a next release from Kylie): its
 * operations are taken as it resolves them, each still with the file that declares it; a cycle is refused.
 *
 * Inheritance is the one way to reuse another release's operations: a file path of an operation that reaches into
 * another release's folder (`../../grace/...`) and YAML anchors and aliases (`&x`, `*x`) are refused where they are
 * written.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ConfigProblem, YamlSource } from '../config/yaml-source.js';
import { isRecord } from '../json/unknown-values.js';
import { mergePatch } from './schema-base.js';

export interface DeclaredOperation<Op> {
  readonly name: string;
  readonly op: Op;
  /** the file that declares it */
  readonly src: YamlSource;
  /** the folder its file paths are relative to */
  readonly dir: string;
}

interface OperationsFile<Op> {
  inherit?: { from: string; except?: readonly string[] };
  operations?: Readonly<Record<string, Op | InheritingOperation>>;
}

/** An own operation that takes the inherited one of its name (or the one named), with the fields it writes replaced. */
interface InheritingOperation {
  readonly inherit: true | string;
}

export interface DeclareOperationsOptions<Op, F extends OperationsFile<Op> = OperationsFile<Op>> {
  /** the file being loaded, its folder and its parsed content */
  src: YamlSource;
  dir: string;
  file: F;
  /** the name files of this kind have (`api.yaml`, `release.yaml`) */
  fileName: string;
  /** what one file of this kind describes, for messages (`API`, `release`) */
  kind: string;
  /** reads and validates another file of this kind (undefined: its problems are already recorded) */
  readSource(file: string): YamlSource<F> | undefined;
  /** how messages name the inherited folder and file */
  show: { folder(absoluteDir: string): string; file(absoluteFile: string): string };
  problems: ConfigProblem[];
  /** the operation fields that hold file paths relative to the file's folder (`request`, `requestSchema`...) */
  pathFields: readonly string[];
  /**
   * the operation fields (tables) an inheriting operation writes as a JSON Merge Patch (RFC 7396) of the inherited
   * one's: its entries are added or replace the inherited ones, `null` removes one (buyer `fieldPaths`)
   */
  patchFields?: readonly string[];
  /** the files that inherit from this one, outermost first (a file met twice is a cycle) */
  chain?: readonly string[];
}

/** A file's operations as inheritance resolves them, and the files it inherits from in turn. */
export interface DeclaredFile<Op, F> {
  readonly operations: Array<DeclaredOperation<Op>>;
  /** the file inherited from at the far end first, this one last (file-level fields inherit along it) */
  readonly lineage: ReadonlyArray<{ readonly src: YamlSource; readonly file: F; readonly dir: string }>;
}

export function declareOperations<Op, F extends OperationsFile<Op> = OperationsFile<Op>>(
  opts: DeclareOperationsOptions<Op, F>,
): DeclaredFile<Op, F> {
  const { src, dir, file, problems } = opts;
  let lineage: DeclaredFile<Op, F>['lineage'] = [];
  const declared: Array<DeclaredOperation<Op>> = [];
  for (const a of src.anchors) {
    problems.push({
      file: src.file,
      line: a.line,
      column: a.column,
      message: `YAML anchor or alias ${a.text}: write the value out, or take the operation with inherit`,
    });
  }
  let base: { file: string; operations: ReadonlyMap<string, DeclaredOperation<Op>> } | undefined;
  if (file.inherit) {
    const fromDir = resolve(dir, file.inherit.from);
    const fromFile = join(fromDir, opts.fileName);
    const chain = [...(opts.chain ?? []), join(dir, opts.fileName)];
    const baseSrc = existsSync(fromFile) ? opts.readSource(fromFile) : undefined;
    const baseFile = baseSrc?.data;
    if (!existsSync(fromFile)) problems.push(src.problem('/inherit/from', `no ${opts.fileName} in ${opts.show.folder(fromDir)}`));
    else if (chain.includes(fromFile)) {
      problems.push(
        src.problem(
          '/inherit/from',
          `${opts.show.file(fromFile)} inherits from this file in turn (${[...chain, fromFile].map(opts.show.file).join(' -> ')})`,
        ),
      );
    } else if (baseSrc && baseFile) {
      // the file inherited from may inherit in turn: its operations as it resolves them, each with its own file
      const resolved = declareOperations<Op, F>({ ...opts, src: baseSrc, dir: fromDir, file: baseFile, chain });
      lineage = resolved.lineage;
      base = { file: fromFile, operations: new Map(resolved.operations.map((d) => [d.name, d])) };
      const except = new Set(file.inherit.except ?? []);
      for (const name of except) {
        if (!base.operations.has(name))
          problems.push(src.problem('/inherit/except', `"${name}" is not an operation of ${opts.show.file(fromFile)}`));
      }
      for (const [name, d] of base.operations) {
        const mine = file.operations?.[name];
        if (!except.has(name) && (mine === undefined || (isInheriting(mine) && mine.inherit === true))) declared.push(d);
      }
    }
  }
  // own operations: whole ones, and inherited ones with fields replaced (`taken`, kept at the inherited one's place)
  const own: Array<DeclaredOperation<Op>> = [];
  const taken = new Map<string, DeclaredOperation<Op>>();
  for (const [name, op] of Object.entries(file.operations ?? {})) {
    const p = `/operations/${escapePointer(name)}`;
    for (const field of opts.pathFields) {
      const value = (op as Record<string, unknown>)[field];
      if (typeof value === 'string' && reachesAnotherRelease(dir, value)) {
        problems.push(
          src.problem(
            `${p}/${field}`,
            `"${value}" is another release's file: take its operation with inherit (\`${name}: { inherit: true, ... }\` and inherit.from) instead`,
          ),
        );
      }
    }
    if (!isInheriting(op)) {
      for (const field of opts.patchFields ?? []) {
        const table = (op as Record<string, unknown>)[field];
        for (const [key, value] of Object.entries(isRecord(table) ? table : {})) {
          if (value === null)
            problems.push(
              src.problem(
                `${p}/${field}/${escapePointer(key)}`,
                `null removes an inherited entry, and ${name} inherits none (inherit: true)`,
              ),
            );
        }
      }
      own.push({ name, op, src, dir });
      continue;
    }
    const from = op.inherit === true ? name : op.inherit;
    const inherited = base?.operations.get(from);
    if (!file.inherit)
      problems.push(
        src.problem(`${p}/inherit`, `inherit needs the ${opts.kind}'s inherit.from (the ${opts.fileName} to take "${from}" from)`),
      );
    else if (base && inherited === undefined)
      problems.push(src.problem(`${p}/inherit`, `"${from}" is not an operation of ${opts.show.file(base.file)}`));
    if (!base || inherited === undefined) continue;
    // the inherited fields' paths stay the other file's; the fields written here are read as written here
    const merged: Record<string, unknown> = { ...(inherited.op as Record<string, unknown>) };
    for (const field of opts.pathFields) {
      const value = merged[field];
      if (typeof value === 'string') merged[field] = resolve(inherited.dir, value);
    }
    for (const [field, value] of Object.entries(op)) {
      if (field === 'inherit' || !src.has(`${p}/${escapePointer(field)}`)) continue;
      merged[field] = opts.patchFields?.includes(field)
        ? patchTable(merged[field], value, { src, problems, pointer: `${p}/${field}`, from })
        : value;
    }
    taken.set(name, { name, op: merged as Op, src, dir });
  }
  const ordered: Array<DeclaredOperation<Op>> = [];
  for (const d of declared) ordered.push(taken.get(d.name) ?? d);
  for (const [name, d] of taken) if (!declared.some((b) => b.name === name)) ordered.push(d);
  ordered.push(...own);
  return { operations: ordered, lineage: [...lineage, { src, file, dir }] };
}

/**
 * An inherited table (a patch field) with the entries an inheriting operation writes applied as RFC 7396 does; a
 * `null` for an entry the inherited table lacks removes nothing: a problem at that entry.
 */
function patchTable(
  inherited: unknown,
  patch: unknown,
  at: { src: YamlSource; problems: ConfigProblem[]; pointer: string; from: string },
): unknown {
  const base = isRecord(inherited) ? inherited : {};
  for (const [key, value] of Object.entries(isRecord(patch) ? patch : {})) {
    if (value === null && !(key in base))
      at.problems.push(
        at.src.problem(
          `${at.pointer}/${escapePointer(key)}`,
          `null removes an inherited entry, and the inherited ${at.from} has no "${key}"`,
        ),
      );
  }
  return mergePatch(base, patch);
}

function isInheriting(op: unknown): op is InheritingOperation {
  const inherit = op !== null && typeof op === 'object' ? (op as { inherit?: unknown }).inherit : undefined;
  return inherit === true || typeof inherit === 'string';
}

/**
 * Whether a relative file path leaves its release's folder into another release's (`../../grace/...` from
 * `releases/kylie/quoteManagement`, `../grace/...` from `buyer/releases/kylie`): the folder holding the release
 * folders is the nearest ancestor named `releases`.
 */
function reachesAnotherRelease(dir: string, path: string): boolean {
  if (isAbsolute(path)) return false;
  const parts = dir.split('/');
  const at = parts.lastIndexOf('releases');
  if (at < 0 || at + 1 >= parts.length) return false;
  const releasesDir = parts.slice(0, at + 1).join('/');
  const ownRelease = join(releasesDir, parts[at + 1]!);
  const target = resolve(dir, path);
  const fromReleases = relative(releasesDir, target);
  if (fromReleases.startsWith('..') || isAbsolute(fromReleases)) return false;
  return !`${target}/`.startsWith(`${ownRelease}/`) && dirname(target) !== releasesDir;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
