/**
 * What the fault tests need: a `redis-server` of their own on a free port (never the shared one, which must not be
 * killed), child processes (gateway, legacy BSS simulator) they can kill -9, and a Buyer listener whose answers a
 * test switches. Every process started here is killed when the test process exits.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { FaultChildCommand, FaultChildConfig, FaultChildMessage } from './fault-child.js';

const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/**
 * Why the fault tests cannot run here, or undefined when they can. Without `redis-server` they are skipped with
 * this reason, except under CI, where a missing server is a failure (CI must run them).
 */
export function faultTestsUnavailable(): string | undefined {
  const probe = spawnSync(REDIS_BIN, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const reason = `${REDIS_BIN} is not installed (set REDIS_SERVER_BIN or install redis-server to run test/faults)`;
  if (process.env.CI) throw new Error(`CI is set, so the fault tests must run: ${reason}`);
  return reason;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (bound once and released). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export interface OwnRedis {
  readonly url: string;
  /** SIGKILL: no shutdown, no save; what was acknowledged survives only through the append-only file */
  kill9(): Promise<void>;
  /** starts a new server on the same port and data folder */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A `redis-server` on a free port with an append-only file fsynced on every write (what a deployment that must not
 * lose accepted work runs), so a kill -9 loses nothing Redis acknowledged.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sgw-fault-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(
      REDIS_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(p);
    p.once('exit', () => children.delete(p));
    proc = p;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${out}`));
      });
    });
  };
  const kill9 = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = once(p, 'exit');
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill9,
    restart: start,
    async stop() {
      await kill9();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FaultChild {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL and wait for the exit */
  kill9(): Promise<void>;
  send(cmd: FaultChildCommand): Promise<void>;
}

const CHILD_MODULE = fileURLToPath(new URL('./fault-child.ts', import.meta.url));

/** Starts fault-child.ts (from source, through tsx) and waits for its URL. */
export async function startChild(config: FaultChildConfig): Promise<FaultChild> {
  const child = fork(CHILD_MODULE, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${config.role} child did not start: ${output}`)), 30_000);
    child.on('message', (raw) => {
      const msg = raw as FaultChildMessage;
      if (msg.kind === 'ready') {
        clearTimeout(timer);
        resolve(msg.url);
      } else if (msg.kind === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${config.role} child failed: ${msg.message}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${config.role} child exited (${signal ?? code}) while starting: ${output}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async send(cmd) {
      const acked = new Promise<void>((resolve) => {
        const onMessage = (raw: unknown) => {
          if ((raw as FaultChildMessage).kind === 'ack') {
            child.off('message', onMessage);
            resolve();
          }
        };
        child.on('message', onMessage);
      });
      child.send(cmd);
      await acked;
    },
  };
}

export interface Delivery {
  path: string;
  eventId: string;
  eventType: string;
  status: number;
  body: any;
}

/** A Buyer's hub listener on 127.0.0.1: answers `status()` (switchable) and records every call with its answer. */
export async function startSwitchableListener(): Promise<{
  origin: string;
  calls: Delivery[];
  answer(status: number): void;
  close(): Promise<void>;
  waitFor(pred: (calls: Delivery[]) => boolean, timeoutMs?: number): Promise<void>;
}> {
  const calls: Delivery[] = [];
  let status = 204;
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      calls.push({ path: req.url ?? '', eventId: body?.eventId, eventType: body?.eventType, status, body });
      res.statusCode = status;
      res.end();
      for (const w of waiters) w();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    calls,
    answer(s) {
      status = s;
    },
    waitFor(pred, timeoutMs = 20_000) {
      if (pred(calls)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pred(calls)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`listener condition not reached; calls: ${JSON.stringify(calls.map((c) => [c.eventType, c.eventId, c.status]))}`),
          );
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Polls `read` until `done` holds (bounded): for state kept in another process, where no event reaches the test. */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (let pause = 10; Date.now() < deadline; pause = Math.min(pause * 2, 200)) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      /* not ready yet (a process starting, a server restarting) */
    }
    await new Promise((r) => setTimeout(r, pause));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

/** A connection to `url` that fails fast instead of queueing while the server is down. */
export function quickRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: () => 100,
  });
}
