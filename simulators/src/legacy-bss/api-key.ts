import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { replyAuthRejected } from './legacy-envelope.js';

/** Request header carrying the legacy BSS API key. */
export const API_KEY_HEADER = 'X-BSS-Api-Key';

/**
 * Middleware rejecting requests whose `X-BSS-Api-Key` differs from `apiKey` with HTTP 401 RC 16.
 * Throws at creation for an empty key, so a misconfigured simulator never runs open.
 */
export function createApiKeyCheck(apiKey: string): RequestHandler {
  if (apiKey === '') throw new Error('legacy BSS simulator: apiKey must not be empty');
  // Comparing digests keeps the comparison constant-time regardless of the presented key's length.
  const expected = digest(apiKey);
  return function checkApiKey(req: Request, res: Response, next: NextFunction): void {
    const presented = req.get(API_KEY_HEADER);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) return replyAuthRejected(res);
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
