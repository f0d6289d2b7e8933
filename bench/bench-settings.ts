import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Everything that shapes one benchmark run; written into the results so a run can be repeated exactly. */
export interface BenchSettings {
  /** seconds of load per scenario after warm-up (BENCH_DURATION_S, default 10) */
  readonly durationS: number;
  /** seconds of unmeasured load before each scenario (BENCH_WARMUP_S, default 3) */
  readonly warmupS: number;
  /** concurrent keep-alive connections, the same for every scenario (BENCH_CONNECTIONS, default 32) */
  readonly connections: number;
  /** sequential requests timed per stage in process (BENCH_STAGE_REQUESTS, default 2000) */
  readonly stageRequests: number;
  /** unrecorded requests before the stage timings (BENCH_STAGE_WARMUP, default 200) */
  readonly stageWarmup: number;
  /** the stage timings stop after this many seconds even if fewer requests were timed (BENCH_STAGE_MAX_S, default 60) */
  readonly stageMaxS: number;
  /** evaluations per mapping file in the micro-benchmark (BENCH_MAPPING_ITERATIONS, default 2000) */
  readonly mappingIterations: number;
  /** time cap per mapping file in ms (BENCH_MAPPING_MAX_MS, default 1000) */
  readonly mappingMaxMs: number;
  /** pathological requests kept in flight during the event-loop check (BENCH_PATHOLOGICAL_CONCURRENCY, default 1) */
  readonly pathologicalConcurrency: number;
  /**
   * Where the legacy BSS simulator runs (BENCH_LEGACY): `forked` (default: its own process, as a real BSS would
   * be, so CPU per request is the gateway's alone) or `embedded` (the demo: inside the gateway process, so its CPU
   * counts as the gateway's).
   */
  readonly legacy: 'embedded' | 'forked';
  /** REDIS_URL when set: the gateway keeps state in Redis under a per-run key prefix */
  readonly redisUrl?: string;
  /** hard limit of the whole run in seconds (BENCH_MAX_TOTAL_S, default 540); past it everything is killed */
  readonly maxTotalS: number;
}

/** Reads the settings from the environment; throws naming the variable when a value is not usable. */
export function readBenchSettings(env: Readonly<Record<string, string | undefined>>): BenchSettings {
  const legacy = env.BENCH_LEGACY ?? 'forked';
  if (legacy !== 'embedded' && legacy !== 'forked') throw new Error(`BENCH_LEGACY must be "embedded" or "forked", got "${legacy}"`);
  return {
    durationS: readNumber(env, 'BENCH_DURATION_S', 10, 1),
    warmupS: readNumber(env, 'BENCH_WARMUP_S', 3, 0),
    connections: readNumber(env, 'BENCH_CONNECTIONS', 32, 1),
    stageRequests: readNumber(env, 'BENCH_STAGE_REQUESTS', 2000, 10),
    stageWarmup: readNumber(env, 'BENCH_STAGE_WARMUP', 200, 0),
    stageMaxS: readNumber(env, 'BENCH_STAGE_MAX_S', 60, 1),
    mappingIterations: readNumber(env, 'BENCH_MAPPING_ITERATIONS', 2000, 10),
    mappingMaxMs: readNumber(env, 'BENCH_MAPPING_MAX_MS', 1000, 10),
    pathologicalConcurrency: readNumber(env, 'BENCH_PATHOLOGICAL_CONCURRENCY', 1, 1),
    legacy,
    redisUrl: env.REDIS_URL || undefined,
    maxTotalS: readNumber(env, 'BENCH_MAX_TOTAL_S', 540, 30),
  };
}

function readNumber(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/**
 * The project folder (holding config/default.yaml), found upwards from `startDir`: the benchmark runs both
 * compiled (dist/bench/) and from source (bench/), which sit at different depths.
 */
export function findProjectRoot(startDir: string): string {
  let dir = resolve(startDir);
  for (;;) {
    if (existsSync(join(dir, 'config', 'default.yaml')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project folder (config/default.yaml) above ${startDir}`);
    dir = parent;
  }
}

/** REDIS_URL without credentials, for reports. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}
