import type { InProcessBackends } from './gateway.js';
import { startTracing } from './observability/tracing.js';

/** Options of {@link runGateway}. */
export interface RunGatewayOptions {
  /** project root holding config/, partners/, mappings/ */
  rootDir: string;
  /** the demo's in-process backends, imported only after tracing started (the product passes none) */
  backends?: () => Promise<InProcessBackends>;
}

/**
 * Runs a gateway process: starts tracing when the `OTEL_*` variables ask for it, reads the environment, builds
 * everything once (buildGateway), listens, and owns graceful shutdown on SIGTERM/SIGINT (readiness fails first, serve
 * on for server.shutdownDelayMs, stop accepting, drain in-flight requests and notification deliveries, close
 * connections, flush the last spans). The product's entry (main.ts) and the demo's (simulators/src/demo.ts) share it.
 */
export async function runGateway(opts: RunGatewayOptions): Promise<void> {
  // before the gateway's modules are imported, so the instrumentations can patch express, ioredis and node:http
  // (ESM: their loader hook only sees modules imported after it): hence the dynamic imports below
  const tracing = await startTracing(process.env);
  const [{ buildGateway }, { ConfigError }, backends] = await Promise.all([
    import('./gateway.js'),
    import('./config/yaml-source.js'),
    opts.backends?.(),
  ]);
  let gateway;
  try {
    gateway = await buildGateway({ rootDir: opts.rootDir, processEnv: process.env, backends });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sonata-gateway: refusing to start, configuration is invalid:\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { url, adminUrl } = await gateway.listen();
  gateway.logger.info('sonata-gateway listening', {
    url,
    adminUrl,
    env: gateway.config.env,
    store: gateway.store.kind,
    partners: [...gateway.registry.current().partners.keys()],
    tracing: tracing !== undefined,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info('shutting down', { signal });
    gateway
      .close()
      .then(() => tracing?.shutdown().catch((err: unknown) => gateway.logger.warn('tracing shutdown failed', { error: String(err) })))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          gateway.logger.error('shutdown failed', { error: String(err) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
