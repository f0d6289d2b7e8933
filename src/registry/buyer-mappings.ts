/**
 * The buyer side as data (`mappings/buyer/`): how the legacy BSS's purchase requests become the unified model
 * (`buyer.yaml` + `legacy/*.jsonata`) and how the unified model travels on each seller release's wire
 * (`releases/<release>/release.yaml` + its mappings). Loaded by the registry with every other mapping, so the same
 * file:line:col checks, the same reload and the same fixtures apply.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import type { ConfigProblem, YamlSource } from '../config/yaml-source.js';
import { escapeToken } from '../json/json-pointer.js';
import type { CompiledMapping } from '../mapping/engine.js';
import { declareOperations } from './inherit-operations.js';
import { inheritSchema } from './registry-schemas.js';
import { resolveVersion, type ReleaseLock } from './release-lock.js';

/** Operation names of the buyer side: what the legacy BSS can ask for and what a seller release may offer. */
export const BUYER_OPERATIONS = [
  'validateAddress',
  'createQuote',
  'retrieveQuote',
  'cancelQuote',
  'declineQuote',
  'createOrder',
  'retrieveOrder',
  'cancelOrder',
  'findOrders',
  'retrieveProduct',
  'createTicket',
  'retrieveTicket',
  'createQualification',
  'retrieveQualification',
  'findBills',
  'retrieveBill',
  'retrieveBillItem',
  'searchTimeSlots',
  'createAppointment',
  'retrieveAppointment',
  'cancelAppointment',
] as const;
export type BuyerOperationName = (typeof BUYER_OPERATIONS)[number];

export function isBuyerOperation(name: string): name is BuyerOperationName {
  return BUYER_OPERATIONS.some((o) => o === name);
}

/** What the buyer side buys or reads, for seller bookkeeping (which seller holds an id) and messages. */
export const BUYER_OBJECT_KINDS = ['quote', 'order', 'product', 'ticket', 'qualification', 'bill', 'appointment'] as const;
export type BuyerObjectKind = (typeof BUYER_OBJECT_KINDS)[number];

/** One entry of the operation catalogue (buyer.yaml `operations`): its routes, what it is about, its two mappings. */
const legacyOperation = {
  type: 'object',
  additionalProperties: false,
  required: ['routes', 'action'],
  properties: {
    /**
     * `METHOD /path` under /internal/buyer; `{id}` is the object's id. A route of an operation with `idField` reads by
     * id: the id comes from the path or from `idField` (the query of a GET, the body of a POST); nothing else but
     * `SELLER` is allowed. Otherwise a GET takes its query as the body, a POST its body.
     */
    routes: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(GET|POST) /[A-Za-z0-9/{}_-]*$' } },
    /** the legacy field naming the object read (`QUOTE_ID`) */
    idField: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
    /** the kind of object: an id read without SELLER finds the seller that holds it */
    kind: { enum: [...BUYER_OBJECT_KINDS] },
    /** creates an object at the seller: its id is remembered with the seller, our listener is registered first */
    creates: { type: 'boolean', default: false },
    /** creates or changes something at the seller: the BSS's Idempotency-Key makes its retries safe */
    changes: { type: 'boolean', default: false },
    /** what is asked, in messages: `quote request`, `order cancellation` */
    action: { type: 'string', minLength: 1 },
    /**
     * what the BSS should do when the outcome is unknown (a timeout of a create or cancel); `{seller}`, `{id}` (the
     * path's id), `{ref}` (the request's externalId, `?` when none) and `{refInUrl}` (the same, URL-encoded)
     */
    outcomeHint: { type: 'string' },
    request: { type: 'string' },
    response: { type: 'string' },
  },
} as const;

