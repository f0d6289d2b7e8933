import { GatewayError } from '../errors/catalogue.js';
import { legacyFieldToPointer } from '../registry/field-paths.js';

/** What went wrong talking to a backend, before it is turned into a Sonata answer. */
export type UpstreamFailure =
  | { kind: 'connect'; detail: string } // refused, reset, DNS: nothing was processed
  | { kind: 'timeout'; detail: string }
  | { kind: 'http'; status: number; detail: string }
  | { kind: 'bad-body'; detail: string }
  | { kind: 'result-code'; rc: number; message: string; field?: string };

const FAILURE_KINDS: ReadonlySet<unknown> = new Set<UpstreamFailure['kind']>(['connect', 'timeout', 'http', 'bad-body', 'result-code']);

/** Whether a thrown value is an {@link UpstreamFailure} (clients throw plain objects). */
export function isUpstreamFailure(value: unknown): value is UpstreamFailure {
  return typeof value === 'object' && value !== null && FAILURE_KINDS.has(Reflect.get(value, 'kind'));
}

/**
 * The one place that decides how a backend failure is answered (pure, unit-tested):
 * unreachable -> 503 (retry later), timeout -> 504, unreadable answer -> 502, legacy RC 4 -> 404,
 * RC 8 -> 422 naming the property (via `fieldPaths`, legacy field -> JSON pointer in the partner's request;
 * a field no partner property feeds -> 500, since our own mapping produced it),
 * RC 12 -> 503, legacy auth refusal -> 500 (our misconfiguration, not the partner's fault).
 */
export function classifyUpstreamFailure(
  f: UpstreamFailure,
  opts: { system: string; fieldPaths?: Readonly<Record<string, string>> },
): GatewayError {
  const retry = { 'Retry-After': '5' };
  switch (f.kind) {
    case 'connect':
      return new GatewayError('upstream.unavailable', `${opts.system} is not reachable (${f.detail})`, {
        headers: retry,
      });
    case 'timeout':
      return new GatewayError('upstream.timeout', `${opts.system} did not answer in time (${f.detail})`);
    case 'bad-body':
      return new GatewayError('upstream.bad-response', `${opts.system} sent an unreadable answer (${f.detail})`);
    case 'http':
      if (f.status === 401 || f.status === 403)
        return new GatewayError('internal.unexpected', `${opts.system} refused the gateway's credentials (HTTP ${f.status})`);
      if (f.status === 404) return new GatewayError('upstream.not-found', `${opts.system} answered HTTP 404`);
      if (f.status >= 500)
        return new GatewayError('upstream.system-error', `${opts.system} failed with HTTP ${f.status}`, {
          headers: retry,
        });
      return new GatewayError('upstream.bad-response', `${opts.system} answered HTTP ${f.status} (${f.detail})`);
    case 'result-code':
      switch (f.rc) {
        case 4:
          return new GatewayError('upstream.not-found', f.message);
        case 8: {
          const path = f.field && opts.fieldPaths ? legacyFieldToPointer(opts.fieldPaths, f.field) : undefined;
          // a refused field that no partner property feeds is the gateway's own mapping fault, not the partner's
          if (!path)
            return new GatewayError(
              'mapping.failed',
              `${opts.system} refused ${f.field ?? 'the request'}, which the gateway's mapping produced: ${f.message}`,
            );
          return new GatewayError('upstream.rejected-input', `${opts.system} refused ${f.field}: ${f.message}`, {
            issues: [{ code: 'invalidValue', propertyPath: path, reason: f.message }],
          });
        }
        case 12:
          return new GatewayError('upstream.system-error', `${opts.system} reported a system error: ${f.message}`, {
            headers: retry,
          });
        case 16:
          return new GatewayError('internal.unexpected', `${opts.system} refused the gateway's credentials`);
        default:
          return new GatewayError('upstream.bad-response', `${opts.system} answered with unknown result code ${f.rc}: ${f.message}`);
      }
  }
}
