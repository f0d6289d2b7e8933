/**
 * Turns the schema dialect of an OpenAPI 3.0 file into JSON Schema (draft-07) that ajv compiles.
 *
 * Only what the MEF Sonata files use (and a little of what OpenAPI 3.0 allows around it) is handled:
 * component `$ref`s, `nullable`, annotation keywords, and `discriminator` with polymorphic dispatch.
 */
import type { FuncKeywordDefinition } from 'ajv';
import { escapeToken } from '../json/json-pointer.js';
import { isRecord } from '../json/unknown-values.js';

type JsonObject = Record<string, unknown>;

/** Prefix of every reference a self-contained OpenAPI file may hold for a schema. */
const COMPONENT_SCHEMA_PREFIX = '#/components/schemas/';

/** Name of the ajv keyword (registered with {@link createDiscriminatorKeyword}) that checks discriminator values. */
export const DISCRIMINATOR_KEYWORD = 'x-sonata-discriminator';

/** Suffix of the generated copy of a polymorphic base without its dispatch (see {@link convertComponentSchemas}). */
const BASE_COPY_SUFFIX = '__base';

// Annotations: they never change whether a body is valid. readOnly/writeOnly are dropped on purpose: the same
// component schema serves requests and responses, and Sellers commonly echo read-only ids.
const DROPPED_KEYWORDS = new Set([
  'description',
  'example',
  'examples',
  'xml',
  'externalDocs',
  'readOnly',
  'writeOnly',
  'deprecated',
  'title',
  'discriminator',
  'nullable',
]);

/** Options of the {@link DISCRIMINATOR_KEYWORD} keyword, as written into converted schemas. */
export interface DiscriminatorKeywordOptions {
  /** the discriminating property, `@type` in every Sonata file */
  propertyName: string;
  /** every value that dispatches to a subtype (explicit mapping keys and implicit schema names) */
  values: string[];
  /** true when the base may be extended by a type described at `@schemaLocation` (TMF polymorphism) */
  extensible: boolean;
  /** true when the base itself does not already make the property required */
  requirePresence: boolean;
}

function componentName(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  if (ref.startsWith(COMPONENT_SCHEMA_PREFIX)) return ref.slice(COMPONENT_SCHEMA_PREFIX.length);
  // OpenAPI lets discriminator mapping values be bare schema names
  return ref.includes('/') || ref.includes('#') ? undefined : ref;
}

/** The ajv reference for a component schema of the file registered under `fileId`. */
export function definitionRef(fileId: string, name: string): string {
  return `${fileId}#/definitions/${escapeToken(name)}`;
}

/**
 * Converts one OpenAPI 3.0 schema (component or inline) to JSON Schema. `#/components/schemas/X` becomes a
 * reference into the file's registered root schema (`<fileId>#/definitions/X`); any other `$ref` throws,
 * as every Sonata file is self-contained.
 */
export function convertSchema(node: unknown, fileId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => convertSchema(item, fileId));
  if (!isRecord(node)) return node;

  let out: JsonObject;
  if ('$ref' in node) {
    const name = componentName(node.$ref);
    if (name === undefined || typeof node.$ref !== 'string' || !node.$ref.startsWith(COMPONENT_SCHEMA_PREFIX)) {
      throw new Error(`unsupported $ref ${JSON.stringify(node.$ref)}: only '${COMPONENT_SCHEMA_PREFIX}...' references are supported`);
    }
    // OpenAPI 3.0 ignores every sibling of $ref, so only the reference survives
    out = { $ref: definitionRef(fileId, name) };
  } else {
    out = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
      switch (key) {
        case 'properties':
        case 'patternProperties':
          out[key] = isRecord(value)
            ? Object.fromEntries(Object.entries(value).map(([prop, schema]) => [prop, convertSchema(schema, fileId)]))
            : value;
          break;
        case 'items':
        case 'additionalProperties':
        case 'not':
          out[key] = isRecord(value) ? convertSchema(value, fileId) : value;
          break;
        case 'allOf':
        case 'oneOf':
        case 'anyOf':
          out[key] = convertSchema(value, fileId);
          break;
        case 'format':
          // `uri` is used by MEF for `href`, `@schemaLocation` and `Error.referenceError`. TMF-style hrefs are very
          // often relative (`/productOrder/42`) and most Sonata files type the same hrefs as plain strings, so a
          // strict absolute-URI check would reject bodies the spec authors clearly meant to allow. We check URI
          // *references* instead (absolute or relative; still rejects spaces and other illegal characters).
          // date-time stays strict RFC 3339 with a time zone: every MEF description and example says RFC 3339.
          out[key] = value === 'uri' ? 'uri-reference' : value;
          break;
        default:
          // enum, required, default, const and the numeric/string limits are data, not schemas
          out[key] = value;
      }
    }
  }

  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      out = { anyOf: [{ type: 'null' }, out] };
    }
  }
  return out;
}

