import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSonataSellerApp, type SonataSellerControl, type SonataSellerOptions } from './create-sonata-seller-app.js';

/** A listening simulated seller. */
export interface RunningSonataSeller {
  /** Origin it listens on, e.g. `http://127.0.0.1:40123` (Sonata paths and `/oauth2/token` hang below). */
  readonly url: string;
  readonly control: SonataSellerControl;
  /** Stops listening, drops open connections, stops timers and deliveries (idempotent). */
  close(): Promise<void>;
}

/** Options of {@link startSonataSeller}. */
export interface StartSonataSellerOptions extends SonataSellerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
}

/** Builds the simulator and listens; rejects when the port is taken or an option is invalid. */
export async function startSonataSeller(opts: StartSonataSellerOptions): Promise<RunningSonataSeller> {
  const { app, control } = createSonataSellerApp(opts);
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      control.stop();
      reject(err);
    });
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    control,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        control.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        // requests held by a delay fault and keep-alive sockets would otherwise keep close() waiting
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
