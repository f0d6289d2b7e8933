import type { LoadCache } from './load-cache.js';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { ConfigError, formatProblem, type ConfigProblem } from '../config/yaml-source.js';
import type { Logger } from '../observability/logger.js';
import type { LoadRegistryOptions } from './load-registry.js';
import type { Registry } from './registry.js';
import { formatFixtureFailure, runRegistryFixtures } from './run-fixtures.js';

/** A partner a reload left at its last good state (or off, when it is new), and why. */
export interface RefusedPartner {
  readonly partnerId: string;
  readonly keptLastGood: boolean;
  readonly problems: readonly string[];
}

export type ReloadResult =
  { ok: true; registry: Registry; refusedPartners: readonly RefusedPartner[]; fixturesRun: number } | { ok: false; error: ConfigError };

/** How the last reload ended (the console's overview): refused as a whole, or live with the problems of refused partners. */
export interface LastReload {
  readonly result: 'ok' | 'refused';
  /** ISO 8601 UTC */
  readonly at: string;
  readonly problems: readonly ConfigProblem[];
}

export interface RegistryHolder {
  /** the live snapshot; never changes under a request that already holds it */
  current(): Registry;
  /** the outcome of the last reload; undefined before the first */
  lastReload(): LastReload | undefined;
  /**
   * Builds a new snapshot (isolated per partner), runs the fixtures of what changed and swaps it in; a snapshot with
   * problems outside partners/ or a failing shared fixture keeps the last good snapshot. Reloads never overlap.
   */
  reload(): Promise<ReloadResult>;
  /** watches the data folders and reloads (debounced) on change */
  watch(dirs: string[], debounceMs: number): void;
  close(): void;
}

export const RELOAD_REFUSED = 'registry reload refused; the last good configuration keeps serving';

/**
 * Holds the current registry snapshot. The first load must succeed (a gateway refuses to start on bad config).
 * A reload compiles and checks everything, runs the fixtures of the mapping files and fixtures that changed, and
 * isolates partners: a partner whose files have problems (or whose fixtures fail) keeps its last good state while
 * the others go live; problems elsewhere (mappings/) refuse the whole snapshot. All logged with file:line:col.
 */
