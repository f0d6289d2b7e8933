import { describe, expect, it } from 'vitest';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { describeDiff, parseFixture, runFixture } from '../../src/mapping/fixtures.js';
import { createLookupTables } from '../../src/mapping/lookups.js';

const FILE = 'partners/acme/fixtures/address-validation.request.basic.yaml';

const engine = createMappingEngine({ deadlineMs: 5_000 });
const addressMapping = engine.compile(
  `(
    $code := $countryCode(address.country);
    $code ? {
      "submittedGeographicAddress": {
        "city": address.city,
        "country": $code,
        "postcode": address.zip
      },
      "partner": $partnerId,
      "segment": $lookup("segments", address.segment)
    } : $reject("invalidValue", "/submittedGeographicAddress/country", "Unknown country " & address.country)
  )`,
  'partners/acme/mappings/address-validation.request.jsonata',
);
const lookups = createLookupTables({ segments: { B: 'business', R: 'residential' } });

const BASIC = `mapping: mappings/address-validation.request.jsonata
description: full country name in free text becomes alpha-2
bindings: { partnerId: acme }
input:
  address: { city: Berlin, country: Germany, zip: "10115", segment: B }
expected:
  submittedGeographicAddress: { city: Berlin, country: DE, postcode: "10115" }
  partner: acme
  segment: business
`;

describe('parseFixture', () => {
  it('reads every field, defaulting lookups to on', () => {
    expect(parseFixture(BASIC, FILE)).toStrictEqual({
      file: FILE,
      mapping: 'mappings/address-validation.request.jsonata',
      description: 'full country name in free text becomes alpha-2',
      bindings: { partnerId: 'acme' },
      useLookups: true,
      input: { address: { city: 'Berlin', country: 'Germany', zip: '10115', segment: 'B' } },
      expected: {
        submittedGeographicAddress: { city: 'Berlin', country: 'DE', postcode: '10115' },
        partner: 'acme',
        segment: 'business',
      },
    });
  });

  it('reads lookups: false and an expectedError', () => {
    const fixture = parseFixture(
      'mapping: m.jsonata\nlookups: false\ninput: {}\nexpectedError: { kind: rejected, code: invalidValue, propertyPath: /a }\n',
      FILE,
    );
    expect(fixture.useLookups).toBe(false);
    expect(fixture.expectedError).toStrictEqual({ kind: 'rejected', code: 'invalidValue', propertyPath: '/a' });
    expect(Object.hasOwn(fixture, 'expected')).toBe(false);
  });

  it('keeps an explicit null expectation distinct from no expectation', () => {
    expect(parseFixture('mapping: m.jsonata\ninput: {}\nexpected: null\n', FILE).expected).toBeNull();
  });

  it.each([
    [
      'broken YAML',
      'mapping: m.jsonata\ninput: {}\nexpected: [1, 2\n',
      /^partners\/acme\/fixtures\/address-validation\.request\.basic\.yaml:4:1 /,
    ],
    ['duplicate key', 'mapping: m.jsonata\ninput: {}\ninput: {}\nexpected: 1\n', /:3:1 Map keys must be unique/],
    ['not a mapping', '- 1\n- 2\n', /:1:1 a fixture must be a YAML mapping/],
    ['missing mapping', 'input: {}\nexpected: {}\n', /:1:1 missing field "mapping"/],
    ['missing input', 'mapping: m.jsonata\nexpected: {}\n', /:1:1 missing field "input"/],
    ['no expectation', 'mapping: m.jsonata\ninput: {}\n', /missing field "expected" or "expectedError"/],
    ['both expectations', 'mapping: m.jsonata\ninput: {}\nexpected: 1\nexpectedError: { kind: rejected }\n', /:4:16 give either/],
    ['misspelled field', 'mapping: m.jsonata\ninput: {}\n\nexpect: {}\n', /:4:1 unknown field "expect"/],
    ['wrong type', 'mapping: m.jsonata\nlookups: yes please\ninput: {}\nexpected: 1\n', /:2:10 "lookups" must be true or false/],
    [
      'bad error kind',
      'mapping: m.jsonata\ninput: {}\nexpectedError:\n  code: invalidValue\n  kind: rejectd\n',
      /:5:9 "expectedError.kind" must be one of/,
    ],
    ['unknown alias', 'mapping: m.jsonata\ninput: *nothing\nexpected: 1\n', /:2:8 /],
  ])('rejects %s with file:line:col', (_name, text, message) => {
    expect(() => parseFixture(text, FILE)).toThrow(message);
  });
});

