import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, type ConfigProblem } from './yaml-source.js';

/** Variable names that hold secrets: their `<NAME>_FILE` form is read from a file, and production checks them. */
export const SECRET_NAME = /(SECRET|_KEY|PASSWORD|TOKEN)$/;
/**
 * SHA-256 (hex) of every value in config/*.env, one a line. The image deletes the .env files (Dockerfile), so
 * this list is what lets production there still recognise the demo's values; a test keeps it in step.
 */
export const SHIPPED_HASHES_FILE = 'shipped-secrets.sha256';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The values of every config/*.env file (demo and test: public by design). */
export function shippedEnvValues(configDir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(configDir).filter((n) => n.endsWith('.env'))) {
    for (const line of readFileSync(join(configDir, f), 'utf8').split('\n')) {
      const t = line.trim();
      const eq = t.indexOf('=');
      if (t && !t.startsWith('#') && eq > 0) out.push(t.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2'));
    }
  }
  return out.filter((v) => v !== '');
}

/**
 * SHA-256 (hex) of every value the repository ships as public: config/*.env values and the lines of
 * config/shipped-secrets.sha256 (which also lists the demo console users' password hashes).
 */
export function shippedValueHashes(configDir: string): Set<string> {
  const shipped = new Set<string>(existsSync(configDir) ? shippedEnvValues(configDir).map(sha256Hex) : []);
  const hashesFile = join(configDir, SHIPPED_HASHES_FILE);
  if (existsSync(hashesFile)) for (const h of readFileSync(hashesFile, 'utf8').split('\n')) if (/^[0-9a-f]{64}$/.test(h.trim())) shipped.add(h.trim());
  return shipped;
}

/** Shortest secret production accepts (32 bytes: an HMAC-SHA256 key's size). */
export const MIN_SECRET_BYTES = 32;

/**
 * The environment name: GATEWAY_ENV, else `production` when NODE_ENV=production (so a container that only sets
 * NODE_ENV never runs on the demo's public secrets), else `demo`.
 */
export function environmentName(processEnv: Readonly<Record<string, string | undefined>>): string {
  return processEnv.GATEWAY_ENV || (processEnv.NODE_ENV === 'production' ? 'production' : 'demo');
}

/**
 * Returns the environment with every secret given as `<NAME>_FILE=/run/secrets/x` (Docker and Kubernetes
 * secrets) read into `<NAME>` (one trailing newline trimmed). Throws ConfigError listing every variable that is
 * given both ways or whose file cannot be read.
 */
