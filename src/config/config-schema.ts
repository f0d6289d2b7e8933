import type { BreakerSettings } from '../outbound/circuit-breakers.js';
import type { RetrySettings } from '../outbound/retry-backoff.js';

/** The gateway's own settings (config/default.yaml overlaid by config/<env>.yaml). */
export interface GatewayConfig {
  readonly env: string;
  readonly rootDir: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly maxJsonDepth: number;
    /** longest array a request body may hold anywhere (checked before any schema runs) */
    readonly maxArrayItems: number;
    /** most JSON values (members, items, the body itself) a request body may hold: bounds what every schema and mapping costs */
    readonly maxBodyValues: number;
    /** the http server's slow-client limits (node:http headersTimeout, requestTimeout, keepAliveTimeout) and connection cap */
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly maxConnections: number;
    readonly shutdownGraceMs: number;
    /** on shutdown, /readyz answers 503 this long while requests are still served, so load balancers stop first */
    readonly shutdownDelayMs: number;
    /** a second listener for /metrics, /readyz detail and the operator parts of /internal (0: a free port) */
    readonly adminPort?: number;
    readonly publicBaseUrl?: string;
  };
  readonly auth: {
    readonly issuer: string;
    readonly tokenTtlSeconds: number;
    readonly signingSecret: string;
    /** our token endpoint's URL as partners address it: an accepted `aud` of private_key_jwt client assertions */
    readonly tokenEndpointUrl?: string;
    /** identity providers whose access tokens the Sonata routes accept besides ours */
    readonly externalIssuers: readonly ExternalIssuerConfig[];
  };
  readonly store: { readonly redisUrl?: string; readonly prefix: string; readonly commandTimeoutMs: number; readonly connectTimeoutMs: number };
  readonly legacy: {
    /** base URL of the legacy BSS, or "embedded" to start the simulator in process */
    readonly baseUrl: string;
    readonly apiKey: string;
    readonly timeoutMs: number;
    /** retries of operations marked safeToRetry (jittered exponential backoff) */
    readonly retry: RetrySettings;
    /** circuit breaker in front of the BSS: fail fast with 503 + Retry-After while it keeps failing */
    readonly breaker: BreakerSettings;
    /** request headers passed through to the legacy BSS (test environments: the simulator's X-Sim-Fault) */
    readonly forwardHeaders: readonly string[];
    /** HMAC secret of the legacy BSS's status callbacks; when unset, callbacks are not signature-checked */
    readonly callbackSecret?: string;
    /** how status changes arrive: by callback to /internal/legacy/events, by polling the event journal, or both */
    readonly statusUpdates: 'callback' | 'poll' | 'both';
    readonly pollIntervalMs: number;
    /** the embedded simulator (baseUrl "embedded"): how fast it moves orders, tickets and deferred requests on */
    readonly simulator: { readonly autoAdvanceMs: number; readonly deferredDelayMs: number };
  };
  /** backends that already speak a Sonata API; `kind: proxy` operations pass requests through to them */
  readonly upstreams: Readonly<Record<string, { readonly baseUrl: string; readonly timeoutMs: number }>>;
  /** product payload schemas: a catalogue (@type -> schema file) and the folder the files are in */
  readonly products: { readonly catalog: string; readonly schemaDir: string };
  readonly notifications: {
    readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
    readonly timeoutMs: number;
  };
  /** rate limits (src/pipeline/rate-limits.ts; docs/operations.md "Rate limits"), counted in Redis when store.redisUrl is set */
  readonly limits: {
    /** per partner and API, unless the partner's `limits:` says otherwise */
    readonly partner: { readonly points: number; readonly durationSeconds: number };
    /** `/oauth2/token` per client id and per source address; a refused request (401) costs `failureCost` points */
    readonly token: { readonly points: number; readonly durationSeconds: number; readonly failureCost: number };
    /** `/internal` per source address; a missing or wrong X-Internal-Api-Key costs `failureCost` points */
    readonly internal: { readonly points: number; readonly durationSeconds: number; readonly failureCost: number };
  };
  /** idempotent creates (src/pipeline/idempotency.ts): Idempotency-Key answers kept, externalId replay window */
  readonly idempotency: {
    readonly keyTtlMs: number;
    readonly externalIdWindowMs: number;
    /** creates (operationIds) deduplicated on externalId without a key; not POQ/quote, where Sonata buyers reuse one reference */
    readonly externalIdOperations: readonly string[];
    readonly leaseMs: number;
  };
  readonly internal: {
    /** key the legacy BSS and operators send as X-Internal-Api-Key on /internal routes (every scope) */
    readonly apiKey?: string;
    /** keys per internal client, each limited to scopes, with up to two secrets (rotation) */
    readonly keys: readonly { readonly id: string; readonly scopes: readonly ('legacy-events' | 'tasks' | 'dead-letters' | 'buyer' | 'activity')[]; readonly secrets: readonly string[] }[];
  };
  /**
   * the activity log (src/observability/activity-log.ts): each partner request with its chain of hops, for the console
   * and `sonata-gateway trace` / `replay`; bodies redacted and capped, records expire
   */
  readonly activity: {
    readonly enabled: boolean;
    readonly ttlSeconds: number;
    readonly maxBodyBytes: number;
    readonly maxPerPartner: number;
    /** object keys (case-insensitive, at any depth) and JSON pointers (`*`: one segment, `**`: any) whose values are hidden */
    readonly redact: { readonly keys: readonly string[]; readonly pointers: readonly string[] };
  };
  /** the buyer side: the legacy BSS buys from partner sellers (src/buyer, mappings/buyer) */
  readonly buyer: {
    /** the legacy BSS's webhook for sellers' notifications (empty: they are logged, not forwarded) */
    readonly legacyWebhookUrl: string;
    /** HMAC-SHA256 key of the webhook's X-Gateway-Signature header (empty: unsigned) */
    readonly legacyWebhookSecret: string;
    /** base URL sellers reach our listeners at (empty: server.publicBaseUrl, else the listening address) */
    readonly callbackBaseUrl: string;
    /** start simulated sellers in process for partners whose seller.baseUrl is `embedded` (demo and test only) */
    readonly embeddedSellers: boolean;
    /** embedded sellers move open orders one step this often (0: only their /_sim control does) */
    readonly embeddedSellerAdvanceMs: number;
    /** check sellers' notifications against the official OpenAPI files (sdkDir); without the SDK only the envelope */
    readonly validateNotifications: boolean;
    /** retries of seller calls that are safe to repeat (reads, hub deletes) */
    readonly sellerRetry: RetrySettings;
    /** one circuit breaker per seller partner, with these settings */
    readonly sellerBreaker: BreakerSettings;
  };
  readonly mapping: {
    readonly deadlineMs: number;
    readonly maxDepth: number;
    /** `compiled` (default): mappings run as compiled JavaScript, each falling back to the interpreter if need be */
    readonly engine: 'compiled' | 'interpreted';
    /** longest one compiled evaluation may hold the event loop before it is re-run in the (yielding) interpreter */
    readonly syncSliceMs: number;
  };
  readonly paths: { readonly partners: string; readonly mappings: string };
  readonly reload: { readonly watch: boolean; readonly debounceMs: number };
  readonly sdkDir?: string;
  /** validation of Sonata traffic against the official specs in sdkDir */
  readonly conformance: { readonly mode: 'enforce' | 'report' | 'off'; readonly requireSdk: boolean };
  /** bounds on the cost of validating a body and on the size of a 422 answer */
  readonly validation: { readonly maxErrors: number };
  readonly logging: { readonly level: string; readonly format: 'json' | 'pretty' };
  /** the integrator's web console on the admin listener (src/console, docs/console.md); off without a session secret */
  readonly console: ConsoleConfig;
}