/** mappings/buyer/buyer.yaml */
export const BUYER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['operations'],
  properties: {
    /** lookup tables (name -> YAML file) added to the shared lookups, so every mapping and fixture sees them */
    lookups: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    /**
     * per operation: `request` turns the legacy BSS's body into `{seller?, route: {countries, products}, request}`
     * (request = unified model); `response` turns the unified answer into the legacy answer's payload
     */
    operations: {
      type: 'object',
      propertyNames: { enum: [...BUYER_OPERATIONS] },
      additionalProperties: legacyOperation,
    },
    /** a seller's notification (unified event + fetched resource) -> the legacy BSS's webhook body */
    events: {
      type: 'object',
      additionalProperties: false,
      required: ['mapping'],
      properties: {
        mapping: { type: 'string' },
        /** the unified event's `kind` -> its own webhook mapping (e.g. `bill`); other kinds take `mapping` */
        kinds: {
          type: 'object',
          propertyNames: { enum: [...BUYER_OBJECT_KINDS] },
          additionalProperties: { type: 'string' },
          default: {},
        },
      },
    },
  },
} as const;

/** mappings/buyer/releases/<release>/release.yaml */
export const BUYER_RELEASE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['release'],
  properties: {
    release: { type: 'string', pattern: '^[a-z]+$' },
    /**
     * management API name -> major version, as the seller serves it (`quoteManagement: v8`). The versions come from
     * the seller release's lock (mappings/releases/<release>/release.lock.yaml); only a release without one states
     * them here (a version stated beside a lock must agree with it).
     */
    apis: { type: 'object', additionalProperties: { type: 'string', pattern: '^v[0-9]+$' } },
    /**
     * take the operations of another release whose bodies are the same (`from`: its folder, relative to this one);
     * they keep their own files; `except` drops some; an operation under `operations` here replaces the one of
     * the same name whole, or with `inherit: true` only in the fields it writes. Versions and `listeners` are always this release's own.
     */
    inherit: inheritSchema({ enum: [...BUYER_OPERATIONS] }),
    operations: {
      type: 'object',
      propertyNames: { enum: [...BUYER_OPERATIONS] },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        // `inherit: true` (or `inherit: <operation>`) takes the operation of this name (or that one) from inherit.from; the fields written here replace its
        if: { properties: { inherit: true }, required: ['inherit'] },
        then: {},
        else: { properties: { api: true, method: true, path: true }, required: ['api', 'method', 'path'] },
        properties: {
          inherit: { anyOf: [{ const: true }, { type: 'string', minLength: 1 }] },
          api: { type: 'string' },
          method: { enum: ['GET', 'POST', 'PATCH', 'DELETE'] },
          /** below the API base; `{id}` is replaced by the operation's id */
          path: { type: 'string', pattern: '^/' },
          /** query parameters: name -> JSONata expression on the unified request (e.g. `externalId`) */
          query: { type: 'object', additionalProperties: { type: 'string' } },
          /**
           * read the object first with this operation (same id); its unified answer is `$current` in `request`
           * (Billie: a cancellation names the order's orderVersion, which only a fresh read knows)
           */
          prefetch: { enum: [...BUYER_OPERATIONS] },
          /** unified request -> the release's wire body */
          request: { type: 'string' },
          /** the seller's wire answer -> unified model */
          response: { type: 'string' },
          /** status codes that mean success (default 200, 201) */
          statuses: { type: 'array', items: { type: 'integer', minimum: 200, maximum: 299 } },
          /** repeating the call changes nothing at the seller (reads, address checks); creates never are */
          safeToRetry: { type: 'boolean', default: false },
          /** after success, answer with this operation's result instead (e.g. retrieve the quote a cancel changed) */
          then: { enum: [...BUYER_OPERATIONS] },
          /**
           * after success, read the parts the answer only names, one call each, with `operation` (same seller): `ids`
           * (JSONata on the unified answer) gives their ids, `into` the field of the answer that gets the list
           * (e.g. a bill's items, which Customer Bill Management serves one by one)
           */
          expand: {
            type: 'object',
            additionalProperties: false,
            required: ['operation', 'ids', 'into'],
            properties: {
              operation: { enum: [...BUYER_OPERATIONS] },
              ids: { type: 'string' },
              into: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*$' },
            },
          },
          /**
           * a seller's 422 `propertyPath` -> the legacy field it came from: JSON-pointer prefixes with `*` for an
           * array index, e.g. `/quoteItem/*\/product/place: LINES[*].SELLER_ADDR_ID`; the longest match wins. In an
           * operation with `inherit`, a JSON Merge Patch (RFC 7396) of the inherited table: entries written here are
           * added or replace the inherited ones, `null` removes one
           */
          fieldPaths: { type: 'object', additionalProperties: { type: ['string', 'null'] }, default: {} },
        },
      },
    },
    /** the seller's notifications we listen to: Buyer-side notification API name -> its events */
    listeners: {
      type: 'object',
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['api', 'mapping', 'events'],
        properties: {
          /** the notification API's major: from the release's lock, like `apis`; stated only without one */
          version: { type: 'string', pattern: '^v[0-9]+$' },
          /** the management API whose hub we register on */
          api: { type: 'string' },
          /** wire event -> unified event {kind, id, itemId?, state?} */
          mapping: { type: 'string' },
          events: {
            type: 'object',
            minProperties: 1,
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              /** the event only names the object: retrieve it with this operation before telling the legacy BSS */
              properties: { fetch: { enum: [...BUYER_OPERATIONS] } },
            },
          },
        },
      },
    },
  },
} as const;

