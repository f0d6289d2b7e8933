/**
 * What the console shows and does with mappings: the index of every mapping file the registry compiled (owner,
 * release, API, operation, step), their fixtures and how they fare, the playground's evaluation of posted source,
 * and saving a new fixture. Nothing here changes the live registry.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import type { GatewayConfig } from '../config/config-schema.js';
import { GatewayError, type PropertyIssue } from '../errors/catalogue.js';
import { createMappingEngine, type CompiledMapping } from '../mapping/engine.js';
import { MappingError } from '../mapping/errors.js';
import { listDifferences, parseFixture, runFixture, type MappingFixture } from '../mapping/fixtures.js';
import { runRegistryFixtures } from '../registry/run-fixtures.js';
import type { LookupTables } from '../mapping/lookups.js';
import type { FixtureRef, PartnerDef, Registry } from '../registry/registry.js';
import { apiBasesFor } from '../sonata/operation-context.js';
import { errorMessage, memberOf } from '../json/unknown-values.js';

/** One mapping file of the registry as the console lists it. */
export interface MappingEntry {
  /** stable key: the owner and the project-relative file */
  readonly id: string;
  readonly owner: string;
  readonly release?: string;
  readonly api?: string;
  readonly operation?: string;
  /** request, response, status, legacy-request, legacy-response, seller-request, seller-response, other */
  readonly step: string;
  /** project-relative path */
  readonly file: string;
  readonly engine: 'compiled' | 'fallback';
}

/** A fixture of a mapping with how it fares against the live snapshot. */
export interface FixtureStatus {
  readonly file: string;
  readonly description?: string;
  readonly ok: boolean;
  readonly diff?: string;
}

interface MappingIndex {
  readonly entries: Map<string, MappingEntry & { readonly abs: string; readonly partnerId?: string }>;
  /** parsed fixtures by the absolute path of their mapping */
  readonly fixtures: Map<string, { ref: FixtureRef; fixture: MappingFixture }[]>;
}

const indexes = new WeakMap<Registry, MappingIndex>();
const outcomes = new WeakMap<Registry, Promise<Map<string, FixtureStatus>>>();