interface DispatchPlan {
  base: string;
  propertyName: string;
  /** discriminator value -> component schema name */
  targets: Map<string, string>;
  /** `oneOf`/`anyOf` holding the subtype list, replaced by the dispatch */
  listKey?: 'oneOf' | 'anyOf';
  extensible: boolean;
}

function planDispatch(base: string, schema: JsonObject, all: JsonObject): DispatchPlan | undefined {
  const discriminator = schema.discriminator;
  if (!isRecord(discriminator) || typeof discriminator.propertyName !== 'string') return undefined;
  const targets = new Map<string, string>();
  if (isRecord(discriminator.mapping)) {
    for (const [value, ref] of Object.entries(discriminator.mapping)) {
      const target = componentName(ref);
      if (target === undefined || !(target in all)) {
        throw new Error(`schema ${base}: discriminator mapping ${JSON.stringify(value)} points to unknown schema ${JSON.stringify(ref)}`);
      }
      targets.set(value, target);
    }
  }
  const mapped = new Set(targets.values());
  // OpenAPI's implicit mapping: a subtype not named in the mapping is selected by its own schema name
  const addImplicit = (name: string): void => {
    if (!mapped.has(name) && !targets.has(name)) targets.set(name, name);
  };

  let listKey: DispatchPlan['listKey'];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    const names = list.map((entry) => (isRecord(entry) ? componentName(entry.$ref) : undefined));
    if (names.every((name): name is string => name !== undefined && name in all)) {
      listKey = key;
      names.forEach(addImplicit);
    }
  }
  if (listKey === undefined) {
    for (const [name, candidate] of Object.entries(all)) {
      if (
        isRecord(candidate) &&
        Array.isArray(candidate.allOf) &&
        candidate.allOf.some((entry) => isRecord(entry) && componentName(entry.$ref) === base && name !== base)
      ) {
        addImplicit(name);
      }
    }
  }
  if (targets.size === 0) return undefined; // e.g. MEFProductConfiguration: the value names an external product schema

  const properties = isRecord(schema.properties) ? schema.properties : {};
  return {
    base,
    propertyName: discriminator.propertyName,
    targets,
    listKey,
    // A base listing its subtypes in oneOf is closed. A base with a concrete body of its own is an extension point
    // only where it offers '@schemaLocation' ("might discriminate for additional ... as defined in @schemaLocation").
    extensible: listKey === undefined && '@schemaLocation' in properties,
  };
}

/**
 * Converts `components.schemas` of one file into a `definitions` map for a root schema registered with
 * `$id: fileId`.
 *
 * Discriminators with a mapping (explicit or implicit) are made to *dispatch*: validating against the base also
 * validates against the subtype its `@type` selects, so a `FieldedAddress` given where a `GeographicAddress` is
 * expected must carry `streetName`. Subtypes are written `allOf: [{$ref: Base}, {...}]`, so the base cannot simply
 * point back at them (subtype -> base -> dispatch -> subtype never ends on the same value). Each dispatching base
 * `B` therefore becomes two definitions:
 * - `B__base`: `B` without its discriminator and without the `oneOf`/`anyOf` subtype list; subtypes' direct `allOf`
 *   references to `B` are pointed here;
 * - `B`: `allOf: [B__base, if @type = v1 then T1, if @type = v2 then T2, ...]` plus the
 *   {@link DISCRIMINATOR_KEYWORD} keyword, which reports a missing or unknown value.
 * A subtype reaching the base through an intermediate schema (not found in any Sonata file) is not rewritten.
 */
