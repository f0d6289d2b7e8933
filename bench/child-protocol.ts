import { fork, type ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The processes the benchmark forks; each listens on 127.0.0.1 on a free port. */
export type ChildRole = 'backend' | 'proxy' | 'legacy' | 'gateway';

/** Per-role start settings, passed to the child as one JSON argument. */
export interface ChildConfig {
  /** proxy: the upstream origin */
  target?: string;
  /** gateway: the project folder */
  rootDir?: string;
  /** gateway: the environment buildGateway reads (PORT=0, LOG_LEVEL, CATALOG_URL, ...) */
  processEnv?: Record<string, string | undefined>;
  /** legacy: simulator API key and seed folder */
  apiKey?: string;
  dataDir?: string;
}

/** Commands the parent sends around a load window. */
export type ChildCommand = 'cpu-start' | 'cpu-stop' | 'eld-start' | 'eld-stop' | 'stop';

/** `cpu-stop` answer: CPU the child used since `cpu-start`. */
export interface CpuSample {
  userUs: number;
  systemUs: number;
  rssBytes: number;
}

/** `eld-stop` answer: event-loop delay since `eld-start` (perf_hooks.monitorEventLoopDelay, 1 ms resolution). */
export interface EventLoopSample {
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  meanMs: number;
  samples: number;
}

export type ParentMessage = { kind: 'command'; id: number; command: ChildCommand };
export type ChildMessage =
  | { kind: 'ready'; url: string; detail: Record<string, string> }
  | { kind: 'failed'; message: string }
  | { kind: 'reply'; id: number; data?: unknown; error?: string };

/** A running child, as the parent sees it. */
export interface BenchChild {
  readonly role: ChildRole;
  readonly pid: number;
  readonly url: string;
  /** what the child reported at start (e.g. the gateway's store kind) */
  readonly detail: Readonly<Record<string, string>>;
  command<T>(command: ChildCommand, timeoutMs?: number): Promise<T>;
  /** asks the child to close and exit; kills it if it has not exited within `timeoutMs` */
  stop(timeoutMs?: number): Promise<void>;
  /** lines of output not shown because the per-child limit was reached */
  readonly suppressedLines: () => number;
}

/** Starts children and guarantees they die with the parent. */
export interface ChildSupervisor {
  start(role: ChildRole, config: ChildConfig, opts?: { startTimeoutMs?: number }): Promise<BenchChild>;
  /** SIGKILLs every child still running (synchronous: usable from an 'exit' handler) */
  killAll(): void;
}

/** Options of {@link createChildSupervisor}. */
export interface ChildSupervisorOptions {
  /** where children's stdout/stderr lines go, prefixed with the role (default: process.stderr) */
  write?: (line: string) => void;
  /** lines shown per child before the rest is only counted (default 10) */
  maxLinesPerChild?: number;
}

const CHILD_MODULE = new URL(`./bench-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * Forks bench-child (compiled or, under tsx, from source: children inherit the parent's execArgv) per role and
 * speaks a small request/reply protocol with it over IPC. Children's output is forwarded but capped, because a
 * gateway under pathological load can log an error line per request.
 */
export function createChildSupervisor(opts: ChildSupervisorOptions = {}): ChildSupervisor {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxLines = opts.maxLinesPerChild ?? 10;
  const running = new Set<ChildProcess>();

  async function start(role: ChildRole, config: ChildConfig, startOpts: { startTimeoutMs?: number } = {}): Promise<BenchChild> {
    const child = fork(fileURLToPath(CHILD_MODULE), [role, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let shown = 0;
    let suppressed = 0;
    const forward = (stream: Readable | null) => {
      if (!stream) return;
      createInterface({ input: stream }).on('line', (line) => {
        if (shown < maxLines) {
          shown++;
          write(`[${role}] ${line}`);
        } else suppressed++;
      });
    };
    forward(child.stdout);
    forward(child.stderr);

    let nextId = 1;
    const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      for (const p of pending.values()) p.reject(new Error(`${role} child exited (${signal ?? code}) before answering`));
      pending.clear();
    });
    child.on('message', (raw) => {
      const msg = raw as ChildMessage;
      if (msg.kind !== 'reply') return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(`${role} child: ${msg.error}`));
      else p.resolve(msg.data);
    });

    const ready = await new Promise<Extract<ChildMessage, { kind: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${role} child did not start within ${startOpts.startTimeoutMs ?? 30_000} ms`)),
        startOpts.startTimeoutMs ?? 30_000,
      );
      const onMessage = (raw: unknown) => {
        const msg = raw as ChildMessage;
        if (msg.kind === 'ready') done(() => resolve(msg));
        else if (msg.kind === 'failed') done(() => reject(new Error(`${role} child failed to start: ${msg.message}`)));
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(() => reject(new Error(`${role} child exited (${signal ?? code}) while starting`)));
      const done = (settle: () => void) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        settle();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    }).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });

    const command = <T>(cmd: ChildCommand, timeoutMs = 10_000): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`${role} child is not running`));
          return;
        }
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${role} child did not answer "${cmd}" within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        const msg: ParentMessage = { kind: 'command', id, command: cmd };
        child.send(msg);
      });

    return {
      role,
      pid: child.pid ?? -1,
      url: ready.url,
      detail: ready.detail,
      command,
      async stop(timeoutMs = 5_000) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        await command('stop', timeoutMs).catch(() => undefined);
        const killTimer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(killTimer);
      },
      suppressedLines: () => suppressed,
    };
  }

  return {
    start,
    killAll() {
      for (const child of running) child.kill('SIGKILL');
      running.clear();
    },
  };
}
