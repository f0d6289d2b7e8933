/**
 * Distributed tracing (OpenTelemetry), off by default. The one module that knows the SDK: product code makes its
 * spans through `@opentelemetry/api` (src/observability/spans.ts), which stays a no-op until this module, or a test,
 * registers a tracer provider.
 *
 * On when the standard variables ask for an exporter: `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `zipkin`; `none`
 * keeps it off), or an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`);
 * `OTEL_SDK_DISABLED=true` wins over both. Everything else (protocol, headers, service name, sampler, propagators)
 * is the SDK's own reading of the `OTEL_*` variables (docs/operations.md, Tracing). Only traces are exported: the
 * gateway's metrics stay on `/metrics`.
 *
 * ESM: the instrumentations patch express and ioredis through import-in-the-middle, whose loader hook must be
 * registered (`module.register`) before those modules are imported. So src/main.ts calls {@link startTracing} first
 * and imports the gateway afterwards, dynamically. undici is traced through its diagnostics channels (no patching);
 * node:http through the HTTP instrumentation.
 */
import { register } from 'node:module';

/** Whether tracing is on, and which variable decided it (logged at start-up). */
export interface TracingDecision {
  readonly enabled: boolean;
  readonly reason: string;
}

/** What {@link startTracing} started: flush and stop it at shutdown. */
export interface Tracing {
  /** exports the spans still buffered, then stops the SDK */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the standard `OTEL_*` variables the way the SDK does and says whether any span exporter is asked for. */
export function decideTracing(env: Env): TracingDecision {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'null');
  if (exporters.length) {
    if (exporters.every((e) => e === 'none')) return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
    return { enabled: true, reason: `OTEL_TRACES_EXPORTER=${exporters.join(',')}` };
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const) {
    if ((env[name] ?? '').trim() !== '') return { enabled: true, reason: `${name} is set` };
  }
  return { enabled: false, reason: 'no OTEL_TRACES_EXPORTER or OTLP endpoint set' };
}

/** Outgoing undici requests the gateway traces itself (legacy BSS, sellers, listeners) already carry a traceparent. */
function carriesTraceparent(headers: unknown): boolean {
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers);
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'traceparent') return true;
  }
  return false;
}

/** Liveness, readiness and scrapes: not worth a trace each. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/**
 * Starts the OpenTelemetry Node SDK with the http, express, undici and ioredis instrumentations when
 * {@link decideTracing} says so; resolves to undefined (nothing loaded, nothing patched) otherwise. Call it before
 * importing anything it instruments. `env` decides on/off; the SDK itself reads `process.env`.
 */
export async function startTracing(env: Env = process.env): Promise<Tracing | undefined> {
  if (!decideTracing(env).enabled) return undefined;
  // the ESM loader hook first: modules imported from now on can be patched
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [
    { NodeSDK },
    { HttpInstrumentation },
    { ExpressInstrumentation, ExpressLayerType },
    { UndiciInstrumentation },
    { IORedisInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME, when set, names the service instead
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: 'sonata-gateway' }),
    // traces only: the gateway's metrics are prom-client's, on /metrics
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? '') }),
      // routers and route handlers only: a span per middleware (body guards, auth, rate limits) is noise, and the
      // pipeline's stages have spans of their own (src/observability/spans.ts); the route still names the request
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // our own CLIENT spans already cover (and propagate on) the legacy BSS, seller and listener calls
      new UndiciInstrumentation({ ignoreRequestHook: (req) => carriesTraceparent(req.headers) }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
