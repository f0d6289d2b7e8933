/* eslint-disable @typescript-eslint/no-explicit-any */
import jsonata from 'jsonata';
import { parseSignature } from '../jsonata-ast.js';
import { hofFuncArgs } from './apply.js';
import {
  Frame,
  createSequence,
  getFunctionArity,
  isArrayOfNumbers,
  isArrayOfStrings,
  isFunction,
  jsonataError,
  keysOf,
  toBoolean,
} from './runtime.js';

/*
 * JSONata's standard library for compiled code. The synchronous functions are the reference implementations
 * themselves, with their signatures (argument validation with the same T0410/T0411/T0412 errors): the `jsonata`
 * package does not export them, so they are read once, at module load, from an evaluation that returns them.
 * The ones that are asynchronous in jsonata 2.2.2 (they call functions or regex matchers) are written here
 * synchronously with the same semantics, error codes and parameter lists (partial application and arity read
 * the parameter names and count).
 */

const NAMES = [
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
] as const;

const reference = (await jsonata(`{ ${NAMES.map((name) => `"${name}": $${name}`).join(', ')} }`).evaluate({})) as Record<string, any>;

function evaluateMatcher(this: any, matcher: any, str?: string): any {
  const result = matcher.apply(this, [str]);
  if (result && !(typeof result.start === 'number' || result.end === 'number' || Array.isArray(result.groups) || isFunction(result.next))) {
    throw jsonataError('T1010');
  }
  return result;
}

function contains(this: any, str: any, token: any): any {
  if (typeof str === 'undefined' || typeof token === 'undefined') return undefined;
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  const matches = evaluateMatcher.call(this, token, str);
  return typeof matches !== 'undefined';
}

function match(this: any, str: any, regex: any, limit: any): any {
  if (typeof str === 'undefined') return undefined;
  if (limit < 0) throw jsonataError('D3040', { value: limit, index: 3 });
  const result = this.createSequence();
  if (typeof limit === 'undefined' || limit > 0) {
    let count = 0;
    let matches = evaluateMatcher.call(this, regex, str);
    while (typeof matches !== 'undefined' && (typeof limit === 'undefined' || count < limit)) {
      result.push({ match: matches.match, index: matches.start, groups: matches.groups });
      matches = evaluateMatcher.call(this, matches.next);
      count++;
    }
  }
  return result;
}

function substituteGroups(replacement: string, regexMatch: any): string {
  let substitute = '';
  let position = 0;
  let index = replacement.indexOf('$', position);
  while (index !== -1 && position < replacement.length) {
    substitute += replacement.substring(position, index);
    position = index + 1;
    const dollarVal = replacement.charAt(position);
    if (dollarVal === '$') {
      substitute += '$';
      position++;
    } else if (dollarVal === '0') {
      substitute += regexMatch.match;
      position++;
    } else {
      const maxDigits = regexMatch.groups.length === 0 ? 1 : Math.floor(Math.log(regexMatch.groups.length) * Math.LOG10E) + 1;
      index = parseInt(replacement.substring(position, position + maxDigits), 10);
      if (maxDigits > 1 && index > regexMatch.groups.length)
        index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
      if (!isNaN(index)) {
        if (regexMatch.groups.length > 0) {
          const submatch = regexMatch.groups[index - 1];
          if (typeof submatch !== 'undefined') substitute += submatch;
        }
        position += index.toString().length;
      } else {
        substitute += '$';
      }
    }
    index = replacement.indexOf('$', position);
  }
  return substitute + replacement.substring(position);
}

