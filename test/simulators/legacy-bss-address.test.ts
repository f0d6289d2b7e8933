import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLegacyBss, type RunningLegacyBss } from '../../simulators/src/legacy-bss/start-legacy-bss.js';
import { candidateKeys, checkAddress, postRaw, SHIPPED_DATA_DIR, type LegacyAnswer } from './legacy-bss-test-client.js';

const API_KEY = 'address-test-key';
let bss: RunningLegacyBss;

beforeAll(async () => {
  bss = await startLegacyBss({ apiKey: API_KEY, dataDir: SHIPPED_DATA_DIR });
});
afterAll(async () => {
  await bss?.close();
});

const check = (body: Record<string, unknown>): Promise<LegacyAnswer> => checkAddress(bss.url, API_KEY, body);

const HAUPTSTRASSE_10 = 'NC-DE-000122';
const HAUPTSTRASSE_12 = 'NC-DE-000123';
const HAUPTSTRASSE_12A = 'NC-DE-000124';
const HAUPTSTRASSE_14 = 'NC-DE-000125';

const berlinHauptstrasse = (houseNo: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  HOUSE_NO: houseNo,
  STREET: 'Hauptstrasse',
  STREET_TYPE: 'Strasse',
  TOWN: 'Berlin',
  POST_CODE: '10115',
  COUNTRY: 'Germany',
  ...extra,
});

