/**
 * How a failed call to a partner seller is told to the legacy BSS: one pure function from what went wrong to a
 * legacy answer (RC 4 not found, RC 8 input refused naming the legacy field, RC 12 system error), always naming
 * the seller and, for a create whose fate is unknown, saying so and how to check.
 */
import { buyerError, type BuyerError } from './buyer-errors.js';
import { parsePointer } from '../json/json-pointer.js';

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
  const at = { seller: ctx.seller };
  const about = { seller: ctx.seller, action: ctx.action };
  const checkHint = ctx.checkHint ?? 'Do not send it again blindly; check with the seller first.';
  switch (f.kind) {
    case 'connect':
      return buyerError('seller.unreachable', { seller: ctx.seller, detail: f.detail }, at);
    case 'circuit-open':
      return buyerError('seller.circuit-open', { seller: ctx.seller, seconds: Math.ceil(f.retryAfterMs / 1000) }, at);
    case 'token':
      return buyerError('seller.token', { seller: ctx.seller, detail: f.detail }, at);
    case 'not-configured':
      return buyerError('seller.not-configured', { seller: ctx.seller, detail: f.detail }, at);
    case 'timeout':
      return ctx.safeToRetry
        ? buyerError('seller.timeout', { ...about, afterMs: f.afterMs }, at)
        : buyerError('seller.timeout.outcome-unknown', { ...about, afterMs: f.afterMs, checkHint }, at);
    case 'reset':
      return ctx.safeToRetry
        ? buyerError('seller.reset', { ...about, detail: f.detail }, at)
        : buyerError('seller.reset.outcome-unknown', { ...about, detail: f.detail, checkHint }, at);
    case 'bad-body':
      return ctx.safeToRetry
        ? buyerError('seller.unreadable-answer', { ...about, detail: f.detail }, at)
        : buyerError('seller.unreadable-answer.outcome-unknown', { ...about, status: f.status, detail: f.detail, checkHint }, at);
    case 'http':
      return classifyHttp(f.status, f.error, ctx);
  }
}

function classifyHttp(
  status: number,
  error: SellerIssue[] | { code?: string; reason?: string; message?: string } | undefined,
  ctx: SellerFailureContext,
): BuyerError {
  const at = { seller: ctx.seller };
  const single = Array.isArray(error) ? undefined : error;
  const said = single ? [single.code, single.reason, single.message].filter(Boolean).join(': ') : '';
  const told = { seller: ctx.seller, action: ctx.action, saying: said ? ` (${said})` : '' };
  if (status === 422) {
    const issues = Array.isArray(error) ? error : single ? [single as SellerIssue] : [];
    let field: string | null = null;
    const parts = issues.slice(0, 5).map((i) => {
      const mapped = i.propertyPath !== undefined ? mapPropertyPath(ctx.fieldPaths ?? {}, i.propertyPath) : undefined;
      if (mapped && field === null) field = mapped;
      const text = i.reason ?? i.message ?? i.code ?? 'refused';
      return `${i.propertyPath ?? '/'}: ${text}${mapped ? ` (${mapped})` : ''}`;
    });
    return buyerError(
      'seller.rejected-input',
      { seller: ctx.seller, action: ctx.action, issues: parts.join('; ') || 'no details given' },
      { ...at, field },
    );
  }
  if (status === 404) return buyerError('seller.not-found', told, at);
  if (status === 409) return buyerError('seller.conflict', told, at);
  if (status === 400) return buyerError('seller.bad-request', told, at);
  if (status === 401 || status === 403) return buyerError('seller.credentials', { ...told, status }, at);
  if (status === 501) return buyerError('seller.not-implemented', told, at);
  if (status >= 500) return buyerError('seller.system-error', { ...told, status }, at);
  return buyerError('seller.unexpected-status', { ...told, status }, at);
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
  return pointer === '/' ? [] : parsePointer(pointer);
}
