import type { ErrorObject, ValidateFunction } from 'ajv';
import { isRecord } from '../json/unknown-values.js';

/**
 * Largest body (counted in JSON values) whose full list of problems is computed. ajv's allErrors mode costs
 * grow faster than linearly with the number of problems (60,000 wrong items took 7 s in one spec schema), so a
 * larger refused body is answered with the problem the fail-fast pass found and a note that the rest was not
 * checked. Valid bodies never pay for the full pass.
 */
export const FULL_REPORT_MAX_NODES = 20_000;

/** What a bounded validation found: nothing (valid), or problems and whether the list is complete. */
export type BoundedResult = { valid: true } | { valid: false; errors: readonly ErrorObject[]; complete: boolean };

/** A validator that is fail-fast on every body and lists all problems only for bodies of a bounded size. */
export type BoundedValidator = (value: unknown) => BoundedResult;

/**
 * Pairs a fail-fast validator (ajv `allErrors: false`) with a lazily compiled full one (`allErrors: true`) of the
 * same schema: the fast one decides, the full one explains a refusal when the body is small enough to afford it.
 */
export function createBoundedValidator(
  fast: ValidateFunction,
  full: () => ValidateFunction,
  maxNodes = FULL_REPORT_MAX_NODES,
): BoundedValidator {
  let fullValidator: ValidateFunction | undefined;
  return (value) => {
    if (fast(value)) return { valid: true };
    if (countNodes(value, maxNodes) > maxNodes) return { valid: false, errors: fast.errors ?? [], complete: false };
    fullValidator ??= full();
    if (fullValidator(value)) return { valid: false, errors: fast.errors ?? [], complete: true };
    return { valid: false, errors: fullValidator.errors ?? [], complete: true };
  };
}

/** Counts the JSON values in `value`, without recursion, stopping once the count passes `limit`. */
export function countNodes(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++count > limit) return count;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (isRecord(v)) for (const key in v) stack.push(v[key]);
  }
  return count;
}

/** The reason given for a refused body whose further problems were not looked for. */
export const INCOMPLETE_REPORT_REASON =
  'further problems were not checked: the body is too large for a full report; fix this one and send it again';
