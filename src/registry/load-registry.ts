import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createBoundedValidator, type BoundedValidator } from '../validation/bounded-validation.js';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { parseWebhookSecret } from '../outbound/webhook-signature.js';
import {
  addFormats,
  ConfigError,
  createConfigAjv,
  parseYamlDocument,
  readConfigText,
  projectPath,
  validatedSource,
  yamlSourceOf,
  type ConfigProblem,
  type YamlSource,
} from '../config/yaml-source.js';
import { createLoadCache, type LoadCache } from './load-cache.js';
import { MappingError } from '../mapping/errors.js';
import { checkLibrary, checkMappingSource, GATEWAY_BINDINGS } from '../mapping/static-check.js';
import jsonata from 'jsonata';
import { collectNodes } from '../mapping/jsonata-ast.js';
import { locateNode } from '../mapping/source-position.js';
import { isBuyerOperation, type BuyerMappings } from './buyer-mappings.js';
import { createMappingLibrary, EMPTY_LIBRARY, type LibrarySource, type MappingLibrary } from '../mapping/library.js';
import type { CompiledMapping, MappingEngine } from '../mapping/engine.js';
import { createLookupTables } from '../mapping/lookups.js';
import { loadBuyerMappings } from './buyer-mappings.js';
import { loadNotificationCatalog, type NotificationCatalog } from './notification-catalog.js';
import { declareOperations, type DeclaredOperation } from './inherit-operations.js';
import { resolveSchemaBase } from './schema-base.js';
import {
  lockedVersion,
  lockProblems,
  RELEASE_LOCK_SCHEMA,
  unexplainedOperations,
  type DeclaredOperation as LockDeclaredOperation,
  type ReleaseLockFile,
} from './release-lock.js';
import {
  API_SCHEMA,
  LEGACY_SCHEMA,
  LOOKUP_SCHEMA,
  PARTNER_SCHEMA,
  RELEASE_SCHEMA,
  RESOURCE_SCHEMA,
  isBusinessFunction,
  type ApiFile,
  type ApiOperationFile,
  type BusinessFunction,
  type LegacyFile,
  type LookupFile,
  type PartnerFile,
  type ReleaseFile,
  type ResourceFile,
} from './registry-schemas.js';
import type {
  ApiDef,
  FixtureRef,
  FunctionMode,
  LegacyEventHandler,
  LegacyOperationDef,
  CallOperation,
  OperationBase,
  OperationDef,
  OperationKind,
  PartnerDef,
  Registry,
  ReleaseDef,
  ResourceDef,
} from './registry.js';
import { readLegacyFieldPaths } from './field-paths.js';
import { escapeToken } from '../json/json-pointer.js';

export interface LoadRegistryOptions {
  partnersDir: string;
  mappingsDir: string;
  engine: MappingEngine;
  /** where partner client secrets are read from (names given in partner.yaml) */
  secrets: Readonly<Record<string, string | undefined>>;
  /** files are named relative to this folder in messages (default: the folder holding partnersDir) */
  rootDir?: string;
  /**
   * Reload isolated per partner: a partner with problems keeps its state of `lastGood` (a new one stays off) and is
   * reported to `onPartnerRefused` instead of failing the whole snapshot; partners in `keep` are taken from
   * `lastGood` without reading their folder. Problems outside partners/ still refuse the snapshot.
   */
  isolate?: {
    lastGood: Registry;
    keep?: ReadonlySet<string>;
    onPartnerRefused?: (partnerId: string, problems: ConfigProblem[], keptLastGood: boolean) => void;
  };
  /**
   * what the previous load parsed and compiled, reused for files whose text is unchanged (src/registry/load-cache.ts);
   * the gateway passes one for its reloads, a one-off load goes without
   */
  cache?: LoadCache;
}

/** An api.yaml operation once its inheritance is resolved: an own one without `inherit` has all three (the schema's else) */
type RawOperation = ApiOperationFile & Required<Pick<ApiOperationFile, 'method' | 'path' | 'function'>>;

function isResolved(op: ApiOperationFile): op is RawOperation {
  return op.method !== undefined && op.path !== undefined && op.function !== undefined;
}

/** A parsed schema file as Ajv takes it (Ajv refuses anything else with this very message). */
function bodySchemaOf(data: unknown): AnySchema {
  if (typeof data === 'boolean' || (typeof data === 'object' && data !== null)) return data;
  throw new Error('schema must be object or boolean');
}

/** The validators of one schema file (see compileSchemaFile in loadRegistry). */
interface CompiledSchema {
  full: ValidateFunction;
  fast?: ValidateFunction;
}

/** The Ajv instances of a load (kept by the load cache across reloads; their schemas are constants). */
function createAjvs() {
  const ajv = createConfigAjv();
  const validators = {
    partner: ajv.compile<PartnerFile>(PARTNER_SCHEMA),
    release: ajv.compile<ReleaseFile>(RELEASE_SCHEMA),
    api: ajv.compile<ApiFile>(API_SCHEMA),
    legacy: ajv.compile<LegacyFile>(LEGACY_SCHEMA),
    resource: ajv.compile<ResourceFile>(RESOURCE_SCHEMA),
    lookup: ajv.compile<LookupFile>(LOOKUP_SCHEMA),
    lock: ajv.compile<ReleaseLockFile>(RELEASE_LOCK_SCHEMA),
  };
  // request schemas are our own JSON schemas for Sonata bodies: report every error, no coercion. They live across
  // reloads, so a schema's $id is not registered (an edited schema keeps its $id; refs are local to each file)
  const bodyAjv = new Ajv({ allErrors: true, strict: false, addUsedSchema: false });
  addFormats(bodyAjv);
  // ...and once more fail-fast: a request is decided by this one, the full one only explains a refusal
  const fastBodyAjv = new Ajv({ allErrors: false, strict: false, addUsedSchema: false });
  addFormats(fastBodyAjv);
  return { ajv, validators, bodyAjv, fastBodyAjv };
}

/**
 * Builds a complete, frozen registry snapshot from disk: every YAML file validated, every mapping compiled,
 * every cross-reference checked (backends named by operations exist, partners' releases and mapped operations
 * exist, lookup files parse). Collects all problems and throws one ConfigError naming file:line:col for each.
 */
