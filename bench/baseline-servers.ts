import { Agent, createServer, request, type OutgoingHttpHeaders, type Server } from 'node:http';

/** What the JSON backend answers to every request: a small Sonata productOffering list. */
export const BACKEND_BODY = JSON.stringify([
  {
    id: 'PO-ELINE',
    name: 'Access E-Line',
    lifecycleStatus: 'active',
    href: '/mefApi/sonata/productCatalog/v2/productOffering/PO-ELINE',
  },
  {
    id: 'PO-UNI',
    name: 'Ethernet access port (UNI)',
    lifecycleStatus: 'active',
    href: '/mefApi/sonata/productCatalog/v2/productOffering/PO-UNI',
  },
  {
    id: 'PO-DIA',
    name: 'Dedicated Internet Access',
    lifecycleStatus: 'active',
    href: '/mefApi/sonata/productCatalog/v2/productOffering/PO-DIA',
  },
]);

/** A plain node:http server that drains the request and answers {@link BACKEND_BODY} with 200. */
export function createJsonBackend(): Server {
  const body = Buffer.from(BACKEND_BODY);
  const headers = { 'content-type': 'application/json;charset=utf-8', 'content-length': String(body.length) };
  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
  });
}

/** Options of {@link createRawProxy}. */
export interface RawProxyOptions {
  /** origin of the upstream, e.g. http://127.0.0.1:40123 */
  target: string;
  /** upper bound of pooled sockets; the gateway's pass-through agent uses the same (256) */
  maxSockets?: number;
}

/**
 * The baseline: the least a Node proxy can do per request. Streams method, path, headers and body to the
 * upstream over a keep-alive Agent and streams the answer back; no parsing, no auth, no logging.
 * An upstream failure answers 502.
 */
export function createRawProxy(opts: RawProxyOptions): Server {
  const target = new URL(opts.target);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 256, keepAliveMsecs: 30_000 });
  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const headers: OutgoingHttpHeaders = { ...req.headers, host: target.host };
    delete headers.connection;
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (answer) => {
      // hop-by-hop headers describe the upstream connection, not the client's
      const { connection: _c, 'keep-alive': _k, ...answerHeaders } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, answerHeaders);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream failed');
    });
    req.pipe(upstream);
  });
}