/** One route of the legacy side: `GET /quotes/{id}` under /internal/buyer. */
export interface BuyerRoute {
  readonly method: 'GET' | 'POST';
  /** the path as written (`/quotes/{id}`) */
  readonly path: string;
  /** matches the path below /internal/buyer; group 1 is `{id}` when the path has one */
  readonly pattern: RegExp;
  readonly operation: BuyerOperationName;
}

/** One operation of the legacy side (both mappings are optional: reads need no request mapping). */
export interface BuyerLegacyOperation {
  readonly name: BuyerOperationName;
  readonly routes: readonly BuyerRoute[];
  readonly idField?: string;
  readonly kind?: BuyerObjectKind;
  readonly creates: boolean;
  readonly changes: boolean;
  readonly action: string;
  readonly outcomeHint?: string;
  readonly request?: CompiledMapping;
  readonly response?: CompiledMapping;
}

/** One operation on a seller release's wire. */
export interface SellerOperationDef {
  readonly name: BuyerOperationName;
  readonly release: string;
  readonly api: string;
  readonly version: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, CompiledMapping>>;
  /** read the object with this operation before the request mapping runs (its unified answer: `$current`) */
  readonly prefetch?: BuyerOperationName;
  readonly request?: CompiledMapping;
  readonly response?: CompiledMapping;
  readonly statuses: readonly number[];
  readonly safeToRetry: boolean;
  readonly then?: BuyerOperationName;
  /** read the parts the answer names (`ids` on the unified answer) with `operation`, into the answer's `into` */
  readonly expand?: { readonly operation: BuyerOperationName; readonly ids: CompiledMapping; readonly into: string };
  readonly fieldPaths: Readonly<Record<string, string>>;
}

/** Notifications of one Buyer-side notification API of a release. */
export interface ListenerDef {
  readonly notificationApi: string;
  readonly version: string;
  readonly api: string;
  readonly apiVersion: string;
  readonly mapping: CompiledMapping;
  readonly events: ReadonlyMap<string, { readonly fetch?: BuyerOperationName }>;
}

export interface BuyerReleaseDef {
  readonly name: string;
  readonly apis: Readonly<Record<string, string>>;
  readonly operations: ReadonlyMap<BuyerOperationName, SellerOperationDef>;
  readonly listeners: ReadonlyMap<string, ListenerDef>;
}

