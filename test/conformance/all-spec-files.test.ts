import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSpecCatalog } from '../../src/conformance/openapi-validator.js';
import { readYamlFile } from '../../src/config/yaml-source.js';
import { sdkDir } from './sdk-dir.js';

// Its own file so vitest runs it in parallel with the behavioural suite: compiling every file takes seconds.
const catalog = createSpecCatalog({ sdkDir });

function countApiFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.api.yaml')).length;
}

// the releases we serve, as their manifests name their SDK folders (no release name is written in TypeScript)
const releasesDir = join(import.meta.dirname, '../../mappings/releases');
const servedSdkFolders = readdirSync(releasesDir).map((name) => {
  const data = readYamlFile(join(releasesDir, name, 'release.yaml')).data as { release: string; sdkFolder?: string };
  return data.sdkFolder ?? data.release;
});

describe('every official API file', () => {
  it('the SDK folder holds every release the manifests serve', () => {
    expect(servedSdkFolders.length).toBeGreaterThan(0);
    for (const folder of servedSdkFolders) expect(catalog.releases()).toContain(folder);
  });

  for (const release of catalog.releases()) {
    it(`${release}: loads and compiles every operation's request, response and query validators`, () => {
      const names = catalog.apis(release);
      expect(names).toHaveLength(countApiFiles(join(sdkDir, release, 'productApi')));
      for (const name of names) {
        const api = catalog.api(release, name);
        expect(api, name).toBeDefined();
        expect(api?.major, name).toMatch(/^v\d+$/);
        expect(api?.operations.length, name).toBeGreaterThan(0);
        expect(() => api?.compileAll(), `${release} ${name}`).not.toThrow();
        for (const op of api?.operations ?? []) {
          expect(api?.operationById(op.operationId), `${name} ${op.operationId}`).toBe(op);
          // validation answers instead of throwing, whatever the body
          if (op.hasRequestBody) expect(Array.isArray(op.validateRequestBody({}))).toBe(true);
          for (const status of op.responseStatuses) expect(Array.isArray(op.validateResponseBody(Number(status), {}))).toBe(true);
        }
      }
    });
  }
});
