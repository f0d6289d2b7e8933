/**
 * Conformance cases as data: one YAML file per business function and release family under
 * `mappings/conformance/<family>/`. Loading checks everything that can be checked without a seller (structure,
 * unique ids, that each operationId exists in the official spec of the release and is the operation the request
 * calls, that every expected status is declared there, that every placeholder has a source) and reports all
 * problems with file:line, like every other data file of the project.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigError, readYamlFile, validateSource, type ConfigProblem, type YamlSource } from '../../config/yaml-source.js';
import type { SonataRelease, SpecApi, SpecCatalog } from '../openapi-validator.js';
import { isClockPlaceholder, listPlaceholders } from './case-template.js';
import { VALUE_OPERATORS, type ValueExpectation } from './expectations.js';

/** The request a case (or an `eventually` poll) sends; `path` is relative to the API base of the release. */
export interface CaseRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: unknown;
  /** extra request headers (Authorization and Content-Type are set by the runner) */
  readonly headers?: Readonly<Record<string, string>>;
  /** false: send no bearer token (a case about missing credentials) */
  readonly auth: boolean;
}

/** A Sonata error the seller must answer; for 422 one entry of the array must match. */
export interface ExpectedError {
  readonly code: string;
  /** JSON pointer into the buyer's request (422 only) */
  readonly propertyPath?: string;
}

export interface CaseExpectation {
  /** allowed statuses (several where the standard leaves the seller a choice, e.g. immediate 200 or deferred 201) */
  readonly status: readonly number[];
  /** the spec operation whose response for that status validates the body */
  readonly operationId: string;
  readonly values: Readonly<Record<string, ValueExpectation>>;
  /** response headers (names case-insensitive), e.g. `X-Total-Count` on lists */
  readonly headers: Readonly<Record<string, ValueExpectation>>;
  readonly error?: ExpectedError;
}

/** Poll until the resource reaches a state (bounded in time), e.g. a deferred quote until it is answered. */
export interface EventuallyCheck {
  readonly request: CaseRequest;
  readonly operationId: string;
  readonly until: Readonly<Record<string, ValueExpectation>>;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

export interface ConformanceCase {
  /** e.g. `AV-G-01`; unique within the release family */
  readonly id: string;
  readonly title: string;
  readonly function: string;
  /** positive ("sunny day") or negative ("cloudy day") */
  readonly kind: 'positive' | 'negative';
  /** optional Sonata operation: a 501 notImplemented answer is a SKIP, not a FAIL */
  readonly optional: boolean;
  /** release names the case applies to (default: the file's) */
  readonly releases: readonly string[];
  /** the requirement or behaviour the case verifies, in our words (shown in reports) */
  readonly verifies?: string;
  readonly api: string;
  /** `/mefApi/sonata/<api>/<major>` of the release */
  readonly apiBase: string;
  readonly request: CaseRequest;
  readonly expect: CaseExpectation;
  /** variable name -> JSON pointer into the response body; later cases of the file use `${name}` */
  readonly capture: Readonly<Record<string, string>>;
  readonly eventually?: EventuallyCheck;
  /** where the case starts, `file:line` */
  readonly source: string;
}

export interface CaseFile {
  readonly file: string;
  readonly function: string;
  readonly title?: string;
  readonly api: string;
  readonly releases: readonly string[];
  /**
   * defaults for placeholders, overridable from the command line (`--var name=value`); any JSON value, so a whole
   * product configuration can be swapped for another seller's
   */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly cases: readonly ConformanceCase[];
}

export interface ConformanceSuite {
  /** the release family folder, e.g. `grace` */
  readonly family: string;
  /** the release the suite was loaded for (a family member such as `haley`) */
  readonly release: string;
  readonly specRelease: SonataRelease;
  /** files in name order, each with only the cases for `release` */
  readonly files: readonly CaseFile[];
  /** every function any file of the family covers, sorted (for `--functions` checks) */
  readonly functions: readonly string[];
}

export interface LoadConformanceSuiteOptions {
  /** folder holding one folder per release family (`mappings/conformance`) */
  casesDir: string;
  /** release family folder, e.g. `grace` */
  family: string;
  /** the release to run (defaults to the family); cases whose `releases` do not name it are left out */
  release?: string;
  /** aliases of the family (e.g. `haley` for `grace`): a file without `releases` applies to the family and these */
  aliases?: readonly string[];
  /** the official specs; every operationId is checked against `specRelease` */
  specs: SpecCatalog;
  specRelease: SonataRelease;
  /** business functions to keep (default: all); unknown names are an error */
  functions?: readonly string[];
}

const BUILT_IN_VARS = ['runId', 'buyerId', 'sellerId'];

const valueExpectation = {
  anyOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        equals: {},
        oneOf: { type: 'array', minItems: 1 },
        present: { type: 'boolean' },
        absent: { type: 'boolean' },
        matches: { type: 'string', minLength: 1 },
        minItems: { type: 'integer', minimum: 0 },
        contains: { type: 'object', additionalProperties: { $ref: '#/definitions/expectation' } },
      },
    },
  ],
};

