import { describe, expect, it } from 'vitest';
import { findProductConfigurations } from '../../src/sonata/products/product-schemas.js';

const config = (n: number) => ({ '@type': 'UNI', n });

describe('findProductConfigurations', () => {
  it("finds the configuration of every item, with the item's pointer", () => {
    const quote = {
      quoteItem: [{ product: { productConfiguration: config(0) } }, { product: {} }, { product: { productConfiguration: config(2) } }],
    };
    expect(findProductConfigurations(quote, ['/quoteItem/*/product/productConfiguration'])).toEqual([
      { pointer: '/quoteItem/0/product/productConfiguration', value: config(0) },
      { pointer: '/quoteItem/2/product/productConfiguration', value: config(2) },
    ]);
  });

  it('walks nested arrays and several paths, in body order per path', () => {
    const order = {
      productOrderItem: [
        {
          product: { productConfiguration: config(0) },
          bundle: [{ product: { productConfiguration: config(10) } }, { product: { productConfiguration: config(11) } }],
        },
        { product: { productConfiguration: config(1) }, bundle: [] },
        { product: { productConfiguration: config(2) }, bundle: [{ product: { productConfiguration: config(20) } }] },
      ],
      grid: [[{ c: 'a' }, { c: 'b' }], [{ c: 'c' }]],
    };
    const found = findProductConfigurations(order, [
      '/productOrderItem/*/product/productConfiguration',
      '/productOrderItem/*/bundle/*/product/productConfiguration',
      '/grid/*/*/c',
    ]);
    expect(found.map((f) => f.pointer)).toEqual([
      '/productOrderItem/0/product/productConfiguration',
      '/productOrderItem/1/product/productConfiguration',
      '/productOrderItem/2/product/productConfiguration',
      '/productOrderItem/0/bundle/0/product/productConfiguration',
      '/productOrderItem/0/bundle/1/product/productConfiguration',
      '/productOrderItem/2/bundle/0/product/productConfiguration',
      '/grid/0/0/c',
      '/grid/0/1/c',
      '/grid/1/0/c',
    ]);
    expect(found[4]?.value).toEqual(config(11));
  });

  it('keeps present but invalid values so that validation can reject them', () => {
    const body = { item: [{ product: { productConfiguration: null } }, { product: { productConfiguration: 'UNI' } }] };
    expect(findProductConfigurations(body, ['/item/*/product/productConfiguration'])).toEqual([
      { pointer: '/item/0/product/productConfiguration', value: null },
      { pointer: '/item/1/product/productConfiguration', value: 'UNI' },
    ]);
  });

  it('finds nothing where the shape does not match: a missing list, an object where * expects an array', () => {
    expect(findProductConfigurations({}, ['/quoteItem/*/product/productConfiguration'])).toEqual([]);
    expect(
      findProductConfigurations({ quoteItem: { a: { product: { productConfiguration: config(0) } } } }, [
        '/quoteItem/*/product/productConfiguration',
      ]),
    ).toEqual([]);
    expect(findProductConfigurations('text', ['/quoteItem/*/product'])).toEqual([]);
    expect(findProductConfigurations({ quoteItem: [null, 3, 'x'] }, ['/quoteItem/*/product'])).toEqual([]);
  });

  it('follows literal indexes, escapes keys in pointers, and lists a value reached twice once', () => {
    const body = { 'a/b': [{ '~x': 1 }, { '~x': 2 }] };
    expect(findProductConfigurations(body, ['/a~1b/1/~0x', '/a~1b/*/~0x'])).toEqual([
      { pointer: '/a~1b/1/~0x', value: 2 },
      { pointer: '/a~1b/0/~0x', value: 1 },
    ]);
  });

  it('refuses a path that is not a JSON pointer', () => {
    expect(() => findProductConfigurations({}, ['quoteItem/*'])).toThrow(/JSON pointer/);
  });
});
