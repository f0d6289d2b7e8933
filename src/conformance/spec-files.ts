import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';

/** One OpenAPI file of a release, named by the API it serves. */
export interface ApiFileEntry {
  /** API name from `servers[0].url`, e.g. `productOrderingManagement` (see {@link listApiFiles} for the one exception) */
  apiName: string;
  /** major version path segment, e.g. `v10` */
  major: string;
  /** absolute path of the YAML file */
  file: string;
  /** path relative to the release folder, with `/` separators */
  relativePath: string;
}

const SONATA_BASE = /\/mefApi\/sonata\/([A-Za-z0-9_-]+)\/(v\d+)\/?/;
// The `servers:` block up to the next top-level key; cheap enough to index a release without parsing every file.
const SERVERS_BLOCK = /^servers:[^\n]*\n((?:[ \t-][^\n]*\n|\n)*)/m;

/** Reads `<apiName>` and `v<major>` out of a Sonata server URL (`https://{serverBase}/mefApi/sonata/<apiName>/v<major>/`). */
export function parseSonataServerUrl(url: string): { apiName: string; major: string } | undefined {
  const match = SONATA_BASE.exec(url);
  return match?.[1] && match[2] ? { apiName: match[1], major: match[2] } : undefined;
}

function walkApiFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...walkApiFiles(path));
    else if (/\.api\.ya?ml$/.test(name)) found.push(path);
  }
  return found;
}

/**
 * Lists the API files under `<releaseDir>/productApi/`, each named by the Sonata base path in its first server URL.
 *
 * Billie's Trouble Ticket notification file declares the same server (`troubleTicket/v1`) as the management API:
 * its listeners lived under the management base path. When a `*Notification.api.yaml` file collides with another
 * file like this, it is listed as `<apiName>Notification` (`troubleTicketNotification`, the name later releases
 * use), so both files stay reachable. Any other collision is an error.
 */
export function listApiFiles(releaseDir: string): ApiFileEntry[] {
  const root = join(releaseDir, 'productApi');
  if (!existsSync(root)) throw new Error(`Sonata SDK release folder has no productApi/: ${releaseDir}`);
  const entries = walkApiFiles(root)
    .sort()
    .map((file): ApiFileEntry => {
      const block = SERVERS_BLOCK.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
      const server = parseSonataServerUrl(block.replace(/\s+/g, ''));
      if (!server) throw new Error(`${file}: servers[0].url is not a Sonata base path (.../mefApi/sonata/<apiName>/v<major>/)`);
      return {
        ...server,
        file,
        relativePath: file
          .slice(releaseDir.length + 1)
          .split(sep)
          .join('/'),
      };
    });

  const byName = new Map<string, ApiFileEntry[]>();
  for (const entry of entries) byName.set(entry.apiName, [...(byName.get(entry.apiName) ?? []), entry]);
  for (const [apiName, group] of byName) {
    if (group.length < 2) continue;
    for (const entry of group) {
      if (/Notification\.api\.ya?ml$/.test(basename(entry.file)) && !apiName.endsWith('Notification'))
        entry.apiName = `${apiName}Notification`;
    }
    const names = group.map((entry) => entry.apiName);
    if (new Set(names).size !== names.length) {
      throw new Error(`several API files declare the server .../mefApi/sonata/${apiName}/: ${group.map((e) => e.file).join(', ')}`);
    }
  }
  const renamed = entries.map((entry) => entry.apiName);
  const twice = renamed.find((name, i) => renamed.indexOf(name) !== i);
  if (twice) throw new Error(`several API files in ${releaseDir} are named ${twice}`);
  return entries;
}
