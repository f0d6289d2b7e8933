/**
 * `sonata-gateway release-lock`: writes (or, with --check, compares) each release's release.lock.yaml from the SDK's
 * official OpenAPI files. `sonata-gateway coverage`: the table of every operationId of those files per release and
 * whether the gateway serves it (docs/coverage.md), generated from the lock files and the registry, no SDK needed.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { buildReleaseLock, renderReleaseLock } from '../conformance/release-lock.js';
import { createSpecCatalog, sdkReleases } from '../conformance/openapi-validator.js';
import type { OperationDef, Registry, ReleaseDef } from '../registry/registry.js';
import { stringMember } from '../json/unknown-values.js';

export interface CoverageIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** The releases of mappings/releases, read from their release.yaml alone (a stale lock must not stop rewriting it). */
function releaseFolders(mappingsDir: string): Array<{ name: string; sdkFolder: string; dir: string }> {
  const root = join(mappingsDir, 'releases');
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'release.yaml')))
    .map((d) => {
      const raw: unknown = parse(readFileSync(join(root, d.name, 'release.yaml'), 'utf8'));
      return { name: stringMember(raw, 'release') ?? d.name, sdkFolder: stringMember(raw, 'sdkFolder') ?? d.name, dir: join(root, d.name) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Writes every release's lock (exit 0), or with `check` reports the ones that differ from the files (exit 1). */
export function runReleaseLock(opts: { mappingsDir: string; sdkDir: string; check: boolean }, io: CoverageIo): number {
  const present = sdkReleases(opts.sdkDir);
  if (present.length === 0) {
    io.err(`no Sonata SDK at ${resolve(opts.sdkDir)} (give --sdk DIR or SONATA_SDK_DIR)\n`);
    return 3;
  }
  const catalog = createSpecCatalog({ sdkDir: opts.sdkDir });
  let stale = 0;
  for (const release of releaseFolders(opts.mappingsDir)) {
    const file = join(release.dir, 'release.lock.yaml');
    if (!present.includes(release.sdkFolder)) {
      io.err(`${release.name}: the SDK has no folder ${release.sdkFolder}; its lock is left as it is\n`);
      continue;
    }
    const text = renderReleaseLock(buildReleaseLock(catalog, release));
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (opts.check) {
      if (current !== text) {
        stale++;
        io.err(
          `${release.name}: ${current === undefined ? 'no release.lock.yaml' : 'release.lock.yaml differs from the official files'}; run sonata-gateway release-lock\n`,
        );
      } else io.out(`${release.name}: release.lock.yaml matches ${release.sdkFolder}\n`);
      continue;
    }
    if (current !== text) writeFileSync(file, text);
    io.out(`${release.name}: ${current === text ? 'unchanged' : 'written'} ${file}\n`);
  }
  return stale > 0 ? 1 : 0;
}

/** How the gateway answers one served operation, for the table. */
function servedAs(op: OperationDef): string {
  if (op.kind === 'notImplemented') return '501 (optional; not offered by this seller)';
  if (op.kind === 'proxy') return `served: passed through to \`${op.upstream}\``;
  return `served (\`${op.kind}\`)`;
}

function releaseSection(registry: Registry, release: ReleaseDef): string[] {
  const lock = release.lock;
  const aliases = release.aliases.length ? ` (also ${release.aliases.join(', ')})` : '';
  if (!lock) return [`## ${release.name}${aliases}`, '', 'No release.lock.yaml: run `sonata-gateway release-lock`.', ''];
  const lines = [`## ${release.name}${aliases}`, ''];
  const served = new Map<string, OperationDef>();
  for (const api of release.apis.values()) for (const op of api.operations) served.set(`${api.name}/${op.operationId}`, op);
  const catalog = registry.notifications.get(release.name);
  let total = 0;
  let answered = 0;
  let optional = 0;
  const rows: string[] = [];
  for (const [apiName, api] of Object.entries(lock.apis).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [operationId, locked] of Object.entries(api.operations)) {
      total++;
      let how: string;
      if (api.role === 'listener') {
        const event = locked.path.replace(/^\/listener\//, '');
        // an event's listener is its eventType unless the catalogue names it otherwise (`listener`)
        const listens = (a: { events: ReadonlyMap<string, { listener?: string }> }) =>
          a.events.has(event) || [...a.events.values()].some((e) => e.listener === event);
        const management = catalog
          ? [...catalog.apis.values()].find(
              (a) => (a.notificationApi === apiName || `${a.notificationApi}Notification` === apiName) && listens(a),
            )
          : undefined;
        const sent = management && [...(release.apis.get(management.apiName)?.operations ?? [])].some((o) => o.kind === 'hubRegister');
        how = sent ? `sent to subscribed Buyers (hub of ${management.apiName})` : 'not sent: no hub of its management API is served';
        if (sent) answered++;
      } else {
        const op = served.get(`${apiName}/${operationId}`);
        const why = release.notServed[apiName];
        how = op ? servedAs(op) : `not served: ${typeof why === 'string' ? why : (why?.[operationId] ?? '(no reason given)')}`;
        if (op?.kind === 'notImplemented') optional++;
        else if (op) answered++;
      }
      rows.push(`| ${apiName} ${api.version} | \`${operationId}\` | ${locked.method} ${locked.path} | ${how} |`);
    }
  }
  const optionalText = optional ? `; ${optional} optional one${optional === 1 ? '' : 's'} answer${optional === 1 ? 's' : ''} 501` : '';
  lines.push(
    `${answered} of ${total} operations of the official files (${lock.sdkFolder}) are served or their events sent${optionalText}.`,
    '',
  );
  lines.push('| API | operationId | method and path | the gateway |', '| --- | --- | --- | --- |', ...rows, '');
  return lines;
}

/** docs/coverage.md: one section per release, one row per operationId of its official files. */
export function coverageTable(registry: Registry): string {
  const releases = [...new Set(registry.releases.values())].sort((a, b) => a.name.localeCompare(b.name));
  const lines = [
    '# Coverage of the Sonata releases',
    '',
    "Generated by `sonata-gateway coverage --write` from each release's `release.lock.yaml` (the operations its official",
    'OpenAPI files declare, written by `sonata-gateway release-lock`) and the API files under `mappings/releases`. A test',
    'fails when this page and the generated table differ. "Not served" rows give the reason written under `notServed` in',
    "the release's `release.yaml`; notification APIs (`listenTo...`) are the Buyer's: the gateway sends their events.",
    '',
  ];
  for (const release of releases) lines.push(...releaseSection(registry, release));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Prints the table, writes it to `file` (`write`), or checks that `file` holds it (`check`, exit 1 when not). */
export function runCoverage(registry: Registry, opts: { file: string; write: boolean; check: boolean }, io: CoverageIo): number {
  const table = coverageTable(registry);
  if (opts.check) {
    const current = existsSync(opts.file) ? readFileSync(opts.file, 'utf8') : '';
    if (current !== table) {
      io.err(`${opts.file} differs from the generated coverage table; run sonata-gateway coverage --write\n`);
      return 1;
    }
    io.out(`${opts.file} is up to date\n`);
    return 0;
  }
  if (opts.write) {
    writeFileSync(opts.file, table);
    io.out(`written ${opts.file}\n`);
    return 0;
  }
  io.out(table);
  return 0;
}