/** Everything of mappings/buyer, compiled. */
export interface BuyerMappings {
  readonly operations: ReadonlyMap<BuyerOperationName, BuyerLegacyOperation>;
  /** every route of every operation, literal paths before those with `{id}` */
  readonly routes: readonly BuyerRoute[];
  readonly events?: CompiledMapping;
  /** per unified event kind, its own webhook mapping (instead of `events`) */
  readonly eventsByKind: ReadonlyMap<string, CompiledMapping>;
  readonly releases: ReadonlyMap<string, BuyerReleaseDef>;
}

/** What the registry loader lends the buyer loader, so both report problems and compile mappings the same way. */
export interface BuyerLoadContext {
  ajv: Ajv;
  problems: ConfigProblem[];
  readSource<T>(file: string, validate: ValidateFunction<T>): YamlSource<T> | undefined;
  compileFile(baseDir: string, rel: string, from: YamlSource, pointer: string): CompiledMapping | undefined;
  compileInline(expr: string, from: YamlSource, pointer: string): CompiledMapping | undefined;
  readLookups(baseDir: string, files: Record<string, string>, from: YamlSource, pointer: string): Record<string, Record<string, unknown>>;
  /** the lock of the seller release of this name (mappings/releases/<release>/release.lock.yaml), if it has one */
  releaseLock(release: string): ReleaseLock | undefined;
}

/** buyer.yaml as validated (defaults filled in) */
type BuyerFile = FromSchema<typeof BUYER_SCHEMA>;
/** a buyer release.yaml as validated */
type BuyerReleaseFile = FromSchema<typeof BUYER_RELEASE_SCHEMA>;
type BuyerOperationFile = NonNullable<BuyerReleaseFile['operations']>[string];
/** A release's operation once its inheritance is resolved: an own one without `inherit` has all three (the schema's else) */
type RawBuyerOperation = BuyerOperationFile & Required<Pick<BuyerOperationFile, 'api' | 'method' | 'path'>>;

function isResolved(op: BuyerOperationFile): op is RawBuyerOperation {
  return op.api !== undefined && op.method !== undefined && op.path !== undefined;
}

const EMPTY: BuyerMappings = Object.freeze({
  operations: new Map(),
  routes: [],
  eventsByKind: new Map(),
  releases: new Map(),
});

/**
 * Reads `dir` (mappings/buyer): buyer.yaml and every releases/<release>/release.yaml. A missing folder means no
 * buyer side (an empty result). Problems go to `ctx.problems`; `lookups` are the tables buyer.yaml names.
 */
export function loadBuyerMappings(
  dir: string,
  ctx: BuyerLoadContext,
): { mappings: BuyerMappings; lookups: Record<string, Record<string, unknown>> } {
  const file = join(dir, 'buyer.yaml');
  if (!existsSync(file)) return { mappings: EMPTY, lookups: {} };
  const src = ctx.readSource(file, ctx.ajv.compile<BuyerFile>(BUYER_SCHEMA));
  if (!src) return { mappings: EMPTY, lookups: {} };
  const raw = src.data;
  const lookups = ctx.readLookups(dir, raw.lookups, src, '/lookups');
  const { operations, routes } = legacyOperations(dir, src, ctx);
  const events = raw.events ? ctx.compileFile(dir, raw.events.mapping, src, '/events/mapping') : undefined;
  const eventsByKind = new Map<string, CompiledMapping>();
  for (const [kind, file] of Object.entries(raw.events?.kinds ?? {})) {
    const compiled = ctx.compileFile(dir, file, src, `/events/kinds/${kind}`);
    if (compiled) eventsByKind.set(kind, compiled);
  }

  const releases = new Map<string, BuyerReleaseDef>();
  const releasesDir = join(dir, 'releases');
  const validateRelease = ctx.ajv.compile<BuyerReleaseFile>(BUYER_RELEASE_SCHEMA);
  for (const name of listDirs(releasesDir)) {
    const relDir = join(releasesDir, name);
    const relFile = join(relDir, 'release.yaml');
    if (!existsSync(relFile)) {
      ctx.problems.push({ file: relDir, message: 'buyer release folder without release.yaml' });
      continue;
    }
    const rsrc = ctx.readSource(relFile, validateRelease);
    if (rsrc) releases.set(name, loadBuyerRelease(name, relDir, rsrc, operations, validateRelease, ctx));
  }
  return {
    mappings: Object.freeze({ operations, routes: Object.freeze(routes), events, eventsByKind, releases }),
    lookups,
  };
}

