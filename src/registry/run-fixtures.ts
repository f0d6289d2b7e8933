import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath } from '../config/yaml-source.js';
import { parseFixture, runFixture, type FixtureResult } from '../mapping/fixtures.js';
import type { LoadCache } from './load-cache.js';
import type { FixtureRef, Registry } from './registry.js';

export interface FixtureOutcome {
  readonly ref: FixtureRef;
  readonly name: string;
  readonly ok: boolean;
  /** why it failed, ready to print: file:line problems, a diff or an unexpected error */
  readonly detail?: string;
  readonly result?: FixtureResult;
}

/**
 * Runs every mapping fixture the registry found (partners/<id>/fixtures/**, mappings/**\/fixtures/**) against
 * the mappings exactly as the registry compiled them, with the owner's lookup tables. Used by `npm test`
 * and by `sonata-gateway test`.
 */
export async function runRegistryFixtures(
  registry: Registry,
  filter?: {
    partnerId?: string;
    select?: (ref: FixtureRef, mappingFile: string) => boolean;
    /** keeps parsed fixtures across reloads (a fixture is parsed again only when its text changed) */
    cache?: LoadCache;
  },
): Promise<FixtureOutcome[]> {
  const outcomes: FixtureOutcome[] = [];
  for (const ref of registry.fixtures) {
    if (filter?.partnerId && ref.partnerId !== filter.partnerId) continue;
    const name = displayPath(ref.file);
    let fixture;
    try {
      const text = readFileSync(ref.file, 'utf8');
      fixture = filter?.cache ? filter.cache.memo('fixture', ref.file, text, () => parseFixture(text, name)) : parseFixture(text, name);
    } catch (err) {
      if (filter?.select && !filter.select(ref, '')) continue;
      outcomes.push({ ref, name, ok: false, detail: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const mappingFile = resolve(ref.ownerDir, fixture.mapping);
    if (filter?.select && !filter.select(ref, mappingFile)) continue;
    const mapping = registry.mappingsByFile.get(mappingFile);
    if (!mapping) {
      outcomes.push({
        ref,
        name,
        ok: false,
        detail: `${name}: mapping ${displayPath(mappingFile)} is not used by any partner, release or legacy operation (or failed to load)`,
      });
      continue;
    }
    const lookups = ref.partnerId ? registry.partners.get(ref.partnerId)?.lookups : registry.sharedLookups;
    const result = await runFixture(fixture, mapping, lookups);
    outcomes.push({ ref, name, ok: result.ok, result, detail: result.ok ? undefined : describeFailure(result) });
  }
  return outcomes;
}

function describeFailure(r: FixtureResult): string {
  if (r.diff) return r.diff;
  if (r.error) return r.error.toString();
  return 'output differs from expected';
}

/**
 * One failing fixture as `fixture.yaml:line:col <why>`: a fixture that does not parse is located by the parser; one
 * whose output differs points at its `expected` (or `expectedError`) key, followed by the diff.
 */
export function formatFixtureFailure(o: FixtureOutcome): string {
  const detail = o.detail ?? 'failed';
  if (detail.startsWith(`${o.name}:`)) return detail;
  let line = 1;
  try {
    const lines = readFileSync(o.ref.file, 'utf8').split('\n');
    const at = lines.findIndex((l) => /^expected(Error)?\s*:/.test(l));
    if (at >= 0) line = at + 1;
  } catch {
    /* the file went away: line 1 */
  }
  return `${o.name}:${line}:1 fixture fails: ${detail}`;
}
