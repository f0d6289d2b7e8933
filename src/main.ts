import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTracing } from './observability/tracing.js';

/**
 * The composition root: starts tracing when the `OTEL_*` variables ask for it, reads the environment, builds
 * everything once (buildGateway), listens, and owns graceful shutdown on SIGTERM/SIGINT (readiness fails first, serve
 * on for server.shutdownDelayMs, stop accepting, drain in-flight requests and notification deliveries, close
 * connections, flush the last spans).
 */
async function main(): Promise<void> {
  // before the gateway's modules are imported, so the instrumentations can patch express, ioredis and node:http
  // (ESM: their loader hook only sees modules imported after it): hence the dynamic imports below
  const tracing = await startTracing(process.env);
  const [{ buildGateway }, { ConfigError }] = await Promise.all([import('./gateway.js'), import('./config/yaml-source.js')]);
  const rootDir = process.env.GATEWAY_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let gateway;
  try {
    gateway = await buildGateway({ rootDir, processEnv: process.env });
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

await main();
