/** JSON schemas of the registry's data files; validated at load with file:line:col problems. */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export const BUSINESS_FUNCTIONS = [
  'addressValidation',
  'siteRetrieval',
  'productOfferingQualification',
  'quote',
  'productOrder',
  'productInventory',
  'troubleTicket',
  'billing',
  'productCatalog',
  'productOfferingAvailabilityAndPricingDiscovery',
  'circuitImpairment',
  'workOrder',
  'appointment',
] as const;
export type BusinessFunction = (typeof BUSINESS_FUNCTIONS)[number];

export function isBusinessFunction(name: string): name is BusinessFunction {
  return BUSINESS_FUNCTIONS.some((f) => f === name);
}

/** one rate-limit policy: at most `points` requests per `durationSeconds` window */
const rateLimitPolicy = {
  type: 'object',
  additionalProperties: false,
  required: ['points', 'durationSeconds'],
  properties: {
    points: { type: 'integer', minimum: 1, maximum: 1000000 },
    durationSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
  },
} as const;

const mappingPair = {
  type: 'object',
  additionalProperties: false,
  properties: { request: { type: 'string' }, response: { type: 'string' } },
} as const;

/** how a partner may call one business function */
const functionAccess = {
  type: 'object',
  additionalProperties: false,
  properties: { mode: { enum: ['automated', 'manual', 'disabled'], default: 'automated' } },
} as const;

