/**
 * Writes a release's lock file (mappings/releases/<release>/release.lock.yaml): every API of the release's official
 * OpenAPI files with its version and file, and every operationId with its method, path and declared statuses. The
 * gateway starts without the SDK folder; the registry checks each api.yaml against the lock (release-lock.ts in
 * src/registry), and `sonata-gateway release-lock --check` (run by the tests when the SDK is there) that the lock
 * still says what the files say.
 */
import { Document, isMap } from 'yaml';
import type { LockedApi, LockedOperation, ReleaseLock } from '../registry/release-lock.js';
import type { SpecCatalog } from './openapi-validator.js';

/** The lock of one release, read from the SDK's files of `sdkFolder` (every API file, management and notification). */
export function buildReleaseLock(catalog: SpecCatalog, release: { name: string; sdkFolder: string }): ReleaseLock {
  const apis: Record<string, LockedApi> = {};
  for (const apiName of catalog.apis(release.sdkFolder)) {
    const api = catalog.api(release.sdkFolder, apiName);
    if (!api) continue;
    const operations: Record<string, LockedOperation> = {};
    for (const op of api.operations) {
      operations[op.operationId] = {
        method: op.method.toUpperCase(),
        path: op.path,
        statuses: op.responseStatuses.map(Number).filter(Number.isInteger),
      };
    }
    const listener = api.operations.length > 0 && api.operations.every((op) => op.path.startsWith('/listener/'));
    apis[apiName] = {
      version: api.major,
      file: api.file
        .slice(catalog.sdkDir.length + 1 + release.sdkFolder.length + 1)
        .split('\\')
        .join('/'),
      ...(listener ? { role: 'listener' as const } : {}),
      operations,
    };
  }
  return { release: release.name, sdkFolder: release.sdkFolder, apis };
}

/** The lock file's text: a header saying where it comes from, then one line per operation. */
export function renderReleaseLock(lock: ReleaseLock): string {
  const header = [
    `# The operations of Sonata ${lock.release} as its official OpenAPI files declare them (SDK folder "${lock.sdkFolder}").`,
    '# Written by `sonata-gateway release-lock`; do not edit. The registry checks every api.yaml of this release against',
    '# it (method, path, version, success status), and every operation here is served or listed under `notServed` in',
    '# release.yaml. `role: listener`: a notification API (the Buyer serves it; the gateway sends its events).',
  ];
  const doc = new Document(lock);
  // one operation per line: {method, path, statuses} as a flow map
  for (const [apiName, api] of Object.entries(lock.apis)) {
    for (const operationId of Object.keys(api.operations)) {
      const node = doc.getIn(['apis', apiName, 'operations', operationId], true);
      if (isMap(node)) node.flow = true;
    }
  }
  const body = doc.toString({ lineWidth: 0 });
  return `${header.join('\n')}\n${body}`;
}
