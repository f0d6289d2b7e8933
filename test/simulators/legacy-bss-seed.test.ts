import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDRESS_SEED_FILE_NAME, LegacyBssSeedError, loadAddressSeed } from '../../simulators/src/legacy-bss/address-seed.js';
import { createLegacyBssApp } from '../../simulators/src/legacy-bss/create-legacy-bss-app.js';
import { parseLegacyTimestamp } from '../../simulators/src/legacy-bss/legacy-timestamp.js';
import { startLegacyBss } from '../../simulators/src/legacy-bss/start-legacy-bss.js';
import { SHIPPED_DATA_DIR } from './legacy-bss-test-client.js';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` as addresses.yaml in a fresh temp folder; returns folder and file path. */
function writeSeed(text: string): { dataDir: string; file: string } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'legacy-bss-seed-'));
  tempDirs.push(dataDir);
  const file = path.join(dataDir, ADDRESS_SEED_FILE_NAME);
  writeFileSync(file, text);
  return { dataDir, file };
}

const VALID_ENTRY = `  - ADDR_KEY: NC-DE-000901
    HOUSE_NO: "1"
    STREET: Teststrasse
    STREET_TYPE: Strasse
    TOWN: Berlin
    POST_CODE: "10115"
    COUNTRY: Germany
    GEO: { LAT: 52.5, LON: 13.4 }
    NEW_SITE: "Y"
    PUBLIC_SITE: "N"
    LAST_UPD: "01.01.2026 10:00"
