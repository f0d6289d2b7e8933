import { connect, type Socket } from 'node:net';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/catalogue.js';
import { renderSonataError } from '../../src/errors/render-error.js';
import { copyProject, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { graceOrder } from '../sonata/product-order-support.js';

const ORDERS = '/mefApi/sonata/productOrderingManagement/v10/productOrder';

describe('validation cost is bounded', () => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    token = await gw.token('acme');
  });
  afterAll(() => gw.close());

  it('an array longer than server.maxArrayItems is refused before any schema runs, naming the array', async () => {
    const res = await gw.call('POST', ORDERS, {
      token,
      body: graceOrder({ relatedContactInformation: Array.from({ length: 60_000 }, () => 0) }),
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual([
      {
        code: 'tooManyRecords',
        propertyPath: '/relatedContactInformation',
        reason: expect.stringContaining('60000 items; at most 1000'),
      },
    ]);
  });

  it('a body of more JSON values than server.maxBodyValues is refused before any mapping or schema runs', async () => {
    const wide = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i]));
    const res = await gw.call('POST', ORDERS, { token, body: graceOrder({ wide }) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalidBody', message: 'The body holds more than 50000 JSON values' });
  });

  it('a 422 lists at most validation.maxErrors problems, then says how many more there are', async () => {
    const res = await gw.call('POST', ORDERS, {
      token,
      body: graceOrder({ relatedContactInformation: Array.from({ length: 35 }, () => 0) }),
    });
    expect(res.status).toBe(422);
    expect(res.body).toHaveLength(21);
    expect(res.body[0]).toMatchObject({ propertyPath: '/relatedContactInformation/0' });
    expect(res.body[19]).toMatchObject({ propertyPath: '/relatedContactInformation/19' });
    expect(res.body[20]).toEqual({ code: 'otherIssue', propertyPath: '/', reason: 'and 15 more problems' });
  });

  it('a refused body too large for a full report gets its first problem and a note that the rest was not checked', async () => {
    // 1,000 items of 30 values each: 30,000 values, more than a full report may walk
    const item = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const res = await gw.call('POST', ORDERS, {
      token,
      body: graceOrder({ relatedContactInformation: Array.from({ length: 1000 }, () => ({ ...item })) }),
    });
    expect(res.status).toBe(422);
    expect(res.body.length).toBeLessThanOrEqual(21);
    expect(res.body[0].propertyPath).toMatch(/^\/relatedContactInformation\/0\//);
    expect(res.body.at(-1)).toMatchObject({
      code: 'otherIssue',
      reason: expect.stringContaining('further problems were not checked'),
    });
  });

  it('a valid order is still accepted (fail-fast validation decides)', async () => {
    const res = await gw.call('POST', ORDERS, { token, body: graceOrder({ externalId: 'EDGE-OK-1' }) });
    expect(res.status).toBe(201);
  });
});

describe('a seller partner', () => {
  it("a seller partner's token on an API we sell is 403 forbiddenRequester", async () => {
    const gw = await startTestGateway();
    try {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'northwind-access',
        client_secret: 'northwind-demo-secret-2026',
      });
      const tokenRes = await fetch(`${gw.url}/oauth2/token`, { method: 'POST', body: form });
      expect(tokenRes.status).toBe(200);
      const token = ((await tokenRes.json()) as { access_token: string }).access_token;
      const res = await gw.call('GET', ORDERS, { token });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'forbiddenRequester' });
    } finally {
      await gw.close();
    }
  });
});

describe('5xx answers show partners no internals', () => {
  it('a 500 carries the catalogue reason and the correlation id only, never the detail', () => {
    const err = new GatewayError(
      'mapping.failed',
      'partners/acme-telecom/mappings/quote.request.jsonata:12:7 T1006 $conutryCode is not a function',
    );
    const { status, body } = renderSonataError(err, { requestId: 'req-42' });
    expect(status).toBe(500);
    expect(body).toEqual({
      code: 'internalError',
      reason: 'A mapping failed to translate the message',
      message: "Correlation id req-42: quote it to the provider's support",
    });
  });

  it('a broken mapping answers 500 with the request id, and only the log names the file', async () => {
    const project = copyProject();
    const file = join(project.dir, 'mappings', 'releases', 'grace', 'productOrderingManagement', 'order-create.request.jsonata');
    // fails when it runs (D3030: "boom" is not a number); a call of an unknown function would be refused at load
    writeFileSync(file, `($number("boom");\n(${readFileSync(file, 'utf8')}\n))`);
    const broken = await startTestGateway({ rootDir: project.dir, allowSpecViolations: true });
    try {
      const res = await broken.call('POST', ORDERS, {
        token: await broken.token('acme'),
        body: graceOrder({ externalId: 'EDGE-500' }),
        headers: { 'x-request-id': 'edge-500-check' },
      });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toMatch(/jsonata|mappings\/|T1006|boom/);
      expect(res.body.message).toContain('edge-500-check');
      expect(JSON.stringify(broken.logs)).toMatch(/order-create\.request\.jsonata/);
    } finally {
      await broken.close();
      project.cleanup();
    }
  });
});

describe('slow clients', () => {
  let gw: TestGateway;
  let project: ReturnType<typeof copyProject>;
  beforeAll(async () => {
    project = copyProject();
    const cfg = join(project.dir, 'config', 'test.yaml');
    writeFileSync(
      cfg,
      readFileSync(cfg, 'utf8').replace(
        '  port: 0\n',
        '  port: 0\n  headersTimeoutMs: 300\n  requestTimeoutMs: 600\n  keepAliveTimeoutMs: 300\n',
      ),
    );
    gw = await startTestGateway({ rootDir: project.dir });
  });
  afterAll(async () => {
    await gw.close();
    project.cleanup();
  });

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const u = new URL(gw.url);
      const s = connect(Number(u.port), u.hostname, () => resolve(s));
      s.on('error', reject);
    });
  const closed = (s: Socket): Promise<string> =>
    new Promise((resolve) => {
      let text = '';
      s.on('data', (d) => {
        text += d.toString();
      });
      s.on('close', () => resolve(text));
    });

  it('a socket that trickles its headers is closed by the server at headersTimeoutMs', async () => {
    const s = await open();
    const done = closed(s);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 50);
    const answer = await done;
    clearInterval(timer);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a socket that trickles its body is closed by the server at requestTimeoutMs', async () => {
    const s = await open();
    const done = closed(s);
    s.write(`POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n`);
    const timer = setInterval(() => s.writable && s.write('a'), 50);
    const answer = await done;
    clearInterval(timer);
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
  });

  it('a request that arrives in time is served as before', async () => {
    expect((await gw.call('GET', '/healthz')).status).toBe(200);
  });
});