/** The operations of buyer.yaml (the legacy side) and their routes, literal paths first. */
function legacyOperations(
  dir: string,
  src: YamlSource<BuyerFile>,
  ctx: BuyerLoadContext,
): { operations: Map<BuyerOperationName, BuyerLegacyOperation>; routes: BuyerRoute[] } {
  const operations = new Map<BuyerOperationName, BuyerLegacyOperation>();
  const routes: BuyerRoute[] = [];
  const seen = new Map<string, string>();
  for (const [name, op] of Object.entries(src.data.operations)) {
    // the schema allows no other names (propertyNames)
    if (!isBuyerOperation(name)) continue;
    const p = `/operations/${name}`;
    const opRoutes = op.routes.map((r, i) => {
      const { method, path } = routeOf(r);
      const key = `${method} ${path.replace(/\{[^}]*\}/g, '{}')}`;
      const other = seen.get(key);
      if (other) ctx.problems.push(src.problem(`${p}/routes/${i}`, `${r} is already a route of ${other}`));
      seen.set(key, name);
      if (/\{(?!id\})[^}]*\}/.test(path)) ctx.problems.push(src.problem(`${p}/routes/${i}`, 'the only path parameter is {id}'));
      const pattern = new RegExp(
        `^${path
          .split('{id}')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('([^/]+)')}/?$`,
        'i',
      ); // as Express matches
      return Object.freeze({ method, path, pattern, operation: name });
    });
    routes.push(...opRoutes);
    if (op.creates && !op.kind)
      ctx.problems.push(src.problem(`${p}/creates`, 'a create needs its kind (the id it gets is remembered by kind)'));
    operations.set(
      name,
      Object.freeze({
        name,
        routes: Object.freeze(opRoutes),
        idField: op.idField,
        kind: op.kind,
        creates: op.creates,
        changes: op.changes || op.creates,
        action: op.action,
        outcomeHint: op.outcomeHint,
        request: op.request ? ctx.compileFile(dir, op.request, src, `${p}/request`) : undefined,
        response: op.response ? ctx.compileFile(dir, op.response, src, `${p}/response`) : undefined,
      }),
    );
  }
  // a literal segment wins over {id} (POST /quotes/inquiry is not the quote "inquiry")
  routes.sort((a, b) => Number(a.path.includes('{id}')) - Number(b.path.includes('{id}')));
  return { operations, routes };
}

/** `GET /quotes/{id}` (the schema's pattern: GET or POST, a space, the path). */
function routeOf(route: string): { method: 'GET' | 'POST'; path: string } {
  const space = route.indexOf(' ');
  return { method: route.slice(0, space) === 'POST' ? 'POST' : 'GET', path: route.slice(space + 1) };
}