`;

/** A two-entry seed whose second entry (ADDR_KEY on line 13 ... LAST_UPD on line 23) is changed by `mutate`. */
function seedWithSecondEntry(mutate: (entry: string) => string): string {
  return `addresses:\n${VALID_ENTRY}${mutate(VALID_ENTRY.replace('NC-DE-000901', 'NC-DE-000902'))}`;
}

describe('shipped seed (simulators/data/legacy-bss/addresses.yaml)', () => {
  const addresses = loadAddressSeed(SHIPPED_DATA_DIR);

  it('loads about thirty addresses with unique keys across the served countries', () => {
    expect(addresses.length).toBeGreaterThanOrEqual(25);
    expect(new Set(addresses.map((a) => a.ADDR_KEY)).size).toBe(addresses.length);
    expect(new Set(addresses.map((a) => a.COUNTRY))).toEqual(
      new Set(['Germany', 'United Kingdom', 'France', 'Netherlands', 'Switzerland', 'United States']),
    );
    expect(addresses.filter((a) => a.COUNTRY === 'Germany').length).toBeGreaterThan(addresses.length / 2);
  });

  it('covers the flag values and optional parts the gateway must map', () => {
    const publicSites = new Set(addresses.map((a) => a.PUBLIC_SITE));
    expect(publicSites).toEqual(new Set(['Y', 'N', '?']));
    expect(addresses.some((a) => a.NEW_SITE === 'N')).toBe(true);
    expect(addresses.some((a) => a.BLDG !== null && a.FLOOR !== null && a.UNIT !== null)).toBe(true);
    expect(addresses.some((a) => a.HOUSE_NO_SFX !== null)).toBe(true);
    for (const address of addresses) expect(parseLegacyTimestamp(address.LAST_UPD)).toBeInstanceOf(Date);
  });

  it('keeps leading zeros of post codes', () => {
    expect(addresses.find((a) => a.ADDR_KEY === 'NC-DE-000110')?.POST_CODE).toBe('01069');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(addresses)).toBe(true);
    expect(Object.isFrozen(addresses[0])).toBe(true);
  });
});

describe('seed validation names file and line', () => {
  it.each([
    [
      'an unquoted post code',
      (e: string) => e.replace('POST_CODE: "10115"', 'POST_CODE: 01069'),
      18,
      /POST_CODE: must be a non-empty string/,
    ],
    ['a country code', (e: string) => e.replace('COUNTRY: Germany', 'COUNTRY: DE'), 19, /COUNTRY: must be one of Germany/],
    [
      'a key whose country part differs',
      (e: string) => e.replace('NC-DE-000902', 'NC-FR-000902'),
      13,
      /ADDR_KEY: country part FR does not match COUNTRY Germany/,
    ],
    ['a malformed key', (e: string) => e.replace('NC-DE-000902', 'DE-902'), 13, /ADDR_KEY: must look like NC-DE-000123/],
    ['an ISO timestamp', (e: string) => e.replace('01.01.2026 10:00', '2026-01-01T10:00:00Z'), 23, /LAST_UPD: must be dd\.MM\.yyyy HH:mm/],
    ['a wall-clock time skipped by daylight saving', (e: string) => e.replace('01.01.2026 10:00', '29.03.2026 02:30'), 23, /LAST_UPD/],
    ['a latitude out of range', (e: string) => e.replace('LAT: 52.5', 'LAT: 152.5'), 20, /GEO\.LAT: must be a number/],
    ['an unknown field', (e: string) => `${e}    COLOUR: blue\n`, 24, /unknown field COLOUR/],
    ['a missing street', (e: string) => e.replace('    STREET: Teststrasse\n', ''), 13, /addresses\[1\]: missing STREET/],
    [
      'an invalid PUBLIC_SITE',
      (e: string) => e.replace('PUBLIC_SITE: "N"', 'PUBLIC_SITE: maybe'),
      22,
      /PUBLIC_SITE: must be one of "Y", "N", "\?"/,
    ],
    ['a duplicate key', (e: string) => e.replace('NC-DE-000902', 'NC-DE-000901'), 13, /duplicate key NC-DE-000901 \(first at line 2\)/],
    ['broken YAML', (e: string) => e.replace('STREET: Teststrasse', 'STREET: Test: strasse'), 15, /invalid YAML: Nested mappings/],
  ])('rejects %s', (_case, mutate, line, detail) => {
    const { dataDir, file } = writeSeed(seedWithSecondEntry(mutate));
    let thrown: unknown;
    try {
      loadAddressSeed(dataDir);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LegacyBssSeedError);
    const error = thrown as LegacyBssSeedError;
    expect(error.message.slice(0, `${file}:${line}: `.length)).toBe(`${file}:${line}: `);
    expect(error.message).toMatch(detail);
    expect(error.line).toBe(line);
  });

  it('rejects a file without an addresses list at line 1', () => {
    const { dataDir, file } = writeSeed('- just: a list\n');
    expect(() => loadAddressSeed(dataDir)).toThrow(`${file}:1: expected a mapping with an \`addresses\` list`);
  });

  it('names a file below the working directory by its relative path', () => {
    const { dataDir } = writeSeed('addresses: []\n');
    const previous = process.cwd();
    process.chdir(path.dirname(dataDir));
    try {
      expect(() => loadAddressSeed(dataDir)).toThrow(`${path.basename(dataDir)}/addresses.yaml:1: addresses: list is empty`);
    } finally {
      process.chdir(previous);
    }
  });

  it('names the file when it cannot be read', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'legacy-bss-seed-'));
    tempDirs.push(dataDir);
    expect(() => loadAddressSeed(dataDir)).toThrow(`${path.join(dataDir, ADDRESS_SEED_FILE_NAME)}: cannot read seed file (ENOENT)`);
  });

  it('stops the app from being built and the simulator from starting', async () => {
    const { dataDir } = writeSeed(seedWithSecondEntry((e) => e.replace('COUNTRY: Germany', 'COUNTRY: DE')));
    expect(() => createLegacyBssApp({ apiKey: 'k', dataDir })).toThrow(LegacyBssSeedError);
    await expect(startLegacyBss({ apiKey: 'k', dataDir })).rejects.toThrow(/:19: addresses\[1\]\.COUNTRY/);
  });
});