export function loadRegistry(opts: LoadRegistryOptions): Registry {
  const ctx = createLoadContext(opts);
  const { problems, cache, mappingsByFile, allMappings } = ctx;
  const { sharedTables, buyer } = loadSharedLookupsAndBuyer(ctx);
  const { legacy, legacyEvents } = loadLegacy(ctx);
  const resources = loadResources(ctx, legacy);
  const releases = loadReleases(ctx, legacy, resources, buyer);
  const { partners, byClient, fixtures, partnerHashes } = loadPartners(ctx, releases, buyer, sharedTables);
  const notifications = loadNotifications(ctx, releases);

  cache.sweep();
  if (problems.length) throw new ConfigError(dedupe(problems));
  const sharedLookups = createLookupTables(sharedTables);
  const hash = createHash('sha256').update(hashFolder(opts.mappingsDir));
  for (const id of [...partnerHashes.keys()].sort()) hash.update(`${id}\0${partnerHashes.get(id)}\0`);
  return Object.freeze({
    loadedAt: new Date(),
    hash: hash.digest('hex').slice(0, 16),
    partnerHashes,
    releases,
    legacy,
    legacyEvents: Object.freeze(legacyEvents),
    resources,
    partners,
    sharedLookups,
    mappingsByFile,
    mappings: Object.freeze(allMappings),
    fixtures: Object.freeze(fixtures),
    buyer: buyer.mappings,
    notifications,
    partnerByClientId: (clientId: string) => byClient.get(clientId),
    releaseFor: (partner: PartnerDef, apiName: string) => releases.get(partner.apiReleases[apiName] ?? partner.release),
  });
}

/** What every part of a load shares: the options, the problems found so far, and how files are read and compiled. */
type LoadContext = ReturnType<typeof createLoadContext>;

function createLoadContext(opts: LoadRegistryOptions) {
  const problems: ConfigProblem[] = [];
  const root = opts.rootDir ?? dirname(opts.partnersDir);
  const displayPath = (file: string) => projectPath(file, root);
  const cache = opts.cache ?? createLoadCache();
  const readYamlFile = (file: string): YamlSource => {
    const display = displayPath(file);
    const text = readConfigText(file, display);
    return yamlSourceOf(
      display,
      cache.memo('yaml', file, text, () => parseYamlDocument(text, display)),
    );
  };
  const { ajv, validators, bodyAjv, fastBodyAjv } = cache.once('ajv', createAjvs);
  const mappingsByFile = new Map<string, CompiledMapping>();
  const allMappings: CompiledMapping[] = [];

  // --- the helper library: mappings/lib/*.jsonata, functions every mapping may call (src/mapping/library.ts)
  const library = loadLibrary(join(opts.mappingsDir, 'lib'), displayPath, problems);

  const compileFile = (baseDir: string, rel: string, from: YamlSource, pointer: string): CompiledMapping | undefined => {
    const file = resolve(baseDir, rel);
    const cached = mappingsByFile.get(file);
    if (cached) return cached;
    if (!existsSync(file)) {
      problems.push(from.problem(pointer, `mapping file not found: ${displayPath(file)}`));
      return undefined;
    }
    try {
      const source = readFileSync(file, 'utf8');
      const { compiled, checks } = cache.memo('mapping', file, `${library.id}\0${source}`, () => ({
        compiled: opts.engine.compile(source, displayPath(file), { library }),
        checks: checkMappingSource(source, { library }),
      }));
      for (const p of checks) problems.push({ file: displayPath(file), line: p.line, column: p.column, message: p.message });
      mappingsByFile.set(file, compiled);
      allMappings.push(compiled);
      return compiled;
    } catch (err) {
      problems.push(mappingProblem(err, displayPath(file)));
      return undefined;
    }
  };
  const compileInline = (expr: string, from: YamlSource, pointer: string): CompiledMapping | undefined => {
    try {
      const name = `${from.file}#${pointer}`;
      const { compiled, checks } = cache.memo('expression', name, `${library.id}\0${expr}`, () => ({
        compiled: opts.engine.compile(expr, name, { library }),
        checks: checkMappingSource(expr, { library }),
      }));
      for (const p of checks) problems.push(from.problem(pointer, `expression ${p.line}:${p.column}: ${p.message}`));
      allMappings.push(compiled);
      return compiled;
    } catch (err) {
      problems.push(from.problem(pointer, `invalid expression: ${err instanceof MappingError ? err.message : String(err)}`));
      return undefined;
    }
  };
  const readSource = <T>(file: string, validate: ValidateFunction<T>): YamlSource<T> | undefined => {
    try {
      const checked = validatedSource(readYamlFile(file), validate);
      if ('problems' in checked) {
        problems.push(...checked.problems);
        return undefined;
      }
      return checked.source;
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
      return undefined;
    }
  };
  // read once per load: the releases, their notification catalogues and the buyer side all take versions from it
  const locks = new Map<string, ReleaseLockFile | undefined>();
  const readReleaseLock = (file: string): ReleaseLockFile | undefined => {
    if (!locks.has(file)) locks.set(file, existsSync(file) ? readSource(file, validators.lock)?.data : undefined);
    return locks.get(file);
  };
  const readLookups = (
    baseDir: string,
    files: Record<string, string>,
    from: YamlSource,
    pointer: string,
  ): Record<string, Record<string, unknown>> => {
    const tables: Record<string, Record<string, unknown>> = {};
    for (const [name, rel] of Object.entries(files)) {
      const file = resolve(baseDir, rel);
      if (!existsSync(file)) {
        problems.push(from.problem(`${pointer}/${name}`, `lookup file not found: ${displayPath(file)}`));
        continue;
      }
      const src = readSource(file, validators.lookup);
      if (src) tables[name] = src.data;
    }
    return tables;
  };

  return {
    opts,
    problems,
    displayPath,
    cache,
    readYamlFile,
    ajv,
    validators,
    bodyAjv,
    fastBodyAjv,
    mappingsByFile,
    allMappings,
    library,
    compileFile,
    compileInline,
    readSource,
    readReleaseLock,
    readLookups,
  };
}

/** Shared lookups (mappings/lookups/<name>.yaml) and the buyer side (mappings/buyer), whose lookup tables join them. */
function loadSharedLookupsAndBuyer(ctx: LoadContext): {
  sharedTables: Record<string, Record<string, unknown>>;
  buyer: ReturnType<typeof loadBuyerMappings>;
} {
  const { opts, problems, displayPath, ajv, validators, compileFile, compileInline, readSource, readLookups, readReleaseLock } = ctx;
  // --- shared lookups: mappings/lookups/<name>.yaml
  const sharedTables: Record<string, Record<string, unknown>> = {};
  const lookupsDir = join(opts.mappingsDir, 'lookups');
  if (existsSync(lookupsDir)) {
    for (const f of readdirSync(lookupsDir)
      .filter((n) => n.endsWith('.yaml'))
      .sort()) {
      const src = readSource(join(lookupsDir, f), validators.lookup);
      if (src) sharedTables[f.replace(/\.yaml$/, '')] = src.data;
    }
  }

  // --- the buyer side (mappings/buyer, see src/buyer/buyer-mappings.ts); its lookup tables join the shared ones
  const buyer = loadBuyerMappings(join(opts.mappingsDir, 'buyer'), {
    ajv,
    problems,
    readSource,
    compileFile,
    compileInline,
    readLookups,
    releaseLock: (release) => readReleaseLock(join(opts.mappingsDir, 'releases', release, 'release.lock.yaml')),
  });
  for (const [name, table] of Object.entries(buyer.lookups)) {
    if (sharedTables[name])
      problems.push({
        file: displayPath(join(opts.mappingsDir, 'buyer', 'buyer.yaml')),
        message: `lookup "${name}" is already defined in mappings/lookups`,
      });
    else sharedTables[name] = table;
  }

  return { sharedTables, buyer };
}

