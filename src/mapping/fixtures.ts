import { isMap, isNode, isScalar, LineCounter, parseDocument, type Pair } from 'yaml';
import type { CompiledMapping } from './engine.js';
import { MappingError, type MappingErrorKind } from './errors.js';
import type { LookupTables } from './lookups.js';
import { appendToken } from '../json/json-pointer.js';
import { isRecord } from '../json/unknown-values.js';

/** One data-driven mapping test, as written by integrators in a YAML fixture file. */
export interface MappingFixture {
  /** Fixture file path as given to {@link parseFixture}. */
  file: string;
  description?: string;
  /** Mapping path relative to the fixture owner's folder (the partner folder, or `mappings/`). */
  mapping: string;
  /** Extra `$variables` for the evaluation. */
  bindings?: Record<string, unknown>;
  /** Whether the owner's lookup tables are passed to the evaluation (YAML `lookups`, default true). */
  useLookups: boolean;
  input: unknown;
  /** Expected output, deep-equal including absent keys; mutually exclusive with `expectedError`. */
  expected?: unknown;
  /** Expected failure; every field given must match. `code` matches a rejection code or JSONata code. */
  expectedError?: {
    kind?: MappingErrorKind;
    code?: string;
    propertyPath?: string;
    messageIncludes?: string;
  };
}

/** Outcome of {@link runFixture}; `diff` explains a failure in one line per difference. */
export interface FixtureResult {
  fixture: MappingFixture;
  ok: boolean;
  actual?: unknown;
  error?: MappingError;
  diff?: string;
}

const FIXTURE_KEYS = new Set(['mapping', 'description', 'bindings', 'lookups', 'input', 'expected', 'expectedError']);
const ERROR_KEYS = new Set(['kind', 'code', 'propertyPath', 'messageIncludes']);
const ERROR_KINDS: ReadonlySet<string> = new Set<MappingErrorKind>(['compile', 'evaluate', 'timeout', 'depth', 'rejected']);

/**
 * Parse a YAML fixture. Any problem (bad YAML, missing or unknown field, wrong type) throws an
 * Error whose message starts with `file:line:col`, so integrators can jump to it.
 */
export function parseFixture(text: string, file: string): MappingFixture {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  function fail(offset: number, message: string): never {
    const { line, col } = lineCounter.linePos(offset);
    throw new Error(`${file}:${line}:${col} ${message}`);
  }
  const [firstError] = doc.errors;
  if (firstError) fail(firstError.pos[0], firstError.message);

  const root = doc.contents;
  if (!isMap(root)) {
    return fail(isNode(root) ? (root.range?.[0] ?? 0) : 0, 'a fixture must be a YAML mapping of fields');
  }
  const pairs = new Map<string, Pair>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' || !FIXTURE_KEYS.has(key)) {
      fail(offsetOf(pair.key, root), `unknown field ${JSON.stringify(key)} (allowed: ${[...FIXTURE_KEYS].join(', ')})`);
    }
    pairs.set(key, pair);
  }
  const valueOf = (key: string): unknown => {
    const pair = pairs.get(key);
    if (pair === undefined) return undefined;
    try {
      return isNode(pair.value) ? pair.value.toJS(doc) : null;
    } catch (err) {
      return fail(offsetOf(pair.value, pair.key), err instanceof Error ? err.message : String(err));
    }
  };
  const at = (key: string): number => {
    const pair = pairs.get(key);
    return pair === undefined ? 0 : offsetOf(pair.value, pair.key);
  };

  const mapping = valueOf('mapping');
  if (!pairs.has('mapping')) fail(root.range?.[0] ?? 0, 'missing field "mapping"');
  if (typeof mapping !== 'string' || mapping.trim() === '') fail(at('mapping'), '"mapping" must be a non-empty path');

  const description = valueOf('description');
  if (description !== undefined && typeof description !== 'string') fail(at('description'), '"description" must be text');

  const bindings = valueOf('bindings');
  if (bindings !== undefined && !isRecord(bindings)) fail(at('bindings'), '"bindings" must be a mapping of name: value');

  const lookups = valueOf('lookups');
  if (lookups !== undefined && typeof lookups !== 'boolean') fail(at('lookups'), '"lookups" must be true or false');

  if (!pairs.has('input')) fail(root.range?.[0] ?? 0, 'missing field "input"');

  const hasExpected = pairs.has('expected');
  const hasExpectedError = pairs.has('expectedError');
  if (hasExpected === hasExpectedError) {
    fail(
      hasExpected ? at('expectedError') : (root.range?.[0] ?? 0),
      hasExpected ? 'give either "expected" or "expectedError", not both' : 'missing field "expected" or "expectedError"',
    );
  }
  const fixture: MappingFixture = {
    file,
    mapping,
    useLookups: lookups !== false,
    input: valueOf('input'),
  };
  if (description !== undefined) fixture.description = description;
  if (bindings !== undefined) fixture.bindings = bindings;
  if (hasExpected) fixture.expected = valueOf('expected');
  if (hasExpectedError) {
    const errorNode = pairs.get('expectedError')?.value;
    fixture.expectedError = parseExpectedError(valueOf('expectedError'), (message, key) => {
      const pair =
        key !== undefined && isMap(errorNode) ? errorNode.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
      return fail(pair === undefined ? at('expectedError') : offsetOf(pair.value, pair.key), message);
    });
  }
  return fixture;
}

