/**
 * What a partner waits for while the legacy BSS hangs: without a breaker every request waits legacy.timeoutMs and
 * answers 504; with the breaker (config/default.yaml settings, timeoutMs as configured) the first volumeThreshold
 * requests wait, then every request answers 503 upstream.unavailable at once until resetTimeoutMs.
 * Run: `npx tsx bench/breaker-latency.ts` (REQUESTS=20 by default; the BSS is a local server that never answers).
 */
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { buildGateway } from '../src/gateway.js';
import { demoBackends } from '../simulators/src/demo-backends.js';
import { createLogger } from '../src/observability/logger.js';

let root = resolve(fileURLToPath(import.meta.url), '..');
while (!existsSync(join(root, 'package.json'))) root = resolve(root, '..');
const requests = Number(process.env.REQUESTS ?? 20);

// a BSS that accepts connections and never answers
const bss = createServer(() => undefined);
bss.listen(0, '127.0.0.1');
await once(bss, 'listening');
const bssUrl = `http://127.0.0.1:${(bss.address() as AddressInfo).port}`;

async function run(breakerEnabled: boolean): Promise<{ timeoutMs: number; samples: Array<{ status: number; ms: number }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sgw-breaker-'));
  for (const d of ['config', 'partners', 'mappings']) cpSync(join(root, d), join(dir, d), { recursive: true });
  // the default.yaml settings (timeoutMs 5000, breaker as shipped), only the test overlay's fault-test thresholds removed
  const overlay = join(dir, 'config', 'test.yaml');
  const cfg = parse(readFileSync(overlay, 'utf8')) as { legacy: Record<string, unknown> };
  delete cfg.legacy.timeoutMs;
  delete cfg.legacy.retry;
  cfg.legacy.breaker = { enabled: breakerEnabled };
  writeFileSync(overlay, stringify(cfg));
  const gateway = await buildGateway({
    rootDir: dir,
    env: 'test',
    processEnv: { ...process.env, LEGACY_BSS_URL: bssUrl, LOG_LEVEL: 'error' },
    backends: demoBackends,
    watch: false,
    logger: createLogger({ level: 'error', silent: true }),
  });
  const { url } = await gateway.listen();
  try {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'acme-telecom',
      client_secret: 'acme-demo-secret-2026',
    });
    const token = ((await (await fetch(`${url}/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string })
      .access_token;
    const body = JSON.stringify({
      provideAlternative: true,
      submittedGeographicAddress: {
        '@type': 'FieldedAddress',
        streetNr: '12',
        streetName: 'Hauptstrasse',
        city: 'Berlin',
        country: 'DE',
      },
    });
    const samples: Array<{ status: number; ms: number }> = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      const res = await fetch(`${url}/mefApi/sonata/geographicAddressManagement/v7/geographicAddressValidation`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      await res.text();
      samples.push({ status: res.status, ms: performance.now() - started });
    }
    return { timeoutMs: gateway.config.legacy.timeoutMs, samples };
  } finally {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const describe = (label: string, r: Awaited<ReturnType<typeof run>>) => {
  const by = new Map<number, number[]>();
  for (const s of r.samples) by.set(s.status, [...(by.get(s.status) ?? []), s.ms]);
  const parts = [...by].map(
    ([status, ms]) => `${ms.length} x ${status} (median ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms)`,
  );
  console.log(
    `${label} (legacy.timeoutMs ${r.timeoutMs}): ${parts.join(', ')}; total ${(r.samples.reduce((a, s) => a + s.ms, 0) / 1000).toFixed(1)} s`,
  );
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  describe('breaker off', await run(false));
  describe('breaker on ', await run(true));
} finally {
  bss.closeAllConnections();
  bss.close();
}