/** One buyer release (mappings/buyer/releases/<name>/release.yaml): its seller operations and listeners. */
function loadBuyerRelease(
  name: string,
  relDir: string,
  rsrc: YamlSource<BuyerReleaseFile>,
  operations: ReadonlyMap<BuyerOperationName, BuyerLegacyOperation>,
  validateRelease: ValidateFunction<BuyerReleaseFile>,
  ctx: BuyerLoadContext,
): BuyerReleaseDef {
  const r = rsrc.data;
  if (r.release !== name) ctx.problems.push(rsrc.problem('/release', `must equal the folder name "${name}"`));
  const inheritFrom = r.inherit?.from ?? '';
  const declared = declareOperations<BuyerOperationFile>({
    src: rsrc,
    dir: relDir,
    file: r,
    fileName: 'release.yaml',
    kind: 'release',
    problems: ctx.problems,
    pathFields: ['request', 'response'],
    patchFields: ['fieldPaths'],
    readSource: (f) => ctx.readSource(f, validateRelease),
    show: { folder: () => inheritFrom, file: () => `${inheritFrom}/release.yaml` },
  }).operations;
  const rawOps = new Map(declared.map((d) => [d.name, d.op]));
  const apiVersion = apiVersions(name, rsrc, ctx);
  const ops = new Map<BuyerOperationName, SellerOperationDef>();
  for (const { name: opName, op, src: opSrc, dir: opDir } of declared) {
    // the schema allows no other names, and an operation without api, method or path is refused by it
    if (!isBuyerOperation(opName) || !isResolved(op)) continue;
    const p = `/operations/${opName}`;
    const version = apiVersion.of(op.api, `operation ${opName}`, opSrc, `${p}/api`);
    if (!operations.has(opName)) ctx.problems.push(opSrc.problem(p, `buyer.yaml has no operation "${opName}"`));
    const query: Record<string, CompiledMapping> = {};
    for (const [q, expr] of Object.entries(op.query ?? {})) {
      const compiled = ctx.compileInline(expr, opSrc, `${p}/query/${q}`);
      if (compiled) query[q] = compiled;
    }
    ops.set(
      opName,
      Object.freeze({
        name: opName,
        release: name,
        api: op.api,
        version: version ?? 'v0',
        method: op.method,
        path: op.path,
        query: Object.freeze(query),
        prefetch: op.prefetch,
        request: op.request ? ctx.compileFile(opDir, op.request, opSrc, `${p}/request`) : undefined,
        response: op.response ? ctx.compileFile(opDir, op.response, opSrc, `${p}/response`) : undefined,
        statuses: Object.freeze([...(op.statuses ?? [200, 201])]),
        safeToRetry: op.safeToRetry,
        then: op.then,
        expand: op.expand && expandOf(op.expand, opSrc, `${p}/expand/ids`, ctx),
        // an inheriting operation's nulls are gone (merged); an own one's are refused by declareOperations
        fieldPaths: Object.freeze(Object.fromEntries(Object.entries(op.fieldPaths).filter((e): e is [string, string] => e[1] !== null))),
      }),
    );
  }
  for (const [opName, op] of ops) {
    if (op.expand && !rawOps.get(op.expand.operation))
      ctx.problems.push(rsrc.problem(`/operations/${opName}/expand/operation`, `this release has no operation "${op.expand.operation}"`));
    if (op.then && !rawOps.get(op.then))
      ctx.problems.push(rsrc.problem(`/operations/${opName}/then`, `this release has no operation "${op.then}"`));
    if (op.prefetch && !rawOps.get(op.prefetch))
      ctx.problems.push(rsrc.problem(`/operations/${opName}/prefetch`, `this release has no operation "${op.prefetch}"`));
    else if (op.prefetch && (op.prefetch === opName || rawOps.get(op.prefetch)?.prefetch))
      ctx.problems.push(rsrc.problem(`/operations/${opName}/prefetch`, `"${op.prefetch}" must be a plain read (no prefetch of its own)`));
  }
  const listeners = listenersOf(r, relDir, rsrc, { ops, apiVersion, lock: ctx.releaseLock(name) }, ctx);
  return Object.freeze({ name, apis: Object.freeze(apiVersion.known()), operations: ops, listeners });
}

/**
 * The versions of the management APIs a buyer release uses, each resolved once: the seller release's lock gives
 * them; `apis` in release.yaml may state them only where there is no lock, or must agree with it.
 */