function parseExpectedError(value: unknown, fail: (message: string, key?: string) => never): NonNullable<MappingFixture['expectedError']> {
  if (!isRecord(value)) return fail('"expectedError" must be a mapping with kind, code, propertyPath or messageIncludes');
  const result: NonNullable<MappingFixture['expectedError']> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!ERROR_KEYS.has(key)) fail(`unknown field "expectedError.${key}" (allowed: ${[...ERROR_KEYS].join(', ')})`, key);
    if (typeof field !== 'string') fail(`"expectedError.${key}" must be text`, key);
  }
  // every field is text by now (checked above)
  const { kind, code, propertyPath, messageIncludes } = value;
  if (kind !== undefined) {
    if (!isErrorKind(kind)) fail(`"expectedError.kind" must be one of ${[...ERROR_KINDS].join(', ')}`, 'kind');
    result.kind = kind;
  }
  if (typeof code === 'string') result.code = code;
  if (typeof propertyPath === 'string') result.propertyPath = propertyPath;
  if (typeof messageIncludes === 'string') result.messageIncludes = messageIncludes;
  return result;
}

function offsetOf(node: unknown, fallback: unknown): number {
  for (const candidate of [node, fallback]) {
    if (isNode(candidate) && candidate.range) return candidate.range[0];
  }
  return 0;
}

/**
 * Evaluate a fixture against its compiled mapping and compare. Never throws for a mapping failure:
 * an unexpected error is a failed result whose `diff` carries the error's `file:line:col` text.
 */
export async function runFixture(fixture: MappingFixture, mapping: CompiledMapping, lookups?: LookupTables): Promise<FixtureResult> {
  let actual: unknown;
  let error: MappingError | undefined;
  try {
    actual = await mapping.evaluate(fixture.input, {
      ...(fixture.bindings !== undefined ? { bindings: fixture.bindings } : {}),
      ...(fixture.useLookups && lookups !== undefined ? { lookups } : {}),
    });
  } catch (err) {
    error = err instanceof MappingError ? err : new MappingError({ kind: 'evaluate', file: mapping.file, detail: String(err), cause: err });
  }

  const expectedError = fixture.expectedError;
  if (expectedError === undefined) {
    if (error !== undefined) return { fixture, ok: false, error, diff: `expected a result, got error: ${error.toString()}` };
    const diff = describeDiff(fixture.expected, actual);
    return diff === '' ? { fixture, ok: true, actual } : { fixture, ok: false, actual, diff };
  }
  if (error === undefined) {
    return {
      fixture,
      ok: false,
      actual,
      diff: `expected error ${formatValue(expectedError)}, got result ${formatValue(actual)}`,
    };
  }
  const mismatches: string[] = [];
  if (expectedError.kind !== undefined && expectedError.kind !== error.kind) {
    mismatches.push(`kind: expected ${formatValue(expectedError.kind)}, got ${formatValue(error.kind)}`);
  }
  if (expectedError.code !== undefined) {
    const code = error.rejection?.code ?? error.jsonataCode;
    if (expectedError.code !== code) mismatches.push(`code: expected ${formatValue(expectedError.code)}, got ${formatValue(code)}`);
  }
  if (expectedError.propertyPath !== undefined && expectedError.propertyPath !== error.rejection?.propertyPath) {
    mismatches.push(`propertyPath: expected ${formatValue(expectedError.propertyPath)}, got ${formatValue(error.rejection?.propertyPath)}`);
  }
  if (expectedError.messageIncludes !== undefined && !error.message.includes(expectedError.messageIncludes)) {
    mismatches.push(`message: expected to include ${formatValue(expectedError.messageIncludes)}, got ${formatValue(error.message)}`);
  }
  return mismatches.length === 0 ? { fixture, ok: true, error } : { fixture, ok: false, error, diff: mismatches.join('; ') };
}

const MAX_DIFFERENCES = 10;

/**
 * Short human diff of two JSON values, one `pointer: expected X, got Y` per difference joined by
 * `; `, with missing keys shown as `absent`. Empty string when they are deep-equal.
 * Example: `/a/b: expected "DE", got "Germany"; /c: expected absent, got 1`.
 */
export function describeDiff(expected: unknown, actual: unknown): string {
  return listDifferences(expected, actual).join('; ');
}

/**
 * The differences of two JSON values, one `pointer: expected X, got Y` each (at most `max`, then `... and N more`);
 * empty when they are deep-equal. The console's playground shows them line by line.
 */
export function listDifferences(expected: unknown, actual: unknown, max = MAX_DIFFERENCES): string[] {
  const found: Differences = { shown: [], total: 0, max };
  collectDifferences(expected, actual, '', found);
  const more = found.total - found.shown.length;
  return more > 0 ? [...found.shown, `... and ${more} more`] : found.shown;
}

interface Differences {
  shown: string[];
  total: number;
  max: number;
}

function collectDifferences(expected: unknown, actual: unknown, path: string, found: Differences): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(expected.length, actual.length);
    for (let i = 0; i < length; i++) {
      collectDifferences(i < expected.length ? expected[i] : undefined, i < actual.length ? actual[i] : undefined, `${path}/${i}`, found);
    }
    return;
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      collectDifferences(
        Object.hasOwn(expected, key) ? expected[key] : undefined,
        Object.hasOwn(actual, key) ? actual[key] : undefined,
        appendToken(path, key),
        found,
      );
    }
    return;
  }
  if (expected === actual) return;
  found.total++;
  if (found.shown.length < found.max) {
    found.shown.push(`${path === '' ? '(root)' : path}: expected ${formatValue(expected)}, got ${formatValue(actual)}`);
  }
}

const MAX_VALUE_CHARS = 80;

function formatValue(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

function isErrorKind(value: unknown): value is MappingErrorKind {
  return typeof value === 'string' && ERROR_KINDS.has(value);
}
