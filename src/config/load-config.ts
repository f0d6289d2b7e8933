import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CONFIG_SCHEMA, type GatewayConfig } from './config-schema.js';
import { checkProductionSecrets, environmentName, resolveSecretFiles } from './secrets.js';
import type { ErrorObject } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import {
  ajvErrorTarget,
  ConfigError,
  createConfigAjv,
  describeAjvError,
  projectPath,
  readYamlFile,
  type ConfigProblem,
  type YamlSource,
} from './yaml-source.js';
import { isRecord } from '../json/unknown-values.js';

/** config/default.yaml overlaid by config/<env>.yaml, as validated (defaults filled in) */
type ConfigFile = FromSchema<typeof CONFIG_SCHEMA>;

export interface LoadConfigOptions {
  /** project root holding config/, partners/, mappings/ */
  rootDir: string;
  /** environment name: config/<env>.yaml overlays config/default.yaml (default: GATEWAY_ENV, else "production"
   *  when NODE_ENV=production, else "demo") */
  env?: string;
  /** process environment used for ${VAR} interpolation */
  processEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads config/default.yaml, overlays config/<env>.yaml, interpolates ${VAR:-default} from the process
 * environment (falling back to config/<env>.env, which only the demo and test environments ship),
 * validates against the schema and freezes the result. Throws ConfigError with file:line:col problems.
 * In production every secret is checked first (src/config/secrets.ts): all weak or missing ones in one error.
 */
export function loadConfig(opts: LoadConfigOptions): GatewayConfig {
  const processEnv = opts.processEnv ?? process.env;
  const env = opts.env ?? environmentName(processEnv);
  const dir = join(opts.rootDir, 'config');
  const vars = environmentVariables(opts.rootDir, env, processEnv);
  if (env === 'production') {
    const weak = checkProductionSecrets({ rootDir: opts.rootDir, env, vars });
    if (weak.length) throw new ConfigError(weak);
  }

  const displayPath = (file: string) => projectPath(file, opts.rootDir);
  const baseFile = join(dir, 'default.yaml');
  const base = readYamlFile(baseFile, { env: vars, deferUnresolved: true, displayName: displayPath(baseFile) });
  const overlayFile = join(dir, `${env}.yaml`);
  if (env !== 'default' && !existsSync(overlayFile)) {
    throw new ConfigError([{ file: displayPath(overlayFile), message: `unknown environment "${env}" (no such file)` }]);
  }
  const overlay = env === 'default' ? undefined : readYamlFile(overlayFile, { env: vars, displayName: displayPath(overlayFile) });
  // an unset variable in default.yaml only matters where the environment's file does not override the value
  const unset = base.unresolved.filter((u) => !overlay || !hasPointer(overlay.data, u.pointer)).map((u) => u.problem);
  if (unset.length) throw new ConfigError(unset);
  const merged = deepMerge(base.data, overlay?.data);

  // an unset ${ADMIN_PORT:-} means "no admin listener" (the same port serves everything)
  const server = isRecord(merged) ? merged.server : undefined;
  if (isRecord(server) && server.adminPort === '') delete server.adminPort;
  const validate = createConfigAjv().compile<ConfigFile>(CONFIG_SCHEMA);
  if (!validate(merged)) {
    const sources = overlay ? [overlay, base] : [base];
    const problems: ConfigProblem[] = (validate.errors ?? []).map((e) => locateIn(sources, e));
    throw new ConfigError(problems);
  }
  const keyProblems = checkInternalKeys(merged, overlay ? [overlay, base] : [base]);
  if (keyProblems.length) throw new ConfigError(keyProblems);
  const cfg = merged;
  absolutePath(opts.rootDir, cfg.paths, 'partners');
  absolutePath(opts.rootDir, cfg.paths, 'mappings');
  if (cfg.sdkDir) cfg.sdkDir = absolute(opts.rootDir, cfg.sdkDir);
  if (cfg.console.usersFile) absolutePath(opts.rootDir, cfg.console, 'usersFile');
  absolutePath(opts.rootDir, cfg.console, 'staticDir');
  absolutePath(opts.rootDir, cfg.products, 'catalog');
  absolutePath(opts.rootDir, cfg.products, 'schemaDir');
  if (isRecord(cfg.store) && cfg.store.redisUrl === '') delete cfg.store.redisUrl;
  return deepFreeze({ ...cfg, env, rootDir: resolve(opts.rootDir) }) as unknown as GatewayConfig;
}

function locateIn(sources: YamlSource[], e: ErrorObject): ConfigProblem {
  const target = ajvErrorTarget(e);
  // report in the file that actually holds the value (the overlay wins when both do)
  for (const s of sources) if (hasPointer(s.data, target)) return s.problem(target, describeAjvError(e));
  const last = sources[sources.length - 1]!;
  return last.problem(target, describeAjvError(e));
}

/** A configured path (relative to the project folder) made absolute in place. */
function absolutePath(root: string, section: unknown, key: string): void {
  if (!isRecord(section)) return;
  const value = section[key];
  if (typeof value === 'string') section[key] = absolute(root, value);
}

/** Internal keys name one client each, and a secret opens one key only (else scopes would depend on key order). */
function checkInternalKeys(config: ConfigFile, sources: YamlSource[]): ConfigProblem[] {
  const internal = config.internal;
  const problems: ConfigProblem[] = [];
  const at = (pointer: string, message: string) => (sources.find((s) => hasPointer(s.data, pointer)) ?? sources[0]!).problem(pointer, message);
  const ids = new Set<string>();
  const secrets = new Map<string, string>(internal.apiKey ? [[internal.apiKey, 'internal.apiKey']] : []);
  (internal.keys ?? []).forEach((key, i) => {
    if (ids.has(key.id)) problems.push(at(`/internal/keys/${i}/id`, `key id "${key.id}" is used twice`));
    ids.add(key.id);
    key.secrets.forEach((secret, j) => {
      if (!secret) return;
      const owner = secrets.get(secret);
      if (owner) problems.push(at(`/internal/keys/${i}/secrets/${j}`, `this secret is already the secret of ${owner}; every key needs its own`));
      else secrets.set(secret, `internal key "${key.id}"`);
    });
  });
  return problems;
}

function hasPointer(data: unknown, pointer: string): boolean {
  let cur: unknown = data;
  for (const part of pointer.split('/').slice(1)) {
    if (!isRecord(cur) && !Array.isArray(cur)) return false;
    if (!(part in cur)) return false;
    cur = Array.isArray(cur) ? cur[Number(part)] : cur[part];
  }
  return true;
}

/**
 * The variables an environment sees: config/<env>.env (demo and test only) under the process environment, with
 * every `<SECRET>_FILE` read into `<SECRET>` (Docker/Kubernetes secrets). Config and partner secrets both use it.
 */
export function environmentVariables(rootDir: string, env: string, processEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return { ...readEnvFile(join(rootDir, 'config', `${env}.env`)), ...definedOnly(resolveSecretFiles(processEnv)) };
}

/** Minimal KEY=VALUE reader (comments and blank lines allowed); absent file = no variables. */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = deepMerge(a[k], v);
    return out;
  }
  return b;
}

function absolute(root: string, p: string): string {
  return isAbsolute(p) ? p : resolve(root, p);
}

export function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
    Object.freeze(obj);
    for (const v of Object.values(obj)) deepFreeze(v);
  }
  return obj;
}