function apiVersions(
  release: string,
  rsrc: YamlSource<BuyerReleaseFile>,
  ctx: BuyerLoadContext,
): {
  of(api: string, usedBy: string, src: YamlSource, pointer: string): string | undefined;
  known(): Record<string, string>;
} {
  const lock = ctx.releaseLock(release);
  const stated = rsrc.data.apis ?? {};
  const versions = new Map<string, string | undefined>();
  const resolve = (api: string, problems: ConfigProblem[], src: YamlSource, pointer: string): string | undefined =>
    resolveVersion(
      lock,
      { name: api, role: 'management', stated: stated[api], src, pointer, statedPointer: `/apis/${escapeToken(api)}` },
      problems,
    );
  // a stated version is checked against the lock even when no operation uses the API
  if (lock) for (const api of Object.keys(stated)) versions.set(api, resolve(api, ctx.problems, rsrc, `/apis/${escapeToken(api)}`));
  return {
    of(api, usedBy, src, pointer) {
      if (versions.has(api)) return versions.get(api);
      let version: string | undefined;
      if (lock) version = resolve(api, ctx.problems, src, pointer);
      else if (stated[api] !== undefined) version = stated[api];
      else ctx.problems.push(rsrc.problem('/apis', `API "${api}" (${usedBy}) is not listed under apis`));
      versions.set(api, version);
      return version;
    },
    known: () => Object.fromEntries([...versions].filter((e): e is [string, string] => e[1] !== undefined)),
  };
}

/** The release's listeners: per Buyer-side notification API, its events and mapping. */
function listenersOf(
  r: BuyerReleaseFile,
  relDir: string,
  rsrc: YamlSource,
  release: {
    ops: ReadonlyMap<BuyerOperationName, SellerOperationDef>;
    apiVersion: ReturnType<typeof apiVersions>;
    lock: ReleaseLock | undefined;
  },
  ctx: BuyerLoadContext,
): Map<string, ListenerDef> {
  const { ops, lock } = release;
  const listeners = new Map<string, ListenerDef>();
  for (const [notificationApi, l] of Object.entries(r.listeners)) {
    const p = `/listeners/${escapeToken(notificationApi)}`;
    const apiVersion = release.apiVersion.of(l.api, `listener ${notificationApi}`, rsrc, `${p}/api`);
    const version = resolveVersion(
      lock,
      { name: notificationApi, role: 'listener', stated: l.version, src: rsrc, pointer: p, statedPointer: `${p}/version` },
      ctx.problems,
    );
    for (const [eventType, e] of Object.entries(l.events)) {
      if (e.fetch && !ops.has(e.fetch))
        ctx.problems.push(rsrc.problem(`${p}/events/${eventType}/fetch`, `this release has no operation "${e.fetch}"`));
    }
    const mapping = ctx.compileFile(relDir, l.mapping, rsrc, `${p}/mapping`);
    if (!mapping) continue;
    listeners.set(
      notificationApi,
      Object.freeze({
        notificationApi,
        // a missing version is a problem reported above, so the registry is never built: '' stands in
        version: version ?? '',
        api: l.api,
        apiVersion: apiVersion ?? 'v0',
        mapping,
        events: new Map(Object.entries(l.events).map(([k, v]) => [k, Object.freeze({ ...v })])),
      }),
    );
  }
  return listeners;
}

function expandOf(
  e: { operation: BuyerOperationName; ids: string; into: string },
  from: YamlSource,
  pointer: string,
  ctx: BuyerLoadContext,
): SellerOperationDef['expand'] {
  const ids = ctx.compileInline(e.ids, from, pointer);
  return ids && Object.freeze({ operation: e.operation, ids, into: e.into });
}

/**
 * OAuth scopes a seller partner's token carries for our listener routes: `listenTo<EventType>` for every event its
 * release's listeners accept (MEF's security profile names listener scopes this way).
 */
export function listenerScopes(release: BuyerReleaseDef | undefined): string[] {
  const scopes = new Set<string>();
  for (const l of release?.listeners.values() ?? []) for (const eventType of l.events.keys()) scopes.add(listenerScope(eventType));
  return [...scopes].sort();
}

/** `productOrderStateChangeEvent` -> `listenToProductOrderStateChangeEvent`. */
export function listenerScope(eventType: string): string {
  return `listenTo${eventType.charAt(0).toUpperCase()}${eventType.slice(1)}`;
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
    .sort();
}