export function createRegistryHolder(opts: {
  load: (isolate?: LoadRegistryOptions['isolate']) => Registry;
  logger: Logger;
  onReload?: (r: Registry) => void;
  /** a reload refused as a whole (the last good snapshot keeps serving) */
  onRefused?: (error: ConfigError) => void;
  /** the cache `load` uses: reloads keep parsed fixtures in it too */
  cache?: LoadCache;
}): RegistryHolder {
  let current = opts.load();
  let fixtureTexts = readFixtureTexts(current);
  logFallbacks(current, opts.logger);
  opts.logger.info('registry loaded', {
    hash: current.hash,
    partners: [...current.partners.keys()],
    mappings: current.mappingsByFile.size,
  });
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReloadResult> | undefined;
  let lastOutcome: LastReload | undefined;

  const refuse = (problems: ConfigProblem[]): ReloadResult => {
    const error = new ConfigError(problems);
    lastOutcome = { result: 'refused', at: new Date().toISOString(), problems: error.problems };
    opts.logger.error(RELOAD_REFUSED, { hash: current.hash, problems: error.problems.map(formatProblem) });
    opts.onRefused?.(error);
    return { ok: false, error };
  };

  const reloadOnce = async (): Promise<ReloadResult> => {
    const startedAt = performance.now();
    const last = current;
    const refusedPartners = new Map<string, RefusedPartner>();
    const isolate = (keep?: ReadonlySet<string>): LoadRegistryOptions['isolate'] => ({
      lastGood: last,
      keep,
      onPartnerRefused: (partnerId, problems, keptLastGood) => {
        refusedPartners.set(partnerId, { partnerId, keptLastGood, problems: problems.map(formatProblem) });
      },
    });
    let next: Registry;
    try {
      next = opts.load(isolate());
    } catch (err) {
      return refuse(err instanceof ConfigError ? [...err.problems] : [{ file: '(registry)', message: String(err) }]);
    }
    // the fixtures of what changed: a changed or new fixture file, or one whose mapping's source changed
    const texts = readFixtureTexts(next);
    const changedMappings = new Set<string>();
    // a mapping whose helper library changed counts as changed (its library functions may have)
    for (const [file, m] of next.mappingsByFile) {
      const before = last.mappingsByFile.get(file);
      if (before?.source !== m.source || before.library.id !== m.library.id) changedMappings.add(file);
    }
    const select = (ref: { file: string }, mappingFile: string) =>
      texts.get(ref.file) !== fixtureTexts.get(ref.file) || changedMappings.has(mappingFile);
    let outcomes = await runRegistryFixtures(next, { select, cache: opts.cache });
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.some((o) => o.ref.partnerId === undefined)) return refuse(failed.map(fixtureProblem));
    if (failed.length) {
      // only partners' fixtures failed: those partners keep their last good state, the others go live
      const keep = new Set(failed.map((o) => o.ref.partnerId!));
      for (const o of failed) {
        const id = o.ref.partnerId!;
        const prior = refusedPartners.get(id);
        refusedPartners.set(id, {
          partnerId: id,
          keptLastGood: last.partners.has(id),
          problems: [...(prior?.problems ?? []), formatFixtureFailure(o)],
        });
      }
      try {
        next = opts.load(isolate(keep));
      } catch (err) {
        return refuse(err instanceof ConfigError ? [...err.problems] : [{ file: '(registry)', message: String(err) }]);
      }
      outcomes = outcomes.filter((o) => !keep.has(o.ref.partnerId ?? ''));
    }
    current = next;
    // a refused partner's fixtures count as changed until it goes live
    fixtureTexts = new Map(
      [...readFixtureTexts(next)].filter(([file]) => !next.fixtures.some((f) => f.file === file && refusedPartners.has(f.partnerId ?? ''))),
    );
    const ms = Math.round(performance.now() - startedAt);
    for (const refused of refusedPartners.values()) {
      opts.logger.error(RELOAD_REFUSED, {
        partner: refused.partnerId,
        kept: refused.keptLastGood ? 'last good state' : 'off (new partner)',
        problems: refused.problems,
      });
    }
    opts.logger.info('registry reloaded', {
      hash: next.hash,
      previousHash: last.hash,
      partners: [...next.partners.keys()],
      mappings: next.mappingsByFile.size,
      changedMappings: changedMappings.size,
      fixturesRun: outcomes.length,
      ms,
    });
    logFallbacks(next, opts.logger);
    lastOutcome = {
      result: 'ok',
      at: new Date().toISOString(),
      problems: [...refusedPartners.values()].flatMap((r) => r.problems.map(parseProblem)),
    };
    opts.onReload?.(next);
    return { ok: true, registry: next, refusedPartners: [...refusedPartners.values()], fixturesRun: outcomes.length };
  };

  const reload = (): Promise<ReloadResult> => {
    // one more after the one running, which may have read the files before the latest edit
    if (running) return running.then(() => reload());
    running = reloadOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    current: () => current,
    lastReload: () => lastOutcome,
    reload,
    watch(dirs, debounceMs) {
      const fire = () => void reload();
      for (const dir of dirs) {
        const w = watch(dir, { recursive: true }, () => {
          clearTimeout(timer);
          timer = setTimeout(fire, debounceMs);
          timer.unref();
        });
        w.on('error', (err) => opts.logger.warn('file watcher failed; reload by restart only', { dir, error: String(err) }));
        watchers.push(w);
      }
    },
    close() {
      clearTimeout(timer);
      for (const w of watchers.splice(0)) w.close();
    },
  };
}

function fixtureProblem(o: Parameters<typeof formatFixtureFailure>[0]): ConfigProblem {
  return parseProblem(formatFixtureFailure(o));
}

/** A problem formatted as `file:line:col message` (formatProblem) back into its parts. */
function parseProblem(text: string): ConfigProblem {
  const m = /^(.*?):(\d+):(\d+) ([\s\S]*)$/.exec(text);
  if (m) return { file: m[1]!, line: Number(m[2]), column: Number(m[3]), message: m[4]! };
  const f = /^(\S+?) ([\s\S]*)$/.exec(text);
  return f ? { file: f[1]!, message: f[2]! } : { file: '(registry)', message: text };
}

function readFixtureTexts(registry: Registry): Map<string, string> {
  const texts = new Map<string, string>();
  for (const ref of registry.fixtures) {
    try {
      texts.set(ref.file, readFileSync(ref.file, 'utf8'));
    } catch {
      /* gone since the load: counts as changed */
    }
  }
  return texts;
}

/** Once per loaded snapshot (never per evaluation): the mappings the compiled engine runs in the interpreter, and why. */
function logFallbacks(registry: Registry, logger: Logger): void {
  for (const mapping of registry.mappings) {
    if (mapping.fallbackReason === undefined) continue;
    logger.warn('mapping runs interpreted: the compiler does not handle it', {
      mapping: mapping.file,
      reason: mapping.fallbackReason,
    });
  }
}
