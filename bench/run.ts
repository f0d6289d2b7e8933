// `npm run bench`: what the gateway costs per request, against a raw keep-alive Node proxy measured in the same
// run. Phases: start children -> load scenarios -> event-loop check -> stage timings (in process) -> mapping
// micro-benchmark -> report. Every phase has a timeout; any failure kills the children and exits non-zero.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load-config.js';
import { describeRedisUrl, findProjectRoot, readBenchSettings, type BenchSettings } from './bench-settings.js';
import { createChildSupervisor, type BenchChild, type CpuSample } from './child-protocol.js';
import { checkEventLoop, type EventLoopCheck } from './event-loop-check.js';
import { fetchToken, probeRequest, runLoad, type LoadTarget } from './load-runner.js';
import { benchMappings, loadBenchRegistry, type MappingRow } from './mapping-bench.js';
import { removeKeysWithPrefix } from './redis-keys.js';
import { renderMarkdownReport, type BenchResults, type ScenarioOutcome } from './report.js';
import { buildPathologicalValidationBody } from './scenario-bodies.js';
import {
  EVENT_LOOP_SCENARIO,
  KYLIE_VALIDATION_PATH,
  SCENARIOS,
  STAGE_SCENARIO_PREFERENCE,
  type BenchPartner,
  type Scenario,
} from './scenarios.js';
import { measureStageTimings, type StageTimings } from './stage-timings.js';
import { legacyBssSeedDir } from '../simulators/src/data-dir.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Runs `fn` as a named phase: logged, bounded by `timeoutMs`, and named in the error when it fails. */
async function phase<T>(name: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  log(`> ${name}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (err) {
    throw new Error(`phase "${name}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

function readGit(rootDir: string): { gitCommit?: string; gitDirty?: boolean } {
  try {
    const gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: rootDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    // --no-optional-locks: reading the status must not rewrite the index others are using
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], {
      cwd: rootDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return { gitCommit, gitDirty: dirty.length > 0 };
  } catch {
    return {};
  }
}

/** The gateway's environment: the demo, on loopback, quiet, with the catalogue upstream and a per-run Redis prefix. */
function gatewayEnv(
  settings: BenchSettings,
  catalogUrl: string,
  redisPrefix: string,
  legacyUrl?: string,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ['GATEWAY_ENV', 'LEGACY_BSS_URL', 'REDIS_URL', 'REDIS_PREFIX']) delete env[k];
  // the load is one partner on one API at full speed: the per-partner rate limit (50/s in the demo) would answer most
  // of it 429 and measure the limiter instead of the gateway
  // ADMIN_PORT 0: the demo's admin listener (9090) on a free port, so a bench never collides with a running demo
  Object.assign(env, {
    PORT: '0',
    ADMIN_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    CATALOG_URL: catalogUrl,
    RATE_LIMIT_PARTNER_POINTS: '1000000',
  });
  // the demo records every request in the activity log; production does not unless asked, so neither does the bench
  // (ACTIVITY_ENABLED=true measures the gateway with capture on)
  env.ACTIVITY_ENABLED ??= 'false';
  if (settings.redisUrl) Object.assign(env, { REDIS_URL: settings.redisUrl, REDIS_PREFIX: redisPrefix });
  if (legacyUrl) env.LEGACY_BSS_URL = legacyUrl;
  return env;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const settings = readBenchSettings(process.env);
  const rootDir = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
  const supervisor = createChildSupervisor();
  process.on('exit', () => supervisor.killAll());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`benchmark interrupted (${signal}); children killed`);
      supervisor.killAll();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    log(`benchmark failed: the whole run exceeded BENCH_MAX_TOTAL_S=${settings.maxTotalS} s; children killed`);
    supervisor.killAll();
    process.exit(1);
  }, settings.maxTotalS * 1000);
  watchdog.unref();

  const demoConfig = loadConfig({ rootDir, env: 'demo', processEnv: { ...process.env, PORT: '0' } });
  const registry = loadBenchRegistry(rootDir, process.env);
  const secretOf = (partner: BenchPartner) => {
    const p = registry.partners.get(partner);
    if (!p) throw new Error(`demo partner ${partner} is not in the registry`);
    return { clientId: p.clientId, clientSecret: p.clientSecret };
  };
  const ttl = demoConfig.auth.tokenTtlSeconds;
  if (settings.warmupS + 2 * settings.durationS + 30 > ttl) {
    throw new Error(
      `BENCH_WARMUP_S + 2 x BENCH_DURATION_S must stay 30 s under the token lifetime (${ttl} s): one token serves the event-loop check's warm-up and both windows`,
    );
  }
  const redisPrefix = `sgw-bench-${process.pid}-${Date.now()}:`;
  const perScenarioMs = (settings.warmupS + settings.durationS) * 1000 + 60_000;

  // children: backend, optional legacy simulator, baseline proxy, gateway
  const backend = await phase('start JSON backend', 30_000, () => supervisor.start('backend', {}));
  let legacyUrl: string | undefined;
  if (settings.legacy === 'forked') {
    const legacy = await phase('start legacy BSS simulator', 30_000, () =>
      supervisor.start('legacy', { apiKey: demoConfig.legacy.apiKey, dataDir: legacyBssSeedDir() }),
    );
    legacyUrl = legacy.url;
  }
  const env = gatewayEnv(settings, backend.url, redisPrefix, legacyUrl);
  const proxy = await phase('start raw proxy', 30_000, () => supervisor.start('proxy', { target: backend.url }));
  const startGateway = async (): Promise<BenchChild> => {
    const child = await phase('start gateway', 60_000, () =>
      supervisor.start('gateway', { rootDir, processEnv: env }, { startTimeoutMs: 60_000 }),
    );
    await phase('gateway readiness', 15_000, async () => {
      const res = await fetch(`${child.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`/readyz answered ${res.status}: ${await res.text()}`);
    });
    return child;
  };
  let gateway = await startGateway();
  log(`  backend ${backend.url}, proxy ${proxy.url}, gateway ${gateway.url} (store ${gateway.detail.store}, legacy ${settings.legacy})`);

  const targetFor = async (scenario: Scenario, child: BenchChild): Promise<LoadTarget> => {
    const headers: Record<string, string> = {};
    if (scenario.partner) {
      const { clientId, clientSecret } = secretOf(scenario.partner);
      headers.authorization = `Bearer ${await fetchToken(gateway.url, clientId, clientSecret)}`;
    }
    const body = scenario.body ? JSON.stringify(scenario.body()) : undefined;
    if (body !== undefined) headers['content-type'] = 'application/json;charset=utf-8';
    return { url: child.url + scenario.path, method: scenario.method, headers, body };
  };

  // load scenarios
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of SCENARIOS) {
    const outcome = await phase(`scenario ${scenario.name}`, perScenarioMs, async (): Promise<ScenarioOutcome> => {
      const child = scenario.target === 'baseline' ? proxy : gateway;
      const target = await targetFor(scenario, child);
      const base = { name: scenario.name, description: scenario.description, target: scenario.target };
      // a 5xx can be a cold start (first evaluation of a mapping against its wall-clock deadline): retry a few times
      let probe = await probeRequest(target);
      for (let attempt = 1; attempt < 5 && probe.status >= 500; attempt++) probe = await probeRequest(target);
      if (probe.status < 200 || probe.status >= 300) {
        const what = `${probe.status} ${probe.reason ?? ''}`.trim();
        if (scenario.optional) {
          log(`  not available: ${what}`);
          return { ...base, notAvailable: what };
        }
        throw new Error(`${scenario.method} ${scenario.path} answered ${what}`);
      }
      if (settings.warmupS > 0) await runLoad(target, { connections: settings.connections, durationS: settings.warmupS });
      await child.command('cpu-start');
      const load = await runLoad(target, { connections: settings.connections, durationS: settings.durationS });
      const cpu = await child.command<CpuSample>('cpu-stop');
      const usPerRequest = load.requests > 0 ? (cpu.userUs + cpu.systemUs) / load.requests : Number.NaN;
      log(
        `  ${Math.round(load.requestsPerSecond)} req/s, p99 ${load.latencyMs.p99.toFixed(2)} ms, ${usPerRequest.toFixed(0)} µs CPU/req, non-2xx ${load.non2xx}, errors ${load.errors}`,
      );
      return {
        ...base,
        load,
        cpu: { usPerRequest, userUs: cpu.userUs, systemUs: cpu.systemUs, rssMb: Math.round(cpu.rssBytes / 2 ** 20) },
      };
    });
    outcomes.push(outcome);
  }
  const baseline = outcomes.find((o) => o.target === 'baseline' && o.load);
  if (!baseline?.load || !baseline.cpu) throw new Error('the baseline scenario produced no measurement');
  for (const o of outcomes) {
    if (!o.load || !o.cpu) continue;
    o.vsBaseline = {
      throughput: o.load.requestsPerSecond / baseline.load.requestsPerSecond,
      p50: o.load.latencyMs.p50 / baseline.load.latencyMs.p50,
      p99: o.load.latencyMs.p99 / baseline.load.latencyMs.p99,
      cpu: o.cpu.usPerRequest / baseline.cpu.usPerRequest,
    };
  }

  // event loop: normal traffic with and without a pathological mapping input, on a fresh gateway: resources
  // created by earlier scenarios (orders the demo simulator advances every few seconds, with callbacks) would
  // otherwise add background work to one window and not the other
  const suppressedBefore = gateway.suppressedLines();
  await phase('restart gateway', 30_000, () => gateway.stop(15_000));
  gateway = await startGateway();
  const pathological = buildPathologicalValidationBody(demoConfig.server.bodyLimitBytes);
  const normalScenario = SCENARIOS.find((s) => s.name === EVENT_LOOP_SCENARIO)!;
  const eventLoop: EventLoopCheck = await phase(
    'event-loop check',
    (settings.warmupS + 2 * settings.durationS) * 1000 + 90_000,
    async () => {
      const normal = await targetFor(normalScenario, gateway);
      const globex = secretOf('globex-networks');
      const globexToken = await fetchToken(gateway.url, globex.clientId, globex.clientSecret);
      const result = await checkEventLoop({
        gateway,
        normal,
        pathological: {
          url: gateway.url + KYLIE_VALIDATION_PATH,
          method: 'POST',
          body: pathological.body,
          headers: { authorization: `Bearer ${globexToken}`, 'content-type': 'application/json;charset=utf-8' },
        },
        connections: settings.connections,
        durationS: settings.durationS,
        warmupS: settings.warmupS,
        pathologicalConcurrency: settings.pathologicalConcurrency,
      });
      log(
        `  event-loop delay max ${result.without.eventLoop.maxMs.toFixed(1)} ms -> ${result.with.eventLoop.maxMs.toFixed(1)} ms; normal p99 ${result.without.load.latencyMs.p99.toFixed(2)} ms -> ${result.with.load.latencyMs.p99.toFixed(2)} ms; ${result.with.pathological.sent} pathological requests`,
      );
      return result;
    },
  );

  // stage timings in process, on the heaviest scenario that was available under load
  const stageName = STAGE_SCENARIO_PREFERENCE.find((n) => outcomes.some((o) => o.name === n && o.load));
  let stages: StageTimings | undefined;
  if (stageName) {
    const scenario = SCENARIOS.find((s) => s.name === stageName)!;
    stages = await phase(`stage timings (${stageName}, in process)`, 180_000, () =>
      measureStageTimings({
        rootDir,
        processEnv: env,
        scenario: {
          name: scenario.name,
          method: scenario.method,
          path: scenario.path,
          body: scenario.body ? JSON.stringify(scenario.body()) : undefined,
          ...secretOf(scenario.partner ?? 'acme-telecom'),
        },
        requests: settings.stageRequests,
        warmup: settings.stageWarmup,
        maxSeconds: settings.stageMaxS,
      }),
    );
    log(`  most expensive: ${stages.mostExpensive.join(', ')}`);
  }

  const mappings: MappingRow[] = await phase('mapping micro-benchmark', 180_000, () =>
    benchMappings({
      rootDir,
      processEnv: process.env,
      iterations: settings.mappingIterations,
      maxMsPerMapping: settings.mappingMaxMs,
    }),
  );

  const gatewayStore = gateway.detail.store ?? 'unknown';
  await phase('stop children', 30_000, async () => {
    await Promise.all([gateway.stop(15_000), proxy.stop(), backend.stop()]);
    supervisor.killAll(); // the legacy simulator, when forked
  });
  const suppressed = {
    gateway: suppressedBefore + gateway.suppressedLines(),
    proxy: proxy.suppressedLines(),
    backend: backend.suppressedLines(),
  };
  for (const [role, lines] of Object.entries(suppressed)) {
    if (lines > 0) log(`  (${role}: ${lines} more output lines not shown)`);
  }
  let redis = 'none';
  if (settings.redisUrl) {
    const url = settings.redisUrl;
    const cleaned = await phase('remove benchmark keys from Redis', 20_000, () => removeKeysWithPrefix(url, redisPrefix));
    redis = `${describeRedisUrl(url)}${cleaned.version ? ` (Redis ${cleaned.version})` : ''}`;
    log(`  removed ${cleaned.removed} keys under ${redisPrefix}`);
  }

  const cpuList = cpus();
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      node: process.versions.node,
      platform: `${platform()} ${release()}`,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      cores: cpuList.length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 },
      redis,
      gatewayStore,
      legacy: settings.legacy,
      ...readGit(rootDir),
      settings: {
        durationS: settings.durationS,
        warmupS: settings.warmupS,
        connections: settings.connections,
        stageRequests: settings.stageRequests,
        stageWarmup: settings.stageWarmup,
        stageMaxS: settings.stageMaxS,
        mappingIterations: settings.mappingIterations,
        mappingMaxMs: settings.mappingMaxMs,
        pathologicalConcurrency: settings.pathologicalConcurrency,
        legacy: settings.legacy,
        logLevel: 'error',
        mappingDeadlineMs: demoConfig.mapping.deadlineMs,
        mappingEngine: demoConfig.mapping.engine,
      },
      pathologicalBody: {
        entries: pathological.entries,
        bytes: pathological.bytes,
        limitBytes: demoConfig.server.bodyLimitBytes,
      },
      wallClockS: (performance.now() - startedAt) / 1000,
    },
    scenarios: outcomes,
    stages,
    mappings,
    eventLoop,
  };
  const markdown = renderMarkdownReport(results);
  const resultsDir = join(rootDir, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  // BENCH_RESULT_NAME keeps a run beside latest (e.g. `interpreted` for a MAPPING_ENGINE=interpreted comparison)
  const name = /^[a-z0-9-]+$/.test(process.env.BENCH_RESULT_NAME ?? '') ? process.env.BENCH_RESULT_NAME! : 'latest';
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${name}.md`), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`results written to bench/results/${name}.json and bench/results/${name}.md`);
  clearTimeout(watchdog);
}

try {
  await main();
  process.exit(0);
} catch (err) {
  log(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof Error && err.cause instanceof Error && err.cause.stack) log(err.cause.stack);
  process.exit(1);
}
