import type { ValidateFunction } from 'ajv';
import type { BoundedValidator } from '../validation/bounded-validation.js';
import type { CompiledMapping } from '../mapping/engine.js';
import type { LookupTables } from '../mapping/lookups.js';
import type { BuyerMappings } from './buyer-mappings.js';
import type { NotificationCatalog } from './notification-catalog.js';
import type { BusinessFunction } from './registry-schemas.js';
import type { NotServed, ReleaseLock } from './release-lock.js';

export type FunctionMode = 'automated' | 'manual' | 'disabled';

/** What an operation does; `kinds.ts` maps each to how it runs. */
export type OperationKind = OperationDef['kind'];

/** The fields every Sonata operation of one release has, whatever its kind, with everything compiled. */
export interface OperationBase {
  readonly operationId: string;
  readonly release: string;
  readonly apiName: string;
  readonly version: string;
  readonly method: string;
  readonly path: string;
  readonly pathPattern: RegExp;
  readonly pathParams: readonly string[];
  readonly function: BusinessFunction;
  readonly scope: string;
  readonly status: number;
  readonly statusExpression?: CompiledMapping;
  /** our own schema of the request body (fail-fast, with a bounded full report of a refusal) */
  readonly requestSchema?: BoundedValidator;
  readonly request?: CompiledMapping;
  readonly response?: CompiledMapping;
  readonly legacyFieldPaths: Readonly<Record<string, string>>;
  readonly productPaths: readonly string[];
  readonly refusalStatus: 400 | 422;
  /** constant `$name` values the operation's mappings see (`bindings` in api.yaml) */
  readonly bindings: Readonly<Record<string, unknown>>;
}

/** `call`: translate and call the legacy BSS (`source: backend`), optionally keeping the answer. */
export interface BackendCallOperation extends OperationBase {
  readonly kind: 'call';
  readonly source: 'backend';
  readonly backend: string;
  readonly persist?: { readonly collection: string; readonly when?: CompiledMapping };
  /** the response mapping returns `{items, total}`, answered as a paged list with pagination headers */
  readonly listAnswer: boolean;
  /** the compiled query schema and the parameter names it accepts (its `properties`) */
  readonly querySchema?: ValidateFunction;
  readonly queryParameters: readonly string[];
}

/** `call` with `source: store`: answers the partner's own kept copy from `collection`. */
export interface StoreCallOperation extends Omit<BackendCallOperation, 'source' | 'backend'> {
  readonly source: 'store';
  readonly collection: string;
}

export type CallOperation = BackendCallOperation | StoreCallOperation;

/** An operation on a resource the gateway keeps (mappings/resources/<resource>.yaml). */
export interface ResourceOperationBase extends OperationBase {
  readonly resource: string;
}

export interface CreateOperation extends ResourceOperationBase {
  readonly kind: 'create';
  /** the legacy operation called in `automated` mode (none: kept only) */
  readonly backend?: string;
  /** kept documents the request refers to, checked and bound as `$references` (empty: none) */
  readonly references: readonly ReferenceDef[];
}

export interface RetrieveOperation extends ResourceOperationBase {
  readonly kind: 'retrieve';
  /** path parameter or body pointer (`/...`) holding the id */
  readonly target: string;
}

export interface ListOperation extends ResourceOperationBase {
  readonly kind: 'list';
  /** list filters by query parameter; `values`: the spec's enumeration (others are 400 invalidQuery) */
  readonly filters: Readonly<
    Record<string, { readonly field: string; readonly op: 'eq' | 'gt' | 'lt'; readonly values?: readonly string[] }>
  >;
}

export interface ActionOperation extends ResourceOperationBase {
  readonly kind: 'action';
  /** path parameter or body pointer (`/...`) holding the id */
  readonly target: string;
  readonly allowedStates?: readonly string[];
  readonly nextState?: string;
  /** the legacy operation called in `automated` mode (none: kept only) */
  readonly backend?: string;
}

export type ResourceOperation = CreateOperation | RetrieveOperation | ListOperation | ActionOperation;

/** A pass-through route to a configured upstream. */
export interface ProxyOperation extends OperationBase {
  readonly kind: 'proxy';
  readonly upstream: string;
}

/** `POST /hub` of a management API. */
export interface HubRegisterOperation extends OperationBase {
  readonly kind: 'hubRegister';
}

/** `GET /hub/{id}` of a management API. */
export interface HubRetrieveOperation extends OperationBase {
  readonly kind: 'hubRetrieve';
}

/** `DELETE /hub/{id}` of a management API. */
export interface HubDeleteOperation extends OperationBase {
  readonly kind: 'hubDelete';
}

export type HubOperation = HubRegisterOperation | HubRetrieveOperation | HubDeleteOperation;