/** Project-relative path of an absolute file. */
function projectRelative(config: GatewayConfig, abs: string): string {
  return relative(config.rootDir, abs).split(sep).join('/');
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The partner whose folder holds `abs`, if any. */
function ownerPartner(registry: Registry, abs: string): PartnerDef | undefined {
  for (const p of registry.partners.values()) if (isInside(p.dir, abs)) return p;
  return undefined;
}

/** Builds (once per snapshot) the index of mapping files and their fixtures. */
function indexOf(registry: Registry, config: GatewayConfig): MappingIndex {
  const cached = indexes.get(registry);
  if (cached) return cached;
  const roles = new Map<string, { release?: string; api?: string; operation?: string; step: string }>();
  const fileOf = new Map<CompiledMapping, string>([...registry.mappingsByFile].map(([abs, m]) => [m, abs]));
  const note = (m: CompiledMapping | undefined, role: { release?: string; api?: string; operation?: string; step: string }) => {
    const abs = m && fileOf.get(m);
    if (abs && !roles.has(abs)) roles.set(abs, role);
  };
  for (const p of registry.partners.values()) {
    for (const [operation, pair] of p.mappings) {
      const op = findOperation(registry, p, operation);
      note(pair.request, { release: op?.release, api: op?.apiName, operation, step: 'request' });
      note(pair.response, { release: op?.release, api: op?.apiName, operation, step: 'response' });
    }
    for (const [operation, pair] of p.seller?.mappings ?? []) {
      note(pair.request, { operation, step: 'seller-request' });
      note(pair.response, { operation, step: 'seller-response' });
    }
  }
  for (const release of new Set(registry.releases.values())) {
    for (const api of release.apis.values()) {
      for (const op of api.operations) {
        note(op.request, { release: release.name, api: api.name, operation: op.operationId, step: 'request' });
        note(op.response, { release: release.name, api: api.name, operation: op.operationId, step: 'response' });
        note(op.statusExpression, { release: release.name, api: api.name, operation: op.operationId, step: 'status' });
      }
    }
  }
  for (const op of registry.legacy.values()) {
    note(op.request, { operation: op.name, step: 'legacy-request' });
    note(op.response, { operation: op.name, step: 'legacy-response' });
  }
  const entries: MappingIndex['entries'] = new Map();
  for (const [abs, m] of registry.mappingsByFile) {
    const partner = ownerPartner(registry, abs);
    const owner = partner ? `partner:${partner.id}` : 'shared';
    const file = projectRelative(config, abs);
    const role = roles.get(abs) ?? { step: 'other' };
    entries.set(abs, {
      id: `${owner}:${file}`,
      owner,
      file,
      step: role.step,
      abs,
      engine: m.engine === 'compiled' ? 'compiled' : 'fallback',
      ...(role.release !== undefined && { release: role.release }),
      ...(role.api !== undefined && { api: role.api }),
      ...(role.operation !== undefined && { operation: role.operation }),
      ...(partner && { partnerId: partner.id }),
    });
  }
  const fixtures: MappingIndex['fixtures'] = new Map();
  for (const ref of registry.fixtures) {
    try {
      const fixture = parseFixture(readFileSync(ref.file, 'utf8'), projectRelative(config, ref.file));
      const mappingAbs = resolve(ref.ownerDir, fixture.mapping);
      fixtures.set(mappingAbs, [...(fixtures.get(mappingAbs) ?? []), { ref, fixture }]);
    } catch {
      /* a fixture that does not parse is reported by `sonata-gateway check` and reloads, not here */
    }
  }
  const index = { entries, fixtures };
  indexes.set(registry, index);
  return index;
}

function findOperation(registry: Registry, partner: PartnerDef, operationId: string): { release: string; apiName: string } | undefined {
  for (const release of new Set(registry.releases.values())) {
    for (const api of release.apis.values()) {
      if (registry.releaseFor(partner, api.name) !== release) continue;
      const op = api.operations.find((o) => o.operationId === operationId);
      if (op) return { release: release.name, apiName: api.name };
    }
  }
  return undefined;
}

/** Every fixture's outcome against the snapshot, by fixture file (run once per snapshot). */
function fixtureOutcomes(registry: Registry, config: GatewayConfig): Promise<Map<string, FixtureStatus>> {
  let pending = outcomes.get(registry);
  if (!pending) {
    // the same run as `sonata-gateway test` and reloads: the registry's fixtures against its compiled mappings
    pending = runRegistryFixtures(registry).then(
      (results) =>
        new Map(
          results.map((o): [string, FixtureStatus] => {
            const description = o.result?.fixture.description;
            return [
              o.ref.file,
              {
                file: projectRelative(config, o.ref.file),
                ok: o.ok,
                ...(description && { description }),
                ...(!o.ok && { diff: o.detail ?? 'failed' }),
              },
            ];
          }),
        ),
    );
    // a failure (a fixture file that vanished mid-run) is not remembered: the next request runs them again
    pending.catch(() => outcomes.delete(registry));
    outcomes.set(registry, pending);
  }
  return pending;
}

function lookupsOf(registry: Registry, partnerId: string | undefined): LookupTables {
  return (partnerId ? registry.partners.get(partnerId)?.lookups : undefined) ?? registry.sharedLookups;
}

/**
 * The mapping files (with their fixtures' outcomes), optionally of one partner: its own files and the shared ones of
 * the releases it speaks, the legacy mappings and anything else shared.
 */
export async function listMappings(
  registry: Registry,
  config: GatewayConfig,
  partnerId?: string,
): Promise<(MappingEntry & { fixtures: FixtureStatus[] })[]> {
  const partner = partnerId === undefined ? undefined : registry.partners.get(partnerId);
  if (partnerId !== undefined && !partner) throw new GatewayError('resource.not-found', `No partner ${partnerId}`);
  const index = indexOf(registry, config);
  const results = await fixtureOutcomes(registry, config);
  const spoken = partner
    ? new Set(
        [...registry.releases.values()]
          .flatMap((r) => [...r.apis.keys()].map((api) => (registry.releaseFor(partner, api)?.name === r.name ? `${r.name}/${api}` : '')))
          .filter(Boolean),
      )
    : undefined;
  const out: (MappingEntry & { fixtures: FixtureStatus[] })[] = [];
  for (const e of index.entries.values()) {
    if (partner) {
      if (e.partnerId !== undefined && e.partnerId !== partner.id) continue;
      if (e.partnerId === undefined && e.release !== undefined && !spoken!.has(`${e.release}/${e.api}`)) continue;
    }
    const { abs, partnerId: _p, ...entry } = e;
    const fixtures = (index.fixtures.get(abs) ?? []).map(({ ref }) => results.get(ref.file)).filter((f): f is FixtureStatus => !!f);
    out.push({ ...entry, fixtures });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Resolves a project-relative mapping file the registry compiled; 404 for anything else (other files, traversal). */
export function resolveMappingFile(registry: Registry, config: GatewayConfig, file: unknown): { abs: string; mapping: CompiledMapping } {
  if (typeof file !== 'string' || file === '' || file.includes('\0'))
    throw new GatewayError('console.invalid-request', 'file: a project-relative mapping path is required');
  const abs = resolve(config.rootDir, file);
  const allowed = isInside(config.paths.mappings, abs) || isInside(config.paths.partners, abs);
  const mapping = allowed ? registry.mappingsByFile.get(abs) : undefined;
  if (!mapping)
    throw new GatewayError(
      'resource.not-found',
      `No mapping file ${file} (only the mappings under mappings/ and partners/ the gateway loaded)`,
    );
  return { abs, mapping };
}

/** `GET /console/api/mappings/source`: the mapping's source and its fixtures as written. */
export function mappingSource(
  registry: Registry,
  config: GatewayConfig,
  file: unknown,
): { file: string; source: string; fixtures: unknown[] } {
  const { abs, mapping } = resolveMappingFile(registry, config, file);
  const fixtures = (indexOf(registry, config).fixtures.get(abs) ?? []).map(({ ref, fixture }) => ({
    file: projectRelative(config, ref.file),
    ...(fixture.description !== undefined && { description: fixture.description }),
    input: fixture.input,
    ...(fixture.expected !== undefined && { expected: fixture.expected }),
    ...(fixture.expectedError !== undefined && { expectedError: fixture.expectedError }),
    ...(fixture.bindings !== undefined && { bindings: fixture.bindings }),
  }));
  return { file: projectRelative(config, abs), source: mapping.source, fixtures };
}

/** What the playground answers. */
export type PlaygroundResult =
  | { ok: true; output: unknown; ms: number; diff?: string[] }
  | { ok: false; error: { message: string; code?: string; line?: number; column?: number; kind?: string } };

/** Largest mapping source the playground compiles. */
const MAX_SOURCE_CHARS = 256 * 1024;

/**
 * Compiles `source` afresh (an engine of its own per call, so posted sources never fill the runtime's compile caches)
 * with the runtime's deadline and depth guard, and evaluates it with the bindings the pipeline gives (partner, release,
 * API bases, a fixed request id and clock) overlaid by the posted ones, and the owner's lookup tables.
 */
export async function evaluatePlayground(
  registry: Registry,
  config: GatewayConfig,
  body: Record<string, unknown>,
  now: Date,
): Promise<PlaygroundResult> {
  const { source, input, file } = body;
  if (typeof source !== 'string') throw new GatewayError('console.invalid-request', 'source: the mapping source text is required');
  if (source.length > MAX_SOURCE_CHARS) throw new GatewayError('console.invalid-request', `source: at most ${MAX_SOURCE_CHARS} characters`);
  if (!('input' in body)) throw new GatewayError('console.invalid-request', 'input: the JSON input is required');
  const bindings = optionalObject(body.bindings, 'bindings');
  const name = typeof file === 'string' && file !== '' ? file : 'playground.jsonata';
  const abs = resolve(config.rootDir, name);
  const partnerId = typeof body.partnerId === 'string' && body.partnerId !== '' ? body.partnerId : ownerPartner(registry, abs)?.id;
  const partner = partnerId === undefined ? undefined : registry.partners.get(partnerId);
  if (partnerId !== undefined && !partner) throw new GatewayError('resource.not-found', `No partner ${partnerId}`);
  const role = indexOf(registry, config).entries.get(abs);
  const engine = createMappingEngine({
    deadlineMs: config.mapping.deadlineMs,
    maxDepth: config.mapping.maxDepth,
    engine: config.mapping.engine,
    syncSliceMs: config.mapping.syncSliceMs,
  });
  let compiled: CompiledMapping;
  try {
    compiled = engine.compile(source, name);
  } catch (err) {
    return { ok: false, error: describeMappingError(err) };
  }
  const runtime = partner ? runtimeBindings(registry, partner, role?.release, role?.api, now) : {};
  const started = performance.now();
  try {
    // the configured deadline given explicitly: a freshly compiled mapping's first evaluations would otherwise get a
    // cold-start allowance of several deadlines, and every playground evaluation is a first one
    const output = await compiled.evaluate(input, {
      bindings: { ...runtime, ...bindings },
      lookups: lookupsOf(registry, partner?.id),
      deadlineMs: config.mapping.deadlineMs,
    });
    const ms = Math.round((performance.now() - started) * 100) / 100;
    return { ok: true, output, ms, ...('expected' in body && { diff: listDifferences(body.expected, output, 100) }) };
  } catch (err) {
    return { ok: false, error: describeMappingError(err) };
  }
}

/** The bindings the Sonata pipeline gives a mapping of `partner` (src/sonata/operation-context.ts createRunner). */
function runtimeBindings(
  registry: Registry,
  partner: PartnerDef,
  release: string | undefined,
  api: string | undefined,
  now: Date,
): Record<string, unknown> {
  const rel = release ?? partner.release;
  const version = api ? registry.releases.get(rel)?.apis.get(api)?.version : undefined;
  return {
    requestId: 'console-playground',
    partnerId: partner.id,
    buyerId: partner.buyerId,
    sellerId: partner.sellerId,
    customerId: partner.legacyCustomerId,
    testEnvironment: partner.testEnvironment,
    policy: partner.policy,
    release: rel,
    ...(api && version && { apiBase: `/mefApi/sonata/${api}/${version}` }),
    apiBases: apiBasesFor(registry, partner, { release: rel }),
    params: {},
    query: {},
    now: now.toISOString(),
  };
}

function describeMappingError(err: unknown): {
  message: string;
  code?: string;
  line?: number;
  column?: number;
  kind?: string;
} {
  if (err instanceof MappingError) {
    return {
      message: err.rejection ? `${err.rejection.code} at ${err.rejection.propertyPath}: ${err.rejection.reason}` : err.detail,
      kind: err.kind,
      ...((err.jsonataCode ?? err.rejection?.code) !== undefined && { code: err.jsonataCode ?? err.rejection?.code }),
      ...(err.line !== undefined && { line: err.line }),
      ...(err.column !== undefined && { column: err.column }),
    };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

function optionalObject(v: unknown, name: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new GatewayError('console.invalid-request', `${name}: an object of name: value`);
  return v as Record<string, unknown>;
}

const FIXTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/**
 * `POST /console/api/fixtures`: writes `<mapping name>.<name>.yaml` beside the mapping's other fixtures (the partner's
 * `fixtures/`, or the `fixtures/` folder beside a shared mapping), in the format `parseFixture` reads, after checking
 * that the mapping as loaded produces `expected` (or `expectedError`). Never overwrites.
 */
export async function saveFixture(registry: Registry, config: GatewayConfig, body: Record<string, unknown>): Promise<{ fixture: string }> {
  const { abs, mapping } = resolveMappingFile(registry, config, body.file);
  const name = body.name;
  if (typeof name !== 'string' || !FIXTURE_NAME.test(name)) {
    throw new GatewayError('console.invalid-request', 'name: 1-80 letters, digits, - or _, starting with a letter or digit');
  }
  if (!('input' in body)) throw new GatewayError('console.invalid-request', 'input: the JSON input is required');
  const hasExpected = 'expected' in body;
  const hasError = body.expectedError !== undefined;
  if (hasExpected === hasError) throw new GatewayError('console.invalid-request', 'give either expected or expectedError');
  const bindings = optionalObject(body.bindings, 'bindings');
  const description = body.description;
  if (description !== undefined && typeof description !== 'string') throw new GatewayError('console.invalid-request', 'description: text');

  const partner = ownerPartner(registry, abs);
  const ownerDir = partner ? partner.dir : dirname(abs);
  const fixturesDir = join(ownerDir, 'fixtures');
  const target = join(fixturesDir, `${basename(abs).replace(/\.jsonata$/, '')}.${name}.yaml`);
  // the name pattern already rules out separators and dots; this keeps it so whatever the pattern becomes
  if (!isInside(fixturesDir, target) || dirname(target) !== fixturesDir)
    throw new GatewayError('console.invalid-request', 'name: not a plain file name');
  const fields: Record<string, unknown> = { mapping: relative(ownerDir, abs).split(sep).join('/') };
  if (description) fields.description = description;
  if (bindings) fields.bindings = bindings;
  fields.input = body.input;
  if (hasExpected) fields.expected = body.expected;
  else fields.expectedError = body.expectedError;
  const text = `${stringify(fields, { lineWidth: 0 })}`;
  const shown = projectRelative(config, target);
  let fixture: MappingFixture;
  try {
    fixture = parseFixture(text, shown);
  } catch (err) {
    throw new GatewayError('console.invalid-request', errorMessage(err).replace(`${shown}:`, 'fixture:'));
  }
  const result = await runFixture(fixture, mapping, partner ? partner.lookups : registry.sharedLookups);
  if (!result.ok) {
    const lines = hasExpected && result.error === undefined ? listDifferences(body.expected, result.actual, 20) : [result.diff ?? 'failed'];
    const issues: PropertyIssue[] = lines.map((line) => ({
      code: 'invalidValue',
      propertyPath: hasExpected ? '/expected' : '/expectedError',
      reason: line,
    }));
    throw new GatewayError('console.fixture-mismatch', lines.join('; '), { issues });
  }
  if (existsSync(target)) throw new GatewayError('console.fixture-exists', `${shown} already exists`);
  mkdirSync(fixturesDir, { recursive: true });
  try {
    writeFileSync(target, text, { flag: 'wx' });
  } catch (err) {
    if (memberOf(err, 'code') === 'EEXIST') throw new GatewayError('console.fixture-exists', `${shown} already exists`);
    throw err;
  }
  return { fixture: shown };
}
