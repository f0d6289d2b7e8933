import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Registry } from '../../src/registry/registry.js';
import { mergePatch } from '../../src/registry/schema-base.js';
import { configProblems, editFile, loadProjectRegistry } from '../support/registry-files.js';
import { copyProject } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const billieOrders = 'mappings/releases/billie/productOrderingManagement';
const graceOrders = 'mappings/releases/grace/productOrderingManagement';

function createOrderSchema(registry: Registry, release: string) {
  const op = registry.releases
    .get(release)
    ?.apis.get('productOrderingManagement')
    ?.operations.find((o) => o.operationId === 'createProductOrder');
  if (!op?.requestSchema) throw new Error(`${release} createProductOrder has no request schema`);
  return op.requestSchema;
}

const contact = { role: 'technical', name: 'Ada', number: '+44 20 7946 0000', emailAddress: 'ada@example.com' };
const deleteItem = (id: string) => ({ id, action: 'delete', product: { id: `P${id}` } });
const order = (items: number, extra: Record<string, unknown> = {}) => ({
  relatedContactInformation: [contact],
  productOrderItem: Array.from({ length: items }, (_, i) => deleteItem(String(i + 1))),
  ...extra,
});

describe('mergePatch (RFC 7386, the `$base` of a schema file)', () => {
  it('merges objects at any depth, removes a key written null and replaces arrays and scalars whole', () => {
    const base = { type: 'object', required: ['a', 'b'], properties: { a: { type: 'string', minLength: 1 }, b: { type: 'integer' } } };
    const patch = { required: ['a'], properties: { a: { maxLength: 5 }, b: null, c: { type: 'boolean' } } };
    expect(mergePatch(base, patch)).toEqual({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string', minLength: 1, maxLength: 5 }, c: { type: 'boolean' } },
    });
    expect(base.properties.b).toEqual({ type: 'integer' });
  });

  it("keeps the base's key order, new keys after, unless the patch writes every key: then the patch's order", () => {
    const base = { a: { type: 'string' }, b: false, c: { type: 'integer' } };
    expect(Object.keys(mergePatch(base, { b: true, d: {} }) as object)).toEqual(['a', 'b', 'c', 'd']);
    const reordered = mergePatch(base, { d: { type: 'boolean' }, c: {}, b: false, a: { minLength: 1 } });
    expect(Object.keys(reordered as object)).toEqual(['d', 'c', 'b', 'a']);
    expect(reordered).toEqual({ d: { type: 'boolean' }, c: { type: 'integer' }, b: false, a: { type: 'string', minLength: 1 } });
  });
});

describe('a schema file with $base', { timeout: 60_000 }, () => {
  it("is Billie's own change over Grace's schema, and follows an edit of Grace's", () => {
    project = copyProject();
    const before = createOrderSchema(loadProjectRegistry(project.dir), 'billie');
    // Billie's own field (not Grace's), and Grace's limit of 20 items taken from the base
    expect(before(order(1, { description: 'new lines' })).valid).toBe(true);
    expect(before(order(21)).valid).toBe(false);
    expect(before(order(3)).valid).toBe(true);

    editFile(join(project.dir, graceOrders, 'order-create.schema.yaml'), 'maxItems: 20', 'maxItems: 2');
    const registry = loadProjectRegistry(project.dir);
    const after = createOrderSchema(registry, 'billie');
    expect(after(order(3)).valid).toBe(false);
    expect(after(order(1, { description: 'new lines' })).valid).toBe(true);
    expect(createOrderSchema(registry, 'grace')(order(1, { description: 'new lines' })).valid).toBe(true);
  });

  it('names the line of a $base that is missing or a cycle', () => {
    project = copyProject();
    const billieFile = join(project.dir, billieOrders, 'order-create.schema.yaml');
    editFile(billieFile, '$base: inherited', '$base: ../../grace/none.schema.yaml');
    const missing = configProblems(() => loadProjectRegistry(project!.dir));
    expect(missing).toContainEqual(
      expect.stringMatching(
        /^mappings\/releases\/billie\/productOrderingManagement\/order-create\.schema\.yaml:\d+:\d+ .*base schema not found: mappings\/releases\/grace\/none\.schema\.yaml/,
      ),
    );

    editFile(billieFile, '$base: ../../grace/none.schema.yaml', '$base: order-patch.schema.yaml');
    editFile(join(project.dir, billieOrders, 'order-patch.schema.yaml'), '$base: inherited', '$base: order-create.schema.yaml');
    const cycle = configProblems(() => loadProjectRegistry(project!.dir));
    expect(cycle).toContainEqual(
      expect.stringMatching(
        /order-(create|patch)\.schema\.yaml:\d+:\d+ \$base: cycle: \S+order-(create|patch)\S+ -> \S+ -> \S+order-(create|patch)\S+$/,
      ),
    );
  });

  it('"inherited" is the same-named schema of the API inherited from; an API that inherits nothing is told so', () => {
    project = copyProject();
    const billieFile = join(project.dir, billieOrders, 'order-create.schema.yaml');
    expect(readFileSync(billieFile, 'utf8')).toMatch(/^\$base: inherited$/m);
    editFile(join(project.dir, graceOrders, 'order-create.schema.yaml'), 'maxItems: 20', 'maxItems: 2');
    const billie = createOrderSchema(loadProjectRegistry(project.dir), 'billie');
    expect(billie(order(1, { description: 'new lines' })).valid).toBe(true);
    expect(billie(order(3)).valid).toBe(false);

    editFile(join(project.dir, graceOrders, 'order-create.schema.yaml'), /^/, '$base: inherited\n');
    expect(configProblems(() => loadProjectRegistry(project!.dir))).toContainEqual(
      expect.stringMatching(
        /^mappings\/releases\/grace\/productOrderingManagement\/order-create\.schema\.yaml:1:\d+ .*"inherited" takes the same-named schema of the API inherited from, but mappings\/releases\/grace\/productOrderingManagement\/api\.yaml has no inherit\.from/,
      ),
    );
  });
});