describe('fielded address check', () => {
  it('answers MATCH with the one fully matching address in the legacy shape, nulls included', async () => {
    const answer = await check({ REQ_REF: 'T-1', ...berlinHauptstrasse('12'), ALT_WANTED: 'N' });
    expect(answer).toStrictEqual({
      RC: 0,
      MSG: 'OK',
      RESULT: 'MATCH',
      CANDIDATES: [
        {
          ADDR_KEY: HAUPTSTRASSE_12,
          HOUSE_NO: '12',
          HOUSE_NO_SFX: null,
          STREET: 'Hauptstrasse',
          STREET_TYPE: 'Strasse',
          TOWN: 'Berlin',
          DISTRICT: 'Mitte',
          POST_CODE: '10115',
          REGION: 'Berlin',
          COUNTRY: 'Germany',
          GEO: { LAT: 52.52, LON: 13.405 },
          SCORE: 100,
          NEW_SITE: 'Y',
          PUBLIC_SITE: 'N',
          LAST_UPD: '25.11.2026 14:03',
          BLDG: null,
          FLOOR: null,
          UNIT: null,
        },
      ],
    });
  });

  it('treats an absent ALT_WANTED as N', async () => {
    const answer = await check(berlinHauptstrasse('12'));
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_12]);
  });

  it('adds up to three alternates after the full match when ALT_WANTED is Y', async () => {
    const answer = await check(berlinHauptstrasse('12', { ALT_WANTED: 'Y' }));
    expect(answer.RESULT).toBe('MATCH');
    // 12a shares the number; 10 and 14 are equally near neighbours, ordered by key.
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_12, HAUPTSTRASSE_12A, HAUPTSTRASSE_10, HAUPTSTRASSE_14]);
    expect(answer.CANDIDATES?.[1]).toMatchObject({
      HOUSE_NO: '12',
      HOUSE_NO_SFX: 'a',
      BLDG: 'Hinterhaus',
      FLOOR: '2',
      PUBLIC_SITE: '?',
    });
  });

  it('matches a house number suffix given in HOUSE_NO_SFX or inside HOUSE_NO', async () => {
    const separate = await check(berlinHauptstrasse('12', { HOUSE_NO_SFX: 'A' }));
    const inline = await check(berlinHauptstrasse('12a'));
    expect([separate.RESULT, inline.RESULT]).toEqual(['MATCH', 'MATCH']);
    expect([...candidateKeys(separate), ...candidateKeys(inline)]).toEqual([HAUPTSTRASSE_12A, HAUPTSTRASSE_12A]);
  });

  it('answers PARTIAL for an unknown house number: only the best with ALT_WANTED N, best plus neighbours with Y', async () => {
    const best = await check(berlinHauptstrasse('15', { ALT_WANTED: 'N' }));
    expect(best.RESULT).toBe('PARTIAL');
    expect(candidateKeys(best)).toEqual([HAUPTSTRASSE_14]);
    expect(best.CANDIDATES?.[0]?.SCORE).toBeLessThan(100);

    const withAlternates = await check(berlinHauptstrasse('15', { ALT_WANTED: 'Y' }));
    expect(withAlternates.RESULT).toBe('PARTIAL');
    expect(candidateKeys(withAlternates)).toEqual([HAUPTSTRASSE_14, HAUPTSTRASSE_12, HAUPTSTRASSE_12A, HAUPTSTRASSE_10]);
    const scores = withAlternates.CANDIDATES?.map((candidate) => candidate.SCORE) ?? [];
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBeGreaterThan(1);
  });

  it('answers PARTIAL when the post code differs, keeping the right address first', async () => {
    const answer = await check(berlinHauptstrasse('12', { POST_CODE: '10117' }));
    expect(answer.RESULT).toBe('PARTIAL');
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_12]);
    expect(answer.CANDIDATES?.[0]?.SCORE).toBeLessThan(100);
  });

  it('answers PARTIAL for a misspelt street', async () => {
    const answer = await check(berlinHauptstrasse('12', { STREET: 'Hauptstrase', STREET_TYPE: null }));
    expect(answer.RESULT).toBe('PARTIAL');
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_12]);
  });

  it.each([
    ['upper case and str. abbreviation', { HOUSE_NO: '12', STREET: 'HAUPTSTR.', TOWN: 'berlin', COUNTRY: 'germany' }, HAUPTSTRASSE_12],
    ['sharp s', { HOUSE_NO: '12', STREET: 'Hauptstraße', TOWN: 'Berlin', COUNTRY: 'Germany' }, HAUPTSTRASSE_12],
    ['missing diacritics', { HOUSE_NO: '92', STREET: 'Konigsallee', TOWN: 'Dusseldorf', COUNTRY: 'Germany' }, 'NC-DE-000106'],
    ['umlaut transliteration', { HOUSE_NO: '92', STREET: 'KOENIGSALLEE', TOWN: 'Duesseldorf', COUNTRY: 'Germany' }, 'NC-DE-000106'],
    ['diacritics on the caller side', { HOUSE_NO: '7', STREET: 'Mönckebergstraße', TOWN: 'HAMBURG', COUNTRY: 'Germany' }, 'NC-DE-000107'],
    [
      'street type given separately',
      {
        HOUSE_NO: '221',
        HOUSE_NO_SFX: 'b',
        STREET: 'Baker',
        STREET_TYPE: 'Street',
        TOWN: 'London',
        POST_CODE: 'NW16XE',
        COUNTRY: 'United Kingdom',
      },
      'NC-GB-000201',
    ],
  ])('answers MATCH despite %s', async (_case, body, expectedKey) => {
    const answer = await check(body);
    expect(answer.RESULT).toBe('MATCH');
    expect(candidateKeys(answer)).toEqual([expectedKey]);
  });

  it('answers NO_MATCH with an empty list when nothing is similar', async () => {
    const unknownStreet = await check({
      HOUSE_NO: '5',
      STREET: 'Nonexistent Road',
      TOWN: 'London',
      COUNTRY: 'United Kingdom',
      ALT_WANTED: 'Y',
    });
    expect(unknownStreet).toStrictEqual({ RC: 0, MSG: 'OK', RESULT: 'NO_MATCH', CANDIDATES: [] });
    // Hauptstrasse 12 exists in Berlin and Heidelberg, not in Hamburg.
    const wrongTown = await check({ HOUSE_NO: '12', STREET: 'Hauptstrasse', TOWN: 'Hamburg', COUNTRY: 'Germany' });
    expect(wrongTown.RESULT).toBe('NO_MATCH');
  });

  it('uses the town to tell same-named streets apart', async () => {
    const answer = await check({ HOUSE_NO: '12', STREET: 'Hauptstrasse', TOWN: 'Heidelberg', COUNTRY: 'Germany' });
    expect(answer.RESULT).toBe('MATCH');
    expect(candidateKeys(answer)).toEqual(['NC-DE-000131']);
  });
});