/** partners/<id>/partner.yaml */
export const PARTNER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'role', 'release', 'credentials', 'functions'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
    name: { type: 'string', minLength: 1 },
    role: { enum: ['buyer', 'seller', 'both'] },
    release: { type: 'string' },
    apiReleases: { type: 'object', additionalProperties: { type: 'string' } },
    buyerId: { type: 'string', minLength: 1 },
    sellerId: { type: 'string', minLength: 1 },
    testEnvironment: { type: 'boolean', default: false },
    /** the partner's customer number in the legacy BSS */
    legacyCustomerId: { type: 'string', minLength: 1 },
    /** business policy, visible to mappings as $policy (e.g. pilotCountries, budgetaryQuotes) */
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        pilotCountries: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } },
        budgetaryQuotes: { type: 'boolean', default: true },
        /**
         * the product catalogue offerings this partner may see and buy (productCatalog lists and retrieves, catalogue
         * notifications): an offering listed by id, filed under a listed category or built on a listed product
         * specification. Absent: the whole catalogue (docs/unified-model.md "Product catalogue").
         */
        catalog: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            offerings: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
            categories: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
            productSpecifications: { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } },
          },
        },
      },
      default: {},
    },
    /** when the partner sells to us (role seller or both): how the gateway reaches its Sonata APIs */
    seller: {
      type: 'object',
      additionalProperties: false,
      required: ['baseUrl', 'tokenUrl', 'clientId', 'clientSecretEnv'],
      properties: {
        /**
         * the partner's server base; Sonata paths (/mefApi/sonata/...) are appended. `embedded`: a simulated seller
         * the gateway starts in process (demo and test environments only, config buyer.embeddedSellers)
         */
        baseUrl: { type: 'string', pattern: '^(embedded|https?://.+)$' },
        /** the partner's OAuth 2.0 token endpoint (client credentials); `embedded` with an embedded baseUrl */
        tokenUrl: { type: 'string', pattern: '^(embedded|https?://.+)$' },
        clientId: { type: 'string', minLength: 1 },
        /** name of the environment variable holding our client secret at the partner */
        clientSecretEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
        scope: { type: 'string' },
        timeoutMs: { type: 'integer', minimum: 100, default: 10000 },
        /** routing: what this seller serves (countries ISO alpha-2, product URNs); empty = anything */
        serves: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            countries: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } },
            products: { type: 'array', items: { type: 'string' } },
          },
        },
        /** the partner's dialect on the buyer side: per buyer operation (mappings/buyer), wire -> its wire and back */
        mappings: { type: 'object', additionalProperties: mappingPair, default: {} },
      },
    },
    notifications: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /**
         * hosts the partner may register as hub callbacks: exact host, *.domain wildcard, optional :port; a private or
         * loopback address is only ever delivered to when its exact host:port is listed (src/outbound/callback-guard.ts)
         */
        allowedCallbackHosts: {
          type: 'array',
          items: { type: 'string', pattern: '^(\\*\\.)?(\\[[0-9a-fA-F:.]+\\]|[^:\\[\\]\\s/]+)(:[0-9]{1,5})?$' },
          default: [],
        },
        /**
         * environment variables holding the partner's Standard Webhooks secrets (`whsec_<base64>`); two during a
         * rotation (every notification then carries both signatures); none = unsigned notifications
         */
        signingSecretEnv: {
          type: 'array',
          maxItems: 2,
          uniqueItems: true,
          items: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
          default: [],
        },
        /** hub subscriptions the partner may hold per management API; one more is refused like a barred host */
        maxSubscriptions: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
      },
      default: {},
    },
    /**
     * browser apps of the partner that may call our Sonata APIs (docs/operations.md "CORS"): exact origins, scheme and
     * host and optional port, no path (`https://portal.acme.example`); no wildcard
     */
    cors: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowedOrigins: {
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$' },
          default: [],
        },
      },
      default: {},
    },
    /**
     * request quotas on our seller APIs (docs/operations.md "Rate limits"): `default` applies to each API separately,
     * `perApi` overrides it by API name; both fall back to the gateway's `limits.partner` (config)
     */
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: rateLimitPolicy,
        perApi: { type: 'object', additionalProperties: rateLimitPolicy, default: {} },
      },
      default: {},
    },
    credentials: {
      type: 'object',
      additionalProperties: false,
      required: ['clientId'],
      properties: {
        clientId: { type: 'string', minLength: 3 },
        /** name of the environment variable holding the secret; secrets are never written in the file */
        clientSecretEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
        /** the partner's public keys (a JWKS) for private_key_jwt client assertions */
        jwks: {
          type: 'object',
          required: ['keys'],
          properties: {
            keys: {
              type: 'array',
              minItems: 1,
              items: { type: 'object', required: ['kty'], properties: { kty: { enum: ['RSA', 'EC', 'OKP'] } } },
            },
          },
        },
        /** where the partner publishes those keys instead */
        jwksUri: { type: 'string', pattern: '^https?://.+' },
        /** the partner's client id at an external identity provider (auth.externalIssuers[].partnerClaim) */
        externalSubject: { type: 'string', minLength: 1 },
      },
    },
    /** business functions this partner may call on our seller APIs (empty for a seller-only partner) */
    functions: {
      type: 'object',
      additionalProperties: false,
      // one per business function, written out so that the file's type (PartnerFile) knows them
      properties: {
        addressValidation: functionAccess,
        siteRetrieval: functionAccess,
        productOfferingQualification: functionAccess,
        quote: functionAccess,
        productOrder: functionAccess,
        productInventory: functionAccess,
        troubleTicket: functionAccess,
        billing: functionAccess,
        productCatalog: functionAccess,
        productOfferingAvailabilityAndPricingDiscovery: functionAccess,
        circuitImpairment: functionAccess,
        workOrder: functionAccess,
        appointment: functionAccess,
      } satisfies Record<BusinessFunction, typeof functionAccess>,
    },
    mappings: { type: 'object', additionalProperties: mappingPair },
    lookups: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** One `references` entry of a create operation (see OperationDef.references). */
const referenceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'idPath', 'requestPath'],
  properties: {
    /** key under `$references` (default: the resource name) */
    name: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9]*$' },
    /** the kept resource referred to (mappings/resources/<resource>.yaml) */
    resource: { type: 'string' },
    /** JSON pointer into the unified request holding the referenced id; `*` = every array element */
    idPath: { type: 'string', pattern: '^/' },
    /** JSON pointer (same `*`s as idPath) holding the id of an item of the referenced document */
    itemIdPath: { type: 'string', pattern: '^/' },
    /** the referenced document must be in one of these states */
    allowedStates: { type: 'array', items: { type: 'string' }, minItems: 1 },
    /** the referenced item must be in one of these states */
    allowedItemStates: { type: 'array', items: { type: 'string' }, minItems: 1 },
    /** JSON pointer into the referenced document to an ISO date-time after which it counts as expired */
    expiryPath: { type: 'string', pattern: '^/' },
    /** where the reference sits in the partner's request, for 422s; `{i}`, `{j}` = the indices the `*`s matched */
    requestPath: { type: 'string', pattern: '^/' },
    /** the (first) referenced document's legacyRef fills this path parameter of the legacy operation */
    legacyPathParam: { type: 'string', pattern: '^[A-Za-z0-9_]+$' },
    /**
     * the version of the referenced document the request was made against: the value at `path` (pointer into the
     * unified request, same `*`s as idPath) must be the document's at `documentPath`; another is 422 invalidValue
     * at `requestPath`. Not checked when either is absent.
     */
    version: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'documentPath', 'requestPath'],
      properties: {
        path: { type: 'string', pattern: '^/' },
        documentPath: { type: 'string', pattern: '^/' },
        requestPath: { type: 'string', pattern: '^/' },
      },
    },
  },
} as const;

