import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { escapeToken } from '../json/json-pointer.js';
import { GatewayError } from '../errors/catalogue.js';
import { errorMessage, isRecord, stringMember } from '../json/unknown-values.js';

/** The first way a parsed JSON value breaks the body limits, or undefined. */
export type ShapeProblem = { kind: 'depth' } | { kind: 'values' } | { kind: 'array'; pointer: string; length: number };

/**
 * Checks depth and array lengths of a parsed JSON value in one pass, without recursion so a hostile body cannot
 * overflow the stack. Runs before any schema: a schema's cost grows with what it is given.
 */
export function findShapeProblem(
  value: unknown,
  limits: { maxDepth: number; maxArrayItems: number; maxValues: number },
): ShapeProblem | undefined {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  let values = 1;
  while (stack.length) {
    const [v, depth, pointer] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth > limits.maxDepth) return { kind: 'depth' };
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayItems) return { kind: 'array', pointer, length: v.length };
      values += v.length;
      if (values > limits.maxValues) return { kind: 'values' };
      for (let i = 0; i < v.length; i++) if (v[i] && typeof v[i] === 'object') stack.push([v[i], depth + 1, `${pointer}/${i}`]);
    } else if (isRecord(v)) {
      for (const key in v) {
        if (++values > limits.maxValues) return { kind: 'values' };
        const child = v[key];
        if (child && typeof child === 'object') stack.push([child, depth + 1, `${pointer}/${escapeToken(key)}`]);
      }
    }
  }
  return undefined;
}

/**
 * JSON body parsing for Sonata routes: requires a JSON media type, enforces size and depth limits and turns
 * every body-parser failure into a Sonata 400 `invalidBody` with a reason the partner can act on.
 */
export function createJsonBodyParser(opts: {
  limitBytes: number;
  maxDepth: number;
  maxArrayItems: number;
  maxValues: number;
}): RequestHandler {
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
      next(
        new GatewayError(
          'request.unsupported-media-type',
          `Content-Type "${type || '(none)'}" is not accepted; send application/json;charset=utf-8`,
        ),
      );
      return;
    }
    const charset = /charset=([^;]+)/.exec(type)?.[1]?.trim().replace(/"/g, '');
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      next(new GatewayError('request.unsupported-media-type', `charset ${charset} is not accepted; use utf-8`));
      return;
    }
    parse(req, res, (err?: unknown) => {
      if (err) {
        const type = stringMember(err, 'type');
        if (type === 'entity.too.large') next(new GatewayError('request.body-too-large', `The body exceeds ${opts.limitBytes} bytes`));
        else if (type === 'entity.parse.failed')
          next(new GatewayError('request.invalid-json', `The body is not valid JSON: ${errorMessage(err)}`));
        else next(new GatewayError('request.invalid-json', `The body could not be read: ${errorMessage(err)}`));
        return;
      }
      const problem = findShapeProblem(req.body, opts);
      if (problem?.kind === 'depth') {
        next(new GatewayError('request.body-too-deep', `The body is nested deeper than ${opts.maxDepth} levels`));
        return;
      }
      if (problem?.kind === 'values') {
        next(new GatewayError('request.body-too-large', `The body holds more than ${opts.maxValues} JSON values`));
        return;
      }
      if (problem?.kind === 'array') {
        const reason = `${problem.pointer || 'body'} has ${problem.length} items; at most ${opts.maxArrayItems} are accepted`;
        next(
          new GatewayError('request.array-too-long', reason, {
            issues: [{ code: 'tooManyRecords', propertyPath: problem.pointer || '/', reason }],
          }),
        );
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
