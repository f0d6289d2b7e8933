import type { EventLoopCheck } from './event-loop-check.js';
import type { LoadResult } from './load-runner.js';
import type { MappingRow } from './mapping-bench.js';
import type { StageTimings } from './stage-timings.js';

/** One load scenario's outcome. */
export interface ScenarioOutcome {
  name: string;
  description: string;
  target: 'baseline' | 'gateway';
  /** set when the route was not there or refused the body at warm-up: "<status> <reason>" */
  notAvailable?: string;
  load?: LoadResult;
  /** CPU of the process under test during the measured window */
  cpu?: { usPerRequest: number; userUs: number; systemUs: number; rssMb: number };
  /** against baseline-proxy of the same run: throughput and p99 as ratios, CPU as a multiple */
  vsBaseline?: { throughput: number; p50: number; p99: number; cpu: number };
}

/** Everything one run produced; bench/results/latest.json holds exactly this. */
export interface BenchResults {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpuModel: string;
    cores: number;
    memoryGb: number;
    /** 1-minute load average when the run started (others' work) and ended (including this run's processes) */
    loadAverage: { atStart: number; atEnd: number };
    /** "none" (in-process store) or the Redis URL without credentials */
    redis: string;
    /** the forked gateway's store kind, as it reported it */
    gatewayStore: string;
    legacy: 'embedded' | 'forked';
    gitCommit?: string;
    gitDirty?: boolean;
    settings: Record<string, unknown>;
    pathologicalBody: { entries: number; bytes: number; limitBytes: number };
    wallClockS: number;
  };
  scenarios: ScenarioOutcome[];
  stages?: StageTimings;
  mappings: MappingRow[];
  eventLoop?: EventLoopCheck;
}

