/**
 * The buyer side's error catalogue: every refusal or failure the legacy BSS can get from `/internal/buyer` is
 * listed here with its result code (RC), outcome and message template, and rendered in one place
 * ({@link renderBuyerError}). docs/errors.md documents each entry (a test keeps them in step). The seller side's
 * catalogue (Sonata errors) is `src/errors/catalogue.ts`.
 *
 * A key is the `ERR_CODE` on the wire, unless its entry names another `errCode`: one wire code then has variants
 * that differ in RC, outcome or wording (`seller.timeout` of a read vs. of a create whose outcome is unknown).
 * Templates name their values as `{name}`; {@link buyerError} demands exactly those (checked by the compiler).
 */

/** A legacy result code the buyer side answers with (the BSS's own envelope). */
export type LegacyResultCode = 4 | 8 | 12;

/** What happened to the request at the seller, as far as the gateway knows. */
export type SellerOutcome = 'NOT_DONE' | 'UNKNOWN';

export interface BuyerCatalogueEntry {
  readonly rc: LegacyResultCode;
  /** null: not about a purchase (an unknown route, a gateway fault whose effect is not known) */
  readonly outcome: SellerOutcome | null;
  readonly message: string;
  /** the `ERR_CODE` on the wire when it is not the key */
  readonly errCode?: string;
}

const UNKNOWN_OUTCOME = 'the outcome is unknown, the {action} may or may not have taken effect at {seller}. {checkHint}';

export const BUYER_ERROR_CATALOGUE = {
  // the BSS's request, refused by the gateway
  'request.malformed': { rc: 8, outcome: 'NOT_DONE', message: 'malformed request' },
  'request.malformed.not-object': {
    rc: 8,
    outcome: 'NOT_DONE',
    message: 'malformed request: the body must be a JSON object',
    errCode: 'request.malformed',
  },
  'request.unknown-field': { rc: 8, outcome: 'NOT_DONE', message: 'unknown field {field}' },
  'request.missing-field': { rc: 8, outcome: 'NOT_DONE', message: '{field} is required' },
  'request.rejected': { rc: 8, outcome: 'NOT_DONE', message: '{reason}' },
  'request.unknown-function': { rc: 4, outcome: null, message: 'function unknown: {method} /internal/buyer{path}' },
  'request.not-offered': { rc: 4, outcome: 'NOT_DONE', message: 'the buyer side does not offer the {action}' },
  'request.unknown-seller': {
    rc: 8,
    outcome: 'NOT_DONE',
    message: 'SELLER {id} is not a seller partner (sellers: {sellers})',
  },
  'request.which-seller': {
    rc: 8,
    outcome: 'NOT_DONE',
    message: 'several sellers hold a {kind} {id} ({holders}); name one with SELLER',
  },
  'request.which-seller.none': {
    rc: 4,
    outcome: 'NOT_DONE',
    message: 'no seller is known to hold {kind} {id}; name it with SELLER',
    errCode: 'request.which-seller',
  },
  'route.no-seller': { rc: 8, outcome: 'NOT_DONE', message: 'no seller partner serves {wanted}; name one with SELLER' },
  'route.several-sellers': {
    rc: 8,
    outcome: 'NOT_DONE',
    message: 'several seller partners serve {wanted} ({candidates}); name one with SELLER',
  },
  // the BSS's Idempotency-Key (src/pipeline/idempotency.ts says why, in `message`)
  'idempotency.invalid-key': { rc: 8, outcome: 'NOT_DONE', message: '{message}' },
  'idempotency.key-reused': { rc: 8, outcome: 'NOT_DONE', message: '{message}' },
  'idempotency.external-id-reused': { rc: 8, outcome: 'NOT_DONE', message: '{message}' },
  'idempotency.in-flight': { rc: 12, outcome: 'UNKNOWN', message: '{message}' },
  // the gateway
  'gateway.store': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: "the gateway's state store is not reachable; try again later",
  },
  'gateway.store.name-seller': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: "the gateway's state store is not reachable; name the seller with SELLER or try again later",
    errCode: 'gateway.store',
  },
  'gateway.mapping': {
    rc: 12,
    outcome: null,
    message: 'the gateway could not translate the message ({where}); report it',
  },
  'gateway.unexpected': {
    rc: 12,
    outcome: null,
    message: 'the gateway failed unexpectedly; report it with the X-Request-Id',
  },
  'listener.unknown': { rc: 4, outcome: null, message: 'no listener {api}/{eventType} for {seller}' },
  // the seller (classifySellerFailure, src/buyer/seller-failure.ts)
  'seller.not-offered': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} (release {release}) is not offered the {action} through the gateway',
  },
  'seller.not-configured': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} cannot be reached from this gateway: {detail}',
  },
  'seller.unreachable': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} is not reachable ({detail}); nothing was sent, try again later',
  },
  'seller.circuit-open': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} failed repeatedly and is not called for the next {seconds} s; nothing was sent, try again later',
  },
  'seller.token': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} did not give the gateway an access token ({detail}); nothing was sent, try again later',
  },
  'seller.timeout': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} did not answer the {action} within {afterMs} ms; try again later',
  },
  'seller.timeout.outcome-unknown': {
    rc: 12,
    outcome: 'UNKNOWN',
    message: `seller {seller} did not answer the {action} within {afterMs} ms: ${UNKNOWN_OUTCOME}`,
    errCode: 'seller.timeout',
  },
  'seller.reset': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} dropped the connection during the {action} ({detail}); try again later',
  },
  'seller.reset.outcome-unknown': {
    rc: 12,
    outcome: 'UNKNOWN',
    message: `seller {seller} dropped the connection during the {action} ({detail}): ${UNKNOWN_OUTCOME}`,
    errCode: 'seller.reset',
  },
  'seller.unreadable-answer': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} sent an answer to the {action} that could not be read ({detail})',
  },
  'seller.unreadable-answer.outcome-unknown': {
    rc: 12,
    outcome: 'UNKNOWN',
    errCode: 'seller.unreadable-answer',
    message: `seller {seller} accepted the {action} (HTTP {status}) but its answer could not be read ({detail}): ${UNKNOWN_OUTCOME}`,
  },
  'seller.rejected-input': { rc: 8, outcome: 'NOT_DONE', message: 'seller {seller} refused the {action}: {issues}' },
  'seller.refused': { rc: 8, outcome: 'NOT_DONE', message: 'seller {seller} refused the {action}: {reason}' },
  'seller.not-found': {
    rc: 4,
    outcome: 'NOT_DONE',
    message: 'seller {seller} does not know it: {action} answered not found{saying}',
  },
  'seller.conflict': {
    rc: 8,
    outcome: 'NOT_DONE',
    message: "seller {seller} refused the {action} in the object's current state{saying}",
  },
  'seller.bad-request': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: "seller {seller} refused the gateway's request for the {action} as malformed{saying}; this is a gateway fault, report it",
  },
  'seller.credentials': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: "seller {seller} refused the gateway's credentials (HTTP {status}){saying}; check the partner's seller clientId/secret",
  },
  'seller.not-implemented': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} does not offer the {action} (HTTP 501){saying}',
  },
  'seller.system-error': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} failed the {action} with HTTP {status}{saying}; try again later',
  },
  'seller.unexpected-status': {
    rc: 12,
    outcome: 'NOT_DONE',
    message: 'seller {seller} answered the {action} with unexpected HTTP {status}{saying}',
  },
} as const satisfies Record<string, BuyerCatalogueEntry>;