export function convertComponentSchemas(schemas: JsonObject, fileId: string): Record<string, unknown> {
  const plans = new Map<string, DispatchPlan>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isRecord(schema)) continue;
    const plan = planDispatch(name, schema, schemas);
    if (plan) plans.set(name, plan);
  }

  // work on shallow copies so the parsed document (shared with the operation lookups) stays untouched
  const source: Record<string, unknown> = { ...schemas };
  for (const plan of plans.values()) {
    for (const target of new Set(plan.targets.values())) {
      const schema = source[target];
      if (!isRecord(schema) || !Array.isArray(schema.allOf)) continue;
      source[target] = {
        ...schema,
        allOf: schema.allOf.map((entry) =>
          isRecord(entry) && componentName(entry.$ref) === plan.base
            ? { $ref: COMPONENT_SCHEMA_PREFIX + plan.base + BASE_COPY_SUFFIX }
            : entry,
        ),
      };
    }
  }

  const definitions: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(source)) {
    const plan = plans.get(name);
    if (!plan || !isRecord(schema)) {
      definitions[name] = convertSchema(schema, fileId);
      continue;
    }
    const baseName = name + BASE_COPY_SUFFIX;
    if (baseName in schemas) throw new Error(`schema name ${baseName} collides with the generated copy of ${name}`);
    const { discriminator: _discriminator, [plan.listKey ?? '']: _subtypeList, ...core } = schema;
    definitions[baseName] = convertSchema(core, fileId);

    const required = Array.isArray(core.required) ? core.required : [];
    const options: DiscriminatorKeywordOptions = {
      propertyName: plan.propertyName,
      values: [...plan.targets.keys()],
      extensible: plan.extensible,
      requirePresence: !required.includes(plan.propertyName),
    };
    definitions[name] = {
      allOf: [
        { $ref: definitionRef(fileId, baseName) },
        ...[...plan.targets].map(([value, target]) => ({
          if: { properties: { [plan.propertyName]: { const: value } }, required: [plan.propertyName] },
          // a value mapped to the base itself selects the base without dispatch (no self-loop)
          then: { $ref: definitionRef(fileId, target === name ? baseName : target) },
        })),
      ],
      [DISCRIMINATOR_KEYWORD]: options,
    };
  }
  return definitions;
}

type DiscriminatorValidate = FuncKeywordDefinition['validate'] & { errors?: unknown[] };

/**
 * The ajv keyword behind {@link DISCRIMINATOR_KEYWORD}: the if/then dispatch cannot say "this `@type` matches no
 * subtype", so this keyword does, pointing at the discriminating property.
 */
export function createDiscriminatorKeyword(): FuncKeywordDefinition {
  const validate: DiscriminatorValidate = function validateDiscriminator(
    schema: DiscriminatorKeywordOptions,
    data: unknown,
    _parent,
    dataCxt,
  ) {
    validate.errors = [];
    if (!isRecord(data)) return true;
    const here = dataCxt?.instancePath ?? '';
    const value = data[schema.propertyName];
    const at = `${here}/${escapeToken(schema.propertyName)}`;
    const allowed = schema.values.map((v) => JSON.stringify(v)).join(', ');
    if (value === undefined) {
      if (!schema.requirePresence) return true;
      validate.errors.push({
        keyword: 'discriminator',
        instancePath: at,
        params: { missingProperty: schema.propertyName },
        message: `must be present to select the type (one of ${allowed})`,
      });
      return false;
    }
    if (typeof value === 'string' && schema.values.includes(value)) return true;
    if (schema.extensible && typeof value === 'string' && data['@schemaLocation'] !== undefined) return true;
    validate.errors.push({
      keyword: 'discriminator',
      instancePath: at,
      params: { allowedValues: schema.values },
      message: schema.extensible
        ? `${JSON.stringify(value)} is not a known type (one of ${allowed}); another type needs '@schemaLocation'`
        : `${JSON.stringify(value)} is not a known type (one of ${allowed})`,
    });
    return false;
  };
  return { keyword: DISCRIMINATOR_KEYWORD, schemaType: 'object', errors: true, validate };
}