export function resolveSecretFiles(processEnv: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...processEnv };
  const problems: ConfigProblem[] = [];
  for (const [key, file] of Object.entries(processEnv)) {
    if (!key.endsWith('_FILE') || file === undefined || file === '') continue;
    const name = key.slice(0, -'_FILE'.length);
    if (!SECRET_NAME.test(name)) continue;
    if (processEnv[name] !== undefined && processEnv[name] !== '') {
      problems.push({ file: 'environment', message: `${name} and ${key} are both set; give the secret one way only` });
      continue;
    }
    try {
      out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      delete out[key];
    } catch (err) {
      problems.push({ file: 'environment', message: `${key}: cannot read ${file} (${errorCode(err) ?? String(err)})` });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

interface SecretRef {
  name: string;
  line?: number;
  column?: number;
  /** `${NAME:-}` in the config: the feature is off without it, so it may be missing (but not weak when given) */
  optional: boolean;
  where: string;
}

/** 1-based line and column of a character offset (where a problem points). */
function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  return { line: before.split('\n').length, column: index - before.lastIndexOf('\n') };
}

/**
 * Production start-up check: every secret the configuration or a partner file names must be set, at least
 * {@link MIN_SECRET_BYTES} bytes long and none of the values shipped in the repository (config/*.env files,
 * literal `${VAR:-default}`s in config/*.yaml). Returns every problem at once, one per variable.
 */
export function checkProductionSecrets(opts: { rootDir: string; env: string; vars: Readonly<Record<string, string | undefined>> }): ConfigProblem[] {
  const configDir = join(opts.rootDir, 'config');
  const refs = new Map<string, SecretRef>();
  // compared by hash: the image keeps only config/shipped-secrets.sha256, not the .env files
  const shipped = shippedValueHashes(configDir);
  const yamlFiles = readdirSync(configDir).filter((f) => f.endsWith('.yaml'));
  let partnersDir = 'partners';
  for (const f of yamlFiles) {
    const text = readFileSync(join(configDir, f), 'utf8');
    for (const m of text.matchAll(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g)) {
      // a reference in a comment (an example) is neither a shipped value nor a secret this environment reads
      if (isInComment(text, m.index)) continue;
      if (m[2]?.trim()) shipped.add(sha256Hex(m[2].trim()));
      // only the files this environment reads name the secrets it needs
      if ((f === 'default.yaml' || f === `${opts.env}.yaml`) && SECRET_NAME.test(m[1]!)) {
        const prev = refs.get(m[1]!);
        refs.set(m[1]!, { name: m[1]!, optional: (prev?.optional ?? true) && m[2] !== undefined, where: `config/${f}`, ...position(text, m.index) });
      }
    }
    if (f === 'default.yaml' || f === `${opts.env}.yaml`) {
      const p = partnersPathIn(parse(text));
      if (typeof p === 'string' && !p.includes('${')) partnersDir = p;
    }
  }
  const partnersPath = join(opts.rootDir, partnersDir);
  if (existsSync(partnersPath)) {
    for (const id of readdirSync(partnersPath)) {
      const file = join(partnersPath, id, 'partner.yaml');
      if (!existsSync(file)) continue;
      // every `...SecretEnv: NAME` of a partner (its client secret at our token endpoint, ours at its seller, ...)
      const text = readFileSync(file, 'utf8');
      // (one name, or a list of names such as notifications.signingSecretEnv: [CURRENT, NEXT])
      for (const m of text.matchAll(/^(\s*[A-Za-z]*[sS]ecretEnv:\s*)(.*)$/gm)) {
        for (const n of m[2]!.replace(/#.*$/, '').matchAll(/[A-Za-z][A-Za-z0-9_]*/g)) {
          refs.set(n[0], { name: n[0], optional: false, where: `${partnersDir}/${id}/partner.yaml`, ...position(text, m.index + m[1]!.length + n.index) });
        }
      }
    }
  }
  const problems: ConfigProblem[] = [];
  for (const ref of [...refs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const value = opts.vars[ref.name];
    const at = { file: ref.where, line: ref.line, column: ref.column };
    if (value === undefined || value === '') {
      if (!ref.optional) problems.push({ ...at, message: `environment variable ${ref.name} is not set (give it or ${ref.name}_FILE)` });
    } else if (shipped.has(sha256Hex(value))) {
      problems.push({ ...at, message: `${ref.name} is a value shipped in the repository (config/); it is public` });
    } else if (Buffer.byteLength(value) < MIN_SECRET_BYTES) {
      problems.push({ ...at, message: `${ref.name} is shorter than ${MIN_SECRET_BYTES} bytes` });
    }
  }
  return problems;
}

/** Whether the character at `index` stands after a `#` that starts a YAML comment on its line. */
function isInComment(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  return /(^|\s)#/.test(text.slice(lineStart, index));
}

/** The `code` of a Node.js system error (ENOENT...), if it has one. */
function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** `paths.partners` of a parsed config file, when it has one. */
function partnersPathIn(doc: unknown): unknown {
  if (doc === null || typeof doc !== 'object' || !('paths' in doc)) return undefined;
  const paths = doc.paths;
  return paths !== null && typeof paths === 'object' && 'partners' in paths ? paths.partners : undefined;
}
