/**
 * Local console users: a YAML file of `{ name, role, passwordHash }` entries, the hash in the form
 * `scrypt$N$r$p$salt$hash` (node:crypto scrypt, salt and hash base64url). `sonata-gateway console-user` prints an entry.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { join } from 'node:path';
import { sha256Hex, shippedValueHashes } from '../config/secrets.js';
import { ConfigError, type ConfigProblem } from '../config/yaml-source.js';
import { stringMember } from '../json/unknown-values.js';

/** What a console user may do: `viewer` reads and tries mappings; `editor` also saves fixtures, replays, runs conformance. */
export type ConsoleRole = 'viewer' | 'editor';

/** One entry of the users file. */
export interface ConsoleUser {
  readonly name: string;
  readonly role: ConsoleRole;
  readonly passwordHash: string;
}

/** scrypt cost of new hashes: N=2^15, r=8, p=1 (about 32 MiB and tens of ms: slow for guessing, fine for sign-in). */
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const HASH_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hashes a password for the users file: `scrypt$N$r$p$salt$hash`. */
export async function hashConsolePassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_BYTES, { ...SCRYPT, maxmem: 128 * SCRYPT.N * SCRYPT.r * 2 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `passwordHash`, compared in constant time; false for a malformed hash. */
export async function verifyConsolePassword(password: string, passwordHash: string): Promise<boolean> {
  const m = HASH_FORMAT.exec(passwordHash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5]!, 'base64url');
  if (expected.length < 16) return false;
  try {
    const key = await scryptAsync(password, Buffer.from(m[4]!, 'base64url'), expected.length, {
      N,
      r,
      p,
      maxmem: 128 * N * r * 2,
    });
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/**
 * A hash no password matches, with the cost of real ones: an unknown user name costs the same scrypt run as a wrong
 * password, so timing does not tell which user names exist.
 */
export const UNKNOWN_USER_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;

/** Reads and checks the users file; ConfigError with file:line for a bad entry or a name given twice. */
export function loadConsoleUsers(file: string, displayName = file): ConsoleUser[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      {
        file: displayName,
        message: `console users file cannot be read (${stringMember(err, 'code') ?? String(err)})`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const problems: ConfigProblem[] = [];
  const at = (offset: number | undefined, message: string) => {
    const pos = lineCounter.linePos(offset ?? 0);
    problems.push({ file: displayName, line: pos.line, column: pos.col, message });
  };
  if (doc.errors.length) {
    for (const e of doc.errors) at(e.pos[0], e.message);
    throw new ConfigError(problems);
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get('users', true) : undefined;
  if (!isSeq(list)) {
    at(root?.range?.[0], 'expected `users:` with a list of { name, role, passwordHash }');
    throw new ConfigError(problems);
  }
  const users: ConsoleUser[] = [];
  const names = new Set<string>();
  for (const item of list.items) {
    const offset = (item as { range?: [number, number, number] }).range?.[0];
    const v = (isMap(item) ? item.toJS(doc) : undefined) as Record<string, unknown> | undefined;
    if (!v) {
      at(offset, 'each user is a mapping { name, role, passwordHash }');
      continue;
    }
    const unknown = Object.keys(v).filter((k) => !['name', 'role', 'passwordHash'].includes(k));
    if (unknown.length) at(offset, `unknown field(s) ${unknown.join(', ')} (allowed: name, role, passwordHash)`);
    if (typeof v.name !== 'string' || !/^[A-Za-z0-9._@-]{1,64}$/.test(v.name)) at(offset, 'name: 1-64 letters, digits or . _ @ -');
    else if (names.has(v.name)) at(offset, `name ${v.name} is given twice`);
    if (v.role !== 'viewer' && v.role !== 'editor') at(offset, 'role: viewer or editor');
    if (typeof v.passwordHash !== 'string' || !HASH_FORMAT.test(v.passwordHash))
      at(offset, 'passwordHash: scrypt$N$r$p$salt$hash (sonata-gateway console-user makes one)');
    if (typeof v.name === 'string') names.add(v.name);
    users.push({ name: String(v.name), role: v.role as ConsoleRole, passwordHash: String(v.passwordHash) });
  }
  if (problems.length) throw new ConfigError(problems);
  return users;
}

/**
 * Production refuses users whose password hash the repository ships (config/console-users.yaml: public demo
 * passwords), like it refuses the demo secrets: ConfigError naming each such user.
 */
export function refuseShippedConsoleUsers(users: readonly ConsoleUser[], opts: { rootDir: string; file: string }): void {
  const shipped = shippedValueHashes(join(opts.rootDir, 'config'));
  const demo = users.filter((u) => shipped.has(sha256Hex(u.passwordHash)));
  if (demo.length) {
    throw new ConfigError(
      demo.map((u) => ({
        file: opts.file,
        message: `console user ${u.name} has a password shipped in the repository (the demo users file); it is public`,
      })),
    );
  }
}
