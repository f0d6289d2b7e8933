import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ConfigError, describeAjvError, type ConfigProblem } from '../../config/yaml-source.js';
import type { Logger } from '../../observability/logger.js';
import { readProductCatalog } from './product-catalog.js';
import { describeProductErrors, subjectOf, truncate, type AlternativeValidators, type ProductIssue } from './product-issues.js';
import { forEachAlternativeList, loadSchemaFiles } from './schema-files.js';
import { appendToken, parsePointer } from '../../json/json-pointer.js';
import { errorMessage } from '../../json/unknown-values.js';
import { isRecord } from '../../json/unknown-values.js';

export type { ProductIssue } from './product-issues.js';
export type { RefRewrite } from './schema-files.js';

/** Validates `product.productConfiguration` objects by their `@type`. */
export interface ProductSchemaRegistry {
  /** known @type values (canonical URNs) */
  types(): string[];
  /** validates one productConfiguration found at `pointer` in the request; `@type` aliases resolved by `alias` */
  validate(config: unknown, pointer: string, alias?: (type: string) => string | undefined): ProductIssue[];
}

/** Options of loadProductSchemas. */
export interface LoadProductSchemasOptions {
  /** the product catalogue YAML file (`products: {<@type>: {schema, name?}}`, optional `refRewrites`) */
  catalogFile: string;
  /** folder the catalogue's `schema` paths are relative to */
  schemaDir: string;
  /** receives Ajv's warnings and a note when refs needed a rewrite rule; nothing is logged without it */
  logger?: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Loads a product catalogue and compiles every schema it names, with every file those schemas reference,
 * once (Ajv, draft-07, `strict: false`, formats, all errors). Throws ConfigError with file:line:col for a bad
 * catalogue entry, a schema file that does not parse, a `$ref` to a missing file or definition, a schema that
 * is not valid draft-07, a root schema whose own `$id` differs from its catalogue `@type`, or a compile error.
 */
export function loadProductSchemas(opts: LoadProductSchemasOptions): ProductSchemaRegistry {
  const catalog = readProductCatalog(opts.catalogFile, opts.schemaDir);
  const set = loadSchemaFiles(
    catalog.products.map((p) => p.schemaFile),
    catalog.refRewrites,
  );
  const log = opts.logger;
  if (set.rewrittenRefs > 0) {
    log?.info('product schema $refs resolved through refRewrites', {
      catalog: catalog.source.file,
      refs: set.rewrittenRefs,
    });
  }
  if (set.droppedEmptyKeywords > 0) {
    log?.debug('empty keywords in product schemas ignored', {
      catalog: catalog.source.file,
      keywords: set.droppedEmptyKeywords,
    });
  }

  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    // the failing data and schema of each error let a failed oneOf be explained alternative by alternative
    verbose: true,
    logger: log
      ? {
          log: (...args: unknown[]) => log.debug(args.join(' ')),
          warn: (...args: unknown[]) => log.warn(args.join(' ')),
          error: (...args: unknown[]) => log.warn(args.join(' ')),
        }
      : false,
  });
  addFormats(ajv);

  const problems: ConfigProblem[] = [];
  for (const file of set.files.values()) {
    try {
      if (!ajv.validateSchema(file.schema)) {
        for (const e of ajv.errors ?? [])
          problems.push(file.source.problem(e.instancePath, `not a valid JSON schema: ${describeAjvError(e)}`));
        continue;
      }
      ajv.addSchema(file.schema);
    } catch (err) {
      problems.push(file.source.problem('', `cannot load schema: ${errorMessage(err)}`));
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const validators = new Map<string, ValidateFunction>();
  for (const product of catalog.products) {
    const file = set.files.get(product.schemaFile);
    if (!file) continue;
    const label = product.name ? `${product.name} (${product.type})` : product.type;
    if (file.declaredId !== undefined && file.declaredId !== product.type) {
      problems.push(
        catalog.source.problem(product.pointer, `${label}: ${file.source.file} declares $id ${file.declaredId}, not this @type`),
      );
      continue;
    }
    try {
      const validate = ajv.getSchema(file.url);
      if (!validate) throw new Error('schema not found after loading');
      validators.set(product.type, validate);
    } catch (err) {
      problems.push(catalog.source.problem(product.pointer, `${label}: ${file.source.file} does not compile: ${errorMessage(err)}`));
    }
  }
  if (problems.length) throw new ConfigError(problems);

  // Compiled now rather than on a request's first failure, so a bad request costs no compile time.
  const alternatives: AlternativeValidators = new WeakMap();
  for (const file of set.files.values()) {
    forEachAlternativeList(file.schema, (list) => {
      for (const alt of list) {
        if (!isRecord(alt) || alternatives.has(alt)) continue;
        try {
          alternatives.set(alt, ajv.compile(alt));
        } catch (err) {
          problems.push(file.source.problem('', `an alternative (oneOf/anyOf) does not compile: ${errorMessage(err)}`));
        }
      }
    });
  }
  if (problems.length) throw new ConfigError(problems);

  const known = [...validators.keys()];
  return Object.freeze({
    types: () => [...known],
    validate(config: unknown, pointer: string, alias?: (type: string) => string | undefined): ProductIssue[] {
      if (!isRecord(config)) {
        return [{ code: 'invalidFormat', propertyPath: pointer, reason: `${subjectOf(pointer)} must be an object` }];
      }
      const typeAt = `${pointer}/@type`;
      const type = config['@type'];
      if (type === undefined) return [{ code: 'missingProperty', propertyPath: typeAt, reason: '@type is required' }];
      if (typeof type !== 'string') return [{ code: 'invalidFormat', propertyPath: typeAt, reason: '@type must be a string' }];
      const canonical = validators.has(type) ? type : alias?.(type);
      const validate = canonical === undefined ? undefined : validators.get(canonical);
      if (!validate) {
        const shown = JSON.stringify(type.length > 100 ? `${type.slice(0, 100)}…` : type);
        const via = canonical === undefined ? '' : ` (an alias of ${canonical})`;
        return [
          {
            code: 'invalidValue',
            propertyPath: typeAt,
            reason: truncate(`@type ${shown}${via} is not a known product specification; known: ${known.join(', ')}`),
          },
        ];
      }
      if (validate(config)) return [];
      return describeProductErrors(validate.errors ?? [], pointer, alternatives);
    },
  });
}

/**
 * Finds the values at `paths` in a request body. A path is a JSON pointer in which a `*` segment stands for
 * every element of an array (`/quoteItem`, then `*`, then `/product/productConfiguration`). Returns each value
 * found with its JSON pointer, in body order; absent values are skipped, a value two paths reach is listed once.
 */
export function findProductConfigurations(body: unknown, paths: readonly string[]): Array<{ pointer: string; value: unknown }> {
  const found: Array<{ pointer: string; value: unknown }> = [];
  const seen = new Set<string>();
  const walk = (node: unknown, segments: readonly string[], i: number, pointer: string): void => {
    if (i === segments.length) {
      if (node !== undefined && !seen.has(pointer)) {
        seen.add(pointer);
        found.push({ pointer, value: node });
      }
      return;
    }
    const segment = segments[i] as string;
    if (Array.isArray(node)) {
      if (segment === '*') node.forEach((item, k) => walk(item, segments, i + 1, `${pointer}/${k}`));
      else if (/^(0|[1-9][0-9]*)$/.test(segment)) walk(node[Number(segment)], segments, i + 1, `${pointer}/${segment}`);
    } else if (isRecord(node) && segment !== '*' && Object.hasOwn(node, segment)) {
      walk(node[segment], segments, i + 1, appendToken(pointer, segment));
    }
  };
  for (const path of paths) {
    if (path !== '' && !path.startsWith('/')) throw new Error(`product configuration path must be a JSON pointer: ${path}`);
    walk(body, parsePointer(path), 0, '');
  }
  return found;
}
