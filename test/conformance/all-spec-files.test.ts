import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSpecCatalog, SONATA_RELEASES } from '../../src/conformance/openapi-validator.js';
import { sdkDir } from './sdk-dir.js';

// Its own file so vitest runs it in parallel with the behavioural suite: compiling every file takes seconds.
const catalog = createSpecCatalog({ sdkDir });

function countApiFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.api.yaml')).length;
}

describe('every official API file', () => {
  for (const release of SONATA_RELEASES) {
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