function replace(this: any, str: any, pattern: any, replacement: any, limit: any): any {
  if (typeof str === 'undefined') return undefined;
  if (pattern === '') throw jsonataError('D3010', { value: pattern, index: 2 });
  if (limit < 0) throw jsonataError('D3011', { value: limit, index: 4 });
  const replacer = typeof replacement === 'string' ? (regexMatch: any) => substituteGroups(replacement, regexMatch) : replacement;
  let result = '';
  let position = 0;
  if (typeof limit === 'undefined' || limit > 0) {
    let count = 0;
    if (typeof pattern === 'string') {
      let index = str.indexOf(pattern, position);
      while (index !== -1 && (typeof limit === 'undefined' || count < limit)) {
        result += str.substring(position, index);
        result += replacement;
        position = index + pattern.length;
        count++;
        index = str.indexOf(pattern, position);
      }
      result += str.substring(position);
    } else {
      let matches = evaluateMatcher.call(this, pattern, str);
      if (typeof matches !== 'undefined') {
        while (typeof matches !== 'undefined' && (typeof limit === 'undefined' || count < limit)) {
          result += str.substring(position, matches.start);
          const replacedWith = replacer.apply(this, [matches]);
          if (typeof replacedWith === 'string') result += replacedWith;
          else throw jsonataError('D3012', { value: replacedWith });
          position = matches.start + matches.match.length;
          count++;
          matches = evaluateMatcher.call(this, matches.next);
        }
        result += str.substring(position);
      } else {
        result = str;
      }
    }
  } else {
    result = str;
  }
  return result;
}

function split(this: any, str: any, separator: any, limit: any): any {
  if (typeof str === 'undefined') return undefined;
  if (limit < 0) throw jsonataError('D3020', { value: limit, index: 3 });
  let result: any[] = [];
  if (typeof limit === 'undefined' || limit > 0) {
    if (typeof separator === 'string') {
      result = str.split(separator, limit);
    } else {
      let count = 0;
      let matches = evaluateMatcher.call(this, separator, str);
      if (typeof matches !== 'undefined') {
        let start = 0;
        while (typeof matches !== 'undefined' && (typeof limit === 'undefined' || count < limit)) {
          result.push(str.substring(start, matches.start));
          start = matches.end;
          matches = evaluateMatcher.call(this, matches.next);
          count++;
        }
        if (typeof limit === 'undefined' || count < limit) result.push(str.substring(start));
      } else {
        result.push(str);
      }
    }
  }
  return result;
}

function map(this: any, arr: any, func: any): any {
  if (typeof arr === 'undefined') return undefined;
  const result = this.createSequence();
  for (let i = 0; i < arr.length; i++) {
    const res = func.apply(this, hofFuncArgs(func, arr[i], i, arr));
    if (typeof res !== 'undefined') result.push(res);
  }
  return result;
}

function filter(this: any, arr: any, func: any): any {
  if (typeof arr === 'undefined') return undefined;
  const result = this.createSequence();
  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    if (toBoolean(func.apply(this, hofFuncArgs(func, entry, i, arr)))) result.push(entry);
  }
  return result;
}

function single(this: any, arr: any, func: any): any {
  if (typeof arr === 'undefined') return undefined;
  let hasFoundMatch = false;
  let result;
  for (let i = 0; i < arr.length; i++) {
    const entry = arr[i];
    let positiveResult: boolean | undefined = true;
    if (typeof func !== 'undefined') positiveResult = toBoolean(func.apply(this, hofFuncArgs(func, entry, i, arr)));
    if (positiveResult) {
      if (hasFoundMatch) throw jsonataError('D3138', { index: i });
      result = entry;
      hasFoundMatch = true;
    }
  }
  if (!hasFoundMatch) throw jsonataError('D3139');
  return result;
}

