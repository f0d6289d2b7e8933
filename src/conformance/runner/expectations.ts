/**
 * Expected values at JSON pointers, as conformance cases write them, and the readable "expected vs actual" lines
 * a failed check produces. Pure: no I/O, so every rule is unit-tested on plain bodies.
 */
import { isDeepStrictEqual } from 'node:util';
import { unescapeToken } from '../../json/json-pointer.js';
import { isRecord } from '../../json/unknown-values.js';

/**
 * What a case expects at one pointer. A scalar means "equals"; an object combines operators, all of which must
 * hold. Exact objects or arrays are written with `equals`, so an operator object is never mistaken for a value.
 */
export type ValueExpectation = string | number | boolean | null | ValueOperators;

export interface ValueOperators {
  /** deep equality */
  equals?: unknown;
  /** equal to one of these (e.g. a state in a set of allowed states) */
  oneOf?: unknown[];
  /** true: some value must be there (null counts as present); false: same as `absent: true` */
  present?: boolean;
  /** true: the pointer must match nothing (JSONata and hand-written mappings both drop keys silently) */
  absent?: boolean;
  /** a regular expression the value (a string, or a number as text) must match */
  matches?: string;
  /** an array with at least this many elements */
  minItems?: number;
  /** an array of which at least one element meets all these expectations (pointers relative to the element) */
  contains?: Record<string, ValueExpectation>;
}

/** The operator names a case file may use (the loader rejects anything else). */
export const VALUE_OPERATORS = ['equals', 'oneOf', 'present', 'absent', 'matches', 'minItems', 'contains'] as const;

/** One value found at a pointer, with the concrete pointer it came from (wildcards expanded). */
interface Found {
  pointer: string;
  value: unknown;
}

/**
 * Every value a pointer reaches. `*` stands for each element of an array (or each value of an object), so
 * `/productOrderItem/* /state` (without the space) finds every item's state. `''` is the whole document.
 */
export function resolvePointer(document: unknown, pointer: string): Found[] {
  if (pointer === '') return document === undefined ? [] : [{ pointer: '', value: document }];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${JSON.stringify(pointer)}`);
  let current: Found[] = document === undefined ? [] : [{ pointer: '', value: document }];
  for (const raw of pointer.slice(1).split('/')) {
    const next: Found[] = [];
    for (const { pointer: at, value } of current) {
      if (raw === '*') {
        if (Array.isArray(value)) value.forEach((v, i) => next.push({ pointer: `${at}/${i}`, value: v }));
        else if (isRecord(value)) for (const [k, v] of Object.entries(value)) next.push({ pointer: `${at}/${k}`, value: v });
        continue;
      }
      const token = unescapeToken(raw);
      if (Array.isArray(value)) {
        if (!/^(0|[1-9]\d*)$/.test(token)) continue;
        const v = value[Number(token)];
        if (v !== undefined) next.push({ pointer: `${at}/${raw}`, value: v });
      } else if (isRecord(value) && Object.hasOwn(value, token) && value[token] !== undefined) {
        next.push({ pointer: `${at}/${raw}`, value: value[token] });
      }
    }
    current = next;
  }
  return current;
}

/** A value as a short piece of text for failure messages. */
export function showValue(value: unknown, max = 120): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function operatorsOf(expectation: ValueExpectation): ValueOperators {
  return expectation !== null && typeof expectation === 'object' ? expectation : { equals: expectation };
}

/** Human text for an expectation, e.g. `one of "done.ready", "terminatedWithError"`. */
export function describeExpectation(expectation: ValueExpectation): string {
  const ops = operatorsOf(expectation);
  const parts: string[] = [];
  if ('equals' in ops) parts.push(`= ${showValue(ops.equals)}`);
  if (ops.oneOf) parts.push(`one of ${ops.oneOf.map((v) => showValue(v)).join(', ')}`);
  if (ops.present === true) parts.push('present');
  if (ops.absent === true || ops.present === false) parts.push('absent');
  if (ops.matches !== undefined) parts.push(`matches /${ops.matches}/`);
  if (ops.minItems !== undefined) parts.push(`at least ${ops.minItems} item(s)`);
  if (ops.contains) {
    const inner = Object.entries(ops.contains)
      .map(([p, e]) => `${p || '(element)'} ${describeExpectation(e)}`)
      .join(', ');
    parts.push(`contains an element with ${inner}`);
  }
  return parts.join(' and ');
}

/** Problems of one value against the operators (empty = fine); `at` names the pointer in messages. */
function checkOne(at: string, value: unknown, ops: ValueOperators): string[] {
  const out: string[] = [];
  if ('equals' in ops && !isDeepStrictEqual(value, ops.equals))
    out.push(`${at}: expected ${showValue(ops.equals)}, got ${showValue(value)}`);
  if (ops.oneOf && !ops.oneOf.some((candidate) => isDeepStrictEqual(value, candidate))) {
    out.push(`${at}: expected one of ${ops.oneOf.map((v) => showValue(v)).join(', ')}, got ${showValue(value)}`);
  }
  if (ops.matches !== undefined) {
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    if (text === undefined || !new RegExp(ops.matches).test(text))
      out.push(`${at}: expected a value matching /${ops.matches}/, got ${showValue(value)}`);
  }
  if (ops.minItems !== undefined && !(Array.isArray(value) && value.length >= ops.minItems)) {
    out.push(
      `${at}: expected an array of at least ${ops.minItems} item(s), got ${Array.isArray(value) ? `${value.length} item(s)` : showValue(value)}`,
    );
  }
  if (ops.contains) {
    const elements = Array.isArray(value) ? value : [];
    const inner = ops.contains;
    if (!elements.some((element) => checkExpectations(element, inner).length === 0)) {
      out.push(
        `${at}: expected an element with ${Object.entries(inner)
          .map(([p, e]) => `${p || '(element)'} ${describeExpectation(e)}`)
          .join(', ')}; ${Array.isArray(value) ? `none of ${value.length} matches` : `got ${showValue(value)}`}`,
      );
    }
  }
  return out;
}

/**
 * Checks expectations keyed by JSON pointer against a document; returns one readable line per problem.
 * With `*` in a pointer every matched value must meet the expectation; matching nothing is fine (every element of
 * an empty list has any property) unless the expectation is `present: true`. `absent` requires that nothing matches.
 */
export function checkExpectations(document: unknown, expectations: Readonly<Record<string, ValueExpectation>>): string[] {
  const problems: string[] = [];
  for (const [pointer, expectation] of Object.entries(expectations)) {
    const ops = operatorsOf(expectation);
    const found = resolvePointer(document, pointer);
    const at = pointer || '(body)';
    if (ops.absent === true || ops.present === false) {
      for (const f of found) problems.push(`${f.pointer || at}: expected absent, got ${showValue(f.value)}`);
      continue;
    }
    if (found.length === 0) {
      // "every element" of an empty list holds; lists that must not be empty say so with minItems
      if (!pointer.split('/').includes('*') || ops.present === true)
        problems.push(`${at}: expected ${describeExpectation(expectation)}, but nothing is there`);
      continue;
    }
    for (const f of found) problems.push(...checkOne(f.pointer || at, f.value, ops));
  }
  return problems;
}
