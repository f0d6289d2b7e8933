import { describe, expect, it } from 'vitest';
import { fieldPathProblem, legacyFieldToPointer } from '../../src/registry/field-paths.js';

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
