import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentVariables } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { createLoadCache, type LoadCache } from '../../src/registry/load-cache.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { Registry } from '../../src/registry/registry.js';
import { copyProject } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const engine = createMappingEngine({ deadlineMs: 1000, maxDepth: 200, engine: 'compiled' });
const globexMapping = 'partners/globex-networks/mappings/address-validation.request.jsonata';
const graceQuoteSchema = 'mappings/releases/grace/quoteManagement/quote-create.schema.yaml';

function load(dir: string, cache: LoadCache): Registry {
  const secrets = environmentVariables(dir, 'test', process.env);
  return loadRegistry({
    partnersDir: join(dir, 'partners'),
    mappingsDir: join(dir, 'mappings'),
    engine,
    secrets,
    rootDir: dir,
    cache,
  });
}

function quoteCreateSchema(registry: Registry) {
  const op = registry.releases
    .get('grace')
    ?.apis.get('quoteManagement')
    ?.operations.find((o) => o.operationId === 'createQuote');
  if (!op?.requestSchema) throw new Error('grace createQuote has no request schema');
  return op.requestSchema;
}

// a reload after a one-file edit parses and compiles that file only: the rest comes from the load cache
describe('registry load cache', { timeout: 60_000 }, () => {
  it('reuses what did not change and compiles what did, so the edit is what runs', async () => {
    project = copyProject();
    const cache = createLoadCache();
    const first = load(project.dir, cache);
    const file = join(project.dir, globexMapping);
    const otherFile = join(project.dir, 'partners/globex-networks/mappings/address-validation.response.jsonata');

    const unchanged = load(project.dir, cache);
    expect(unchanged.mappingsByFile.get(file)).toBe(first.mappingsByFile.get(file));
    expect(unchanged.hash).toBe(first.hash);

    writeFileSync(file, `{ "edited": true }\n`);
    const edited = load(project.dir, cache);
    const mapping = edited.mappingsByFile.get(file);
    expect(mapping).not.toBe(first.mappingsByFile.get(file));
    expect(await mapping!.evaluate({})).toEqual({ edited: true });
    expect(edited.mappingsByFile.get(otherFile)).toBe(first.mappingsByFile.get(otherFile));
    expect(edited.hash).not.toBe(first.hash);
  });

  it('reports a broken file at file:line on every load, then takes the fixed one', () => {
    project = copyProject();
    const cache = createLoadCache();
    load(project.dir, cache);
    const file = join(project.dir, 'partners/globex-networks/partner.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\n  broken: [unclosed\n`);
    for (let i = 0; i < 2; i++) {
      let error: unknown;
      try {
        load(project.dir, cache);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.some((p) => p.file === 'partners/globex-networks/partner.yaml' && (p.line ?? 0) > 1)).toBe(
        true,
      );
    }
    writeFileSync(file, original);
    expect(load(project.dir, cache).partners.has('globex-networks')).toBe(true);
  });

  it('builds fresh data from cached YAML: a load never sees values an earlier one changed', () => {
    project = copyProject();
    const cache = createLoadCache();
    const first = load(project.dir, cache);
    const second = load(project.dir, cache);
    expect(second.partners.get('globex-networks')).not.toBe(first.partners.get('globex-networks'));
    expect(second.partners.get('globex-networks')?.apiReleases).toEqual(first.partners.get('globex-networks')?.apiReleases);
  });

  it('recompiles an edited request schema, also one with an $id that stays the same', () => {
    project = copyProject();
    const cache = createLoadCache();
    const file = join(project.dir, graceQuoteSchema);
    writeFileSync(file, `$id: https://example.test/quote-create\n${readFileSync(file, 'utf8')}`);
    const body = { externalId: 7 };
    expect(quoteCreateSchema(load(project.dir, cache))(body).valid).toBe(false);
    // the edit relaxes the schema to anything: the same body now passes
    writeFileSync(file, '$id: https://example.test/quote-create\ntype: object\n');
    expect(quoteCreateSchema(load(project.dir, cache))(body).valid).toBe(true);
    expect(quoteCreateSchema(load(project.dir, cache))(42).valid).toBe(false);
  });
});
