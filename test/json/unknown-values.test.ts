import { describe, expect, it } from 'vitest';
import { asRecord, errorMessage, isRecord, recordOrUndefined, recordsOrUndefined } from '../../src/json/unknown-values.js';

describe('typed readers of unknown JSON', () => {
  it('a record is a plain object: not null, not an array', () => {
    expect([{}, { a: 1 }].every(isRecord)).toBe(true);
    expect([null, [], 'x', 1, undefined].some(isRecord)).toBe(false);
    expect(recordOrUndefined([{ a: 1 }])).toBeUndefined();
    expect(asRecord('x')).toEqual({});
  });

  it("an array's items read as objects keep their indexes: an item that is none is empty, so a pointer /items/2 still names the third", () => {
    expect(recordsOrUndefined([{ id: 'a' }, 7, null, { id: 'd' }])).toEqual([{ id: 'a' }, {}, {}, { id: 'd' }]);
    expect(recordsOrUndefined({ id: 'a' })).toBeUndefined();
    expect(recordsOrUndefined(undefined)).toBeUndefined();
  });

  it("a thrown value's message: an Error's, an error-like object's, or the value in text", () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage({ message: 'shaped' })).toBe('shaped');
    expect(errorMessage(42)).toBe('42');
  });
});
