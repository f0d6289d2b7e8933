import { ERROR_CATALOGUE, GatewayError, truncate, type PropertyIssue } from './catalogue.js';

/** The body and status of a Sonata error answer. 422 is an array of Error422 (Sonata's shape). */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** How an answer is rendered beyond the error itself. */
export interface RenderOptions {
  /** 422: list at most this many problems, then one `otherIssue` entry "and N more problems" (default 20) */
  maxIssues?: number;
  /** the request's correlation id (X-Request-Id): the only detail a 5xx body carries */
  requestId?: string;
}

/**
 * Renders any thrown value into the Sonata error shape; unknown errors become 500 internalError. A 5xx body
 * carries the catalogue's reason and the correlation id only: what went wrong inside (mapping files, upstream
 * answers) is logged under that id, never shown to partners.
 */
export function renderSonataError(err: unknown, opts: RenderOptions = {}): RenderedError {
  const gw = err instanceof GatewayError ? err : fromForeignError(err);
  const entry = ERROR_CATALOGUE[gw.code];
  if (gw.status === 422) {
    const issues =
      gw.issues.length > 0 ? gw.issues : [{ code: 'otherIssue' as const, propertyPath: '/', reason: gw.reason, message: gw.message }];
    return {
      status: 422,
      headers: { ...gw.headers },
      body: capIssues(issues, opts.maxIssues ?? DEFAULT_MAX_ISSUES).map((i) => ({
        code: i.code,
        propertyPath: i.propertyPath,
        reason: truncate(i.reason, 255),
        ...(i.message ? { message: i.message } : {}),
      })),
    };
  }
  if (gw.status >= 500) {
    const reason = truncate(ERROR_CATALOGUE[gw.code].reason, 255);
    const body: Record<string, unknown> = { code: entry.sonataCode, reason };
    if (opts.requestId !== undefined) body.message = `Correlation id ${opts.requestId}: quote it to the provider's support`;
    return { status: gw.status, headers: { ...gw.headers }, body };
  }
  const body: Record<string, unknown> = { code: entry.sonataCode, reason: gw.reason };
  // for a refusal the message helps the integrator
  if (gw.message !== gw.reason) body.message = gw.message;
  return { status: gw.status, headers: { ...gw.headers }, body };
}

const DEFAULT_MAX_ISSUES = 20;

function capIssues(issues: readonly PropertyIssue[], max: number): readonly PropertyIssue[] {
  if (issues.length <= max) return issues;
  const more = issues.length - max;
  return [...issues.slice(0, max), { code: 'otherIssue', propertyPath: '/', reason: `and ${more} more problem${more === 1 ? '' : 's'}` }];
}

/**
 * Errors thrown by Express itself rather than by our stages: a path parameter that is not valid percent-encoding
 * (the router's URIError) names no resource; anything else is ours to fix.
 */
function fromForeignError(err: unknown): GatewayError {
  if (err instanceof URIError) return new GatewayError('route.not-found', 'The path is not valid percent-encoding', { cause: err });
  return new GatewayError('internal.unexpected', undefined, { cause: err });
}