function foldLeft(this: any, sequence: any, func: any, init: any): any {
  if (typeof sequence === 'undefined') return undefined;
  const arity = getFunctionArity(func);
  if (arity < 2) throw jsonataError('D3050', { index: 1 });
  let result;
  let index;
  if (typeof init === 'undefined' && sequence.length > 0) {
    result = sequence[0];
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  while (index < sequence.length) {
    const args: any[] = [result, sequence[index]];
    if (arity >= 3) args.push(index);
    if (arity >= 4) args.push(sequence);
    result = func.apply(this, args);
    index++;
  }
  return result;
}

function each(this: any, obj: any, func: any): any {
  const result = this.createSequence();
  for (const key of keysOf(obj)) {
    const val = func.apply(this, hofFuncArgs(func, obj[key], key, obj));
    if (typeof val !== 'undefined') result.push(val);
  }
  return result;
}

function sift(this: any, arg: any, func: any): any {
  const result: Record<string, unknown> = {};
  let found = false;
  for (const item of keysOf(arg)) {
    const entry = arg[item];
    if (toBoolean(func.apply(this, hofFuncArgs(func, entry, item, arg)))) {
      if (item === '__proto__') Object.defineProperty(result, item, { value: entry, enumerable: true, writable: true, configurable: true });
      else result[item] = entry;
      found = true;
    }
  }
  return found ? result : undefined;
}

/** Stable merge sort; `comp(a, b)` true means b goes first. Same splits and merges as the reference. */
export function mergeSort(array: any[], comp: (a: any, b: any) => any): any[] {
  if (array.length <= 1) return array;
  const middle = Math.floor(array.length / 2);
  const left = mergeSort(array.slice(0, middle), comp);
  const right = mergeSort(array.slice(middle), comp);
  const merged = [];
  let l = 0;
  let r = 0;
  while (l < left.length && r < right.length) {
    if (comp(left[l], right[r])) merged.push(right[r++]);
    else merged.push(left[l++]);
  }
  while (l < left.length) merged.push(left[l++]);
  while (r < right.length) merged.push(right[r++]);
  return merged;
}

function sort(this: any, arr: any, comparator: any): any {
  if (typeof arr === 'undefined') return undefined;
  if (arr.length <= 1) return arr;
  let comp;
  if (typeof comparator === 'undefined') {
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw jsonataError('D3070', { index: 1 });
    comp = (a: any, b: any) => a > b;
  } else {
    comp = comparator;
  }
  return mergeSort(arr, comp);
}

function withImplementation(name: string, implementation: (...args: any[]) => any): any {
  return { _jsonata_function: true, implementation, signature: reference[name].signature };
}

/** Default `$now()`/`$millis()`: the evaluation's timestamp (the gateway binds its own clock instead). */
function now(this: any, picture: any, timezone: any): any {
  return reference.fromMillis.implementation.call(this, timestampOf(this), picture, timezone);
}

function millis(this: any): any {
  return timestampOf(this);
}

function timestampOf(focus: { environment: Frame }): number {
  // taken at the first use and fixed for the rest of the evaluation, as JSONata documents
  return focus.environment.timestamp.getTime();
}

/**
 * The frame of JSONata's standard functions, shared by every compiled expression. `evalImplementation` is
 * $eval, which needs the compiler (passed in to keep the modules acyclic).
 */
export function createStandardFrame(evalImplementation: (expr: any, focus: any) => any): Frame {
  const frame = new Frame(undefined);
  for (const name of NAMES) frame.bind(name, reference[name]);
  const rewritten: Record<string, (...args: any[]) => any> = {
    contains,
    match,
    replace,
    split,
    map,
    filter,
    single,
    reduce: foldLeft,
    sift,
    each,
    sort,
    eval: evalImplementation,
  };
  for (const [name, implementation] of Object.entries(rewritten)) frame.bind(name, withImplementation(name, implementation));
  frame.bind('now', { _jsonata_function: true, implementation: now, signature: parseSignature('<s?s?:s>') });
  frame.bind('millis', { _jsonata_function: true, implementation: millis, signature: parseSignature('<:n>') });
  return frame;
}

export { createSequence };

/** $string(arg): JSON text of a value (the `&` operator's conversion). */
export function stringOf(arg: unknown): string {
  return reference.string.implementation(arg) as string;
}
