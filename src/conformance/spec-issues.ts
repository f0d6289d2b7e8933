import type { ErrorObject } from 'ajv';
import { escapeToken } from '../json/json-pointer.js';
import type { SpecIssue } from './spec-types.js';

// Wrapper errors that only repeat that a nested schema failed; the nested errors already say where and why.
// (A oneOf that failed because several branches matched has no nested errors, so it is kept.)
function isWrapper(error: ErrorObject): boolean {
  if (error.keyword === 'if' || error.keyword === 'anyOf') return true;
  return error.keyword === 'oneOf' && (error.params as { passingSchemas?: unknown }).passingSchemas == null;
}

function issueFor(error: ErrorObject): SpecIssue {
  const params = error.params as Record<string, unknown>;
  const base = error.instancePath;
  switch (error.keyword) {
    case 'required':
      // point at the missing property itself, as Sonata's Error422.propertyPath does for missingProperty
      return {
        path: `${base}/${escapeToken(String(params.missingProperty))}`,
        message: `must have required property '${String(params.missingProperty)}'`,
        keyword: 'required',
      };
    case 'additionalProperties':
      return {
        path: `${base}/${escapeToken(String(params.additionalProperty))}`,
        message: 'is not an allowed property',
        keyword: 'additionalProperties',
      };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return {
        path: base,
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
        keyword: 'enum',
      };
    }
    case 'const':
      return { path: base, message: `must be ${JSON.stringify(params.allowedValue)}`, keyword: 'const' };
    case 'format':
      return { path: base, message: `must match format "${String(params.format)}"`, keyword: 'format' };
    default:
      return { path: base, message: error.message ?? `fails "${error.keyword}"`, keyword: error.keyword };
  }
}

/**
 * Turns ajv errors into SpecIssues: JSON pointers into the validated value, one issue per distinct problem
 * (the discriminator dispatch can reach the same subschema twice, so duplicates are dropped).
 */
export function mapAjvErrors(errors: readonly ErrorObject[] | null | undefined): SpecIssue[] {
  if (!errors) return [];
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const error of errors) {
    if (isWrapper(error)) continue;
    const issue = issueFor(error);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
