/* eslint-disable @typescript-eslint/no-explicit-any */
import { isDeepEqual, isNumeric, jsonataError, sequenceOf } from './runtime.js';
import { stringOf as STRING } from './stdlib.js';

/*
 * JSONata's binary operators (other than `and`/`or`, which short-circuit in the compiled node): arithmetic,
 * equality, comparison, `&`, the `..` range and `in`, with the interpreter's type errors (T2001/T2002, T2009/T2010,
 * T2003/T2004, D2014). The caller stamps the operator's position and token on an error.
 */

export function evaluateBinaryOperator(op: string, lhs: any, rhs: any): any {
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return numeric(lhs, rhs, op);
    case '=':
      return typeof lhs === 'undefined' || typeof rhs === 'undefined' ? false : isDeepEqual(lhs, rhs);
    case '!=':
      return typeof lhs === 'undefined' || typeof rhs === 'undefined' ? false : !isDeepEqual(lhs, rhs);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return comparison(lhs, rhs, op);
    case '&':
      return (typeof lhs === 'undefined' ? '' : STRING(lhs)) + (typeof rhs === 'undefined' ? '' : STRING(rhs));
    case '..':
      return range(lhs, rhs);
    case 'in':
      return includes(lhs, rhs);
    default:
      return undefined;
  }
}

function numeric(lhs: any, rhs: any, op: string): any {
  if (typeof lhs !== 'undefined' && !isNumeric(lhs)) throw jsonataError('T2001', { value: lhs });
  if (typeof rhs !== 'undefined' && !isNumeric(rhs)) throw jsonataError('T2002', { value: rhs });
  if (typeof lhs === 'undefined' || typeof rhs === 'undefined') return undefined;
  switch (op) {
    case '+':
      return lhs + rhs;
    case '-':
      return lhs - rhs;
    case '*':
      return lhs * rhs;
    case '/':
      return lhs / rhs;
    default:
      return lhs % rhs;
  }
}

function comparison(lhs: any, rhs: any, op: string): any {
  const ltype = typeof lhs;
  const rtype = typeof rhs;
  const lcomparable = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
  const rcomparable = rtype === 'undefined' || rtype === 'string' || rtype === 'number';
  if (!lcomparable || !rcomparable) {
    throw jsonataError('T2010', { value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs });
  }
  if (ltype === 'undefined' || rtype === 'undefined') return undefined;
  if (ltype !== rtype) throw jsonataError('T2009', { value: lhs, value2: rhs });
  switch (op) {
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    default:
      return lhs >= rhs;
  }
}

function range(lhs: any, rhs: any): any {
  if (typeof lhs !== 'undefined' && !Number.isInteger(lhs)) throw jsonataError('T2003', { value: lhs });
  if (typeof rhs !== 'undefined' && !Number.isInteger(rhs)) throw jsonataError('T2004', { value: rhs });
  if (typeof lhs === 'undefined' || typeof rhs === 'undefined') return undefined;
  if (lhs > rhs) return undefined;
  const size = rhs - lhs + 1;
  if (size > 1e7) throw jsonataError('D2014', { value: size });
  const result: any = new Array(size);
  for (let item = lhs, index = 0; item <= rhs; item++, index++) result[index] = item;
  result.sequence = true;
  return result;
}

function includes(lhs: any, rhs: any): boolean {
  if (typeof lhs === 'undefined' || typeof rhs === 'undefined') return false;
  if (!Array.isArray(rhs)) rhs = sequenceOf(rhs);
  for (let i = 0; i < rhs.length; i++) if (rhs[i] === lhs) return true;
  return false;
}
