/**
 * How long a mapping edit takes to go live in a running gateway (the file watcher, the debounce, a complete
 * registry rebuild and the snapshot swap), measured from the write to the first request that sees it.
 * Run: `npm run bench:reload` (prints one line per trial and the median/max).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGateway } from '../src/gateway.js';
import { demoBackends } from '../simulators/src/demo-backends.js';
import { createLogger } from '../src/observability/logger.js';

// the project folder: the nearest parent with package.json (works from bench/ and from dist/bench/)
let root = resolve(fileURLToPath(import.meta.url), '..');
while (!existsSync(join(root, 'package.json'))) root = resolve(root, '..');
const trials = Number(process.env.RELOAD_TRIALS ?? 10);

const dir = mkdtempSync(join(tmpdir(), 'sgw-reload-'));
for (const d of ['config', 'partners', 'mappings']) cpSync(join(root, d), join(dir, d), { recursive: true });
const gateway = await buildGateway({
  rootDir: dir,
  env: 'test',
  processEnv: { ...process.env, LOG_LEVEL: 'error' },
  backends: demoBackends,
  watch: true,
  logger: createLogger({ level: 'error', silent: true }),
});
const { url } = await gateway.listen();
const form = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: 'globex-networks',
  client_secret: 'globex-demo-secret-2026',
});
const token = ((await (await fetch(`${url}/oauth2/token`, { method: 'POST', body: form })).json()) as { access_token: string })
  .access_token;
const file = join(dir, 'partners/globex-networks/mappings/address-validation.request.jsonata');
const original = readFileSync(file, 'utf8');
const body = JSON.stringify({
  instantSyncValidation: true,
  submittedGeographicAddress: {
    '@type': 'GeographicAddress_Query',
    fieldedAddressRepresentation: [{ streetName: 'Hauptstrasse', streetNr: '14', city: 'Berlin', countryCode: 'DE' }],
  },
});
const call = async () =>
  (
    await fetch(`${url}/mefApi/sonata/geographicAddressManagement/v8/geographicAddressValidation`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    })
  ).status;

const samples: number[] = [];
try {
  for (let i = 0; i < trials; i++) {
    const refuse = i % 2 === 0;
    // the edit keeps the mapping's fixtures passing (a reload runs them): it pauses only Hauptstrasse 14
    writeFileSync(
      file,
      refuse
        ? `(submittedGeographicAddress.fieldedAddressRepresentation[0].streetNr = "14" ? $reject("otherIssue", "/", "paused ${i}") : 0;\n${original})\n`
        : original,
    );
    const started = performance.now();
    const want = refuse ? 422 : 200;
    for (;;) {
      if ((await call()) === want) break;
      if (performance.now() - started > 10_000) throw new Error(`trial ${i}: edit not live after 10 s`);
    }
    samples.push(performance.now() - started);
    process.stdout.write(`trial ${i + 1}: live after ${samples.at(-1)!.toFixed(0)} ms\n`);
  }
} finally {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
}
samples.sort((a, b) => a - b);
process.stdout.write(
  `reload latency over ${trials} edits: median ${samples[Math.floor(samples.length / 2)]!.toFixed(0)} ms, max ${samples.at(-1)!.toFixed(0)} ms (debounce ${gateway.config.reload.debounceMs} ms)\n`,
);
process.exit(0);