/** An optional operation this seller does not offer (501). */
export interface NotImplementedOperation extends OperationBase {
  readonly kind: 'notImplemented';
}

/** One Sonata operation of one release, with everything compiled; `kind` says which fields it has. */
export type OperationDef = CallOperation | ResourceOperation | ProxyOperation | HubOperation | NotImplementedOperation;

/**
 * A reference from a create request to another kept document of the same partner (an order item's quote item, a
 * cancel request's order). Pointers with `*` match every array element; `{i}`, `{j}` in `requestPath` are the
 * indices the `*`s of `idPath` matched.
 */
export interface ReferenceDef {
  /** key under `$references` in the legacy mappings */
  readonly name: string;
  readonly resource: string;
  /** JSON pointer into the unified request to the referenced document's id */
  readonly idPath: string;
  /** JSON pointer (same wildcards) to the id of one of the referenced document's items */
  readonly itemIdPath?: string;
  readonly allowedStates?: readonly string[];
  readonly allowedItemStates?: readonly string[];
  /** JSON pointer into the referenced document to an ISO date-time; later than that it counts as expired */
  readonly expiryPath?: string;
  /** JSON pointer into the partner's request named by 422s */
  readonly requestPath: string;
  /** legacy path parameter filled with the referenced document's legacyRef */
  readonly legacyPathParam?: string;
  /** the request names the document version it was made against (`path`, unified request) as kept at `documentPath` */
  readonly version?: { readonly path: string; readonly documentPath: string; readonly requestPath: string };
}

/** A Sonata resource the gateway keeps (mappings/resources/<name>.yaml). */
export interface ResourceDef {
  readonly name: string;
  readonly api: string;
  readonly path: string;
  readonly initialState: string;
  readonly terminalStates: readonly string[];
  readonly events: {
    /** sent when a document is adopted from a legacy report (adoptFromLegacy), e.g. workOrderCreateEvent */
    readonly created?: string;
    readonly stateChange?: string;
    readonly itemStateChange?: string;
    /** event sent when a status report creates a document (`parent` in the update) */
    readonly create?: string;
    /** state -> event sent (besides stateChange) when the resource enters it */
    readonly stateEntered?: Readonly<Record<string, string>>;
    /** item field -> event sent when an update sets or changes it */
    readonly itemFieldSet?: Readonly<Record<string, string>>;
    /** item field -> resource-level event sent when the latest value over all items changes */
    readonly latestItemFieldSet?: Readonly<Record<string, string>>;
  };
  readonly maxListScan: number;
  /** documents of other resources derived from this one after each status change (e.g. products from orders) */
  readonly projections: readonly { readonly resource: string; readonly mapping: CompiledMapping }[];
  /** a due time (JSON pointer into the document) by which it must leave `whileStates`, else `update` applies */
  readonly deadline?: ResourceDeadline;
  /**
   * objects the legacy BSS creates by itself (work orders, appointments): a status report about an unknown legacy
   * reference that names its `customerId` creates the document for the partner with that customer number
   */
  readonly adoptFromLegacy?: boolean;
}

/** A resource's response window (a charge's responseDueDate): see mappings/resources/<name>.yaml `deadline`. */
export interface ResourceDeadline {
  readonly field: string;
  readonly whileStates: readonly string[];
  /** document -> the update applied when the time passed */
  readonly update: CompiledMapping;
  /** legacy operation told first (its request mapping sees the update, `$resource` = the document) */
  readonly backend?: string;
}

/** Turns one legacy status report into unified resource updates (mappings/legacy/<domain>/operations.yaml `events`). */
export interface LegacyEventHandler {
  readonly domain: string;
  readonly when: CompiledMapping;
  readonly mapping: CompiledMapping;
  readonly sequence?: CompiledMapping;
  /** per partner: is it told about a broadcast update (true) or not; absent = every partner with the function */
  readonly audience?: CompiledMapping;
}

export interface ApiDef {
  readonly name: string;
  readonly version: string;
  readonly operations: readonly OperationDef[];
}

export interface ReleaseDef {
  readonly name: string;
  /** the release's folder (mappings/releases/<name>) */
  readonly dir: string;
  readonly aliases: readonly string[];
  readonly sdkFolder: string;
  readonly apis: ReadonlyMap<string, ApiDef>;
  /** what the official files declare (release.lock.yaml); undefined for a release without a lock file */
  readonly lock?: ReleaseLock;
  /** release.yaml `notServed`: operations of the official files not served, with the reason */
  readonly notServed: NotServed;
}

export interface LegacyOperationDef {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly request?: CompiledMapping;
  readonly response?: CompiledMapping;
  readonly safeToRetry: boolean;
}

/** At most `points` requests per `durationSeconds` window (partner.yaml `limits:`, config `limits.partner`). */
export interface RateLimitPolicy {
  readonly points: number;
  readonly durationSeconds: number;
}

