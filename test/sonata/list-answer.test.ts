import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import type { LegacyCallOptions } from '../../src/legacy/legacy-client.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { createLookupTables } from '../../src/mapping/lookups.js';
import { compilePathTemplate, loadRegistry } from '../../src/registry/load-registry.js';
import type { LegacyOperationDef, OperationDef, PartnerDef } from '../../src/registry/registry.js';
import type { OperationContext } from '../../src/sonata/execute-operation.js';
import { executeOperation } from '../../src/sonata/kinds.js';
import { copyProject } from '../support/test-gateway.js';

/**
 * `listAnswer` call operations: the response mapping returns {items, total}; the gateway validates offset/limit
 * (and the operation's query schema), shows the page to every mapping as $page, answers the items with the
 * pagination headers and runs the partner's dialect mapping on the items.
 */
const engine = createMappingEngine();
const compile = (source: string, name: string) => engine.compile(source, name);

const legacyOp: LegacyOperationDef = {
  name: 'thing.search',
  method: 'POST',
  path: '/things/search',
  safeToRetry: true,
  request: compile('{ "COLOR": color, "OFFSET": $page.offset, "LIMIT": $page.limit }', 'legacy-request.jsonata'),
  // the legacy answer mapping sees the unified request: it applies what the backend cannot filter on
  response: compile('{ "items": [THINGS[size = $unifiedRequest.size]], "total": TOTAL }', 'legacy-response.jsonata'),
};

function listOperation(over: Partial<OperationDef> = {}): OperationDef {
  const { pattern, params } = compilePathTemplate('/thing');
  const querySchema = new Ajv({ allErrors: true }).compile({
    type: 'object',
    additionalProperties: false,
    properties: { color: { enum: ['red', 'blue'] }, size: { type: 'string' } },
  });
  return {
    operationId: 'listThing',
    release: 'grace',
    apiName: 'thingManagement',
    version: 'v1',
    method: 'GET',
    path: '/thing',
    pathPattern: pattern,
    pathParams: params,
    function: 'siteRetrieval',
    scope: 'listThing',
    status: 200,
    source: 'backend',
    legacyFieldPaths: {},
    kind: 'call',
    productPaths: [],
    filters: {},
    backend: 'thing.search',
    request: compile('{ "color": $query.color, "size": $query.size }', 'release-request.jsonata'),
    response: compile('{ "items": [items.{ "name": NAME, "page": $page }], "total": total }', 'release-response.jsonata'),
    listAnswer: true,
    querySchema,
    queryParameters: ['color', 'size'],
    ...over,
  } as OperationDef;
}

