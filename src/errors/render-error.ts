import { ERROR_CATALOGUE, GatewayError, truncate } from './catalogue.js';

/** The body and status of a Sonata error answer. 422 is an array of Error422 (Sonata's shape). */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Renders any thrown value into the Sonata error shape; unknown errors become 500 internalError. */
export function renderSonataError(err: unknown): RenderedError {
  const gw = err instanceof GatewayError ? err : new GatewayError('internal.unexpected', undefined, { cause: err });
  const entry = ERROR_CATALOGUE[gw.code];
  if (gw.status === 422) {
    const issues = gw.issues.length > 0
      ? gw.issues
      : [{ code: 'otherIssue' as const, propertyPath: '/', reason: gw.reason, message: gw.message }];
    return {
      status: 422,
      headers: { ...gw.headers },
      body: issues.map((i) => ({
        code: i.code,
        propertyPath: i.propertyPath,
        reason: truncate(i.reason, 255),
        ...(i.message ? { message: i.message } : {}),
      })),
    };
  }
  const body: Record<string, unknown> = { code: entry.sonataCode, reason: gw.reason };
  // Internal details never leak into a 500; for the rest the message helps the integrator.
  if (gw.code !== 'internal.unexpected' && gw.message !== gw.reason) body.message = gw.message;
  return { status: gw.status, headers: { ...gw.headers }, body };
}