/** A partner's catalogue policy (partner.yaml `policy.catalog`): the offerings it may see, by id, category or specification. */
export interface CatalogPolicy {
  readonly offerings?: readonly string[];
  readonly categories?: readonly string[];
  readonly productSpecifications?: readonly string[];
}

export interface PartnerDef {
  readonly id: string;
  readonly name: string;
  readonly role: 'buyer' | 'seller' | 'both';
  readonly dir: string;
  readonly file: string;
  /** default release, plus per-API overrides */
  readonly release: string;
  readonly apiReleases: Readonly<Record<string, string>>;
  readonly buyerId?: string;
  readonly sellerId?: string;
  readonly testEnvironment: boolean;
  readonly legacyCustomerId?: string;
  readonly policy: Readonly<{ pilotCountries?: readonly string[]; budgetaryQuotes: boolean; catalog?: CatalogPolicy }>;
  readonly allowedCallbackHosts: readonly string[];
  /** browser origins allowed to call our Sonata APIs for this partner (`cors.allowedOrigins`, lower case) */
  readonly allowedOrigins: readonly string[];
  /** hub subscriptions allowed per management API (`notifications.maxSubscriptions`) */
  readonly maxSubscriptions: number;
  /** request quotas from `limits:`; absent entries fall back to the gateway's `limits.partner` */
  readonly limits: Readonly<{ default?: RateLimitPolicy; perApi: Readonly<Record<string, RateLimitPolicy>> }>;
  /** Standard Webhooks secrets its notifications are signed with (notifications.signingSecretEnv); empty = unsigned */
  readonly notificationSigningSecrets: readonly string[];
  /** how we reach the partner's own Sonata APIs when we buy from it (role seller or both) */
  readonly seller?: Readonly<{
    baseUrl: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    scope?: string;
    timeoutMs: number;
    serves: Readonly<{ countries?: readonly string[]; products?: readonly string[] }>;
    /** the partner's dialect per buyer operation: `request` adapts our wire body, `response` its answer */
    mappings: ReadonlyMap<string, { readonly request?: CompiledMapping; readonly response?: CompiledMapping }>;
  }>;
  readonly clientId: string;
  /** '' when the partner authenticates with a key only */
  readonly clientSecret: string;
  /** public keys for private_key_jwt client authentication (RFC 7523): inline JWKS or its URL */
  readonly clientKeys?: Readonly<{ jwks?: { readonly keys: readonly Record<string, unknown>[] }; jwksUri?: string }>;
  /** the partner's client id at an external identity provider (matched against auth.externalIssuers[].partnerClaim) */
  readonly externalSubject?: string;
  readonly functions: ReadonlyMap<BusinessFunction, FunctionMode>;
  readonly mappings: ReadonlyMap<string, { readonly request?: CompiledMapping; readonly response?: CompiledMapping }>;
  readonly lookups: LookupTables;
}

/** One fixture file and the compiled mapping it exercises. */
export interface FixtureRef {
  readonly file: string;
  readonly ownerDir: string;
  readonly partnerId?: string;
}

/** An immutable snapshot of everything loaded from partners/ and mappings/. Reload swaps the whole thing. */
export interface Registry {
  readonly loadedAt: Date;
  /** content hash of the snapshot (files of mappings/ and of each partner as loaded), 16 hex digits */
  readonly hash: string;
  /** content hash of each partner folder as loaded (a partner kept at its last good state keeps its hash) */
  readonly partnerHashes: ReadonlyMap<string, string>;
  readonly releases: ReadonlyMap<string, ReleaseDef>;
  readonly legacy: ReadonlyMap<string, LegacyOperationDef>;
  readonly legacyEvents: readonly LegacyEventHandler[];
  readonly resources: ReadonlyMap<string, ResourceDef>;
  readonly partners: ReadonlyMap<string, PartnerDef>;
  readonly sharedLookups: LookupTables;
  /** every compiled mapping by absolute file path (fixtures and the CLI find them here) */
  readonly mappingsByFile: ReadonlyMap<string, CompiledMapping>;
  /** every compiled mapping, files and inline expressions (`file#/pointer`), in load order: how each one runs */
  readonly mappings: readonly CompiledMapping[];
  readonly fixtures: readonly FixtureRef[];
  /** the buyer side (mappings/buyer): legacy purchase requests <-> unified model <-> seller release wires */
  readonly buyer: BuyerMappings;
  /** notification catalogues (mappings/releases/<r>/notifications.yaml) by release name and alias */
  readonly notifications: ReadonlyMap<string, NotificationCatalog>;
  partnerByClientId(clientId: string): PartnerDef | undefined;
  /** the release a partner speaks for an API */
  releaseFor(partner: PartnerDef, apiName: string): ReleaseDef | undefined;
}