describe('input errors', () => {
  it('rejects a country code where the full English name is expected', async () => {
    const answer = await check(berlinHauptstrasse('12', { COUNTRY: 'DE' }));
    expect(answer).toMatchObject({ RC: 8, ERR_FIELD: 'COUNTRY' });
    expect(answer.MSG).toMatch(/full English country name expected/);
    expect(answer).not.toHaveProperty('RESULT');
  });

  it('rejects a country the system does not serve', async () => {
    const answer = await check(berlinHauptstrasse('12', { COUNTRY: 'Austria' }));
    expect(answer).toMatchObject({ RC: 8, ERR_FIELD: 'COUNTRY' });
  });

  it.each([
    ['no criteria at all', {}, 'STREET'],
    ['a fielded address without town', { STREET: 'Hauptstrasse', COUNTRY: 'Germany' }, 'TOWN'],
    ['a fielded address without country', { STREET: 'Hauptstrasse', TOWN: 'Berlin' }, 'COUNTRY'],
    ['a blank street', { STREET: '  ', TOWN: 'Berlin', COUNTRY: 'Germany' }, 'STREET'],
    ['a numeric house number', { HOUSE_NO: 12, STREET: 'Hauptstrasse', TOWN: 'Berlin', COUNTRY: 'Germany' }, 'HOUSE_NO'],
    ['an unknown field', { STREET_NAME: 'Hauptstrasse' }, 'STREET_NAME'],
    ['ALT_WANTED other than Y/N', { FREE_TEXT: 'Hauptstrasse 12 Berlin', ALT_WANTED: 'yes' }, 'ALT_WANTED'],
    ['GEO without LON', { GEO: { LAT: 52.52 } }, 'GEO.LON'],
    ['an over-long POST_CODE', { ...berlinHauptstrasse('12'), POST_CODE: '1'.repeat(13) }, 'POST_CODE'],
  ])('answers RC 8 naming the field for %s', async (_case, body, field) => {
    const answer = await check(body);
    expect(answer.RC).toBe(8);
    expect(answer.ERR_FIELD).toBe(field);
    expect(answer.MSG).not.toBe('');
  });

  it('answers malformed JSON with HTTP 200 and RC 8 "malformed request"', async () => {
    const { status, answer } = await postRaw(bss.url, '/bss/v2/address/check', '{"STREET": "Haupt', {
      'X-BSS-Api-Key': API_KEY,
    });
    expect(status).toBe(200);
    expect(answer).toStrictEqual({ RC: 8, MSG: 'malformed request', ERR_FIELD: null });
  });

  it('answers a JSON array body as malformed', async () => {
    const { answer } = await postRaw(bss.url, '/bss/v2/address/check', '[]', { 'X-BSS-Api-Key': API_KEY });
    expect(answer).toMatchObject({ RC: 8, MSG: 'malformed request' });
  });
});

describe('free-text address check', () => {
  it('answers MATCH when the text names street, number and town of one address', async () => {
    const answer = await check({ FREE_TEXT: 'Hauptstrasse 12, 10115 Berlin, Germany' });
    expect(answer.RESULT).toBe('MATCH');
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_12]);
  });

  it('understands abbreviations and post codes with spaces', async () => {
    const answer = await check({ FREE_TEXT: '221b Baker St, London NW1 6XE' });
    expect(answer.RESULT).toBe('MATCH');
    expect(candidateKeys(answer)).toEqual(['NC-GB-000201']);
  });

  it('answers PARTIAL for an unknown number, and caps alternates at three', async () => {
    const answer = await check({ FREE_TEXT: 'Hauptstr. 13 Berlin', ALT_WANTED: 'Y' });
    expect(answer.RESULT).toBe('PARTIAL');
    expect(candidateKeys(answer)).toHaveLength(4);
    expect(candidateKeys(answer)).not.toContain('NC-DE-000131');
  });

  it('restricts free text to COUNTRY when given', async () => {
    const anywhere = await check({ FREE_TEXT: 'Hauptstrasse', ALT_WANTED: 'Y' });
    expect(anywhere.RESULT).toBe('PARTIAL');
    const inFrance = await check({ FREE_TEXT: 'Hauptstrasse', COUNTRY: 'France' });
    expect(inFrance.RESULT).toBe('NO_MATCH');
  });

  it('answers NO_MATCH when no address street is named', async () => {
    const answer = await check({ FREE_TEXT: 'Atlantis, Lost City 1' });
    expect(answer).toMatchObject({ RC: 0, RESULT: 'NO_MATCH', CANDIDATES: [] });
  });

  it('prefers the fielded parts over FREE_TEXT', async () => {
    const answer = await check({ ...berlinHauptstrasse('14'), FREE_TEXT: '221B Baker Street London' });
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_14]);
  });
});

