/**
 * A release's lock file (mappings/releases/<release>/release.lock.yaml, written from the SDK's official OpenAPI files
 * by `sonata-gateway release-lock`): what the standard declares, so the registry checks each api.yaml against it
 * without the SDK folder, and so the coverage table (every operationId, served or why not) needs no SDK either.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { ConfigProblem, YamlSource } from '../config/yaml-source.js';
import { escapeToken } from '../json/json-pointer.js';

export interface LockedOperation {
  /** upper case */
  readonly method: string;
  /** as the file writes it, e.g. `/customerBill/{id}` */
  readonly path: string;
  /** every response status the file declares */
  readonly statuses: readonly number[];
}

export interface LockedApi {
  /** `v2`: the major version of the base path */
  readonly version: string;
  /** the file, relative to the release's SDK folder */
  readonly file: string;
  /** a notification API: the Buyer serves it, the gateway sends its events */
  readonly role?: 'listener';
  readonly operations: Readonly<Record<string, LockedOperation>>;
}

export interface ReleaseLock {
  readonly release: string;
  readonly sdkFolder: string;
  readonly apis: Readonly<Record<string, LockedApi>>;
}

export const RELEASE_LOCK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['release', 'sdkFolder', 'apis'],
  properties: {
    release: { type: 'string' },
    sdkFolder: { type: 'string' },
    apis: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'file', 'operations'],
        properties: {
          version: { type: 'string', pattern: '^v\\d+$' },
          file: { type: 'string' },
          role: { const: 'listener' },
          operations: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              required: ['method', 'path', 'statuses'],
              properties: {
                method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
                path: { type: 'string', pattern: '^/' },
                statuses: { type: 'array', items: { type: 'integer' } },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** release.lock.yaml as validated (assignable to {@link ReleaseLock}) */
export type ReleaseLockFile = FromSchema<typeof RELEASE_LOCK_SCHEMA>;

/** One operation an api.yaml declares, with where it is declared. */
export interface DeclaredOperation {
  readonly operationId: string;
  readonly apiName: string;
  readonly version: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly kind: string;
  readonly src: YamlSource;
  /** pointer of the operation in `src` */
  readonly pointer: string;
  /** api.yaml of the API (for problems about the API as a whole) */
  readonly apiSrc: YamlSource;
}

/** `{id}` and `{productOrderId}` are the same path segment: compare templates without parameter names. */
function pathShape(path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}');
}

/**
 * Every way the release's api.yaml files disagree with the official files, at the api.yaml line: an API or
 * operationId the release does not have, another version, method or path, or a success status the file does not
 * declare. Pass-through (`proxy`) operations are checked like the others: the upstream serves the same contract.
 */
export function lockProblems(lock: ReleaseLock, declared: readonly DeclaredOperation[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const reportedApis = new Set<string>();
  for (const op of declared) {
    const api = lock.apis[op.apiName];
    if (!api) {
      if (!reportedApis.has(op.apiName)) {
        reportedApis.add(op.apiName);
        problems.push(
          op.apiSrc.problem(
            '',
            `${op.apiName} is not an API of ${lock.release}'s official files (release.lock.yaml lists ${Object.keys(lock.apis).join(', ')})`,
          ),
        );
      }
      continue;
    }
    if (op.version !== api.version) {
      if (!reportedApis.has(op.apiName)) {
        reportedApis.add(op.apiName);
        problems.push(
          op.apiSrc.problem('/version', `${op.apiName} is ${api.version} in ${lock.release}'s official files, not ${op.version}`),
        );
      }
      continue;
    }
    const locked = api.operations[op.operationId];
    if (!locked) {
      problems.push(
        op.src.problem(
          op.pointer,
          `${op.operationId} is not an operationId of ${op.apiName} ${api.version} (${api.file}); it has ${Object.keys(api.operations).join(', ')}`,
        ),
      );
      continue;
    }
    if (op.method.toUpperCase() !== locked.method || pathShape(op.path) !== pathShape(locked.path)) {
      problems.push(
        op.src.problem(
          `${op.pointer}/path`,
          `${op.operationId} is ${locked.method} ${locked.path} in ${api.file}, not ${op.method.toUpperCase()} ${op.path}`,
        ),
      );
    }
    const success = locked.statuses.filter((s) => s >= 200 && s < 300);
    if (op.kind !== 'notImplemented' && op.kind !== 'proxy' && success.length > 0 && !success.includes(op.status)) {
      problems.push(
        op.src.problem(`${op.pointer}/status`, `${op.operationId} answers ${success.join(' or ')} in ${api.file}, not ${op.status}`),
      );
    }
  }
  return problems;
}

/**
 * Operations of the official files the release neither serves nor explains: each must be in an api.yaml or under
 * `notServed` in release.yaml (by API, or by API and operationId) with the reason. Notification APIs are the
 * Buyer's to serve and are not asked for.
 */
export function unexplainedOperations(
  lock: ReleaseLock,
  served: ReadonlySet<string>,
  notServed: NotServed,
  releaseSrc: YamlSource,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [apiName, api] of Object.entries(lock.apis)) {
    if (api.role === 'listener') continue;
    const why = notServed[apiName];
    if (typeof why === 'string') continue;
    const missing = Object.keys(api.operations).filter((id) => !served.has(`${apiName}/${id}`) && !(why && why[id]));
    if (missing.length > 0) {
      problems.push(
        releaseSrc.problem(
          '',
          `${apiName} ${api.version}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} in the official files but neither served (api.yaml) nor listed with a reason under notServed`,
        ),
      );
    }
  }
  for (const [apiName, why] of Object.entries(notServed)) {
    const api = lock.apis[apiName];
    if (!api) {
      problems.push(
        releaseSrc.problem(`/notServed/${escapeToken(apiName)}`, `${apiName} is not an API of ${lock.release}'s official files`),
      );
      continue;
    }
    if (typeof why === 'string') {
      const servedHere = Object.keys(api.operations).filter((id) => served.has(`${apiName}/${id}`));
      if (servedHere.length > 0)
        problems.push(
          releaseSrc.problem(
            `/notServed/${escapeToken(apiName)}`,
            `${apiName} is served (${servedHere.join(', ')}); drop it from notServed`,
          ),
        );
      continue;
    }
    for (const id of Object.keys(why)) {
      if (!api.operations[id])
        problems.push(
          releaseSrc.problem(`/notServed/${escapeToken(apiName)}/${escapeToken(id)}`, `${id} is not an operationId of ${apiName}`),
        );
      else if (served.has(`${apiName}/${id}`))
        problems.push(
          releaseSrc.problem(`/notServed/${escapeToken(apiName)}/${escapeToken(id)}`, `${id} is served (api.yaml); drop it from notServed`),
        );
    }
  }
  return problems;
}

/** release.yaml `notServed`: a whole API with its reason, or operations of an API each with its reason. */
export type NotServed = Readonly<Record<string, string | Readonly<Record<string, string>>>>;

/**
 * The major version the lock gives an API of the release: a management API by its name, a notification API
 * (`role: listener`) by its name or, where the wire's name is the management API's (Billie's Trouble Ticket
 * listeners under `troubleTicket/v1`), by `<name>Notification`, the name of its file. Undefined when the lock has none.
 */
export function lockedVersion(lock: ReleaseLock, name: string, role: 'management' | 'listener'): string | undefined {
  if (role === 'management') {
    const api = lock.apis[name];
    return api && api.role !== 'listener' ? api.version : undefined;
  }
  return [lock.apis[name], lock.apis[`${name}Notification`]].find((api) => api?.role === 'listener')?.version;
}

/** Where a file names an API's version, and what it names. */
export interface StatedVersion {
  /** the API as the file names it */
  readonly name: string;
  readonly role: 'management' | 'listener';
  /** the version the file states, if it states one */
  readonly stated: string | undefined;
  readonly src: YamlSource;
  /** pointer of the object that names the API (problems about the API as a whole) */
  readonly pointer: string;
  /** pointer of the stated version (problems about the version) */
  readonly statedPointer: string;
}

/**
 * An API's version, stated once: the release's lock file (the official files, which every api.yaml is already
 * checked against) gives it. A file may still state it: then it must agree. Only a release without a lock (one whose
 * files are not in the SDK folder yet) takes the stated version, and then one must be stated. Problems go to
 * `problems`, at the stated version's line or the API's.
 */
export function resolveVersion(lock: ReleaseLock | undefined, at: StatedVersion, problems: ConfigProblem[]): string | undefined {
  if (!lock) {
    if (at.stated === undefined)
      problems.push(at.src.problem(at.pointer, `give the version of ${at.name}: the release has no release.lock.yaml to take it from`));
    return at.stated;
  }
  const locked = lockedVersion(lock, at.name, at.role);
  if (locked === undefined) {
    const kind = at.role === 'listener' ? 'a notification API' : 'a management API';
    const known = Object.entries(lock.apis)
      .filter(([, api]) => (api.role === 'listener') === (at.role === 'listener'))
      .map(([n]) => n);
    problems.push(
      at.src.problem(
        at.pointer,
        `${at.name} is not ${kind} of ${lock.release}'s official files (release.lock.yaml lists ${known.join(', ')})`,
      ),
    );
    return at.stated;
  }
  if (at.stated !== undefined && at.stated !== locked)
    problems.push(
      at.src.problem(
        at.statedPointer,
        `${at.name} is ${locked} in ${lock.release}'s official files (release.lock.yaml), not ${at.stated}; the version comes from the lock: drop it here`,
      ),
    );
  return locked;
}
