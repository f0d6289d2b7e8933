import type { Error422Code, PropertyIssue } from '../errors/catalogue.js';
import type { OperationDef, Registry } from '../registry/registry.js';
import type { SonataRelease, SpecCatalog, SpecIssue, SpecOperation } from './openapi-validator.js';

/** enforce: refuse invalid requests (422), log+count invalid responses; report: log+count both; off: nothing */
export type ConformanceMode = 'enforce' | 'report' | 'off';

export interface SpecGuard {
  readonly mode: ConformanceMode;
  /** problems of a request body against the official spec of the operation's release ([] when valid or unchecked) */
  checkRequest(registry: Registry, op: OperationDef, body: unknown): PropertyIssue[];
  /** problems of a response body ([] when valid or unchecked) */
  checkResponse(registry: Registry, op: OperationDef, status: number, body: unknown): SpecIssue[];
  /**
   * problems of a notification the gateway is about to send (body and listener query parameters) against the
   * release's notification API file ([] when valid or unchecked)
   */
  checkNotification(
    release: SonataRelease,
    api: { notificationApi: string; notificationVersion: string },
    eventType: string,
    url: string,
    body: unknown,
  ): SpecIssue[];
}

/**
 * The listener operation of a notification API in the official files. Billie's Trouble Ticket notifications declare
 * the management API's server (`troubleTicket/v1`); the catalogue indexes that file as `troubleTicketNotification`.
 */
export function findListenerOperation(
  catalog: SpecCatalog,
  release: SonataRelease,
  api: { notificationApi: string; notificationVersion: string },
  eventType: string,
): SpecOperation | undefined {
  if (!catalog.releases().includes(release)) return undefined;
  for (const name of [api.notificationApi, `${api.notificationApi}Notification`]) {
    const file = catalog.api(release, name);
    if (file && /Notification\.api\.ya?ml$/.test(file.file) && file.major === api.notificationVersion)
      return file.operation('POST', `/listener/${eventType}`);
  }
  return undefined;
}

/**
 * Validates Sonata traffic against the official OpenAPI file of each partner's release, found by the
 * operation's API name, method and path template. Validators are compiled on first use and cached by the
 * catalogue, so the per-request cost is one compiled-schema call. Operations the spec does not describe are
 * not checked.
 */
export function createSpecGuard(opts: { catalog: SpecCatalog; mode: ConformanceMode }): SpecGuard {
  // keyed weakly: a registry reload replaces every OperationDef, and the old ones must not be kept alive
  const lookup = new WeakMap<OperationDef, SpecOperation | null>();
  const listeners = new Map<string, SpecOperation | null>();
  const find = (registry: Registry, op: OperationDef): SpecOperation | undefined => {
    if (!lookup.has(op)) {
      const release = registry.releases.get(op.release)?.sdkFolder as SonataRelease | undefined;
      // a release whose files the SDK folder does not hold (a new one, before its SDK) is not checked, not a 500
      const known = release !== undefined && opts.catalog.releases().includes(release);
      lookup.set(op, (known && opts.catalog.api(release, op.apiName)?.operation(op.method, op.path)) || null);
    }
    return lookup.get(op) ?? undefined;
  };
  return {
    mode: opts.mode,
    checkRequest(registry, op, body) {
      if (opts.mode === 'off') return [];
      const spec = find(registry, op);
      if (!spec?.hasRequestBody) return [];
      return spec.validateRequestBody(body).map(toPropertyIssue);
    },
    checkResponse(registry, op, status, body) {
      if (opts.mode === 'off') return [];
      const spec = find(registry, op);
      if (!spec) return [];
      return spec.validateResponseBody(status, body);
    },
    checkNotification(release, api, eventType, url, body) {
      if (opts.mode === 'off') return [];
      const key = `${release} ${api.notificationApi}/${api.notificationVersion} ${eventType}`;
      if (!listeners.has(key)) listeners.set(key, findListenerOperation(opts.catalog, release, api, eventType) ?? null);
      const spec = listeners.get(key);
      if (!spec) return [];
      const query: Record<string, string> = {};
      for (const [k, v] of new URL(url).searchParams) query[k] = v;
      return [...spec.validateRequestBody(body), ...spec.validateQuery(query)];
    },
  };
}

/** A spec problem in the shape of a Sonata 422 entry. */
export function toPropertyIssue(i: SpecIssue): PropertyIssue {
  if (i.keyword === 'incomplete') return { code: 'otherIssue', propertyPath: '/', reason: i.message.slice(0, 255) };
  const code: Error422Code =
    i.keyword === 'required'
      ? 'missingProperty'
      : i.keyword === 'type' || i.keyword === 'format' || i.keyword === 'pattern'
        ? 'invalidFormat'
        : i.keyword === 'additionalProperties'
          ? 'unexpectedProperty'
          : 'invalidValue';
  return { code, propertyPath: i.path || '/', reason: `${i.path || 'body'}: ${i.message}`.slice(0, 255) };
}
