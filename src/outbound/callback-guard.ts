/**
 * Where the gateway may send a partner's notifications. A partner-chosen callback is an SSRF vector: it could
 * name the gateway's own `/internal` routes, Redis, a cloud metadata endpoint or anything else on the private
 * network. So at delivery (not only at registration: names move, profiles change) the callback must still match the
 * partner's allow-list, its host is resolved once, private/loopback/link-local/metadata addresses are refused unless
 * that exact `host:port` is allow-listed, and the socket goes to the address that was checked: a DNS answer that
 * changes between the check and the connect (rebinding) cannot redirect it.
 */
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/** Address ranges a callback may not reach unless exactly allow-listed (RFC 6890 special-purpose and private). */
// two lists: Node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules (::ffff:0:0/96) too
const NON_PUBLIC_V4 = new BlockList();
const NON_PUBLIC_V6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC_V4.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC_V6.addSubnet(net, prefix, 'ipv6');

/**
 * True for a globally routable unicast address. Private (10/8, 172.16/12, 192.168/16, fc00::/7 incl. AWS's
 * fd00:ec2::254), loopback, link-local (169.254/16 incl. the 169.254.169.254 metadata service, fe80::/10),
 * carrier-grade NAT (100.64/10), "this network" (0.0.0.0/8, ::), documentation, multicast, reserved, and IPv6 forms
 * that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are not.
 */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 4) return !NON_PUBLIC_V4.check(bare, 'ipv4');
  if (family === 6) return !NON_PUBLIC_V6.check(bare, 'ipv6');
  return false;
}

/** Resolves a host name to every address it has (default: the system resolver, as `getaddrinfo` answers). */
export type Resolver = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A callback the guard refuses to reach; the delivery is dead-lettered, not retried for a day. */
export class CallbackRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackRefusedError';
  }
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** True when `entries` name exactly this URL's `host:port` (no wildcard; the scheme's default port counts). */
export function isExactlyAllowed(url: URL, entries: readonly string[]): boolean {
  const hostPort = `${url.hostname.toLowerCase()}:${url.port || DEFAULT_PORTS[url.protocol] || ''}`;
  return entries.some((e) => !e.trim().startsWith('*.') && /:\d{1,5}$/.test(e.trim()) && e.trim().toLowerCase() === hostPort);
}

/** Options of {@link createCallbackGuard}. */
export interface CallbackGuardOptions {
  /** keep-alive and timeouts of delivery connections */
  timeoutMs: number;
  /** host resolution (tests inject one to simulate rebinding); default the system resolver */
  resolve?: Resolver;
  /** the low-level connector sockets are made with (tests observe where a socket would go); default undici's */
  connector?: buildConnector.connector;
}

export interface CallbackGuard {
  /**
   * The dispatcher to deliver `url` with, given the partner's current allow-list (undefined: the partner is gone).
   * Throws {@link CallbackRefusedError} when the URL is not allowed any more; an allowed name that resolves only to
   * non-public addresses is refused when its socket is made (the same error, as the request's failure).
   */
  dispatcherFor(
    url: string,
    allowedHosts: readonly string[] | undefined,
    isAllowedHost: (url: URL, entries: readonly string[]) => boolean,
  ): Dispatcher;
  close(): Promise<void>;
}

/**
 * Creates the guard with two keep-alive agents: one for callbacks whose exact `host:port` an operator allow-listed
 * (they may be private: a partner's listener inside a VPN), and one whose every socket is made to a checked public
 * address of the host (resolved once per connection; TLS still verifies the certificate against the host name).
 */
export function createCallbackGuard(opts: CallbackGuardOptions): CallbackGuard {
  const resolve = opts.resolve ?? systemResolver;
  const base = opts.connector ?? buildConnector({ timeout: opts.timeoutMs });
  const agentOptions = { keepAliveTimeout: 30_000, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs };
  const trusted = new Agent({ ...agentOptions, connect: base });
  const guarded = new Agent({
    ...agentOptions,
    connect(options, callback) {
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const addresses = isIP(host) ? Promise.resolve([{ address: host, family: isIP(host) }]) : resolve(host);
      addresses.then(
        (found) => {
          const checked = found.find((a) => isPublicAddress(a.address));
          if (!checked) {
            callback(
              new CallbackRefusedError(
                `callback host ${host} resolves only to non-public addresses (${found.map((a) => a.address).join(', ') || 'none'}); allow-list its exact host:port to deliver there`,
              ),
              null,
            );
            return;
          }
          // the socket goes to the address just checked, never to a second resolution of the name
          base({ ...options, hostname: checked.address }, callback);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
      );
    },
  });

  return {
    dispatcherFor(raw, allowedHosts, isAllowedHost) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new CallbackRefusedError('the callback URL does not parse');
      }
      if (!allowedHosts) throw new CallbackRefusedError('the partner is no longer configured');
      if (!isAllowedHost(url, allowedHosts))
        throw new CallbackRefusedError(`callback host ${url.host} is no longer allowed for this partner`);
      return isExactlyAllowed(url, allowedHosts) ? trusted : guarded;
    },
    async close() {
      await Promise.all([trusted.close(), guarded.close()]);
    },
  };
}