const f = (n: number | undefined, digits = 2) => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const ratio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(2)}x`);
const statuses = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([s, c]) => `${s}: ${c}`)
    .join(', ');

/** Renders the results as Markdown: settings, load table, stage table, mapping table, event-loop table. */
export function renderMarkdownReport(r: BenchResults): string {
  const m = r.meta;
  const out: string[] = [];
  out.push('# sonata-gateway benchmark', '');
  out.push(
    `${m.date} · Node ${m.node} · ${m.platform} · ${m.cores} cores (${m.cpuModel}) · ${m.memoryGb} GB · store: ${m.gatewayStore}${m.redis === 'none' ? '' : ` (${m.redis})`} · legacy BSS simulator: ${m.legacy}${m.gitCommit ? ` · commit ${m.gitCommit.slice(0, 10)}${m.gitDirty ? ' (uncommitted changes)' : ''}` : ''}`,
    '',
  );
  // at the end the average includes this run's own processes, so only the start says whether others were busy
  if (m.loadAverage.atStart > m.cores * 0.5) {
    out.push(
      `> The machine was already busy when the run started (1-minute load average ${f(m.loadAverage.atStart)} on ${m.cores} cores): latencies, event-loop delays and throughput are noisier than usual; CPU per request is the most stable figure.`,
      '',
    );
  }
  out.push(
    `Settings: ${Object.entries(m.settings)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(
        ', ',
      )}. Run took ${f(m.wallClockS, 0)} s; 1-minute load average ${f(m.loadAverage.atStart)} at start, ${f(m.loadAverage.atEnd)} at end.`,
    '',
  );
  out.push(
    'Everything ran on 127.0.0.1; load generator (autocannon) in the parent process, the process under test forked, the JSON backend in its own process. Ratios are against `baseline-proxy` of this same run.',
    '',
  );

  out.push('## Load: gateway against a raw keep-alive Node proxy', '');
  out.push(
    '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | CPU µs/req | req/s vs baseline | p50 vs baseline | p99 vs baseline | CPU vs baseline |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.scenarios) {
    if (s.notAvailable) {
      out.push(`| ${s.name} | not available: ${s.notAvailable.replaceAll('|', '\\|')} | | | | | | | | | |`);
      continue;
    }
    const l = s.load!;
    out.push(
      `| ${s.name} | ${int(l.requestsPerSecond)} | ${f(l.latencyMs.p50)} | ${f(l.latencyMs.p99)} | ${l.errors} | ${l.non2xx} | ${f(s.cpu?.usPerRequest, 0)} | ${ratio(s.vsBaseline?.throughput)} | ${ratio(s.vsBaseline?.p50)} | ${ratio(s.vsBaseline?.p99)} | ${ratio(s.vsBaseline?.cpu)} |`,
    );
  }
  out.push('');
  for (const s of r.scenarios) {
    if (s.load && (s.load.non2xx > 0 || s.load.errors > 0))
      out.push(`- ${s.name}: statuses ${statuses(s.load.statusCounts)}; ${s.load.errors} connection errors (${s.load.timeouts} timeouts)`);
  }
  out.push(...r.scenarios.map((s) => `- \`${s.name}\`: ${s.description}`), '');
  out.push(...renderGoals(r), '');

  if (r.stages) {
    const st = r.stages;
    out.push(`## Stages of \`${st.scenario}\` (in process, ${st.requests} sequential requests)`, '');
    out.push('| stage | runs | mean ms | p50 ms | p99 ms | share of end-to-end mean |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const row of st.stages)
      out.push(
        `| ${row.stage} | ${row.count} | ${f(row.meanMs, 3)} | ${f(row.p50Ms, 3)} | ${f(row.p99Ms, 3)} | ${f(row.share * 100, 1)} % |`,
      );
    out.push(
      `| (outside any stage: HTTP, routing, render, client) | ${st.requests} | ${f(st.unaccountedMeanMs, 3)} | | | ${f((st.unaccountedMeanMs / st.total.meanMs) * 100, 1)} % |`,
    );
    out.push(
      `| **end to end (client)** | ${st.requests} | ${f(st.total.meanMs, 3)} | ${f(st.total.p50Ms, 3)} | ${f(st.total.p99Ms, 3)} | 100 % |`,
      '',
    );
    out.push(
      `Most expensive stages: **${st.mostExpensive.join('**, **')}**${st.mostExpensive.includes('backend') ? `; of the gateway's own work: **${st.mostExpensiveOwn.join('**, **')}**` : ''}. Statuses: ${statuses(st.statusCounts)}.`,
      '',
    );
  }

  out.push('## Mapping micro-benchmark (one evaluation after another)', '');
  out.push(
    'CPU µs per evaluation as the gateway runs each mapping (`runs as`: compiled, or interpreted where the compiler falls back), the same in the interpreter (`mapping.engine: interpreted`), and the speed-up (interpreted / as run).',
    '',
  );
  out.push(
    '| mapping | input (fixture) | runs as | evaluations | CPU µs/eval | interpreted CPU µs/eval | speed-up | wall p50 µs | wall p99 µs |',
  );
  out.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const withoutFixture = r.mappings.filter((row) => row.note === 'no fixture input');
  for (const row of r.mappings) {
    if (row.note === 'no fixture input') continue;
    if (row.note) out.push(`| ${row.file} | ${row.note}${row.fixture ? ` (${row.fixture})` : ''} | | | | | | | |`);
    else
      out.push(
        `| ${row.file} | ${row.fixture}${row.errorPath ? ' (rejection path)' : ''} | ${row.runsAs ?? '-'} | ${row.iterations ?? '-'} | ${f(row.cpuUs, 1)} | ${f(row.interpreted?.cpuUs, 1)} | ${row.speedup !== undefined ? `${f(row.speedup, 1)}x` : '-'} | ${f(row.p50Us, 1)} | ${f(row.p99Us, 1)} |`,
      );
  }
  const measured = r.mappings.filter((row) => row.speedup !== undefined && row.cpuUs !== undefined && row.interpreted !== undefined);
  if (measured.length) {
    const sum = (pick: (row: MappingRow) => number) => measured.reduce((n, row) => n + pick(row), 0);
    const speedups = measured.map((row) => row.speedup as number).sort((a, b) => a - b);
    out.push(
      '',
      `All ${measured.length} measured mappings, one evaluation each: ${f(
        sum((row) => row.interpreted!.cpuUs),
        0,
      )} µs interpreted vs ${f(
        sum((row) => row.cpuUs!),
        0,
      )} µs as run (${f(sum((row) => row.interpreted!.cpuUs) / sum((row) => row.cpuUs!), 1)}x); per-mapping speed-up median ${f(speedups[Math.floor(speedups.length / 2)], 1)}x, min ${f(speedups[0], 1)}x, max ${f(speedups[speedups.length - 1], 1)}x.`,
    );
  }
  out.push('');
  // listed, not dropped: a fixture for any of these adds it to the table above
  if (withoutFixture.length)
    out.push(
      `No fixture input (${withoutFixture.length} of ${r.mappings.length} mapping files): ${withoutFixture.map((row) => `\`${row.file}\``).join(', ')}.`,
      '',
    );

  if (r.eventLoop) {
    const e = r.eventLoop;
    const p = e.with.pathological;
    out.push('## Event loop under a pathological mapping input', '');
    out.push(
      `Normal traffic: \`address-validation\` at ${m.settings.connections} connections. Pathological: Kylie validation as globex-networks with ${int(m.pathologicalBody.entries)} \`fieldedAddressRepresentation\` entries (${int(m.pathologicalBody.bytes)} bytes, body limit ${int(m.pathologicalBody.limitBytes)}), ${m.settings.pathologicalConcurrency} in flight, back to back.`,
      '',
    );
    out.push(
      '| window | normal req/s | normal p50 ms | normal p99 ms | normal non-2xx | gateway event-loop delay max ms | event-loop delay p99 ms |',
    );
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, w] of [
      ['without pathological traffic', e.without],
      ['with pathological traffic', e.with],
    ] as const) {
      out.push(
        `| ${name} | ${int(w.load.requestsPerSecond)} | ${f(w.load.latencyMs.p50)} | ${f(w.load.latencyMs.p99)} | ${w.load.non2xx} | ${f(w.eventLoop.maxMs)} | ${f(w.eventLoop.p99Ms)} |`,
      );
    }
    out.push('');
    out.push(
      `Pathological requests: ${p.sent} sent (${statuses(p.statusCounts) || 'no answers'}${p.failures ? `, ${p.failures} failed without an answer` : ''}); latency p50 ${f(p.latencyMs.p50)} ms, max ${f(p.latencyMs.max)} ms.`,
      '',
    );
  }
  return out.join('\n');
}

