/**
 * `sonata-gateway trace` and `replay` against a running test gateway (real HTTP, the gateway's activity log), and
 * replay after a mapping edit in a temp copy of the project.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { ActivityRecord } from '../../src/observability/activity.js';
import { buyerContact } from '../sonata/poq-quote-support.js';
import { copyProject, REPO_ROOT, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const VALIDATE = '/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation';
const KEY = 'demo-internal-key-0123456789';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let gw: TestGateway;
let project: ReturnType<typeof copyProject>;
let correlationId: string;

beforeAll(async () => {
  project = copyProject();
  gw = await startTestGateway();
  const acme = await gw.token('acme');
  const res = await gw.call('POST', VALIDATE, {
    token: acme,
    body: {
      provideAlternative: true,
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetName: 'Hauptstrasse 12',
        city: 'Berlin',
        postcode: '10115',
        country: 'Germany',
      },
    },
  });
  expect(res.status).toBe(200);
  correlationId = res.headers.get('x-request-id')!;
  for (let i = 0; i < 200 && !(await gw.gateway.activity.get(correlationId)); i++) await new Promise((r) => setTimeout(r, 25));
}, 60_000);
afterAll(async () => {
  await gw?.close();
  project?.cleanup();
});

describe('sonata-gateway trace', { timeout: 60_000 }, () => {
  it('prints the chain of a recorded request: one line per hop, bodies indented', async () => {
    const r = await cli(['trace', correlationId, '--url', gw.url, '--key', KEY]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`${correlationId}  acme-telecom grace createGeographicAddressValidation`);
    expect(lines[1]).toMatch(new RegExp(`^POST ${VALIDATE} -> 200 in [0-9.]+ ms`));
    const hops = lines.filter((l) => /^ {2}\d /.test(l));
    expect(hops.map((l) => l.trim().split(/\s+/)[1])).toEqual(['partner-request', 'legacy-request', 'legacy-response', 'partner-response']);
    expect(hops[1]).toMatch(/legacy-request +POST http:\/\/127\.0\.0\.1:\d+\/\S+ \[mappings\/legacy\/address\/check\.request\.jsonata\]/);
    expect(hops[2]).toMatch(/legacy-response +200 [0-9.]+ ms/);
    // bodies, indented under their hop
    expect(r.out).toMatch(/\n {6}\{\n {8}"provideAlternative": true,/);
    expect(r.out).toContain('"validationResult"');
  });

  it('prints hop lines only with --no-bodies, and the record with --json', async () => {
    const bare = await cli(['trace', correlationId, '--url', gw.url, '--key', KEY, '--no-bodies']);
    expect(bare.code).toBe(0);
    expect(bare.out.split('\n').filter(Boolean)).toHaveLength(6);
    const json = await cli(['trace', correlationId, '--url', gw.url, '--key', KEY, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ correlationId, partnerId: 'acme-telecom', status: 200 });
  });

  it('exits 1 for an unknown id, 3 when the gateway does not answer', async () => {
    const unknown = await cli(['trace', 'no-such-request', '--url', gw.url, '--key', KEY]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no activity for no-such-request/);
    const down = await cli(['trace', correlationId, '--url', `http://127.0.0.1:${await closedPort()}`, '--key', KEY]);
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/does not answer/);
  });
});

describe('sonata-gateway replay', { timeout: 60_000 }, () => {
  it("exits 0 when today's mappings give the same legacy request and answer", async () => {
    const r = await cli(['replay', correlationId, '--url', gw.url, '--key', KEY, '--root', project.dir, '--env', 'test']);
    expect(r.err).toBe('');
    expect(r.out).toContain('legacy request 1 (address.check): identical');
    expect(r.out).toMatch(/answer \(200 then, 200 now\): identical/);
    expect(r.code).toBe(0);
  });

  it('exits 1 with the JSON pointer that changed after a mapping edit (from a trace --json file)', async () => {
    const file = join(project.dir, 'request.json');
    const traced = await cli(['trace', correlationId, '--url', gw.url, '--key', KEY, '--json']);
    writeFileSync(file, traced.out);
    const mapping = join(project.dir, 'mappings/releases/grace/geographicAddressManagement/validation-create.response.jsonata');
    const source = readFileSync(mapping, 'utf8');
    expect(source).toContain('"city": $a.city,');
    writeFileSync(mapping, source.replace('"city": $a.city,', '"city": $uppercase($a.city),'));
    const r = await cli(['replay', '--request', file, '--root', project.dir, '--env', 'test']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('legacy request 1 (address.check): identical');
    expect(r.out).toMatch(/\/bestMatchGeographicAddress\/city: then "Berlin", now "BERLIN"/);
    expect(r.out).toMatch(/different\n$/);
    const record = JSON.parse(traced.out) as ActivityRecord;
    expect(record.hops.find((h) => h.kind === 'legacy-response')).toBeDefined();
  });

  it('replays a Grace quote create (redacted contact, generated id, request time) as identical', async () => {
    const acme = await gw.token('acme');
    const res = await gw.call('POST', '/mefApi/sonata/quoteManagement/v8/quote', {
      token: acme,
      body: {
        instantSyncQuote: true,
        buyerRequestedQuoteLevel: 'firm',
        relatedContactInformation: [buyerContact()],
        quoteItem: [
          {
            id: '1',
            action: 'add',
            product: {
              productConfiguration: { '@type': 'ACCESS_E_LINE', bandwidthMbps: 100 },
              place: [{ '@type': 'GeographicAddressRef', role: 'INSTALL_LOCATION', id: 'NC-DE-000123' }],
            },
          },
        ],
      },
    });
    expect(res.status).toBe(201);
    const id = res.headers.get('x-request-id')!;
    for (let i = 0; i < 200 && !(await gw.gateway.activity.get(id)); i++) await new Promise((r) => setTimeout(r, 25));
    const r = await cli(['replay', id, '--url', gw.url, '--key', KEY, '--root', REPO_ROOT, '--env', 'test']);
    expect(r.out).toContain('legacy request 1 (offer.create): identical');
    expect(r.out).toContain('answer (201 then, 201 now): identical');
    expect(r.code).toBe(0);
  });

  it('exits 2 without a correlation id or request file, 3 when the gateway does not answer', async () => {
    expect((await cli(['replay', '--root', project.dir, '--env', 'test'])).code).toBe(2);
    expect(
      (
        await cli([
          'replay',
          correlationId,
          '--url',
          `http://127.0.0.1:${await closedPort()}`,
          '--key',
          KEY,
          '--root',
          project.dir,
          '--env',
          'test',
        ])
      ).code,
    ).toBe(3);
  });
});
