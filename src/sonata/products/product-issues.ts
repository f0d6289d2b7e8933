import type { ErrorObject, ValidateFunction } from 'ajv';
import { appendToken, parsePointer } from '../../json/json-pointer.js';

/** One problem in a productConfiguration, as a Sonata Error422 entry. */
export interface ProductIssue {
  code: 'missingProperty' | 'invalidValue' | 'invalidFormat' | 'unexpectedProperty';
  /** JSON pointer into the partner's request */
  propertyPath: string;
  /** readable by the partner's developers, at most 255 characters */
  reason: string;
}

/** Validators of the alternatives of oneOf/anyOf lists, by alternative schema object (compiled at load). */
export type AlternativeValidators = WeakMap<object, ValidateFunction>;

interface DetailedIssue extends ProductIssue {
  keyword: string;
  /** enum/const values, kept so that alternatives rejecting the same field can be merged */
  allowed?: readonly unknown[];
  /** type error: the expected type list */
  types?: readonly string[];
}

const MAX_REASON = 255;

// How a partner's developer knows the formats ajv-formats checks.
const FORMAT_NAMES: Record<string, string> = {
  date: 'date (YYYY-MM-DD)',
  'date-time': 'date-time (RFC 3339, e.g. 2026-03-01T09:30:00Z)',
  time: 'time (RFC 3339, e.g. 09:30:00Z)',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  uri: 'URI',
  'uri-reference': 'URI reference',
  email: 'e-mail address',
  hostname: 'host name',
  uuid: 'UUID',
};

/**
 * Turns Ajv errors (allErrors + verbose) for data found at `pointer` into Sonata issues. A failed oneOf/anyOf
 * is explained by re-validating its alternatives one by one and reporting the closest one, because Ajv's own
 * output lists every alternative's complaints, which reads as nonsense to a partner.
 */
