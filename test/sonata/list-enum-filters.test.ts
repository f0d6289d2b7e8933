/**
 * Enumerated list filters (state, status, priority, ticketType...): a value the partner's release does not define is a
 * typo the partner must hear about (400 invalidQuery), not an empty list that reads as "nothing in that state".
 * The values are data in each release's api.yaml; this test keeps them equal to the official spec of every release.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, readEnvFile } from '../../src/config/load-config.js';
import { createSpecCatalog, type SonataRelease } from '../../src/conformance/openapi-validator.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import type { CallOperation, ListOperation, OperationDef, Registry } from '../../src/registry/registry.js';
import { REPO_ROOT, SDK_DIR, startTestGateway, type TestGateway } from '../support/test-gateway.js';

function loadShipped(): Registry {
  const config = loadConfig({ rootDir: REPO_ROOT, env: 'test', processEnv: {} });
  const secrets = readEnvFile(join(REPO_ROOT, 'config', 'test.env'));
  const engine = createMappingEngine({ deadlineMs: config.mapping.deadlineMs, maxDepth: config.mapping.maxDepth });
  return loadRegistry({ partnersDir: config.paths.partners, mappingsDir: config.paths.mappings, engine, secrets });
}

type Json = Record<string, any>;
const specs = createSpecCatalog({ sdkDir: SDK_DIR });
const docs = new Map<string, Json>();

/** The enumerations the official spec gives the query parameters of a GET operation (`$ref`s to enum schemas resolved). */
function specQueryEnums(release: SonataRelease, op: OperationDef): Map<string, string[]> {
  const api = specs.api(release, op.apiName);
  if (!api) return new Map();
  if (!docs.has(api.file)) docs.set(api.file, parse(readFileSync(api.file, 'utf8')) as Json);
  const doc = docs.get(api.file)!;
  const deref = (s: Json | undefined): Json | undefined => (s?.$ref ? doc.components.schemas[String(s.$ref).split('/').pop()!] : s);
  const get = doc.paths?.[op.path]?.get as Json | undefined;
  const out = new Map<string, string[]>();
  for (const raw of (get?.parameters ?? []) as Json[]) {
    const p = raw.$ref ? doc.components.parameters[String(raw.$ref).split('/').pop()!] : raw;
    if (p.in !== 'query') continue;
    const schema = deref(p.schema);
    const values = (schema?.enum ?? deref(schema?.items)?.enum) as string[] | undefined;
    if (values) out.set(p.name as string, values);
  }
  return out;
}

const registry = loadShipped();
// releases are indexed by name and alias: each release once
const LIST_OPS = [...new Set(registry.releases.values())].flatMap((rel) =>
  [...rel.apis.values()].flatMap((api) =>
    api.operations
      .filter(
        (op): op is ListOperation | CallOperation => op.method === 'GET' && (op.kind === 'list' || (op.kind === 'call' && op.listAnswer)),
      )
      .map((op) => ({
        release: rel.sdkFolder as SonataRelease,
        op,
        name: `${rel.name} ${op.apiName}/${op.version} ${op.operationId}`,
      })),
  ),
);

describe('every enumerated list filter takes exactly the values of its release spec', () => {
  it('finds list operations in every release', () => {
    expect(new Set(LIST_OPS.map((l) => l.release))).toEqual(new Set(['billie', 'grace', 'kylie']));
  });

  it.each(LIST_OPS)('$name', ({ release, op }) => {
    const enums = specQueryEnums(release, op);
    for (const [name, values] of enums) {
      if (op.kind === 'list') {
        // a filter the list offers must refuse what the spec does not define; one it does not offer is 400 already
        if (!op.filters[name]) continue;
        expect(op.filters[name]!.values, `${op.operationId} ${name}`).toEqual(values);
      } else {
        // call lists check their query with their own schema
        expect(op.querySchema, `${op.operationId} has a query schema`).toBeDefined();
        const accepts = (v: string) => op.querySchema!({ [name]: v });
        for (const v of values) expect(accepts(v), `${op.operationId} ${name}=${v}`).toBe(true);
        expect(accepts('bogus'), `${op.operationId} ${name}=bogus`).toBe(false);
      }
    }
  });
});

describe('a partner listing with a misspelt state gets 400 invalidQuery', () => {
  let gw: TestGateway;
  const tokens = new Map<string, string>();
  const partnerOf = { grace: 'acme', kylie: 'globex', billie: 'initech' } as const;
  const partnerIds = { acme: 'acme-telecom', globex: 'globex-networks', initech: 'initech' } as const;
  beforeAll(async () => {
    gw = await startTestGateway();
    for (const [, p] of Object.entries(partnerOf)) tokens.set(p, await gw.token(p));
  });
  afterAll(async () => {
    await gw.close();
  });

  // every kept list with an enumerated filter, in every release the demo partners speak
  const cases = LIST_OPS.flatMap(({ op, ...c }) => (op.kind === 'list' ? [{ ...c, op }] : []))
    .filter(
      ({ release, op }) =>
        partnerOf[release as keyof typeof partnerOf] &&
        registry.releaseFor(registry.partners.get(partnerIds[partnerOf[release as keyof typeof partnerOf]])!, op.apiName)?.sdkFolder ===
          release &&
        Object.values(op.filters).some((f) => f.values),
    )
    .map((c) => ({ ...c, filter: Object.entries(c.op.filters).find(([, f]) => f.values)![0] }));

  it('covers a list in each release', () => {
    expect(new Set(cases.map((c) => c.release))).toEqual(new Set(['billie', 'grace', 'kylie']));
  });

  it.each(cases)('$name ?$filter=bogus', async ({ release, op, filter }) => {
    const token = tokens.get(partnerOf[release as keyof typeof partnerOf])!;
    const base = `/mefApi/sonata/${op.apiName}/${op.version}${op.path}`;
    const bad = await gw.call('GET', `${base}?${encodeURIComponent(filter)}=bogus`, { token });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.code).toBe('invalidQuery');
    expect(bad.body.message).toContain(filter);
    // a value the spec defines is a filter like any other: 200 and a (possibly empty) list
    const good = await gw.call('GET', `${base}?${encodeURIComponent(filter)}=${encodeURIComponent(op.filters[filter]!.values![0]!)}`, {
      token,
    });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(Array.isArray(good.body)).toBe(true);
  });
});
