/**
 * How a failed call to a partner seller is told to the legacy BSS: one pure function from what went wrong to a
 * legacy answer (RC 4 not found, RC 8 input refused naming the legacy field, RC 12 system error), always naming
 * the seller and, for a create whose fate is unknown, saying so and how to check.
 */

/** A legacy result code the buyer side answers with (the BSS's own envelope). */
export type LegacyResultCode = 4 | 8 | 12;

/** What happened to the request at the seller, as far as the gateway knows. */
export type SellerOutcome = 'NOT_DONE' | 'UNKNOWN';

/** One Sonata Error422 entry. */
export interface SellerIssue {
  code?: string;
  propertyPath?: string;
  reason?: string;
  message?: string;
}

/** What went wrong talking to a seller, before it is turned into a legacy answer. */
export type SellerFailure =
  /** nothing reached the seller: refused, DNS, connect timeout */
  | { kind: 'connect'; detail: string }
  /** the request was sent but no (complete) answer came in time */
  | { kind: 'timeout'; detail: string; afterMs: number }
  /** the connection broke after the request was sent */
  | { kind: 'reset'; detail: string }
  /** the seller's token endpoint would not give us a token (nothing was sent to the API) */
  | { kind: 'token'; detail: string }
  /** the seller's circuit breaker is open: it failed repeatedly, the gateway sent nothing */
  | { kind: 'circuit-open'; detail: string; retryAfterMs: number }
  /** an HTTP error answer; `error` is the parsed Sonata error body (an array for 422) when there was one */
  | { kind: 'http'; status: number; error?: { code?: string; reason?: string; message?: string } | SellerIssue[] }
  /** a success status whose body the gateway cannot read or translate */
  | { kind: 'bad-body'; status: number; detail: string }
  /** the seller is configured in a way this gateway cannot reach (e.g. an embedded simulator that is not running) */
  | { kind: 'not-configured'; detail: string };

/** A refusal or failure answered to the legacy BSS; rendered by {@link renderBuyerError}. */
export class BuyerError extends Error {
  readonly rc: LegacyResultCode;
  /** the legacy field at fault (`LINES[0].BW_MBPS`), or null when the request as a whole is refused */
  readonly field: string | null;
  readonly seller: string | null;
  /** stable machine-readable code, e.g. `seller.timeout` */
  readonly code: string;
  readonly outcome: SellerOutcome | null;

