import { Agent } from 'node:http';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { GatewayError } from '../errors/catalogue.js';
import { renderSonataError } from '../errors/render-error.js';
import type { Logger } from '../observability/logger.js';
import { stringMember } from '../json/unknown-values.js';

export interface ProxyTarget {
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

/**
 * One pass-through proxy per configured upstream, built once: a keep-alive agent (without one,
 * http-proxy-middleware opens a new connection per request), the partner's token stripped and the partner id
 * and request id added, the original `/mefApi/sonata/...` path kept, and upstream failures answered as
 * Sonata errors (503 unreachable, 504 timeout).
 */
export function createSonataProxies(upstreams: Readonly<Record<string, ProxyTarget>>, logger: Logger): ReadonlyMap<string, RequestHandler> {
  const proxies = new Map<string, RequestHandler>();
  for (const [name, target] of Object.entries(upstreams)) {
    if (!target.baseUrl) continue;
    const agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 30_000 });
    const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: target.baseUrl,
      changeOrigin: true,
      agent,
      proxyTimeout: target.timeoutMs,
      timeout: target.timeoutMs,
      xfwd: true,
      on: {
        proxyReq: (proxyReq, req) => {
          proxyReq.removeHeader('authorization');
          // set by createApp on the request it hands over
          const partnerId = stringMember(req, 'sonataPartnerId');
          if (partnerId) proxyReq.setHeader('x-sonata-partner', partnerId);
        },
        error: (err, _req, res) => {
          const code = stringMember(err, 'code') ?? '';
          const timeout =
            code === 'ECONNRESET' && /socket hang up/i.test(err.message) ? false : /timeout|ETIMEDOUT/i.test(`${code} ${err.message}`);
          const gw = timeout
            ? new GatewayError('upstream.timeout', `upstream ${name} did not answer in time`)
            : new GatewayError('upstream.unavailable', `upstream ${name} is not reachable (${code || err.message})`, {
                headers: { 'Retry-After': '5' },
              });
          logger.warn('proxy failed', { upstream: name, error: code || err.message });
          // a socket (an upgrade) or an answer already under way: all one can do is close it
          if (!(res instanceof ServerResponse) || res.headersSent) {
            res.destroy();
            return;
          }
          const r = res;
          const rendered = renderSonataError(gw);
          r.writeHead(rendered.status, { 'Content-Type': 'application/json;charset=utf-8', ...rendered.headers });
          r.end(JSON.stringify(rendered.body));
        },
      },
    });
    // Express's request and response are Node's IncomingMessage and ServerResponse
    const proxy: RequestHandler = (req, res, next) => middleware(req, res, next);
    proxies.set(name, proxy);
  }
  return proxies;
}