const pointerMap = (values: object) => ({
  type: 'object',
  propertyNames: { pattern: '^(/.*)?$' },
  additionalProperties: values,
});

const requestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'path'],
  properties: {
    method: { enum: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] },
    path: { type: 'string', pattern: '^/' },
    query: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    body: {},
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    auth: { type: 'boolean' },
  },
};

const CASE_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['function', 'api'],
  definitions: { expectation: valueExpectation },
  properties: {
    // the cases of another release's file, for an API whose wire is the same there (see loadCaseFile)
    inherit: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'renameIds'],
      properties: {
        from: { type: 'string', minLength: 1 },
        renameIds: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          additionalProperties: { type: 'string', minLength: 1 },
        },
        except: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      },
    },
    function: { type: 'string', pattern: '^[a-z][A-Za-z]+$' },
    title: { type: 'string' },
    description: { type: 'string' },
    api: { type: 'string', minLength: 1 },
    releases: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    vars: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, additionalProperties: {} },
    cases: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'kind', 'request', 'expect'],
        properties: {
          id: { type: 'string', pattern: '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$' },
          title: { type: 'string', minLength: 1, maxLength: 200 },
          function: { type: 'string', pattern: '^[a-z][A-Za-z]+$' },
          kind: { enum: ['positive', 'negative'] },
          optional: { type: 'boolean' },
          releases: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          verifies: { type: 'string' },
          api: { type: 'string', minLength: 1 },
          request: requestSchema,
          expect: {
            type: 'object',
            additionalProperties: false,
            required: ['status', 'operationId'],
            properties: {
              status: {
                anyOf: [
                  { type: 'integer', minimum: 100, maximum: 599 },
                  { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
                ],
              },
              operationId: { type: 'string', minLength: 1 },
              values: pointerMap({ $ref: '#/definitions/expectation' }),
              headers: { type: 'object', additionalProperties: { $ref: '#/definitions/expectation' } },
              error: {
                type: 'object',
                additionalProperties: false,
                required: ['code'],
                properties: {
                  code: { type: 'string', minLength: 1 },
                  propertyPath: { type: 'string', pattern: '^(/.*)?$' },
                },
              },
            },
          },
          capture: {
            type: 'object',
            propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            additionalProperties: { type: 'string', pattern: '^(/.*)?$' },
          },
          eventually: {
            type: 'object',
            additionalProperties: false,
            required: ['request', 'operationId', 'until'],
            properties: {
              request: requestSchema,
              operationId: { type: 'string', minLength: 1 },
              until: pointerMap({ $ref: '#/definitions/expectation' }),
              timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000 },
              intervalMs: { type: 'integer', minimum: 1, maximum: 60_000 },
            },
          },
        },
      },
    },
  },
};