/** Legacy operations: mappings/legacy/<domain>/operations.yaml, and the status reports of each domain. */
function loadLegacy(ctx: LoadContext): { legacy: Map<string, LegacyOperationDef>; legacyEvents: LegacyEventHandler[] } {
  const { opts, problems, displayPath, validators, compileFile, compileInline, readSource } = ctx;
  // --- legacy operations: mappings/legacy/<domain>/operations.yaml
  const legacy = new Map<string, LegacyOperationDef>();
  const legacyEvents: LegacyEventHandler[] = [];
  const legacyRoot = join(opts.mappingsDir, 'legacy');
  const legacySources = new Map<string, YamlSource>();
  for (const domain of listDirs(legacyRoot).filter((d) => d !== 'fixtures')) {
    const legacyDir = join(legacyRoot, domain);
    const file = join(legacyDir, 'operations.yaml');
    if (!existsSync(file)) continue;
    const src = readSource(file, validators.legacy);
    if (!src) continue;
    const data = src.data;
    if (data.events) {
      const when = compileInline(data.events.when, src, '/events/when');
      const mapping = compileFile(legacyDir, data.events.mapping, src, '/events/mapping');
      const sequence = data.events.sequence ? compileInline(data.events.sequence, src, '/events/sequence') : undefined;
      const audience = data.events.audience ? compileFile(legacyDir, data.events.audience, src, '/events/audience') : undefined;
      if (when && mapping) legacyEvents.push(Object.freeze({ domain, when, mapping, sequence, ...(audience && { audience }) }));
    }
    const ops = data.operations;
    for (const [name, op] of Object.entries(ops)) {
      const p = `/operations/${escapeToken(name)}`;
      if (legacy.has(name))
        problems.push(src.problem(p, `legacy operation "${name}" is already defined in ${legacySources.get(name)?.file}`));
      legacySources.set(name, src);
      legacy.set(
        name,
        Object.freeze({
          name,
          method: op.method,
          path: op.path,
          safeToRetry: op.safeToRetry,
          request: op.request ? compileFile(legacyDir, op.request, src, `${p}/request`) : undefined,
          response: op.response ? compileFile(legacyDir, op.response, src, `${p}/response`) : undefined,
        }),
      );
    }
  }
  if (legacy.size === 0)
    problems.push({
      file: displayPath(legacyRoot),
      message: 'no legacy BSS operations found (<domain>/operations.yaml)',
    });

  return { legacy, legacyEvents };
}

/** Resources the gateway keeps: mappings/resources/<name>.yaml (legacy backends and projection targets checked). */
function loadResources(ctx: LoadContext, legacy: ReadonlyMap<string, LegacyOperationDef>): Map<string, ResourceDef> {
  const { opts, problems, validators, compileFile, readSource } = ctx;
  // --- resources the gateway keeps: mappings/resources/<name>.yaml
  const resources = new Map<string, ResourceDef>();
  const resourcesDir = join(opts.mappingsDir, 'resources');
  const projectionTargets: Array<{ src: YamlSource; pointer: string; resource: string }> = [];
  const legacyBackendRefs: Array<{ src: YamlSource; pointer: string; backend: string }> = [];
  // projection mappings sit beside the resource files, with their fixtures in resources/fixtures/
  for (const file of listFiles(resourcesDir, '.yaml').filter((f) => !f.split('/').includes('fixtures'))) {
    const src = readSource(file, validators.resource);
    if (!src) continue;
    const r = src.data;
    const projections = r.projections.flatMap((pr, i) => {
      projectionTargets.push({ src, pointer: `/projections/${i}/resource`, resource: pr.resource });
      const mapping = compileFile(resourcesDir, pr.mapping, src, `/projections/${i}/mapping`);
      return mapping ? [Object.freeze({ resource: pr.resource, mapping })] : [];
    });
    const deadlineUpdate = r.deadline && compileFile(resourcesDir, r.deadline.update, src, '/deadline/update');
    if (r.deadline?.backend) legacyBackendRefs.push({ src, pointer: '/deadline/backend', backend: r.deadline.backend });
    const deadline =
      r.deadline && deadlineUpdate
        ? Object.freeze({
            field: r.deadline.field,
            whileStates: Object.freeze([...r.deadline.whileStates]),
            update: deadlineUpdate,
            backend: r.deadline.backend,
          })
        : undefined;
    resources.set(
      r.resource,
      Object.freeze({
        name: r.resource,
        api: r.api,
        path: r.path,
        initialState: r.initialState,
        terminalStates: Object.freeze([...r.terminalStates]),
        events: Object.freeze({ ...r.events }),
        maxListScan: r.maxListScan,
        projections: Object.freeze(projections),
        ...(deadline ? { deadline } : {}),
        adoptFromLegacy: r.adoptFromLegacy,
      }),
    );
  }
  for (const t of legacyBackendRefs) {
    if (!legacy.has(t.backend)) problems.push(t.src.problem(t.pointer, `unknown legacy operation "${t.backend}"`));
  }
  for (const t of projectionTargets) {
    if (!resources.has(t.resource))
      problems.push(t.src.problem(t.pointer, `unknown resource "${t.resource}" (no mappings/resources/${t.resource}.yaml)`));
  }

  return resources;
}