/**
 * legacyFieldPaths (seller side, RC 8 refusals): a JSON pointer into the partner's request -> the legacy field, or
 * list of legacy fields, made from it; keys and names are checked at load (src/registry/field-paths.ts)
 */
const legacyFieldPathsSchema = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    ],
  },
} as const;

const operationSchema = {
  type: 'object',
  additionalProperties: false,
  // `inherit: true` (or `inherit: <operation>`) takes the operation of this name (or that one) from the API's inherit.from; the fields written here replace its
  if: { properties: { inherit: true }, required: ['inherit'] },
  then: {},
  else: { properties: { method: true, path: true, function: true }, required: ['method', 'path', 'function'] },
  properties: {
    inherit: { anyOf: [{ const: true }, { type: 'string', minLength: 1 }] },
    // constant `$name` values this operation's mappings see (a release difference an inherited mapping reads)
    bindings: { type: 'object', propertyNames: { pattern: '^[a-z][A-Za-z0-9]*$' } },
    method: { enum: ['GET', 'POST', 'PATCH', 'DELETE'] },
    path: { type: 'string', pattern: '^/' },
    function: { enum: [...BUSINESS_FUNCTIONS] },
    scope: { type: 'string' },
    status: { type: 'integer', minimum: 200, maximum: 299, default: 200 },
    statusExpression: { type: 'string' },
    requestSchema: { type: 'string' },
    request: { type: 'string' },
    backend: { type: 'string' },
    response: { type: 'string' },
    source: { enum: ['backend', 'store'], default: 'backend' },
    collection: { type: 'string' },
    /**
     * call: translate + legacy call (default); create/retrieve/list/action: a resource the gateway keeps
     * (mappings/resources/<resource>.yaml); hubRegister/hubRetrieve/hubDelete: notification subscriptions;
     * notImplemented: an optional Sonata operation this seller does not offer (501 notImplemented, as the spec says)
     */
    kind: {
      enum: ['call', 'create', 'retrieve', 'list', 'action', 'hubRegister', 'hubRetrieve', 'hubDelete', 'proxy', 'notImplemented'],
      default: 'call',
    },
    /** proxy: the named upstream (config `upstreams`) that already speaks this Sonata API; no mapping */
    upstream: { type: 'string' },
    resource: { type: 'string' },
    /**
     * list: query parameter -> { field: JSON pointer in the unified resource, op: eq|gt|lt, values: the values the
     * release's spec enumerates for it (any other value is 400 invalidQuery, not an empty list) }
     */
    filters: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: {
          field: { type: 'string', pattern: '^/' },
          op: { enum: ['eq', 'gt', 'lt'], default: 'eq' },
          values: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
        },
      },
    },
    /** action: where the resource id is: a path parameter name, or a JSON pointer into the body */
    target: { type: 'string' },
    /** action: the unified states the resource must be in, else 409/422 */
    allowedStates: { type: 'array', items: { type: 'string' } },
    /** action: the state the resource moves to (before any legacy answer changes it) */
    nextState: { type: 'string' },
    /**
     * the status for a refused request body: 422 (default, with propertyPath entries); 400 where the release's
     * spec declares no 422 for the operation (e.g. Grace's POST /hub), the problems then go into the message
     */
    refusalStatus: { enum: [400, 422], default: 422 },
    /** where product payloads (productConfiguration) sit in the request: JSON pointers, `*` = every element */
    productPaths: { type: 'array', items: { type: 'string', pattern: '^/' } },
    /**
     * create: other kept documents of the same partner the request refers to (an order item's quote item, a
     * cancel request's order); checked before the legacy call, passed to the legacy mappings as `$references`
     */
    references: { type: 'array', items: referenceSchema },
    persist: {
      type: 'object',
      additionalProperties: false,
      required: ['collection'],
      properties: { collection: { type: 'string' }, when: { type: 'string' } },
    },
    /** this operation's own entries, on top of its API's (the same legacy field: this one wins) */
    legacyFieldPaths: legacyFieldPathsSchema,
    /**
     * call: the response mapping returns `{ items: [...], total: n }`; the gateway answers the items array with the
     * pagination headers, after validating `offset`/`limit` (mappings see them as `$page`)
     */
    listAnswer: { type: 'boolean', default: false },
    /**
     * call: our own JSON schema of the query parameters besides offset, limit, buyerId and sellerId (its
     * `properties` are the accepted names); violations -> 400 invalidQuery
     */
    querySchema: { type: 'string' },
  },
} as const;

