import type { Response } from 'express';

/**
 * Result codes of the legacy BSS, carried in the `RC` field of every answer. The values follow the
 * mainframe convention the real system inherited (multiples of four, 0 = ok).
 */
export const LEGACY_RC = {
  OK: 0,
  NOT_FOUND: 4,
  INPUT_ERROR: 8,
  SYSTEM_ERROR: 12,
  AUTH: 16,
} as const;

/** One of the values of {@link LEGACY_RC}. */
export type LegacyRc = (typeof LEGACY_RC)[keyof typeof LEGACY_RC];

// The legacy system answers HTTP 200 for everything except authentication failures: callers must
// read RC, never the HTTP status.

/** Sends `RC 0` with `MSG "OK"` followed by the payload fields. */
export function replyOk(res: Response, payload: Record<string, unknown>): void {
  res.status(200).json({ RC: LEGACY_RC.OK, MSG: 'OK', ...payload });
}

/** Sends `RC 4` (not found). */
export function replyNotFound(res: Response, message: string): void {
  res.status(200).json({ RC: LEGACY_RC.NOT_FOUND, MSG: message });
}

/**
 * Sends `RC 8` (input error). `field` is the offending legacy field name, or `null` when the
 * request as a whole is unusable (malformed JSON).
 */
export function replyInputError(res: Response, field: string | null, message: string): void {
  res.status(200).json({ RC: LEGACY_RC.INPUT_ERROR, MSG: message, ERR_FIELD: field });
}

/** Sends `RC 12` (system error). */
export function replySystemError(res: Response, message: string): void {
  res.status(200).json({ RC: LEGACY_RC.SYSTEM_ERROR, MSG: message });
}

/** Sends HTTP 401 with `RC 16`: the only answer of the legacy system that is not HTTP 200. */
export function replyAuthRejected(res: Response): void {
  res.status(401).json({ RC: LEGACY_RC.AUTH, MSG: 'API key rejected' });
}
