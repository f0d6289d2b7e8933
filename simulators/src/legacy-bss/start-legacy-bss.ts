import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLegacyBssApp, type LegacyBssSimOptions } from './create-legacy-bss-app.js';

/** A listening simulator. */
export interface RunningLegacyBss {
  /** Origin the simulator listens on, without path, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Stops listening, drops open connections and stops the simulator's timers (idempotent). */
  close(): Promise<void>;
}

/** Options of {@link startLegacyBss}. */
export interface StartLegacyBssOptions extends LegacyBssSimOptions {
  /** TCP port; 0 (the default) picks a free ephemeral port. */
  port?: number;
  /** Interface to bind; defaults to `127.0.0.1`. */
  host?: string;
}

/** Builds the simulator app and listens; rejects if the seed or an option is invalid or the port is taken. */
export async function startLegacyBss(opts: StartLegacyBssOptions): Promise<RunningLegacyBss> {
  // Stopping the server also stops the simulator's timers and callback delivery.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const app = createLegacyBssApp({ ...opts, signal });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      stop.abort();
      reject(err);
    });
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatUrlHost(address)}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        stop.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets and requests held by a delay fault would otherwise keep close() waiting.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function formatUrlHost(address: AddressInfo): string {
  // A wildcard bind is reachable through loopback; URLs cannot name the wildcard itself.
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}