/** mappings/releases/<release>/release.yaml: the release itself; its APIs live in <api>/api.yaml beside it */
export const RELEASE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['release'],
  properties: {
    release: { type: 'string', pattern: '^[a-z]+$' },
    aliases: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, default: [] },
    description: { type: 'string' },
    /** folder of the official spec files for this release inside the SDK folder (conformance) */
    sdkFolder: { type: 'string' },
    /** operations of the official files (release.lock.yaml) not served: `<api>: reason` or `<api>: {<operationId>: reason}` */
    notServed: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          { type: 'string', minLength: 10 },
          { type: 'object', minProperties: 1, additionalProperties: { type: 'string', minLength: 10 } },
        ],
      },
    },
  },
} as const;

/**
 * `inherit` of a file that takes the operations of another release's file (api.yaml on the seller side, release.yaml
 * on the buyer side): `from` names the other file's folder, `except` the operations (as `operationName` allows) left out.
 */
export function inheritSchema<const N extends JSONSchema>(operationName: N) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['from'],
    properties: {
      from: { type: 'string', minLength: 1 },
      except: { type: 'array', uniqueItems: true, items: operationName },
    },
  } as const;
}

/** mappings/releases/<release>/<apiName>/api.yaml: one Sonata API of a release; file paths relative to its folder */
export const API_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // the API's major: the release's lock (release.lock.yaml) gives it; stated only by a release without a lock (a
    // stated one must agree with the lock)
    version: { type: 'string', pattern: '^v[0-9]+$' },
    // an API that is wire-identical to another release's for most operations takes those operations from it:
    // `from` is that API's folder (relative to this one); its operations keep their own files; `except` drops
    // some; an operation of the same name under `operations` here replaces the inherited one whole, or with
    // `inherit: true` only in the fields it writes.
    inherit: inheritSchema({ type: 'string', minLength: 1 }),
    /**
     * what every operation of the API (and of an API inheriting this one) names in RC 8 refusals: partner
     * pointer -> legacy field(s); an heir's own entries and an operation's own go on top
     */
    legacyFieldPaths: legacyFieldPathsSchema,
    operations: { type: 'object', additionalProperties: operationSchema },
  },
} as const;

/** mappings/legacy/<domain>/operations.yaml: legacy BSS operations of one domain; file paths relative to its folder */
export const LEGACY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['operations'],
  properties: {
    /**
     * status reports of this domain (callbacks and the polled event journal): `when` is a JSONata predicate
     * on a legacy event; `mapping` turns a matching event into unified resource updates
     */
    events: {
      type: 'object',
      additionalProperties: false,
      required: ['when', 'mapping'],
      properties: {
        when: { type: 'string' },
        mapping: { type: 'string' },
        /** JSONata giving the event's sequence number: older reports than the last applied one are ignored */
        sequence: { type: 'string' },
        /**
         * mapping deciding, per partner with the business function of a `broadcast` update (a change of something
         * every partner may see, such as a catalogue offering), whether that partner is told: evaluated on the
         * broadcast's `subject` with the partner's bindings ($policy, $partnerId); true = notified
         */
        audience: { type: 'string' },
      },
    },
    operations: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['method', 'path'],
        properties: {
          method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
          path: { type: 'string', pattern: '^/' },
          request: { type: 'string' },
          response: { type: 'string' },
          safeToRetry: { type: 'boolean', default: false },
        },
      },
    },
  },
} as const;