export type BuyerErrorKey = keyof typeof BUYER_ERROR_CATALOGUE;

/** The `{name}`s of a template, as a union of strings. */
type TemplateVars<S extends string> = S extends `${string}{${infer N}}${infer R}` ? N | TemplateVars<R> : never;
/** The values {@link buyerError} needs for an entry: exactly its template's names. */
export type BuyerErrorVars<K extends BuyerErrorKey> = Record<TemplateVars<(typeof BUYER_ERROR_CATALOGUE)[K]['message']>, string | number>;

/** A refusal or failure answered to the legacy BSS; made by {@link buyerError}, rendered by {@link renderBuyerError}. */
export class BuyerError extends Error {
  readonly rc: LegacyResultCode;
  /** the legacy field at fault (`LINES[0].BW_MBPS`), or null when the request as a whole is refused */
  readonly field: string | null;
  readonly seller: string | null;
  /** stable machine-readable code, e.g. `seller.timeout` */
  readonly code: string;
  readonly outcome: SellerOutcome | null;

  constructor(
    rc: LegacyResultCode,
    message: string,
    opts: {
      code: string;
      field?: string | null;
      seller?: string | null;
      outcome?: SellerOutcome | null;
      cause?: unknown;
    },
  ) {
    super(message, { cause: opts.cause });
    this.name = 'BuyerError';
    this.rc = rc;
    this.code = opts.code;
    this.field = opts.field ?? null;
    this.seller = opts.seller ?? null;
    this.outcome = opts.outcome ?? null;
  }
}

/** Where an error points: the BSS field at fault, the seller concerned, the error behind it (logged, never sent). */
export interface BuyerErrorContext {
  field?: string | null;
  seller?: string | null;
  cause?: unknown;
}

/** The catalogue entry `key` with its template filled from `vars`. */
export function buyerError<K extends BuyerErrorKey>(key: K, vars: BuyerErrorVars<K>, at: BuyerErrorContext = {}): BuyerError {
  const entry: BuyerCatalogueEntry = BUYER_ERROR_CATALOGUE[key];
  const values = vars as Record<string, string | number>;
  const message = entry.message.replace(/\{(\w+)\}/g, (_m, name: string) => String(values[name]));
  return new BuyerError(entry.rc, message, {
    code: entry.errCode ?? key,
    outcome: entry.outcome,
    field: at.field,
    seller: at.seller,
    cause: at.cause,
  });
}

/** The legacy answer for an error: `RC`, `MSG` first, then the details; fields never omitted. */
export function renderBuyerError(err: BuyerError): Record<string, unknown> {
  return {
    RC: err.rc,
    MSG: err.message.slice(0, 1000),
    ERR_FIELD: err.field,
    SELLER: err.seller,
    ERR_CODE: err.code,
    OUTCOME: err.outcome,
  };
}
