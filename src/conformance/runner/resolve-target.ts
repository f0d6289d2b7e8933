/**
 * Who the conformance run acts as and where it sends requests, from the partner's profile alone
 * (`partners/<id>/partner.yaml`), so a run against a partner's seller does not need the whole gateway
 * configuration to load. Release names are resolved through `mappings/releases/<family>/release.yaml`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvFile } from '../../config/load-config.js';
import { ConfigError, readYamlFile } from '../../config/yaml-source.js';
import { type SonataRelease } from '../openapi-validator.js';

export interface ConformanceTarget {
  readonly partner: string;
  /** `partner`: we test a seller (usually our gateway) as one of our buying partners; `seller`: a partner we buy from */
  readonly side: 'partner' | 'seller';
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  readonly timeoutMs?: number;
  /** the release asked for (`haley`, `grace`, ...) */
  readonly release: string;
  /** the release family folder it belongs to (`grace` for `haley`) and the family's other names */
  readonly family: string;
  readonly aliases: readonly string[];
  /** SDK folder holding the official specs of the family */
  readonly specRelease: SonataRelease;
  readonly buyerId?: string;
  readonly sellerId?: string;
}

export interface ResolveTargetOptions {
  /** project folder holding partners/, mappings/ and config/ */
  rootDir: string;
  partnerId: string;
  /** overrides the partner's release */
  release?: string;
  /** overrides the seller section's baseUrl; required when testing as one of our partners */
  baseUrl?: string;
  /** environment name whose `config/<env>.env` supplies secrets not set in `processEnv` */
  env: string;
  processEnv: Readonly<Record<string, string | undefined>>;
}

interface RawPartner {
  role?: string;
  release?: string;
  buyerId?: string;
  sellerId?: string;
  credentials?: { clientId?: string; clientSecretEnv?: string };
  seller?: {
    baseUrl?: string;
    tokenUrl?: string;
    clientId?: string;
    clientSecretEnv?: string;
    scope?: string;
    timeoutMs?: number;
  };
}

function fail(file: string, message: string): never {
  throw new ConfigError([{ file, message }]);
}

/** Release families (`mappings/releases/<name>/release.yaml`) with their aliases and SDK folders. */
function findFamily(rootDir: string, release: string): { family: string; aliases: string[]; specRelease: SonataRelease } {
  const dir = join(rootDir, 'mappings', 'releases');
  const known: string[] = [];
  for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const file = join(dir, name, 'release.yaml');
    if (!existsSync(file)) continue;
    const data = readYamlFile(file).data as { release?: string; aliases?: string[]; sdkFolder?: string };
    const family = data.release ?? name;
    const aliases = data.aliases ?? [];
    known.push(family, ...aliases);
    if (family === release || aliases.includes(release)) {
      const sdk = data.sdkFolder ?? family;
      return { family, aliases, specRelease: sdk };
    }
  }
  return fail(dir, `unknown release "${release}" (known: ${known.join(', ')})`);
}

/**
 * Resolves credentials, URLs and release. For one of our partners (role buyer or both) the token comes from
 * `<baseUrl>/oauth2/token` with the partner's client id and the secret from its environment variable; for a
 * partner we buy from (role seller) the profile's `seller:` section gives token URL, client id, secret and base URL.
 * Throws a {@link ConfigError} naming the file and what is missing.
 */
export function resolveConformanceTarget(opts: ResolveTargetOptions): ConformanceTarget {
  const file = join(opts.rootDir, 'partners', opts.partnerId, 'partner.yaml');
  if (!existsSync(file)) {
    const dir = join(opts.rootDir, 'partners');
    const known = existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'partner.yaml'))) : [];
    fail(file, `unknown partner "${opts.partnerId}" (known: ${known.join(', ') || 'none'})`);
  }
  const source = readYamlFile(file);
  const p = (source.data ?? {}) as RawPartner;
  const secrets = { ...readEnvFile(join(opts.rootDir, 'config', `${opts.env}.env`)), ...definedOnly(opts.processEnv) };
  const secretOf = (name: string | undefined, pointer: string): string => {
    if (!name) throw new ConfigError([source.problem(pointer, 'missing: the name of the environment variable holding the client secret')]);
    const value = secrets[name];
    if (!value) throw new ConfigError([source.problem(pointer, `environment variable ${name} is not set (nor in config/${opts.env}.env)`)]);
    return value;
  };
  const release = opts.release ?? p.release;
  if (!release) throw new ConfigError([source.problem('', 'missing property "release" (or give --release)')]);
  const family = findFamily(opts.rootDir, release);
  const common = {
    partner: opts.partnerId,
    release,
    ...family,
    ...(p.buyerId && { buyerId: p.buyerId }),
    ...(p.sellerId && { sellerId: p.sellerId }),
  };

  if (p.role === 'seller') {
    const s = p.seller;
    if (!s)
      throw new ConfigError([
        source.problem('/role', 'a seller partner needs a seller: section (baseUrl, tokenUrl, clientId, clientSecretEnv)'),
      ]);
    const baseUrl = opts.baseUrl ?? s.baseUrl;
    if (!baseUrl || baseUrl === 'embedded')
      throw new ConfigError([
        source.problem('/seller/baseUrl', `seller base URL is ${JSON.stringify(baseUrl ?? '')}: give --base-url of a running seller`),
      ]);
    // a simulated seller (demo/test) serves its token endpoint below its own origin
    const tokenUrl = s.tokenUrl === 'embedded' ? `${baseUrl.replace(/\/+$/, '')}/oauth2/token` : s.tokenUrl;
    if (!tokenUrl) throw new ConfigError([source.problem('/seller', 'missing property "tokenUrl"')]);
    if (!s.clientId) throw new ConfigError([source.problem('/seller', 'missing property "clientId"')]);
    return Object.freeze({
      ...common,
      side: 'seller' as const,
      baseUrl,
      tokenUrl,
      clientId: s.clientId,
      clientSecret: secretOf(s.clientSecretEnv, '/seller/clientSecretEnv'),
      ...(s.scope && { scope: s.scope }),
      ...(s.timeoutMs && { timeoutMs: s.timeoutMs }),
    });
  }

  if (!opts.baseUrl) fail(file, `${opts.partnerId} buys from us: give --base-url of the seller to test (e.g. http://localhost:8080)`);
  const clientId = p.credentials?.clientId;
  if (!clientId) throw new ConfigError([source.problem('/credentials', 'missing property "clientId"')]);
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  return Object.freeze({
    ...common,
    side: 'partner' as const,
    baseUrl,
    tokenUrl: `${baseUrl}/oauth2/token`,
    clientId,
    clientSecret: secretOf(p.credentials?.clientSecretEnv, '/credentials/clientSecretEnv'),
  });
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