describe('runFixture', () => {
  it('passes when the output deep-equals the expectation', async () => {
    const result = await runFixture(parseFixture(BASIC, FILE), addressMapping, lookups);
    expect(result.diff).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.actual).toStrictEqual(parseFixture(BASIC, FILE).expected);
  });

  it('fails with a readable diff naming each differing path', async () => {
    const fixture = parseFixture(BASIC.replace('country: DE', 'country: Germany').replace('partner: acme', 'partner: globex'), FILE);
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.ok).toBe(false);
    expect(result.diff).toBe('/submittedGeographicAddress/country: expected "Germany", got "DE"; /partner: expected "globex", got "acme"');
  });

  it('detects a key the mapping leaves out, which JSONata does silently', async () => {
    // No zip in the input: JSONata drops "postcode" instead of writing null.
    const fixture = parseFixture(BASIC.replace(', zip: "10115"', '').replace(', postcode: "10115"', ', postcode: null'), FILE);
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.ok).toBe(false);
    expect(result.diff).toBe('/submittedGeographicAddress/postcode: expected null, got absent');
  });

  it('detects an output key the fixture does not expect', async () => {
    const fixture = parseFixture(BASIC.replace('  segment: business\n', ''), FILE);
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.ok).toBe(false);
    expect(result.diff).toBe('/segment: expected absent, got "business"');
  });

  it('passes the owner lookup tables only when the fixture allows it', async () => {
    const fixture = parseFixture(`${BASIC}lookups: false\n`, FILE);
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe('evaluate');
    expect(result.diff).toMatch(
      /^expected a result, got error: partners\/acme\/mappings\/address-validation\.request\.jsonata:\d+:\d+ .*unknown lookup table "segments"/,
    );
  });

  const rejecting = (expectedError: string): string =>
    `mapping: m.jsonata\ninput: { address: { country: Atlantis } }\nexpectedError: ${expectedError}\n`;

  it('passes when the expected rejection matches', async () => {
    const fixture = parseFixture(
      rejecting('{ kind: rejected, code: invalidValue, propertyPath: /submittedGeographicAddress/country, messageIncludes: Atlantis }'),
      FILE,
    );
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.diff).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.error?.rejection?.code).toBe('invalidValue');
  });

  it('fails when the rejection differs, naming each mismatching field', async () => {
    const fixture = parseFixture(rejecting('{ code: missingProperty, propertyPath: /submittedGeographicAddress/city }'), FILE);
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.ok).toBe(false);
    expect(result.diff).toBe(
      'code: expected "missingProperty", got "invalidValue"; propertyPath: expected "/submittedGeographicAddress/city", got "/submittedGeographicAddress/country"',
    );
  });

  it('matches a JSONata error code and kind', async () => {
    const mapping = engine.compile('{ "total": price * 2 }', 'm.jsonata');
    const fixture = parseFixture('mapping: m.jsonata\ninput: { price: "ten" }\nexpectedError: { kind: evaluate, code: T2001 }\n', FILE);
    await expect(runFixture(fixture, mapping)).resolves.toMatchObject({ ok: true });
  });

  it('fails when an error was expected but the mapping succeeded', async () => {
    const fixture = parseFixture(rejecting('{ kind: rejected }').replace('Atlantis', 'France'), FILE);
    const result = await runFixture(fixture, addressMapping, lookups);
    expect(result.ok).toBe(false);
    expect(result.diff).toMatch(/^expected error \{"kind":"rejected"\}, got result \{"submittedGeographicAddress":/);
  });
});

describe('describeDiff', () => {
  it('is empty for deep-equal values regardless of key order', () => {
    expect(describeDiff({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] })).toBe('');
  });

  it('reports the example from the brief', () => {
    expect(describeDiff({ a: { b: 'DE' } }, { a: { b: 'Germany' }, c: 1 })).toBe(
      '/a/b: expected "DE", got "Germany"; /c: expected absent, got 1',
    );
  });

  it('reports array length and type differences', () => {
    expect(describeDiff([1, 2], [1, 2, 3])).toBe('/2: expected absent, got 3');
    expect(describeDiff({ a: [1] }, { a: { 0: 1 } })).toBe('/a: expected [1], got {"0":1}');
    expect(describeDiff('1', 1)).toBe('(root): expected "1", got 1');
  });

  it('escapes keys as JSON pointers', () => {
    expect(describeDiff({ 'a/b': 1, 'c~d': 1 }, { 'a/b': 2, 'c~d': 2 })).toBe('/a~1b: expected 1, got 2; /c~0d: expected 1, got 2');
  });

  it('keeps long output short', () => {
    const expected = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const diff = describeDiff(expected, {});
    expect(diff.split('; ')).toHaveLength(11);
    expect(diff).toMatch(/; ... and 20 more$/);
    expect(describeDiff('x'.repeat(500), 'y')).toMatch(/^\(root\): expected "x+\.\.\., got "y"$/);
  });
});
