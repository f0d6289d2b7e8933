import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RELOAD_REFUSED } from '../../src/registry/registry-holder.js';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { nextPushed, recheckOnLog } from '../support/wait.js';

/** Runs `check` now and again after each reload the watcher logs (applied or refused) until it gives an answer. */
const afterReloads = <T>(gw: TestGateway, check: () => Promise<T | false>): Promise<T> =>
  recheckOnLog(gw.logs, check, {
    after: (l) => l.message === 'registry reloaded' || l.message === RELOAD_REFUSED,
    describe: () => 'the edit did not take effect after the reloads logged',
    timeoutMs: 20_000,
  });

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
    const paused = await afterReloads(gw, async () => {
      const res = await gw!.call('POST', path, { token, body: kylieBody });
      return res.status === 422 && res;
    });
    expect(paused.status).toBe(422);
    expect(paused.body[0].reason).toBe('Berlin is paused');

    // invalid edit: syntax error on line 2
    writeFileSync(file, '(\n  $x := ;\n)\n');
    const refused = await nextPushed(
      gw.logs,
      (l) => l.message === RELOAD_REFUSED,
      () => 'no refused reload logged',
      {
        timeoutMs: 20_000,
      },
    );
    expect(JSON.stringify(refused.problems)).toMatch(/address-validation\.request\.jsonata:2:\d+/);
    const still = await gw.call('POST', path, { token, body: kylieBody });
    expect(still.status).toBe(422);
    expect(still.body[0].reason).toBe('Berlin is paused');

    // and fixing it again restores the original behaviour
    writeFileSync(file, original);
    const restored = await afterReloads(gw, async () => {
      const res = await gw!.call('POST', path, { token, body: kylieBody });
      return res.status === 200 && res;
    });
    expect(restored.status).toBe(200);
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
    const refusedEvent = await afterReloads(gw, async () => {
      const res = await subscribe();
      return res.status === 400 && res;
    });
    expect(refusedEvent.status).toBe(400);
    expect(JSON.stringify(refusedEvent.body)).toContain('poqCreateEvent');

    writeFileSync(file, original.replace('partyIds: body', 'partyIds: inside'));
    const refused = await nextPushed(
      gw.logs,
      (l) => l.message === RELOAD_REFUSED && JSON.stringify(l.problems).includes('notifications.yaml'),
      () => 'no refused reload of notifications.yaml logged',
      { timeoutMs: 20_000 },
    );
    expect(JSON.stringify(refused.problems)).toMatch(/mappings\/releases\/grace\/notifications\.yaml:\d+:\d+ partyIds/);
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
