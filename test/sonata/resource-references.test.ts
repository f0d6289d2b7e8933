import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/catalogue.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { createLookupTables } from '../../src/mapping/lookups.js';
import type { ReferenceDef, Registry, ResourceDef } from '../../src/registry/registry.js';
import { createResourceDoc, type ResourceDoc } from '../../src/sonata/resources/apply-update.js';
import { applyProjections } from '../../src/sonata/resources/resource-projections.js';
import { createResourceRepository } from '../../src/sonata/resources/resource-repository.js';
import { expandPointer, resolveReferences } from '../../src/sonata/resources/resolve-references.js';
import { createMemoryStore } from '../../src/state/memory-store.js';

const NOW = new Date('2026-03-02T09:00:00Z');
const T0 = '2026-03-01T09:00:00.000Z';

function quote(id: string, over: Partial<ResourceDoc> = {}): ResourceDoc {
  return {
    ...createResourceDoc(
      {
        legacyRef: `OF-${id}`,
        validFor: { endDateTime: '2026-04-01T00:00:00Z' },
        items: [
          { id: 'a', legacyRef: '1', state: 'approved.orderable' },
          { id: 'b', legacyRef: '2', state: 'unableToProvide' },
        ],
      },
      { id, partnerId: 'acme', resource: 'quote', now: T0, initialState: 'approved.orderable' },
    ),
    ...over,
  };
}

const QUOTE_REF: ReferenceDef = {
  name: 'quote',
  resource: 'quote',
  idPath: '/items/*/quoteRef/quoteId',
  itemIdPath: '/items/*/quoteRef/quoteItemId',
  allowedStates: ['approved.orderable'],
  allowedItemStates: ['approved.orderable'],
  expiryPath: '/validFor/endDateTime',
  requestPath: '/productOrderItem/{i}/quoteItem',
};

const docs = new Map<string, ResourceDoc>([
  ['q1', quote('q1')],
  ['q-expired', quote('q-expired', { validFor: { endDateTime: '2026-03-01T00:00:00Z' } })],
  ['q-declined', quote('q-declined', { state: 'declined' })],
]);
const load = async (_resource: string, id: string) => docs.get(id) ?? null;

