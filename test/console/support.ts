import { createCookieSigner } from '../../src/console/console-session.js';

/** The console session secret of config/test.env (public test value). */
export const TEST_SESSION_SECRET = 'demo-console-session-secret-0123456789abcdef';

/** The demo users of config/console-users.yaml (public passwords, docs/console.md). */
export const CONSOLE_USERS = {
  editor: { username: 'editor', password: 'editor-demo-2026' },
  viewer: { username: 'viewer', password: 'viewer-demo-2026' },
} as const;

/** A JSON answer of the console API. */
export interface ConsoleAnswer {
  status: number;
  headers: Headers;
  body: any;
}

/** A small client of one gateway's console on its admin URL. */
export function consoleClient(adminUrl: string) {
  const call = async (
    method: string,
    path: string,
    o: { cookie?: string; body?: unknown; xConsole?: boolean } = {},
  ): Promise<ConsoleAnswer> => {
    const headers: Record<string, string> = {};
    if (o.cookie) headers.cookie = o.cookie;
    if (o.xConsole ?? method !== 'GET') headers['x-console'] = '1';
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${adminUrl}/console${path}`, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body };
  };
  return {
    call,
    /** signs in and answers the `name=value` cookie to send back */
    async signIn(user: keyof typeof CONSOLE_USERS): Promise<string> {
      const res = await call('POST', '/api/session', { body: CONSOLE_USERS[user] });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
      return sessionCookieOf(res.headers);
    },
  };
}

/** The `sgw_console=...` pair of a Set-Cookie answer. */
export function sessionCookieOf(headers: Headers, name = 'sgw_console'): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!cookie) throw new Error(`no ${name} cookie set`);
  return cookie.split(';')[0]!;
}

/** A session cookie made with the test secret (tests of expiry and tampering). */
export function forgeSession(value: Record<string, unknown>, expiresAt: Date, secret = TEST_SESSION_SECRET): string {
  return `sgw_console=${createCookieSigner(secret, 'console-session').sign(value, expiresAt)}`;
}
