import { GatewayError } from '../errors/catalogue.js';
import type { OperationDef, PartnerDef, Registry } from '../registry/registry.js';

export interface ResolvedOperation {
  readonly op: OperationDef;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Finds the operation a partner is calling from `/mefApi/sonata/<api>/<version><path>`, in the release the
 * partner speaks for that API. Unknown API or path -> 404; a version of the API that exists in another release
 * but not the partner's -> 404 saying which version the partner has; known path, other method -> 501.
 */
export function resolveOperation(
  registry: Registry,
  partner: PartnerDef,
  apiName: string,
  version: string,
  method: string,
  path: string,
): ResolvedOperation {
  const release = registry.releaseFor(partner, apiName);
  const api = release?.apis.get(apiName);
  if (!api) {
    const offered = [...new Set([...registry.releases.values()].filter((r) => r.apis.has(apiName)))];
    if (offered.length) {
      throw new GatewayError(
        'route.version-not-spoken',
        `${apiName} is not enabled for partner ${partner.id} (release ${partner.release})`,
      );
    }
    throw new GatewayError('route.not-found', `No Sonata API named ${apiName}`);
  }
  if (api.version !== version) {
    const exists = [...registry.releases.values()].some((r) => r.apis.get(apiName)?.version === version);
    throw new GatewayError(
      exists ? 'route.version-not-spoken' : 'route.not-found',
      `${apiName}/${version} is not offered to partner ${partner.id}: its profile speaks release ${release!.name}, which uses ${apiName}/${api.version}`,
    );
  }
  let pathMatched = false;
  for (const op of api.operations) {
    const m = op.pathPattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (op.method !== method) continue;
    const params: Record<string, string> = {};
    op.pathParams.forEach((name, i) => {
      params[name] = decodePathParam(m[i + 1]!, path);
    });
    return { op, params };
  }
  if (pathMatched) throw new GatewayError('route.method-not-supported', `${method} is not supported on ${apiName}/${version}${path}`);
  throw new GatewayError('route.not-found', `No resource ${path} in ${apiName}/${version}`);
}

/** An id that is not valid percent-encoding, or only blanks, names no resource: 404, never a 500 or a backend call. */
function decodePathParam(raw: string, path: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new GatewayError('route.not-found', `No resource ${path}: the path is not valid percent-encoding`);
  }
  if (value.trim() === '') throw new GatewayError('route.not-found', `No resource ${path}: an id is blank`);
  return value;
}
