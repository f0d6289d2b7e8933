import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, readEnvFile } from '../../src/config/load-config.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { parseFixture } from '../../src/mapping/fixtures.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { Registry } from '../../src/registry/registry.js';
import { REPO_ROOT } from '../support/test-gateway.js';

/*
 * Every shipped mapping file is exercised by at least one fixture, and every fixture exercises a mapping the gateway
 * uses. The mappings and fixtures are the ones the registry discovers (registry.mappingsByFile, registry.fixtures),
 * exactly as `sonata-gateway check` and `test` see them, so a new mapping without a fixture fails here by name.
 */

function loadShipped(): Registry {
  const config = loadConfig({ rootDir: REPO_ROOT, env: 'test', processEnv: {} });
  const secrets = readEnvFile(join(REPO_ROOT, 'config', `${config.env}.env`));
  const engine = createMappingEngine({ deadlineMs: config.mapping.deadlineMs, maxDepth: config.mapping.maxDepth });
  return loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets });
}

const project = (file: string): string => relative(REPO_ROOT, file);

describe('fixture coverage of the shipped mappings', () => {
  const registry = loadShipped();
  /** mapping file (absolute) -> fixture files (project-relative) that exercise it */
  const coveredBy = new Map<string, string[]>();
  const stale: string[] = [];
  const unreadable: string[] = [];
  for (const ref of registry.fixtures) {
    let mapping: string;
    try {
      mapping = parseFixture(readFileSync(ref.file, 'utf8'), project(ref.file)).mapping;
    } catch (err) {
      unreadable.push((err as Error).message);
      continue;
    }
    const mappingFile = resolve(ref.ownerDir, mapping);
    if (!registry.mappingsByFile.has(mappingFile)) {
      const why = existsSync(mappingFile) ? 'is not used by any partner, release or legacy operation' : 'does not exist';
      stale.push(`${project(ref.file)}: mapping ${project(mappingFile)} ${why}`);
      continue;
    }
    coveredBy.set(mappingFile, [...(coveredBy.get(mappingFile) ?? []), project(ref.file)]);
  }
  const shipped = [...registry.mappingsByFile.keys()].sort();

  it('the registry finds the shipped mappings under mappings/ and partners/*/mappings/', () => {
    const underMappings = shipped.filter((f) => project(f).startsWith('mappings/'));
    const underPartners = shipped.filter((f) => /^partners\/[^/]+\/mappings\//.test(project(f)));
    expect(underMappings.length).toBeGreaterThan(50);
    expect(underPartners.length).toBeGreaterThan(0);
    // nothing else: a mapping somewhere else would escape this check's wording
    expect(shipped.length).toBe(underMappings.length + underPartners.length);
  });

  it('every fixture file parses', () => {
    expect(unreadable).toEqual([]);
  });

  it('every fixture points at a mapping the gateway uses (a stale fixture is an error)', () => {
    expect(stale).toEqual([]);
  });

  it('every shipped mapping has at least one fixture', () => {
    const uncovered = shipped.filter((f) => !coveredBy.has(f)).map(project);
    expect(uncovered, `${uncovered.length} mapping(s) without a fixture`).toEqual([]);
  });
});