/** Releases: mappings/releases/<release>/release.yaml and the api.yaml of each API beside it. */
function loadReleases(
  ctx: LoadContext,
  legacy: ReadonlyMap<string, LegacyOperationDef>,
  resources: ReadonlyMap<string, ResourceDef>,
  buyer: ReturnType<typeof loadBuyerMappings>,
): Map<string, ReleaseDef> {
  const { opts, problems, displayPath, validators, readSource, readReleaseLock } = ctx;
  // --- releases
  const releases = new Map<string, ReleaseDef>();
  const releasesDir = join(opts.mappingsDir, 'releases');
  for (const name of listDirs(releasesDir)) {
    const dir = join(releasesDir, name);
    const file = join(dir, 'release.yaml');
    if (!existsSync(file)) {
      problems.push({ file: displayPath(dir), message: 'release folder without release.yaml' });
      continue;
    }
    const src = readSource(file, validators.release);
    if (!src) continue;
    const raw = src.data;
    const forLock: LockDeclaredOperation[] = [];
    if (raw.release !== name) problems.push(src.problem('/release', `must equal the folder name "${name}"`));
    const lock = readReleaseLock(join(dir, 'release.lock.yaml'));
    const apis = new Map<string, ApiDef>();
    for (const apiName of listDirs(dir).filter((d) => existsSync(join(dir, d, 'api.yaml')))) {
      const apiDir = join(dir, apiName);
      const apiSrc = readSource(join(apiDir, 'api.yaml'), validators.api);
      if (!apiSrc) continue;
      const api = apiSrc.data;
      if (!api.inherit && !api.operations) problems.push(apiSrc.problem('', 'an API needs "operations", "inherit" or both'));
      // the lock's version (a stated one that differs, or an API the lock lacks, is lockProblems' to report below);
      // only a release without a lock states it
      const version = api.version ?? (lock && lockedVersion(lock, apiName, 'management'));
      if (!lock && version === undefined)
        problems.push(apiSrc.problem('', 'missing required property "version" (the release has no release.lock.yaml to take it from)'));
      const { operations: declared, lineage } = declareOperations<ApiOperationFile, ApiFile>({
        src: apiSrc,
        dir: apiDir,
        file: api,
        fileName: 'api.yaml',
        kind: 'API',
        problems,
        pathFields: ['request', 'response', 'requestSchema', 'querySchema'],
        readSource: (f) => readSource(f, validators.api),
        show: { folder: displayPath, file: displayPath },
      });
      const apiFieldPaths = apiLegacyFieldPaths(ctx, lineage);
      // each folder of the inheritance line -> the folder it inherits from (a schema's `$base: inherited`)
      const inheritedDirs = new Map(lineage.slice(1).map((heir, i) => [heir.dir, lineage[i]!.dir]));
      const operations: OperationDef[] = [];
      for (const declaredOp of declared) {
        const operation = loadOperation(
          ctx,
          { release: name, apiName, version: version ?? '', apiSrc, forLock, legacy, resources, apiFieldPaths, inheritedDirs },
          declaredOp,
        );
        if (operation) operations.push(operation);
      }
      apis.set(apiName, Object.freeze({ name: apiName, version: version ?? '', operations: Object.freeze(operations) }));
    }
    if (lock) {
      problems.push(...lockProblems(lock, forLock));
      problems.push(...unexplainedOperations(lock, new Set(forLock.map((o) => `${o.apiName}/${o.operationId}`)), raw.notServed ?? {}, src));
    } else if (raw.notServed) {
      problems.push(
        src.problem('/notServed', "notServed needs the release's lock file (release.lock.yaml, written by sonata-gateway release-lock)"),
      );
    }
    const def: ReleaseDef = Object.freeze({
      name,
      dir,
      aliases: Object.freeze([...raw.aliases]),
      sdkFolder: raw.sdkFolder ?? name,
      apis,
      lock: lock ? deepFreezeValue(lock) : undefined,
      notServed: deepFreezeValue({ ...(raw.notServed ?? {}) }),
    });
    for (const key of [name, ...raw.aliases]) {
      if (releases.has(key)) problems.push(src.problem('/aliases', `release name "${key}" is defined twice`));
      releases.set(key, def);
    }
  }
  if (releases.size === 0) problems.push({ file: displayPath(releasesDir), message: 'no release definitions found' });
  problems.push(...releaseTestsInSharedMappings(releases, buyer.mappings));

  return releases;
}

/**
 * An API's legacyFieldPaths turned round (legacy field -> pointer): those of the api.yaml files it inherits from (in
 * turn, as declareOperations walked them), each heir's own on top. Problems are reported for the last file's own
 * entries (an inherited file's are reported when its own release is loaded).
 */
function apiLegacyFieldPaths(ctx: LoadContext, lineage: ReadonlyArray<{ src: YamlSource; file: ApiFile }>): Record<string, string> {
  let paths: Record<string, string> = {};
  lineage.forEach(({ src, file }, i) => {
    const own = readLegacyFieldPaths(file.legacyFieldPaths);
    if (i === lineage.length - 1)
      for (const { key, message } of own.problems) ctx.problems.push(src.problem(`/legacyFieldPaths/${escapeToken(key)}`, message));
    paths = { ...paths, ...own.paths };
  });
  return paths;
}

