/** Why a mapping failed; callers pick the HTTP/Sonata rendering from this. */
export type MappingErrorKind = 'compile' | 'evaluate' | 'timeout' | 'depth' | 'rejected';

/** The Sonata 422 `code` values a mapping may use with `$reject()`. */
export const REJECTION_CODES = [
  'missingProperty',
  'invalidValue',
  'invalidFormat',
  'referenceNotFound',
  'unexpectedProperty',
  'otherIssue',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** The one `$reject()` code that is not a 422 problem: the input was made against a stale version (409 conflict). */
export const CONFLICT_CODE = 'conflict';

/**
 * The `$reject()` code that answers 404: the thing asked for exists, but not for this partner (a catalogue offering
 * its profile may not buy). The partner learns no more than for an id that does not exist.
 */
export const NOT_FOUND_CODE = 'notFound';

/** A mapping's deliberate refusal of its input, rendered by the caller as one Sonata 422 entry. */
export interface MappingRejection {
  /** One of {@link REJECTION_CODES}. */
  code: string;
  /** JSON pointer into the partner's request body, e.g. `/submittedGeographicAddress/country`. */
  propertyPath: string;
  /** Human-readable explanation, safe to return to the partner. */
  reason: string;
}

/** Everything needed to build a {@link MappingError}. */
export interface MappingErrorInit {
  kind: MappingErrorKind;
  /** Mapping file path as given at compile time. */
  file: string;
  /** The failure itself, without location (e.g. JSONata's message). */
  detail: string;
  /** 1-based line in the mapping source. */
  line?: number;
  /** 1-based column in the mapping source. */
  column?: number;
  /** JSONata error code such as `S0202`, `T2001`, `D1011`, `D1012`. */
  jsonataCode?: string;
  /** Present only for kind `rejected`. */
  rejection?: MappingRejection;
  /** The original error, kept for logs. */
  cause?: unknown;
}

/**
 * Failure while compiling or evaluating a mapping. The message (and `toString()`) starts with
 * `file:line:col` because integrators fix mappings from that line alone.
 */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  readonly kind: MappingErrorKind;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly jsonataCode?: string;
  readonly rejection?: MappingRejection;
  /** The failure without location prefix, e.g. `Expected "}", got "bar"`. */
  readonly detail: string;

  constructor(init: MappingErrorInit) {
    super(formatMappingError(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.file = init.file;
    this.detail = init.detail;
    // Assigned conditionally so absent fields stay absent (deep-equal and log output stay clean).
    if (init.line !== undefined) this.line = init.line;
    if (init.column !== undefined) this.column = init.column;
    if (init.jsonataCode !== undefined) this.jsonataCode = init.jsonataCode;
    if (init.rejection !== undefined) this.rejection = { ...init.rejection };
  }

  /** "partners/acme/mappings/x.jsonata:3:14 S0202 Expected ..." */
  override toString(): string {
    return this.message;
  }
}

function formatMappingError(init: MappingErrorInit): string {
  let location = init.file;
  if (init.line !== undefined) {
    location += `:${init.line}`;
    if (init.column !== undefined) location += `:${init.column}`;
  }
  const code = init.jsonataCode ?? (init.kind === 'rejected' ? 'rejected' : undefined);
  return code === undefined ? `${location} ${init.detail}` : `${location} ${code} ${init.detail}`;
}
