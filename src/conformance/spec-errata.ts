/**
 * Errata to the official Sonata OpenAPI files: places where a file contradicts its own text, so that no correct
 * seller can satisfy it. Each erratum is data (`mappings/spec-errata.yaml`), names the release(s), API file and
 * schema it corrects, says why, and is applied when the file is compiled; one that no longer matches the file (an
 * SDK update fixed it) is an error rather than silently ignored. The conformance report lists the errata it ran
 * with, so a certification reader sees exactly where we depart from the letter of the files.
 */
import { existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ConfigError, readYamlFile, validateSource } from '../config/yaml-source.js';
import { isRecord } from '../json/unknown-values.js';
import type { SonataRelease } from './spec-types.js';

export interface SpecErratum {
  /** short stable name, e.g. `tt-find-resolution-date` */
  readonly id: string;
  readonly releases: readonly SonataRelease[];
  /** API name as in the file's server URL, e.g. `troubleTicket` */
  readonly api: string;
  /** `#/components/schemas/<schema>` */
  readonly schema: string;
  /** properties the file lists as required that are not (each must be listed there); may be empty */
  readonly notRequired: readonly string[];
  /**
   * an event schema whose `eventType` enumeration names another event than its listener is for (Kylie's catalogue
   * notifications: ProductOfferingCreateEvent lists `productCategoryCreateEvent`): `listed` is replaced by `meant`
   */
  readonly eventType?: { readonly listed: string; readonly meant: string };
  /**
   * the file uses the schema where it means a list of it: the schema becomes an array of what it was (only for a
   * schema the file uses nowhere else, such as a `*_Find` list item the list answer names without `type: array`)
   */
  readonly arrayOf?: boolean;
  readonly why: string;
  /** `file:line` of the erratum */
  readonly source: string;
}

const ERRATA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['errata'],
  properties: {
    errata: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'releases', 'api', 'schema', 'why'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
          releases: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
          },
          api: { type: 'string', minLength: 1 },
          schema: { type: 'string', minLength: 1 },
          notRequired: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
          eventType: {
            type: 'object',
            additionalProperties: false,
            required: ['listed', 'meant'],
            properties: { listed: { type: 'string', minLength: 1 }, meant: { type: 'string', minLength: 1 } },
          },
          arrayOf: { const: true },
          why: { type: 'string', minLength: 20 },
        },
      },
    },
  },
} as const;

/**
 * Reads the errata file (none: no errata); problems are a ConfigError naming file:line. With `sdkReleases` (the
 * releases of the SDK folder), an erratum naming another release is a problem too.
 */
export function loadSpecErrata(file: string, sdkReleases?: readonly string[]): SpecErratum[] {
  if (!existsSync(file)) return [];
  const src = readYamlFile(file);
  const problems = validateSource(src, new Ajv({ allErrors: true, strict: true }).compile(ERRATA_SCHEMA));
  if (problems.length) throw new ConfigError(problems);
  const raw = (src.data as { errata: Array<Omit<SpecErratum, 'source' | 'notRequired'> & { notRequired?: string[] }> }).errata;
  const seen = new Set<string>();
  const errata = raw.map((e, i) => {
    if (seen.has(e.id)) problems.push(src.problem(`/errata/${i}/id`, `erratum ${e.id} is listed twice`));
    seen.add(e.id);
    if (!e.notRequired && !e.eventType && !e.arrayOf)
      problems.push(src.problem(`/errata/${i}`, 'give notRequired, eventType or arrayOf (what the erratum corrects)'));
    e.releases.forEach((release, r) => {
      if (sdkReleases && !sdkReleases.includes(release))
        problems.push(
          src.problem(`/errata/${i}/releases/${r}`, `release ${release} is not in the SDK folder (it holds: ${sdkReleases.join(', ')})`),
        );
    });
    return Object.freeze({
      ...e,
      notRequired: e.notRequired ?? [],
      source: `${src.file}:${src.locate(`/errata/${i}`).line}`,
    });
  });
  if (problems.length) throw new ConfigError(problems);
  return errata;
}

/** The errata of a release for one API file (or any of several), in file order. */
export function errataFor(errata: readonly SpecErratum[], release: string, apis: string | readonly string[]): SpecErratum[] {
  const wanted = new Set(typeof apis === 'string' ? [apis] : apis);
  return errata.filter((e) => wanted.has(e.api) && (e.releases as readonly string[]).includes(release));
}

/**
 * Applies errata to a parsed file's `components.schemas` (in place, before compiling). Throws when an erratum does
 * not match the file any more, naming the erratum and what it found.
 */
export function applySpecErrata(schemas: Record<string, unknown>, errata: readonly SpecErratum[], file: string): void {
  for (const e of errata) {
    const schema = schemas[e.schema];
    if (!isRecord(schema)) throw new Error(`spec erratum ${e.id} (${e.source}): ${file} has no schema ${e.schema}`);
    if (e.eventType) fixEventTypeEnum(schema, e, file);
    if (e.arrayOf) {
      if (schema.type === 'array')
        throw new Error(`spec erratum ${e.id} (${e.source}): ${e.schema} in ${file} is an array already; drop the erratum`);
      schemas[e.schema] = { type: 'array', items: { ...schema } };
    }
    if (e.notRequired.length === 0) continue;
    const target = e.arrayOf ? (schemas[e.schema] as { items: Record<string, unknown> }).items : schema;
    const required = Array.isArray(target.required) ? (target.required as unknown[]) : [];
    const absent = e.notRequired.filter((p) => !required.includes(p));
    if (absent.length)
      throw new Error(
        `spec erratum ${e.id} (${e.source}): ${e.schema} in ${file} no longer requires ${absent.join(', ')}; drop or fix the erratum`,
      );
    target.required = required.filter((p) => !e.notRequired.includes(p as string));
  }
}

/** The `eventType` enumeration of the schema (or of one of its allOf members) that lists `listed` now lists `meant`. */
function fixEventTypeEnum(schema: Record<string, unknown>, e: SpecErratum, file: string): void {
  const { listed, meant } = e.eventType!;
  const parts = [schema, ...(Array.isArray(schema.allOf) ? (schema.allOf as unknown[]) : [])].filter(isRecord);
  for (const part of parts) {
    const eventType = isRecord(part.properties) && isRecord(part.properties.eventType) ? part.properties.eventType : undefined;
    const values = eventType && Array.isArray(eventType.enum) ? (eventType.enum as unknown[]) : undefined;
    if (eventType && values?.includes(listed)) {
      eventType.enum = values.map((v) => (v === listed ? meant : v));
      return;
    }
  }
  throw new Error(
    `spec erratum ${e.id} (${e.source}): ${e.schema} in ${file} no longer lists eventType ${listed}; drop or fix the erratum`,
  );
}

/** What an erratum corrects, in one line for reports. */
export function describeErratum(e: SpecErratum): string {
  return `${e.api} ${e.schema} ${erratumCorrections(e).join('; ')}`;
}

/** What an erratum corrects, one phrase per correction; `name` renders a property or event name (the HTML report's `<code>`). */
export function erratumCorrections(e: SpecErratum, name: (s: string) => string = (s) => s): string[] {
  return [
    ...(e.arrayOf ? ['is answered as an array of it'] : []),
    ...(e.notRequired.length ? [`does not require ${e.notRequired.map(name).join(', ')}`] : []),
    ...(e.eventType ? [`has eventType ${name(e.eventType.meant)} where the file lists ${name(e.eventType.listed)}`] : []),
  ];
}
