import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig, readEnvFile } from '../src/config/load-config.js';
import { createMappingEngine, type CompiledMapping, type EvaluateOptions, type MappingEngine } from '../src/mapping/engine.js';
import { parseFixture, type MappingFixture } from '../src/mapping/fixtures.js';
import type { LookupTables } from '../src/mapping/lookups.js';
import { loadRegistry } from '../src/registry/load-registry.js';
import type { Registry } from '../src/registry/registry.js';
import { summarizeSamples } from './latency-stats.js';

/** Options of {@link benchMappings}. */
export interface MappingBenchOptions {
  rootDir: string;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** timed evaluations per mapping */
  iterations: number;
  /** stop a mapping's timing earlier when this many ms have passed (about a hundred files must fit the run) */
  maxMsPerMapping: number;
  /** untimed evaluations first (default a tenth of the iterations, at most 50) */
  warmup?: number;
}

/** One mapping file: its cost per evaluation, or why it was not measured. */
export interface MappingRow {
  /** relative to the project folder */
  file: string;
  /** the fixture whose input was used, relative to the project folder */
  fixture?: string;
  /** the fixture expects a rejection, so this times the error path */
  errorPath?: boolean;
  /** evaluations timed: the iterations asked for, or fewer when the time cap came first */
  iterations?: number;
  meanUs?: number;
  /** process CPU (user + system) per evaluation: unlike wall time, not inflated when the OS runs something else */
  cpuUs?: number;
  p50Us?: number;
  p99Us?: number;
  /** "no fixture input", or an evaluation that failed unexpectedly */
  note?: string;
  /** how the gateway runs it (the figures above): `compiled`, or `interpreted` when the compiler falls back */
  runsAs?: 'compiled' | 'interpreted';
  /** the same file and input in the interpreter (`mapping.engine: interpreted`), for the speed-up */
  interpreted?: { iterations: number; cpuUs: number; p50Us: number };
  /** interpreted CPU per evaluation divided by the compiled one */
  speedup?: number;
}

/** Loads the registry the way the CLI (`src/cli/main.ts`) does, in the demo environment the gateway under test runs. */
export function loadBenchRegistry(rootDir: string, processEnv: Readonly<Record<string, string | undefined>>): Registry {
  return loadBenchRegistryWithEngine(rootDir, processEnv).registry;
}

function loadBenchRegistryWithEngine(
  rootDir: string,
  processEnv: Readonly<Record<string, string | undefined>>,
): { registry: Registry; engine: MappingEngine } {
  const config = loadConfig({ rootDir, env: 'demo', processEnv });
  const secrets = { ...readEnvFile(join(rootDir, 'config', `${config.env}.env`)), ...processEnv };
  const engine = createMappingEngine({
    deadlineMs: config.mapping.deadlineMs,
    maxDepth: config.mapping.maxDepth,
    engine: config.mapping.engine,
    syncSliceMs: config.mapping.syncSliceMs,
  });
  return {
    registry: loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets }),
    engine,
  };
}

/**
 * Evaluates every mapping file the registry compiled (`registry.mappingsByFile`) `iterations` times, one
 * evaluation after another, as the gateway runs it (compiled, or interpreted where the compiler falls back) and
 * in the interpreter, with the input of a fixture for that file (one expecting a result when there is
 * one), its bindings and its owner's lookup tables, exactly as `sonata-gateway test` runs it.
 */
export async function benchMappings(opts: MappingBenchOptions): Promise<MappingRow[]> {
  const { registry, engine } = loadBenchRegistryWithEngine(opts.rootDir, opts.processEnv);
  const fixturesByFile = new Map<string, Array<{ fixture: MappingFixture; lookups?: LookupTables }>>();
  for (const ref of registry.fixtures) {
    const fixture = parseFixture(readFileSync(ref.file, 'utf8'), relative(opts.rootDir, ref.file));
    const file = resolve(ref.ownerDir, fixture.mapping);
    const lookups = ref.partnerId ? registry.partners.get(ref.partnerId)?.lookups : registry.sharedLookups;
    const list = fixturesByFile.get(file) ?? [];
    list.push({ fixture, lookups });
    fixturesByFile.set(file, list);
  }

  const rows: MappingRow[] = [];
  const warmup = opts.warmup ?? Math.min(50, Math.ceil(opts.iterations / 10));
  for (const [file, mapping] of [...registry.mappingsByFile].sort(([a], [b]) => a.localeCompare(b))) {
    const rel = relative(opts.rootDir, file);
    const candidates = fixturesByFile.get(file) ?? [];
    const chosen = candidates.find((c) => c.fixture.expected !== undefined) ?? candidates[0];
    if (!chosen) {
      rows.push({ file: rel, note: 'no fixture input' });
      continue;
    }
    const { fixture, lookups } = chosen;
    const evalOpts = {
      ...(fixture.bindings !== undefined ? { bindings: fixture.bindings } : {}),
      ...(fixture.useLookups && lookups !== undefined ? { lookups } : {}),
    };
    const errorPath = fixture.expectedError !== undefined;
    const interpretedMapping = engine.compile(mapping.source, mapping.file, { engine: 'interpreted' });
    const compiled = await timeMapping(mapping, fixture.input, evalOpts, errorPath, warmup, opts);
    if ('problem' in compiled) {
      rows.push({ file: rel, fixture: fixture.file, note: compiled.problem.slice(0, 160) });
      continue;
    }
    const interpreted = await timeMapping(interpretedMapping, fixture.input, evalOpts, errorPath, warmup, opts);
    rows.push({
      file: rel,
      fixture: fixture.file,
      errorPath,
      runsAs: mapping.engine,
      ...compiled,
      ...('problem' in interpreted
        ? {}
        : {
            interpreted: { iterations: interpreted.iterations, cpuUs: interpreted.cpuUs, p50Us: interpreted.p50Us },
            speedup: interpreted.cpuUs / compiled.cpuUs,
          }),
    });
  }
  return rows;
}

/** Times one mapping on one input: `iterations` evaluations one after another (fewer if the time cap comes first). */
async function timeMapping(
  mapping: CompiledMapping,
  input: unknown,
  evalOpts: EvaluateOptions,
  errorPath: boolean,
  warmup: number,
  opts: MappingBenchOptions,
): Promise<{ iterations: number; meanUs: number; cpuUs: number; p50Us: number; p99Us: number } | { problem: string }> {
  const evaluateOnce = async () => {
    try {
      await mapping.evaluate(input, evalOpts);
      return errorPath ? 'unexpected result' : undefined;
    } catch (err) {
      return errorPath ? undefined : `evaluation failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  const problem = await evaluateOnce();
  if (problem) return { problem };
  for (let i = 0; i < warmup; i++) await evaluateOnce();
  const times: number[] = [];
  const cpuFrom = process.cpuUsage();
  const stopAt = performance.now() + opts.maxMsPerMapping;
  for (let i = 0; i < opts.iterations && performance.now() < stopAt; i++) {
    const t = performance.now();
    await evaluateOnce();
    times.push((performance.now() - t) * 1000);
  }
  const cpu = process.cpuUsage(cpuFrom);
  const s = summarizeSamples(times);
  return {
    iterations: times.length,
    meanUs: s.mean,
    cpuUs: (cpu.user + cpu.system) / times.length,
    p50Us: s.p50,
    p99Us: s.p99,
  };
}
