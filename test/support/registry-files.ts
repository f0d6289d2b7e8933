import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';

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
