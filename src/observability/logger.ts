import winston from 'winston';

/** The logging surface the rest of the code depends on (winston's Logger satisfies it). */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

const SECRET_KEY = /(authorization|token|secret|password|api[-_]?key|client_secret|cookie)/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** Replaces secret-looking values (by key name) and bearer/JWT strings (by shape) with "[redacted]". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (typeof value === 'string') return value.replace(BEARER, '$1 [redacted]').replace(JWT, '[redacted-jwt]');
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp') continue;
    info[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(info[key]);
  }
  return info;
});

export interface LoggerOptions {
  /** winston level: error, warn, info, debug */
  level: string;
  /** 'json' for machines (default), 'pretty' for a terminal */
  format?: 'json' | 'pretty';
  /** extra transport, used by tests to capture lines */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

/** Creates the JSON logger with token/secret redaction applied to every line. */
export function createLogger(opts: LoggerOptions): Logger {
  const format = winston.format.combine(
    redactFormat(),
    winston.format.timestamp(),
    opts.format === 'pretty'
      ? winston.format.printf(
          (i) => `${String(i.timestamp)} ${i.level} ${String(i.message)} ${JSON.stringify(omit(i, ['level', 'message', 'timestamp']))}`,
        )
      : winston.format.json(),
  );
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn'] });
  return levelGuarded(winston.createLogger({ level: opts.level, format, transports: [transport], silent: opts.silent ?? false }));
}

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * winston runs the whole format chain (redaction, timestamp, JSON) on every line and only then lets the transport
 * drop it by level: a debug line costs its formatting even at `error`. This checks the level first.
 */
function levelGuarded(inner: winston.Logger): Logger {
  return guardedLogger(
    () => inner,
    (level) => inner.isLevelEnabled(level),
  );
}

/**
 * `resolve` gives the winston logger to write to; children resolve theirs only when they first write a line, so
 * the per-request children (request id, partner id) cost nothing on a request that logs nothing.
 */
function guardedLogger(resolve: () => winston.Logger, enabled: (level: string) => boolean): Logger {
  let target: winston.Logger | undefined;
  const write = (level: Level, message: string, meta: Record<string, unknown> | undefined): void => {
    if (!enabled(level)) return;
    target ??= resolve();
    if (meta === undefined) target[level](message);
    else target[level](message, meta);
  };
  return {
    error: (message, meta) => write('error', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    info: (message, meta) => write('info', message, meta),
    debug: (message, meta) => write('debug', message, meta),
    child: (meta) => guardedLogger(() => (target ??= resolve()).child(meta), enabled),
  };
}

function omit(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}
