import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyBssSeedError } from '../../simulators/src/legacy-bss/address-seed.js';
import { createLegacyBssApp } from '../../simulators/src/legacy-bss/create-legacy-bss-app.js';
import { ACME, GLOBEX, INITECH, inputError, startDomainSim, type DomainSim, type LegacyJson } from './legacy-bss-domain-client.js';
import { SHIPPED_DATA_DIR } from './legacy-bss-test-client.js';

/**
 * The legacy BSS's network events (network-events.ts): elements carry addresses, assets at those addresses ride on
 * them, a customer sees only events touching its assets (and only those assets), the NOC desk publishes, changes and
 * closes events and journals one NETWORK_EVENT per customer touched; the seed is checked with file:line.
 */
let sim: DomainSim;
const tempDirs: string[] = [];
beforeAll(async () => {
  sim = await startDomainSim();
});
afterAll(async () => {
  await sim?.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const ids = (list: LegacyJson[]): string[] => list.map((e) => e['NWE_NO'] as string);
const journal = async (custNo: string, since: number): Promise<LegacyJson[]> =>
  ((await sim.ok(`/events?CUST_NO=${custNo}&SINCE_SEQ=${since}`))['EVENTS'] as LegacyJson[]).filter(
    (e) => e['EVT_TYPE'] === 'NETWORK_EVENT',
  );

describe('reads', () => {
  it('a customer lists the events its assets ride on, with only its own assets and the element each rides on', async () => {
    const globex = await sim.ok(`/network-events?CUST_NO=${GLOBEX}`);
    expect(ids(globex['NETWORK_EVENTS'])).toEqual(['NWE-2026-000101', 'NWE-2026-000103', 'NWE-2026-000104']);
    expect(globex['NETWORK_EVENTS'][1]['AFFECTED']).toEqual([{ ASSET_ID: 'AS-5000012', NE_ID: 'FRA-CORE-1' }]);
    const acme = await sim.ok(`/network-events?CUST_NO=${ACME}&NWE_TYPE=BEEI`);
    expect(ids(acme['NETWORK_EVENTS'])).toEqual(['NWE-2026-000103', 'NWE-2026-000105']);
    expect(
      (await sim.ok(`/network-events?CUST_NO=${INITECH}&ASSET_ID=AS-5000021`))['NETWORK_EVENTS'].map((e: LegacyJson) => e['NWE_NO']),
    ).toEqual(['NWE-2026-000103']);
  });

  it("another customer's event is not found, and bad criteria are input errors", async () => {
    expect((await sim.call('/network-events/NWE-2026-000102?CUST_NO=C-100077'))['RC']).toBe(4);
    expect(await sim.call('/network-events/search', { CUST_NO: GLOBEX, NWE_TYPE: 'MAINT' })).toMatchObject(inputError('NWE_TYPE'));
  });
});

describe('the NOC desk', () => {
  it('publishing journals one report per customer touched; a change and the close report the old and new status', async () => {
    const since = (await sim.ok(`/events?CUST_NO=${ACME}&SINCE_SEQ=0`))['LAST_SEQ'] as number;
    const published = (await sim.ok('/_sim/network-events', { NWE_TYPE: 'STOE', ELEMENTS: ['FRA-CORE-1'], TEXT: 'Ausfall' }))[
      'NETWORK_EVENT'
    ];
    expect(published).toMatchObject({ NWE_STATUS: 'LFD', EFFECT: 'AUSF', CREATED_TS: '02.03.2026 10:00' });
    const no = published['NWE_NO'] as string;
    for (const custNo of [ACME, GLOBEX, INITECH]) {
      expect((await journal(custNo, since)).map((e) => [e['OBJ_ID'], e['OLD_STATUS'], e['NEW_STATUS']])).toEqual([[no, null, 'LFD']]);
    }
    await sim.ok(`/_sim/network-events/${no}/update`, { SEVERITY: 1 });
    await sim.ok(`/_sim/network-events/${no}/close`, {});
    expect((await journal(GLOBEX, since)).map((e) => [e['OLD_STATUS'], e['NEW_STATUS']])).toEqual([
      [null, 'LFD'],
      ['LFD', 'LFD'],
      ['LFD', 'ABG'],
    ]);
    expect(await sim.call(`/_sim/network-events/${no}/close`, {})).toMatchObject(inputError('NWE_NO', /already closed/));
  });

  it('refuses events breaking the type rules and unknown elements', async () => {
    expect(await sim.call('/_sim/network-events', { NWE_TYPE: 'WART', ELEMENTS: ['LON-ACC-0202'], TEXT: 'x' })).toMatchObject(
      inputError(null, /PLANNED_END/),
    );
    expect(
      await sim.call('/_sim/network-events', {
        NWE_TYPE: 'STOE',
        EFFECT: 'EINS',
        ELEMENTS: ['LON-ACC-0202'],
        TEXT: 'x',
      }),
    ).toMatchObject(inputError(null, /AUSF/));
    expect(await sim.call('/_sim/network-events', { NWE_TYPE: 'BEEI', ELEMENTS: ['LON-ACC-0202'], TEXT: 'x' })).toMatchObject(
      inputError(null, /CAUSE/),
    );
    expect(await sim.call('/_sim/network-events', { NWE_TYPE: 'STOE', ELEMENTS: ['XX-1'], TEXT: 'x' })).toMatchObject(
      inputError('ELEMENTS'),
    );
  });
});

describe('network-events.yaml is checked at load, naming file and line', () => {
  it.each([
    ['CARRIES: [NC-GB-000202]', 'CARRIES: [NC-GB-999202]', /unknown address NC-GB-999202/],
    ['ELEMENTS: [LON-ACC-0202]', 'ELEMENTS: [LON-ACC-9999]', /unknown network element LON-ACC-9999/],
    [
      'NWE_TYPE: STOE\n    NWE_STATUS: ABG\n    EFFECT: AUSF',
      'NWE_TYPE: STOE\n    NWE_STATUS: ABG\n    EFFECT: EINS',
      /a STOE event has EFFECT AUSF/,
    ],
  ])('rejects %s -> %s', (from, to, detail) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'legacy-bss-network-'));
    tempDirs.push(dataDir);
    cpSync(SHIPPED_DATA_DIR, dataDir, { recursive: true });
    const filePath = path.join(dataDir, 'network-events.yaml');
    const text = readFileSync(filePath, 'utf8');
    expect(text).toContain(from);
    writeFileSync(filePath, text.replace(from, to));
    let thrown: unknown;
    try {
      createLegacyBssApp({ apiKey: 'k', dataDir });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(LegacyBssSeedError);
    expect((thrown as Error).message).toMatch(detail);
    expect((thrown as LegacyBssSeedError).file).toBe(filePath);
  });
});
