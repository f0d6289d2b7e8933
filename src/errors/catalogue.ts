/**
 * The one error catalogue. Every error the gateway renders is listed here with its HTTP status and the
 * Sonata `code` enum value it carries. docs/errors.md documents each entry (a test keeps them in step).
 *
 * Statuses outside the Sonata set (502/503/504) are used only for upstream failures, so that a partner's
 * client can tell "retry later" from "our bug"; the body keeps the Sonata Error500 shape (`internalError`).
 */
export const ERROR_CATALOGUE = {
  'request.invalid-json': { status: 400, sonataCode: 'invalidBody', reason: 'The request body is not valid JSON' },
  'request.unsupported-media-type': {
    status: 400,
    sonataCode: 'invalidBody',
    reason: 'The request body must be sent as application/json;charset=utf-8',
  },
  'request.body-too-large': {
    status: 400,
    sonataCode: 'invalidBody',
    reason: 'The request body is larger than allowed',
  },
  'request.body-too-deep': { status: 400, sonataCode: 'invalidBody', reason: 'The request body is nested too deeply' },
  'request.array-too-long': {
    status: 422,
    sonataCode: 'tooManyRecords',
    reason: 'An array in the request body has too many items',
  },
  'request.body-not-object': {
    status: 400,
    sonataCode: 'invalidBody',
    reason: 'The request body must be a JSON object',
  },
  'request.invalid-query': { status: 400, sonataCode: 'invalidQuery', reason: 'The query string is invalid' },
  'request.missing-query-value': {
    status: 400,
    sonataCode: 'missingQueryValue',
    reason: 'A query parameter has no value',
  },
  'request.refused-body': {
    status: 400,
    sonataCode: 'invalidBody',
    reason: 'The request body was refused; see message',
  },
  'request.validation-failed': { status: 422, sonataCode: 'invalidValue', reason: 'The request failed validation' },
  'auth.missing-credentials': { status: 401, sonataCode: 'missingCredentials', reason: 'No credentials provided' },
  'auth.invalid-credentials': {
    status: 401,
    sonataCode: 'invalidCredentials',
    reason: 'Provided credentials are invalid or expired',
  },
  'auth.invalid-grant': {
    status: 400,
    sonataCode: 'invalidBody',
    reason: 'Unsupported grant type; use client_credentials',
  },
  'auth.scope-missing': {
    status: 403,
    sonataCode: 'accessDenied',
    reason: 'The access token does not grant this operation',
  },
  'auth.forbidden-requester': {
    status: 403,
    sonataCode: 'forbiddenRequester',
    reason: 'This partner may not call this API',
  },
  'auth.buyer-id-mismatch': {
    status: 403,
    sonataCode: 'forbiddenRequester',
    reason: 'buyerId does not belong to the authenticated partner',
  },
  'auth.key-scope-missing': {
    status: 403,
    sonataCode: 'accessDenied',
    reason: 'The internal API key does not grant this route',
  },
  'route.not-found': { status: 404, sonataCode: 'notFound', reason: 'No such Sonata resource' },
  'route.version-not-spoken': {
    status: 404,
    sonataCode: 'notFound',
    reason: 'This API version is not offered to this partner',
  },
  'route.method-not-supported': {
    status: 501,
    sonataCode: 'notImplemented',
    reason: 'This method is not implemented on this resource',
  },
  'resource.not-found': { status: 404, sonataCode: 'notFound', reason: 'Resource not found' },
  'operation.not-implemented': {
    status: 501,
    sonataCode: 'notImplemented',
    reason: 'Operation not implemented for this partner',
  },
  'mapping.rejected': {
    status: 422,
    sonataCode: 'invalidValue',
    reason: 'The request was refused by the partner mapping',
  },
  'mapping.conflict': {
    status: 409,
    sonataCode: 'conflict',
    reason: 'The request does not match the current state of the resource',
  },
  'resource.busy': {
    status: 409,
    sonataCode: 'conflict',
    reason: 'Another change to this resource is still in progress; retry shortly',
  },
  'idempotency.invalid-key': {
    status: 400,
    sonataCode: 'invalidBody',
    reason: 'The Idempotency-Key header is malformed',
  },
  'idempotency.key-reused': {
    status: 422,
    sonataCode: 'invalidValue',
    reason: 'This Idempotency-Key was already used with another request body',
  },
  'idempotency.external-id-reused': {
    status: 422,
    sonataCode: 'invalidValue',
    reason: 'This externalId was already used for a create with another body',
  },
  'idempotency.in-flight': {
    status: 409,
    sonataCode: 'conflict',
    reason: 'A request with this Idempotency-Key is still being processed',
  },
  'mapping.failed': { status: 500, sonataCode: 'internalError', reason: 'A mapping failed to translate the message' },
  'mapping.timeout': { status: 500, sonataCode: 'internalError', reason: 'A mapping exceeded its time budget' },
  'upstream.unavailable': {
    status: 503,
    sonataCode: 'internalError',
    reason: 'The backend system is not reachable; retry later',
  },
  'upstream.timeout': { status: 504, sonataCode: 'internalError', reason: 'The backend system did not answer in time' },
  'upstream.bad-response': {
    status: 502,
    sonataCode: 'internalError',
    reason: 'The backend system sent an invalid answer',
  },
  'upstream.system-error': {
    status: 503,
    sonataCode: 'internalError',
    reason: 'The backend system reported a temporary failure',
  },
  'upstream.rejected-input': { status: 422, sonataCode: 'invalidValue', reason: 'The backend system refused a value' },
  'upstream.not-found': { status: 404, sonataCode: 'notFound', reason: 'Resource not found' },
  // No Sonata release declares a 429 (checked Grace, Billie, Kylie): the body follows the base Error schema, whose
  // `code` is free text, with the HTTP reason's name as code.
  'rate.limited': {
    status: 429,
    sonataCode: 'tooManyRequests',
    reason: 'Too many requests; retry after the time in Retry-After',
  },
  'console.signed-out': { status: 401, sonataCode: 'missingCredentials', reason: 'Sign in to the console' },
  'console.bad-credentials': {
    status: 401,
    sonataCode: 'invalidCredentials',
    reason: 'Unknown user or wrong password',
  },
  'console.forbidden': { status: 403, sonataCode: 'accessDenied', reason: 'Your console role does not allow this' },
  'console.cross-site': {
    status: 403,
    sonataCode: 'accessDenied',
    reason: 'Console changes need the X-Console: 1 header',
  },
  'console.invalid-request': { status: 400, sonataCode: 'invalidBody', reason: 'The console request is invalid' },
  'console.fixture-exists': { status: 409, sonataCode: 'conflict', reason: 'A fixture with this name already exists' },
  'console.fixture-mismatch': {
    status: 422,
    sonataCode: 'invalidValue',
    reason: 'The mapping does not produce the expected output',
  },
  'console.not-built': {
    status: 503,
    sonataCode: 'internalError',
    reason: 'The console is not built; run npm run build',
  },
  'store.unavailable': {
    status: 503,
    sonataCode: 'internalError',
    reason: 'The state store is not reachable; retry later',
  },
  'internal.unexpected': { status: 500, sonataCode: 'internalError', reason: 'Internal error' },
} as const satisfies Record<string, CatalogueEntry>;