/** One operation of an API of a release, checked against the legacy operations and resources (its lock entry goes to `at.forLock`). */
function loadOperation(
  ctx: LoadContext,
  at: {
    release: string;
    apiName: string;
    version: string;
    apiSrc: YamlSource;
    forLock: LockDeclaredOperation[];
    legacy: ReadonlyMap<string, LegacyOperationDef>;
    resources: ReadonlyMap<string, ResourceDef>;
    /** the API's legacyFieldPaths (turned round), under the operation's own */
    apiFieldPaths: Readonly<Record<string, string>>;
    /** each folder of the API's inheritance line -> the folder it inherits from */
    inheritedDirs: ReadonlyMap<string, string>;
  },
  { name: operationId, op, src, dir }: DeclaredOperation<ApiOperationFile>,
): OperationDef | undefined {
  const { problems, fastBodyAjv, compileFile, compileInline } = ctx;
  const { release: name, apiName, apiSrc, forLock, legacy, resources } = at;
  const api = { version: at.version };
  // an operation without method, path or function is refused by the schema (or its inheritance problem is reported)
  if (!isResolved(op)) return undefined;
  const p = `/operations/${escapeToken(operationId)}`;
  if (op.backend && !legacy.has(op.backend)) problems.push(src.problem(`${p}/backend`, `unknown legacy operation "${op.backend}"`));
  if (op.source === 'store' && !op.collection) problems.push(src.problem(p, 'an operation served from the store needs "collection"'));
  const kind = op.kind ?? 'call';
  if (kind === 'proxy' && !op.upstream) problems.push(src.problem(p, 'a proxy operation needs "upstream"'));
  if (kind === 'call' && op.source === 'backend' && !op.backend)
    problems.push(src.problem(p, 'an operation needs "backend" (or source: store)'));
  if (['create', 'retrieve', 'list', 'action'].includes(kind)) {
    if (!op.resource) problems.push(src.problem(p, `a ${kind} operation needs "resource"`));
    else if (!resources.has(op.resource))
      problems.push(src.problem(`${p}/resource`, `unknown resource "${op.resource}" (no mappings/resources/${op.resource}.yaml)`));
    if (kind !== 'list' && kind !== 'create' && !op.target)
      problems.push(src.problem(p, `a ${kind} operation needs "target" (path parameter or body pointer holding the id)`));
  }
  problems.push(...checkReferences(op.references ?? [], kind, resources, src, p));
  if ((op.listAnswer || op.querySchema) && kind !== 'call')
    problems.push(src.problem(p, `listAnswer and querySchema are for call operations, not ${kind}`));
  if (op.listAnswer && op.persist) problems.push(src.problem(p, 'a listAnswer operation cannot persist its answer'));
  const compileSchemaFile = (rel: string, field: string): CompiledSchema | undefined =>
    compileSchema(ctx, dir, rel, src, `${p}/${field}`, at.inheritedDirs);
  const requestSchemas = op.requestSchema ? compileSchemaFile(op.requestSchema, 'requestSchema') : undefined;
  let requestSchema: BoundedValidator | undefined;
  if (requestSchemas) {
    const { full } = requestSchemas;
    requestSchemas.fast ??= fastBodyAjv.compile(full.schema);
    requestSchema = createBoundedValidator(requestSchemas.fast, () => full);
  }
  const querySchema = op.querySchema ? compileSchemaFile(op.querySchema, 'querySchema')?.full : undefined;
  const querySchemaObject = querySchema?.schema;
  const queryProperties: unknown = typeof querySchemaObject === 'object' ? querySchemaObject.properties : undefined;
  const queryParameters = queryProperties && typeof queryProperties === 'object' ? Object.keys(queryProperties) : [];
  const ownFieldPaths = readLegacyFieldPaths(op.legacyFieldPaths);
  for (const { key, message } of ownFieldPaths.problems) problems.push(src.problem(`${p}/legacyFieldPaths/${escapeToken(key)}`, message));
  forLock.push({
    operationId,
    apiName,
    version: api.version,
    method: op.method,
    path: op.path,
    status: op.status,
    kind: op.kind ?? 'call',
    src,
    pointer: p,
    apiSrc,
  });
  const { pattern, params } = compilePathTemplate(op.path);
  const base: OperationBase = {
    operationId,
    release: name,
    apiName,
    version: api.version,
    method: op.method,
    path: op.path,
    pathPattern: pattern,
    pathParams: params,
    function: op.function,
    scope: op.scope ?? operationId,
    status: op.status,
    statusExpression: op.statusExpression ? compileInline(op.statusExpression, src, `${p}/statusExpression`) : undefined,
    requestSchema,
    request: op.request ? compileFile(dir, op.request, src, `${p}/request`) : undefined,
    response: op.response ? compileFile(dir, op.response, src, `${p}/response`) : undefined,
    legacyFieldPaths: Object.freeze({ ...at.apiFieldPaths, ...ownFieldPaths.paths }),
    productPaths: Object.freeze([...(op.productPaths ?? [])]),
    refusalStatus: op.refusalStatus,
    bindings: Object.freeze({ ...(op.bindings ?? {}) }),
  };
  for (const name of Object.keys(op.bindings ?? {})) {
    if (GATEWAY_BINDINGS.includes(name))
      problems.push(src.problem(`${p}/bindings/${name}`, `"${name}" is a binding of the gateway ($${name}); choose another name`));
  }
  // a missing required field is a problem reported above, so the registry is never built: '' stands in
  const resource = op.resource ?? '';
  const target = op.target ?? '';
  const variants: { [K in OperationKind]: () => Extract<OperationDef, { kind: K }> } = {
    call: () => {
      const call = {
        ...base,
        kind: 'call',
        persist: op.persist
          ? Object.freeze({
              collection: op.persist.collection,
              when: op.persist.when ? compileInline(op.persist.when, src, `${p}/persist/when`) : undefined,
            })
          : undefined,
        listAnswer: op.listAnswer,
        querySchema,
        queryParameters: Object.freeze(queryParameters),
      } satisfies Omit<CallOperation, 'source'>;
      return op.source === 'store'
        ? { ...call, source: 'store', collection: op.collection ?? '' }
        : { ...call, source: 'backend', backend: op.backend ?? '' };
    },
    create: () => ({
      ...base,
      kind: 'create',
      resource,
      backend: op.backend,
      references: Object.freeze((op.references ?? []).map((ref) => Object.freeze({ ...ref, name: ref.name ?? ref.resource }))),
    }),
    retrieve: () => ({ ...base, kind: 'retrieve', resource, target }),
    list: () => ({ ...base, kind: 'list', resource, filters: Object.freeze({ ...(op.filters ?? {}) }) }),
    action: () => ({
      ...base,
      kind: 'action',
      resource,
      target,
      backend: op.backend,
      allowedStates: op.allowedStates ? Object.freeze([...op.allowedStates]) : undefined,
      nextState: op.nextState,
    }),
    proxy: () => ({ ...base, kind: 'proxy', upstream: op.upstream ?? '' }),
    hubRegister: () => ({ ...base, kind: 'hubRegister' }),
    hubRetrieve: () => ({ ...base, kind: 'hubRetrieve' }),
    hubDelete: () => ({ ...base, kind: 'hubDelete' }),
    notImplemented: () => ({ ...base, kind: 'notImplemented' }),
  };
  return Object.freeze(variants[kind]());
}

/**
 * A schema file's validators, kept until its schema changes: the full one (every error), and for a request
 * schema also the fail-fast one that decides (compiled from the same schema object on first need)
 */
function compileSchema(
  ctx: LoadContext,
  dir: string,
  rel: string,
  src: YamlSource,
  pointer: string,
  inheritedDirs: ReadonlyMap<string, string>,
): CompiledSchema | undefined {
  const { problems, displayPath, cache, readYamlFile, bodyAjv, fastBodyAjv } = ctx;
  const schemaFile = resolve(dir, rel);
  if (!existsSync(schemaFile)) {
    problems.push(src.problem(pointer, `schema file not found: ${displayPath(schemaFile)}`));
    return undefined;
  }
  const schemaSrc = safeRead(() => readYamlFile(schemaFile), problems);
  if (!schemaSrc) return undefined;
  const schema = resolveSchemaBase({
    file: schemaFile,
    src: schemaSrc,
    readSource: (f) => safeRead(() => readYamlFile(f), problems),
    inheritedDir: (folder) => inheritedDirs.get(folder),
    show: displayPath,
    problems,
  });
  if (schema === undefined) return undefined;
  try {
    return cache.memo(
      'schema',
      schemaFile,
      JSON.stringify(schema),
      (): CompiledSchema => ({ full: bodyAjv.compile(bodySchemaOf(schema)) }),
      (v) => {
        bodyAjv.removeSchema(v.full.schema);
        if (v.fast) fastBodyAjv.removeSchema(v.fast.schema);
      },
    );
  } catch (err) {
    problems.push({
      file: schemaSrc.file,
      line: 1,
      column: 1,
      message: `invalid JSON schema: ${err instanceof Error ? err.message : String(err)}`,
    });
    return undefined;
  }
}

