import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import {
  hashConsolePassword,
  loadConsoleUsers,
  refuseShippedConsoleUsers,
  verifyConsolePassword,
} from '../../src/console/console-users.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { REPO_ROOT } from '../support/test-gateway.js';
import { CONSOLE_USERS } from './support.js';

const tmp = mkdtempSync(join(tmpdir(), 'sgw-console-users-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SHIPPED = join(REPO_ROOT, 'config', 'console-users.yaml');

describe('console users', () => {
  it('scrypt hashes verify only their own password', async () => {
    const hash = await hashConsolePassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyConsolePassword('correct horse battery', hash)).toBe(true);
    expect(await verifyConsolePassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyConsolePassword('x', 'plain-text')).toBe(false);
    expect(await hashConsolePassword('correct horse battery')).not.toBe(hash);
  });

  it('the shipped demo users sign in with the documented passwords', async () => {
    const users = loadConsoleUsers(SHIPPED);
    expect(users.map((u) => [u.name, u.role])).toEqual([
      ['editor', 'editor'],
      ['viewer', 'viewer'],
    ]);
    for (const u of users)
      expect(await verifyConsolePassword(CONSOLE_USERS[u.name as 'editor' | 'viewer'].password, u.passwordHash)).toBe(true);
  });

  it('a bad users file is refused at file:line', () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(
      file,
      'users:\n  - name: anna\n    role: admin\n    passwordHash: x\n  - name: anna\n    role: viewer\n    passwordHash: scrypt$1$1$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA\n',
    );
    let problems: string[] = [];
    try {
      loadConsoleUsers(file, 'config/bad.yaml');
    } catch (err) {
      problems = (err as ConfigError).problems.map((p) => `${p.file}:${p.line} ${p.message}`);
    }
    expect(problems).toEqual([
      'config/bad.yaml:2 role: viewer or editor',
      expect.stringMatching(/^config\/bad\.yaml:2 passwordHash: /),
      'config/bad.yaml:5 name anna is given twice',
    ]);
  });

  it('production refuses the shipped demo users (their hashes are listed as shipped), not users of its own', async () => {
    let error: unknown;
    try {
      refuseShippedConsoleUsers(loadConsoleUsers(SHIPPED), { rootDir: REPO_ROOT, file: 'config/console-users.yaml' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.message)).toEqual([
      expect.stringContaining('console user editor has a password shipped in the repository'),
      expect.stringContaining('console user viewer has a password shipped in the repository'),
    ]);
    const own = [{ name: 'anna', role: 'editor' as const, passwordHash: await hashConsolePassword('a real production password') }];
    expect(() => refuseShippedConsoleUsers(own, { rootDir: REPO_ROOT, file: 'x' })).not.toThrow();
  });

  it('sonata-gateway console-user prints an entry from the password on stdin that the loader accepts', async () => {
    let out = '';
    let err = '';
    const io = {
      out: (s: string) => (out += s),
      err: (s: string) => (err += s),
      readStdin: async () => 'a long enough password\n',
    };
    expect(await runCli(['console-user', '--name', 'anna', '--role', 'editor'], io)).toBe(0);
    const file = join(tmp, 'users.yaml');
    writeFileSync(file, `users:\n${out}`);
    const [anna] = loadConsoleUsers(file);
    expect(anna).toMatchObject({ name: 'anna', role: 'editor' });
    expect(await verifyConsolePassword('a long enough password', anna!.passwordHash)).toBe(true);
    expect(parse(out)).toHaveLength(1);
    expect(await runCli(['console-user', '--name', 'anna', '--role', 'admin'], io)).toBe(2);
    expect(await runCli(['console-user', '--name', 'anna', '--role', 'viewer'], { ...io, readStdin: async () => 'short\n' })).toBe(2);
    expect(err).toContain('12 characters');
  });

  it('the session secret may come from a file (CONSOLE_SESSION_SECRET_FILE), and a short one is refused', () => {
    const file = join(tmp, 'console-session-secret');
    writeFileSync(file, 'a-console-session-secret-read-from-a-file-0123\n');
    const config = loadConfig({ rootDir: REPO_ROOT, env: 'test', processEnv: { CONSOLE_SESSION_SECRET_FILE: file } });
    expect(config.console.sessionSecret).toBe('a-console-session-secret-read-from-a-file-0123');
    expect(() => loadConfig({ rootDir: REPO_ROOT, env: 'test', processEnv: { CONSOLE_SESSION_SECRET: 'too-short' } })).toThrow(
      /sessionSecret/,
    );
  });
});
