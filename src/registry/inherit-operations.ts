/**
 * `inherit` for files that declare operations by name (a seller-side `api.yaml`, a buyer-side `release.yaml`): the
 * operations of another release's file of the same kind, less `except`, then the file's own, an own operation
 * replacing the inherited one of that name whole. Each operation comes with the file that declares it and the folder
 * its file paths are relative to, so problems and mapping paths stay where they are written. Only one level: the
 * file inherited from may not inherit itself.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfigProblem, YamlSource } from '../config/yaml-source.js';

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
  operations?: Readonly<Record<string, Op>>;
}

export interface DeclareOperationsOptions<Op> {
  /** the file being loaded, its folder and its parsed content */
  src: YamlSource;
  dir: string;
  file: OperationsFile<Op>;
  /** the name files of this kind have (`api.yaml`, `release.yaml`) */
  fileName: string;
  /** what one file of this kind describes, for messages (`API`, `release`) */
  kind: string;
  /** reads and validates another file of this kind (undefined: its problems are already recorded) */
  readSource(file: string): YamlSource | undefined;
  /** how messages name the inherited folder and file */
  show: { folder(absoluteDir: string): string; file(absoluteFile: string): string };
  problems: ConfigProblem[];
}

export function declareOperations<Op>(opts: DeclareOperationsOptions<Op>): Array<DeclaredOperation<Op>> {
  const { src, dir, file, problems } = opts;
  const declared: Array<DeclaredOperation<Op>> = [];
  if (file.inherit) {
    const fromDir = resolve(dir, file.inherit.from);
    const fromFile = join(fromDir, opts.fileName);
    const baseSrc = existsSync(fromFile) ? opts.readSource(fromFile) : undefined;
    const base = baseSrc?.data as OperationsFile<Op> | undefined;
    if (!existsSync(fromFile)) problems.push(src.problem('/inherit/from', `no ${opts.fileName} in ${opts.show.folder(fromDir)}`));
    else if (baseSrc && base?.inherit) {
      problems.push(src.problem('/inherit/from', `${opts.show.file(fromFile)} inherits too; inherit from the ${opts.kind} that declares the operations`));
    } else if (baseSrc && base) {
      const except = new Set(file.inherit.except ?? []);
      for (const name of except) {
        if (!base.operations?.[name]) problems.push(src.problem('/inherit/except', `"${name}" is not an operation of ${opts.show.file(fromFile)}`));
      }
      for (const [name, op] of Object.entries(base.operations ?? {})) {
        if (!except.has(name) && !file.operations?.[name]) declared.push({ name, op, src: baseSrc, dir: fromDir });
      }
    }
  }
  for (const [name, op] of Object.entries(file.operations ?? {})) declared.push({ name, op, src, dir });
  return declared;
}
