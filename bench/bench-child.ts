// Entry of a forked benchmark process (the only bench module besides run.ts with side effects): starts one server
// by role, reports its URL over IPC, and answers the parent's measurement commands. Exits when the parent goes away.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { buildGateway } from '../src/gateway.js';
import { demoBackends } from '../simulators/src/demo-backends.js';
import { startLegacyBss } from '../simulators/src/legacy-bss/start-legacy-bss.js';
import { createJsonBackend, createRawProxy } from './baseline-servers.js';
import type { ChildConfig, ChildMessage, ChildRole, CpuSample, EventLoopSample, ParentMessage } from './child-protocol.js';

interface Started {
  url: string;
  detail: Record<string, string>;
  close(): Promise<void>;
}

function send(msg: ChildMessage): void {
  process.send?.(msg);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function startRole(role: ChildRole, config: ChildConfig): Promise<Started> {
  switch (role) {
    case 'backend': {
      const server = createJsonBackend();
      return { url: await listen(server), detail: {}, close: () => closeServer(server) };
    }
    case 'proxy': {
      if (!config.target) throw new Error('proxy needs a target');
      const server = createRawProxy({ target: config.target });
      return { url: await listen(server), detail: { target: config.target }, close: () => closeServer(server) };
    }
    case 'legacy': {
      if (!config.apiKey || !config.dataDir) throw new Error('legacy needs apiKey and dataDir');
      const sim = await startLegacyBss({ apiKey: config.apiKey, dataDir: config.dataDir, port: 0, host: '127.0.0.1' });
      return { url: sim.url, detail: {}, close: () => sim.close() };
    }
    case 'gateway': {
      if (!config.rootDir || !config.processEnv) throw new Error('gateway needs rootDir and processEnv');
      const gateway = await buildGateway({ rootDir: config.rootDir, env: 'demo', processEnv: config.processEnv, backends: demoBackends });
      const { url } = await gateway.listen();
      return { url, detail: { store: gateway.store.kind, legacyUrl: gateway.legacyUrl }, close: () => gateway.close() };
    }
  }
}

async function main(): Promise<void> {
  const role = process.argv[2] as ChildRole;
  const config = JSON.parse(process.argv[3] ?? '{}') as ChildConfig;
  // an orphaned child would keep a port and a core busy after the parent died
  process.on('disconnect', () => process.exit(1));

  let started: Started;
  try {
    started = await startRole(role, config);
  } catch (err) {
    send({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }

  let cpuFrom: NodeJS.CpuUsage | undefined;
  let eld: IntervalHistogram | undefined;
  process.on('message', (raw) => {
    const msg = raw as ParentMessage;
    if (msg.kind !== 'command') return;
    const reply = (data?: unknown) => send({ kind: 'reply', id: msg.id, data });
    switch (msg.command) {
      case 'cpu-start':
        cpuFrom = process.cpuUsage();
        return reply();
      case 'cpu-stop': {
        if (!cpuFrom) return send({ kind: 'reply', id: msg.id, error: 'cpu-stop without cpu-start' });
        const d = process.cpuUsage(cpuFrom);
        cpuFrom = undefined;
        const sample: CpuSample = { userUs: d.user, systemUs: d.system, rssBytes: process.memoryUsage().rss };
        return reply(sample);
      }
      case 'eld-start':
        eld = monitorEventLoopDelay({ resolution: 1 });
        eld.enable();
        return reply();
      case 'eld-stop': {
        if (!eld) return send({ kind: 'reply', id: msg.id, error: 'eld-stop without eld-start' });
        eld.disable();
        const ms = (ns: number) => ns / 1e6;
        const sample: EventLoopSample = {
          maxMs: ms(eld.max),
          p99Ms: ms(eld.percentile(99)),
          p50Ms: ms(eld.percentile(50)),
          meanMs: ms(eld.mean),
          samples: eld.count,
        };
        eld = undefined;
        return reply(sample);
      }
      case 'stop':
        reply();
        started.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
        return;
    }
  });
  send({ kind: 'ready', url: started.url, detail: started.detail });
}

await main();
