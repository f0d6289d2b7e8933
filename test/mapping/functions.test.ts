import { describe, expect, it } from 'vitest';
import { createMappingEngine, type EvaluateOptions } from '../../src/mapping/engine.js';
import { MappingError, REJECTION_CODES } from '../../src/mapping/errors.js';
import { countryLocales, countryNameProblem, mapCountryCode, mapCountryName } from '../../src/mapping/functions/country.js';
import { createLookupTables } from '../../src/mapping/lookups.js';
import countries from 'i18n-iso-countries/index.js';

const engine = createMappingEngine({ deadlineMs: 5_000 });

/** Evaluate a one-off expression the way a mapping would call the built-ins. */
function run(expression: string, input: unknown = {}, opts?: EvaluateOptions): Promise<unknown> {
  return engine.compile(expression, 'test.jsonata').evaluate(input, opts);
}

async function runError(expression: string, input: unknown = {}, opts?: EvaluateOptions): Promise<MappingError> {
  try {
    await run(expression, input, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(MappingError);
    return err as MappingError;
  }
  throw new Error('expected the evaluation to fail');
}

describe('$countryCode', () => {
  it.each([
    ['Germany', 'DE'],
    ['germany', 'DE'],
    ['  Germany ', 'DE'],
    ['DEU', 'DE'],
    ['DE', 'DE'],
    ['de', 'DE'],
    ['Deutschland', 'DE'],
    ['United Kingdom', 'GB'],
    ['UK', 'GB'],
    ['Great Britain', 'GB'],
    ['England', 'GB'],
    ['Vereinigtes Königreich', 'GB'],
    ['USA', 'US'],
    ['United States of America', 'US'],
    ["Cote d'Ivoire", 'CI'],
    ['Österreich', 'AT'],
    ['Atlantis', undefined],
    ['Congo', undefined], // two countries use the name: refuse to guess
    ['', undefined],
    ['XX', undefined],
  ])('%j -> %j', async (input, expected) => {
    await expect(run('$countryCode(country)', { country: input })).resolves.toBe(expected);
  });

  it('gives undefined (an absent key) for non-text or missing input instead of failing', async () => {
    await expect(run('{ "a": $countryCode(276), "b": $countryCode(nothing), "c": $countryCode(null) }')).resolves.toStrictEqual({});
  });

  it('uses the context value when called without argument', async () => {
    await expect(run('address.country.$countryCode()', { address: { country: 'France' } })).resolves.toBe('FR');
  });
});

describe('$countryName and $countryAlpha3', () => {
  it.each([
    ['DE', 'Germany'],
    ['DEU', 'Germany'],
    ['GB', 'United Kingdom'],
    ['US', 'United States'],
    ['CN', 'China'],
    ['fr', 'France'],
    ['Deutschland', 'Germany'],
    ['XX', undefined],
  ])('$countryName(%j) -> %j', async (input, expected) => {
    await expect(run('$countryName(c)', { c: input })).resolves.toBe(expected);
  });

  it('names every country so that the name maps back to the same code', () => {
    const codes = Object.keys(countries.getAlpha2Codes());
    expect(codes.length).toBeGreaterThan(240);
    const broken = codes.filter((code) => mapCountryCode(mapCountryName(code)) !== code);
    expect(broken).toEqual([]);
  });

  it.each([
    ['DE', 'DEU'],
    ['United Kingdom', 'GBR'],
    ['usa', 'USA'],
    ['Atlantis', undefined],
  ])('$countryAlpha3(%j) -> %j', async (input, expected) => {
    await expect(run('$countryAlpha3(c)', { c: input })).resolves.toBe(expected);
  });
});

describe('$countryCode in every locale the package ships', () => {
  it('reads all 78 locales', () => {
    expect(countryLocales().length).toBe(78);
    expect(countryLocales()).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'it', 'ja', 'ru', 'ar', 'hi']));
  });

  it.each([
    ['Österreich', 'AT'],
    ['osterreich', 'AT'],
    ['Autriche', 'AT'],
    ['autriche', 'AT'],
    ['Austria', 'AT'],
    ['AUT', 'AT'],
    ['AT', 'AT'],
    ['Allemagne', 'DE'],
    ['Alemania', 'DE'],
    ['Niemcy', 'DE'],
    ['ドイツ', 'DE'],
    ['Германия', 'DE'],
    ['Suisse', 'CH'],
    ['Svizzera', 'CH'],
    ['Royaume-Uni', 'GB'],
  ])('%j -> %j', async (input, expected) => {
    await expect(run('$countryCode(c)', { c: input })).resolves.toBe(expected);
  });

  it('refuses a name that means different countries across locales, and says which', async () => {
    // "Kongo" is the Republic of the Congo in Bosnian and the DR Congo in German
    await expect(run('$countryCode(c)', { c: 'Kongo' })).resolves.toBeUndefined();
    expect(countryNameProblem('Kongo')).toBe('"Kongo" names more than one country (CD, CG); send its ISO 3166-1 code');
    expect(countryNameProblem('Atlantis')).toBe('unknown country: "Atlantis"');
    expect(countryNameProblem('Autriche')).toBeUndefined();
  });

  // real collisions in i18n-iso-countries 7.14.0's data: Kazakh "Конго" is the DR Congo, Ukrainian "Конго" the
  // Republic of the Congo; Portuguese "São Martinho" is both Saint-Martin (MF) and Sint Maarten (SX)
  it.each([
    ['Конго', 'CD, CG'],
    ['São Martinho', 'MF, SX'],
    ['sao martinho', 'MF, SX'],
    ['Congo', 'CD, CG'],
  ])('refuses %j, which names two countries, and $countryProblem names both (%s)', async (name, codes) => {
    await expect(run('$countryCode(c)', { c: name })).resolves.toBeUndefined();
    await expect(run('$countryProblem(c)', { c: name })).resolves.toBe(
      `${JSON.stringify(name)} names more than one country (${codes}); send its ISO 3166-1 code`,
    );
  });

  it('a mapping refuses an ambiguous name with invalidValue and the candidate codes, and still reads Austria in every form', async () => {
    const mapping = engine.compile(
      '$countryCode(country) ? $countryCode(country) : $reject("invalidValue", "/country", $countryProblem(country))',
      'test.jsonata',
    );
    const error = await mapping.evaluate({ country: 'Kongo' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(MappingError);
    expect((error as MappingError).rejection).toEqual({
      code: 'invalidValue',
      propertyPath: '/country',
      reason: '"Kongo" names more than one country (CD, CG); send its ISO 3166-1 code',
    });
    for (const name of ['Österreich', 'Autriche', 'Austria', 'AUT', 'AT']) {
      await expect(mapping.evaluate({ country: name }), name).resolves.toBe('AT');
      await expect(run('$countryProblem(c)', { c: name }), name).resolves.toBeUndefined();
    }
  });

  it('$countryProblem says a name is unknown when no locale has it', async () => {
    await expect(run('$countryProblem(c)', { c: 'Freedonia' })).resolves.toBe('unknown country: "Freedonia"');
  });

  it('maps back every name of every locale that is not ambiguous to its own country', () => {
    const wrong: string[] = [];
    for (const lang of countryLocales()) {
      for (const [alpha2, names] of Object.entries(countries.getNames(lang, { select: 'all' }))) {
        for (const name of names) {
          const got = mapCountryCode(name);
          if (got !== undefined && got !== alpha2 && !/^[A-Za-z]{2,3}$/.test(name)) wrong.push(`${lang}:${name}->${got}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('$countryName(code, locale)', () => {
  it.each([
    ['AT', undefined, 'Austria'],
    ['AT', 'de', 'Österreich'],
    ['AT', 'fr', 'Autriche'],
    ['AT', 'fr-CH', 'Autriche'],
    ['Österreich', 'en', 'Austria'],
    ['AUT', 'it', 'Austria'],
    ['AT', 'xx', undefined],
    ['Atlantis', 'fr', undefined],
  ])('$countryName(%j, %j) -> %j', async (code, locale, expected) => {
    const expr = locale === undefined ? '$countryName(c)' : '$countryName(c, l)';
    await expect(run(expr, { c: code, l: locale })).resolves.toBe(expected);
  });

  it('goes back to the same code from its name in every locale, where that name is not ambiguous', () => {
    const broken: string[] = [];
    for (const lang of countryLocales()) {
      for (const code of ['AT', 'DE', 'FR', 'JP', 'BR', 'ZA']) {
        const name = countries.getName(code, lang);
        if (name && countryNameProblem(name) === undefined && mapCountryCode(name) !== code) broken.push(`${lang}:${code}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('refuses a third argument (signature)', async () => {
    await runError('$countryName("AT", "de", 1)');
  });
});

describe('currency functions', () => {
  it.each([
    ['EUR', 'EUR'],
    ['eur', 'EUR'],
    [' usd ', 'USD'],
    ['XYZ', undefined],
    ['EURO', undefined],
    [978, undefined],
  ])('$currency(%j) -> %j', async (input, expected) => {
    await expect(run('$currency(c)', { c: input })).resolves.toBe(expected);
  });

  it.each([
    [12345, 'EUR', 123.45],
    [1500, 'JPY', 1500],
    [12345, 'BHD', 12.345],
    ['12345', 'eur', 123.45],
    [-250, 'EUR', -2.5],
    [100, 'XYZ', undefined],
    ['12,34', 'EUR', undefined],
  ])('$fromMinorUnits(%j, %j) -> %j', async (amount, currency, expected) => {
    await expect(run('$fromMinorUnits(a, c)', { a: amount, c: currency })).resolves.toBe(expected);
  });

  it.each([
    [123.45, 'EUR', 12345],
    [1.005, 'EUR', 101], // naive 1.005 * 100 would round to 100
    [-1.005, 'EUR', -101],
    [0.07, 'EUR', 7],
    [1500, 'JPY', 1500],
    [12.3456, 'BHD', 12346],
    ['19.99', 'EUR', 1999],
    [1, 'XYZ', undefined],
  ])('$toMinorUnits(%j, %j) -> %j', async (amount, currency, expected) => {
    await expect(run('$toMinorUnits(a, c)', { a: amount, c: currency })).resolves.toBe(expected);
  });
});

describe('date functions', () => {
  it.each([
    ['25.11.2026 14:03', '2026-11-25T13:03:00.000Z'], // CET, UTC+1
    ['25.07.2026 14:03', '2026-07-25T12:03:00.000Z'], // CEST, UTC+2
    ['25.11.2026', '2026-11-24T23:00:00.000Z'],
    ['20261125140300', '2026-11-25T13:03:00.000Z'],
    ['2026-11-25T14:03:00Z', '2026-11-25T14:03:00.000Z'],
    ['2026-11-25T14:03:00+05:30', '2026-11-25T08:33:00.000Z'],
    ['2026-11-25T14:03', '2026-11-25T13:03:00.000Z'], // no offset: Berlin local time
    ['31.02.2026 10:00', undefined],
    ['25.11.26 14:03', undefined],
    ['tomorrow', undefined],
    ['', undefined],
  ])('$toIsoUtc(%j) -> %j', async (value, expected) => {
    await expect(run('$toIsoUtc(v)', { v: value })).resolves.toBe(expected);
  });

  it('reads an explicit format in an explicit zone', async () => {
    await expect(run('$toIsoUtc(v, "MM/dd/yyyy h:mm a", "America/New_York")', { v: '11/25/2026 9:03 AM' })).resolves.toBe(
      '2026-11-25T14:03:00.000Z',
    );
    await expect(run('$toIsoUtc(v, "dd.MM.yyyy")', { v: '2026-11-25' })).resolves.toBeUndefined();
    await expect(run('$toIsoUtc(v, ["yyyy/MM/dd", "dd.MM.yyyy"])', { v: '25.11.2026' })).resolves.toBe('2026-11-24T23:00:00.000Z');
    await expect(run('$toIsoUtc(v, "dd.MM.yyyy", "Not/AZone")', { v: '25.11.2026' })).resolves.toBeUndefined();
  });

  it('reads numbers as epoch milliseconds', async () => {
    await expect(run('$toIsoUtc(1795611780000)')).resolves.toBe('2026-11-25T13:03:00.000Z');
  });

  it.each([
    ['2026-11-25T13:03:00.000Z', 'dd.MM.yyyy HH:mm', undefined, '25.11.2026 14:03'],
    ['2026-07-25T12:03:00Z', 'dd.MM.yyyy HH:mm', undefined, '25.07.2026 14:03'],
    ['2026-11-25T13:03:00Z', 'dd.MM.yyyy HH:mm', 'UTC', '25.11.2026 13:03'],
    ['2026-11-25T13:03:00Z', 'yyyyMMddHHmmss', undefined, '20261125140300'],
    ['25.11.2026 14:03', 'dd.MM.yyyy', undefined, undefined],
    ['2026-11-25T13:03:00Z', 'dd.MM.yyyy', 'Not/AZone', undefined],
  ])('$fromIsoUtc(%j, %j, %j) -> %j', async (value, format, zone, expected) => {
    await expect(run('$fromIsoUtc(v, f, z)', { v: value, f: format, z: zone })).resolves.toBe(expected);
  });

  it('round-trips legacy local times through the unified model', async () => {
    const mapping = engine.compile('$fromIsoUtc($toIsoUtc(v), "dd.MM.yyyy HH:mm")', 'm.jsonata');
    for (const v of ['01.01.2026 00:00', '29.03.2026 03:30', '25.10.2026 01:59', '31.12.2026 23:59']) {
      await expect(mapping.evaluate({ v })).resolves.toBe(v);
    }
  });
});

describe('$e164', () => {
  it.each([
    ['030 1234567', 'DE', '+49301234567'],
    ['030 1234567', 'Germany', '+49301234567'],
    ['0171 1234567', 'DEU', '+491711234567'],
    ['0049 30 1234567', 'DE', '+49301234567'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['+44 20 7946 0958', 'DE', '+442079460958'],
    ['(202) 555-0143', 'US', '+12025550143'],
    ['030 1234567', undefined, undefined],
    ['12', 'DE', undefined],
    ['not a phone', 'DE', undefined],
    ['030 1234567', 'Atlantis', undefined],
  ])('$e164(%j, %j) -> %j', async (phone, country, expected) => {
    await expect(run('$e164(p, c)', { p: phone, c: country })).resolves.toBe(expected);
  });

  it('accepts a phone number sent as a JSON number', async () => {
    await expect(run('$e164(p, "DE")', { p: 301234567 })).resolves.toBe('+49301234567');
  });

  it('answers a repeated number from its cache with the same result, per default country', async () => {
    // the same text under different countries must not share a cached answer
    for (let round = 0; round < 2; round++) {
      await expect(run('$e164(p, c)', { p: '030 1234567', c: 'DE' })).resolves.toBe('+49301234567');
      await expect(run('$e164(p, c)', { p: '030 1234567', c: 'FR' })).resolves.toBe('+33301234567');
      await expect(run('$e164(p, c)', { p: '030 1234567', c: 'GB' })).resolves.toBeUndefined();
      await expect(run('$e164(p, c)', { p: '030 1234567', c: 'AQ' })).resolves.toBeUndefined();
    }
  });
});

describe('$lookup', () => {
  const lookups = createLookupTables({
    legacyStatus: { ACT: 'active', SUS: 'suspended', '7': 'pendingCancellation' },
    bandwidth: { '100M': { value: 100, unit: 'Mbps' } },
  });

  it('maps keys through the tables given to evaluate()', async () => {
    const result = await run(
      '{ "status": $lookup("legacyStatus", status), "bw": $lookup("bandwidth", bw), "numeric": $lookup("legacyStatus", 7) }',
      { status: 'SUS', bw: '100M' },
      { lookups },
    );
    expect(result).toStrictEqual({
      status: 'suspended',
      bw: { value: 100, unit: 'Mbps' },
      numeric: 'pendingCancellation',
    });
  });

  it('gives the default, or an absent key, for an unknown key', async () => {
    await expect(
      run(
        '{ "a": $lookup("legacyStatus", "XXX"), "b": $lookup("legacyStatus", "XXX", "unknown"), "c": $lookup("legacyStatus", nothing, "none") }',
        {},
        { lookups },
      ),
    ).resolves.toStrictEqual({ b: 'unknown', c: 'none' });
  });

  it('treats keys as data, not object properties', async () => {
    await expect(run('$lookup("legacyStatus", "constructor")', {}, { lookups })).resolves.toBeUndefined();
  });

  it('fails an unknown table with an evaluation error naming it and its line', async () => {
    const e = await runError('(\n  $x := 1;\n  $lookup("legacyStatuses", "ACT")\n)', {}, { lookups });
    expect(e.kind).toBe('evaluate');
    expect(e.message).toContain('"legacyStatuses"');
    expect(e.message).toContain('legacyStatus, bandwidth');
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it('fails when no tables were passed at all', async () => {
    const e = await runError('$lookup("legacyStatus", "ACT")');
    expect(e.message).toContain('unknown lookup table "legacyStatus"');
  });
});

describe('$reject', () => {
  const mapping = engine.compile(
    [
      '(',
      '  $code := $countryCode(address.country);',
      '  $code ? { "country": $code }',
      '        : $reject("invalidValue", "/submittedGeographicAddress/country", "Unknown country: " & address.country)',
      ')',
    ].join('\n'),
    'partners/acme/mappings/address.jsonata',
  );

  it('passes good input through', async () => {
    await expect(mapping.evaluate({ address: { country: 'Germany' } })).resolves.toStrictEqual({ country: 'DE' });
  });

  it('refuses bad input with kind rejected and the Sonata 422 fields', async () => {
    const e = await mapping.evaluate({ address: { country: 'Atlantis' } }).then(
      () => undefined,
      (err: unknown) => err as MappingError,
    );
    expect(e).toBeInstanceOf(MappingError);
    expect(e?.kind).toBe('rejected');
    expect(e?.rejection).toEqual({
      code: 'invalidValue',
      propertyPath: '/submittedGeographicAddress/country',
      reason: 'Unknown country: Atlantis',
    });
    expect([e?.line, e?.column]).toEqual([4, 11]);
    expect(e?.toString()).toBe(
      'partners/acme/mappings/address.jsonata:4:11 rejected invalidValue /submittedGeographicAddress/country: Unknown country: Atlantis',
    );
  });

  it.each(REJECTION_CODES.map((code) => [code]))('accepts the Sonata code %s', async (code) => {
    const e = await runError(`$reject("${code}", "/a", "r")`);
    expect(e.rejection?.code).toBe(code);
  });

  it('treats a code outside the Sonata list or a non-pointer path as a mapping bug', async () => {
    const badCode = await runError('$reject("notValid", "/a", "r")');
    expect(badCode.kind).toBe('evaluate');
    expect(badCode.message).toContain('missingProperty');
    const badPath = await runError('$reject("invalidValue", "a.b", "r")');
    expect(badPath.kind).toBe('evaluate');
    expect(badPath.message).toContain('JSON pointer');
  });
});

describe('$uuid', () => {
  it('returns a fresh random v4 UUID per call', async () => {
    const [a, b] = (await run('[$uuid(), $uuid()]')) as string[];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });
});