export interface CatalogueEntry {
  readonly status: number;
  readonly sonataCode: SonataErrorCode;
  readonly reason: string;
}

export type SonataErrorCode =
  | 'missingQueryParameter'
  | 'missingQueryValue'
  | 'invalidQuery'
  | 'invalidBody'
  | 'missingCredentials'
  | 'invalidCredentials'
  | 'accessDenied'
  | 'forbiddenRequester'
  | 'tooManyUsers'
  | 'notFound'
  | 'conflict'
  | 'missingProperty'
  | 'invalidValue'
  | 'invalidFormat'
  | 'referenceNotFound'
  | 'unexpectedProperty'
  | 'tooManyRecords'
  | 'otherIssue'
  | 'internalError'
  | 'notImplemented'
  | 'tooManyRequests';

export type Error422Code =
  'missingProperty' | 'invalidValue' | 'invalidFormat' | 'referenceNotFound' | 'unexpectedProperty' | 'tooManyRecords' | 'otherIssue';

export type GatewayErrorCode = keyof typeof ERROR_CATALOGUE;

/** One problem of a 422 answer: JSON pointer into the request, Sonata code, reason. */
export interface PropertyIssue {
  readonly code: Error422Code;
  readonly propertyPath: string;
  readonly reason: string;
  readonly message?: string;
}

/** The typed error all gateway code throws; rendered once by the error middleware. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly issues: readonly PropertyIssue[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: GatewayErrorCode,
    message?: string,
    opts: { issues?: PropertyIssue[]; cause?: unknown; headers?: Record<string, string>; reason?: string } = {},
  ) {
    super(message ?? opts.reason ?? ERROR_CATALOGUE[code].reason, { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.issues = opts.issues ?? [];
    this.headers = opts.headers ?? {};
    this.reasonOverride = opts.reason;
  }

  private readonly reasonOverride: string | undefined;

  /** Short, partner-facing reason (<= 255 chars, as the Sonata Error schema demands). */
  get reason(): string {
    return truncate(this.reasonOverride ?? ERROR_CATALOGUE[this.code].reason, 255);
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
