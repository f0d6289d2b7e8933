import { watch, type FSWatcher } from 'node:fs';
import { ConfigError, formatProblem } from '../config/yaml-source.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from './registry.js';

export interface RegistryHolder {
  /** the live snapshot; never changes under a request that already holds it */
  current(): Registry;
  /** builds a new snapshot and swaps it in; an invalid one keeps the last good snapshot */
  reload(): { ok: true; registry: Registry } | { ok: false; error: ConfigError };
  /** watches the data folders and reloads (debounced) on change */
  watch(dirs: string[], debounceMs: number): void;
  close(): void;
}

/**
 * Holds the current registry snapshot. The first load must succeed (a gateway refuses to start on bad
 * config); later reloads that fail are logged with file:line:col and leave the last good snapshot serving.
 */
export function createRegistryHolder(opts: { load: () => Registry; logger: Logger; onReload?: (r: Registry) => void; onRefused?: (error: ConfigError) => void }): RegistryHolder {
  let current = opts.load();
  logFallbacks(current, opts.logger);
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;

  const reload: RegistryHolder['reload'] = () => {
    try {
      const next = opts.load();
      current = next;
      opts.logger.info('registry reloaded', { partners: [...next.partners.keys()], mappings: next.mappingsByFile.size });
      logFallbacks(next, opts.logger);
      opts.onReload?.(next);
      return { ok: true, registry: next };
    } catch (err) {
      const error = err instanceof ConfigError ? err : new ConfigError([{ file: '(registry)', message: String(err) }]);
      opts.logger.error('registry reload refused; the last good configuration keeps serving', {
        problems: error.problems.map(formatProblem),
      });
      opts.onRefused?.(error);
      return { ok: false, error };
    }
  };

  return {
    current: () => current,
    reload,
    watch(dirs, debounceMs) {
      for (const dir of dirs) {
        const w = watch(dir, { recursive: true }, () => {
          clearTimeout(timer);
          timer = setTimeout(reload, debounceMs);
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

/** Once per loaded snapshot (never per evaluation): the mappings the compiled engine runs in the interpreter, and why. */
function logFallbacks(registry: Registry, logger: Logger): void {
  for (const mapping of registry.mappings) {
    if (mapping.fallbackReason === undefined) continue;
    logger.warn('mapping runs interpreted: the compiler does not handle it', { mapping: mapping.file, reason: mapping.fallbackReason });
  }
}
