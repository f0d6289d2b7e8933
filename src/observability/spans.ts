/**
 * The gateway's own spans, through `@opentelemetry/api` only (the SDK is set up in tracing.ts, or by a test). Until a
 * tracer provider is registered every call here hits the API's no-op tracer: a non-recording span, no context switch
 * worth the name, nothing exported. So the pipeline is instrumented unconditionally and tracing costs ~nothing when off.
 *
 * Span names are bounded (a stage, a mapping role, a legacy operation name, an event type; never an id or a path
 * with ids); attributes carry the rest.
 */
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { memberOf } from '../json/unknown-values.js';

/** Name of the instrumentation scope of every span the gateway makes itself. */
export const TRACER_NAME = 'sonata-gateway';

/**
 * The gateway's tracer. A ProxyTracer: one taken before the provider is registered (module load) still delegates to
 * the provider registered later (tracing.ts, or a test's in-memory provider).
 */
export const tracer: Tracer = trace.getTracer(TRACER_NAME);

export { SpanKind };
export type { Span };

/** W3C trace context headers (`traceparent`, `tracestate`) of a context, as a plain object; empty when tracing is off. */
export type TraceCarrier = Record<string, string>;

/**
 * Runs `fn` inside a new active span (children made in `fn`, also after awaits, are its children); the span ends when
 * `fn` settles. A throw is recorded on the span (exception event, status ERROR) and rethrown.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
  parent?: Context,
): Promise<T> {
  const base = parent ?? context.active();
  const span = tracer.startSpan(name, { kind, attributes }, base);
  // tracing off (the no-op tracer, nothing to continue): no context to switch, nothing to end or record
  if (!span.isRecording() && !isSpanContextValid(span.spanContext())) return fn(span);
  return runInSpan(span, base, fn);
}

async function runInSpan<T>(span: Span, base: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(base, span), fn, undefined, span);
  } catch (err) {
    recordFailure(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span failed with what was thrown: an exception event, status ERROR with the error's (catalogue) code. */
export function recordFailure(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  if (err instanceof Error) span.recordException(err);
  else if (err && typeof err === 'object')
    span.recordException({
      name: String(memberOf(err, 'kind') ?? 'error'),
      message: JSON.stringify(err).slice(0, 200),
    });
  else span.recordException(String(err));
  // a bounded status message: the catalogue code (GatewayError), the mapping failure's kind, else the error's class
  const code = memberOf(err, 'code');
  const kind = memberOf(err, 'kind');
  const message = typeof code === 'string' ? code : typeof kind === 'string' ? kind : err instanceof Error ? err.name : 'error';
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Writes the trace context of the active span into `headers` (W3C `traceparent`/`tracestate`) and returns them: how
 * outbound calls (legacy BSS, sellers, listeners) join the partner's trace. Nothing is added when tracing is off.
 */
export function injectTraceHeaders<H extends Record<string, string>>(headers: H, ctx: Context = context.active()): H {
  propagation.inject(ctx, headers);
  return headers;
}

/** The trace context active now, to travel with queued work (a notification job); undefined when there is none. */
export function captureTraceContext(): TraceCarrier | undefined {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length ? carrier : undefined;
}

/** The context a carrier names (queued work, an incoming request's headers); the root context without one. */
export function contextFrom(carrier: Readonly<Record<string, string | string[] | undefined>> | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}