  constructor(rc: LegacyResultCode, message: string, opts: { code: string; field?: string | null; seller?: string | null; outcome?: SellerOutcome | null; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'BuyerError';
    this.rc = rc;
    this.code = opts.code;
    this.field = opts.field ?? null;
    this.seller = opts.seller ?? null;
    this.outcome = opts.outcome ?? null;
  }
}

/** The legacy answer for an error: `RC`, `MSG` first, then the details; fields never omitted. */
export function renderBuyerError(err: BuyerError): Record<string, unknown> {
  return { RC: err.rc, MSG: err.message.slice(0, 1000), ERR_FIELD: err.field, SELLER: err.seller, ERR_CODE: err.code, OUTCOME: err.outcome };
}

/** Context of {@link classifySellerFailure}. */
export interface SellerFailureContext {
  /** partner id of the seller */
  seller: string;
  /** what was asked, for messages: `create quote`, `retrieve order PO-1` */
  action: string;
  /** repeating the call changes nothing (reads, address checks); creates are not */
  safeToRetry: boolean;
  /** seller 422 propertyPath patterns -> legacy fields (see {@link mapPropertyPath}) */
  fieldPaths?: Readonly<Record<string, string>>;
  /** what the legacy BSS should do when the outcome is unknown, e.g. which URL shows whether the order exists */
  checkHint?: string;
}

/**
 * The one place that decides how a seller failure is answered (pure, unit-tested):
 * - unreachable, no token or its breaker open -> RC 12, nothing done, try again later;
 * - timeout or broken connection -> RC 12; for a call that is not safe to repeat the outcome is UNKNOWN and the
 *   message says not to resend blindly and how to check;
 * - 404 -> RC 4; 409 -> RC 8 (not allowed in the object's state); 422 -> RC 8 naming the legacy field its
 *   propertyPath came from (ERR_FIELD null when none maps); 400 -> RC 12 (the gateway's request was malformed:
 *   our fault, not the BSS's); 401/403 -> RC 12 (our credentials); 501 -> RC 12 (not offered); 5xx -> RC 12;
 * - an unreadable success answer -> RC 12; for a create the object probably exists, so the outcome is UNKNOWN.
 */
export function classifySellerFailure(f: SellerFailure, ctx: SellerFailureContext): BuyerError {
  const who = `seller ${ctx.seller}`;
  const base = { seller: ctx.seller };
  const unknown = (what: string) => new BuyerError(12,
    `${what}: the outcome is unknown, the ${ctx.action} may or may not have taken effect at ${ctx.seller}. ${ctx.checkHint ?? 'Do not send it again blindly; check with the seller first.'}`,
    { ...base, code: f.kind === 'bad-body' ? 'seller.unreadable-answer' : `seller.${f.kind}`, outcome: 'UNKNOWN' });
  switch (f.kind) {
    case 'connect':
      return new BuyerError(12, `${who} is not reachable (${f.detail}); nothing was sent, try again later`, { ...base, code: 'seller.unreachable', outcome: 'NOT_DONE' });
    case 'circuit-open':
      return new BuyerError(12, `${who} failed repeatedly and is not called for the next ${Math.ceil(f.retryAfterMs / 1000)} s; nothing was sent, try again later`, { ...base, code: 'seller.circuit-open', outcome: 'NOT_DONE' });
    case 'token':
      return new BuyerError(12, `${who} did not give the gateway an access token (${f.detail}); nothing was sent, try again later`, { ...base, code: 'seller.token', outcome: 'NOT_DONE' });
    case 'not-configured':
      return new BuyerError(12, `${who} cannot be reached from this gateway: ${f.detail}`, { ...base, code: 'seller.not-configured', outcome: 'NOT_DONE' });
    case 'timeout':
      if (!ctx.safeToRetry) return unknown(`${who} did not answer the ${ctx.action} within ${f.afterMs} ms`);
      return new BuyerError(12, `${who} did not answer the ${ctx.action} within ${f.afterMs} ms; try again later`, { ...base, code: 'seller.timeout', outcome: 'NOT_DONE' });
    case 'reset':
      if (!ctx.safeToRetry) return unknown(`${who} dropped the connection during the ${ctx.action} (${f.detail})`);
      return new BuyerError(12, `${who} dropped the connection during the ${ctx.action} (${f.detail}); try again later`, { ...base, code: 'seller.reset', outcome: 'NOT_DONE' });
    case 'bad-body':
      if (!ctx.safeToRetry) return unknown(`${who} accepted the ${ctx.action} (HTTP ${f.status}) but its answer could not be read (${f.detail})`);
      return new BuyerError(12, `${who} sent an answer to the ${ctx.action} that could not be read (${f.detail})`, { ...base, code: 'seller.unreadable-answer', outcome: 'NOT_DONE' });
    case 'http':
      return classifyHttp(f.status, f.error, ctx);
  }
}

function classifyHttp(status: number, error: SellerIssue[] | { code?: string; reason?: string; message?: string } | undefined, ctx: SellerFailureContext): BuyerError {
  const who = `seller ${ctx.seller}`;
  const base = { seller: ctx.seller, outcome: 'NOT_DONE' as const };
  const single = Array.isArray(error) ? undefined : error;
  const said = single ? [single.code, single.reason, single.message].filter(Boolean).join(': ') : '';
  const saying = said ? ` (${said})` : '';
  if (status === 422) {
    const issues = Array.isArray(error) ? error : single ? [single as SellerIssue] : [];
    let field: string | null = null;
    const parts = issues.slice(0, 5).map((i) => {
      const mapped = i.propertyPath !== undefined ? mapPropertyPath(ctx.fieldPaths ?? {}, i.propertyPath) : undefined;
      if (mapped && field === null) field = mapped;
      const text = i.reason ?? i.message ?? i.code ?? 'refused';
      return `${i.propertyPath ?? '/'}: ${text}${mapped ? ` (${mapped})` : ''}`;
    });
    return new BuyerError(8, `${who} refused the ${ctx.action}: ${parts.join('; ') || 'no details given'}`, { ...base, code: 'seller.rejected-input', field });
  }
  if (status === 404) return new BuyerError(4, `${who} does not know it: ${ctx.action} answered not found${saying}`, { ...base, code: 'seller.not-found' });
  if (status === 409) return new BuyerError(8, `${who} refused the ${ctx.action} in the object's current state${saying}`, { ...base, code: 'seller.conflict' });
  if (status === 400) return new BuyerError(12, `${who} refused the gateway's request for the ${ctx.action} as malformed${saying}; this is a gateway fault, report it`, { ...base, code: 'seller.bad-request' });
  if (status === 401 || status === 403) return new BuyerError(12, `${who} refused the gateway's credentials (HTTP ${status})${saying}; check the partner's seller clientId/secret`, { ...base, code: 'seller.credentials' });
  if (status === 501) return new BuyerError(12, `${who} does not offer the ${ctx.action} (HTTP 501)${saying}`, { ...base, code: 'seller.not-implemented' });
  if (status >= 500) return new BuyerError(12, `${who} failed the ${ctx.action} with HTTP ${status}${saying}; try again later`, { ...base, code: 'seller.system-error' });
  return new BuyerError(12, `${who} answered the ${ctx.action} with unexpected HTTP ${status}${saying}`, { ...base, code: 'seller.unexpected-status' });
}

/**
 * A seller's 422 `propertyPath` -> the legacy field it came from. Patterns are JSON-pointer prefixes where `*`
 * matches one array index; the pattern with most segments wins; each `*` in the legacy template takes the index
 * the pattern's `*` matched, in order: `/quoteItem/*\/product/place` + `/quoteItem/1/product/place/0/id` ->
 * `LINES[*].SELLER_ADDR_ID` -> `LINES[1].SELLER_ADDR_ID`. Undefined when nothing matches.
 */
export function mapPropertyPath(patterns: Readonly<Record<string, string>>, propertyPath: string): string | undefined {
  const path = splitPointer(propertyPath);
  let best: { length: number; field: string } | undefined;
  for (const [pattern, template] of Object.entries(patterns)) {
    const segments = splitPointer(pattern);
    if (segments.length > path.length || (best && segments.length <= best.length)) continue;
    const captured: string[] = [];
    const matches = segments.every((s, i) => {
      if (s === '*') {
        if (!/^\d+$/.test(path[i]!)) return false;
        captured.push(path[i]!);
        return true;
      }
      return s === path[i];
    });
    if (!matches) continue;
    let n = 0;
    best = { length: segments.length, field: template.replace(/\*/g, () => captured[n++] ?? '*') };
  }
  return best?.field;
}

/** `/LINES/0/BW_MBPS` (a JSON pointer into the legacy body, as our mappings' `$reject` gives it) -> `LINES[0].BW_MBPS`. */
export function pointerToLegacyField(pointer: string): string | null {
  const segments = splitPointer(pointer);
  if (segments.length === 0) return null;
  let out = '';
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : `${out ? '.' : ''}${s}`;
  return out;
}

function splitPointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
