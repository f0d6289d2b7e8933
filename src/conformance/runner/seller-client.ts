/**
 * The buyer side of a conformance run: gets an OAuth 2.0 client-credentials token from the seller and sends
 * Sonata requests with it, recording each exchange (without the token) for the reports.
 */

/** One request and what came back, as the reports show it. */
export interface Exchange {
  readonly request: {
    readonly method: string;
    readonly url: string;
    /** request headers without Authorization */
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
  readonly response?: {
    readonly status: number;
    /** every response header, lower-case names */
    readonly headers: Readonly<Record<string, string>>;
    /** parsed JSON, the text when it is not JSON, undefined when empty */
    readonly body?: unknown;
    /** false when a body was there but did not parse as JSON */
    readonly json: boolean;
  };
  /** a transport failure (refused, reset, timeout) instead of a response */
  readonly error?: string;
  readonly durationMs: number;
}

export interface SellerClientOptions {
  /** the seller's server base; Sonata paths (`/mefApi/sonata/...`) are appended */
  baseUrl: string;
  /** OAuth 2.0 token endpoint (client credentials grant) */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** space-separated scopes to ask for; none = whatever the seller grants by default */
  scope?: string;
  /** per request, including the token request */
  timeoutMs?: number;
  /** replaces global fetch (tests) */
  fetch?: typeof fetch;
}

export interface SellerClient {
  readonly baseUrl: string;
  /** fetches a token now (cached until shortly before it expires); throws a readable Error when refused */
  token(): Promise<string>;
  send(request: {
    method: string;
    path: string;
    query?: Readonly<Record<string, string | number | boolean>>;
    body?: unknown;
    headers?: Readonly<Record<string, string>>;
    auth: boolean;
  }): Promise<Exchange>;
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer before the timeout';
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'request failed'} (${cause})` : (e.message ?? String(err));
}

/** Creates a client; nothing is sent until the first {@link SellerClient.token} or {@link SellerClient.send}. */
export function createSellerClient(opts: SellerClientOptions): SellerClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  let cached: { token: string; expiresAt: number } | undefined;

  const token = async (): Promise<string> => {
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (opts.scope) form.set('scope', opts.scope);
    const basic = Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString('base64');
    let res: Response;
    try {
      res = await doFetch(opts.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`cannot get a token from ${opts.tokenUrl}: ${describeFailure(err)}`, { cause: err });
    }
    const text = await res.text();
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      /* reported below */
    }
    if (res.status !== 200 || typeof body.access_token !== 'string') {
      const why =
        typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : text.slice(0, 200);
      throw new Error(`cannot get a token from ${opts.tokenUrl} as client ${opts.clientId}: HTTP ${res.status} ${why}`);
    }
    // renew a little early so a long run never sends an expired token
    const lifetimeS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    cached = { token: body.access_token, expiresAt: Date.now() + Math.max(1, lifetimeS - 30) * 1000 };
    return cached.token;
  };

  return {
    baseUrl,
    token,
    async send(request) {
      const query = new URLSearchParams(Object.entries(request.query ?? {}).map(([k, v]) => [k, String(v)])).toString();
      const url = `${baseUrl}${request.path}${query ? `?${query}` : ''}`;
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(request.body !== undefined && { 'content-type': 'application/json;charset=utf-8' }),
        ...request.headers,
      };
      const started = performance.now();
      const shown = {
        method: request.method,
        url,
        headers: { ...headers },
        ...(request.body !== undefined && { body: request.body }),
      };
      try {
        if (request.auth) headers.authorization = `Bearer ${await token()}`;
        const res = await doFetch(url, {
          method: request.method,
          headers,
          ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        let body: unknown;
        let json = true;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
            json = false;
          }
        }
        return {
          request: shown,
          response: { status: res.status, headers: headersOf(res.headers), ...(body !== undefined && { body }), json },
          durationMs: performance.now() - started,
        };
      } catch (err) {
        return { request: shown, error: describeFailure(err), durationMs: performance.now() - started };
      }
    },
  };
}