async function issuesOf(request: unknown, defs: ReferenceDef[] = [QUOTE_REF]) {
  try {
    await resolveReferences(defs, request, load, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return (err as GatewayError).issues;
  }
  throw new Error('expected a 422');
}

describe('reference checks of create requests', () => {
  it('binds every referenced document and item with the index it was found at; items without a reference are skipped', async () => {
    const request = { items: [{ id: 'x' }, { quoteRef: { quoteId: 'q1', quoteItemId: 'a' } }] };
    const { bindings } = await resolveReferences([QUOTE_REF], request, load, NOW);
    expect(bindings.quote).toHaveLength(1);
    expect(bindings.quote![0]).toMatchObject({
      id: 'q1',
      itemId: 'a',
      index: 1,
      indices: [1],
      requestPath: '/productOrderItem/1/quoteItem',
    });
    expect(bindings.quote![0]!.document.legacyRef).toBe('OF-q1');
    expect(bindings.quote![0]!.item!.legacyRef).toBe('1');
  });

  it('collects every problem into one 422: missing, wrong state, expired, unknown item, item in the wrong state', async () => {
    const issues = await issuesOf({
      items: [
        { quoteRef: { quoteId: 'nope', quoteItemId: 'a' } },
        { quoteRef: { quoteId: 'q-declined', quoteItemId: 'a' } },
        { quoteRef: { quoteId: 'q-expired', quoteItemId: 'a' } },
        { quoteRef: { quoteId: 'q1', quoteItemId: 'z' } },
        { quoteRef: { quoteId: 'q1', quoteItemId: 'b' } },
        { quoteRef: { quoteId: 'q1' } },
      ],
    });
    expect(issues.map((i) => [i.code, i.propertyPath])).toEqual([
      ['referenceNotFound', '/productOrderItem/0/quoteItem'],
      ['invalidValue', '/productOrderItem/1/quoteItem'],
      ['invalidValue', '/productOrderItem/2/quoteItem'],
      ['referenceNotFound', '/productOrderItem/3/quoteItem'],
      ['invalidValue', '/productOrderItem/4/quoteItem'],
      ['missingProperty', '/productOrderItem/5/quoteItem'],
    ]);
    expect(issues[1]!.reason).toContain('declined');
    expect(issues[2]!.reason).toContain('expired');
  });

  it("fills the legacy path parameter from the referenced document's legacyRef, and refuses one the backend does not know", async () => {
    const orderRef: ReferenceDef = {
      name: 'order',
      resource: 'quote',
      idPath: '/orderId',
      requestPath: '/productOrder/productOrderId',
      legacyPathParam: 'orderNo',
    };
    const { legacyPathParams, bindings } = await resolveReferences([orderRef], { orderId: 'q1' }, load, NOW);
    expect(legacyPathParams).toEqual({ orderNo: 'OF-q1' });
    expect(bindings.order![0]!.index).toBeUndefined();
    docs.set('q-local', quote('q-local', { legacyRef: undefined }));
    const issues = await issuesOf({ orderId: 'q-local' }, [orderRef]);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalidValue', propertyPath: '/productOrder/productOrderId' })]);
  });

  it('loads a document referenced by several items once', async () => {
    let loads = 0;
    const counting = async (r: string, id: string) => {
      loads++;
      return load(r, id);
    };
    const request = {
      items: [{ quoteRef: { quoteId: 'q1', quoteItemId: 'a' } }, { quoteRef: { quoteId: 'q1', quoteItemId: 'a' } }],
    };
    const { bindings } = await resolveReferences([QUOTE_REF], request, counting, NOW);
    expect(bindings.quote!.map((b) => b.index)).toEqual([0, 1]);
    expect(loads).toBe(1);
  });

  it('expandPointer keeps the indices of nested wildcards', () => {
    expect(expandPointer({ a: [{ b: [1, 2] }, { b: [3] }, {}] }, '/a/*/b/*')).toEqual([
      { value: 1, indices: [0, 0] },
      { value: 2, indices: [0, 1] },
      { value: 3, indices: [1, 0] },
    ]);
  });
});

describe('projections of kept documents', () => {
  const product: ResourceDef = {
    name: 'product',
    api: 'productInventory',
    path: '/product',
    initialState: 'active',
    terminalStates: [],
    events: {},
    maxListScan: 100,
    projections: [],
  };
  const engine = createMappingEngine({ deadlineMs: 200, maxDepth: 100 });
  const order: ResourceDef = {
    name: 'productOrder',
    api: 'productOrderingManagement',
    path: '/productOrder',
    initialState: 'acknowledged',
    terminalStates: [],
    events: {},
    maxListScan: 100,
    projections: [
      {
        resource: 'product',
        mapping: engine.compile(
          '[items[state = "completed"].{ "id": assetId, "legacyRef": assetId, "state": action = "add" ? "active", "fields": { "bandwidth": bw, "orderId": $$.id } }]',
          'test.jsonata',
        ),
      },
    ],
  };
  const registry = {
    partners: new Map(),
    sharedLookups: createLookupTables({}),
    resources: new Map([
      ['product', product],
      ['productOrder', order],
    ]),
  } as unknown as Registry;
  const logger = { error() {}, warn() {}, info() {}, debug() {} } as never;

  it('creates a product for a completed add item, only updates fields later, and writes nothing when nothing differs', async () => {
    const store = createMemoryStore();
    const resources = createResourceRepository(store);
    let clock = new Date('2026-03-02T10:00:00Z');
    const deps = { registry, resources, logger, now: () => clock };
    const src = (items: unknown[]) =>
      ({
        ...createResourceDoc({ items: [] }, { id: 'o1', partnerId: 'acme', resource: 'productOrder', now: T0 }),
        items,
      }) as ResourceDoc;

    expect(
      await applyProjections(deps, order, 'acme', src([{ id: '1', state: 'inProgress', action: 'add', assetId: 'AS-1', bw: 10 }])),
    ).toBe(0);
    expect(
      await applyProjections(deps, order, 'acme', src([{ id: '1', state: 'completed', action: 'add', assetId: 'AS-1', bw: 10 }])),
    ).toBe(1);
    const created = await resources.get(product, 'acme', 'AS-1');
    expect(created).toMatchObject({ id: 'AS-1', state: 'active', bandwidth: 10, orderId: 'o1', legacyRef: 'AS-1' });
    expect(await resources.findByLegacyRef(product, 'AS-1')).toEqual({ partnerId: 'acme', id: 'AS-1' });

    // a status report suspended it meanwhile: replaying the order changes fields only, never the status
    await resources.update(product, 'acme', 'AS-1', (d) => ({ ...d, state: 'suspended' }));
    clock = new Date('2026-03-02T11:00:00Z');
    expect(
      await applyProjections(deps, order, 'acme', src([{ id: '1', state: 'completed', action: 'add', assetId: 'AS-1', bw: 10 }])),
    ).toBe(0);
    expect(
      await applyProjections(deps, order, 'acme', src([{ id: '2', state: 'completed', action: 'modify', assetId: 'AS-1', bw: 100 }])),
    ).toBe(1);
    const changed = await resources.get(product, 'acme', 'AS-1');
    expect(changed).toMatchObject({ state: 'suspended', bandwidth: 100, updatedAt: clock.toISOString() });
    // a modify of a product the gateway does not keep creates nothing
    expect(
      await applyProjections(deps, order, 'acme', src([{ id: '3', state: 'completed', action: 'modify', assetId: 'AS-9', bw: 100 }])),
    ).toBe(0);
    expect(await resources.get(product, 'acme', 'AS-9')).toBeNull();
    // documents belong to the order's partner
    expect(await resources.get(product, 'globex', 'AS-1')).toBeNull();
  });
});

describe('references and projections are checked when the registry loads', () => {
  it('an unknown referenced resource and a reference on a non-create operation are named with file:line', async () => {
    const { copyProject } = await import('../support/test-gateway.js');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { loadConfig, readEnvFile } = await import('../../src/config/load-config.js');
    const { loadRegistry } = await import('../../src/registry/load-registry.js');
    const project = copyProject();
    try {
      // Kylie and Billie take the order's references with inherit from Grace's file
      const api = join(project.dir, 'mappings/releases/grace/productOrderingManagement/api.yaml');
      writeFileSync(api, readFileSync(api, 'utf8').replace('        resource: quote\n', '        resource: quotation\n'));
      const res = join(project.dir, 'mappings/resources/productOrder.yaml');
      writeFileSync(res, readFileSync(res, 'utf8').replace('  - resource: product\n', '  - resource: inventoryItem\n'));
      const config = loadConfig({ rootDir: project.dir, env: 'test', processEnv: {} });
      const engine = createMappingEngine({ deadlineMs: 200, maxDepth: 100 });
      let message = '';
      try {
        loadRegistry({
          partnersDir: config.paths.partners,
          mappingsDir: config.paths.mappings,
          engine,
          secrets: readEnvFile(join(project.dir, 'config', 'test.env')),
        });
      } catch (err) {
        message = String((err as Error).message);
      }
      expect(message).toMatch(
        /productOrderingManagement\/api\.yaml:\d+:\d+ operations\.createProductOrder\.references\.0\.resource: unknown resource "quotation"/,
      );
      expect(message).toMatch(/resources\/productOrder\.yaml:\d+:\d+ projections\.0\.resource: unknown resource "inventoryItem"/);
    } finally {
      project.cleanup();
    }
  });
});
