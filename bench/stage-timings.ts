import { Writable } from 'node:stream';
import { buildGateway } from '../src/gateway.js';
import { demoBackends } from '../simulators/src/demo-backends.js';
import { createLogger } from '../src/observability/logger.js';
import { summarizeSamples } from './latency-stats.js';
import { fetchToken } from './load-runner.js';

/** The pipeline stages in request order (the `observe` hook's names); others are listed after them. */
export const PIPELINE_STAGES: readonly string[] = [
  'auth',
  'body',
  'map.partner-in',
  'spec.request',
  'validate',
  'map.release-in',
  'map.legacy-out',
  'backend',
  'map.legacy-in',
  'map.release-out',
  'map.partner-out',
  'store',
  'spec.response',
];

/** Options of {@link measureStageTimings}. */
export interface StageTimingOptions {
  rootDir: string;
  /** the environment the in-process gateway is built with (the same as the forked one) */
  processEnv: Record<string, string | undefined>;
  scenario: {
    name: string;
    method: 'GET' | 'POST';
    path: string;
    body?: string;
    clientId: string;
    clientSecret: string;
  };
  /** timed requests, sent one after another so stage times are not inflated by other requests */
  requests: number;
  /** stop timing earlier when this many seconds have passed (a slow or busy machine still finishes in time) */
  maxSeconds: number;
  /** unrecorded requests first (JIT, connection pools, caches) */
  warmup: number;
  /** where the gateway's log lines (level error) go; the first few are shown, the rest counted (default: stderr) */
  write?: (line: string) => void;
}

/** One stage over all timed requests (ms). */
export interface StageRow {
  stage: string;
  /** how many times the stage ran (a stage skipped by an operation runs less often than once per request) */
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** share of the mean end-to-end time */
  share: number;
}

/** Result of {@link measureStageTimings}. */
export interface StageTimings {
  scenario: string;
  /** requests timed: BENCH_STAGE_REQUESTS, or fewer when the time cap came first */
  requests: number;
  statusCounts: Record<string, number>;
  stages: StageRow[];
  /** client-side end-to-end time per request (ms) */
  total: { meanMs: number; p50Ms: number; p99Ms: number };
  /** mean end-to-end time not inside any observed stage: HTTP, Express routing, JSON render, the client itself */
  unaccountedMeanMs: number;
  /** the two stages with the highest mean */
  mostExpensive: string[];
  /** the same without `backend` (the legacy BSS's own time): the gateway's own most expensive work */
  mostExpensiveOwn: string[];
}

/**
 * Builds the gateway in this process with the `observe` hook, sends `warmup + requests` sequential requests of
 * one scenario over a keep-alive connection and reports mean and p99 per stage. In process rather than forked so
 * the hook needs no IPC per stage.
 */
export async function measureStageTimings(opts: StageTimingOptions): Promise<StageTimings> {
  let recording = false;
  const samples = new Map<string, number[]>();
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  let logLines = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        if (++logLines <= MAX_LOG_LINES) write(`[in-process gateway] ${line}`);
      }
      done();
    },
  });
  const gateway = await buildGateway({
    rootDir: opts.rootDir,
    env: 'demo',
    processEnv: opts.processEnv,
    backends: demoBackends,
    logger: createLogger({ level: 'error', stream }),
    watch: false,
    observe: (stage, ms) => {
      if (!recording) return;
      let list = samples.get(stage);
      if (!list) samples.set(stage, (list = []));
      list.push(ms);
    },
  });
  try {
    const { url } = await gateway.listen();
    const token = await fetchToken(url, opts.scenario.clientId, opts.scenario.clientSecret);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (opts.scenario.body !== undefined) headers['content-type'] = 'application/json;charset=utf-8';
    const statusCounts: Record<string, number> = {};
    const totals: number[] = [];
    const send = async () => {
      const started = performance.now();
      const res = await fetch(url + opts.scenario.path, {
        method: opts.scenario.method,
        headers,
        body: opts.scenario.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    };
    for (let i = 0; i < opts.warmup; i++) await send();
    recording = true;
    const stopAt = performance.now() + opts.maxSeconds * 1000;
    for (let i = 0; i < opts.requests && performance.now() < stopAt; i++) {
      const { status, ms } = await send();
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      totals.push(ms);
    }
    recording = false;
    const requests = totals.length;
    const ok = Object.entries(statusCounts)
      .filter(([s]) => s.startsWith('2'))
      .reduce((n, [, c]) => n + c, 0);
    if (ok === 0) throw new Error(`stage timings: no request of ${opts.scenario.name} succeeded (${JSON.stringify(statusCounts)})`);

    const total = summarizeSamples(totals);
    const names = [...PIPELINE_STAGES.filter((s) => samples.has(s)), ...[...samples.keys()].filter((s) => !PIPELINE_STAGES.includes(s))];
    const stages: StageRow[] = names.map((stage) => {
      const list = samples.get(stage)!;
      const s = summarizeSamples(list);
      // per request, so stages that run on some requests only weigh accordingly
      const perRequest = (s.mean * s.count) / requests;
      return { stage, count: s.count, meanMs: s.mean, p50Ms: s.p50, p99Ms: s.p99, share: perRequest / total.mean };
    });
    const observedPerRequest = stages.reduce((sum, r) => sum + (r.meanMs * r.count) / requests, 0);
    const ranked = [...stages].sort((a, b) => b.meanMs * b.count - a.meanMs * a.count);
    return {
      scenario: opts.scenario.name,
      requests,
      statusCounts,
      stages,
      total: { meanMs: total.mean, p50Ms: total.p50, p99Ms: total.p99 },
      unaccountedMeanMs: total.mean - observedPerRequest,
      mostExpensive: ranked.slice(0, 2).map((r) => r.stage),
      mostExpensiveOwn: ranked
        .filter((r) => r.stage !== 'backend')
        .slice(0, 2)
        .map((r) => r.stage),
    };
  } finally {
    await gateway.close();
    if (logLines > MAX_LOG_LINES) write(`[in-process gateway] (${logLines - MAX_LOG_LINES} more log lines not shown)`);
  }
}

const MAX_LOG_LINES = 6;
