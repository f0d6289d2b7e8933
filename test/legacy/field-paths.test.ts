import { describe, expect, it } from 'vitest';
import { fieldPathProblem, legacyFieldToPointer, readLegacyFieldPaths } from '../../src/registry/field-paths.js';

const paths = {
  CUST_ORDER_REF: '/externalId',
  'LINES[*].BW_MBPS': '/productOrderItem/*/product/productConfiguration',
  'LINES[*].PARTS[*].QTY': '/productOrderItem/*/parts/*/quantity',
  'LINES[0].SPECIAL': '/firstItemOnly',
};

describe('legacy refused fields to the partner property (legacyFieldPaths)', () => {
  it('maps an exact name', () => {
    expect(legacyFieldToPointer(paths, 'CUST_ORDER_REF')).toBe('/externalId');
  });
  it('gives the line index of LINES[*] to the pointer, on any line number (no unrolled 0..19)', () => {
    expect(legacyFieldToPointer(paths, 'LINES[0].BW_MBPS')).toBe('/productOrderItem/0/product/productConfiguration');
    expect(legacyFieldToPointer(paths, 'LINES[137].BW_MBPS')).toBe('/productOrderItem/137/product/productConfiguration');
  });
  it("pairs several [*] with the pointer's * in order", () => {
    expect(legacyFieldToPointer(paths, 'LINES[3].PARTS[12].QTY')).toBe('/productOrderItem/3/parts/12/quantity');
  });
  it('prefers an exact entry over a pattern', () => {
    expect(legacyFieldToPointer({ ...paths, 'LINES[2].BW_MBPS': '/special' }, 'LINES[2].BW_MBPS')).toBe('/special');
    expect(legacyFieldToPointer(paths, 'LINES[0].SPECIAL')).toBe('/firstItemOnly');
  });
  it('answers undefined for what no entry names', () => {
    for (const field of ['LINES[1].SPECIAL', 'LINES[x].BW_MBPS', 'LINES[1].BW_MBPS_X', 'XLINES[1].BW_MBPS', 'LINES[1]', 'OTHER']) {
      expect(legacyFieldToPointer(paths, field), field).toBeUndefined();
    }
  });
  it('a pattern whose [*] and * do not pair up is a load problem', () => {
    expect(fieldPathProblem('LINES[*].BW_MBPS', '/productOrderItem/*/x')).toBeUndefined();
    expect(fieldPathProblem('LINES[*].BW_MBPS', '/productOrderItem/0/x')).toMatch(/1 \[\*\] but its pointer .* has 0 \* segments/);
    expect(fieldPathProblem('CUST_ORDER_REF', '/items/*')).toMatch(/0 \[\*\]/);
  });
});

describe('legacyFieldPaths as written: partner pointer -> legacy field(s)', () => {
  it('turns the table round, a list giving each of its fields the one pointer', () => {
    const read = readLegacyFieldPaths({
      '/externalId': 'CUST_ORDER_REF',
      '/relatedContactInformation': ['CONTACT_NAME', 'CONTACT_PHONE'],
      '/productOrderItem/*/product/place': ['LINES[*].ADDR_KEY', 'LINES[*].SITE_ID'],
    });
    expect(read.problems).toEqual([]);
    expect(read.paths).toEqual({
      CUST_ORDER_REF: '/externalId',
      CONTACT_NAME: '/relatedContactInformation',
      CONTACT_PHONE: '/relatedContactInformation',
      'LINES[*].ADDR_KEY': '/productOrderItem/*/product/place',
      'LINES[*].SITE_ID': '/productOrderItem/*/product/place',
    });
    expect(legacyFieldToPointer(read.paths, 'LINES[4].SITE_ID')).toBe('/productOrderItem/4/product/place');
  });
  it('names what is wrong with an entry, by its key', () => {
    const read = readLegacyFieldPaths({
      CUST_ORDER_REF: '/externalId',
      REASON: 'x',
      '/a': ['NOTE', 'bad name'],
      '/b': 'NOTE',
      '/items/0/x': 'LINES[*].X',
    });
    expect(read.problems).toEqual([
      {
        key: 'CUST_ORDER_REF',
        message: expect.stringMatching(/^"CUST_ORDER_REF" is no JSON pointer: .*: write it `\/externalId: CUST_ORDER_REF`$/),
      },
      { key: 'REASON', message: expect.not.stringMatching(/write it/) },
      { key: '/a', message: '"bad name" is no legacy field name (NAME, LINES[*].NAME, LINES[0].NAME...)' },
      { key: '/b', message: '"NOTE" is named under /a too: a legacy field comes from one pointer' },
      { key: '/items/0/x', message: expect.stringMatching(/1 \[\*\] but its pointer \/items\/0\/x has 0 \* segments/) },
    ]);
    expect(read.paths).toEqual({ NOTE: '/a' });
  });
});
