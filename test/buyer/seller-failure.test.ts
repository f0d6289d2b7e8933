import { describe, expect, it } from 'vitest';
import { BuyerError, renderBuyerError } from '../../src/buyer/buyer-errors.js';
import { classifySellerFailure, mapPropertyPath, pointerToLegacyField, type SellerFailure } from '../../src/buyer/seller-failure.js';

const FIELDS = {
  '/quoteItem/*/product/productConfiguration': 'LINES[*].PROD_CODE',
  '/quoteItem/*/product/productConfiguration/bandwidthMbps': 'LINES[*].BW_MBPS',
  '/quoteItem/*/product/place': 'LINES[*].SELLER_ADDR_ID',
  '/externalId': 'REQ_REF',
};
const create = {
  seller: 'northwind-access',
  action: 'product order',
  safeToRetry: false,
  fieldPaths: FIELDS,
  checkHint: 'Check with GET /x.',
};
const read = { ...create, action: 'order retrieval', safeToRetry: true };
const classify = (f: SellerFailure, ctx = create) => classifySellerFailure(f, ctx);

describe('classifySellerFailure', () => {
  it('unreachable or no token: RC 12, nothing was done, even for a create', () => {
    for (const f of [
      { kind: 'connect', detail: 'ECONNREFUSED' },
      { kind: 'token', detail: 'HTTP 401' },
      { kind: 'not-configured', detail: 'no simulator' },
    ] as const) {
      const e = classify(f);
      expect(e).toMatchObject({ rc: 12, outcome: 'NOT_DONE', seller: 'northwind-access', field: null });
    }
    expect(classify({ kind: 'connect', detail: 'ECONNREFUSED' }).message).toBe(
      'seller northwind-access is not reachable (ECONNREFUSED); nothing was sent, try again later',
    );
  });

  it('a timeout, a broken connection or an unreadable answer of a create: outcome UNKNOWN, with the check hint', () => {
    const cases: SellerFailure[] = [
      { kind: 'timeout', detail: 'aborted', afterMs: 700 },
      { kind: 'reset', detail: 'ECONNRESET' },
      { kind: 'bad-body', status: 201, detail: 'not JSON' },
    ];
    for (const f of cases) {
      const e = classify(f);
      expect(e).toMatchObject({ rc: 12, outcome: 'UNKNOWN' });
      expect(e.message).toMatch(
        /the outcome is unknown, the product order may or may not have taken effect at northwind-access\. Check with GET \/x\.$/,
      );
    }
    expect(classify(cases[0]!).code).toBe('seller.timeout');
    expect(classify(cases[2]!).code).toBe('seller.unreadable-answer');
  });

  it('the same failures of a read: nothing happened, try again', () => {
    const e = classify({ kind: 'timeout', detail: 'aborted', afterMs: 700 }, read);
    expect(e).toMatchObject({ rc: 12, outcome: 'NOT_DONE', code: 'seller.timeout' });
    expect(e.message).toBe('seller northwind-access did not answer the order retrieval within 700 ms; try again later');
  });

  it('422: RC 8 naming the legacy field of the first issue that maps, listing every issue', () => {
    const e = classify({
      kind: 'http',
      status: 422,
      error: [
        { code: 'invalidValue', propertyPath: '/note', reason: 'too long' },
        {
          code: 'invalidValue',
          propertyPath: '/quoteItem/2/product/productConfiguration/bandwidthMbps',
          reason: 'not sold',
        },
        { code: 'referenceNotFound', propertyPath: '/quoteItem/0/product/place/0/id', reason: 'unknown address' },
      ],
    });
    expect(e).toMatchObject({ rc: 8, field: 'LINES[2].BW_MBPS', code: 'seller.rejected-input', outcome: 'NOT_DONE' });
    expect(e.message).toBe(
      'seller northwind-access refused the product order: /note: too long; /quoteItem/2/product/productConfiguration/bandwidthMbps: not sold (LINES[2].BW_MBPS); /quoteItem/0/product/place/0/id: unknown address (LINES[0].SELLER_ADDR_ID)',
    );
    expect(classify({ kind: 'http', status: 422, error: [{ code: 'otherIssue', propertyPath: '/note', reason: 'no' }] }).field).toBeNull();
  });

  it('other statuses: 404 -> RC 4, 409 -> RC 8, 400/401/403/501/5xx -> RC 12, each saying what the seller said', () => {
    const http = (status: number, error?: { code?: string; reason?: string }) => classify({ kind: 'http', status, error });
    expect(http(404, { code: 'notFound', reason: 'no order PO-1' })).toMatchObject({
      rc: 4,
      code: 'seller.not-found',
      message: 'seller northwind-access does not know it: product order answered not found (notFound: no order PO-1)',
    });
    expect(http(409)).toMatchObject({ rc: 8, code: 'seller.conflict', field: null });
    expect(http(400, { code: 'invalidBody', reason: 'bad' })).toMatchObject({ rc: 12, code: 'seller.bad-request' });
    expect(http(400).message).toMatch(/gateway fault/);
    expect(http(401)).toMatchObject({ rc: 12, code: 'seller.credentials' });
    expect(http(403)).toMatchObject({ rc: 12, code: 'seller.credentials' });
    expect(http(501)).toMatchObject({ rc: 12, code: 'seller.not-implemented' });
    expect(http(503, { reason: 'maintenance' })).toMatchObject({
      rc: 12,
      code: 'seller.system-error',
      message: 'seller northwind-access failed the product order with HTTP 503 (maintenance); try again later',
    });
    expect(http(302)).toMatchObject({ rc: 12, code: 'seller.unexpected-status' });
  });

  it('renders in the legacy BSS envelope with RC and MSG first and no field omitted', () => {
    const rendered = renderBuyerError(new BuyerError(8, 'no', { code: 'x', field: 'LINES[0].BW_MBPS' }));
    expect(Object.keys(rendered)).toEqual(['RC', 'MSG', 'ERR_FIELD', 'SELLER', 'ERR_CODE', 'OUTCOME']);
    expect(rendered).toEqual({
      RC: 8,
      MSG: 'no',
      ERR_FIELD: 'LINES[0].BW_MBPS',
      SELLER: null,
      ERR_CODE: 'x',
      OUTCOME: null,
    });
  });
});

