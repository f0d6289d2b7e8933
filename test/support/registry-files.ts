import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { lockedVersion, type ReleaseLock } from '../../src/registry/release-lock.js';

/** Loads the registry of a project folder (a `copyProject()` copy) as the gateway does, with its test secrets. */
export function loadProjectRegistry(dir: string, secrets = readEnvFile(join(dir, 'config', 'test.env'))) {
  return loadRegistry({
    partnersDir: join(dir, 'partners'),
    mappingsDir: join(dir, 'mappings'),
    engine: createMappingEngine(),
    secrets,
  });
}

/** The problem lines (file:line:col message) of the ConfigError `fn` throws; fails when it throws none. */
export function configProblems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Replaces `from` in a file; fails when the file does not change (the edit would test nothing). */
export function editFile(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  writeFileSync(file, next);
}

/**
 * Makes a release of a project copy one without a lock file, as a release whose official files are not in the SDK
 * folder is: its release.lock.yaml goes, and the versions the lock gave are written where such a release states them
 * (each api.yaml's `version`, notifications.yaml's `version`/`notificationVersion`, the buyer release.yaml's `apis`
 * and listener `version`s). For tests about something the lock's checks would also refuse (a made-up API or path).
 */
export function dropReleaseLock(dir: string, release: string): void {
  const releaseDir = join(dir, 'mappings/releases', release);
  const lockFile = join(releaseDir, 'release.lock.yaml');
  const lock = parse(readFileSync(lockFile, 'utf8')) as ReleaseLock;
  rmSync(lockFile);
  const management = (name: string) => lockedVersion(lock, name, 'management');
  for (const api of readdirSync(releaseDir)) {
    const file = join(releaseDir, api, 'api.yaml');
    const version = management(api);
    if (!existsSync(file) || version === undefined) continue;
    const text = readFileSync(file, 'utf8');
    if (!/^version:/m.test(text)) writeFileSync(file, `version: ${version}\n${text}`);
  }
  const rewrite = (file: string, change: (doc: ReturnType<typeof parseDocument>, data: Record<string, unknown>) => void) => {
    if (!existsSync(file)) return;
    const doc = parseDocument(readFileSync(file, 'utf8'));
    change(doc, doc.toJS() as Record<string, unknown>);
    writeFileSync(file, String(doc));
  };
  rewrite(join(releaseDir, 'notifications.yaml'), (doc, data) => {
    for (const [api, entry] of Object.entries(data.apis as Record<string, { notificationApi: string }>)) {
      doc.setIn(['apis', api, 'version'], management(api));
      doc.setIn(['apis', api, 'notificationVersion'], lockedVersion(lock, entry.notificationApi, 'listener'));
    }
  });
  rewrite(join(dir, 'mappings/buyer/releases', release, 'release.yaml'), (doc, data) => {
    for (const name of Object.keys(lock.apis)) {
      const version = management(name);
      if (version !== undefined) doc.setIn(['apis', name], version);
    }
    for (const name of Object.keys((data.listeners ?? {}) as Record<string, unknown>))
      doc.setIn(['listeners', name, 'version'], lockedVersion(lock, name, 'listener'));
  });
}