/** Notification catalogues a release's buyers receive (optional per release; aliases share their release's). */
function loadNotifications(ctx: LoadContext, releases: ReadonlyMap<string, ReleaseDef>): Map<string, NotificationCatalog> {
  const { problems, displayPath } = ctx;
  // --- notifications a release's buyers receive (optional per release; aliases share their release's)
  const notifications = new Map<string, NotificationCatalog>();
  const catalogOf = new Map<ReleaseDef, NotificationCatalog | undefined>();
  for (const [name, def] of releases) {
    if (!catalogOf.has(def)) {
      const file = join(def.dir, 'notifications.yaml');
      let catalog: NotificationCatalog | undefined;
      try {
        catalog = existsSync(file) ? loadNotificationCatalog(file, { displayName: displayPath(file), lock: def.lock }) : undefined;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
      catalogOf.set(def, catalog);
    }
    const catalog = catalogOf.get(def);
    if (catalog) notifications.set(name, catalog);
  }

  return notifications;
}

/** One partner folder (partners/<id>/partner.yaml): checked against the releases and the buyer side, added to `state`. */
function loadPartner(
  ctx: LoadContext,
  id: string,
  state: {
    partners: Map<string, PartnerDef>;
    byClient: Map<string, PartnerDef>;
    fixtures: FixtureRef[];
    releases: ReadonlyMap<string, ReleaseDef>;
    buyer: ReturnType<typeof loadBuyerMappings>;
    sharedTables: Record<string, Record<string, unknown>>;
  },
): void {
  const { opts, problems, displayPath, validators, compileFile, readSource, readLookups } = ctx;
  const { partners, byClient, fixtures, releases, buyer, sharedTables } = state;
  const dir = join(opts.partnersDir, id);
  const file = join(dir, 'partner.yaml');
  if (!existsSync(file)) {
    problems.push({ file: displayPath(dir), message: 'partner folder without partner.yaml' });
    return;
  }
  const src = readSource(file, validators.partner);
  if (!src) return;
  const raw = src.data;
  if (raw.id !== id) problems.push(src.problem('/id', `must equal the folder name "${id}"`));
  const release = releases.get(raw.release);
  if (!release && releases.size)
    problems.push(src.problem('/release', `unknown release "${raw.release}" (known: ${[...releases.keys()].join(', ')})`));
  for (const [api, rel] of Object.entries(raw.apiReleases ?? {})) {
    const r = releases.get(rel);
    if (!r) problems.push(src.problem(`/apiReleases/${escapeToken(api)}`, `unknown release "${rel}"`));
    else if (!r.apis.has(api))
      problems.push(src.problem(`/apiReleases/${escapeToken(api)}`, `release "${rel}" does not define API "${api}"`));
  }
  if ((raw.role === 'seller' || raw.role === 'both') && !raw.seller)
    problems.push(src.problem('/role', `a ${raw.role} partner needs a "seller" section (how we reach its APIs)`));
  const { sellerSecret, sellerMappings } = sellerSide(ctx, src, dir, release, buyer);
  const secretEnv = raw.credentials.clientSecretEnv;
  // a client authenticates with a secret, a key (private_key_jwt, RFC 7523), or either
  if (!secretEnv && !raw.credentials.jwks && !raw.credentials.jwksUri)
    problems.push(src.problem('/credentials', 'give clientSecretEnv (a client secret), jwks or jwksUri (keys for private_key_jwt)'));
  const secret = secretEnv ? opts.secrets[secretEnv] : undefined;
  if (secretEnv && !secret) problems.push(src.problem('/credentials/clientSecretEnv', `environment variable ${secretEnv} is not set`));
  else if (secret !== undefined && secret.length < 16)
    problems.push(
      src.problem('/credentials/clientSecretEnv', `the secret in ${raw.credentials.clientSecretEnv} must be at least 16 characters`),
    );
  const subject = raw.credentials.externalSubject;
  const subjectOwner = subject === undefined ? undefined : [...partners.values()].find((p) => p.externalSubject === subject);
  if (subjectOwner)
    problems.push(
      src.problem('/credentials/externalSubject', `externalSubject "${subject}" is already used by partner "${subjectOwner.id}"`),
    );
  const signingSecrets = raw.notifications.signingSecretEnv.map((name, i) => {
    const value = opts.secrets[name];
    const parsed = value ? parseWebhookSecret(value) : { problem: 'is not set' };
    if ('problem' in parsed)
      problems.push(src.problem(`/notifications/signingSecretEnv/${i}`, `environment variable ${name} ${parsed.problem}`));
    return value ?? '';
  });
  if (byClient.has(raw.credentials.clientId))
    problems.push(
      src.problem(
        '/credentials/clientId',
        `clientId "${raw.credentials.clientId}" is already used by partner "${byClient.get(raw.credentials.clientId)!.id}"`,
      ),
    );

  const mappings = new Map<string, { request?: CompiledMapping; response?: CompiledMapping }>();
  const knownOps = new Set<string>();
  for (const r of new Set([release, ...Object.values(raw.apiReleases ?? {}).map((n) => releases.get(n))])) {
    for (const api of r?.apis.values() ?? []) for (const op of api.operations) knownOps.add(op.operationId);
  }
  for (const [opId, pair] of Object.entries(raw.mappings ?? {})) {
    const p = `/mappings/${escapeToken(opId)}`;
    if (release && !knownOps.has(opId)) problems.push(src.problem(p, `no operation "${opId}" in the releases this partner speaks`));
    mappings.set(
      opId,
      Object.freeze({
        request: pair.request ? compileFile(dir, pair.request, src, `${p}/request`) : undefined,
        response: pair.response ? compileFile(dir, pair.response, src, `${p}/response`) : undefined,
      }),
    );
  }
  const spokenApis = new Set<string>();
  for (const r of new Set([release, ...Object.values(raw.apiReleases ?? {}).map((n) => releases.get(n))]))
    for (const a of r?.apis.keys() ?? []) spokenApis.add(a);
  for (const api of Object.keys(raw.limits.perApi)) {
    if (release && !spokenApis.has(api))
      problems.push(src.problem(`/limits/perApi/${escapeToken(api)}`, `no API "${api}" in the releases this partner speaks`));
  }
  const tables = { ...sharedTables, ...readLookups(dir, raw.lookups ?? {}, src, '/lookups') };
  const functions = new Map<BusinessFunction, FunctionMode>();
  for (const [fn, v] of Object.entries(raw.functions)) if (v && isBusinessFunction(fn)) functions.set(fn, v.mode);

  const partner: PartnerDef = Object.freeze({
    id: raw.id,
    name: raw.name,
    role: raw.role,
    dir,
    file: displayPath(file),
    release: raw.release,
    apiReleases: Object.freeze({ ...(raw.apiReleases ?? {}) }),
    buyerId: raw.buyerId,
    sellerId: raw.sellerId,
    testEnvironment: raw.testEnvironment,
    legacyCustomerId: raw.legacyCustomerId,
    policy: Object.freeze({
      ...raw.policy,
      pilotCountries: raw.policy.pilotCountries ? Object.freeze([...raw.policy.pilotCountries]) : undefined,
      catalog: raw.policy.catalog ? deepFreezeValue({ ...raw.policy.catalog }) : undefined,
    }),
    allowedCallbackHosts: Object.freeze([...raw.notifications.allowedCallbackHosts]),
    maxSubscriptions: raw.notifications.maxSubscriptions,
    // browsers send origins in lower case (scheme and host)
    allowedOrigins: Object.freeze(raw.cors.allowedOrigins.map((o) => o.toLowerCase())),
    limits: deepFreezeValue({ ...raw.limits }),
    notificationSigningSecrets: Object.freeze(signingSecrets),
    seller: raw.seller
      ? Object.freeze({
          ...deepFreezeValue({
            ...raw.seller,
            clientSecretEnv: undefined,
            mappings: undefined,
            clientSecret: sellerSecret ?? '',
          }),
          mappings: sellerMappings,
        })
      : undefined,
    clientId: raw.credentials.clientId,
    clientSecret: secret ?? '',
    clientKeys:
      raw.credentials.jwks || raw.credentials.jwksUri
        ? deepFreezeValue({ jwks: raw.credentials.jwks, jwksUri: raw.credentials.jwksUri })
        : undefined,
    externalSubject: raw.credentials.externalSubject,
    functions,
    mappings,
    lookups: createLookupTables(tables),
  });
  partners.set(partner.id, partner);
  byClient.set(partner.clientId, partner);
  for (const f of listFiles(join(dir, 'fixtures'), '.yaml'))
    fixtures.push(Object.freeze({ file: f, ownerDir: dir, partnerId: partner.id }));
}

/** A partner's seller section: our client secret at its seller, and its dialect mappings of the buyer side's operations. */
function sellerSide(
  ctx: LoadContext,
  src: YamlSource<PartnerFile>,
  dir: string,
  release: ReleaseDef | undefined,
  buyer: ReturnType<typeof loadBuyerMappings>,
): { sellerSecret: string | undefined; sellerMappings: Map<string, { request?: CompiledMapping; response?: CompiledMapping }> } {
  const { opts, problems, compileFile } = ctx;
  const raw = src.data;
  const sellerSecret = raw.seller ? opts.secrets[raw.seller.clientSecretEnv] : undefined;
  if (raw.seller && !sellerSecret)
    problems.push(src.problem('/seller/clientSecretEnv', `environment variable ${raw.seller.clientSecretEnv} is not set`));
  if (raw.seller && (raw.seller.baseUrl === 'embedded') !== (raw.seller.tokenUrl === 'embedded'))
    problems.push(src.problem('/seller/tokenUrl', 'baseUrl and tokenUrl are either both "embedded" or both URLs'));
  const buyerRelease = raw.seller && release ? buyer.mappings.releases.get(release.name) : undefined;
  if (raw.seller && release && !buyerRelease)
    problems.push(
      src.problem('/release', `the buyer side has no mappings for release "${release.name}" (mappings/buyer/releases/${release.name})`),
    );
  const sellerMappings = new Map<string, { request?: CompiledMapping; response?: CompiledMapping }>();
  for (const [opName, pair] of Object.entries(raw.seller?.mappings ?? {})) {
    const p = `/seller/mappings/${escapeToken(opName)}`;
    if (buyerRelease && !(isBuyerOperation(opName) && buyerRelease.operations.has(opName)))
      problems.push(src.problem(p, `release "${buyerRelease.name}" has no buyer operation "${opName}"`));
    sellerMappings.set(
      opName,
      Object.freeze({
        request: pair.request ? compileFile(dir, pair.request, src, `${p}/request`) : undefined,
        response: pair.response ? compileFile(dir, pair.response, src, `${p}/response`) : undefined,
      }),
    );
  }
  return { sellerSecret, sellerMappings };
}

/** Every partner folder; with `opts.isolate`, a partner with problems keeps its last good state (or stays off). */
function loadPartners(
  ctx: LoadContext,
  releases: ReadonlyMap<string, ReleaseDef>,
  buyer: ReturnType<typeof loadBuyerMappings>,
  sharedTables: Record<string, Record<string, unknown>>,
) {
  const { opts, problems, mappingsByFile, allMappings } = ctx;
  // --- partners
  const partners = new Map<string, PartnerDef>();
  const byClient = new Map<string, PartnerDef>();
  const fixtures: FixtureRef[] = [];
  const partnerState = { partners, byClient, fixtures, releases, buyer, sharedTables };
  const partnerHashes = new Map<string, string>();
  for (const id of listDirs(opts.partnersDir)) {
    const kept = opts.isolate?.lastGood.partners.get(id);
    if (opts.isolate?.keep?.has(id)) {
      // refused by the caller (its fixtures failed): last good state, or off when it is new
      if (kept) keepPartner(id, kept);
      continue;
    }
    const mark = { problems: problems.length, fixtures: fixtures.length, partners: new Set(partners.keys()) };
    loadPartner(ctx, id, partnerState);
    if (!opts.isolate || problems.length === mark.problems) {
      partnerHashes.set(id, hashFolder(join(opts.partnersDir, id)));
      continue;
    }
    // isolated reload: this partner's problems roll back only this partner (to its last good state, or off if new)
    const mine = problems.splice(mark.problems);
    fixtures.splice(mark.fixtures);
    for (const key of [...partners.keys()]) {
      if (mark.partners.has(key)) continue;
      const def = partners.get(key)!;
      partners.delete(key);
      if (byClient.get(def.clientId) === def) byClient.delete(def.clientId);
    }
    opts.isolate.onPartnerRefused?.(id, mine, kept !== undefined);
    if (kept) keepPartner(id, kept);
  }
  function keepPartner(id: string, kept: PartnerDef): void {
    const last = opts.isolate!.lastGood;
    partners.set(id, kept);
    if (!byClient.has(kept.clientId)) byClient.set(kept.clientId, kept);
    fixtures.push(...last.fixtures.filter((f) => f.partnerId === id));
    for (const [file, m] of last.mappingsByFile) {
      if (file.startsWith(`${kept.dir}/`) && !mappingsByFile.has(file)) {
        mappingsByFile.set(file, m);
        allMappings.push(m);
      }
    }
    const hash = last.partnerHashes.get(id);
    if (hash) partnerHashes.set(id, hash);
  }
  for (const f of listFiles(opts.mappingsDir, '.yaml').filter((f) => f.split('/').includes('fixtures'))) {
    fixtures.push(Object.freeze({ file: f, ownerDir: ownerOfSharedFixture(f) }));
  }

  return { partners, byClient, fixtures, partnerHashes };
}

/**
 * A mapping that serves operations of more than one release (taken with inherit) may not branch on `$release`: the
 * difference belongs in the heir's own file, a library function or the operation's `bindings`. Reported at the
 * first `$release` of the mapping.
 */
function releaseTestsInSharedMappings(releases: ReadonlyMap<string, ReleaseDef>, buyer: BuyerMappings): ConfigProblem[] {
  const users = new Map<CompiledMapping, Set<string>>();
  const use = (m: CompiledMapping | undefined, release: string): void => {
    if (m === undefined) return;
    let set = users.get(m);
    if (set === undefined) users.set(m, (set = new Set()));
    set.add(release);
  };
  for (const def of new Set(releases.values())) {
    for (const api of def.apis.values())
      for (const op of api.operations) for (const m of [op.request, op.response, op.statusExpression]) use(m, def.name);
  }
  for (const def of buyer.releases.values())
    for (const op of def.operations.values()) for (const m of [op.request, op.response]) use(m, def.name);
  const problems: ConfigProblem[] = [];
  for (const [m, names] of users) {
    if (names.size < 2) continue;
    let ast: unknown;
    try {
      ast = jsonata(m.source).ast();
    } catch {
      continue;
    }
    const first = collectNodes(ast)
      .filter((n) => n.type === 'variable' && n.value === 'release')
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))[0];
    if (first === undefined) continue;
    const at = locateNode(m.source, first) ?? { line: 1, column: 1 };
    problems.push({
      file: m.file,
      ...at,
      message: `a mapping of ${[...names].sort().join(' and ')} (inherited) tests $release: put the difference in the heir's own mapping, a library function (mappings/lib) or the operation's bindings`,
    });
  }
  return problems;
}