function context(op: OperationDef, query: Record<string, unknown>, partnerResponse?: string) {
  const calls: LegacyCallOptions[] = [];
  const partner = {
    id: 'p1',
    mappings: new Map(partnerResponse ? [[op.operationId, { response: compile(partnerResponse, 'partner.jsonata') }]] : []),
    lookups: createLookupTables({}),
    functions: new Map(),
    policy: { budgetaryQuotes: true },
  } as unknown as PartnerDef;
  const ctx = {
    requestId: 'r1',
    op,
    partner,
    params: {},
    query,
    body: undefined,
    now: () => new Date('2026-11-25T10:00:00Z'),
    registry: { legacy: new Map([[legacyOp.name, legacyOp]]), releases: new Map(), releaseFor: () => undefined },
    legacy: {
      async call(_op: LegacyOperationDef, o: LegacyCallOptions) {
        calls.push(o);
        return {
          RC: 0,
          TOTAL: 7,
          THINGS: [
            { NAME: 'a', size: 'S' },
            { NAME: 'b', size: 'M' },
            { NAME: 'c', size: 'S' },
          ],
        };
      },
      close: async () => undefined,
    },
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child() {
        return this;
      },
    },
  } as unknown as OperationContext;
  return { ctx, calls };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe('listAnswer call operations', () => {
  it('answers the items with the pagination headers; every mapping sees the page and the legacy answer mapping the unified request', async () => {
    const { ctx, calls } = context(listOperation(), { color: 'red', size: 'S', offset: '2', limit: '10' });
    const res = await executeOperation(ctx);
    expect(res.status).toBe(200);
    expect(calls[0]!.body).toEqual({ COLOR: 'red', OFFSET: 2, LIMIT: 10 });
    expect(res.body).toEqual([
      { name: 'a', page: { offset: 2, limit: 10 } },
      { name: 'c', page: { offset: 2, limit: 10 } },
    ]);
    expect(res.headers).toEqual({ 'X-Total-Count': '7', 'X-Result-Count': '2', 'X-Pagination-Throttled': 'false' });
  });

  it('defaults to offset 0 and the largest page, and cuts a larger limit to it, saying so', async () => {
    const { ctx, calls } = context(listOperation(), {});
    await executeOperation(ctx);
    expect(calls[0]!.body).toEqual({ OFFSET: 0, LIMIT: 100 });
    const big = context(listOperation(), { limit: '5000' });
    const res = await executeOperation(big.ctx);
    expect(big.calls[0]!.body).toEqual({ OFFSET: 0, LIMIT: 100 });
    expect(res.headers?.['X-Pagination-Throttled']).toBe('true');
  });

  it('refuses bad paging, unknown, repeated or empty parameters and values the query schema rejects, before calling the backend', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ offset: '-1' }, 'request.invalid-query', /offset/],
      [{ limit: 'ten' }, 'request.invalid-query', /limit/],
      [{ shape: 'round' }, 'request.invalid-query', /unknown filter "shape".*color, size/],
      [{ color: ['red', 'blue'] }, 'request.invalid-query', /color must appear once/],
      [{ color: '' }, 'request.missing-query-value', /color/],
      [{ color: 'green' }, 'request.invalid-query', /color must be equal to one of the allowed values \(red, blue\)/],
    ];
    for (const [query, code, message] of cases) {
      const { ctx, calls } = context(listOperation(), query);
      const err = await refusal(executeOperation(ctx));
      expect(err.code, JSON.stringify(query)).toBe(code);
      expect(err.status).toBe(400);
      expect(err.message).toMatch(message);
      expect(calls).toHaveLength(0);
    }
  });

  it('without a query schema a list accepts paging and party ids only', async () => {
    const op = listOperation({ querySchema: undefined, queryParameters: [] });
    const err = await refusal(executeOperation(context(op, { color: 'red' }).ctx));
    expect(err.code).toBe('request.invalid-query');
    const ok = await executeOperation(context(op, { buyerId: 'B', offset: '1' }).ctx);
    expect(ok.status).toBe(200);
  });

  it('runs the partner dialect mapping on the items array', async () => {
    const { ctx } = context(listOperation(), { size: 'M' }, '$.{ "label": $uppercase(name) }');
    const res = await executeOperation(ctx);
    expect(res.body).toEqual({ label: 'B' });
    expect(res.headers?.['X-Result-Count']).toBe('1');
  });

  it('a response mapping that does not return {items, total} is the gateway fault (500), not a half list', async () => {
    const op = listOperation({ response: compile('[items]', 'broken.jsonata') });
    const err = await refusal(executeOperation(context(op, {}).ctx));
    expect(err.code).toBe('mapping.failed');
    expect(err.status).toBe(500);
  });
});

describe('listAnswer and querySchema in api.yaml', () => {
  it('are refused on operations that are not calls, naming file and line', () => {
    const project = copyProject();
    try {
      const file = join(project.dir, 'mappings/releases/grace/troubleTicket/api.yaml');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace('    kind: create\n', '    kind: create\n    listAnswer: true\n'));
      let problems = '';
      try {
        loadRegistry({
          partnersDir: join(project.dir, 'partners'),
          mappingsDir: join(project.dir, 'mappings'),
          engine,
          secrets: readEnvFile(join(project.dir, 'config', 'test.env')),
        });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems = err.message;
      }
      expect(problems).toMatch(
        /mappings\/releases\/grace\/troubleTicket\/api\.yaml:\d+:\d+ .*listAnswer and querySchema are for call operations, not create/,
      );
    } finally {
      project.cleanup();
    }
  });
});
