/** The gateway's own settings (config/default.yaml overlaid by config/<env>.yaml). */
export interface GatewayConfig {
  readonly env: string;
  readonly rootDir: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly maxJsonDepth: number;
    readonly shutdownGraceMs: number;
    readonly publicBaseUrl?: string;
  };
  readonly auth: {
    readonly issuer: string;
    readonly tokenTtlSeconds: number;
    readonly signingSecret: string;
  };
  readonly store: { readonly redisUrl?: string; readonly prefix: string };
  readonly legacy: {
    /** base URL of the legacy BSS, or "embedded" to start the simulator in process */
    readonly baseUrl: string;
    readonly apiKey: string;
    readonly timeoutMs: number;
    readonly simulatorDataDir: string;
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
  readonly internal: {
    /** key the legacy BSS and operators send as X-Internal-Api-Key on /internal routes */
    readonly apiKey: string;
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
  readonly logging: { readonly level: string; readonly format: 'json' | 'pretty' };
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
      },
    },
    internal: {
      type: 'object',
      additionalProperties: false,
      required: ['apiKey'],
      properties: { apiKey: { type: 'string', minLength: 16 } },
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
        shutdownGraceMs: { type: 'integer', minimum: 0, default: 10000 },
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
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        redisUrl: { type: 'string', pattern: '^(|rediss?://.+)$' },
        prefix: { type: 'string', default: 'sgw:' },
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
        simulatorDataDir: { type: 'string', default: 'config/legacy-bss-sim' },
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
        engine: { type: 'string', enum: ['compiled', 'interpreted'], default: 'compiled' },
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
