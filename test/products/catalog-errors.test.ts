import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/yaml-source.js';
import { loadProductSchemas } from '../../src/sonata/products/product-schemas.js';
import { removeTrees, thrownBy, writeTree } from './support.js';

const SCHEMA_HEAD = '"$schema": http://json-schema.org/draft-07/schema#\n';

/** Loads a catalogue written to a temporary folder whose schema folder is `schemas/`. */
function load(files: Record<string, string>) {
  const dir = writeTree(files);
  return loadProductSchemas({ catalogFile: `${dir}/catalog.yaml`, schemaDir: `${dir}/schemas` });
}

function configErrorOf(files: Record<string, string>): ConfigError {
  const err = thrownBy(() => load(files));
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

afterAll(removeTrees);

describe('product catalogue problems', () => {
  it('names the catalogue file and line of an entry whose schema file is missing', () => {
    const err = configErrorOf({
      'catalog.yaml': [
        'products:',
        '  "urn:example:a":',
        '    schema: a.yaml',
        '  "urn:example:b":',
        '    name: B',
        '    schema: nowhere/b.yaml',
        '',
      ].join('\n'),
      'schemas/a.yaml': `${SCHEMA_HEAD}type: object\n`,
    });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ line: 6, column: 13 });
    expect(err.message).toMatch(/catalog\.yaml:6:13 products\.urn:example:b\.schema: schema file \S*nowhere\/b\.yaml does not exist/);
  });

  it('refuses a schema path that leaves the schema folder, and a malformed catalogue', () => {
    expect(configErrorOf({ 'catalog.yaml': 'products:\n  "urn:example:a":\n    schema: ../catalog.yaml\n' }).message).toMatch(
      /catalog\.yaml:3:\d+ .*must be a path inside the schema folder/,
    );
    expect(configErrorOf({ 'catalog.yaml': 'products:\n  "urn:example:a":\n    file: a.yaml\n' }).message).toMatch(
      /catalog\.yaml:3:\d+ .*unknown property "file"/,
    );
    expect(configErrorOf({ 'catalog.yaml': 'product: {}\n' }).message).toMatch(/catalog\.yaml:1:1 .*"products"/);
  });

  it('names the schema file, line and ref of a $ref to a missing file or definition', () => {
    const err = configErrorOf({
      'catalog.yaml': 'products:\n  "urn:example:a":\n    schema: a.yaml\n',
      'schemas/a.yaml': `${SCHEMA_HEAD}type: object\nproperties:\n  x:\n    $ref: "defs.yaml#/definitions/X"\n  y:\n    $ref: "missing.yaml#/definitions/Y"\n  z:\n    $ref: "#/definitions/Z"\n`,
      'schemas/defs.yaml': `${SCHEMA_HEAD}definitions:\n  W:\n    type: string\n`,
    });
    expect(err.problems.map((p) => `${p.file.replace(/^.*\//, '')}:${p.line}`).sort()).toEqual(['a.yaml:5', 'a.yaml:7', 'a.yaml:9']);
    expect(err.message).toMatch(/a\.yaml:7:\d+ .*\$ref "missing\.yaml#\/definitions\/Y" names \S*missing\.yaml, which does not exist/);
    expect(err.message).toMatch(
      /a\.yaml:5:\d+ .*\$ref "defs\.yaml#\/definitions\/X" names #\/definitions\/X, which does not exist in \S*defs\.yaml/,
    );
    expect(err.message).toMatch(/a\.yaml:9:\d+ .*\$ref "#\/definitions\/Z" names #\/definitions\/Z/);
  });

  it('reports a schema that is not valid draft-07 or not YAML at its line', () => {
    expect(
      configErrorOf({
        'catalog.yaml': 'products:\n  "urn:example:a":\n    schema: a.yaml\n',
        'schemas/a.yaml': `${SCHEMA_HEAD}type: object\nproperties:\n  n:\n    type: 12\n`,
      }).message,
    ).toMatch(/a\.yaml:5:\d+ properties\.n\.type: not a valid JSON schema/);
    expect(
      configErrorOf({
        'catalog.yaml': 'products:\n  "urn:example:a":\n    schema: a.yaml\n',
        'schemas/a.yaml': `${SCHEMA_HEAD}type: object\nproperties: [unclosed\n`,
      }).message,
    ).toMatch(/a\.yaml:\d+:\d+ /);
  });

  it('refuses a root schema whose own $id is not the @type it is listed under', () => {
    const err = configErrorOf({
      'catalog.yaml': 'products:\n  "urn:example:a:v2":\n    schema: a.yaml\n',
      'schemas/a.yaml': `${SCHEMA_HEAD}"$id": urn:example:a:v1\ntype: object\n`,
    });
    expect(err.message).toMatch(/catalog\.yaml:3:\d+ .*declares \$id urn:example:a:v1, not this @type/);
  });

  it('treats a keyword left empty in YAML as absent', () => {
    const registry = load({
      'catalog.yaml': 'products:\n  "urn:example:a":\n    schema: a.yaml\n',
      'schemas/a.yaml': `${SCHEMA_HEAD}type: object\nrequired: ["@type"]\nproperties:\n  # attributes to come\n`,
    });
    expect(registry.validate({ '@type': 'urn:example:a', anything: 1 }, '')).toEqual([]);
  });
});

