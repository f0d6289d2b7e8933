/*
 * Registry load at scale: copies the shipped project into a temp folder, adds PARTNERS generated buyer partners
 * with MAPPINGS_PER_PARTNER distinct mapping files each (request and response mappings of the release's
 * operations; bodies are the shipped mapping files, each made unique per partner, so no two files share a
 * compilation), then times a cold load, a reload with nothing changed and a reload after one edit, under each engine.
 *
 *   npm run build && node dist/bench/registry-scale.js          # BENCH_PARTNERS=100 BENCH_MAPPINGS_PER_PARTNER=40
 *
 * Prints one line per measurement; the temp folder is removed at the end.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, readEnvFile } from '../src/config/load-config.js';
import { createMappingEngine, type MappingEngineKind } from '../src/mapping/engine.js';
import { listFiles, loadRegistry } from '../src/registry/load-registry.js';
import type { Registry } from '../src/registry/registry.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/registry-scale.js or bench/registry-scale.ts: the project is the nearest folder holding config/
const repoRoot = resolve(here, here.includes(`${join('dist', 'bench')}`) ? '../..' : '..');
const partnersCount = Number(process.env.BENCH_PARTNERS ?? 100);
const mappingsPerPartner = Number(process.env.BENCH_MAPPINGS_PER_PARTNER ?? 40);

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sgw-registry-scale-'));
  try {
    for (const sub of ['config', 'partners', 'mappings']) cpSync(join(repoRoot, sub), join(dir, sub), { recursive: true });
    const load = (
      engineKind: MappingEngineKind,
      engine = createMappingEngine({ engine: engineKind }),
    ): { registry: Registry; ms: number; engine: ReturnType<typeof createMappingEngine> } => {
      const config = loadConfig({ rootDir: dir, env: 'demo', processEnv: {} });
      const secrets = readEnvFile(join(dir, 'config', `${config.env}.env`));
      const started = performance.now();
      const registry = loadRegistry({
        partnersDir: config.paths.partners,
        mappingsDir: config.paths.mappings,
        engine,
        secrets,
      });
      return { registry, ms: performance.now() - started, engine };
    };
    const shipped = load('interpreted').registry;
    const kylie = [...shipped.releases.values()].find((r) => r.name === 'kylie');
    if (!kylie) throw new Error('release kylie not found');
    const operations = [...new Set([...kylie.apis.values()].flatMap((api) => api.operations.map((op) => op.operationId)))];
    const bodies = [...listFiles(join(dir, 'mappings'), '.jsonata')].map((f) => readFileSync(f, 'utf8'));
    const pairs = Math.ceil(mappingsPerPartner / 2);
    if (operations.length < pairs) throw new Error(`kylie has ${operations.length} operations, ${pairs} needed`);
    const secretEnv = 'PARTNER_GLOBEX_CLIENT_SECRET';
    let files = 0;
    for (let p = 0; p < partnersCount; p++) {
      const id = `scale-${String(p).padStart(3, '0')}`;
      mkdirSync(join(dir, 'partners', id, 'mappings'), { recursive: true });
      const lines = [
        `id: ${id}`,
        `name: Scale ${p}`,
        'role: buyer',
        'release: kylie',
        'credentials:',
        `  clientId: ${id}`,
        `  clientSecretEnv: ${secretEnv}`,
        'functions:',
        '  quote: { mode: automated }',
        'mappings:',
      ];
      for (let i = 0; i < pairs; i++) {
        lines.push(`  ${operations[i]}:`);
        for (const side of ['request', 'response'].slice(0, Math.min(2, mappingsPerPartner - i * 2))) {
          const rel = `mappings/${operations[i]}.${side}.jsonata`;
          // a comment makes every file's text unique: the engine's per-source cache must not make this look cheap
          writeFileSync(join(dir, 'partners', id, rel), `${bodies[files % bodies.length]}\n/* ${id} ${rel} */\n`);
          lines.push(`    ${side}: ${rel}`);
          files++;
        }
      }
      writeFileSync(join(dir, 'partners', id, 'partner.yaml'), `${lines.join('\n')}\n`);
    }
    console.log(
      `${partnersCount} generated partners x ${mappingsPerPartner} mapping files (${files} files) + the shipped project; ${bodies.length} distinct shipped bodies`,
    );
    for (const kind of ['interpreted', 'compiled'] as const) {
      const cold = load(kind);
      const all = cold.registry.mappings;
      console.log(
        `${kind}: cold load ${cold.ms.toFixed(0)} ms (${all.length} mappings, ${all.filter((m) => m.engine === 'compiled').length} compiled)`,
      );
      const again = load(kind, cold.engine);
      console.log(`${kind}: reload, nothing changed ${again.ms.toFixed(0)} ms`);
      appendFileSync(join(dir, 'partners', 'scale-000', 'mappings', `${operations[0]}.request.jsonata`), `/* edit ${kind} */\n`);
      const edited = load(kind, cold.engine);
      console.log(`${kind}: reload after one edit ${edited.ms.toFixed(0)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
