import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  ConfigError,
  createConfigAjv,
  displayPath,
  readYamlFile,
  validateSource,
  type ConfigProblem,
  type YamlSource,
} from '../../config/yaml-source.js';
import type { RefRewrite } from './schema-files.js';
import { formatPointer } from '../../json/json-pointer.js';
import { isRecord } from '../../json/unknown-values.js';

/** One product of a catalogue: the `@type` it answers to and the schema file that validates it. */
export interface CatalogProduct {
  /** canonical `@type` (a MEF URN or a bilaterally agreed identifier) */
  readonly type: string;
  /** human name, for messages */
  readonly name?: string;
  /** absolute path of the root schema file */
  readonly schemaFile: string;
  /** JSON pointer of the entry's `schema` value in the catalogue, to report problems at its line */
  readonly pointer: string;
}

/** A parsed and checked product catalogue file. */
export interface ProductCatalog {
  readonly source: YamlSource;
  readonly products: readonly CatalogProduct[];
  readonly refRewrites: readonly RefRewrite[];
}

/** mappings/products/*-catalog.yaml */
const CATALOG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['products'],
  properties: {
    description: { type: 'string' },
    refRewrites: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: { type: 'string', minLength: 1 }, to: { type: 'string' } },
      },
      default: [],
    },
    products: {
      type: 'object',
      minProperties: 1,
      propertyNames: { type: 'string', minLength: 1 },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['schema'],
        properties: { schema: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const;

let compiled: ReturnType<ReturnType<typeof createConfigAjv>['compile']> | undefined;

/**
 * Reads a product catalogue: `products` maps each `@type` to `{schema, name?}`, `schema` being a path
 * relative to `schemaDir`; optional `refRewrites` lists fallbacks for broken relative `$ref`s in the schema
 * files (see RefRewrite). Throws ConfigError with file:line:col for a malformed file or a missing schema file.
 */
export function readProductCatalog(catalogFile: string, schemaDir: string): ProductCatalog {
  const source = readYamlFile(catalogFile);
  compiled ??= createConfigAjv().compile(CATALOG_SCHEMA);
  const problems: ConfigProblem[] = validateSource(source, compiled);
  if (problems.length) throw new ConfigError(problems);

  const data = source.data as {
    refRewrites: RefRewrite[];
    products: Record<string, { schema: string; name?: string }>;
  };
  const root = resolve(schemaDir);
  const products: CatalogProduct[] = [];
  for (const [type, entry] of Object.entries(data.products)) {
    if (!isRecord(entry)) continue;
    const pointer = formatPointer(['products', type, 'schema']);
    const schemaFile = resolve(root, entry.schema);
    const rel = relative(root, schemaFile);
    if (isAbsolute(entry.schema) || rel.startsWith('..')) {
      problems.push(source.problem(pointer, `must be a path inside the schema folder ${displayPath(root)}`));
    } else if (!existsSync(schemaFile)) {
      problems.push(source.problem(pointer, `schema file ${displayPath(schemaFile)} does not exist`));
    }
    products.push({ type, name: entry.name, schemaFile, pointer });
  }
  if (problems.length) throw new ConfigError(problems);
  return { source, products, refRewrites: data.refRewrites };
}
