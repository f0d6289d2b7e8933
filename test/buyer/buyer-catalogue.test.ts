import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/yaml-source.js';
import { createMappingEngine } from '../../src/mapping/engine.js';
import { loadRegistry } from '../../src/registry/load-registry.js';
import { copyProject } from '../support/test-gateway.js';

let project: ReturnType<typeof copyProject> | undefined;
afterEach(() => project?.cleanup());

const load = (dir: string) =>
  loadRegistry({
    partnersDir: join(dir, 'partners'),
    mappingsDir: join(dir, 'mappings'),
    engine: createMappingEngine(),
    secrets: readEnvFile(join(dir, 'config', 'test.env')),
  });
function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
function edit(file: string, from: string, to: string) {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

describe('the buyer operation catalogue (mappings/buyer/buyer.yaml)', () => {
  it('gives each operation its routes; literal paths are matched before {id}', () => {
    project = copyProject();
    const buyer = load(project.dir).buyer;
    const quote = buyer.operations.get('retrieveQuote')!;
    expect(quote.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /quotes/{id}', 'POST /quotes/inquiry']);
    expect([quote.idField, quote.kind, quote.creates, quote.changes]).toEqual(['QUOTE_ID', 'quote', false, false]);
    expect(buyer.operations.get('cancelOrder')).toMatchObject({
      creates: false,
      changes: true,
      action: 'order cancellation',
    });
    expect(buyer.operations.get('createOrder')).toMatchObject({ creates: true, changes: true });
    const paths = buyer.routes.map((r) => r.path);
    expect(paths.indexOf('/quotes/inquiry')).toBeLessThan(paths.indexOf('/quotes/{id}'));
  });

  it('problems name file:line: a route given twice, a path parameter other than {id}, a create without kind', () => {
    project = copyProject();
    const file = join(project.dir, 'mappings/buyer/buyer.yaml');
    edit(file, 'routes: [GET /orders, POST /orders/search]', 'routes: [GET /orders, POST /orders/search, POST /quotes]');
    edit(file, 'routes: [POST /tickets]\n    kind: ticket', 'routes: ["POST /tickets/{ticket}"]');
    const problems = problemsOf(() => load(project!.dir));
    expect(problems).toMatch(
      /mappings\/buyer\/buyer\.yaml:\d+:\d+ operations\.findOrders\.routes\.2: POST \/quotes is already a route of createQuote/,
    );
    expect(problems).toMatch(/buyer\.yaml:\d+:\d+ operations\.createTicket\.routes\.0: the only path parameter is \{id\}/);
    expect(problems).toMatch(/buyer\.yaml:\d+:\d+ operations\.createTicket\.creates: a create needs its kind/);
  });
});
