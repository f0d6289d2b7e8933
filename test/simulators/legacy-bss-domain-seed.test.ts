import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LegacyBssSeedError } from '../../simulators/src/legacy-bss/address-seed.js';
import { createLegacyBssApp } from '../../simulators/src/legacy-bss/create-legacy-bss-app.js';
import { SHIPPED_DATA_DIR } from './legacy-bss-test-client.js';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Copies the shipped seed, replaces `from` with `to` in `file` and returns the folder, the file's
 * path and the 1-based line where the replacement starts.
 */
function mutateSeed(file: string, from: string, to: string): { dataDir: string; filePath: string; line: number } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'legacy-bss-domain-seed-'));
  tempDirs.push(dataDir);
  cpSync(SHIPPED_DATA_DIR, dataDir, { recursive: true });
  const filePath = path.join(dataDir, file);
  const text = readFileSync(filePath, 'utf8');
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`${from} not in ${file}`);
  writeFileSync(filePath, `${text.slice(0, at)}${to}${text.slice(at + from.length)}`);
  return { dataDir, filePath, line: text.slice(0, at).split('\n').length };
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

describe('shipped domain seeds', () => {
  it('load without error, as the simulator loads them', () => {
    expect(() => createLegacyBssApp({ apiKey: 'k', dataDir: SHIPPED_DATA_DIR })).not.toThrow();
  });
});

describe('domain seed validation names file and line', () => {
  it.each([
    ['customers.yaml', 'CUST_NO: C-100077', 'CUST_NO: X-100077', /: customers\[1\]\.CUST_NO: must look like C-100042/],
    ['customers.yaml', 'CUST_NO: C-100077', 'CUST_NO: 100077', /customers\[1\]\.CUST_NO: must be a non-empty string \(quote numbers/],
    ['customers.yaml', 'CURRENCY: GBP', 'CURRENCY: CHF', /CURRENCY: must be one of "EUR", "GBP", "USD"/],
    ['customers.yaml', 'CUST_NO: C-100099', 'CUST_NO: C-100042', /duplicate C-100042/],
    ['products.yaml', '{ BW_MBPS: 50, MRC: 29000, NRC: 50000 }', '{ BW_MBPS: 10, MRC: 29000, NRC: 50000 }', /duplicate BW_MBPS 10/],
    ['products.yaml', 'PROD_CODE: DIA', 'PROD_CODE: ELINE', /duplicate ELINE/],
    ['coverage.yaml', 'ADDR_KEY: NC-DE-000106', 'ADDR_KEY: NC-DE-999106', /unknown address NC-DE-999106/],
    [
      'coverage.yaml',
      'ADDR_KEY: NC-GB-000201, NET_TYPE: "OFF"',
      'ADDR_KEY: NC-CH-000501, NET_TYPE: "OFF"',
      /Switzerland, which is not served/,
    ],
    [
      'coverage.yaml',
      'MAX_BW_MBPS: 1000, BUILD_REQ: "N", LEAD_DAYS: 12 }',
      'MAX_BW_MBPS: fast, BUILD_REQ: "N", LEAD_DAYS: 12 }',
      /MAX_BW_MBPS: must be a whole number/,
    ],
    ['sites.yaml', 'ADDR_KEY: NC-DE-000113', 'ADDR_KEY: NC-DE-000999', /sites\[1\]\.ADDR_KEY: unknown address/],
    [
      'sites.yaml',
      'NET_TYPE: "OFF"\n    OPERATOR: Hanse',
      'NET_TYPE: "ON"\n    OPERATOR: Hanse',
      /NET_TYPE: coverage\.yaml says OFF for NC-DE-000107/,
    ],
    [
      'sites.yaml',
      'OWNER_CUST_NO: C-100077\n    CONTACT_NAME: Oliver',
      'OWNER_CUST_NO: C-100078\n    CONTACT_NAME: Oliver',
      /unknown customer C-100078/,
    ],
    [
      'sites.yaml',
      'SITE_TYPE: PUB\n    NET_TYPE: "ON"\n    OPERATOR: NetCore Carrier Services GmbH\n    CONTACT_NAME: FRA1',
      'SITE_TYPE: PRV\n    NET_TYPE: "ON"\n    OPERATOR: NetCore Carrier Services GmbH\n    CONTACT_NAME: FRA1',
      /missing OWNER_CUST_NO/,
      '- SITE_ID: ST-100001',
    ],
    ['assets.yaml', 'BW_MBPS: 500', 'BW_MBPS: 300', /BW_MBPS: not a bandwidth of DIA/],
    ['assets.yaml', 'SITE_ID: ST-100021', 'SITE_ID: ST-100011', /site ST-100011 lies at NC-DE-000123/],
    ['assets.yaml', 'ASSET_STATUS: SUSP', 'ASSET_STATUS: TERM', /missing END_DATE/, '- ASSET_ID: AS-5000004'],
    ['incidents.yaml', 'AFFECTED: [AS-5000011, AS-5000012]', 'AFFECTED: [AS-5000011, AS-5999999]', /unknown asset AS-5999999/],
    ['incidents.yaml', '    INC_TYPE: PW', '    INC_TYPE: maintenance', /INC_TYPE: must be one of "PW", "NF", "IW"/],
  ])('%s: rejects %s -> %s', (file, from, to, detail, reportedAt?: string) => {
    const { dataDir, filePath, line: changedLine } = mutateSeed(file, from, to);
    // The line of the changed value, or of the entry when a field is missing.
    const line = reportedAt === undefined ? changedLine : lineOf(readFileSync(filePath, 'utf8'), reportedAt);
    let thrown: unknown;
    try {
      createLegacyBssApp({ apiKey: 'k', dataDir });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LegacyBssSeedError);
    const error = thrown as LegacyBssSeedError;
    expect(error.message).toMatch(detail);
    expect(error.file).toBe(filePath);
    expect(error.line).toBe(line);
    expect(error.message.startsWith(`${filePath}:${line}: `)).toBe(true);
  });

  it('names a seed file that is missing', () => {
    const { dataDir } = mutateSeed('sites.yaml', 'sites:', 'sites:');
    rmSync(path.join(dataDir, 'incidents.yaml'));
    expect(() => createLegacyBssApp({ apiKey: 'k', dataDir })).toThrow(/incidents\.yaml: cannot read seed file \(ENOENT\)/);
  });
});
