import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyProject, PARTNERS, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const path = `${PARTNERS.acme.addressBase}/geographicAddressValidation`;
// our own request schema does not look at geographicSubAddress; the official Grace spec says it is an object
const offSpec = {
  provideAlternative: true,
  submittedGeographicAddress: {
    '@type': 'FieldedAddress',
    streetNr: '12',
    streetName: 'Hauptstrasse',
    city: 'Berlin',
    country: 'DE',
    geographicSubAddress: 'third floor',
  },
};

let gw: TestGateway | undefined;
let project: ReturnType<typeof copyProject> | undefined;
afterEach(async () => {
  await gw?.close();
  project?.cleanup();
  gw = undefined;
  project = undefined;
});

async function violations(g: TestGateway, direction: string): Promise<number> {
  const text = await (await fetch(`${g.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('sonata_gateway_spec_violations_total') && l.includes(`direction="${direction}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('validation against the official spec of the partner release', () => {
  it('enforce: a request that violates the spec is refused with 422 naming the failing path', async () => {
    gw = await startTestGateway({ env: { SPEC_VALIDATION: 'enforce', SONATA_SDK_DIR: SDK_DIR } });
    const token = await gw.token('acme');
    const res = await gw.call('POST', path, { token, body: offSpec });
    expect(res.status).toBe(422);
    expect(res.body).toContainEqual(
      expect.objectContaining({
        code: 'invalidFormat',
        propertyPath: '/submittedGeographicAddress/geographicSubAddress',
      }),
    );
    expect(await violations(gw, 'request')).toBe(1);
  });

  it('report: the same request is served, and the violation is logged and counted', async () => {
    // served as asked, the answer echoes the off-spec submitted address: that answer violates the spec too
    gw = await startTestGateway({
      env: { SPEC_VALIDATION: 'report', SONATA_SDK_DIR: SDK_DIR },
      allowSpecViolations: true,
    });
    const token = await gw.token('acme');
    const res = await gw.call('POST', path, { token, body: offSpec });
    expect(res.status).toBe(200);
    expect(gw.logs.some((l) => l.message === 'request violates the Sonata specification (report mode)')).toBe(true);
    expect(await violations(gw, 'request')).toBe(1);
  });

  it('off: nothing is checked', async () => {
    gw = await startTestGateway({ env: { SPEC_VALIDATION: 'off', SONATA_SDK_DIR: SDK_DIR } });
    const token = await gw.token('acme');
    expect((await gw.call('POST', path, { token, body: offSpec })).status).toBe(200);
    expect(await violations(gw, 'request')).toBe(0);
  });

  it('a response that would violate the spec (a broken mapping) is logged as an error and counted', async () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/releases/grace/geographicAddressManagement/validation-create.response.jsonata');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"validationResult": result,', '"validationResult": "maybe",'));
    gw = await startTestGateway({
      rootDir: project.dir,
      env: { SPEC_VALIDATION: 'enforce', SONATA_SDK_DIR: SDK_DIR },
      allowSpecViolations: true,
    });
    const token = await gw.token('acme');
    const res = await gw.call('POST', path, {
      token,
      body: {
        ...offSpec,
        submittedGeographicAddress: { ...offSpec.submittedGeographicAddress, geographicSubAddress: undefined },
      },
    });
    expect(res.status).toBe(200);
    const logged = gw.logs.find((l) => l.message === 'response violates the Sonata specification');
    expect(JSON.stringify(logged?.problems)).toContain('/validationResult');
    expect(await violations(gw, 'response')).toBe(1);
  });
});