export function describeProductErrors(
  errors: readonly ErrorObject[],
  pointer: string,
  alternatives: AlternativeValidators,
): ProductIssue[] {
  const seen = new Set<string>();
  const out: ProductIssue[] = [];
  for (const d of describeAll(errors, pointer, alternatives, 0)) {
    const key = `${d.code}\u0000${d.propertyPath}\u0000${d.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: d.code, propertyPath: d.propertyPath, reason: d.reason });
  }
  return out;
}

// Alternatives nest (a oneOf inside an alternative of a oneOf); the schemas are finite, but a bound keeps a
// recursive schema from making error reporting expensive.
const MAX_DEPTH = 8;

function describeAll(errors: readonly ErrorObject[], pointer: string, alternatives: AlternativeValidators, depth: number): DetailedIssue[] {
  const kept: Array<ErrorObject | DetailedIssue[]> = [];
  const paths: string[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if ((e.keyword === 'oneOf' || e.keyword === 'anyOf') && depth < MAX_DEPTH) {
      // Ajv leaves the failing alternatives' errors in the list just before the oneOf error itself, all at or
      // below its data: drop them and explain the alternatives afresh.
      while (paths.length && isWithin(paths[paths.length - 1] as string, e.instancePath)) {
        kept.pop();
        paths.pop();
      }
      kept.push(describeAlternatives(e, pointer, alternatives, depth));
      paths.push(e.instancePath);
      continue;
    }
    kept.push(e);
    paths.push(e.instancePath);
  }
  return kept.flatMap((k) => (Array.isArray(k) ? k : [describeError(k, pointer)]));
}

function describeAlternatives(e: ErrorObject, pointer: string, alternatives: AlternativeValidators, depth: number): DetailedIssue[] {
  const at = pointer + e.instancePath;
  const subject = subjectOf(at);
  const listed = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
  const passing = (e.params as { passingSchemas?: unknown }).passingSchemas;
  if (e.keyword === 'oneOf' && Array.isArray(passing)) {
    return [
      issue(
        'oneOf',
        'invalidValue',
        at,
        `${subject} must match exactly one of its ${listed.length} allowed forms, but matches several; add the field that tells them apart`,
      ),
    ];
  }
  const results: DetailedIssue[][] = [];
  for (const alt of listed) {
    const validate = typeof alt === 'object' && alt !== null ? alternatives.get(alt) : undefined;
    if (!validate)
      return [
        issue(
          e.keyword,
          'invalidValue',
          at,
          `${subject} must match ${e.keyword === 'oneOf' ? 'exactly one' : 'at least one'} of its allowed forms`,
        ),
      ];
    if (validate(e.data)) return [];
    results.push(describeAll(validate.errors ?? [], at, alternatives, depth + 1));
  }
  if (!results.length) return [];

  // Every alternative rejects the same field's value (a discriminator such as mapType): one merged enum issue.
  const first = results[0] as DetailedIssue[];
  for (const candidate of first) {
    if (candidate.keyword !== 'enum' && candidate.keyword !== 'const') continue;
    const sameField = results.map((r) =>
      r.find((d) => (d.keyword === 'enum' || d.keyword === 'const') && d.propertyPath === candidate.propertyPath),
    );
    if (sameField.every(Boolean)) {
      const allowed = unique(sameField.flatMap((d) => d?.allowed ?? []));
      return [
        {
          ...issue(
            'enum',
            'invalidValue',
            candidate.propertyPath,
            `${subjectOf(candidate.propertyPath)} must be one of ${listValues(allowed)}`,
          ),
          allowed,
        },
      ];
    }
  }
  // Every alternative wants another type for the value itself: one merged type issue.
  const typeAtRoot = results.map((r) => r.find((d) => d.keyword === 'type' && d.propertyPath === at));
  if (typeAtRoot.every(Boolean)) {
    const types = unique(typeAtRoot.flatMap((d) => d?.types ?? []));
    return [
      {
        ...issue('type', 'invalidFormat', at, `${subject} must be ${describeTypes(types as string[])}`),
        types: types as string[],
      },
    ];
  }
  // Otherwise report the closest alternative: skip those that reject a field's value another alternative
  // accepts (they are the wrong variant), then take the one with the fewest complaints.
  const rejectsAccepted = (r: DetailedIssue[]) =>
    r.some(
      (d) =>
        (d.keyword === 'enum' || d.keyword === 'const') &&
        results.some((other) => other !== r && !other.some((o) => isWithin(o.propertyPath, d.propertyPath))),
    );
  const plausible = results.filter((r) => !rejectsAccepted(r));
  const pool = plausible.length ? plausible : results;
  return pool.reduce((best, r) => (r.length < best.length ? r : best));
}

function describeError(e: ErrorObject, pointer: string): DetailedIssue {
  const at = pointer + e.instancePath;
  const subject = subjectOf(at);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const name = String(p.missingProperty);
      return issue(e.keyword, 'missingProperty', appendToken(at, name), `${name} is required`);
    }
    case 'dependencies': {
      const name = String(p.missingProperty);
      return issue(e.keyword, 'missingProperty', appendToken(at, name), `${name} is required when ${String(p.property)} is present`);
    }
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      return issue(e.keyword, 'unexpectedProperty', appendToken(at, name), `${name} is not a property of ${subject}`);
    }
    case 'false schema':
      return issue(e.keyword, 'unexpectedProperty', at, `${subject} is not allowed here`);
    case 'enum': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [];
      return { ...issue(e.keyword, 'invalidValue', at, `${subject} must be one of ${listValues(allowed)}`), allowed };
    }
    case 'const':
      return {
        ...issue(e.keyword, 'invalidValue', at, `${subject} must be ${formatValue(p.allowedValue)}`),
        allowed: [p.allowedValue],
      };
    case 'type': {
      const types = String(p.type).split(',');
      return { ...issue(e.keyword, 'invalidFormat', at, `${subject} must be ${describeTypes(types)}`), types };
    }
    case 'format':
      return issue(e.keyword, 'invalidFormat', at, `${subject} must be a valid ${FORMAT_NAMES[String(p.format)] ?? String(p.format)}`);
    case 'pattern':
      return issue(e.keyword, 'invalidFormat', at, `${subject} must match the pattern ${String(p.pattern)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return issue(e.keyword, 'invalidValue', at, `${subject} must be ${String(p.comparison)} ${String(p.limit)}`);
    case 'multipleOf':
      return issue(e.keyword, 'invalidValue', at, `${subject} must be a multiple of ${String(p.multipleOf)}`);
    case 'minLength':
      return issue(e.keyword, 'invalidValue', at, `${subject} must be at least ${String(p.limit)} characters long`);
    case 'maxLength':
      return issue(e.keyword, 'invalidValue', at, `${subject} must be at most ${String(p.limit)} characters long`);
    case 'minItems':
      return issue(e.keyword, 'invalidValue', at, `${subject} must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`);
    case 'maxItems':
      return issue(e.keyword, 'invalidValue', at, `${subject} must have at most ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`);
    case 'uniqueItems':
      return issue(
        e.keyword,
        'invalidValue',
        at,
        `${subject} must not repeat items (items ${String(p.j)} and ${String(p.i)} are the same)`,
      );
    case 'minProperties':
      return issue(e.keyword, 'invalidValue', at, `${subject} must have at least ${String(p.limit)} propert${p.limit === 1 ? 'y' : 'ies'}`);
    case 'maxProperties':
      return issue(e.keyword, 'invalidValue', at, `${subject} must have at most ${String(p.limit)} propert${p.limit === 1 ? 'y' : 'ies'}`);
    case 'contains':
      return issue(e.keyword, 'invalidValue', at, `${subject} must contain at least one valid item`);
    case 'not':
      return issue(e.keyword, 'invalidValue', at, `${subject} has a value that is not allowed`);
    case 'propertyNames':
      return issue(e.keyword, 'unexpectedProperty', at, `${subject} has a property whose name is not allowed (${String(p.propertyName)})`);
    default:
      return issue(e.keyword, 'invalidValue', at, `${subject} ${e.message ?? 'is invalid'}`);
  }
}

function issue(keyword: string, code: ProductIssue['code'], propertyPath: string, reason: string): DetailedIssue {
  return { keyword, code, propertyPath, reason: truncate(reason) };
}

/** The name a partner knows a value by: its property name, or `name[i]` for an array element. */
export function subjectOf(pointer: string): string {
  const parts = parsePointer(pointer);
  let name = '';
  while (parts.length) {
    const last = parts.pop() as string;
    if (/^(0|[1-9][0-9]*)$/.test(last) && parts.length) {
      name = `[${last}]${name}`;
      continue;
    }
    return `${last}${name}`;
  }
  return `productConfiguration${name}`;
}

function describeTypes(types: readonly string[]): string {
  const named = types.map(
    (t) =>
      ({
        object: 'an object',
        array: 'an array',
        integer: 'an integer',
        string: 'a string',
        number: 'a number',
        boolean: 'true or false',
        null: 'null',
      })[t] ?? t,
  );
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} or ${named[named.length - 1] as string}` : (named[0] ?? 'valid');
}

function listValues(values: readonly unknown[]): string {
  return values.map(formatValue).join(', ');
}

function formatValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Is `path` the same as, or below, `prefix` (both JSON pointers)? */
function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function truncate(reason: string): string {
  return reason.length <= MAX_REASON ? reason : `${reason.slice(0, MAX_REASON - 1)}…`;
}
