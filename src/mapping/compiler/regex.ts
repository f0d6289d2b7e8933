/* eslint-disable @typescript-eslint/no-explicit-any */
import { jsonataError } from './runtime.js';

/*
 * A regex literal evaluates to a matcher function, as in the interpreter: `matcher(str, fromIndex)` returns
 * `{ match, start, end, groups, next }` or undefined; `next()` continues after the match and refuses (D1004) a
 * pattern that only matches the empty string. $match, $contains, $replace and $split consume it.
 */

export function createRegexMatcher(node: { value: RegExp; position?: number }): (str: string, fromIndex?: number) => any {
  const re = new RegExp(node.value);
  const matcher = function (str: string, fromIndex?: number): any {
    let result: any;
    re.lastIndex = fromIndex || 0;
    const match = re.exec(str);
    if (match !== null) {
      result = { match: match[0], start: match.index, end: match.index + match[0].length, groups: [] as unknown[] };
      for (let i = 1; i < match.length; i++) result.groups.push(match[i]);
      result.next = function () {
        if (re.lastIndex >= str.length) return undefined;
        const next = matcher(str, re.lastIndex);
        if (next && next.match === '') throw jsonataError('D1004', { position: node.position, value: node.value.source });
        return next;
      };
    }
    return result;
  };
  return matcher;
}