describe('mapPropertyPath', () => {
  it('takes the longest matching prefix and carries the array index into the legacy field', () => {
    expect(mapPropertyPath(FIELDS, '/quoteItem/3/product/productConfiguration/bandwidthMbps')).toBe('LINES[3].BW_MBPS');
    expect(mapPropertyPath(FIELDS, '/quoteItem/3/product/productConfiguration/@type')).toBe('LINES[3].PROD_CODE');
    expect(mapPropertyPath(FIELDS, '/quoteItem/0/product/place/0/place/id')).toBe('LINES[0].SELLER_ADDR_ID');
    expect(mapPropertyPath(FIELDS, '/externalId')).toBe('REQ_REF');
  });

  it('matches nothing when a * meets a name or the path is shorter than the pattern', () => {
    expect(mapPropertyPath(FIELDS, '/quoteItem/x/product/place')).toBeUndefined();
    expect(mapPropertyPath(FIELDS, '/quoteItem/0/product')).toBeUndefined();
    expect(mapPropertyPath(FIELDS, '')).toBeUndefined();
  });

  it('unescapes pointer tokens', () => {
    expect(mapPropertyPath({ '/a~1b/*': 'X[*]' }, '/a~1b/4')).toBe('X[4]');
  });
});

describe('pointerToLegacyField', () => {
  it('writes a pointer into the legacy body the way the BSS names fields', () => {
    expect(pointerToLegacyField('/LINES/0/BW_MBPS')).toBe('LINES[0].BW_MBPS');
    expect(pointerToLegacyField('/COUNTRY')).toBe('COUNTRY');
    expect(pointerToLegacyField('/LINES')).toBe('LINES');
    expect(pointerToLegacyField('')).toBeNull();
  });
});
