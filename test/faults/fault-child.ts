// Entry of a process the fault tests start (and kill -9): one gateway or one legacy BSS simulator per process, its
// URL reported over IPC. Run from source with `--import tsx`. Exits when the parent goes away.
import { buildGateway } from '../../src/gateway.js';
import { demoBackends } from '../../simulators/src/demo-backends.js';
import { startLegacyBss } from '../../simulators/src/legacy-bss/start-legacy-bss.js';

/** What the parent passes as the one JSON argument. */
export interface FaultChildConfig {
  role: 'gateway' | 'legacy';
  /** gateway: project folder and environment (buildGateway's `processEnv`) */
  rootDir?: string;
  env?: string;
  processEnv?: Record<string, string | undefined>;
  /** legacy: simulator key, seed folder and the key its signed callbacks use */
  apiKey?: string;
  dataDir?: string;
  callbackSecret?: string;
  /** legacy: a fixed port (a restarted simulator takes its predecessor's), and the `X-Sim-Fault` header honoured */
  port?: number;
  faultInjection?: boolean;
}

/** Parent -> child: where the simulator posts its status callbacks from now on (a restarted gateway has a new port). */
export type FaultChildCommand = { kind: 'callback-url'; url: string };
export type FaultChildMessage = { kind: 'ready'; url: string } | { kind: 'failed'; message: string } | { kind: 'ack' };

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as FaultChildConfig;
  process.on('disconnect', () => process.exit(1));
  let callbackUrl: string | undefined;
  process.on('message', (raw) => {
    const msg = raw as FaultChildCommand;
    if (msg.kind === 'callback-url') {
      callbackUrl = msg.url;
      process.send?.({ kind: 'ack' } satisfies FaultChildMessage);
    }
  });
  try {
    if (config.role === 'legacy') {
      const sim = await startLegacyBss({
        apiKey: config.apiKey!,
        dataDir: config.dataDir!,
        port: config.port ?? 0,
        host: '127.0.0.1',
        faultInjection: config.faultInjection ?? false,
        callbackUrl: () => callbackUrl,
        callbackSecret: config.callbackSecret,
        // a gateway killed mid-callback is back within these retries
        callbackRetryDelaysMs: [200, 500, 1000, 2000, 4000],
      });
      process.send?.({ kind: 'ready', url: sim.url } satisfies FaultChildMessage);
    } else {
      const gateway = await buildGateway({
        rootDir: config.rootDir!,
        env: config.env ?? 'test',
        processEnv: config.processEnv ?? {},
        backends: demoBackends,
      });
      const { url } = await gateway.listen();
      process.send?.({ kind: 'ready', url } satisfies FaultChildMessage);
    }
  } catch (err) {
    process.send?.({
      kind: 'failed',
      message: err instanceof Error ? err.message : String(err),
    } satisfies FaultChildMessage);
    process.exit(1);
  }
}

await main();