describe('refRewrites', () => {
  const files = (rewrites: string): Record<string, string> => ({
    'catalog.yaml': `${rewrites}products:\n  "urn:example:a":\n    schema: product/fn/a.yaml\n  "urn:example:b":\n    schema: product/fn/b.yaml\n`,
    // a.yaml's ../../common/ is broken (product/common/ is meant); b.yaml's ../common/ is right as written
    'schemas/product/fn/a.yaml': `${SCHEMA_HEAD}"$id": urn:example:a\ntype: object\nproperties:\n  n:\n    $ref: "../../common/defs.yaml#/definitions/N"\n`,
    'schemas/product/fn/b.yaml': `${SCHEMA_HEAD}"$id": urn:example:b\ntype: object\nproperties:\n  n:\n    $ref: "../common/defs.yaml#/definitions/N"\n`,
    'schemas/product/common/defs.yaml': `${SCHEMA_HEAD}definitions:\n  N:\n    type: integer\n`,
  });

  it('resolves a ref whose file is missing through a matching rule', () => {
    const registry = load(files('refRewrites:\n  - from: "../../common/"\n    to: "../common/"\n'));
    expect(registry.validate({ '@type': 'urn:example:a', n: 1 }, '')).toEqual([]);
    expect(registry.validate({ '@type': 'urn:example:a', n: 'one' }, '')).toEqual([
      { code: 'invalidFormat', propertyPath: '/n', reason: 'n must be an integer' },
    ]);
  });

  it('never redirects a ref whose file exists', () => {
    // this rule would send b.yaml's ref to schemas/elsewhere/, where N is a string
    const tree = files(
      'refRewrites:\n  - from: "../../common/"\n    to: "../common/"\n  - from: "../common/"\n    to: "../../elsewhere/"\n',
    );
    tree['schemas/elsewhere/defs.yaml'] = `${SCHEMA_HEAD}definitions:\n  N:\n    type: string\n`;
    const registry = load(tree);
    expect(registry.validate({ '@type': 'urn:example:b', n: 1 }, '')).toEqual([]);
    expect(registry.validate({ '@type': 'urn:example:b', n: 'one' }, '')).toHaveLength(1);
  });

  it('fails at the ref when no rule applies', () => {
    const err = configErrorOf(files(''));
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(
      /product\/fn\/a\.yaml:6:\d+ .*\$ref "\.\.\/\.\.\/common\/defs\.yaml#\/definitions\/N" names \S*\/schemas\/common\/defs\.yaml, which does not exist/,
    );
  });
});
