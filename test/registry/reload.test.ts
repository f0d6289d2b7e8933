import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  project?.cleanup();
  gw = undefined;
  project = undefined;
});

const kylieBody = {
  instantSyncValidation: true,
  submittedGeographicAddress: {
    '@type': 'GeographicAddress_Query',
    fieldedAddressRepresentation: [{ streetNr: '14', streetName: 'Hauptstrasse', city: 'Berlin', postcode: '10115', countryCode: 'DEU' }],
  },
};
const path = '/mefApi/sonata/geographicAddressManagement/v8/geographicAddressValidation';

describe('mapping files reload while the gateway runs', { timeout: 60_000 }, () => {
  // "live within a second" is measured by `npm run bench:reload`, not asserted here: shared machines are noisy
  it('a valid edit goes live; an invalid one is refused with file:line:col and the last good version keeps serving', async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir, watch: true });
    const token = await gw.token('globex');
    const before = await gw.call('POST', path, { token, body: kylieBody });
    expect(before.status).toBe(200);

    // valid edit: the Globex dialect mapping now also refuses Hauptstrasse 14 (a visible behaviour change; its
    // fixtures, run by the reload, still pass)
    const file = join(project.dir, 'partners/globex-networks/mappings/address-validation.request.jsonata');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      `(\n  submittedGeographicAddress.fieldedAddressRepresentation[0].streetNr = "14"\n    ? $reject("otherIssue", "/submittedGeographicAddress", "Berlin is paused")\n    : ${original}\n)\n`,
    );
    await vi.waitFor(
      async () => {
        const res = await gw!.call('POST', path, { token, body: kylieBody });
        expect(res.status).toBe(422);
        expect(res.body[0].reason).toBe('Berlin is paused');
      },
      { timeout: 20_000, interval: 25 },
    );

    // invalid edit: syntax error on line 2
    writeFileSync(file, '(\n  $x := ;\n)\n');
    await vi.waitFor(
      () => {
        const refused = gw!.logs.find((l) => l.message === 'registry reload refused; the last good configuration keeps serving');
        expect(refused).toBeDefined();
        expect(JSON.stringify(refused!.problems)).toMatch(/address-validation\.request\.jsonata:2:\d+/);
      },
      { timeout: 20_000, interval: 25 },
    );
    const still = await gw.call('POST', path, { token, body: kylieBody });
    expect(still.status).toBe(422);
    expect(still.body[0].reason).toBe('Berlin is paused');

    // and fixing it again restores the original behaviour
    writeFileSync(file, original);
    await vi.waitFor(
      async () => {
        expect((await gw!.call('POST', path, { token, body: kylieBody })).status).toBe(200);
      },
      { timeout: 20_000, interval: 25 },
    );
  });

  it('notifications.yaml reloads too: a Grace event dropped from it can no longer be subscribed to; a broken edit names file:line', async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir, watch: true });
    const token = await gw.token('acme');
    const hub = '/mefApi/sonata/productOfferingQualification/v7/hub';
    const subscribe = () =>
      gw!.call('POST', hub, {
        token,
        body: { callback: 'http://127.0.0.1:9999/cb', query: 'eventType=poqCreateEvent' },
      });
    expect((await subscribe()).status).toBe(201);

    const file = join(project.dir, 'mappings/releases/grace/notifications.yaml');
    const original = readFileSync(file, 'utf8');
    const edited = original.replace(/\n\s+poqCreateEvent: \{\}/, '');
    expect(edited).not.toBe(original);
    writeFileSync(file, edited);
    await vi.waitFor(
      async () => {
        const res = await subscribe();
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body)).toContain('poqCreateEvent');
      },
      { timeout: 20_000, interval: 25 },
    );

    writeFileSync(file, original.replace('partyIds: body', 'partyIds: inside'));
    await vi.waitFor(
      () => {
        const refused = gw!.logs.find(
          (l) =>
            l.message === 'registry reload refused; the last good configuration keeps serving' &&
            JSON.stringify(l.problems).includes('notifications.yaml'),
        );
        expect(JSON.stringify(refused?.problems)).toMatch(/mappings\/releases\/grace\/notifications\.yaml:\d+:\d+ partyIds/);
      },
      { timeout: 20_000, interval: 25 },
    );
    expect((await subscribe()).status).toBe(400);
  });

  it('reload() by hand swaps the snapshot; requests already running keep theirs', async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir });
    const first = gw.gateway.registry.current();
    const result = await gw.gateway.registry.reload();
    expect(result.ok).toBe(true);
    expect(gw.gateway.registry.current()).not.toBe(first);
    expect(Object.isFrozen(gw.gateway.registry.current())).toBe(true);
  });
});

describe('verified tokens are remembered, but not past their partner', () => {
  it('a partner removed by a reload is refused at once, even with a token the gateway verified and cached', async () => {
    project = copyProject();
    gw = await startTestGateway({ rootDir: project.dir });
    const token = await gw.token('globex');
    // verified twice: the second call is answered from the token cache
    expect((await gw.call('POST', path, { token, body: kylieBody })).status).toBe(200);
    expect((await gw.call('POST', path, { token, body: kylieBody })).status).toBe(200);

    rmSync(join(project.dir, 'partners/globex-networks'), { recursive: true });
    expect((await gw.gateway.registry.reload()).ok).toBe(true);
    const refused = await gw.call('POST', path, { token, body: kylieBody });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toMatch(/no longer configured/);
  });
});
