/**
 * Validates JSON bodies against the official MEF Sonata OpenAPI files of a release, read at run time from the
 * SDK folder (never copied into this repository). Files are parsed and compiled lazily and the compiled ajv
 * validators are cached, so per-request validation costs one compiled function call.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { convertComponentSchemas, convertSchema, createDiscriminatorKeyword, definitionRef } from './openapi-schema.js';
import { listApiFiles, parseSonataServerUrl, type ApiFileEntry } from './spec-files.js';
import { applySpecErrata, errataFor, type SpecErratum } from './spec-errata.js';
import { mapAjvErrors } from './spec-issues.js';
import { createBoundedValidator, INCOMPLETE_REPORT_REASON, type BoundedValidator } from '../validation/bounded-validation.js';
import { escapeToken, unescapeToken } from '../json/json-pointer.js';

export type { SonataRelease, SpecIssue } from './spec-types.js';
import type { SonataRelease, SpecIssue } from './spec-types.js';
import { isRecord } from '../json/unknown-values.js';

/** The releases an SDK folder holds: its subfolders with a `productApi/` folder, sorted; [] when there is none. */
export function sdkReleases(sdkDir: string | undefined): SonataRelease[] {
  if (!sdkDir || !existsSync(sdkDir)) return [];
  return readdirSync(sdkDir, { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() && existsSync(join(sdkDir, d.name, 'productApi')) && statSync(join(sdkDir, d.name, 'productApi')).isDirectory(),
    )
    .map((d) => d.name)
    .sort();
}

export interface SpecApi {
  readonly release: SonataRelease;
  /** from `servers[0].url`, e.g. `geographicAddressManagement` (Billie TT notifications: `troubleTicketNotification`) */
  readonly apiName: string;
  /** e.g. `v7` */
  readonly major: string;
  /** absolute path of the YAML file */
  readonly file: string;
  /** every operation of the file, in file order */
  readonly operations: readonly SpecOperation[];
  /** errata applied to this file (mappings/spec-errata.yaml) */
  readonly errata: readonly SpecErratum[];
  /** `path` as written in the spec, e.g. `/geographicAddress/{id}`; `method` in any case */
  operation(method: string, path: string): SpecOperation | undefined;
  operationById(operationId: string): SpecOperation | undefined;
  /** validates against `#/components/schemas/<schemaName>`; throws if the file has no such schema */
  validateSchema(schemaName: string, body: unknown): SpecIssue[];
  /** compiles every request, response and query validator now (start-up warm-up); otherwise done on first use */
  compileAll(): void;
}

export interface SpecOperation {
  readonly operationId: string;
  /** upper case, e.g. `POST` */
  readonly method: string;
  readonly path: string;
  /** declared response keys in file order, e.g. `['200','400','401',...]` */
  readonly responseStatuses: string[];
  readonly hasRequestBody: boolean;
  /** `[]` = valid; throws if the operation has no request body */
  validateRequestBody(body: unknown): SpecIssue[];
  /** an undeclared status gives one issue saying so; a status declared without content expects no body */
  validateResponseBody(status: number, body: unknown): SpecIssue[];
  /** query values as Express gives them (repeated names as arrays); undeclared parameters are not checked */
  validateQuery(query: Record<string, string | string[]>): SpecIssue[];
}

export interface SpecCatalog {
  /** absolute SDK folder */
  readonly sdkDir: string;
  /** every erratum the catalog applies (to the files it loads) */
  readonly errata: readonly SpecErratum[];
  /** the releases of the SDK folder (see {@link sdkReleases}) */
  releases(): readonly SonataRelease[];
  /** lazily loads + compiles, then cached; undefined when the release has no such API */
  api(release: SonataRelease, apiName: string): SpecApi | undefined;
  /** API names available in that release, sorted */
  apis(release: SonataRelease): string[];
  /** validate a schema by name in #/components/schemas, e.g. for notification events; throws for an unknown API or schema */
  validateSchema(release: SonataRelease, apiName: string, schemaName: string, body: unknown): SpecIssue[];
}

export interface SpecCatalogOptions {
  /** folder holding one `<release>/productApi/` per release (e.g. `../shared/sonata-sdk`); resolved against the cwd */
  sdkDir: string;
  /** corrections to the files, applied when each is compiled (see spec-errata.ts) */
  errata?: readonly SpecErratum[];
}

type JsonObject = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
// Fake host: ajv needs absolute ids to tell the files' same-named components apart; nothing is fetched.
const FILE_ID_BASE = 'https://sonata-sdk.invalid/';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The same schemas twice: fail-fast to decide, all-errors to explain a refusal (see bounded-validation.ts). */
interface SpecAjvs {
  fast: Ajv;
  full: Ajv;
}

function createSpecAjvs(): SpecAjvs {
  return { fast: createSpecAjv(false), full: createSpecAjv(true) };
}

function createSpecAjv(allErrors: boolean): Ajv {
  // allErrors: a 422 answer lists the problems; strict off: OpenAPI keeps keywords JSON Schema does not know
  const ajv = new Ajv({ allErrors, strict: false });
  addFormats(ajv);
  ajv.addKeyword(createDiscriminatorKeyword());
  return ajv;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface FileContext {
  ajv: SpecAjvs;
  doc: JsonObject;
  fileId: string;
  file: string;
  /** compiled validators by converted schema text */
  compiled: Map<string, BoundedValidator>;
}

/** Follows a local `$ref` (`#/components/<kind>/<name>`) inside the document; other values pass through. */
function resolveLocal(ctx: FileContext, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isRecord(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref;
    if (hops > 20 || !ref.startsWith('#/')) throw new Error(`${ctx.file}: cannot resolve $ref ${JSON.stringify(ref)}`);
    let target: unknown = ctx.doc;
    for (const token of ref.slice(2).split('/')) {
      const key = unescapeToken(decodeURIComponent(token));
      target = isRecord(target) ? target[key] : undefined;
    }
    if (target === undefined) throw new Error(`${ctx.file}: $ref ${JSON.stringify(ref)} points to nothing`);
    current = target;
  }
  return current;
}

/** The schema of the JSON media type of a `content` map (keys vary: `application/json;charset=utf-8`, `*\/*`). */
function pickJsonSchema(content: unknown): { present: boolean; schema?: unknown } {
  if (!isRecord(content) || Object.keys(content).length === 0) return { present: false };
  const keys = Object.keys(content);
  const key =
    keys.find((k) => /^application\/json\b/i.test(k)) ?? keys.find((k) => /json/i.test(k)) ?? keys.find((k) => k === '*/*') ?? keys[0];
  const media = key === undefined ? undefined : content[key];
  return { present: true, schema: isRecord(media) ? media.schema : undefined };
}

function compileSchema(ctx: FileContext, schema: unknown, what: string): BoundedValidator {
  const converted = convertSchema(schema, ctx.fileId) as JsonObject;
  // most operations answer with the same few schemas (Error400, Error401, ...): compile each shape once per file
  const key = JSON.stringify(converted);
  let validate = ctx.compiled.get(key);
  if (!validate) {
    try {
      validate = createBoundedValidator(ctx.ajv.fast.compile(converted), () => ctx.ajv.full.compile(converted));
    } catch (err) {
      throw new Error(`${ctx.file}: cannot compile ${what}: ${errorText(err)}`, { cause: err });
    }
    ctx.compiled.set(key, validate);
  }
  return validate;
}

function runValidator(validate: BoundedValidator, value: unknown): SpecIssue[] {
  const result = validate(value);
  if (result.valid) return [];
  const issues = mapAjvErrors(result.errors);
  if (issues.length === 0) issues.push({ path: '', message: 'does not match the schema' });
  if (!result.complete) issues.push({ path: '', message: INCOMPLETE_REPORT_REASON, keyword: 'incomplete' });
  return issues;
}

interface QueryParameter {
  name: string;
  required: boolean;
  /** JSON type of the (resolved) schema, used to turn query strings into values */
  type?: string;
  itemType?: string;
  schema: unknown;
}

function coerceQueryValue(value: string, type: string | undefined): unknown {
  switch (type) {
    case 'integer':
      return /^[+-]?\d+$/.test(value) ? Number(value) : value;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

function createOperation(ctx: FileContext, method: string, path: string, op: JsonObject, pathParameters: unknown[]): SpecOperation {
  const operationId = typeof op.operationId === 'string' ? op.operationId : `${method.toUpperCase()} ${path}`;
  const label = `${operationId} (${method.toUpperCase()} ${path})`;
  const responses = isRecord(op.responses) ? op.responses : {};
  const responseStatuses = Object.keys(responses);
  const requestBody = op.requestBody === undefined ? undefined : resolveLocal(ctx, op.requestBody);

  let requestValidator: BoundedValidator | null | undefined;
  const responseValidators = new Map<string, BoundedValidator | null>();
  let queryCheck: { parameters: Map<string, QueryParameter>; validate: BoundedValidator } | undefined;

  const getRequestValidator = (): BoundedValidator | null => {
    if (requestValidator === undefined) {
      const { schema } = pickJsonSchema(isRecord(requestBody) ? requestBody.content : undefined);
      requestValidator = schema === undefined ? null : compileSchema(ctx, schema, `request body of ${label}`);
    }
    return requestValidator;
  };

  const responseKeyFor = (status: number): string | undefined =>
    [String(status), `${Math.floor(status / 100)}XX`, `${Math.floor(status / 100)}xx`, 'default'].find((key) => key in responses);

  // undefined content -> null: the status declares no body
  const getResponseValidator = (key: string): BoundedValidator | null => {
    let validate = responseValidators.get(key);
    if (validate === undefined) {
      const response = resolveLocal(ctx, responses[key]);
      const { present, schema } = pickJsonSchema(isRecord(response) ? response.content : undefined);
      validate = present ? compileSchema(ctx, schema ?? {}, `response ${key} of ${label}`) : null;
      responseValidators.set(key, validate);
    }
    return validate;
  };

  const getQueryCheck = (): NonNullable<typeof queryCheck> => {
    if (queryCheck) return queryCheck;
    const parameters = new Map<string, QueryParameter>();
    // operation parameters override path-item ones with the same name and location
    for (const raw of [...pathParameters, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
      const param = resolveLocal(ctx, raw);
      if (!isRecord(param) || param.in !== 'query' || typeof param.name !== 'string') continue;
      const schema = param.schema ?? {};
      const resolved = resolveLocal(ctx, schema);
      const items = isRecord(resolved) ? resolveLocal(ctx, resolved.items) : undefined;
      parameters.set(param.name, {
        name: param.name,
        required: param.required === true,
        type: isRecord(resolved) && typeof resolved.type === 'string' ? resolved.type : undefined,
        itemType: isRecord(items) && typeof items.type === 'string' ? items.type : undefined,
        schema,
      });
    }
    const objectSchema = {
      type: 'object',
      properties: Object.fromEntries([...parameters.values()].map((p) => [p.name, p.schema])),
      required: [...parameters.values()].filter((p) => p.required).map((p) => p.name),
    };
    queryCheck = { parameters, validate: compileSchema(ctx, objectSchema, `query of ${label}`) };
    return queryCheck;
  };

  const operation: SpecOperation = {
    operationId,
    method: method.toUpperCase(),
    path,
    responseStatuses,
    hasRequestBody: requestBody !== undefined,

    validateRequestBody(body) {
      if (requestBody === undefined) throw new Error(`${label} has no request body`);
      if (body === undefined) {
        return isRecord(requestBody) && requestBody.required === true
          ? [{ path: '', message: 'request body is required', keyword: 'body' }]
          : [];
      }
      const validate = getRequestValidator();
      return validate ? runValidator(validate, body) : [];
    },

    validateResponseBody(status, body) {
      const key = responseKeyFor(status);
      if (key === undefined) {
        return [
          {
            path: '',
            message: `status ${status} is not declared for ${label} (declared: ${responseStatuses.join(', ')})`,
            keyword: 'status',
          },
        ];
      }
      const validate = getResponseValidator(key);
      if (validate === null) {
        return body === undefined || body === null || body === ''
          ? []
          : [{ path: '', message: `status ${key} of ${label} declares no body`, keyword: 'body' }];
      }
      return runValidator(validate, body);
    },

    validateQuery(query) {
      const { parameters, validate } = getQueryCheck();
      const issues: SpecIssue[] = [];
      const values: JsonObject = {};
      for (const [name, raw] of Object.entries(query)) {
        const param = parameters.get(name);
        if (!param) continue;
        if (param.type === 'array') {
          const list = Array.isArray(raw) ? raw : raw.split(',');
          values[name] = list.map((v) => coerceQueryValue(v, param.itemType));
        } else if (Array.isArray(raw) && raw.length !== 1) {
          issues.push({ path: `/${escapeToken(name)}`, message: 'must be given once', keyword: 'type' });
        } else {
          values[name] = coerceQueryValue(Array.isArray(raw) ? (raw[0] ?? '') : raw, param.type);
        }
      }
      return [...issues, ...runValidator(validate, values)];
    },
  };
  return Object.freeze(operation);
}

function loadApi(ajv: SpecAjvs, release: SonataRelease, entry: ApiFileEntry, allErrata: readonly SpecErratum[]): SpecApi {
  let doc: unknown;
  try {
    doc = parse(readFileSync(entry.file, 'utf8'));
  } catch (err) {
    throw new Error(`${entry.file}: cannot parse: ${errorText(err)}`, { cause: err });
  }
  if (!isRecord(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.0')) {
    throw new Error(`${entry.file}: not an OpenAPI 3.0 document`);
  }
  const firstServer = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  const server =
    isRecord(firstServer) && typeof firstServer.url === 'string' ? parseSonataServerUrl(firstServer.url.replace(/\s+/g, '')) : undefined;
  if (!server || server.major !== entry.major)
    throw new Error(`${entry.file}: servers[0].url does not match the indexed base path .../${entry.apiName}/${entry.major}/`);

  const fileId = `${FILE_ID_BASE}${release}/${entry.relativePath}`;
  const ctx: FileContext = { ajv, doc, fileId, file: entry.file, compiled: new Map() };
  const components = isRecord(doc.components) ? doc.components : {};
  const schemas = isRecord(components.schemas) ? components.schemas : {};
  const errata = errataFor(allErrata, release, entry.apiName);
  applySpecErrata(schemas, errata, entry.file);
  try {
    const definitions = convertComponentSchemas(schemas, fileId);
    ajv.fast.addSchema({ $id: fileId, definitions });
    ajv.full.addSchema({ $id: fileId, definitions });
  } catch (err) {
    throw new Error(`${entry.file}: cannot load components.schemas: ${errorText(err)}`, { cause: err });
  }

  const operations: SpecOperation[] = [];
  const byRoute = new Map<string, SpecOperation>();
  const byId = new Map<string, SpecOperation>();
  try {
    for (const [path, item] of Object.entries(isRecord(doc.paths) ? doc.paths : {})) {
      const pathItem = resolveLocal(ctx, item);
      if (!isRecord(pathItem)) continue;
      const pathParameters = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
      for (const method of HTTP_METHODS) {
        const op = pathItem[method];
        if (!isRecord(op)) continue;
        const operation = createOperation(ctx, method, path, op, pathParameters);
        operations.push(operation);
        byRoute.set(`${operation.method} ${path}`, operation);
        byId.set(operation.operationId, operation);
      }
    }
  } catch (err) {
    // leave the shared ajv as it was, so a later call reports the same error instead of a duplicate $id
    ajv.fast.removeSchema(fileId);
    ajv.full.removeSchema(fileId);
    throw err;
  }

  const schemaValidators = new Map<string, BoundedValidator>();
  const api: SpecApi = {
    release,
    apiName: entry.apiName,
    major: entry.major,
    file: entry.file,
    operations: Object.freeze(operations),
    errata: Object.freeze(errata),
    operation: (method, path) => byRoute.get(`${method.toUpperCase()} ${path}`),
    operationById: (operationId) => byId.get(operationId),
    validateSchema(schemaName, body) {
      let validate = schemaValidators.get(schemaName);
      if (!validate) {
        if (!Object.hasOwn(schemas, schemaName)) throw new Error(`${entry.file} has no schema #/components/schemas/${schemaName}`);
        try {
          const ref = { $ref: definitionRef(fileId, schemaName) };
          validate = createBoundedValidator(ajv.fast.compile(ref), () => ajv.full.compile(ref));
        } catch (err) {
          throw new Error(`${entry.file}: cannot compile schema ${schemaName}: ${errorText(err)}`, { cause: err });
        }
        schemaValidators.set(schemaName, validate);
      }
      return runValidator(validate, body);
    },
    compileAll() {
      for (const operation of operations) {
        // a compiled validator is cached on first use; the bodies here only trigger compilation
        if (operation.hasRequestBody) operation.validateRequestBody(null);
        for (const status of operation.responseStatuses) {
          if (/^\d{3}$/.test(status)) operation.validateResponseBody(Number(status), null);
        }
        operation.validateQuery({});
      }
    },
  };
  return Object.freeze(api);
}

/**
 * Creates a catalog of the Sonata OpenAPI files under `sdkDir` (`<release>/productApi/**.api.yaml` for every release
 * folder there). Nothing but the folder check happens here: a release is indexed on first use, and an API file
 * is parsed and converted on first {@link SpecCatalog.api} call, its validators compiled on first use.
 * Throws a clear Error when `sdkDir` holds no release folder.
 */
export function createSpecCatalog(opts: SpecCatalogOptions): SpecCatalog {
  const sdkDir = resolve(opts.sdkDir);
  const releases = sdkReleases(sdkDir);
  if (releases.length === 0) {
    throw new Error(
      `Sonata SDK folder ${sdkDir} holds no <release>/productApi/ folder: point sdkDir (SONATA_SDK_DIR) at the folder holding the releases' folders`,
    );
  }
  const assertRelease = (release: string): void => {
    if (!releases.includes(release))
      throw new Error(`unknown Sonata release ${JSON.stringify(release)} (the SDK folder holds: ${releases.join(', ')})`);
  };

  let ajv: SpecAjvs | undefined;
  const indexes = new Map<SonataRelease, Map<string, ApiFileEntry>>();
  const loaded = new Map<string, SpecApi>();

  const indexOf = (release: SonataRelease): Map<string, ApiFileEntry> => {
    assertRelease(release);
    let index = indexes.get(release);
    if (!index) {
      index = new Map(listApiFiles(join(sdkDir, release)).map((entry) => [entry.apiName, entry]));
      indexes.set(release, index);
    }
    return index;
  };

  const catalog: SpecCatalog = {
    sdkDir,
    errata: opts.errata ?? [],
    releases: () => releases,
    api(release, apiName) {
      const entry = indexOf(release).get(apiName);
      if (!entry) return undefined;
      const key = `${release}/${apiName}`;
      let api = loaded.get(key);
      if (!api) {
        ajv ??= createSpecAjvs();
        api = loadApi(ajv, release, entry, opts.errata ?? []);
        loaded.set(key, api);
      }
      return api;
    },
    apis: (release) => [...indexOf(release).keys()].sort(),
    validateSchema(release, apiName, schemaName, body) {
      const api = catalog.api(release, apiName);
      if (!api) throw new Error(`Sonata release ${release} has no API ${apiName} in ${sdkDir}`);
      return api.validateSchema(schemaName, body);
    },
  };
  return Object.freeze(catalog);
}