type RawRequest = {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  headers?: Record<string, string>;
  auth?: boolean;
};
interface RawCase {
  id: string;
  title: string;
  function?: string;
  kind: 'positive' | 'negative';
  optional?: boolean;
  releases?: string[];
  verifies?: string;
  api?: string;
  request: RawRequest;
  expect: {
    status: number | number[];
    operationId: string;
    values?: Record<string, ValueExpectation>;
    headers?: Record<string, ValueExpectation>;
    error?: ExpectedError;
  };
  capture?: Record<string, string>;
  eventually?: {
    request: RawRequest;
    operationId: string;
    until: Record<string, ValueExpectation>;
    timeoutMs?: number;
    intervalMs?: number;
  };
}
interface RawFile {
  inherit?: { from: string; renameIds: Record<string, string>; except?: string[] };
  function: string;
  title?: string;
  api: string;
  releases?: string[];
  vars?: Record<string, unknown>;
  cases?: RawCase[];
}

let compiledSchema: ValidateFunction | undefined;
function caseFileValidator(): ValidateFunction {
  // the operator names live in expectations.ts; keep the schema honest about them
  const ops = Object.keys(valueExpectation.anyOf[1]!.properties as object)
    .sort()
    .join(',');
  if (ops !== [...VALUE_OPERATORS].sort().join(',')) throw new Error('case file schema and VALUE_OPERATORS disagree');
  compiledSchema ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(CASE_FILE_SCHEMA);
  return compiledSchema;
}

