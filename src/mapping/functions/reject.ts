import { CONFLICT_CODE, NOT_FOUND_CODE, REJECTION_CODES } from '../errors.js';
import { EvaluationFault } from '../evaluation-context.js';
import type { MappingFunction } from './mapping-function.js';

/**
 * `conflict`: the input was made against another version of the resource (answered 409, not 422); `notFound`: the
 * resource asked for is not this partner's to see (answered 404).
 */
const CODES: ReadonlySet<string> = new Set([...REJECTION_CODES, CONFLICT_CODE, NOT_FOUND_CODE]);

/**
 * `$reject(code, propertyPath, reason)`: refuse the partner's input; the caller answers 422 with
 * this one entry (409 conflict for the code `conflict`, 404 for `notFound`). A bad code or path is a mapping bug, reported as an
 * evaluation error instead.
 */
function reject(code: unknown, propertyPath: unknown, reason: unknown): never {
  if (typeof code !== 'string' || !CODES.has(code)) {
    throw new EvaluationFault('evaluate', `$reject: code must be one of ${[...CODES].join(', ')}, got ${JSON.stringify(code)}`);
  }
  if (typeof propertyPath !== 'string' || (propertyPath !== '' && !propertyPath.startsWith('/'))) {
    throw new EvaluationFault(
      'evaluate',
      `$reject: propertyPath must be a JSON pointer such as "/a/b", got ${JSON.stringify(propertyPath)}`,
    );
  }
  const text = typeof reason === 'string' && reason !== '' ? reason : `${code} at ${propertyPath || '/'}`;
  throw new EvaluationFault('rejected', `${code} ${propertyPath || '/'}: ${text}`, {
    rejection: { code, propertyPath, reason: text },
  });
}

export const rejectFunctions: readonly MappingFunction[] = [{ name: 'reject', implementation: reject, signature: '<sss?:x>' }];