/** `console:` of the config: sign-in (local users file, the operator's IdP) and the session cookie. */
export interface ConsoleConfig {
  /** HMAC key of the session cookie (CONSOLE_SESSION_SECRET or its _FILE); empty: the console is off */
  readonly sessionSecret: string;
  /** how long a sign-in lasts */
  readonly sessionTtlMinutes: number;
  /** local users (`{ name, role, passwordHash }`, made by `sonata-gateway console-user`); empty: no local sign-in */
  readonly usersFile: string;
  /** failed local sign-ins allowed per source address and per user name within `durationSeconds` */
  readonly signInLimit: { readonly points: number; readonly durationSeconds: number };
  /** the folder the built browser app is served from (`npm run build`: dist/console) */
  readonly staticDir: string;
  /** sign-in at the operator's identity provider (authorization code + PKCE) */
  readonly oauth2?: ConsoleOAuth2Config;
}

/** The operator's OAuth 2.0 / OpenID Connect identity provider for console sign-in. */
export interface ConsoleOAuth2Config {
  readonly authorizationURL: string;
  readonly tokenURL: string;
  /** where the user's claims are read with the access token (OpenID Connect userinfo) */
  readonly userInfoURL: string;
  readonly clientID: string;
  /** empty for a public client (PKCE only) */
  readonly clientSecret: string;
  /** this console's callback as registered at the IdP: `https://<admin host>/console/auth/oauth2/callback` */
  readonly callbackURL: string;
  readonly scope: readonly string[];
  /** claim holding the user's name (default `preferred_username`, then `sub`) */
  readonly nameClaim: string;
  /** claim holding the user's roles or groups (a string or a list) */
  readonly roleClaim: string;
  /** values of `roleClaim` that make a user an editor */
  readonly editorRoles: readonly string[];
  /** user names that are editors whatever their claims */
  readonly editors: readonly string[];
}

const RETRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    attempts: { type: 'integer', minimum: 1, maximum: 10, default: 2 },
    baseDelayMs: { type: 'integer', minimum: 1, maximum: 60000, default: 100 },
    maxDelayMs: { type: 'integer', minimum: 1, maximum: 600000, default: 1000 },
  },
} as const;

const BREAKER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true },
    volumeThreshold: { type: 'integer', minimum: 1, maximum: 100000, default: 5 },
    errorThresholdPercentage: { type: 'integer', minimum: 0, maximum: 99, default: 50 },
    resetTimeoutMs: { type: 'integer', minimum: 50, maximum: 3600000, default: 10000 },
    rollingWindowMs: { type: 'integer', minimum: 100, maximum: 3600000, default: 60000 },
  },
} as const;

/** An external identity provider (OAuth 2.0 authorization server) whose JWT access tokens partners may present. */
export interface ExternalIssuerConfig {
  /** the `iss` of its tokens */
  readonly issuer: string;
  /** where its signing keys are published (JWKS); fetched on demand, again when a token names an unknown `kid` */
  readonly jwksUri: string;
  /** accepted `aud` values (at least one must be in the token) */
  readonly audience: readonly string[];
  /** the claim that names the client: matched against `partners` here, then partners' `credentials.externalSubject` */
  readonly partnerClaim: string;
  /** claim value -> partner id */
  readonly partners: Readonly<Record<string, string>>;
  /** `token`: the token's `scope`/`scp` claim, limited to what the partner may call; `partner`: all the partner may call */
  readonly scopes: 'token' | 'partner';
  readonly algorithms: readonly string[];
  /** least time between two JWKS fetches caused by unknown `kid`s */
  readonly jwksCooldownMs: number;
}

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['server', 'auth', 'store', 'legacy', 'internal', 'mapping', 'paths', 'reload', 'logging'],
  properties: {
    products: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        catalog: { type: 'string', default: 'mappings/products/demo-catalog.yaml' },
        schemaDir: { type: 'string', default: 'mappings/products/schemas' },
      },
    },
    notifications: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        retry: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            attempts: { type: 'integer', minimum: 1, maximum: 1000, default: 25 },
            baseDelayMs: { type: 'integer', minimum: 1, default: 5000 },
            maxDelayMs: { type: 'integer', minimum: 1, default: 3600000 },
          },
        },
        timeoutMs: { type: 'integer', minimum: 100, default: 10000 },
      },
    },
    upstreams: {
      type: 'object',
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['baseUrl'],
        properties: { baseUrl: { type: 'string', pattern: '^(|https?://.+)$' }, timeoutMs: { type: 'integer', minimum: 50, default: 5000 } },
      },
    },
    buyer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        legacyWebhookUrl: { type: 'string', pattern: '^(|https?://.+)$', default: '' },
        legacyWebhookSecret: { type: 'string', default: '' },
        callbackBaseUrl: { type: 'string', pattern: '^(|https?://.+)$', default: '' },
        embeddedSellers: { type: 'boolean', default: false },
        embeddedSellerAdvanceMs: { type: 'integer', minimum: 0, default: 0 },
        validateNotifications: { type: 'boolean', default: true },
        sellerRetry: RETRY_SCHEMA,
        sellerBreaker: BREAKER_SCHEMA,
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        partner: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            points: { type: 'integer', minimum: 1, maximum: 1000000, default: 50 },
            durationSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 1 },
          },
        },
        token: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            points: { type: 'integer', minimum: 1, maximum: 1000000, default: 60 },
            durationSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
            failureCost: { type: 'integer', minimum: 1, maximum: 1000000, default: 10 },
          },
        },
        internal: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            points: { type: 'integer', minimum: 1, maximum: 1000000, default: 6000 },
            durationSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
            failureCost: { type: 'integer', minimum: 1, maximum: 1000000, default: 200 },
          },
        },
      },
    },
    idempotency: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        keyTtlMs: { type: 'integer', minimum: 1000, default: 86400000 },
        externalIdWindowMs: { type: 'integer', minimum: 0, default: 86400000 },
        externalIdOperations: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['createProductOrder', 'createTroubleTicket'] },
        leaseMs: { type: 'integer', minimum: 1000, default: 60000 },
      },
    },
    activity: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        ttlSeconds: { type: 'integer', minimum: 1, maximum: 2592000, default: 86400 },
        maxBodyBytes: { type: 'integer', minimum: 0, maximum: 10485760, default: 65536 },
        maxPerPartner: { type: 'integer', minimum: 1, maximum: 100000, default: 500 },
        redact: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            keys: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
            pointers: { type: 'array', items: { type: 'string', pattern: '^(/[^/]*)+$' }, default: [] },
          },
        },
      },
    },
    internal: {
      type: 'object',
      additionalProperties: false,
      anyOf: [{ properties: { apiKey: { type: 'string' } }, required: ['apiKey'] }, { properties: { keys: { type: 'array', minItems: 1 } }, required: ['keys'] }],
      properties: {
        apiKey: { type: 'string', minLength: 16 },
        keys: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'scopes', 'secrets'],
            properties: {
              id: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' },
              scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['legacy-events', 'tasks', 'dead-letters', 'buyer', 'activity'] } },
              // an empty string is an unset ${VAR:-} (no second secret yet); a set secret has 16 characters at least
              secrets: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string', pattern: '^(|[^]{16,})$' } },
            },
          },
          default: [],
        },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        bodyLimitBytes: { type: 'integer', minimum: 1024, default: 262144 },
        maxJsonDepth: { type: 'integer', minimum: 2, maximum: 512, default: 32 },
        maxArrayItems: { type: 'integer', minimum: 1, default: 1000 },
        maxBodyValues: { type: 'integer', minimum: 100, default: 50000 },
        headersTimeoutMs: { type: 'integer', minimum: 100, default: 10000 },
        requestTimeoutMs: { type: 'integer', minimum: 100, default: 30000 },
        keepAliveTimeoutMs: { type: 'integer', minimum: 100, default: 65000 },
        maxConnections: { type: 'integer', minimum: 1, default: 10000 },
        shutdownGraceMs: { type: 'integer', minimum: 0, default: 10000 },
        shutdownDelayMs: { type: 'integer', minimum: 0, default: 0 },
        adminPort: { type: 'integer', minimum: 0, maximum: 65535 },
        publicBaseUrl: { type: 'string', format: 'uri' },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['signingSecret'],
      properties: {
        issuer: { type: 'string', default: 'sonata-gateway' },
        tokenTtlSeconds: { type: 'integer', minimum: 30, maximum: 86400, default: 300 },
        signingSecret: { type: 'string', minLength: 32 },
        tokenEndpointUrl: { type: 'string', format: 'uri' },
        externalIssuers: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer', 'jwksUri', 'audience'],
            properties: {
              issuer: { type: 'string', minLength: 1 },
              jwksUri: { type: 'string', pattern: '^https?://.+' },
              audience: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
              partnerClaim: { type: 'string', minLength: 1, default: 'azp' },
              partners: { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, default: {} },
              scopes: { enum: ['token', 'partner'], default: 'token' },
              algorithms: {
                type: 'array', minItems: 1,
                items: { enum: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] },
                default: ['RS256', 'PS256', 'ES256', 'EdDSA'],
              },
              jwksCooldownMs: { type: 'integer', minimum: 0, default: 30000 },
            },
          },
        },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        redisUrl: { type: 'string', pattern: '^(|rediss?://.+)$' },
        prefix: { type: 'string', default: 'sgw:' },
        commandTimeoutMs: { type: 'integer', minimum: 10, maximum: 60000, default: 500 },
        connectTimeoutMs: { type: 'integer', minimum: 10, maximum: 60000, default: 500 },
      },
    },
    legacy: {
      type: 'object',
      additionalProperties: false,
      required: ['baseUrl', 'apiKey'],
      properties: {
        baseUrl: { type: 'string', pattern: '^(embedded|https?://.+)$' },
        apiKey: { type: 'string', minLength: 8 },
        timeoutMs: { type: 'integer', minimum: 50, default: 5000 },
        retry: RETRY_SCHEMA,
        breaker: BREAKER_SCHEMA,
        forwardHeaders: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+$' }, default: [] },
        callbackSecret: { type: 'string', minLength: 16 },
        statusUpdates: { enum: ['callback', 'poll', 'both'], default: 'callback' },
        pollIntervalMs: { type: 'integer', minimum: 100, default: 5000 },
        simulator: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            autoAdvanceMs: { type: 'integer', minimum: 0, default: 0 },
            deferredDelayMs: { type: 'integer', minimum: 0, default: 2000 },
          },
        },
      },
    },
    mapping: {
      type: 'object',
      additionalProperties: false,
      properties: {
        deadlineMs: { type: 'integer', minimum: 1, maximum: 10000, default: 200 },
        maxDepth: { type: 'integer', minimum: 10, maximum: 10000, default: 200 },
        engine: { type: 'string', enum: ['compiled', 'interpreted'], default: 'interpreted' },
        syncSliceMs: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
      },
    },
    paths: {
      type: 'object',
      additionalProperties: false,
      properties: {
        partners: { type: 'string', default: 'partners' },
        mappings: { type: 'string', default: 'mappings' },
      },
    },
    reload: {
      type: 'object',
      additionalProperties: false,
      properties: {
        watch: { type: 'boolean', default: true },
        debounceMs: { type: 'integer', minimum: 0, maximum: 5000, default: 150 },
      },
    },
    sdkDir: { type: 'string' },
    validation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxErrors: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
      },
    },
    conformance: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mode: { enum: ['enforce', 'report', 'off'], default: 'off' },
        /** refuse to start when the SDK folder is missing (otherwise: warn and switch validation off) */
        requireSdk: { type: 'boolean', default: false },
      },
    },
    console: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        sessionSecret: { type: 'string', pattern: '^(|[^]{32,})$', default: '' },
        sessionTtlMinutes: { type: 'integer', minimum: 1, maximum: 10080, default: 480 },
        usersFile: { type: 'string', default: '' },
        signInLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            points: { type: 'integer', minimum: 1, maximum: 1000000, default: 5 },
            durationSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
          },
        },
        staticDir: { type: 'string', default: 'dist/console' },
        oauth2: {
          type: 'object',
          additionalProperties: false,
          required: ['authorizationURL', 'tokenURL', 'userInfoURL', 'clientID', 'callbackURL'],
          properties: {
            authorizationURL: { type: 'string', pattern: '^https?://.+' },
            tokenURL: { type: 'string', pattern: '^https?://.+' },
            userInfoURL: { type: 'string', pattern: '^https?://.+' },
            clientID: { type: 'string', minLength: 1 },
            clientSecret: { type: 'string', default: '' },
            callbackURL: { type: 'string', pattern: '^https?://.+' },
            scope: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['openid', 'profile'] },
            nameClaim: { type: 'string', minLength: 1, default: 'preferred_username' },
            roleClaim: { type: 'string', minLength: 1, default: 'groups' },
            editorRoles: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
            editors: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
          },
        },
      },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['error', 'warn', 'info', 'debug'], default: 'info' },
        format: { enum: ['json', 'pretty'], default: 'json' },
      },
    },
  },
} as const;
