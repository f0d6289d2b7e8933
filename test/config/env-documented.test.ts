/**
 * Every environment variable the code reads is listed in docs/operations.md, so an operator can set up a
 * deployment from the document alone. The variables are found where they are read: `process.env.X`,
 * `processEnv.X`, `env.X` / `env['X']` (and helpers given `env, 'X'`) in src/, simulators/src/, bin/ and bench/; `${X}` and
 * `${X:-default}` in config/*.yaml and partners/**\/*.yaml, and `*Env: X` (a partner's secret names); `X_FILE`
 * variants are caught by the same patterns. A documented wildcard (`PARTNER_*_CLIENT_SECRET`) covers its names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/test-gateway.js';

function walk(dir: string, keep: (file: string) => boolean): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, keep) : keep(path) ? [path] : [];
  });
}

const NAME = '[A-Z][A-Z0-9_]*';
const CODE_PATTERNS = [
  new RegExp(`\\b(?:process\\.env|processEnv|env)\\.(${NAME})\\b`, 'g'),
  new RegExp(`\\b(?:process\\.env|processEnv|env)\\[['"\`](${NAME})['"\`]\\]`, 'g'),
  new RegExp(`\\benv,\\s*['"\`](${NAME})['"\`]`, 'g'),
];
const YAML_PATTERNS = [
  new RegExp(`\\$\\{(${NAME})(?::-[^}]*)?\\}`, 'g'),
  new RegExp(`\\b[a-z][A-Za-z]*Env:\\s*['"]?(${NAME})\\b`, 'g'),
];

/** name -> the first file:line reading it */
function variablesRead(): Map<string, string> {
  const found = new Map<string, string>();
  const scan = (file: string, patterns: RegExp[], isComment: (line: string) => boolean) => {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (isComment(line)) return;
      for (const re of patterns) {
        for (const m of line.matchAll(re)) if (!found.has(m[1]!)) found.set(m[1]!, `${relative(REPO_ROOT, file)}:${i + 1}`);
      }
    });
  };
  const tsComment = (l: string) => /^\s*(\/\/|\*|\/\*)/.test(l);
  for (const dir of ['src', 'simulators/src', 'bin', 'bench']) {
    for (const f of walk(join(REPO_ROOT, dir), (p) => /\.(ts|js|mjs)$/.test(p))) scan(f, CODE_PATTERNS, tsComment);
  }
  const yamlComment = (l: string) => /^\s*#/.test(l);
  const yamlFiles = [
    ...walk(join(REPO_ROOT, 'config'), (p) => /\.ya?ml$/.test(p)),
    ...walk(join(REPO_ROOT, 'partners'), (p) => /\.ya?ml$/.test(p)),
  ];
  // a trailing comment may mention ${VAR} as an example; only the value part counts
  for (const f of yamlFiles) scan(f, YAML_PATTERNS.map((re) => new RegExp(`^[^#]*?${re.source}`, 'g')), yamlComment);
  return found;
}

/** Names (and `A_*_B` wildcards) written as code in docs/operations.md. */
function documented(): { names: Set<string>; wildcards: RegExp[] } {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const names = new Set<string>();
  const wildcards: RegExp[] = [];
  for (const m of text.matchAll(/`([A-Z][A-Z0-9_*]*)(?:=[^`]*)?`/g)) {
    const name = m[1]!;
    if (name.includes('*')) wildcards.push(new RegExp(`^${name.replace(/\*/g, '[A-Z0-9_]+')}$`));
    else names.add(name);
  }
  return { names, wildcards };
}

describe('docs/operations.md lists every environment variable the code reads', () => {
  const read = variablesRead();

  it('finds the variables where the code reads them', () => {
    // one of each kind of place, so a broken pattern cannot pass silently
    for (const name of ['GATEWAY_ENV', 'REDIS_URL', 'PARTNER_ACME_CLIENT_SECRET', 'LEGACY_BSS_AUTO_ADVANCE_MS', 'SELLER_CLIENT_ID']) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it('documents each one', () => {
    const docs = documented();
    const missing = [...read].filter(([name]) => !docs.names.has(name) && !docs.wildcards.some((w) => w.test(name)));
    expect(missing.map(([name, where]) => `${name} (read at ${where})`), 'add these to docs/operations.md').toEqual([]);
  });
});
