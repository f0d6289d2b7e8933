import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { builtinFunctions } from '../../src/mapping/functions/builtins.js';
import { checkMappingSource, signatureArity, STANDARD_SIGNATURES } from '../../src/mapping/static-check.js';

describe('static checks of a mapping source', () => {
  it("the table of JSONata signatures is the installed package's", async () => {
    for (const [name, signature] of STANDARD_SIGNATURES) {
      const fn = (await jsonata(`$${name}`).evaluate({})) as { signature?: { definition?: string } };
      expect(fn.signature?.definition, name).toBe(signature);
    }
  });

  it('reads arities from signatures: optional, context (-) and variadic parameters', () => {
    expect(signatureArity('<s-nn?:s>')).toEqual({ min: 1, max: 3 });
    expect(signatureArity('<a<n>:n>')).toEqual({ min: 1, max: 1 });
    expect(signatureArity('<s-(sf)(sf)n?:s>')).toEqual({ min: 2, max: 4 });
    expect(signatureArity('<a+>')).toEqual({ min: 1, max: Infinity });
    expect(signatureArity('<:n>')).toEqual({ min: 0, max: 0 });
  });

  it('refuses unknown functions with a suggestion, at line:col of the call', () => {
    expect(checkMappingSource('{\n  "c": $conutryCode(x)\n}')).toEqual([
      { line: 2, column: 8, message: 'unknown function `$conutryCode`; did you mean `$countryCode`?' },
    ]);
    expect(checkMappingSource('x ~> $uppercse')[0]?.message).toBe('unknown function `$uppercse`; did you mean `$uppercase`?');
    expect(checkMappingSource('$frobnicateEverything()')[0]?.message).toBe('unknown function `$frobnicateEverything`');
  });

  it("accepts JSONata's functions, ours, gateway bindings and names assigned in the expression", () => {
    const source = `(
      $f := function($v, $g) { $g($v) };
      $map(items, function($i) { $f($i, $uppercase) });
      items@$it#$pos.$string($pos);
      $countryCode("DEU") & $now() & $millis();
      $lookup("productAlias", code);
      $apiBases
    )`;
    expect(checkMappingSource(source)).toEqual([]);
  });

  it('checks argument counts against signatures, counting the value a ~> chain passes', () => {
    expect(checkMappingSource('$substring("abc", 1, 2, 3)')[0]?.message).toMatch(/`\$substring` takes at most 3 argument\(s\), got 4/);
    expect(checkMappingSource('$join()')[0]?.message).toMatch(/`\$join` needs at least 1 argument\(s\), got 0/);
    expect(checkMappingSource('2 ~> $power(3)')).toEqual([]);
    expect(checkMappingSource('"a" ~> $substring(1, 2, 3)')[0]?.message).toMatch(/takes at most 3 argument\(s\), got 4/);
    const ours = builtinFunctions.find((f) => f.name === 'reject')!;
    expect(ours.signature).toBeDefined();
    expect(checkMappingSource('$reject()')[0]?.message).toMatch(/`\$reject` needs/);
  });
});
