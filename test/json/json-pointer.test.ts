import { describe, expect, it } from 'vitest';
import { appendToken, escapeToken, formatPointer, parsePointer, unescapeToken } from '../../src/json/json-pointer.js';

describe('JSON pointer (RFC 6901)', () => {
  it('escapes ~ before / so a key with both round-trips', () => {
    expect(escapeToken('a/b~c')).toBe('a~1b~0c');
    expect(unescapeToken('a~1b~0c')).toBe('a/b~c');
    // "~01" is an escaped "~" followed by "1", never a "/"
    expect(unescapeToken('~01')).toBe('~1');
    for (const key of ['', '~', '/', '~1', '~0/', 'plain', 'a//b']) expect(unescapeToken(escapeToken(key))).toBe(key);
  });

  it('parses and formats whole pointers; the empty pointer is the document', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/productOrderItem/0/product/place')).toEqual(['productOrderItem', '0', 'product', 'place']);
    expect(parsePointer('/a~1b/~0')).toEqual(['a/b', '~']);
    expect(parsePointer('/')).toEqual(['']);
    expect(formatPointer([])).toBe('');
    expect(formatPointer(['items', 3, 'a/b'])).toBe('/items/3/a~1b');
    expect(appendToken('/items', 'x~y')).toBe('/items/x~0y');
    const pointers = ['/a~1b/~0/0', '/x', ''];
    for (const p of pointers) expect(formatPointer(parsePointer(p))).toBe(p);
  });
});
