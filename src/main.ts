import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGateway } from './gateway.js';
import { ConfigError } from './config/yaml-source.js';

/**
 * The composition root: reads the environment, builds everything once (buildGateway), listens, and owns
 * graceful shutdown on SIGTERM/SIGINT (readiness fails first, serve on for server.shutdownDelayMs, stop accepting,
 * drain in-flight requests and notification deliveries, close connections).
 */
async function main(): Promise<void> {
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
  gateway.logger.info('sonata-gateway listening', { url, adminUrl, env: gateway.config.env, store: gateway.store.kind, partners: [...gateway.registry.current().partners.keys()] });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info('shutting down', { signal });
    gateway.close().then(
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