describe('geographic address check', () => {
  // Hauptstrasse 10 sits at 52.5199 N 13.4048 E; west of it there is no other seed address for
  // well over a kilometre.
  const pointWestOfHauptstrasse10 = (metres: number): { LAT: number; LON: number } => {
    const lat = 52.5199;
    const metresPerDegree = (6_371_008.8 * Math.PI * Math.cos((lat * Math.PI) / 180)) / 180;
    return { LAT: lat, LON: 13.4048 - metres / metresPerDegree };
  };

  it('finds the nearest address within 250 m', async () => {
    const answer = await check({ GEO: pointWestOfHauptstrasse10(200) });
    expect(answer.RESULT).toBe('MATCH');
    expect(candidateKeys(answer)).toEqual([HAUPTSTRASSE_10]);
    expect(answer.CANDIDATES?.[0]?.SCORE).toBeLessThan(100);
  });

  it('lists further addresses within 250 m, nearest first, when ALT_WANTED is Y', async () => {
    const answer = await check({ GEO: { LAT: 52.52, LON: 13.405 }, ALT_WANTED: 'Y' });
    const keys = candidateKeys(answer);
    // 12a is about 8 m away; 10 and 14 lie about 16 m away on either side.
    expect(keys.slice(0, 2)).toEqual([HAUPTSTRASSE_12, HAUPTSTRASSE_12A]);
    expect(keys.slice(2).sort()).toEqual([HAUPTSTRASSE_10, HAUPTSTRASSE_14]);
    expect(answer.CANDIDATES?.[0]?.SCORE).toBe(100);
  });

  it('answers NO_MATCH beyond 250 m', async () => {
    const answer = await check({ GEO: pointWestOfHauptstrasse10(300) });
    expect(answer).toMatchObject({ RC: 0, RESULT: 'NO_MATCH', CANDIDATES: [] });
  });
});

describe('address key', () => {
  it('looks a known ADDR_KEY up directly in the check', async () => {
    const answer = await check({ ADDR_KEY: 'NC-NL-000402', ALT_WANTED: 'Y' });
    expect(answer.RESULT).toBe('MATCH');
    expect(answer.CANDIDATES).toEqual([
      expect.objectContaining({
        ADDR_KEY: 'NC-NL-000402',
        STREET: 'Science Park',
        POST_CODE: '1098 XH',
        PUBLIC_SITE: 'Y',
        SCORE: 100,
      }),
    ]);
  });

  it('answers RC 4 for an unknown ADDR_KEY in the check', async () => {
    const answer = await check({ ADDR_KEY: 'NC-DE-999999' });
    expect(answer).toStrictEqual({ RC: 4, MSG: 'address key unknown' });
  });

  it('GET /address/{ADDR_KEY} returns the address without SCORE', async () => {
    const res = await fetch(`${bss.url}/bss/v2/address/NC-DE-000124`, { headers: { 'X-BSS-Api-Key': API_KEY } });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as LegacyAnswer;
    expect(answer.RC).toBe(0);
    expect(answer.MSG).toBe('OK');
    expect(answer.ADDRESS).toStrictEqual({
      ADDR_KEY: 'NC-DE-000124',
      HOUSE_NO: '12',
      HOUSE_NO_SFX: 'a',
      STREET: 'Hauptstrasse',
      STREET_TYPE: 'Strasse',
      TOWN: 'Berlin',
      DISTRICT: 'Mitte',
      POST_CODE: '10115',
      REGION: 'Berlin',
      COUNTRY: 'Germany',
      GEO: { LAT: 52.52005, LON: 13.4051 },
      NEW_SITE: 'Y',
      PUBLIC_SITE: '?',
      LAST_UPD: '14.03.2026 11:20',
      BLDG: 'Hinterhaus',
      FLOOR: '2',
      UNIT: null,
    });
  });

  it('GET /address/{ADDR_KEY} answers HTTP 200 RC 4 for an unknown key', async () => {
    const res = await fetch(`${bss.url}/bss/v2/address/NC-XX-000000`, { headers: { 'X-BSS-Api-Key': API_KEY } });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ RC: 4, MSG: 'address key unknown' });
  });
});
