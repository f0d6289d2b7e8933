import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { labelSeedPath, LegacyBssSeedError } from './address-seed.js';
import { parseLegacyTimestamp } from './legacy-timestamp.js';

// Line-aware reading of the simulator's YAML seed files (everything but addresses.yaml, which has
// its own older reader). Every problem throws LegacyBssSeedError with `file:line: where: detail`.

interface SeedContext {
  readonly label: string;
  lineOf(node: Node | null | undefined, fallback: number): number;
}

/** One value of a seed file with the place it came from. */
export class SeedValue {
  constructor(
    readonly node: Node | null,
    /** Dotted location for messages, e.g. `sites[3].ADDR_KEY`. */
    readonly where: string,
    /** 1-based line of the value. */
    readonly line: number,
    private readonly context: SeedContext,
  ) {}

  /** Throws a seed error at this value's line. */
  fail(detail: string): never {
    throw new LegacyBssSeedError(this.context.label, this.line, `${this.where}: ${detail}`);
  }

  isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  asMap(): SeedMap {
    if (!isMap(this.node)) return this.fail('expected a mapping');
    return new SeedMap(this.node, this.where, this.line, this.context);
  }

  asList(): SeedValue[] {
    if (!isSeq(this.node)) return this.fail('expected a list');
    return this.node.items.map(
      (item, index) =>
        new SeedValue(item as Node | null, `${this.where}[${index}]`, this.context.lineOf(item as Node, this.line), this.context),
    );
  }

  /** Text only: numbers must be quoted, so codes such as `01067` keep their form. */
  asText(): string {
    const node = this.node;
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      return this.fail('must be a non-empty string (quote numbers: "01067")');
    }
    return node.value;
  }

  asNumber(min: number, max: number, wholeOnly = false): number {
    const value = isScalar(this.node) ? this.node.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || (wholeOnly && !Number.isInteger(value))) {
      return this.fail(`must be a ${wholeOnly ? 'whole ' : ''}number`);
    }
    if (value < min || value > max) this.fail(`must be between ${min} and ${max}`);
    return value;
  }
}

/** A mapping of a seed file; reading a field checks its type and reports its line. */
export class SeedMap {
  private readonly values = new Map<string, SeedValue>();

  constructor(
    node: YAMLMap,
    readonly where: string,
    readonly line: number,
    private readonly context: SeedContext,
  ) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const name = isScalar(keyNode) ? keyNode.value : undefined;
      const keyLine = context.lineOf(keyNode, line);
      if (typeof name !== 'string' && typeof name !== 'number') {
        throw new LegacyBssSeedError(context.label, keyLine, `${where}: keys must be plain names`);
      }
      const valueNode = pair.value as Node | null;
      const path = where === '' ? String(name) : `${where}.${name}`;
      this.values.set(String(name), new SeedValue(valueNode, path, context.lineOf(valueNode, keyLine), context));
    }
  }

  /** Throws a seed error at this mapping's line. */
  fail(detail: string): never {
    throw new LegacyBssSeedError(this.context.label, this.line, this.where === '' ? detail : `${this.where}: ${detail}`);
  }

  /** Refuses any key outside `allowed`, at the key's line. */
  allowOnly(allowed: readonly string[]): this {
    for (const [name, value] of this.values) {
      if (!allowed.includes(name)) value.fail(`unknown field ${name}`);
    }
    return this;
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  /** The field's value, or `undefined` when missing or null. */
  optional(name: string): SeedValue | undefined {
    const value = this.values.get(name);
    return value === undefined || value.isNull() ? undefined : value;
  }

  required(name: string): SeedValue {
    return this.optional(name) ?? this.fail(`missing ${name}`);
  }

  text(name: string): string {
    return this.required(name).asText();
  }

  optionalText(name: string): string | null {
    return this.optional(name)?.asText() ?? null;
  }

  code<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.required(name);
    const text = value.asText();
    if (!(allowed as readonly string[]).includes(text)) value.fail(`must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return text as T;
  }

  integer(name: string, min: number, max: number): number {
    return this.required(name).asNumber(min, max, true);
  }

  number(name: string, min: number, max: number): number {
    return this.required(name).asNumber(min, max);
  }

  /** A `dd.MM.yyyy HH:mm` Berlin timestamp, kept as text. */
  timestamp(name: string): string {
    const value = this.required(name);
    const text = value.asText();
    if (!parseLegacyTimestamp(text)) value.fail(`must be dd.MM.yyyy HH:mm (Europe/Berlin), got ${text}`);
    return text;
  }

  optionalTimestamp(name: string): string | null {
    return this.optional(name) === undefined ? null : this.timestamp(name);
  }

  list(name: string): SeedValue[] {
    return this.required(name).asList();
  }

  map(name: string): SeedMap {
    return this.required(name).asMap();
  }
}

/**
 * Reads `<dataDir>/<fileName>` and returns its top-level mapping. Throws
 * {@link LegacyBssSeedError} for an unreadable file, bad YAML, or a top level that is not a mapping.
 */
export function readSeedFile(dataDir: string, fileName: string): SeedMap {
  const filePath = path.join(dataDir, fileName);
  const label = labelSeedPath(filePath);
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new LegacyBssSeedError(label, undefined, `cannot read seed file (${code})`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const syntaxError = doc.errors[0];
  if (syntaxError) throw new LegacyBssSeedError(label, lineAt(syntaxError.pos[0]), `invalid YAML: ${syntaxError.message}`);
  const context: SeedContext = {
    label,
    lineOf: (node, fallback) => (node?.range ? lineAt(node.range[0]) : fallback),
  };
  const root = doc.contents;
  if (!isMap(root)) throw new LegacyBssSeedError(label, context.lineOf(root, 1), 'expected a mapping at the top level');
  return new SeedMap(root, '', context.lineOf(root, 1), context);
}

/** Fails at `value` when `key` was already seen; remembers it otherwise. */
export function checkUniqueSeedKey(seen: Map<string, number>, key: string, value: SeedValue): void {
  const first = seen.get(key);
  if (first !== undefined) value.fail(`duplicate ${key} (first at line ${first})`);
  seen.set(key, value.line);
}
