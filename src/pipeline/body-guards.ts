import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { GatewayError } from '../errors/catalogue.js';

/** Depth of a parsed JSON value, computed without recursion so a hostile body cannot overflow the stack. */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child && typeof child === 'object') stack.push([child, d + 1]);
  }
  return max;
}

/**
 * JSON body parsing for Sonata routes: requires a JSON media type, enforces size and depth limits and turns
 * every body-parser failure into a Sonata 400 `invalidBody` with a reason the partner can act on.
 */
export function createJsonBodyParser(opts: { limitBytes: number; maxDepth: number }): RequestHandler {
  const parse = express.json({ limit: opts.limitBytes, strict: true, type: () => true });
  return (req: Request, res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) {
      req.body = undefined;
      next();
      return;
    }
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (!/^application\/(.+\+)?json\s*(;|$)/.test(type)) {
      next(new GatewayError('request.unsupported-media-type', `Content-Type "${type || '(none)'}" is not accepted; send application/json;charset=utf-8`));
      return;
    }
    const charset = /charset=([^;]+)/.exec(type)?.[1]?.trim().replace(/"/g, '');
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      next(new GatewayError('request.unsupported-media-type', `charset ${charset} is not accepted; use utf-8`));
      return;
    }
    parse(req, res, (err?: unknown) => {
      if (err) {
        const e = err as { type?: string; limit?: number };
        if (e.type === 'entity.too.large') next(new GatewayError('request.body-too-large', `The body exceeds ${opts.limitBytes} bytes`));
        else if (e.type === 'entity.parse.failed') next(new GatewayError('request.invalid-json', `The body is not valid JSON: ${(err as Error).message}`));
        else next(new GatewayError('request.invalid-json', `The body could not be read: ${(err as Error).message}`));
        return;
      }
      if (jsonDepth(req.body, opts.maxDepth) > opts.maxDepth) {
        next(new GatewayError('request.body-too-deep', `The body is nested deeper than ${opts.maxDepth} levels`));
        return;
      }
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
        next(new GatewayError('request.body-not-object', 'The body must be a JSON object'));
        return;
      }
      next();
    });
  };
}
