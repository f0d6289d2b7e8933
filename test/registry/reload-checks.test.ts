import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RELOAD_REFUSED } from '../../src/registry/registry-holder.js';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
let gw: TestGateway | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await gw?.close();
  project?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  gw = undefined;
  project = undefined;
  scratch = undefined;
});

const body = (streetNr = '12') => ({
  instantSyncValidation: true,
  submittedGeographicAddress: {
    '@type': 'GeographicAddress_Query',
    fieldedAddressRepresentation: [{ streetNr, streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', countryCode: 'DEU' }],
  },
});
const kylie = '/mefApi/sonata/geographicAddressManagement/v8/geographicAddressValidation';
const grace = '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation';
const graceBody = {
  provideAlternative: true,
  submittedGeographicAddress: {
    '@type': 'FieldedAddress',
    streetNr: '12',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    postcode: '10115',
    country: 'Germany',
  },
};
const globexMapping = 'partners/globex-networks/mappings/address-validation.request.jsonata';

function refusals(logs: Array<Record<string, unknown>>): string {
  return JSON.stringify(logs.filter((l) => l.message === RELOAD_REFUSED));
}

/** The Globex mapping refusing Hauptstrasse 14 on top of what it did: a visible change its fixtures still pass. */
function pauseStreetNr14(dir: string): void {
  const file = join(dir, globexMapping);
  writeFileSync(
    file,
    `(\n  submittedGeographicAddress.fieldedAddressRepresentation[0].streetNr = "14"\n    ? $reject("otherIssue", "/submittedGeographicAddress", "Hauptstrasse 14 is paused")\n    : ${readFileSync(file, 'utf8')}\n)\n`,
  );
}

// every reload loads the whole tree (seconds on a shared 2-core machine); several per test
describe('a reload compiles, checks and runs fixtures before anything goes live', { timeout: 90_000 }, () => {
  it('refuses a misspelled function and a failing fixture; the last good mapping keeps answering', async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir });
    const token = await gw.token('globex');
    const hashBefore = gw.gateway.registry.current().hash;
    expect((await gw.call('POST', kylie, { token, body: body() })).status).toBe(200);

    // a typo in a partner's mapping: refused at file:line:col with a suggestion, the partner keeps its last good state
    const file = join(project.dir, globexMapping);
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('$countryCode(', '$conutryCode('));
    const typo = await gw.gateway.registry.reload();
    expect(typo.ok && typo.refusedPartners.map((r) => r.partnerId)).toEqual(['globex-networks']);
    expect(refusals(gw.logs)).toMatch(
      /address-validation\.request\.jsonata:\d+:\d+ unknown function `\$conutryCode`; did you mean `\$countryCode`\?/,
    );
    const answered = await gw.call('POST', kylie, { token, body: body() });
    expect(answered.status).toBe(200);

    // the mapping is valid but no longer does what its fixture says: refused with the fixture file and the diff
    writeFileSync(file, original.replace('$countryCode($r.countryCode)', '$r.countryCode'));
    gw.logs.length = 0;
    const failing = await gw.gateway.registry.reload();
    expect(failing.ok && failing.refusedPartners.map((r) => r.partnerId)).toEqual(['globex-networks']);
    expect(refusals(gw.logs)).toMatch(
      /partners\/globex-networks\/fixtures\/address-validation\.request\.alpha3\.yaml:\d+:1 fixture fails: .*countryCode: expected \\"DE\\", got \\"DEU\\"/,
    );
    const stillAnswered = await gw.call('POST', kylie, { token, body: body() });
    expect(stillAnswered.status).toBe(200);
    expect(stillAnswered.body).toStrictEqual(answered.body);

    // a typo in a shared mapping refuses the whole snapshot
    const shared = join(project.dir, 'mappings/legacy/address/check.request.jsonata');
    writeFileSync(shared, `$lenght("x")\n`);
    writeFileSync(file, original);
    gw.logs.length = 0;
    const whole = await gw.gateway.registry.reload();
    expect(whole.ok).toBe(false);
    expect(refusals(gw.logs)).toMatch(
      /mappings\/legacy\/address\/check\.request\.jsonata:1:1 unknown function `\$lenght`; did you mean `\$length`\?/,
    );
    expect(gw.gateway.registry.current().hash).toBe(hashBefore);
    expect((await gw.call('POST', kylie, { token, body: body() })).status).toBe(200);
  });

  it("a broken partner does not block another partner's edit", async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir });
    const acme = await gw.token('acme');
    const globex = await gw.token('globex');
    // ACME loses its secret (a variable nobody set) and Globex's mapping changes, in the same reload
    const acmeFile = join(project.dir, 'partners/acme-telecom/partner.yaml');
    writeFileSync(
      acmeFile,
      readFileSync(acmeFile, 'utf8').replace(/clientSecretEnv: \S+/, 'clientSecretEnv: PARTNER_ACME_SECRET_NOBODY_SET'),
    );
    pauseStreetNr14(project.dir);
    const result = await gw.gateway.registry.reload();
    expect(result.ok && result.refusedPartners.map((r) => [r.partnerId, r.keptLastGood])).toEqual([['acme-telecom', true]]);
    expect(refusals(gw.logs)).toMatch(
      /partners\/acme-telecom\/partner\.yaml:\d+:\d+ credentials\.clientSecretEnv: environment variable PARTNER_ACME_SECRET_NOBODY_SET is not set/,
    );

    const paused = await gw.call('POST', kylie, { token: globex, body: body('14') });
    expect(paused.status).toBe(422);
    expect(paused.body[0].reason).toBe('Hauptstrasse 14 is paused');
    // ACME keeps its last good state: its token and its answers
    expect((await gw.call('POST', grace, { token: acme, body: graceBody })).status).toBe(200);
    expect(await gw.token('acme')).toBeTruthy();
  });

  it('a new partner folder serves without restart, with its *_FILE secret read at reload', async () => {
    project = copyProject();
    scratch = mkdtempSync(join(tmpdir(), 'sgw-secret-'));
    const secretFile = join(scratch, 'newco-secret');
    writeFileSync(secretFile, 'newco-secret-before-start-0001\n');
    gw = await startTestGateway({ rootDir: project.dir, env: { PARTNER_NEWCO_CLIENT_SECRET_FILE: secretFile } });
    const metricsUrl = `${gw.adminUrl ?? gw.url}/metrics`;
    const hashLine = async () =>
      (await (await fetch(metricsUrl)).text()).split('\n').filter((l) => l.startsWith('sonata_gateway_registry_snapshot_info'));
    const before = await hashLine();
    expect(before).toEqual([`sonata_gateway_registry_snapshot_info{hash="${gw.gateway.registry.current().hash}"} 1`]);

    // the operator rotates the mounted secret and adds the partner's folder
    writeFileSync(secretFile, 'newco-secret-after-start-0002\n');
    const dir = join(project.dir, 'partners/newco');
    cpSync(join(project.dir, 'partners/globex-networks'), dir, { recursive: true });
    const yamlFile = join(dir, 'partner.yaml');
    writeFileSync(
      yamlFile,
      readFileSync(yamlFile, 'utf8')
        .replace('id: globex-networks', 'id: newco')
        .replace('clientId: globex-networks', 'clientId: newco')
        .replace('clientSecretEnv: PARTNER_GLOBEX_CLIENT_SECRET', 'clientSecretEnv: PARTNER_NEWCO_CLIENT_SECRET'),
    );
    const result = await gw.gateway.registry.reload();
    expect(result.ok && result.refusedPartners).toEqual([]);

    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'newco',
      client_secret: 'newco-secret-after-start-0002',
    });
    const tokenRes = await fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: form });
    expect(tokenRes.status).toBe(200);
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const answer = await gw.call('POST', kylie, { token, body: body() });
    expect(answer.status).toBe(200);

    // one series, now naming the new snapshot
    const after = await hashLine();
    expect(after).toEqual([`sonata_gateway_registry_snapshot_info{hash="${gw.gateway.registry.current().hash}"} 1`]);
    expect(after).not.toEqual(before);
  });

  it('a new partner with a problem stays off while the others reload', async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir });
    const dir = join(project.dir, 'partners/brokenco');
    cpSync(join(project.dir, 'partners/globex-networks'), dir, { recursive: true });
    const yamlFile = join(dir, 'partner.yaml');
    writeFileSync(
      yamlFile,
      readFileSync(yamlFile, 'utf8')
        .replace('id: globex-networks', 'id: brokenco')
        .replace('clientId: globex-networks', 'clientId: brokenco'),
    );
    writeFileSync(join(dir, 'mappings/address-validation.request.jsonata'), '$substring("abc", 1, 2, 3)\n');
    pauseStreetNr14(project.dir);
    const result = await gw.gateway.registry.reload();
    expect(result.ok && result.refusedPartners.map((r) => [r.partnerId, r.keptLastGood])).toEqual([['brokenco', false]]);
    expect(refusals(gw.logs)).toMatch(
      /partners\/brokenco\/mappings\/address-validation\.request\.jsonata:1:1 `\$substring` takes at most 3 argument\(s\), got 4/,
    );
    expect(gw.gateway.registry.current().partners.has('brokenco')).toBe(false);
    const paused = await gw.call('POST', kylie, { token: await gw.token('globex'), body: body('14') });
    expect(paused.status).toBe(422);
  });
});
