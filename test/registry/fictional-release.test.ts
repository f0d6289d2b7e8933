import { appendFileSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRegistryFixtures } from '../../src/registry/run-fixtures.js';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * docs/adding-a-release.md: a release and a partner dialect are data. The fictional release Lumen (its address API
 * is Kylie's under v9) and its buyer Lumen Telecom are copied from test/fixtures/lumen into a copy of the project,
 * and the gateway, unchanged, serves them.
 */
const FIXTURE = join(import.meta.dirname, '../fixtures/lumen');
let project: ReturnType<typeof copyProject>;
let gw: TestGateway;
let token: string;

beforeAll(async () => {
  project = copyProject();
  cpSync(join(FIXTURE, 'mappings'), join(project.dir, 'mappings'), { recursive: true });
  cpSync(join(FIXTURE, 'partners'), join(project.dir, 'partners'), { recursive: true });
  appendFileSync(join(project.dir, 'config/test.env'), '\nPARTNER_LUMEN_CLIENT_SECRET=lumen-test-secret-2026\n');
  gw = await startTestGateway({ rootDir: project.dir });
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'lumen-telecom',
    client_secret: 'lumen-test-secret-2026',
  });
  const res = await fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await gw?.close();
  project?.cleanup();
});

const body = {
  instantSyncValidation: true,
  submittedGeographicAddress: {
    '@type': 'GeographicAddress_Query',
    fieldedAddressRepresentation: [{ streetNr: '12', streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', countryCode: 'DE' }],
  },
};

describe('a fictional release and partner dialect, added as files only (docs/adding-a-release.md)', () => {
  it("the release is loaded with Kylie's operations under its own version", () => {
    const lumen = gw.gateway.registry.current().releases.get('lumen');
    expect(lumen?.apis.get('geographicAddressManagement')?.version).toBe('v9');
    expect(
      lumen?.apis
        .get('geographicAddressManagement')
        ?.operations.map((o) => o.operationId)
        .sort(),
    ).toEqual(['createGeographicAddressValidation', 'retrieveGeographicAddress', 'retrieveGeographicAddressValidation']);
  });

  it("its partner validates an address at v9 and gets Kylie's answer in its own dialect (cities in capitals)", async () => {
    const res = await gw.call('POST', '/mefApi/sonata/geographicAddressManagement/v9/geographicAddressValidation', {
      token,
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('ready');
    const best = res.body.bestMatchGeographicAddress.fieldedAddressRepresentation[0];
    expect(best).toMatchObject({ streetName: 'Hauptstrasse', streetNr: '12', city: 'BERLIN', countryCode: 'DE' });
  });

  it("the partner's own release is the only one it reaches: Kylie's v8 path is not its API", async () => {
    const res = await gw.call('POST', '/mefApi/sonata/geographicAddressManagement/v8/geographicAddressValidation', {
      token,
      body,
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('notFound');
  });

  it('the dialect mapping has a fixture that passes', async () => {
    const outcomes = await runRegistryFixtures(gw.gateway.registry.current(), { partnerId: 'lumen-telecom' });
    expect(outcomes.map((o) => [o.name, o.ok])).toEqual([[expect.stringContaining('address-validation.response.capitals'), true]]);
  });

  it('docs/adding-a-release.md shows exactly these files, as diffs that add them', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/adding-a-release.md'), 'utf8');
    for (const file of [
      'mappings/releases/lumen/release.yaml',
      'mappings/releases/lumen/geographicAddressManagement/api.yaml',
      'partners/lumen-telecom/partner.yaml',
      'partners/lumen-telecom/mappings/address-validation.response.jsonata',
      'partners/lumen-telecom/fixtures/address-validation.response.capitals.yaml',
    ]) {
      const lines = readFileSync(join(FIXTURE, file), 'utf8').trimEnd().split('\n');
      expect(doc, file).toContain(`+++ b/${file}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`);
    }
  });
});