/**
 * The helper library of mappings/lib (every `*.jsonata` file, in name order). A file that does not parse, or holds
 * anything but function definitions, is a problem at its file:line:col, and the library is then empty (the mappings
 * calling its functions are reported as well, which says what depends on it).
 */
function loadLibrary(dir: string, displayPath: (file: string) => string, problems: ConfigProblem[]): MappingLibrary {
  const sources: LibrarySource[] = listFiles(dir, '.jsonata').map((file) => ({
    file: displayPath(file),
    source: readFileSync(file, 'utf8'),
  }));
  let library: MappingLibrary;
  try {
    library = createMappingLibrary(sources);
  } catch (err) {
    problems.push(mappingProblem(err, err instanceof MappingError ? err.file : displayPath(dir)));
    return EMPTY_LIBRARY;
  }
  for (const p of checkLibrary(library, sources)) problems.push(p);
  return library;
}

/**
 * A create operation's `references`: the resource exists, `itemIdPath` has the same wildcards as `idPath`, and
 * `requestPath` names no more indices than there are wildcards.
 */
function checkReferences(
  refs: ReadonlyArray<{ resource: string; idPath: string; itemIdPath?: string; requestPath: string }>,
  kind: string,
  resources: ReadonlyMap<string, ResourceDef>,
  src: YamlSource,
  p: string,
): ConfigProblem[] {
  if (refs.length === 0) return [];
  if (kind !== 'create') return [src.problem(`${p}/references`, `references are for create operations, not ${kind}`)];
  const stars = (ptr: string) => ptr.split('/').filter((seg) => seg === '*').length;
  const problems: ConfigProblem[] = [];
  refs.forEach((ref, i) => {
    const at = `${p}/references/${i}`;
    if (!resources.has(ref.resource))
      problems.push(src.problem(`${at}/resource`, `unknown resource "${ref.resource}" (no mappings/resources/${ref.resource}.yaml)`));
    if (ref.itemIdPath !== undefined && stars(ref.itemIdPath) !== stars(ref.idPath)) {
      problems.push(src.problem(`${at}/itemIdPath`, 'must have as many "*" as idPath (they are matched index by index)'));
    }
    const placeholders = ref.requestPath.match(/\{[a-z]\}/g) ?? [];
    if (placeholders.length > stars(ref.idPath))
      problems.push(src.problem(`${at}/requestPath`, `names ${placeholders.length} indices but idPath has ${stars(ref.idPath)} "*"`));
  });
  return problems;
}

