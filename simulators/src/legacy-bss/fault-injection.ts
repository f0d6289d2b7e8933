import { errorMessage } from '../../../src/json/unknown-values.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { replySystemError } from './legacy-envelope.js';

/**
 * Request header that asks the simulator to misbehave, for tests of the gateway's upstream error
 * handling. Only honoured when the app is created with `faultInjection: true`.
 *
 * Value: one or more comma-separated directives, e.g. `delay=1500`, `rc12`, `delay=200, http500`:
 * - `delay=<ms>`: answer after `ms` milliseconds (0..120000), then behave normally or apply the
 *   other directive;
 * - `rc12`: HTTP 200 with `{ "RC": 12, "MSG": "system error ..." }`;
 * - `http500`: HTTP 500 with a plain-text body;
 * - `garbage`: HTTP 200, `Content-Type: application/json`, body that is not JSON (truncated);
 * - `reset`: destroy the socket without answering.
 */
export const SIM_FAULT_HEADER = 'X-Sim-Fault';

/** Upper bound of `delay=<ms>`: long enough for any timeout test, short enough not to hang a run. */
export const MAX_SIM_FAULT_DELAY_MS = 120_000;

/** The terminal misbehaviour of a fault directive. */
export type SimFaultAction = 'rc12' | 'http500' | 'garbage' | 'reset';

/** A parsed `X-Sim-Fault` header. */
export interface SimFault {
  readonly delayMs: number;
  readonly action: SimFaultAction | undefined;
}

const ACTIONS: readonly SimFaultAction[] = ['rc12', 'http500', 'garbage', 'reset'];

/** Parses an `X-Sim-Fault` value; throws an `Error` describing the first bad directive. */
export function parseSimFault(header: string): SimFault {
  let delayMs = 0;
  let action: SimFaultAction | undefined;
  for (const directive of header
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean)) {
    const delay = /^delay=(\d+)$/.exec(directive);
    if (delay) {
      delayMs = Number(delay[1]);
      if (delayMs > MAX_SIM_FAULT_DELAY_MS) throw new Error(`delay above ${MAX_SIM_FAULT_DELAY_MS} ms`);
    } else if ((ACTIONS as readonly string[]).includes(directive) && action === undefined) {
      action = directive as SimFaultAction;
    } else {
      throw new Error(`unsupported directive "${directive}" (use delay=<ms>, ${ACTIONS.join(', ')}; at most one besides delay)`);
    }
  }
  return { delayMs, action };
}

/**
 * Middleware applying `X-Sim-Fault` before any other processing (so faults work on every route,
 * health and authentication included). A bad header is answered with HTTP 400 plain text: it is a
 * test-setup mistake, not something the gateway should ever have to handle.
 */
export function createFaultInjection(): RequestHandler {
  return function injectSimFault(req: Request, res: Response, next: NextFunction): void {
    const header = req.get(SIM_FAULT_HEADER);
    if (header === undefined) return next();
    let fault: SimFault;
    try {
      fault = parseSimFault(header);
    } catch (err) {
      res
        .status(400)
        .type('text/plain')
        .send(`${SIM_FAULT_HEADER}: ${errorMessage(err)}`);
      return;
    }
    if (fault.delayMs === 0) return applySimFault(fault.action, req, res, next);
    const timer = setTimeout(() => applySimFault(fault.action, req, res, next), fault.delayMs);
    // A client that gives up (or a server shutting down) must not leave the timer holding the process.
    res.once('close', () => clearTimeout(timer));
  };
}

function applySimFault(action: SimFaultAction | undefined, req: Request, res: Response, next: NextFunction): void {
  switch (action) {
    case undefined:
      return next();
    case 'rc12':
      return replySystemError(res, 'system error: host session unavailable (simulated)');
    case 'http500':
      res.status(500).type('text/plain').send('Internal Server Error');
      return;
    case 'garbage':
      res.status(200).type('application/json').send('{"RC":0,"MSG":"OK","RESULT":"MAT');
      return;
    case 'reset':
      req.socket.destroy();
      return;
  }
}
