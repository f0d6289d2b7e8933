/** A real HTTP upstream on 127.0.0.1 for outbound fault tests: answers, hangs or drops as told, and counts requests. */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type UpstreamMode = 'ok' | 'hang' | 'drop' | 'http503' | 'http500' | 'http404';

export interface FakeUpstream {
  readonly url: string;
  readonly port: number;
  /** requests received per path (token requests included), in order */
  readonly requests: Array<{ method: string; path: string }>;
  /** requests whose path starts with `prefix` */
  count(prefix?: string): number;
  mode: UpstreamMode;
  /** modes for the next requests, in order (then `mode`) */
  script: UpstreamMode[];
  close(): Promise<void>;
}

/**
 * `ok` answers `okBody(req)` (default `{ RC: 0 }`); `hang` never answers (the socket stays open until the client
 * gives up or the upstream closes); `drop` destroys the socket after reading the request; `http503`/`http500`
 * answer that status. `/oauth2/token` answers a token unless the mode is hang.
 */
export async function startFakeUpstream(okBody: (req: IncomingMessage) => unknown = () => ({ RC: 0, MSG: 'OK' })): Promise<FakeUpstream> {
  const requests: FakeUpstream['requests'] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '' });
      const mode = upstream.script.shift() ?? upstream.mode;
      if (mode === 'hang') {
        hanging.add(res);
        return;
      }
      if (req.url?.startsWith('/oauth2/token')) {
        res
          .setHeader('content-type', 'application/json')
          .end(JSON.stringify({ access_token: 'fake-token', token_type: 'Bearer', expires_in: 300 }));
        return;
      }
      if (mode === 'drop') {
        req.socket.destroy();
        return;
      }
      if (mode === 'http503' || mode === 'http500' || mode === 'http404') {
        res.statusCode = Number(mode.slice(4));
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ code: 'internalError', reason: 'down' }));
        return;
      }
      res.setHeader('content-type', 'application/json').end(JSON.stringify(okBody(req)));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const upstream: FakeUpstream = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    count: (prefix = '/') => requests.filter((r) => r.path.startsWith(prefix)).length,
    mode: 'ok',
    script: [],
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
}

/** Resolves on the next `event` of the board's breaker `name` (state changes are events: no sleeping). */
export function nextBreakerEvent(
  board: { subscribe(l: (name: string, event: string) => void): void },
  name: string,
  event: string,
): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    board.subscribe((n, e) => {
      if (!done && n === name && e === event) {
        done = true;
        resolve();
      }
    });
  });
}
