import { describe, expect, it } from 'vitest';
import { createMappingEngine, type MappingEngineKind } from '../../src/mapping/engine.js';
import { MappingError } from '../../src/mapping/errors.js';
import { createMappingLibrary } from '../../src/mapping/library.js';
import { createLookupTables } from '../../src/mapping/lookups.js';
import { checkLibrary, checkMappingSource } from '../../src/mapping/static-check.js';

/*
 * The helper library (mappings/lib): functions written once in JSONata that every mapping calls as `$name(...)`,
 * the same in both engines.
 */

const LIBRARY_SOURCE = `/* helpers */
(
  $shout := function($s) { $uppercase($s) & "!" };
  $greet := function($name, $punct) { "hello " & $shout($name) & ($punct ? $punct : "") };
  $unit := function($u) { $lookup("units", $u, $u) };
  $strictly := function($v, $path) { $v ? $v : $reject("missingProperty", $path, "needed") };
)`;
const library = createMappingLibrary([{ file: 'mappings/lib/words.jsonata', source: LIBRARY_SOURCE }]);
const lookups = createLookupTables({ units: { months: 'calendarMonths' } });

describe.each<MappingEngineKind>(['compiled', 'interpreted'])('library functions in the %s engine', (engineKind) => {
  const engine = createMappingEngine({ engine: engineKind, deadlineMs: 5_000 });

  it("are called as top-level functions, with the ones they use, the mapping's lookups and bindings", async () => {
    const mapping = engine.compile('{ "g": $greet(name, $release), "u": $map(units, $unit) }', 'm.jsonata', {
      library,
    });
    expect(mapping.engine).toBe(engineKind);
    await expect(mapping.evaluate({ name: 'ann', units: ['months', 'days'] }, { bindings: { release: '?' }, lookups })).resolves.toEqual({
      g: 'hello ANN!?',
      u: ['calendarMonths', 'days'],
    });
  });

  it("a helper the mapping defines itself wins over the library's", async () => {
    const mapping = engine.compile('( $shout := function($s) { "local " & $s }; [$shout(a), $greet(a)] )', 'm.jsonata', { library });
    // the library's $greet keeps calling the library's $shout
    await expect(mapping.evaluate({ a: 'x' })).resolves.toEqual(['local x', 'hello X!']);
  });

  it("$reject inside a library function answers the mapping's 422 at the path given", async () => {
    const mapping = engine.compile('(\n  { "v": $strictly(v, "/v") }\n)', 'm.jsonata', { library });
    const err = await mapping.evaluate({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).rejection).toMatchObject({ code: 'missingProperty', propertyPath: '/v' });
  });

  it('a mapping compiled without the library does not see it', async () => {
    await expect(engine.compile('$greet("a")', 'm.jsonata').evaluate({})).rejects.toThrow(MappingError);
  });
});

describe('the library is checked at load', () => {
  it('a syntax error is refused at its file:line:col', () => {
    const err = (() => {
      try {
        createMappingLibrary([{ file: 'mappings/lib/x.jsonata', source: '(\n  $f := function($a) { $a + };\n)' }]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).message).toMatch(/^mappings\/lib\/x\.jsonata:2:\d+ /);
    expect((err as MappingError).kind).toBe('compile');
  });

  it('anything but function definitions, and a name defined twice, are refused where they are written', () => {
    expect(() =>
      createMappingLibrary([{ file: 'mappings/lib/x.jsonata', source: '(\n  $f := function($a) { $a };\n  $g := 3\n)' }]),
    ).toThrow(/^mappings\/lib\/x\.jsonata:3:3 .*only `\$name := function/);
    expect(() =>
      createMappingLibrary([
        { file: 'mappings/lib/a.jsonata', source: '$f := function($a) { $a }' },
        { file: 'mappings/lib/b.jsonata', source: '(\n\n  $f := function($b) { $b }\n)' },
      ]),
    ).toThrow(/^mappings\/lib\/b\.jsonata:3:3 .*`\$f` is already defined at mappings\/lib\/a\.jsonata:1:1/);
  });

  it('a library function named like a built-in or a gateway binding, an unknown call inside the library, and a variable of the caller it reads, are problems', () => {
    const sources = [
      {
        file: 'mappings/lib/x.jsonata',
        source: '(\n  $lookup := function($a) { $a };\n  $release := function() { $uppercse("a") }\n)',
      },
    ];
    const problems = checkLibrary(createMappingLibrary(sources), sources).map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`);
    expect(problems).toEqual([
      expect.stringMatching(/^mappings\/lib\/x\.jsonata:2:3 library function `\$lookup` would hide the function/),
      expect.stringMatching(/^mappings\/lib\/x\.jsonata:3:3 library function `\$release` would hide the gateway binding/),
      'mappings/lib/x.jsonata:3:28 unknown function `$uppercse`; did you mean `$uppercase`?',
    ]);
    const reading = [
      {
        file: 'mappings/lib/y.jsonata',
        source: '(\n  $f := function($a) { ($b := 1; $a & $b & $items & $release) };\n)',
      },
    ];
    expect(checkLibrary(createMappingLibrary(reading), reading).map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`)).toEqual([
      "mappings/lib/y.jsonata:2:3 library function `$f` reads `$items`: pass it as a parameter (a library function does not see the calling mapping's variables)",
    ]);
  });
});

describe('static checks know the library', () => {
  it('calls of library functions are not unknown; a typo is, with the library name suggested', () => {
    expect(checkMappingSource('$greet(name) & $shout(x)', { library })).toEqual([]);
    expect(checkMappingSource('$gret(name)', { library })).toEqual([
      { line: 1, column: 1, message: 'unknown function `$gret`; did you mean `$greet`?' },
    ]);
    expect(checkMappingSource('$greet(name)')[0]?.message).toMatch(/unknown function `\$greet`/);
  });

  it('more arguments than the library lambda declares is a problem naming where it is defined', () => {
    expect(checkMappingSource('$shout(a, b)', { library })).toEqual([
      {
        line: 1,
        column: 1,
        message: '`$shout` takes at most 1 argument(s), got 2 (defined at mappings/lib/words.jsonata:3:3)',
      },
    ]);
    // fewer is how JSONata passes an optional argument
    expect(checkMappingSource('$greet(a)', { library })).toEqual([]);
  });
});