/** Turns '/geographicAddress/{id}' into an anchored regex and its parameter names. */
export function compilePathTemplate(path: string): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{([A-Za-z0-9_]+)\}$/.exec(seg);
      if (m) {
        params.push(m[1]!);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), params };
}

/** A shared fixture's mapping paths are relative to the folder holding its fixtures/ folder. */
function ownerOfSharedFixture(file: string): string {
  let dir = dirname(file);
  while (dir.split('/').includes('fixtures')) dir = dirname(dir);
  return dir;
}

function mappingProblem(err: unknown, file: string): ConfigProblem {
  if (err instanceof MappingError) {
    return {
      file,
      line: err.line,
      column: err.column,
      message: `${err.jsonataCode ? `${err.jsonataCode} ` : ''}${err.detail}`,
    };
  }
  return { file, message: String(err) };
}

function safeRead(read: () => YamlSource, problems: ConfigProblem[]): YamlSource | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
    return undefined;
  }
}

/** SHA-256 (hex) of every file below dir: relative paths and contents, in a fixed order. */
function hashFolder(dir: string): string {
  const hash = createHash('sha256');
  for (const file of listFiles(dir, ''))
    hash
      .update(`${file.slice(dir.length)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
    .sort();
}

/** All files below dir with the given ending, sorted, as absolute paths. */
export function listFiles(dir: string, ending: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, ending));
    else if (entry.name.endsWith(ending)) out.push(full);
  }
  return out.sort();
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.file}:${p.line}:${p.column}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function deepFreezeValue<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreezeValue(x);
  }
  return v;
}
