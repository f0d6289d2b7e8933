import { Agent, errors as undiciErrors, request } from 'undici';
import { GatewayError } from '../errors/catalogue.js';
import type { Logger } from '../observability/logger.js';
import type { LegacyOperationDef } from '../registry/registry.js';
import { classifyUpstreamFailure, type UpstreamFailure } from './upstream-failure.js';

export interface LegacyCallOptions {
  pathParams?: Readonly<Record<string, string>>;
  body?: unknown;
  requestId: string;
  /** legacy field name -> JSON pointer in the partner's request, for RC 8 answers */
  fieldPaths?: Readonly<Record<string, string>>;
  /** extra headers passed on to the legacy BSS (only those config allows, see legacy.forwardHeaders) */
  headers?: Readonly<Record<string, string>>;
  logger: Logger;
}

export interface LegacyClient {
  /** Calls one legacy operation; resolves to the parsed body of an RC 0 answer, throws GatewayError otherwise. */
  call(op: LegacyOperationDef, opts: LegacyCallOptions): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface LegacyClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** keep-alive connections kept per origin */
  connections?: number;
}

const SYSTEM = 'the legacy BSS';

/**
 * HTTP client for the legacy BSS over one keep-alive undici Agent. Only operations marked `safeToRetry` are
 * retried, once, and only when the connection failed before anything was sent.
 */
export function createLegacyClient(opts: LegacyClientOptions): LegacyClient {
  const agent = new Agent({ connections: opts.connections ?? 64, keepAliveTimeout: 30_000, connect: { timeout: opts.timeoutMs } });
  const base = opts.baseUrl.replace(/\/$/, '');

  const attempt = async (op: LegacyOperationDef, o: LegacyCallOptions): Promise<Record<string, unknown>> => {
    const path = op.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => encodeURIComponent(o.pathParams?.[name] ?? ''));
    let res;
    try {
      res = await request(`${base}${path}`, {
        method: op.method as 'GET',
        dispatcher: agent,
        headers: { ...o.headers, 'content-type': 'application/json', accept: 'application/json', 'x-bss-api-key': opts.apiKey, 'x-request-id': o.requestId },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
    } catch (err) {
      throw toFailure(err);
    }
    const text = await res.body.text().catch((err: unknown) => {
      throw toFailure(err);
    });
    if (res.statusCode !== 200) throw { kind: 'http', status: res.statusCode, detail: text.slice(0, 120) } satisfies UpstreamFailure;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw { kind: 'bad-body', detail: 'not JSON' } satisfies UpstreamFailure;
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as { RC?: unknown }).RC !== 'number') {
      throw { kind: 'bad-body', detail: 'no RC result code' } satisfies UpstreamFailure;
    }
    const body = parsed as Record<string, unknown> & { RC: number; MSG?: unknown; ERR_FIELD?: unknown };
    if (body.RC !== 0) {
      throw { kind: 'result-code', rc: body.RC, message: String(body.MSG ?? ''), field: typeof body.ERR_FIELD === 'string' ? body.ERR_FIELD : undefined } satisfies UpstreamFailure;
    }
    return body;
  };

  return {
    async call(op, o) {
      const started = performance.now();
      o.logger.debug('legacy call started', { legacyOperation: op.name });
      for (let tries = 1; ; tries++) {
        try {
          const body = await attempt(op, o);
          o.logger.debug('legacy call', { legacyOperation: op.name, ms: Math.round(performance.now() - started), tries });
          return body;
        } catch (err) {
          if (err instanceof GatewayError) throw err;
          const failure = err as UpstreamFailure;
          if (failure.kind === 'connect' && op.safeToRetry && tries < 2) continue;
          o.logger.warn('legacy call failed', { legacyOperation: op.name, failure, tries });
          throw classifyUpstreamFailure(failure, { system: SYSTEM, fieldPaths: o.fieldPaths });
        }
      }
    },
    close: () => agent.close(),
  };
}

function toFailure(err: unknown): UpstreamFailure {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return { kind: 'timeout', detail: (err as Error).message };
  }
  const code = (err as { code?: string }).code ?? '';
  if (err instanceof undiciErrors.SocketError || ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET'].includes(code)) {
    return { kind: 'connect', detail: code || (err as Error).message };
  }
  return { kind: 'connect', detail: (err as Error)?.message ?? String(err) };
}
