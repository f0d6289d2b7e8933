import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { LEGACY_DATE_FORMATS, mapFromIsoUtc, mapToIsoUtc } from '../../src/mapping/functions/date.js';
import { nativeFromIsoUtc, nativeToIsoUtc } from '../../src/mapping/functions/date-native.js';

/* The built-ins before their native fast paths, luxon for every call: the reference they must match. */
function luxonToIsoUtc(value: unknown, format?: unknown, zone?: unknown): string | undefined {
  const inZone = typeof zone === 'string' && zone !== '' ? zone : 'Europe/Berlin';
  let parsed: DateTime | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    parsed = DateTime.fromMillis(value, { zone: 'utc' });
  } else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    const formats = format === undefined ? ['iso', ...LEGACY_DATE_FORMATS] : [format as string];
    for (const candidate of formats) {
      const attempt =
        candidate === 'iso' ? DateTime.fromISO(text, { zone: inZone }) : DateTime.fromFormat(text, candidate, { zone: inZone });
      if (attempt.isValid) {
        parsed = attempt;
        break;
      }
    }
  }
  if (parsed === undefined || !parsed.isValid) return undefined;
  return parsed.toUTC().toISO() ?? undefined;
}

function luxonFromIsoUtc(value: string, format: string, zone?: string): string | undefined {
  const parsed = DateTime.fromISO(value.trim(), { zone: 'utc' });
  if (!parsed.isValid) return undefined;
  const local = parsed.setZone(zone ?? 'Europe/Berlin');
  return local.isValid ? local.toFormat(format) : undefined;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'UTC', 'Pacific/Chatham'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Every 15 minutes of the days around 2026's DST changes (gaps and overlaps included), in each shape. */
function aroundTransitions(): { local: string[]; iso: string[] } {
  const local: string[] = [];
  const iso: string[] = [];
  for (const day of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-07-01']) {
    for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
      const [y, m, d] = day.split('-');
      const hh = pad(Math.floor(minutes / 60));
      const mm = pad(minutes % 60);
      local.push(`${day}T${hh}:${mm}`, `${d}.${m}.${y} ${hh}:${mm}`, `${day}T${hh}:${mm}:07.5`);
      iso.push(`${day}T${hh}:${mm}:00Z`, `${day}T${hh}:${mm}:30.123+05:30`, `${day}T${hh}:${mm}`);
    }
  }
  return { local, iso };
}

describe('$toIsoUtc / $fromIsoUtc without luxon per call', () => {
  const { local, iso } = aroundTransitions();

  it("give luxon's results around DST changes, in several zones", () => {
    for (const zone of ZONES) {
      for (const text of local) expect(mapToIsoUtc(text, undefined, zone), `${text} ${zone}`).toBe(luxonToIsoUtc(text, undefined, zone));
      for (const text of iso) {
        for (const format of ['dd.MM.yyyy HH:mm', 'dd.MM.yyyy', 'yyyy-MM-dd HH:mm:ss']) {
          expect(mapFromIsoUtc(text, format, zone), `${text} ${format} ${zone}`).toBe(luxonFromIsoUtc(text, format, zone));
        }
      }
    }
  });

  it('really take the native path for the shapes mappings use (not luxon behind it)', () => {
    expect(nativeToIsoUtc('25.11.2026 14:03', ['iso', ...LEGACY_DATE_FORMATS], 'Europe/Berlin', true)).toBe('2026-11-25T13:03:00.000Z');
    expect(nativeToIsoUtc('2026-07-01T10:00:00+02:00', ['iso'], 'Europe/Berlin', false)).toBe('2026-07-01T08:00:00.000Z');
    expect(nativeFromIsoUtc('2026-07-01T08:00:00Z', 'dd.MM.yyyy HH:mm', 'Europe/Berlin')).toBe('01.07.2026 10:00');
    // a local time that does not exist (the spring gap) is left to luxon
    expect(nativeToIsoUtc('29.03.2026 02:30', ['dd.MM.yyyy HH:mm'], 'Europe/Berlin', false)).toBeUndefined();
    expect(mapToIsoUtc('29.03.2026 02:30')).toBe(luxonToIsoUtc('29.03.2026 02:30'));
  });

  it("give luxon's results for generated dates, times, offsets and formats", () => {
    const text = fc
      .record({
        y: fc.integer({ min: 1, max: 9999 }),
        mo: fc.integer({ min: 0, max: 13 }),
        d: fc.integer({ min: 0, max: 32 }),
        h: fc.integer({ min: 0, max: 25 }),
        mi: fc.integer({ min: 0, max: 60 }),
        s: fc.integer({ min: 0, max: 60 }),
        frac: fc.constantFrom('', '.1', '.12', '.999', '.1234'),
        off: fc.constantFrom('', 'Z', '+01:00', '-09:30', '+14:00', '+15:00', '+0100'),
        shape: fc.integer({ min: 0, max: 4 }),
      })
      .map(({ y, mo, d, h, mi, s, frac, off, shape }) =>
        shape === 0
          ? `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac}${off}`
          : shape === 1
            ? `${pad(d)}.${pad(mo)}.${pad(y, 4)} ${pad(h)}:${pad(mi)}`
            : shape === 2
              ? `${pad(d)}.${pad(mo)}.${pad(y, 4)}`
              : shape === 3
                ? `${pad(y, 4)}-${pad(mo)}-${pad(d)}`
                : `${pad(y, 4)}${pad(mo)}${pad(d)}${pad(h)}${pad(mi)}${pad(s)}`,
      );
    fc.assert(
      fc.property(text, fc.constantFrom(...ZONES), fc.constantFrom(undefined, 'dd.MM.yyyy', 'dd.MM.yyyy HH:mm'), (t, zone, format) => {
        expect(mapToIsoUtc(t, format, zone)).toBe(luxonToIsoUtc(t, format, zone));
        expect(mapFromIsoUtc(t, 'dd.MM.yyyy HH:mm', zone)).toBe(luxonFromIsoUtc(t, 'dd.MM.yyyy HH:mm', zone));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 253_402_300_799_999 }), (millis) => {
        expect(mapToIsoUtc(millis)).toBe(luxonToIsoUtc(millis));
      }),
    );
  });
});
