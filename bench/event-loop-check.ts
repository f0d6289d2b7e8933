import type { BenchChild, EventLoopSample } from './child-protocol.js';
import { summarizeSamples, type SampleSummary } from './latency-stats.js';
import { runLoad, type LoadResult, type LoadTarget } from './load-runner.js';

/** Options of {@link checkEventLoop}. */
export interface EventLoopCheckOptions {
  /** the forked gateway: measures its own event-loop delay */
  gateway: BenchChild;
  /** the normal traffic (under load for the whole window) */
  normal: LoadTarget;
  /** the traffic with a pathological mapping input, sent back to back during the second window */
  pathological: LoadTarget;
  connections: number;
  durationS: number;
  /** unmeasured normal load first, plus one pathological request, so neither window pays for a cold start */
  warmupS: number;
  /** pathological requests in flight at once */
  pathologicalConcurrency: number;
}

/** One window of the check. */
export interface EventLoopWindow {
  load: LoadResult;
  eventLoop: EventLoopSample;
}

/** Result of {@link checkEventLoop}. */
export interface EventLoopCheck {
  without: EventLoopWindow;
  with: EventLoopWindow & {
    pathological: { sent: number; statusCounts: Record<string, number>; latencyMs: SampleSummary; failures: number };
  };
}

/**
 * Two equal windows of normal load against the forked gateway, the second with pathological requests sent
 * alongside; in each, the gateway child records its event-loop delay (perf_hooks.monitorEventLoopDelay).
 * Shows whether one partner's oversized mapping input stalls everyone else's requests.
 */
export async function checkEventLoop(opts: EventLoopCheckOptions): Promise<EventLoopCheck> {
  const load = { connections: opts.connections, durationS: opts.durationS };
  if (opts.warmupS > 0) await runLoad(opts.normal, { connections: opts.connections, durationS: opts.warmupS });
  await sendOnce(opts.pathological);

  await opts.gateway.command('eld-start');
  const withoutLoad = await runLoad(opts.normal, load);
  const withoutEld = await opts.gateway.command<EventLoopSample>('eld-stop');

  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let failures = 0;
  let stopped = false;
  const sendPathological = async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const status = await sendOnce(opts.pathological);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        latencies.push(performance.now() - started);
      } catch {
        failures++;
      }
    }
  };

  await opts.gateway.command('eld-start');
  const senders = Array.from({ length: opts.pathologicalConcurrency }, () => sendPathological());
  let withLoad: LoadResult;
  try {
    withLoad = await runLoad(opts.normal, load);
  } finally {
    stopped = true;
    await Promise.all(senders);
  }
  const withEld = await opts.gateway.command<EventLoopSample>('eld-stop');

  return {
    without: { load: withoutLoad, eventLoop: withoutEld },
    with: {
      load: withLoad,
      eventLoop: withEld,
      pathological: {
        sent: latencies.length + failures,
        statusCounts,
        latencyMs: summarizeSamples(latencies),
        failures,
      },
    },
  };
}

async function sendOnce(target: LoadTarget): Promise<number> {
  const res = await fetch(target.url, {
    method: target.method,
    headers: target.headers,
    body: target.body,
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  return res.status;
}