/** Issue 12's goals, as ratios against the raw proxy of the same run (req/s, CPU per request, p99 added latency). */
const GOALS: readonly { scenario: string; minThroughput: number; maxCpu?: number }[] = [
  { scenario: 'quote-create', minThroughput: 0.35, maxCpu: 3 },
  { scenario: 'order-create', minThroughput: 0.35, maxCpu: 3 },
  { scenario: 'address-validation', minThroughput: 0.4 },
  { scenario: 'sonata-passthrough', minThroughput: 0.6 },
];
const MAX_ADDED_P99_MS = 5;

function renderGoals(r: BenchResults): string[] {
  const baseline = r.scenarios.find((s) => s.target === 'baseline')?.load;
  if (!baseline) return [];
  const connections = r.meta.settings.connections;
  const out = [
    '### Goals (against `baseline-proxy` of this run)',
    '',
    `| scenario | req/s vs baseline | goal | CPU vs baseline | goal | p99 added ms (${String(connections)} connections) | goal (8 connections) | met |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const goal of GOALS) {
    const s = r.scenarios.find((x) => x.name === goal.scenario);
    if (!s?.load || !s.vsBaseline) continue;
    const added = s.load.latencyMs.p99 - baseline.latencyMs.p99;
    const met =
      s.vsBaseline.throughput >= goal.minThroughput &&
      (goal.maxCpu === undefined || s.vsBaseline.cpu <= goal.maxCpu) &&
      added < MAX_ADDED_P99_MS;
    out.push(
      `| ${goal.scenario} | ${ratio(s.vsBaseline.throughput)} | >= ${goal.minThroughput}x | ${ratio(s.vsBaseline.cpu)} | ${goal.maxCpu !== undefined ? `<= ${goal.maxCpu}x` : '-'} | ${f(added)} | < ${MAX_ADDED_P99_MS} | ${met ? 'yes' : 'no'} |`,
    );
  }
  return out;
}
