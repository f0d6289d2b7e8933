/**
 * The SDK as src/main.ts starts it (src/observability/tracing.ts), in a process of its own because its ESM loader hook
 * and patches are process-wide: express (an ES module import) is patched, undici is traced through its diagnostics
 * channels, our own spans join the same trace, a call that already carries our traceparent is not traced twice, and
 * the spans leave through the OTLP exporter (http/json, to a collector this test runs on 127.0.0.1).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/test-gateway.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
}
const SERVER = 2;
const CLIENT = 3;

let collector: Server;
let endpoint: string;
const received: OtlpSpan[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{
            scopeSpans: Array<{ scope: { name: string }; spans: Array<Omit<OtlpSpan, 'scope'>> }>;
          }>;
        };
        for (const rs of body.resourceSpans)
          for (const ss of rs.scopeSpans) for (const s of ss.spans) received.push({ ...s, scope: ss.scope.name });
      }
      res.setHeader('content-type', 'application/json').end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

/** Runs the fixture to its end; resolves with its stdout. */
async function runFixture(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/observability/fixtures/traced-express.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code, err).toBe(0);
  return out;
}

describe('tracing.ts with the OTLP exporter', () => {
  it('traces express, undici and our own spans as one tree, and exports it', async () => {
    const out = await runFixture({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'sgw-test',
    });
    const [bare, own] = JSON.parse(out.trim().split('\n').pop()!) as Array<{ traceparent: string }>;

    const root = received.find((s) => s.name === 'GET /things/:id');
    // the route in the name: express was patched through the loader hook, not only node:http
    expect(root, JSON.stringify(received.map((s) => s.name))).toMatchObject({
      kind: SERVER,
      scope: '@opentelemetry/instrumentation-http',
    });
    const tree = received.filter((s) => s.traceId === root!.traceId);
    const byId = new Map(tree.map((s) => [s.spanId, s]));
    const parent = (s: OtlpSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const stage = tree.find((s) => s.name === 'stage backend')!;
    expect(stage.scope).toBe('sonata-gateway');
    expect(tree.some((s) => s.name === 'request handler' && s.scope === '@opentelemetry/instrumentation-express')).toBe(true);
    let up = parent(stage);
    while (up && up !== root) up = parent(up);
    expect(up).toBe(root);

    // undici CLIENT spans: the fixture's own call (the root of the trace) and the bare call under our stage, whose
    // traceparent went downstream; none for the call that carried our traceparent
    const clients = tree.filter((s) => s.kind === CLIENT && s.scope === '@opentelemetry/instrumentation-undici');
    expect(clients.map((s) => parent(s)?.name ?? 'root').sort()).toEqual(['root', 'stage backend']);
    expect(parent(root!)?.kind).toBe(CLIENT);
    const bareClient = clients.find((s) => parent(s) === stage)!;
    expect(bare!.traceparent).toBe(`00-${root!.traceId}-${bareClient.spanId}-01`);
    // the call that carried our traceparent: not traced twice, the downstream request is the stage's child
    expect(own!.traceparent).toBe(`00-${root!.traceId}-${stage.spanId}-01`);
    const downstream = tree.filter((s) => s.name === 'GET /downstream/:who');
    expect(downstream.map((s) => parent(s)?.name).sort()).toEqual(['GET', 'stage backend']);
  });
});