/** lookups: a flat map of key -> value */
export const LOOKUP_SCHEMA = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean', 'object', 'array'] },
} as const;

/** mappings/resources/<resource>.yaml: a Sonata resource the gateway keeps (ids, states, history, events) */
export const RESOURCE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'api', 'path'],
  properties: {
    resource: { type: 'string', pattern: '^[a-zA-Z]+$' },
    /** management API name used in notification events */
    api: { type: 'string' },
    /** path of the resource under its API base, e.g. /quote (hrefs and events use path + '/' + id) */
    path: { type: 'string', pattern: '^/' },
    initialState: { type: 'string', default: 'acknowledged' },
    terminalStates: { type: 'array', items: { type: 'string' }, default: [] },
    events: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** event sent when a document is adopted from a legacy report (adoptFromLegacy) */
        created: { type: 'string' },
        stateChange: { type: 'string' },
        itemStateChange: { type: 'string' },
        /** event sent when a status report creates a document (a charge the BSS raised on an order: chargeCreateEvent) */
        create: { type: 'string' },
        /** state -> event sent (besides stateChange) when the resource enters that state, e.g. resolved -> troubleTicketResolvedEvent */
        stateEntered: { type: 'object', additionalProperties: { type: 'string' } },
        /** item field -> event sent when an update sets or changes it, e.g. expectedCompletionDate -> productOrderItemExpectedCompletionDateSet */
        itemFieldSet: { type: 'object', additionalProperties: { type: 'string' } },
        /** item field -> resource event when the latest value over all items changes (Billie's order expectedCompletionDate) */
        latestItemFieldSet: { type: 'object', additionalProperties: { type: 'string' } },
      },
      default: {},
    },
    /** list: at most this many resources per partner are scanned for filters (older ones are not listed) */
    maxListScan: { type: 'integer', minimum: 10, default: 2000 },
    /**
     * objects the legacy BSS creates by itself (work orders, appointments): a status report about an unknown legacy
     * reference with a `customerId` creates the document (id = the legacy reference) for the partner with that
     * legacy customer number, in the reported state, and sends `events.created`
     */
    adoptFromLegacy: { type: 'boolean', default: false },
    /**
     * documents of another resource derived from this one (e.g. inventory products from completed orders): after a
     * status report or task completion changes a document, `mapping` (path relative to mappings/resources/) turns
     * it into `[{id, legacyRef?, state?, changeReason?, fields}]`; an entry with `state` creates a missing
     * document in that state, any entry updates the fields of an existing one (same partner)
     */
    projections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['resource', 'mapping'],
        properties: { resource: { type: 'string' }, mapping: { type: 'string' } },
      },
      default: [],
    },
    /**
     * a time by which the document must leave `whileStates` (a charge's responseDueDate): the due time is kept in
     * the store and a sweep applies `update` (mapping relative to mappings/resources/: document -> update) when it
     * passes, after telling the legacy BSS through `backend` (legacy operation; `$resource` = the document)
     */
    deadline: {
      type: 'object',
      additionalProperties: false,
      required: ['field', 'whileStates', 'update'],
      properties: {
        field: { type: 'string', pattern: '^/' },
        whileStates: { type: 'array', items: { type: 'string' }, minItems: 1 },
        update: { type: 'string' },
        backend: { type: 'string' },
      },
    },
  },
} as const;

// the files' types once validated (defaults filled in by the loader's Ajv, so a property with a default is present)
/** partners/<id>/partner.yaml */
export type PartnerFile = FromSchema<typeof PARTNER_SCHEMA>;
/** one operation of an api.yaml as written (an inheriting one may leave out method, path and function) */
export type ApiOperationFile = NonNullable<ApiFile['operations']>[string];
export type ApiFile = FromSchema<typeof API_SCHEMA>;
export type ReleaseFile = FromSchema<typeof RELEASE_SCHEMA>;
export type LegacyFile = FromSchema<typeof LEGACY_SCHEMA>;
export type ResourceFile = FromSchema<typeof RESOURCE_SCHEMA>;
export type LookupFile = FromSchema<typeof LOOKUP_SCHEMA>;