/** The spec path template (`/quote/{id}`) as a regular expression a case path (with placeholders) must match. */
function pathMatches(specPath: string, casePath: string): boolean {
  const pattern = specPath
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${pattern}$`).test(casePath.split('?')[0]!);
}

function checkOperation(
  source: YamlSource,
  at: string,
  api: SpecApi | undefined,
  apiName: string,
  operationId: string,
  request: RawRequest,
  statuses: readonly number[],
): ConfigProblem[] {
  if (!api) return [source.problem(at, `the ${apiName} API is not in the official spec of this release`)];
  const op = api.operationById(operationId);
  if (!op)
    return [
      source.problem(
        `${at}/operationId`,
        `operationId "${operationId}" is not in ${apiName} ${api.major} (known: ${api.operations.map((o) => o.operationId).join(', ')})`,
      ),
    ];
  const problems: ConfigProblem[] = [];
  if (op.method !== request.method || !pathMatches(op.path, request.path)) {
    problems.push(
      source.problem(
        `${at}/operationId`,
        `"${operationId}" is ${op.method} ${op.path}, but the request is ${request.method} ${request.path}`,
      ),
    );
  }
  for (const status of statuses) {
    if (!op.responseStatuses.includes(String(status))) {
      problems.push(
        source.problem(
          `${at}/status`,
          `status ${status} is not declared for ${operationId} in ${apiName} ${api.major} (declared: ${op.responseStatuses.join(', ')})`,
        ),
      );
    }
  }
  return problems;
}

function toRequest(raw: RawRequest): CaseRequest {
  return Object.freeze({
    method: raw.method,
    path: raw.path,
    auth: raw.auth ?? true,
    ...(raw.query && { query: raw.query }),
    ...(raw.body !== undefined && { body: raw.body }),
    ...(raw.headers && { headers: raw.headers }),
  });
}

function readCaseSource(file: string, problems: ConfigProblem[]): YamlSource | undefined {
  let source: YamlSource;
  try {
    source = readYamlFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      problems.push(...err.problems);
      return undefined;
    }
    throw err;
  }
  const schemaProblems = validateSource(source, caseFileValidator());
  if (schemaProblems.length) {
    problems.push(...schemaProblems);
    return undefined;
  }
  return source;
}

/** A case with the file it is written in and its place there (an inherited case keeps its own file's lines). */
interface PlacedCase {
  readonly c: RawCase;
  readonly source: YamlSource;
  readonly at: string;
}

/**
 * The cases of a file: its own, after those it inherits. `inherit.from` names another release's case file
 * (relative to this one); its cases come with their ids renamed (`renameIds: { "-G-": "-B-" }`), less
 * `except` (ids before renaming); an own case with the same (renamed) id replaces the inherited one in place.
 * Vars merge, this file's winning. Only one level: the inherited file may not inherit.
 */
function placeCases(
  file: string,
  source: YamlSource,
  raw: RawFile,
  problems: ConfigProblem[],
): { cases: PlacedCase[]; vars: Record<string, unknown>; ok: boolean } {
  const own: PlacedCase[] = (raw.cases ?? []).map((c, index) => ({ c, source, at: `/cases/${index}` }));
  if (!raw.inherit) {
    if (own.length === 0) problems.push(source.problem('/cases', 'a case file needs cases, or "inherit"'));
    return { cases: own, vars: raw.vars ?? {}, ok: own.length > 0 };
  }
  const baseFile = resolve(dirname(file), raw.inherit.from);
  if (!existsSync(baseFile)) {
    problems.push(source.problem('/inherit/from', `no case file ${raw.inherit.from} next to ${source.file}`));
    return { cases: own, vars: raw.vars ?? {}, ok: false };
  }
  const baseSource = readCaseSource(baseFile, problems);
  if (!baseSource) return { cases: own, vars: raw.vars ?? {}, ok: false };
  const base = baseSource.data as RawFile;
  if (base.inherit) {
    problems.push(source.problem('/inherit/from', `${raw.inherit.from} inherits too; inherit from the file that writes the cases`));
    return { cases: own, vars: raw.vars ?? {}, ok: false };
  }
  if (base.function !== raw.function || base.api !== raw.api) {
    problems.push(
      source.problem('/inherit/from', `${raw.inherit.from} is ${base.function} on ${base.api}, this file ${raw.function} on ${raw.api}`),
    );
  }
  const [[from, to]] = Object.entries(raw.inherit.renameIds) as [[string, string]];
  const except = new Set(raw.inherit.except ?? []);
  const baseIds = new Set((base.cases ?? []).map((c) => c.id));
  for (const id of except)
    if (!baseIds.has(id)) problems.push(source.problem('/inherit/except', `${id} is not a case of ${raw.inherit.from}`));
  const ownById = new Map(own.map((p) => [p.c.id, p]));
  const cases: PlacedCase[] = [];
  (base.cases ?? []).forEach((c, index) => {
    if (except.has(c.id)) return;
    if (!c.id.includes(from))
      problems.push(baseSource.problem(`/cases/${index}/id`, `${c.id} has no "${from}" to rename (inherited by ${source.file})`));
    const id = c.id.replace(from, to);
    const replacement = ownById.get(id);
    if (replacement) {
      cases.push(replacement);
      ownById.delete(id);
    } else cases.push({ c: { ...c, id }, source: baseSource, at: `/cases/${index}` });
  });
  cases.push(...own.filter((p) => ownById.has(p.c.id)));
  return { cases, vars: { ...(base.vars ?? {}), ...(raw.vars ?? {}) }, ok: true };
}

function loadCaseFile(
  file: string,
  opts: LoadConformanceSuiteOptions,
  problems: ConfigProblem[],
  seenIds: Map<string, string>,
): CaseFile | undefined {
  const loaded = readCaseSource(file, problems);
  if (!loaded) return undefined;
  const raw = loaded.data as RawFile;
  const fileReleases = raw.releases ?? [opts.family, ...(opts.aliases ?? [])];
  const placed = placeCases(file, loaded, raw, problems);
  if (!placed.ok) return undefined;
  const vars = placed.vars;
  const known = new Set([...BUILT_IN_VARS, ...Object.keys(vars)]);
  const cases: ConformanceCase[] = [];

  placed.cases.forEach(({ c, source, at }) => {
    const line = source.locate(at).line;
    const previous = seenIds.get(c.id);
    if (previous) problems.push(source.problem(`${at}/id`, `case id ${c.id} is already used at ${previous}`));
    else seenIds.set(c.id, `${source.file}:${line}`);

    const apiName = c.api ?? raw.api;
    const api = opts.specs.api(opts.specRelease, apiName);
    const statuses = Array.isArray(c.expect.status) ? c.expect.status : [c.expect.status];
    problems.push(...checkOperation(source, `${at}/expect`, api, apiName, c.expect.operationId, c.request, statuses));
    if (c.eventually)
      problems.push(...checkOperation(source, `${at}/eventually`, api, apiName, c.eventually.operationId, c.eventually.request, []));
    if (c.kind === 'negative' && !c.expect.error)
      problems.push(source.problem(`${at}/expect`, 'a negative case names the Sonata error it expects (expect.error.code)'));
    if (c.expect.error?.propertyPath !== undefined && !statuses.every((s) => s === 422)) {
      problems.push(source.problem(`${at}/expect/error/propertyPath`, 'propertyPath exists only in 422 answers'));
    }
    const checkPlaceholders = (value: unknown, pointer: string, sourceOfNames: string): void => {
      for (const name of listPlaceholders(value)) {
        if (!known.has(name) && !isClockPlaceholder(name)) {
          problems.push(
            source.problem(
              pointer,
              `\${${name}} is neither captured by ${sourceOfNames}, a file var, nor a built-in (${BUILT_IN_VARS.join(', ')}, now, now+30d)`,
            ),
          );
        }
      }
    };
    checkPlaceholders([c.request, c.expect], `${at}/request`, 'an earlier case of this file');
    for (const name of Object.keys(c.capture ?? {})) known.add(name);
    // the poll may use what this very case captured (the id of the resource it created)
    if (c.eventually) checkPlaceholders(c.eventually, `${at}/eventually`, 'this or an earlier case of this file');

    const releases = c.releases ?? fileReleases;
    const release = opts.release ?? opts.family;
    if (!releases.includes(release)) return;
    cases.push(
      Object.freeze({
        id: c.id,
        title: c.title,
        function: c.function ?? raw.function,
        kind: c.kind,
        optional: c.optional ?? false,
        releases,
        ...(c.verifies !== undefined && { verifies: c.verifies }),
        api: apiName,
        apiBase: `/mefApi/sonata/${apiName}/${api?.major ?? 'v?'}`,
        request: toRequest(c.request),
        expect: Object.freeze({
          status: statuses,
          operationId: c.expect.operationId,
          values: c.expect.values ?? {},
          headers: c.expect.headers ?? {},
          ...(c.expect.error && { error: c.expect.error }),
        }),
        capture: c.capture ?? {},
        ...(c.eventually && {
          eventually: Object.freeze({
            request: toRequest(c.eventually.request),
            operationId: c.eventually.operationId,
            until: c.eventually.until,
            timeoutMs: c.eventually.timeoutMs ?? 30_000,
            intervalMs: c.eventually.intervalMs ?? 250,
          }),
        }),
        source: `${source.file}:${line}`,
      }),
    );
  });

  return Object.freeze({
    file: loaded.file,
    function: raw.function,
    ...(raw.title !== undefined && { title: raw.title }),
    api: raw.api,
    releases: fileReleases,
    vars,
    cases: Object.freeze(cases),
  });
}

/**
 * Loads every case file of a release family, keeps the cases of one release (and of the requested functions), and
 * throws a {@link ConfigError} listing every problem found in any file.
 */
export function loadConformanceSuite(opts: LoadConformanceSuiteOptions): ConformanceSuite {
  const dir = join(opts.casesDir, opts.family);
  if (!existsSync(dir))
    throw new ConfigError([
      {
        file: dir,
        message: `no conformance cases for release family "${opts.family}" (expected a folder of *.yaml case files)`,
      },
    ]);
  const problems: ConfigProblem[] = [];
  const seenIds = new Map<string, string>();
  const loaded = readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => loadCaseFile(join(dir, n), opts, problems, seenIds))
    .filter((f): f is CaseFile => f !== undefined);
  if (problems.length) throw new ConfigError(problems);

  const functions = [...new Set(loaded.flatMap((f) => [f.function, ...f.cases.map((c) => c.function)]))].sort();
  const unknown = (opts.functions ?? []).filter((f) => !functions.includes(f));
  if (unknown.length) {
    throw new ConfigError([{ file: dir, message: `unknown function(s) ${unknown.join(', ')} (cases exist for: ${functions.join(', ')})` }]);
  }
  const wanted = opts.functions && opts.functions.length > 0 ? new Set(opts.functions) : undefined;
  const files = loaded
    .map((f) => (wanted ? { ...f, cases: f.cases.filter((c) => wanted.has(c.function)) } : f))
    .filter((f) => f.cases.length > 0);
  return Object.freeze({
    family: opts.family,
    release: opts.release ?? opts.family,
    specRelease: opts.specRelease,
    files: Object.freeze(files),
    functions: Object.freeze(functions),
  });
}
